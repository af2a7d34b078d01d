"""Safe image resolution for the Markdown and HTML readers: references in, verified bytes out.

A reference is a local path, a data: URI or a remote URL. Local files are read only from the
input's folder (options.base_dir) or a folder the user allowed (options.allowed_dirs): no `../`
escape, no absolute path elsewhere, no symlink pointing out. Remote images are fetched only when
the user asked (options.fetch_remote). Every image is opened and verified with Pillow; huge ones
are refused, large ones scaled down for e-readers, formats e-readers lack converted.

Nothing here raises for a bad image: the reader gets None and a warning, and keeps the alt text
and caption as a figure without an image.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import SplitResult, unquote
from urllib.parse import urljoin as _urljoin
from urllib.parse import urlsplit as _urlsplit

from octavo import diagnostics, limits
from octavo.model import Image
from octavo.options import ReadOptions

MAX_BYTES = 10 * 1024 * 1024
"""Largest image file read, decoded or downloaded."""
MAX_PIXELS: int | None = None
"""A fixed pixel limit overriding limits.max_image_pixels (for tests); None uses the limit."""


def max_pixels() -> int:
    """Images with more pixels are refused (decompression bombs, giant scans):
    limits.max_image_pixels, set with OCTAVO_MAX_IMAGE_PIXELS."""
    return MAX_PIXELS or limits.current().max_image_pixels
MAX_SIDE = 1600
"""Longer side of the images handed to writers: enough for any e-reader screen."""
FETCH_TIMEOUT = 10.0
JPEG_QUALITY = 85

_PASS_THROUGH = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
_DATA_URI = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]*)*)(;base64)?,(.*)$",
                       re.IGNORECASE | re.DOTALL)
# Hosts and paths of analytics and ad beacons: their "images" are tracking pixels, never content.
_TRACKER = re.compile(
    r"(^|[./])(doubleclick\.net|google-analytics\.com|googletagmanager\.com|googlesyndication\.com|"
    r"scorecardresearch\.com|quantserve\.com|chartbeat\.(com|net)|hotjar\.com|facebook\.com/tr|"
    r"pixel\.wp\.com|stats\.wp\.com|bat\.bing\.com|analytics\.|amazon-adsystem\.com|"
    r"adsystem\.|adservice\.|pixel\.|tracking\.|omtrdc\.net|2o7\.net|sb\.scorecardresearch|"
    r"matomo\.|piwik\.|feeds\.feedburner\.com/~r|mc\.yandex\.ru|counter\.|ivwbox\.de|"
    r"ioam\.de|krxd\.net|adnxs\.com|taboola\.com|outbrain\.com)",
    re.IGNORECASE,
)


_INVALID = SplitResult("invalid", "", "", "", "")


def urlsplit(url: str) -> SplitResult:
    """urllib's urlsplit, except that a malformed URL ("http://[Rust]/") gives the scheme
    "invalid" instead of raising ValueError: readers then treat it as a reference they refuse."""
    try:
        return _urlsplit(url)
    except ValueError:
        return _INVALID


def urljoin(base: str, url: str) -> str:
    """urllib's urljoin; a malformed base or reference gives "invalid:" (refused later)."""
    try:
        return _urljoin(base, url)
    except ValueError:
        return "invalid:"


def is_tracker_url(ref: str) -> bool:
    """True for references to known analytics/ad beacons (matched on host and path)."""
    parts = urlsplit(ref.strip())
    if parts.scheme.lower() not in ("http", "https", ""):
        return False
    return bool(_TRACKER.search(f"{parts.netloc}{parts.path}"))


def is_tiny(width: int | None, height: int | None) -> bool:
    """A 1x1-ish image is a beacon or a spacer, not content."""
    sides = [s for s in (width, height) if s is not None]
    return bool(sides) and all(s <= 3 for s in sides)


