"""The generated cover image: title, author(s) and publisher set on a plain coloured page.

Pillow draws the text with the bundled DejaVu fonts (Latin, Greek, Cyrillic, Hebrew, Arabic in
the sans faces). Pillow draws a missing glyph as an empty box, so before drawing, each piece
of text is checked against the font's cmap: a piece no bundled font covers is left off the
cover (with a warning) rather than drawn as boxes; a few stray characters (an emoji in a
title) are dropped from the piece. Right-to-left text is only drawn when Pillow has its Raqm
layout engine, which does the bidi reordering and Arabic shaping; otherwise it is left off.

The image is 1200 x 1920 (the 1:1.6 portrait that e-book stores ask for) and a JPEG, whose
encoder is deterministic, so the same book gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from octavo import diagnostics

# Designed on a 1600 x 2560 grid and drawn at 3/4 of it: 1200 x 1920 keeps the 1:1.6 portrait,
# is above the stores' minimum (1000 x 1600 for Kindle), and halves drawing and JPEG time, which
# dominated batch throughput.
_SCALE = 0.75
WIDTH, HEIGHT = 1200, 1920
MEDIA_TYPE = "image/jpeg"


def _px(design: float) -> int:
    return round(design * _SCALE)


_TEXT_WIDTH = WIDTH - 2 * _px(190)
_JPEG_QUALITY = 88

# (background, text, accent): dark grounds with light type, chosen per title so a shelf of
# octavo books is not one colour.
_PALETTES = (
    ("#1f3a5f", "#f4efe6", "#d9b26f"),
    ("#5b1e2d", "#f6efe9", "#e3b78c"),
    ("#21463b", "#f2efe6", "#cdb67e"),
    ("#2e2e38", "#f1ede4", "#e8957a"),
    ("#3d2c5a", "#f3eef6", "#d9bd62"),
    ("#173f4a", "#eef3f1", "#8fd0c4"),
)

# Font chains per piece of text: the first face that has every glyph is used.
_TITLE_FONTS = ("DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf")
_BYLINE_FONTS = ("DejaVuSans.ttf", "DejaVuSerif.ttf")
_PUBLISHER_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")

# Faces for scripts DejaVu lacks, tried per character after the role's own face. Shaped scripts
# (Arabic, Hebrew, Devanagari) need Pillow's Raqm layout; `_drawable` enforces that.
_SCRIPT_FONTS = (
    "DroidSansFallbackFull.ttf",  # Han, kana, Hangul
    "NotoSerifKR-Hangul.ttf",
    "NotoSerifHebrew-Regular.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoSerifDevanagari-Regular.ttf",
    "NotoSerifThai-Regular.ttf",
)

# A piece keeps its dropped characters' place only when most of it can still be shown.
_MIN_SHOWN = 0.85


@dataclass(frozen=True, slots=True)
class Cover:
    data: bytes
    media_type: str
    shown: tuple[str, ...]
    """The texts actually drawn (title, byline, publisher), for the image's alt text."""


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    font: str | tuple[str, ...]
    """One font, or a chain tried per character (a Latin face first, then script faces)."""
    role: str


# --- fonts and their coverage -------------------------------------------------------------------


@functools.cache
def _font_bytes(filename: str) -> bytes:
    ref = resources.files("octavo").joinpath("fonts", filename)
    return ref.read_bytes()


def _font_source(filename: str) -> Any:
    ref = resources.files("octavo").joinpath("fonts", filename)
    if isinstance(ref, Path):
        return str(ref)
    return io.BytesIO(_font_bytes(filename))  # zipped install: FreeType reads from memory


@functools.cache
def _cmap(filename: str) -> frozenset[int]:
    """The code points a TrueType font maps to a real glyph (cmap formats 4 and 12)."""
    return frozenset(_parse_cmap(_font_bytes(filename)))