class ImageResolver:
    """Resolves the image references of one document; one instance per read."""

    def __init__(self, options: ReadOptions, page_url: str | None = None) -> None:
        self.options = options
        self.page_url = page_url
        self.skipped_remote: list[str] = []

    # -- public -----------------------------------------------------------------------------

    def resolve(self, ref: str, alt: str = "") -> Image | None:
        """Return verified image bytes for a reference, or None (after a warning)."""
        ref = ref.strip()
        if not ref:
            return None
        try:
            loaded = self._load(ref)
        except _Refused as exc:
            diagnostics.warn(exc.code, exc.message)
            return None
        if loaded is None:
            return None
        data, label = loaded
        return self._verify(data, alt, label)

    def finish(self) -> None:
        """Report the remote images left out, once per document rather than once per image."""
        if self.skipped_remote:
            n = len(self.skipped_remote)
            first = self.skipped_remote[0]
            diagnostics.warn(
                "image-remote",
                f"{n} remote image{'s were' if n > 1 else ' was'} not downloaded (first: {first}); "
                "their alt text and captions are kept (download them with --fetch-images)",
            )

    # -- loading ----------------------------------------------------------------------------

    def _load(self, ref: str) -> tuple[bytes, str] | None:
        if ref[:5].lower() == "data:":
            return _decode_data_uri(ref), "a data: URI image"
        parts = urlsplit(ref)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https") or ref.startswith("//"):
            url = ref if scheme else f"https:{ref}"
            if not self.options.fetch_remote:
                self.skipped_remote.append(_short(url))
                return None
            return _fetch(url), _short(url)
        if scheme == "file":
            return self._read_local(unquote(parts.path), ref)
        # ftp:, javascript:, cid: ... are never read (a one-letter "scheme" is a drive: C:/x).
        if scheme and len(scheme) > 1:
            raise _Refused("image-refused", f"image {_short(ref)!r} refused: "
                           f"{scheme}: references are not read")
        web = self.page_url if self.page_url and urlsplit(self.page_url).scheme in (
            "http", "https") else None
        # A saved page's "/wp-content/x.png" or a missing "img/x.png" lives on its web site.
        if web and (self.options.base_dir is None or ref.startswith("/")):
            return self._load(urljoin(web, ref))
        try:
            return self._read_local(unquote(parts.path), ref)
        except _Refused as exc:
            if web and exc.code == "image-missing":
                return self._load(urljoin(web, ref))
            raise

    def _read_local(self, path_text: str, ref: str) -> tuple[bytes, str]:
        if not path_text or "\x00" in path_text:
            raise _Refused("image-missing", f"image {_short(ref)!r} has no file name")
        roots = self._roots()
        candidate = Path(path_text)
        if not candidate.is_absolute():
            base = self.options.base_dir
            if base is None:
                raise _Refused("image-refused", f"image {_short(ref)!r} not read: the input was "
                               "not read from a folder, so relative images cannot be found")
            candidate = base / candidate
        try:
            real = candidate.resolve(strict=True)  # follows symlinks: the target decides
        except (OSError, RuntimeError):
            if not any(_inside(candidate.resolve(strict=False), r) for r in roots):
                raise _Refused("image-refused", _refused_message(ref)) from None
            raise _Refused("image-missing", f"image {_short(ref)!r} not found") from None
        if not any(_inside(real, r) for r in roots):
            raise _Refused("image-refused", _refused_message(ref))
        if not real.is_file():
            raise _Refused("image-missing", f"image {_short(ref)!r} is not a file")
        try:
            with real.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _Refused("image-missing", f"image {_short(ref)!r} cannot be read: "
                           f"{exc.strerror or exc}") from None
        if len(data) > MAX_BYTES:
            raise _Refused("image-too-large", f"image {_short(ref)!r} is larger than "
                           f"{MAX_BYTES // (1024 * 1024)} MB; left out")
        return data, _short(ref)

    def _roots(self) -> list[Path]:
        roots = [self.options.base_dir, *self.options.allowed_dirs]
        out: list[Path] = []
        for root in roots:
            if root is None:
                continue
            try:
                out.append(Path(root).resolve())
            except (OSError, RuntimeError):
                continue
        return out

    # -- verification and conversion -------------------------------------------------------

    def _verify(self, data: bytes, alt: str, label: str) -> Image | None:
        from PIL import Image as PILImage
        from PIL import UnidentifiedImageError

        head = data[:512].lstrip().lower()
        if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
            # SVG is a document that can carry scripts and external references; not passed on.
            diagnostics.warn("image-refused", f"image {label!r} is SVG, which is not embedded "
                             "(it can contain scripts); convert it to PNG")
            return None
        limit = max_pixels()
        advice = "(raise OCTAVO_MAX_IMAGE_PIXELS to allow it); left out, caption kept"
        too_large = f"image {label!r} claims more than {limit:,} pixels {advice}"
        try:
            with _pillow_guard(limit), PILImage.open(io.BytesIO(data)) as probe:
                fmt = probe.format or ""
                width, height = probe.size
                if width * height > limit:
                    diagnostics.warn("image-too-large", f"image {label!r} has {width}x{height} "
                                     f"pixels, more than {limit:,} {advice}")
                    return None
                probe.verify()
        except PILImage.DecompressionBombError:
            diagnostics.warn("image-too-large", too_large)
            return None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            diagnostics.warn("image-invalid", f"image {label!r} is not a readable image ({exc}); "
                             "left out")
            return None
        if is_tiny(width, height):
            return None  # a tracking pixel or spacer
        if fmt in _PASS_THROUGH and max(width, height) <= MAX_SIDE:
            return Image(data=data, media_type=_PASS_THROUGH[fmt], alt=alt)
        try:
            with _pillow_guard(limit):
                return self._convert(data, fmt, alt)
        except PILImage.DecompressionBombError:
            diagnostics.warn("image-too-large", too_large)
            return None
        except (OSError, ValueError, SyntaxError, MemoryError) as exc:
            diagnostics.warn("image-invalid", f"image {label!r} could not be converted ({exc}); "
                             "left out")
            return None

    @staticmethod
    def _convert(data: bytes, fmt: str, alt: str) -> Image:
        """Scale to MAX_SIDE and re-encode as JPEG (photos) or PNG (transparency, palettes)."""
        from PIL import Image as PILImage
        from PIL import ImageOps

        with PILImage.open(io.BytesIO(data)) as img:
            img.seek(0)  # animated GIF/WebP: the first frame
            frame = ImageOps.exif_transpose(img) or img
            frame.load()
            if max(frame.size) > MAX_SIDE:
                frame = frame.copy()
                frame.thumbnail((MAX_SIDE, MAX_SIDE), PILImage.Resampling.LANCZOS)
            keep_png = fmt in ("PNG", "GIF") or frame.mode in ("1", "P", "PA", "LA", "RGBA", "L") \
                and fmt != "JPEG"
            out = io.BytesIO()
            if keep_png:
                if frame.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                    frame = frame.convert("RGBA")
                frame.save(out, format="PNG", optimize=True)
                return Image(data=out.getvalue(), media_type="image/png", alt=alt)
            if frame.mode != "RGB":
                frame = frame.convert("RGB")
            frame.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return Image(data=out.getvalue(), media_type="image/jpeg", alt=alt)


@contextlib.contextmanager
def _pillow_guard(limit: int) -> Iterator[None]:
    """Pillow's own bomb check at our limit, raising instead of warning (its warnings would
    reach the user's console; its error is caught by the caller). Pillow's limit is a module
    global: conversions in threads of one process may see each other's (equal) limit."""
    from PIL import Image as PILImage

    saved = PILImage.MAX_IMAGE_PIXELS
    PILImage.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            try:
                yield
            except PILImage.DecompressionBombWarning as exc:
                raise PILImage.DecompressionBombError(str(exc)) from None
    finally:
        PILImage.MAX_IMAGE_PIXELS = saved


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _short(ref: str, limit: int = 80) -> str:
    return ref if len(ref) <= limit else ref[: limit - 1] + "…"


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _refused_message(ref: str) -> str:
    return (f"image {_short(ref)!r} refused: it lies outside the input's folder "
            "(allow a folder with --allow-dir)")


def _decode_data_uri(ref: str) -> bytes:
    match = _DATA_URI.match(ref.strip())
    if not match:
        raise _Refused("image-invalid", "a data: URI image is malformed; left out")
    media_type = (match.group(1) or "").lower()
    if media_type and not media_type.startswith("image/"):
        raise _Refused("image-refused", f"a data: URI of type {media_type} is not an image")
    payload = match.group(4)
    if len(payload) > MAX_BYTES * 4 // 3 + 4:
        raise _Refused("image-too-large", "a data: URI image is larger than "
                       f"{MAX_BYTES // (1024 * 1024)} MB; left out")
    if match.group(3):
        try:
            return base64.b64decode(re.sub(r"\s+", "", unquote(payload)), validate=True)
        except (binascii.Error, ValueError):
            raise _Refused("image-invalid", "a data: URI image has broken base64; left out") \
                from None
    return unquote(payload).encode("utf-8", "surrogateescape")


def _fetch(url: str) -> bytes:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "octavo (image fetch)"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            final = urlsplit(response.geturl()).scheme.lower()
            if final not in ("http", "https"):
                raise _Refused("image-refused", f"image {_short(url)!r} redirected to {final}:")
            ctype = (response.headers.get_content_type() or "").lower()
            if not ctype.startswith("image/"):
                raise _Refused("image-invalid", f"image {_short(url)!r} is {ctype or 'untyped'}, "
                               "not an image; left out")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_BYTES:
                raise _Refused("image-too-large", f"image {_short(url)!r} is larger than "
                               f"{MAX_BYTES // (1024 * 1024)} MB; left out")
            data = response.read(MAX_BYTES + 1)
    except _Refused:
        raise
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _Refused("image-fetch-failed", f"image {_short(url)!r} could not be downloaded "
                       f"({reason}); left out") from None
    if len(data) > MAX_BYTES:
        raise _Refused("image-too-large", f"image {_short(url)!r} is larger than "
                       f"{MAX_BYTES // (1024 * 1024)} MB; left out")
    return data