def _parse_cmap(font: bytes) -> set[int]:
    num_tables = struct.unpack_from(">H", font, 4)[0]
    cmap_at = None
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", font, 12 + 16 * i)
        if tag == b"cmap":
            cmap_at = offset
    if cmap_at is None:
        return set()
    subtables = {}
    for i in range(struct.unpack_from(">H", font, cmap_at + 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHI", font, cmap_at + 4 + 8 * i)
        subtables[(platform, encoding)] = cmap_at + offset
    for key in ((3, 10), (0, 4), (0, 6)):
        if key in subtables and struct.unpack_from(">H", font, subtables[key])[0] == 12:
            return _cmap_format12(font, subtables[key])
    for key in ((3, 1), (0, 3), (0, 1), (0, 0)):
        if key in subtables and struct.unpack_from(">H", font, subtables[key])[0] == 4:
            return _cmap_format4(font, subtables[key])
    return set()


def _cmap_format12(font: bytes, at: int) -> set[int]:
    groups = struct.unpack_from(">I", font, at + 12)[0]
    out: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", font, at + 16 + 12 * i)
        out.update(c for c in range(start, end + 1) if glyph + (c - start) != 0)
    return out


def _cmap_format4(font: bytes, at: int) -> set[int]:
    seg_count = struct.unpack_from(">H", font, at + 6)[0] // 2
    ends_at = at + 14
    starts_at = ends_at + 2 * seg_count + 2
    deltas_at = starts_at + 2 * seg_count
    ranges_at = deltas_at + 2 * seg_count
    out: set[int] = set()
    for i in range(seg_count):
        end = struct.unpack_from(">H", font, ends_at + 2 * i)[0]
        start = struct.unpack_from(">H", font, starts_at + 2 * i)[0]
        delta = struct.unpack_from(">h", font, deltas_at + 2 * i)[0]
        range_offset = struct.unpack_from(">H", font, ranges_at + 2 * i)[0]
        for c in range(start, end + 1):
            if c == 0xFFFF:
                continue
            if range_offset == 0:
                glyph = (c + delta) & 0xFFFF
            else:
                where = ranges_at + 2 * i + range_offset + 2 * (c - start)
                glyph = struct.unpack_from(">H", font, where)[0]
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                out.add(c)
    return out


@functools.cache
def _has_raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")


def _drawable(ch: str, cmap: frozenset[int]) -> bool:
    if _invisible(ch):
        return True
    # Without Raqm, Pillow lays right-to-left text out left to right, unshaped: wrong, not boxes,
    # but no more readable, so such characters count as not drawable.
    if not _has_raqm() and unicodedata.bidirectional(ch) in ("R", "AL"):
        return False
    return ord(ch) in cmap


def _choose(text: str, fonts: Sequence[str], role: str) -> _Piece | None:
    """The piece as it can be drawn (in the first font that covers it), or None."""
    # Control characters never print; format controls (ZWJ, bidi marks) only mean something
    # to Raqm's shaping, and the basic layout would draw them as boxes.
    dropped = ("Cc", "Cs", "Cf") if not _has_raqm() else ("Cc", "Cs")
    text = " ".join("".join(ch for ch in text if ch.isspace() or
                            unicodedata.category(ch) not in dropped).split())
    if not text:
        return None
    best: tuple[int, str, str | tuple[str, ...]] | None = None
    for name in fonts:
        cmap = _cmap(name)
        kept = "".join(ch for ch in text if _drawable(ch, cmap))
        if kept == text:
            return _Piece(text, name, role)
        score = sum(1 for ch in kept if not _invisible(ch))
        if best is None or score > best[0]:
            best = (score, " ".join(kept.split()), name)
    chain = (fonts[0], *_available(_SCRIPT_FONTS))
    kept = "".join(ch for ch in text if any(_drawable(ch, _cmap(name)) for name in chain))
    if kept == text:
        return _Piece(text, chain, role)
    visible = sum(1 for ch in text if not _invisible(ch))
    score = sum(1 for ch in kept if not _invisible(ch))
    if best is None or score > best[0]:
        best = (score, " ".join(kept.split()), chain)  # type: ignore[assignment]
    if best is not None and best[1] and best[0] >= _MIN_SHOWN * visible:
        diagnostics.warn("cover-glyphs", f"the cover shows the {role} without characters the "
                                         "bundled fonts lack")
        return _Piece(best[1], best[2], role)
    diagnostics.warn(
        "cover-glyphs",
        f"the cover leaves out the {role}: the bundled fonts have no glyphs for its script "
        "(it is still in the book's text and metadata)",
    )
    return None


# --- layout ---------------------------------------------------------------------------------


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _segments(text: str) -> list[str]:
    """Break units of text: words, and single ideographs (which need no space to break)."""
    out: list[str] = []
    for ch in text:
        if out and not ch.isspace() and not _is_wide(ch) and not _is_wide(out[-1][-1]) \
                and not out[-1].isspace():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _wrap(text: str, font: Any, width: float, *, split: bool) -> list[str] | None:
    """Greedy wrap at spaces and between ideographs. A word wider than the line is split (with
    a hyphen) when `split`, else None is returned so the caller tries a smaller size first."""
    lines: list[str] = []
    line = ""
    for segment in _segments(text):
        if segment.isspace():
            line = line + " " if line else line
            continue
        chunks = [segment] if font.getlength(segment) <= width else None
        if chunks is None:
            if not split:
                return None
            chunks = _split_long(segment, font, width)
        for chunk in chunks:
            candidate = line + chunk
            if line.strip() and font.getlength(candidate.rstrip()) > width:
                lines.append(line.rstrip())
                line = chunk
            else:
                line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _split_long(word_: str, font: Any, width: float) -> list[str]:
    chunks: list[str] = []
    chunk = ""
    for ch in word_:
        # Ideographs break anywhere and take no hyphen.
        mark = "" if _is_wide(ch) else "-"
        if chunk and font.getlength(chunk + ch + mark) > width:
            chunks.append(chunk + mark)
            chunk = ch
        else:
            chunk += ch
    return [*chunks, chunk] if chunk else chunks


@dataclass(slots=True)
class _Block:
    font: Any
    lines: list[str]
    size: int
    leading: float
    fill: str

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * self.leading


def _fit(piece: _Piece, sizes: Sequence[int], max_lines: int, max_height: float,
         leading: float, fill: str) -> _Block:
    """The largest size whose wrapped lines fit without splitting words; failing that, the
    largest that fits with split words; at the smallest size, extra lines are cut."""
    fonts = [_truetype(piece.font, size) for size in sizes]
    for split in (False, True):
        for font, size in zip(fonts, sizes):
            lines = _wrap(piece.text, font, _TEXT_WIDTH, split=split)
            if lines is not None and len(lines) <= max_lines and (
                len(lines) * size * leading <= max_height
            ):
                return _Block(font, lines, size, leading, fill)
    font, size = fonts[-1], sizes[-1]
    lines = _wrap(piece.text, font, _TEXT_WIDTH, split=True) or [""]
    fitting = max(1, min(max_lines, int(max_height // (size * leading))))
    if len(lines) > fitting:
        lines = lines[:fitting]
        last = lines[-1]
        while last and font.getlength(last + " …") > _TEXT_WIDTH:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return _Block(font, lines, size, leading, fill)


@functools.lru_cache(maxsize=256)
def _truetype(name: Any, size: int) -> Any:
    """Loaded fonts are reused: parsing a TrueType file per size per cover was a third of the time."""
    from PIL import ImageFont

    if isinstance(name, tuple):
        return _MixedFont([(_cmap(n), _truetype(n, size)) for n in name])
    return ImageFont.truetype(_font_source(name), size)


@functools.cache
def _available(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if resources.files("octavo").joinpath("fonts", n).is_file())


class _MixedFont:
    """Several faces as one: each character is set in the first face that has it."""

    def __init__(self, faces: list[tuple[frozenset[int], Any]]) -> None:
        self.faces = faces

    def runs(self, text: str) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        for ch in text:
            # A space stays with the run before it when that face has one (most do).
            if out and ord(ch) in self._cmap_of(out[-1][0]):
                face = out[-1][0]
            else:
                face = next((f for cmap, f in self.faces if ord(ch) in cmap), self.faces[0][1])
            if out and out[-1][0] is face:
                out[-1] = (out[-1][0], out[-1][1] + ch)
            else:
                out.append((face, ch))
        return out

    def _cmap_of(self, face: Any) -> frozenset[int]:
        return next(cmap for cmap, f in self.faces if f is face)

    def getlength(self, text: str) -> float:
        return sum(face.getlength(part) for face, part in self.runs(text))


def _sizes(largest: int, smallest: int) -> list[int]:
    out: list[int] = []
    size = float(largest)
    while size > smallest:
        out.append(round(size))
        size *= 0.92
    return [*out, smallest]


def _draw(draw: Any, block: _Block, top: float) -> float:
    """Draws the block's lines centred from `top`; returns the y below the last one."""
    y = top
    for line in block.lines:
        if isinstance(block.font, _MixedFont):
            runs = block.font.runs(line)
            x = WIDTH / 2 - sum(face.getlength(part) for face, part in runs) / 2
            baseline = y + block.size * 0.92  # one baseline for every face on the line
            for face, part in runs:
                draw.text((x, baseline), part, font=face, fill=block.fill, anchor="ls")
                x += face.getlength(part)
        else:
            draw.text((WIDTH / 2, y), line, font=block.font, fill=block.fill, anchor="ma")
        y += block.size * block.leading
    return y


def render_cover(*, title: str, authors: str, publisher: str | None, seed: str) -> Cover:
    """Draw the cover; `authors` is the byline as it should read, `seed` picks the colours."""
    from PIL import Image, ImageDraw

    background, ink, accent = _PALETTES[
        int.from_bytes(hashlib.sha256(seed.encode("utf-8", "replace")).digest()[:4], "big")
        % len(_PALETTES)
    ]
    shown: list[str] = []
    title_block = byline_block = publisher_block = None
    if (piece := _choose(title, _TITLE_FONTS, "title")) is not None:
        title_block = _fit(piece, _sizes(_px(176), _px(64)), 7, _px(1150), 1.18, ink)
        shown.append(piece.text)
    if authors and (piece := _choose(authors, _BYLINE_FONTS, "author names")) is not None:
        byline_block = _fit(piece, _sizes(_px(84), _px(44)), 4, _px(420), 1.3, ink)
        shown.append(piece.text)
    if publisher and (piece := _choose(publisher, _PUBLISHER_FONTS, "publisher")) is not None:
        publisher_block = _fit(piece, _sizes(_px(64), _px(36)), 2, _px(180), 1.25, accent)
        shown.append(piece.text)

    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    # A thin inset frame: a printed-book feel without competing with the type.
    inset = _px(72)
    draw.rectangle((inset, inset, WIDTH - inset, HEIGHT - inset), outline=accent, width=_px(6))
    # Title, rule and byline form one group, centred a little above the middle of the page.
    rule_gap = _px(80)
    group = (title_block.height if title_block else 0) + 2 * rule_gap + (
        byline_block.height if byline_block else 0)
    y = max(float(_px(300)), HEIGHT * 0.42 - group / 2)
    if title_block is not None:
        y = _draw(draw, title_block, y)
    y += rule_gap - _px(20)
    if title_block is not None or byline_block is not None:
        draw.line((WIDTH / 2 - _px(140), y, WIDTH / 2 + _px(140), y), fill=accent, width=_px(6))
    y += rule_gap + _px(20)
    if byline_block is not None:
        _draw(draw, byline_block, y)
    if publisher_block is not None:
        _draw(draw, publisher_block, HEIGHT - _px(210) - publisher_block.height)

    out = io.BytesIO()
    # No `optimize`: it halves the JPEG but doubles the encoding time, and the ZIP deflate
    # that follows takes back most of the difference on these flat-coloured pages.
    image.save(out, "JPEG", quality=_JPEG_QUALITY, progressive=False)
    return Cover(out.getvalue(), MEDIA_TYPE, tuple(shown))
