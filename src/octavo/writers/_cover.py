"""The generated cover image: title, author(s) and publisher set on a plain coloured page.

Pillow draws the text with the bundled DejaVu fonts (Latin, Greek, Cyrillic, Hebrew, Arabic in
the sans faces). Pillow draws a missing glyph as an empty box, so before drawing, each piece
of text is checked against the font's cmap: a piece no bundled font covers is left off the
cover (with a warning) rather than drawn as boxes; a few stray characters (an emoji in a
title) are dropped from the piece. Right-to-left text is only drawn when Pillow has its Raqm
layout engine, which does the bidi reordering and Arabic shaping; otherwise it is left off.

The image is a 1000 x 1600 JPEG (the 1:1.6 portrait that e-book stores ask for), whose
encoder is deterministic, so the same book gives the same bytes. Only the rectangle of
rows and columns the text touches is drawn, and only the cells of it that glyphs touch are
encoded, packed into one image (see "encoding only the touched cells"); the blank page's pieces
are encoded once per palette (and kept in the per-user disk cache, octavo.cache) and spliced in
(see "encoding" below). Text is rendered once per line and drawn as coverage on a one-channel
canvas mapped to colour through a palette (see _draw), and the size a title is set at is
found with cached word widths (see _fit, _wrap): together a third less time a cover. A line
that needs no shaping (one face, one simple script, no ligature) is set from cached glyph masks,
advances and kerning instead of being rendered and measured by FreeType each time (see "lines
from cached glyphs"): the same pixels, a fifth less time again; so is each run of a mixed line
(CJK beside Latin) that needs no shaping, or whose face shapes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import marshal
import math
import re
import struct
import threading
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from octavo import cache, diagnostics

# Designed on a 1600 x 2560 grid and drawn at 5/8 of it: 1000 x 1600 keeps the 1:1.6 portrait
# and fills a 1264 x 1680 e-reader screen at a 1.05 scale (library thumbnails are far smaller),
# while drawing and JPEG time, which dominated batch throughput, are 0.7 of 1200 x 1920's.
_SCALE = 0.625
WIDTH, HEIGHT = 1000, 1600
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
    deflated: bytes | None = None
    """`data` as a raw deflate stream (for a ZIP entry), when it came for free."""


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
    """The code points a TrueType font maps to a real glyph (cmap formats 4 and 12). Parsing
    costs a few milliseconds a font at every start, so the result is kept in the disk cache
    (as runs of code points), keyed by the font file's fingerprint."""
    return _cached("cmap", filename, lambda: frozenset(_parse_cmap(_font_bytes(filename))),
                   _cmap_runs, _cmap_from_runs)


def _cached(kind: str, face: str, parse: Callable[[], Any], pack: Callable[[Any], Any],
            unpack: Callable[[Any], Any]) -> Any:
    """What `parse` reads from a font, kept in the disk cache (packed for marshal), keyed by the
    font file's fingerprint; an absent or damaged entry is parsed anew and replaced."""
    ref = resources.files("octavo").joinpath("fonts", face)
    # "=": no face's prefix may be another's ("DejaVuSans-" would prune "DejaVuSans-Bold-...").
    prefix = f"cover-{kind}-{Path(face).stem}="
    entry = None
    if isinstance(ref, Path):
        try:
            entry = cache.entry(prefix, ref, _CMAP_SUFFIX)
            return unpack(marshal.loads(entry.read_bytes()))
        except (OSError, ValueError, EOFError, TypeError):
            pass  # absent or damaged: parse the font
    value = parse()
    if entry is not None:
        try:
            cache.write_file(entry, marshal.dumps(pack(value)), prefix)
        except OSError:
            pass
    return value


_CMAP_SUFFIX = "-v1.marshal"


def _cmap_runs(cmap: frozenset[int]) -> tuple[int, ...]:
    """The code points as (first, last) runs, flattened: a few hundred ints, not thousands."""
    runs: list[int] = []
    for c in sorted(cmap):
        if runs and runs[-1] == c - 1:
            runs[-1] = c
        else:
            runs += (c, c)
    return tuple(runs)


def _cmap_from_runs(runs: object) -> frozenset[int]:
    if not isinstance(runs, tuple) or len(runs) % 2 or not all(type(c) is int for c in runs):
        raise ValueError("not a cmap cache entry")
    return frozenset(itertools.chain.from_iterable(
        range(first, last + 1) for first, last in zip(runs[::2], runs[1::2], strict=True)))


def _parse_cmap(font: bytes) -> set[int]:
    return {c for c, glyph in _cmap_glyphs(font).items() if glyph}


def _cmap_glyphs(font: bytes) -> dict[int, int]:
    """Code point to glyph id (0: none), from the font's cmap (formats 4 and 12)."""
    cmap_at = _table(font, b"cmap")
    if cmap_at is None:
        return {}
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
    return {}


def _table(font: bytes, name: bytes) -> int | None:
    """Where a table of a TrueType font starts, if it has one."""
    for i in range(struct.unpack_from(">H", font, 4)[0]):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", font, 12 + 16 * i)
        if tag == name:
            return int(offset)
    return None


def _cmap_format12(font: bytes, at: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", font, at + 12)[0]
    out: dict[int, int] = {}
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", font, at + 16 + 12 * i)
        out.update((c, glyph + (c - start)) for c in range(start, end + 1))
    return out


def _cmap_format4(font: bytes, at: int) -> dict[int, int]:
    seg_count = struct.unpack_from(">H", font, at + 6)[0] // 2
    ends_at = at + 14
    starts_at = ends_at + 2 * seg_count + 2
    deltas_at = starts_at + 2 * seg_count
    ranges_at = deltas_at + 2 * seg_count
    out: dict[int, int] = {}
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
            out[c] = glyph
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


def _drawn_of(chars: set[str], cmap: frozenset[int]) -> set[str]:
    """The characters _drawable finds the face draws: with Raqm, those in its cmap and the
    invisible ones, checked in that order (most characters are in it)."""
    if _has_raqm():
        return {ch for ch in chars if ord(ch) in cmap or _invisible(ch)}
    return {ch for ch in chars if _drawable(ch, cmap)}


def _choose(text: str, fonts: Sequence[str], role: str) -> _Piece | None:
    """The piece as it can be drawn (in the first font that covers it), or None."""
    # Control characters never print; format controls (ZWJ, bidi marks) only mean something
    # to Raqm's shaping, and the basic layout would draw them as boxes.
    dropped = ("Cc", "Cs", "Cf") if not _has_raqm() else ("Cc", "Cs")
    # Each check is made once a distinct character: a title repeats most of its letters.
    if any(not ch.isspace() and unicodedata.category(ch) in dropped for ch in set(text)):
        text = "".join(ch for ch in text if ch.isspace() or
                       unicodedata.category(ch) not in dropped)
    text = " ".join(text.split())
    if not text:
        return None
    chars = set(text)
    for name in fonts:
        if len(_drawn_of(chars, _cmap(name))) == len(chars):
            return _Piece(text, name, role)
    chain = (fonts[0], *_available(_SCRIPT_FONTS))
    missing = chars
    for name in chain:
        missing = missing - _drawn_of(missing, _cmap(name))
    shown = chars - missing
    if shown == chars:
        return _Piece(text, chain, role)
    # No face nor the chain has every character: the one that shows the most.
    invisible = {ch for ch in chars if _invisible(ch)}
    best: tuple[int, str, str | tuple[str, ...]] | None = None
    for face, drawn in ((name, _drawn_of(chars, _cmap(name))) for name in fonts):
        kept = "".join(ch for ch in text if ch in drawn)
        score = sum(1 for ch in kept if ch not in invisible)
        if best is None or score > best[0]:
            best = (score, " ".join(kept.split()), face)
    kept = "".join(ch for ch in text if ch in shown)
    visible = sum(1 for ch in text if ch not in invisible)
    score = sum(1 for ch in kept if ch not in invisible)
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


# Japanese and Chinese line-breaking rules (kinsoku, JIS X 4051): these never begin a line...
_NO_LINE_START = frozenset("、。，．・：；？！ー」』）〕］｝〉》】〙〗ゝゞヽヾぁぃぅぇぉっゃゅょゎ"
                           "ァィゥェォッャュョヮヵヶ…‥,.:;?!)]}»”’")
# ... and these never end one.
_NO_LINE_END = frozenset("「『（〔［｛〈《【〘〖([{«“‘")


@functools.lru_cache(maxsize=256)
def _segments(text: str) -> tuple[str, ...]:
    """Break units of text: words, and single ideographs (which need no space to break), with
    closing marks, small kana and the long-vowel mark kept on the line before them and
    opening brackets kept with what follows."""
    out: list[str] = []
    for ch in text:
        if out and not ch.isspace() and not _is_wide(ch) and not _is_wide(out[-1][-1]) \
                and not out[-1].isspace():
            out[-1] += ch
        else:
            out.append(ch)
    merged: list[str] = []
    for segment in out:
        if merged and not segment.isspace() and not merged[-1].isspace() and (
                segment[0] in _NO_LINE_START or merged[-1][-1] in _NO_LINE_END):
            merged[-1] += segment
        else:
            merged.append(segment)
    return tuple(merged)  # cached: the wrap at each size tried reuses it


def _wrap(text: str, font: Any, width: float, *, split: bool,
          measure: Any = None, exact: Any = None) -> list[str] | None:
    """Greedy wrap at spaces and between ideographs. A word wider than the line is split (with
    a hyphen) when `split`, else None is returned so the caller tries a smaller size first.

    With `measure` (a cached width of one break unit), a line that is far short of the width
    by the sum of its units' widths takes the next unit without the whole line being measured;
    only lines near the width are measured exactly, and every line that ends up unmeasured is
    checked at the end (failing which the plain wrap is used): the same lines, a few
    measurements instead of one per word."""
    exact = exact or font.getlength  # a line's width (getlength, or what gives the same)
    quick = measure is not None
    unit = measure or exact
    sure = width - max(2.0, _SURE_MARGIN * width)
    space = unit(" ") if quick else 0.0
    lines: list[str] = []
    unmeasured: list[bool] = []
    line = ""
    line_w = 0.0  # width of line.rstrip(): exact, or the sum of its units' widths
    line_exact = True
    spaces = 0  # spaces at the end of `line`
    for segment in _segments(text):
        if segment.isspace():
            if line:
                line += " "
                spaces += 1
            continue
        segment_w = unit(segment)
        if segment_w <= width:
            chunks: list[tuple[str, float | None]] = [(segment, segment_w)]
        elif not split:
            return None
        else:
            chunks = [(chunk, None) for chunk in _split_long(segment, font, width)]
        for chunk, chunk_w in chunks:
            candidate = line + chunk
            if not line:  # a line's first unit always goes on it
                line, line_exact, spaces = chunk, True, 0
                line_w = chunk_w if chunk_w is not None else exact(chunk)
                continue
            if quick and chunk_w is not None and line_w + spaces * space + chunk_w <= sure:
                line, line_w, line_exact, spaces = (candidate, line_w + spaces * space + chunk_w,
                                                    False, 0)
                continue
            candidate_w = exact(candidate.rstrip())
            if candidate_w > width:
                lines.append(line.rstrip())
                unmeasured.append(not line_exact)
                line, line_exact, spaces = chunk, True, 0
                line_w = chunk_w if chunk_w is not None else exact(chunk)
            else:
                line, line_w, line_exact, spaces = candidate, candidate_w, True, 0
    if line.strip():
        lines.append(line.rstrip())
        unmeasured.append(not line_exact)
    if quick and any(exact(text_) > width
                     for text_, check in zip(lines, unmeasured, strict=True) if check):
        # the sums misjudged a line: measure all
        return _wrap(text, font, width, split=split, exact=exact)
    return lines


# How far below the width a line must be, by the sum of its units' widths, to be taken as
# fitting without measuring it: kerning and shaping across a space change a line's width by far
# less than this.
_SURE_MARGIN = 0.05


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
    face: str | tuple[str, ...]
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
    largest that fits with split words; at the smallest size, extra lines are cut.

    A size is only wrapped when the text could fit at all: the break units' widths at the
    largest size, scaled down, less a pixel a character for rounding, bound the lines needed
    from below, and each unit's width (a word too wide makes the wrap without splitting fail),
    which skips most sizes a long title cannot use without changing the choice."""
    fonts = [_truetype(piece.font, size) for size in sizes]
    units = [s for s in _segments(piece.text) if not s.isspace()]
    widths = [_width(piece.font, sizes[0], s) for s in units]
    total = sum(widths)
    glyphs = sum(len(s) for s in units)
    for split in (False, True):
        for font, size in zip(fonts, sizes):
            least = max(1, math.ceil((total * size / sizes[0] - glyphs) / _TEXT_WIDTH))
            if least > max_lines or least * size * leading > max_height:
                continue  # too long at this size however it wraps
            if not split and any(w * size / sizes[0] - len(unit) > _TEXT_WIDTH
                                 for w, unit in zip(widths, units)):
                continue  # a word wider than the line at this size, by the same bound
            lines = _wrap(piece.text, font, _TEXT_WIDTH, split=split,
                          measure=functools.partial(_width, piece.font, size),
                          exact=functools.partial(_length, piece.font, size))
            if lines is not None and len(lines) <= max_lines and (
                len(lines) * size * leading <= max_height
            ):
                return _Block(piece.font, font, lines, size, leading, fill)
    font, size = fonts[-1], sizes[-1]
    lines = _wrap(piece.text, font, _TEXT_WIDTH, split=True) or [""]
    fitting = max(1, min(max_lines, int(max_height // (size * leading))))
    if len(lines) > fitting:
        lines = lines[:fitting]
        last = lines[-1]
        while last and font.getlength(last + " …") > _TEXT_WIDTH:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return _Block(piece.font, font, lines, size, leading, fill)


@functools.lru_cache(maxsize=8192)
def _width(face: str | tuple[str, ...], size: int, text: str) -> float:
    """A break unit's width; titles share words, and CJK titles share ideographs."""
    return _length(face, size, text)


@functools.lru_cache(maxsize=256)
def _truetype(name: Any, size: int) -> Any:
    """Loaded fonts are reused: parsing a TrueType file per size per cover was a third of the time."""
    from PIL import ImageFont

    if isinstance(name, tuple):
        return _MixedFont([(_cmap(n), _truetype(n, size)) for n in name], name)
    return ImageFont.truetype(_font_source(name), size)


@functools.cache
def _available(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if resources.files("octavo").joinpath("fonts", n).is_file())


class _MixedFont:
    """Several faces as one: each character is set in the first face that has it."""

    def __init__(self, faces: list[tuple[frozenset[int], Any]],
                 names: Sequence[str] = ()) -> None:
        self.faces = faces
        self.names = {id(face): name for (_cmap, face), name in zip(faces, names)}
        """Each face's file name, by the face's id (for what is cached by name)."""

    def runs(self, text: str) -> list[tuple[Any, str]]:
        out: list[tuple[Any, str]] = []
        faces = self.faces
        cmap: frozenset[int] = frozenset()  # the current run's face's
        face = None
        start = 0
        for i, ch in enumerate(text):
            # A space stays with the run before it when that face has one (most do).
            if face is not None and ord(ch) in cmap:
                continue
            new_cmap, new_face = next(((c, f) for c, f in faces if ord(ch) in c), faces[0])
            if new_face is not face:
                if face is not None:
                    out.append((face, text[start:i]))
                face, start = new_face, i
            cmap = new_cmap
        if face is not None:
            out.append((face, text[start:]))
        return out

    def getlength(self, text: str) -> float:
        return sum(face.getlength(part) for face, part in self.runs(text))


def _sizes(largest: int, smallest: int) -> list[int]:
    out: list[int] = []
    size = float(largest)
    while size > smallest:
        out.append(round(size))
        size *= 0.92
    return [*out, smallest]


# --- what is drawn ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of text, centred: its top (ascender) at `y`, or its baseline for a mixed font."""

    text: str
    face: str | tuple[str, ...]
    size: int
    y: int
    fill: str

    @property
    def font(self) -> Any:
        return _truetype(self.face, self.size)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the ink, measured exactly (shaping can move marks and
        letters beyond any font-wide bound); cheaper than encoding what a safe guess adds.
        It is the rendered text's own box: the text is rendered once, here, and drawn from
        that (Pillow's getbbox would lay it out a second time)."""
        stamps = _stamps(self)
        return (min(x for _mask, x, _y in stamps), min(y for _mask, _x, y in stamps),
                max(x + mask.size[0] for mask, x, _y in stamps),
                max(y + mask.size[1] for mask, _x, y in stamps))

    def _runs(self) -> list[tuple[Any, str, float]]:
        return _placed_runs(self.text, self.face, self.size)

    def draw(self, draw: Any, dy: int, dx: int = 0) -> None:
        """Draw the line's coverage (255 inked) `dx` pixels left and `dy` up on an "L" canvas:
        what ImageDraw.text does, with the text rendered once (see _stamps)."""
        for mask, x, y in _stamps(self):
            draw.draw.draw_bitmap((x - dx, y - dy), mask, 255)


@dataclass(frozen=True, slots=True)
class _Rule:
    """The short rule between title and byline."""

    y: int
    fill: str

    def box(self) -> tuple[float, float, float, float]:
        return (WIDTH / 2 - _px(140) - _RULE_WIDTH, self.y - _RULE_WIDTH,
                WIDTH / 2 + _px(140) + _RULE_WIDTH, self.y + _RULE_WIDTH)

    def draw(self, draw: Any, dy: int, dx: int = 0) -> None:
        draw.line((WIDTH / 2 - _px(140) - dx, self.y - dy, WIDTH / 2 + _px(140) - dx,
                   self.y - dy), fill=self.fill, width=_RULE_WIDTH)


_RULE_WIDTH = _px(6)
_FRAME_INSET = _px(72)


@functools.lru_cache(maxsize=64)
def _stamps(line: _Line) -> tuple[tuple[Any, int, int], ...]:
    """The line rendered as coverage masks (one a run of a mixed line), each with where its
    top left sits on the page: rendered once for the line's box and for drawing it. As in
    ImageDraw.text, a mask is rendered at the fractional part of its position; lines sit on
    whole pixels and bands start on whole cells, so it is the same mask in any band."""
    out: list[tuple[Any, int, int]] = []
    if isinstance(line.font, _MixedFont):
        names = line.font.names
        pieces = []
        for face, part, x in line._runs():
            # (A face unnamed here is one of a font since dropped from _truetype's cache.)
            name = names.get(id(face))
            if name is None or (glyphs := _run_glyphs(name, line.size, part, x, line.y)) is None:
                pieces.append((face, part, x, "ls"))
            else:
                out += glyphs
    elif (glyphs := _composed(line)) is not None:
        return glyphs
    else:
        pieces = [(line.font, line.text, WIDTH / 2, "ma")]
    for font, text, x, anchor in pieces:
        mask, (left, top) = font.getmask2(text, "L", anchor=anchor, start=(math.modf(x)[0], 0.0))
        out.append((mask, int(x) + left, line.y + top))
    return tuple(out)


# --- lines from cached glyphs ---------------------------------------------------------------------
#
# Rendering a line costs FreeType a hinted load and a rasterisation of every glyph (twice over, in
# Pillow), while a cover's lines are made of a few dozen distinct letters. Pillow places each
# glyph's bitmap, rendered at the origin, at the pixel PIXEL(pen + offset) (26.6 fixed point,
# rounded half up), the pen moving by the layout's advances; so a line that needs no shaping is
# its glyphs' masks placed at the cumulative advances and kerning. Those come from getlength:
# one glyph's advance, and a pair's length less its glyphs' is the kerning between them, both
# cached. Only lines of simple scripts, without combining marks and without ligatures, are set
# this way; the rest are rendered whole. Where two glyphs' anti-aliased edges overlap, Pillow
# blends them within the line's mask and this draws one over the other: the same to within one
# level of coverage (tests/writers/test_cover.py compares the two on many titles). The runs of a
# mixed line are set so too (see _run_glyphs), but only where no two glyphs' boxes meet, as
# these lines were always rendered by Pillow: there the pixels must be Pillow's exactly.


def _script(ch: str) -> int:
    """The script a character of a simple line belongs to, for Raqm's splitting of the text
    into runs (no kerning across a run's end): 1 Latin, 2 Greek, 3 Cyrillic, 4 Armenian, 0 for
    what goes with any (spaces, digits, punctuation), -1 for anything else (which, like a
    combining mark, format control or right-to-left letter, needs Pillow's own rendering)."""
    code = ord(ch)
    if code < 0x0250:
        if unicodedata.category(ch)[0] == "C":
            return -1
        return 1 if ch.isalpha() else 0
    if 0x0370 <= code < 0x0400:
        return 2 if unicodedata.category(ch)[0] not in "MC" else -1
    if 0x0400 <= code < 0x0530:
        return 3 if unicodedata.category(ch)[0] not in "MC" else -1
    if 0x0530 <= code < 0x0590:
        return 4 if unicodedata.category(ch)[0] not in "MC" else -1
    if 0x2010 <= code <= 0x205E or 0x20A0 <= code <= 0x20C0:
        return 0 if unicodedata.category(ch)[0] not in "MC" else -1
    return -1


_script_of = functools.lru_cache(maxsize=4096)(_script)


def _composed(line: _Line) -> tuple[tuple[Any, int, int], ...] | None:
    """The line's stamps (a cropped mask per inked glyph, and its top left on the page) set
    from cached glyphs, or None if the line needs Pillow's own rendering."""
    if not isinstance(line.face, str) or (pens := _pens(line.face, line.size, line.text)) is None:
        return None
    face, size, text = line.face, line.size, line.text
    # Anchor "ma" at the page's centre (a whole pixel): the origin is PIXEL(length / 2) to the
    # left, and the ascender above the baseline (what bounding_box_and_anchors does).
    origin_x = WIDTH // 2 - ((pens[-1] // 2 + 32) >> 6)
    baseline = line.y + _truetype(face, size).font.ascent
    out = []
    for ch, at in zip(text, pens, strict=False):
        glyph = _glyph(face, size, ch)
        if glyph is not None:
            mask, left, top = glyph
            out.append((mask, origin_x + ((at + 32) >> 6) + left, baseline + top))
    return tuple(out) if out else None


def _run_glyphs(face: str, size: int, text: str, x: float,
                y: int) -> list[tuple[Any, int, int]] | None:
    """A run of a mixed line, starting at `x` on the baseline `y`, set from cached glyphs as
    getmask2 renders it (anchor "ls", from the fractional part of x): each glyph's bitmap at
    PIXEL(round(64 * that part) + pen). The pens are the advances (and kerning) of a run that
    needs no shaping, or of a face that shapes nothing (no positioning, and substitutions
    only for vertical text: CJK in Droid Sans Fallback). None when the run needs Pillow's own
    rendering, or when two glyphs' boxes meet: some Pillow versions blend a mask's
    overlapping glyphs by their maximum, not as drawing them one over the other does (apart
    from that it is the same pixels; tests/writers/test_cover.py compares the two)."""
    if not _unshaped(face):
        pens = _pens(face, size, text)
    elif all(map(_plain_of, text)):
        pens = list(itertools.accumulate(_advances(face, size, text), initial=0))
    else:
        pens = None
    if pens is None:
        return None
    start = math.floor(x % 1 * 64 + 0.5)  # what Pillow's C round() makes of it (x > 0)
    base = int(x)
    out = []
    right = -math.inf  # of the glyphs so far
    for ch, at in zip(text, pens, strict=False):
        if (glyph := _glyph(face, size, ch)) is not None:
            mask, left, top = glyph
            at_x = base + ((start + at + 32) >> 6) + left
            if at_x < right:
                return None
            right = max(right, at_x + mask.size[0])
            out.append((mask, at_x, y + top))
    return out


@functools.lru_cache(maxsize=4096)
def _plain_of(ch: str) -> bool:
    """Whether the character is drawn as its own glyph by a face that shapes nothing (not a
    combining mark, which normalisation may fold into the letter before it, nor a control)."""
    return unicodedata.category(ch)[0] not in "MC"


@functools.cache
def _unshaped(face: str) -> bool:
    """Whether the face's layout is its glyphs' advances alone: no GPOS lookups, and GSUB
    features only for vertical text."""
    font = _font_bytes(face)
    gpos, gsub = _table(font, b"GPOS"), _table(font, b"GSUB")
    if gpos is not None:
        lookups = gpos + struct.unpack_from(">H", font, gpos + 8)[0]
        if struct.unpack_from(">H", font, lookups)[0]:
            return False
    if gsub is not None:
        features = gsub + struct.unpack_from(">H", font, gsub + 6)[0]
        for i in range(struct.unpack_from(">H", font, features)[0]):
            if struct.unpack_from(">4s", font, features + 2 + 6 * i)[0] not in _VERTICAL:
                return False
    return True


_VERTICAL = frozenset((b"vert", b"vrt2", b"vkrn", b"vpal", b"vhal", b"valt"))


def _pens(face: str, size: int, text: str) -> list[int] | None:
    """Where each glyph of a line that needs no shaping starts, and then where the line
    ends (its length, as getlength measures it), in 64ths of a pixel; None for other lines."""
    if (steps := _steps(face, size, text)) is None:
        return None
    advances, kerns = steps
    advances[:-1] = map(int.__add__, advances[:-1], kerns)
    return list(itertools.accumulate(advances, initial=0))


def _steps(face: str, size: int, text: str) -> tuple[list[int], list[int]] | None:
    """The advances of a line that needs no shaping and the kerning between its glyphs, in
    64ths of a pixel (their sum is its length: measuring needs no more); None for other
    lines."""
    scripts = set(map(_script_of, text))
    scripts.discard(0)
    if not text or len(scripts) > 1 or -1 in scripts:
        return None  # shaping, or runs of different scripts
    advances, kerning = _metrics(face, size)
    try:
        steps = list(map(advances.__getitem__, text))
    except KeyError:  # a glyph not measured at this size yet
        steps = [advances[ch] if ch in advances else _advance(face, size, ch) for ch in text]
    try:
        kerns = list(map(kerning.__getitem__, map(str.__add__, text, text[1:])))
    except KeyError:
        kerns = [kerning[pair] if pair in kerning else _kerning(face, size, pair)
                 for pair in map(str.__add__, text, text[1:])]
    if None in kerns:
        return None  # a ligature: Pillow draws the pair as one glyph
    return steps, kerns  # type: ignore[return-value]


@functools.lru_cache(maxsize=256)
def _metrics(face: str, size: int) -> tuple[dict[str, int], dict[str, int | None]]:
    """The advances and kerning of a face at a size measured so far (filled by _advance and
    _kerning): looked up directly, as a line's worth of cached calls is itself a cost."""
    return {}, {}


def _length(face: str | tuple[str, ...], size: int, text: str) -> float:
    """What getlength gives for the text: summed from cached advances and kerning when the
    text needs no shaping (titles share letter pairs far more than words or lines), or from
    cached advances alone in a face that shapes nothing; a mixed font's, run by run."""
    if isinstance(face, tuple):
        font = _truetype(face, size)
        return float(sum(_length(font.names[id(run_face)], size, part)
                         for run_face, part in font.runs(text)))
    if (steps := _steps(face, size, text)) is not None:
        return (sum(steps[0]) + sum(steps[1])) / 64
    if _unshaped(face) and all(map(_plain_of, text)):
        return sum(_advances(face, size, text)) / 64
    return float(_truetype(face, size).getlength(text))


def _advances(face: str, size: int, text: str) -> list[int]:
    """Each character's advance, in 64ths of a pixel (looked up directly when measured)."""
    advances = _metrics(face, size)[0]
    try:
        return list(map(advances.__getitem__, text))
    except KeyError:
        return [_advance(face, size, ch) for ch in text]


def _advance(face: str, size: int, ch: str) -> int:
    """A glyph's advance, in 64ths of a pixel."""
    advances = _metrics(face, size)[0]
    if (advance := advances.get(ch)) is None:
        advance = advances[ch] = int(_truetype(face, size).font.getlength(ch, "L"))
    return advance


def _kerning(face: str, size: int, pair: str) -> int | None:
    """What the layout moves the pair's second glyph by (64ths of a pixel), or None when the
    pair forms a ligature.

    Most pairs do not kern (98% of a news corpus's), and measuring one costs a layout, at
    every size a title is tried at. Raqm's kerning is the font's (GPOS) value in font units
    scaled to 64ths of a pixel (HarfBuzz rounds to the nearest), not to whole pixels: from
    upem / 64 pixels up a font unit of kerning is a 64th or more, so a pair found not to kern
    at one such size does not kern at any (checked against Pillow in
    tests/writers/test_cover.py)."""
    kerning = _metrics(face, size)[1]
    if pair not in kerning:
        if _ligature(face, pair):
            kerning[pair] = None
        elif pair in (flat := _unkerned(face)).pairs and size >= flat.smallest:
            kerning[pair] = 0
        else:
            measured = int(_truetype(face, size).font.getlength(pair, "L"))
            value = kerning[pair] = (measured - _advance(face, size, pair[0])
                                     - _advance(face, size, pair[1]))
            if value == 0 and size >= flat.smallest:
                flat.pairs.add(pair)
    return kerning[pair]


@dataclass(frozen=True, slots=True)
class _Unkerned:
    """Character pairs found not to kern in a face, at any size from `smallest` (pixels) up."""

    smallest: float
    pairs: set[str] = field(default_factory=set)


@functools.cache
def _unkerned(face: str) -> _Unkerned:
    """The face's pairs found not to kern so far; `smallest` is an impossible size when the
    layout is not Raqm's (FreeType's basic kerning is rounded to whole pixels)."""
    font = _font_bytes(face)
    head = _table(font, b"head")
    # _truetype's fonts use Pillow's default layout: Raqm's whenever Pillow has it.
    smallest = struct.unpack_from(">H", font, head + 18)[0] / 64 \
        if _has_raqm() and head is not None else math.inf
    return _Unkerned(smallest)


def _ligature(face: str, pair: str) -> bool:
    """Whether the face may set the pair as (the start of) a ligature."""
    return pair in _ligature_pairs(face)


@functools.cache
def _ligature_pairs(face: str) -> frozenset[str]:
    """The character pairs that begin a ligature in any of the face's GSUB ligature lookups,
    whichever feature uses them: a superset of what the layout joins, which is all that
    matters (such a line is rendered whole). (Not measurable otherwise: DejaVu Sans's "fi" is
    as wide as "f" and "i".) Reading the font and its cmap and GSUB for this cost a cover
    ~10 ms at every start, so the pairs are kept in the disk cache, as _cmap's code points."""
    return _cached("liga", face, lambda: _parse_ligature_pairs(face), lambda pairs: pairs,
                   _checked_pairs)


def _checked_pairs(pairs: Any) -> frozenset[str]:
    if type(pairs) is not frozenset or not all(type(p) is str for p in pairs):
        raise TypeError("not a set of character pairs")
    return pairs


def _parse_ligature_pairs(face: str) -> frozenset[str]:
    font = _font_bytes(face)
    gsub = _table(font, b"GSUB")
    if gsub is None:
        return frozenset()
    chars: dict[int, list[str]] = {}
    for code, glyph in _cmap_glyphs(font).items():
        chars.setdefault(glyph, []).append(chr(code))
    u16 = functools.partial(struct.unpack_from, ">H", font)
    lookups = gsub + u16(gsub + 8)[0]
    optional = _optional_lookups(font, gsub)
    pairs: set[str] = set()
    for i in range(u16(lookups)[0]):
        if i in optional:
            continue
        lookup = lookups + u16(lookups + 2 + 2 * i)[0]
        kind = u16(lookup)[0]
        for j in range(u16(lookup + 4)[0]):
            table = lookup + u16(lookup + 6 + 2 * j)[0]
            if kind == 7:  # an extension: the real subtable is further on
                kind_ = u16(table + 2)[0]
                table += struct.unpack_from(">I", font, table + 4)[0]
            else:
                kind_ = kind
            if kind_ != 4 or u16(table)[0] != 1:
                continue
            firsts = _coverage(font, table + u16(table + 2)[0])
            for first, k in zip(firsts, range(u16(table + 4)[0])):
                ligature_set = table + u16(table + 6 + 2 * k)[0]
                for m in range(u16(ligature_set)[0]):
                    ligature = ligature_set + u16(ligature_set + 2 + 2 * m)[0]
                    if u16(ligature + 2)[0] < 2:
                        continue
                    second = u16(ligature + 4)[0]
                    pairs.update(a + b for a in chars.get(first, ()) for b in chars.get(second, ()))
    return frozenset(pairs)


def _optional_lookups(font: bytes, gsub: int) -> set[int]:
    """The GSUB lookups only features that are off unless asked for use ("dlig": DejaVu's
    "st" ligature); a lookup no feature names (one a contextual lookup calls) is not among them."""
    features = gsub + struct.unpack_from(">H", font, gsub + 6)[0]
    uses: dict[int, set[bool]] = {}
    for i in range(struct.unpack_from(">H", font, features)[0]):
        tag, offset = struct.unpack_from(">4sH", font, features + 2 + 6 * i)
        feature = features + offset
        count = struct.unpack_from(">H", font, feature + 2)[0]
        for lookup in struct.unpack_from(f">{count}H", font, feature + 4):
            uses.setdefault(lookup, set()).add(tag in _OPTIONAL_FEATURES or tag[:2] == b"ss")
    return {lookup for lookup, optional in uses.items() if optional == {True}}


# Features HarfBuzz leaves off by default (the stylistic sets, ss01..ss20, too).
_OPTIONAL_FEATURES = frozenset((b"dlig", b"hlig", b"salt", b"swsh", b"cswh", b"titl", b"smcp",
                                b"c2sc", b"case", b"frac", b"sups", b"subs", b"ordn", b"zero",
                                b"aalt", b"onum", b"lnum", b"pnum", b"tnum", b"hist", b"nalt",
                                b"ornm", b"sinf", b"dnom", b"numr", b"pcap", b"c2pc", b"unic"))


def _coverage(font: bytes, at: int) -> list[int]:
    """An OpenType coverage table's glyphs, in coverage order."""
    kind, count = struct.unpack_from(">HH", font, at)
    if kind == 1:
        return list(struct.unpack_from(f">{count}H", font, at + 4))
    glyphs: list[int] = []
    for i in range(count):
        start, end, _index = struct.unpack_from(">HHH", font, at + 4 + 6 * i)
        glyphs += range(start, end + 1)
    return glyphs


@functools.lru_cache(maxsize=8192)
def _glyph(face: str, size: int, ch: str) -> tuple[Any, int, int] | None:
    """A glyph's coverage cropped to its ink, and the ink's top left from the pen's origin on
    the baseline; None for a glyph without ink (a space)."""
    mask, (left, top) = _truetype(face, size).getmask2(ch, "L", anchor="ls")
    box = mask.getbbox()
    if box is None:
        return None
    return mask.crop(box), left + box[0], top + box[1]


@functools.lru_cache(maxsize=64)
def _placed_runs(text: str, face: tuple[str, ...], size: int) -> list[tuple[Any, str, float]]:
    """A centred mixed line's runs, each with its face and where it starts."""
    mixed = _truetype(face, size)
    runs = [(font, part, _length(mixed.names[id(font)], size, part))
            for font, part in mixed.runs(text)]
    x = WIDTH / 2 - sum(length for _font, _part, length in runs) / 2
    out = []
    for font, part, length in runs:
        out.append((font, part, x))
        x += length
    return out


def _lines(block: _Block, top: float) -> list[_Line]:
    """The block's lines centred from `top` down."""
    out = []
    mixed = isinstance(block.font, _MixedFont)
    for i, line in enumerate(block.lines):
        y = top + i * block.size * block.leading
        # A mixed line is set on one baseline shared by every face. Whole pixels: a line drawn
        # into a band sits at y - band top, and Pillow's sub-pixel phase for a negative
        # fraction differs from a positive one, which would change the band's pixels.
        out.append(_Line(line, block.face, block.size,
                         round(y + block.size * 0.92 if mixed else y), block.fill))
    return out


def _layout(title: _Block | None, byline: _Block | None, publisher: _Block | None,
            accent: str) -> list[_Line | _Rule]:
    """Title, rule and byline form one group, centred a little above the middle of the page;
    the publisher sits near the foot."""
    marks: list[_Line | _Rule] = []
    rule_gap = _px(80)
    group = (title.height if title else 0) + 2 * rule_gap + (byline.height if byline else 0)
    y = max(float(_px(300)), HEIGHT * 0.42 - group / 2)
    if title is not None:
        marks += _lines(title, y)
        y += title.height
    y += rule_gap - _px(20)
    if title is not None or byline is not None:
        marks.append(_Rule(round(y), accent))
    y += rule_gap + _px(20)
    if byline is not None:
        marks += _lines(byline, y)
    if publisher is not None:
        marks += _lines(publisher, HEIGHT - _px(210) - publisher.height)
    return marks


def _palette_of(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8", "replace")).digest()[:4],
                          "big") % len(_PALETTES)


def render_cover(*, title: str, authors: str, publisher: str | None, seed: str) -> Cover:
    """Draw the cover; `authors` is the byline as it should read, `seed` picks the colours."""
    palette = _palette_of(seed)
    marks, shown = _compose(title, authors, publisher, palette)
    global _splicing
    if _splicing:
        try:
            data, deflated = _encode(palette, marks)
            return Cover(data, MEDIA_TYPE, shown, deflated)
        except _SpliceError:  # a Pillow without restart markers: draw pages whole from now on
            _splicing = False
    return Cover(encode_whole(palette, marks), MEDIA_TYPE, shown)


_splicing = True


def _compose(title: str, authors: str, publisher: str | None,
             palette: int) -> tuple[list[_Line | _Rule], tuple[str, ...]]:
    """What the cover shows, laid out: the marks to draw, and the texts they show."""
    _background, ink, accent = _PALETTES[palette]
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
    return _layout(title_block, byline_block, publisher_block, accent), tuple(shown)


# --- encoding: only the cells that differ from the blank page -------------------------------------
#
# JPEG encoding is most of a cover's cost, and most of a cover is the same blank page. With a
# restart marker after every 7 MCUs (nine "cells" of 112 x 16 pixels to an MCU row), each
# cell's entropy-coded data stands alone (the DC predictors reset), so the blank page's cells
# are encoded once per palette and kept; a cover encodes only the cells its text touches in each
# band of rows (see _encoded_bands; _band encodes a band's whole rectangle) and splices them in.
# With the same quality and the standard Huffman tables, a cell is byte for byte the cell of the
# whole page encoded at once (chroma is averaged within each MCU, and a band starts on an even
# chroma column; the page's right edge, the only partial MCU, is only ever encoded as that
# edge); tests/writers/test_cover.py checks this, so the result is an ordinary baseline JPEG.
# The markers cost ~4% of the size.

_MCU = 16  # 4:2:0 chroma subsampling: an MCU is 16 x 16 pixels
_ROWS = HEIGHT // _MCU  # HEIGHT is a multiple of 16: no partial row at the foot
_INTERVAL = 7  # MCUs between restart markers: 63 MCUs a row (the last one partial) make 9 cells
_CELL = _INTERVAL * _MCU
_CELLS = -(-WIDTH // _MCU) // _INTERVAL
assert _CELLS * _INTERVAL == -(-WIDTH // _MCU), "a row must be whole cells"
_RESTART = re.compile(rb"\xff[\xd0-\xd7]")
_SOF0 = b"\xff\xc0"
_BAND_CACHE_SIZE = 64


class _SpliceError(ValueError):
    """The encoder's output is not laid out as splicing needs."""


def _page(palette: int, top: int, height: int) -> Any:
    """Rows top .. top + height of the blank page: background and a thin inset frame (a
    printed-book feel without competing with the type)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, height), _PALETTES[palette][0])
    _frame(ImageDraw.Draw(image), palette, top)
    return image


def _frame(draw: Any, palette: int, top: int, left: int = 0) -> None:
    accent = _PALETTES[palette][2]
    draw.rectangle((_FRAME_INSET - left, _FRAME_INSET - top, WIDTH - _FRAME_INSET - left,
                    HEIGHT - _FRAME_INSET - top), outline=accent, width=_px(6))


def _draw(palette: int, top: int, height: int, marks: Sequence[_Line | _Rule],
          left: int = 0, width: int = WIDTH) -> Any:
    """The part of the page from (left, top), width x height, with the marks drawn on it.

    Blending anti-aliased text onto an RGB image is most of Pillow's drawing time, so text in
    the ink colour is drawn as coverage (0-255) on a one-channel canvas, which a palette
    ramping from the background to the ink turns into RGB; the frame and rules (solid) are
    drawn on the result, and text in any other colour (the publisher's accent) is blended on
    last. Each pixel depends only on the marks, not on which part is drawn, so a band is the
    same pixels as the whole page (encode_whole draws the page this way)."""
    from PIL import Image, ImageDraw

    background, ink, _accent = _PALETTES[palette]
    lines = [mark for mark in marks if isinstance(mark, _Line)]
    if any(line.fill == ink for line in lines):
        coverage = Image.new("L", (width, height))
        pen = ImageDraw.Draw(coverage)
        for line in lines:
            if line.fill == ink:
                line.draw(pen, top, left)
        coverage.putpalette(_ramp(background, ink))
        image = coverage.convert("RGB")
    else:
        image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    _frame(draw, palette, top, left)
    for mark in marks:
        if isinstance(mark, _Rule):
            mark.draw(draw, top, left)
    for fill in dict.fromkeys(line.fill for line in lines if line.fill != ink):
        coverage = Image.new("L", (width, height))
        pen = ImageDraw.Draw(coverage)
        for line in lines:
            if line.fill == fill:
                line.draw(pen, top, left)
        image.paste(fill, (0, 0), coverage)
    return image


@functools.cache
def _ramp(background: str, ink: str) -> bytes:
    """A palette whose entry i is the background covered i/255 by the ink."""
    from PIL import ImageColor

    ground, colour = ImageColor.getrgb(background), ImageColor.getrgb(ink)
    return bytes(round((g * (255 - i) + c * i) / 255)
                 for i in range(256) for g, c in zip(ground, colour))


class _JpegBuffer(io.BytesIO):
    """A buffer named like a JPEG file. Pillow then chooses the format by the name and imports
    only its JPEG plugin; given format="JPEG" it imports five plugins first (~10 ms)."""

    name = "cover.jpg"


def _jpeg(image: Any) -> bytes:
    out = _JpegBuffer()
    # No `optimize`: per-image Huffman tables would stop rows from being spliced, and it doubles
    # the encoding time. Settings must stay identical for the page and its bands.
    image.save(out, quality=_JPEG_QUALITY, subsampling="4:2:0", progressive=False,
               restart_marker_blocks=_INTERVAL)
    return out.getvalue()


def _split(jpeg: bytes, cells: int) -> tuple[bytes, bytes, list[bytes]]:
    """(header up to and with SOS, the header without its SOF segment, each cell's data)."""
    sos = jpeg.index(b"\xff\xda")
    scan_at = sos + 2 + struct.unpack_from(">H", jpeg, sos + 2)[0]
    header = jpeg[:scan_at]
    sof = header.index(_SOF0)
    tables = header[:sof] + header[sof + 2 + struct.unpack_from(">H", header, sof + 2)[0]:]
    if not jpeg.endswith(b"\xff\xd9"):
        raise _SpliceError("unexpected JPEG layout from Pillow")
    segments = _RESTART.split(jpeg[scan_at:-2])
    if len(segments) != cells:
        raise _SpliceError("unexpected JPEG restart layout from Pillow")
    return header, tables, segments


def _marker(cell: int) -> bytes:
    """What follows a cell's data (cells numbered across the page in reading order): the next
    restart marker (RST0..RST7 in turn), or EOI after the last."""
    return b"\xff\xd9" if cell == _ROWS * _CELLS - 1 else bytes((0xFF, 0xD0 + cell % 8))


_MARKERS = tuple(_marker(cell) for cell in range(_ROWS * _CELLS))


def _deflate(data: bytes) -> bytes:
    """A raw deflate piece that ends on a byte boundary without ending the stream, so pieces
    compressed apart can be put one after another."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


def _stored(data: bytes) -> bytes:
    """Raw deflate stored blocks (no compression) holding `data`."""
    return b"".join(struct.pack("<BHH", 0, len(part), len(part) ^ 0xFFFF) + part
                    for part in (data[i:i + 0xFFFF] for i in range(0, len(data), 0xFFFF)))


_DEFLATE_END = zlib.compressobj(6, zlib.DEFLATED, -15).flush()  # an empty final block


@dataclass(frozen=True, slots=True)
class _Blank:
    """The blank page of a palette, encoded once: the JPEG header, its tables (to check a
    band's against), and each cell's data with the marker after it, in reading order."""

    header: bytes
    tables: bytes
    cells: tuple[bytes, ...]
    header_deflated: bytes


@functools.cache
def _blank(palette: int) -> _Blank:
    """The palette's blank page: from the disk cache when it is there (encoding it costs ~60 ms
    at every start), else encoded and stored for the next process."""
    path = _blank_cache_path(palette)
    if path is not None:
        try:
            return _blank_from_bytes(path.read_bytes())
        except (OSError, ValueError, struct.error):
            pass  # absent or unreadable: encode it anew
    header, tables, cells = _split(_jpeg(_page(palette, 0, HEIGHT)), _ROWS * _CELLS)
    blank = _Blank(header, tables, tuple(cell + _marker(i) for i, cell in enumerate(cells)),
                   _deflate(header))
    if path is not None:
        try:
            cache.write_file(path, _blank_to_bytes(blank), path.name.rsplit("-", 1)[0] + "-")
        except OSError:
            pass  # a read-only cache folder only costs the encoding next time
    return blank


def _blank_cache_path(palette: int) -> Path | None:
    """The cache entry of a palette's blank page, named after everything its bytes depend on:
    octavo's version, Pillow's and libjpeg's, and the page's design (colours, size, quality)."""
    import PIL
    from PIL import features

    from octavo import __version__

    try:
        jpeg_version = features.version("jpg")
    except Exception:  # noqa: BLE001 (an odd Pillow build: just do without the cache)
        return None
    design = repr((_BLANK_FORMAT, __version__, PIL.__version__, jpeg_version, _PALETTES[palette],
                   WIDTH, HEIGHT, _FRAME_INSET, _px(6), _JPEG_QUALITY, _MCU, _INTERVAL))
    digest = hashlib.blake2b(design.encode(), digest_size=8).hexdigest()
    return cache.folder() / f"cover-blank{palette}-{digest}.bin"


_BLANK_FORMAT = b"octavo-blank-2"


def _blank_to_bytes(blank: _Blank) -> bytes:
    parts = (blank.header, blank.tables, blank.header_deflated, *blank.cells)
    return b"".join((_BLANK_FORMAT, struct.pack(f">{len(parts)}I", *map(len, parts)), *parts))


def _blank_from_bytes(data: bytes) -> _Blank:
    """Parse a cache entry; ValueError if it is not one whole entry of this layout."""
    count = 3 + _ROWS * _CELLS
    if not data.startswith(_BLANK_FORMAT):
        raise ValueError("not a blank-page cache entry")
    at = len(_BLANK_FORMAT) + 4 * count
    parts = []
    for size in struct.unpack_from(f">{count}I", data, len(_BLANK_FORMAT)):
        parts.append(data[at:at + size])
        at += size
    if at != len(data) or not parts[0].startswith(b"\xff\xd8"):
        raise ValueError("truncated blank-page cache entry")
    return _Blank(parts[0], parts[1], tuple(parts[3:]), parts[2])


@functools.lru_cache(maxsize=512)
def _blank_run(palette: int, first: int, last: int) -> bytes:
    """Blank rows first .. last, deflated. They are most of a cover's bytes and, being alike,
    deflate to almost nothing together; kept deflated (covers of a batch share the same few
    runs), they give the ZIP that saving without deflating each cover. A band's rows, which
    deflate by a sixth at best, are stored."""
    return _deflate(b"".join(_blank(palette).cells[first * _CELLS:(last + 1) * _CELLS]))


_bands: dict[tuple[Any, ...], bytes] = {}
_bands_lock = threading.Lock()


def _band(palette: int, first: int, last: int, columns: tuple[int, int],
          marks: Sequence[_Line | _Rule]) -> bytes:
    """Rows first .. last (inclusive) with the marks drawn on them, encoded whole (with their
    markers): the cells of `columns` (first, last) drawn and encoded, the others the blank
    page's. Bands repeat across a batch (one publisher's name, a byline), so the last few are
    kept."""
    key = (palette, first, last, *marks)
    with _bands_lock:
        if (cached := _bands.get(key)) is not None:
            return cached
    blank = _blank(palette)
    low, high = columns
    left = low * _CELL
    right = WIDTH if high == _CELLS - 1 else (high + 1) * _CELL
    image = _draw(palette, first * _MCU, (last - first + 1) * _MCU, marks, left, right - left)
    across = high - low + 1
    _header, tables, cells = _split(_jpeg(image), (last - first + 1) * across)
    if tables != blank.tables:
        raise _SpliceError("JPEG tables differ between the page and a band")
    rows = []
    for row in range(first, last + 1):
        at = row * _CELLS
        drawn = cells[(row - first) * across:(row - first + 1) * across]
        rows.append(b"".join((*blank.cells[at:at + low],
                              *map(bytes.__add__, drawn, _MARKERS[at + low:at + high + 1]),
                              *blank.cells[at + high + 1:at + _CELLS])))
    result = b"".join(rows)
    _keep_band(key, result)
    return result


_Band = tuple[int, int, tuple[int, int], list[_Line | _Rule]]


def _bands_of(marks: Sequence[_Line | _Rule]) -> list[_Band]:
    """Runs of MCU rows that marks touch, each with the cells (first, last) across they touch
    and its marks in their order. Marks a few blank rows apart share a band: encoding a blank
    row costs far less than encoding one more band (a fixed ~0.2 ms), and the gaps between a
    title's lines are one to three rows."""
    spans = []
    for order, mark in enumerate(marks):
        left, low, right, high = mark.box()
        # Two pixels of slack for hinting and sub-pixel placement.
        first = max(0, int((low - 2) // _MCU))
        last = min(_ROWS - 1, int((high + 2) // _MCU))
        columns = (max(0, int((left - 2) // _CELL)), min(_CELLS - 1, int((right + 2) // _CELL)))
        spans.append((first, last, columns, order))
    spans.sort()
    runs: list[tuple[int, int, tuple[int, int], list[int]]] = []
    for first, last, (low, high), order in spans:
        if runs and first <= runs[-1][1] + 1 + _BAND_GAP:
            prev_first, prev_last, (prev_low, prev_high), group = runs[-1]
            runs[-1] = (prev_first, max(prev_last, last), (min(prev_low, low),
                        max(prev_high, high)), [*group, order])
        else:
            runs.append((first, last, (low, high), [order]))
    return [(first, last, columns, [marks[i] for i in sorted(group)])
            for first, last, columns, group in runs]


_BAND_GAP = 3


# --- encoding only the touched cells --------------------------------------------------------------
#
# A band's rectangle spans its widest line from its top row to its bottom one, yet four in ten of
# its cells are touched by no glyph (above and below the letters of a short line, between lines,
# beside the rule). As each cell's data stands alone, only the touched cells are encoded: in each
# row from the first touched cell to the last (gaps within a row are rare), rows alike grouped into
# rectangles ("pieces"), and the pieces of every band of a cover not in the cache copied side by
# into one image with no gap (see _laid; rows of a piece may be parted, as a cell's data stands
# alone) and encoded together: 142 cells a cover on the news corpus instead of 225 (and of 159 with
# the pieces kept whole on shelves, padding and all). Each cell is byte for byte the page's
# (a piece starts on a whole cell, so on an even chroma column, and no cell of the packed image is
# a partial MCU: the right edge's cells are only ever encoded by _band). A band of ink-coloured
# lines and rules away from the frame (most) is drawn as coverage only and its pieces coloured in
# the packed image (see _drawn), which also spares colouring its rectangle's unused cells.

_Cells = tuple[int, int, int, int, int]  # (band, first row, last row, first cell, last cell)


def _pieces(band: int, first: int, last: int, columns: tuple[int, int],
            marks: Sequence[_Line | _Rule]) -> list[_Cells] | None:
    """Rectangles of the band's cells, within `columns`, that hold every pixel the marks may
    change (a line only its masks', a rule its box with slack, as in _bands_of); None when
    the columns reach the page's right edge (a partial MCU, which _band encodes)."""
    low, high = columns
    if high == _CELLS - 1:
        return None
    masks = [0] * (last - first + 1)  # per row, a bit per touched cell
    window = (2 << high) - (1 << low)
    for mark in marks:
        if isinstance(mark, _Rule):
            left, top, right, bottom = mark.box()
            spans: Any = _touched_by(math.floor(left) - 2, math.floor(top) - 2,
                                     math.ceil(right) + 2, math.ceil(bottom) + 2)
        else:
            spans = _touched(mark)
        for top, bottom, bits in spans:
            bits &= window
            for row in range(max(first, top), min(last, bottom) + 1):
                masks[row - first] |= bits
    pieces: list[_Cells] = []
    for row, mask in enumerate(masks, first):
        if mask:
            start, end = (mask & -mask).bit_length() - 1, mask.bit_length() - 1
            if pieces and pieces[-1][2] == row - 1 and pieces[-1][3:] == (start, end):
                pieces[-1] = (band, pieces[-1][1], row, start, end)
            else:
                pieces.append((band, row, row, start, end))
    return pieces


@functools.lru_cache(maxsize=64)
def _touched(line: _Line) -> tuple[tuple[int, int, int], ...]:
    """The cells the line's masks touch: (first row, last row, a bit per cell across), the
    masks over the same rows (most of a line's glyphs) merged."""
    spans: dict[tuple[int, int], int] = {}
    for mask, x, y in _stamps(line):
        width, height = mask.size
        if width > 0 and height > 0:  # as _touched_by, inline: a line has dozens of masks
            key = (y // _MCU, (y + height - 1) // _MCU)
            spans[key] = spans.get(key, 0) | \
                (2 << ((x + width - 1) // _CELL)) - (1 << (x // _CELL))
    return tuple((top, bottom, bits) for (top, bottom), bits in spans.items())


def _touched_by(left: int, top: int, right: int, bottom: int) -> tuple[tuple[int, int, int], ...]:
    """The cells a box of pixels touches, as _touched gives them (none for an empty box)."""
    if right <= left or bottom <= top:
        return ()
    return ((top // _MCU, (bottom - 1) // _MCU,
             (2 << ((right - 1) // _CELL)) - (1 << (left // _CELL))),)


@dataclass(frozen=True, slots=True)
class _Drawn:
    """A band's rectangle drawn: the page's colours, or (`coverage`) only its ink lines'
    coverage, whose pieces are turned to colour in the packed image (a quarter of the memory
    to write and copy, and no colouring of cells not encoded), with the rules' pixels
    (page coordinates, and colour) painted on after."""

    image: Any
    coverage: bool
    rules: tuple[tuple[tuple[int, int, int, int], tuple[int, int, int]], ...] = ()


def _drawn(palette: int, first: int, last: int, columns: tuple[int, int],
           marks: Sequence[_Line | _Rule], pieces: Sequence[_Cells]) -> _Drawn:
    """The band's rectangle as _draw draws it, or as the coverage of its lines when that gives
    the same pixels in every piece: all its lines in the ink colour (the accent's are blended
    on in _draw), no piece near the frame, and each rule a solid rectangle of pixels."""
    low, high = columns
    top, height, left, width = first * _MCU, (last - first + 1) * _MCU, low * _CELL, \
        (high - low + 1) * _CELL
    ink = _PALETTES[palette][1]
    rules = []
    plain = all(_FRAME_CLEAR[0] <= start * _CELL and (end + 1) * _CELL <= _FRAME_CLEAR[2]
                and _FRAME_CLEAR[1] <= row * _MCU and (last_row + 1) * _MCU <= _FRAME_CLEAR[3]
                for _i, row, last_row, start, end in pieces)
    for mark in marks:
        if not plain:
            break
        if isinstance(mark, _Rule):
            pixels = _rule_pixels(mark.y)
            plain = pixels is not None
            rules.append((pixels, _rgb(mark.fill)))
        else:
            plain = mark.fill == ink
    if not plain:
        return _Drawn(_draw(palette, top, height, marks, left, width), False)
    from PIL import Image

    coverage = Image.new("L", (width, height))
    _draw_coverage(coverage, [mark for mark in marks if isinstance(mark, _Line)], top, left)
    return _Drawn(coverage, True, tuple(rules))  # type: ignore[arg-type]


def _draw_coverage(canvas: Any, lines: Sequence[_Line], dy: int, dx: int) -> None:
    """Draw the lines on a blank "L" canvas as _Line.draw does, `dx` left and `dy` up. Where
    the canvas is still blank, blending full ink in by a mask's coverage gives that coverage
    exactly, so a mask that meets nothing drawn before is copied (a seventh of blending's
    time for a title's glyph); one that may meet ink drawn before is blended. A mask is taken
    to meet nothing when it starts right of every mask of its line before it and below every
    mask of the lines before."""
    from PIL import ImageDraw

    paste = canvas.im.paste
    pen = None
    floor = -math.inf  # the bottom of the masks of the lines drawn so far
    for line in lines:
        right = -math.inf  # of the masks of this line so far
        bottom = floor
        for mask, x, y in _stamps(line):
            width, height = mask.size
            x -= dx
            y -= dy
            if x >= right and y >= floor:
                paste(mask, (x, y, x + width, y + height))
            else:
                if pen is None:
                    pen = ImageDraw.Draw(canvas).draw
                pen.draw_bitmap((x, y), mask, 255)
            right = max(right, x + width)
            bottom = max(bottom, y + height)
        floor = bottom


@functools.cache
def _rgb(colour: str) -> tuple[int, int, int]:
    """A colour as Image.paste takes it, parsed once (parsing was two thirds of a rule's paste)."""
    from PIL import ImageColor

    return ImageColor.getrgb(colour)[:3]  # type: ignore[return-value]


# Pixels inside this box (left, top, right, bottom) are clear of the frame, with slack.
_FRAME_CLEAR = (_FRAME_INSET + _px(6) + 2, _FRAME_INSET + _px(6) + 2,
                WIDTH - _FRAME_INSET - _px(6) - 2, HEIGHT - _FRAME_INSET - _px(6) - 2)


@functools.lru_cache(maxsize=256)
def _rule_pixels(y: int) -> tuple[int, int, int, int] | None:
    """The pixels (left, top, right, bottom; page coordinates) _Rule.draw sets for a rule at
    `y`, if they are exactly a solid rectangle (else None): drawn as a band draws it, on a
    canvas starting on a whole cell row, and checked."""
    from PIL import Image, ImageDraw

    top = max(0, (y - 2 * _RULE_WIDTH) // _MCU * _MCU)
    canvas = Image.new("L", (WIDTH, 4 * _RULE_WIDTH + 2 * _MCU))
    _Rule(y, "#ffffff").draw(ImageDraw.Draw(canvas), top)
    box = canvas.getbbox()
    if box is None or canvas.crop(box).getextrema() != (255, 255) or box[1] == 0 or \
            box[3] >= canvas.height:
        return None
    return box[0], box[1] + top, box[2], box[3] + top


def _encoded_bands(palette: int, bands: Sequence[_Band]) -> list[bytes]:
    """Each band's rows encoded with their markers, as _band gives them: from the cache, or
    drawn, with their touched cells encoded together (see above) and the rest the blank
    page's."""
    with _bands_lock:
        out = [_bands.get((palette, first, last, *group)) for first, last, _c, group in bands]
    pieces: list[_Cells] = []
    images: dict[int, _Drawn] = {}
    for i, (first, last, columns, group) in enumerate(bands):
        if out[i] is not None:
            continue
        if (touched := _pieces(i, first, last, columns, group)) is None:
            out[i] = _band(palette, first, last, columns, group)
            continue
        images[i] = _drawn(palette, first, last, columns, group, touched)
        pieces += touched
    if images:
        # Each band's cells as slots in reading order, two a cell: the blank page's cell with
        # its marker and an empty one, until the cell's encoded data and its marker replace
        # them; joined once (no bytes made per cell, nor per row).
        blank_slots = _blank_slots(palette)
        slots = {i: list(blank_slots[2 * bands[i][0] * _CELLS:2 * (bands[i][1] + 1) * _CELLS])
                 for i in images}
        if pieces:
            data, across, placed = _encode_pieces(palette, pieces, bands, images)
            for (i, first, last, start, end), top, left in placed:
                band_slots = slots[i]
                at = top * across + left
                width = end - start + 1
                cell = first * _CELLS + start  # on the page
                slot = 2 * (cell - bands[i][0] * _CELLS)
                for _row in range(first, last + 1):
                    band_slots[slot:slot + 2 * width:2] = data[at:at + width]
                    band_slots[slot + 1:slot + 2 * width:2] = _MARKERS[cell:cell + width]
                    at += across
                    cell += _CELLS
                    slot += 2 * _CELLS
        for i, band_slots in slots.items():
            first, last, _columns, group = bands[i]
            out[i] = b"".join(band_slots)
            _keep_band((palette, first, last, *group), out[i])
    return out  # type: ignore[return-value]


def _blank_slots(palette: int) -> tuple[bytes, ...]:
    """The blank page's cells with their markers, each followed by an empty slot (see
    _encoded_bands); kept with the page they come from, which tests may encode anew."""
    blank = _blank(palette)
    kept = _blank_slots_kept.get(palette)
    if kept is None or kept[0] is not blank:
        slots = [b""] * (2 * len(blank.cells))
        slots[::2] = blank.cells
        kept = _blank_slots_kept[palette] = (blank, tuple(slots))
    return kept[1]


_blank_slots_kept: dict[int, tuple[_Blank, tuple[bytes, ...]]] = {}


def _encode_pieces(palette: int, pieces: Sequence[_Cells], bands: Sequence[_Band],
                   images: dict[int, _Drawn]) -> tuple[list[bytes], int,
                                                       list[tuple[_Cells, int, int]]]:
    """The pieces of the bands' drawn images laid into one image and encoded: each cell's data
    in reading order, the cells across, and each part of a piece placed (a piece, or one row
    of it, or a part of that row) with its top row and left cell there."""
    from PIL import Image

    placed, across, height = _laid(pieces)
    size = (across * _CELL, height * _MCU)
    # Each band's drawn rectangle, and where on the page its top left pixel is.
    sources = {i: (drawn.image.im, bands[i][2][0] * _CELL, bands[i][0] * _MCU)
               for i, drawn in images.items()}
    packed = None
    for coverage in (True, False):  # the coverage pieces, turned to colour, then the rest
        parts = [part for part in placed if images[part[0][0]].coverage == coverage]
        if not parts:
            continue
        if packed is None:
            packed = Image.new("L" if coverage else "RGB", size)
        paste = packed.im.paste
        for (i, first, last, start, end), top, left in parts:
            source, page_x, page_y = sources[i]
            x, y = start * _CELL - page_x, first * _MCU - page_y
            width, rows = (end - start + 1) * _CELL, (last - first + 1) * _MCU
            paste(source.crop((x, y, x + width, y + rows)),
                  (left * _CELL, top * _MCU, left * _CELL + width, top * _MCU + rows))
        if coverage:
            background, ink, _accent = _PALETTES[palette]
            packed.putpalette(_ramp(background, ink))
            packed = packed.convert("RGB")
            for (i, first, last, start, end), top, left in parts:
                for (x0, y0, x1, y1), fill in images[i].rules:  # clipped to the piece
                    if y1 <= first * _MCU or (last + 1) * _MCU <= y0:
                        continue  # not in the piece's rows (most pieces)
                    dx, dy = left * _CELL - start * _CELL, top * _MCU - first * _MCU
                    box = (max(x0, start * _CELL) + dx, max(y0, first * _MCU) + dy,
                           min(x1, (end + 1) * _CELL) + dx, min(y1, (last + 1) * _MCU) + dy)
                    if box[0] < box[2] and box[1] < box[3]:
                        packed.paste(fill, box)
    _header, tables, data = _split(_jpeg(packed), height * across)
    if tables != _blank(palette).tables:
        raise _SpliceError("JPEG tables differ between the page and a band")
    return data, across, placed


def _laid(pieces: Sequence[_Cells]) -> tuple[list[tuple[_Cells, int, int]], int, int]:
    """Where the pieces go in the packed image, as wide as the widest: its cells filled in
    reading order with no gap, as a cell's data does not depend on its neighbours. Pieces as
    wide as the image go first, whole; the others row by row, a row that does not fit at the
    end of a packed row going on at the start of the next. Each part placed (a piece, or a
    part of one of its rows) with its top row and left cell; the cells across; the rows."""
    across = max(end - start + 1 for _i, _first, _last, start, end in pieces)
    placed = []
    laid = 0  # cells filled, in reading order
    for piece in sorted(pieces, key=lambda p: p[3] - p[4]):  # the widest first (stable)
        i, first, last, start, end = piece
        width = end - start + 1
        if width == across:  # on a row's start: only pieces as wide were laid before
            placed.append((piece, laid // across, 0))
            laid += (last - first + 1) * across
            continue
        for row in range(first, last + 1):
            top, left = divmod(laid, across)
            fits = min(width, across - left)
            placed.append(((i, row, row, start, start + fits - 1), top, left))
            if fits < width:
                placed.append(((i, row, row, start + fits, end), top + 1, 0))
            laid += width
    return placed, across, -(-laid // across)


def _keep_band(key: tuple[Any, ...], rows: bytes) -> None:
    with _bands_lock:  # writers may run in threads (convert_many with a thread pool)
        if len(_bands) >= _BAND_CACHE_SIZE:
            del _bands[next(iter(_bands))]  # the oldest
        _bands[key] = rows




def _encode(palette: int, marks: Sequence[_Line | _Rule]) -> tuple[bytes, bytes]:
    """The cover's JPEG bytes, and the same as a raw deflate stream."""
    blank = _blank(palette)
    # In order down the page, blank rows between two (_bands_of merges bands closer than
    # that), so each band is a run of drawn rows of its own, stored as such.
    bands = _bands_of(marks)
    data = [blank.header]
    deflated = [blank.header_deflated]
    row = 0  # the first row not written yet
    for (first, last, _columns, _group), encoded in zip(bands, _encoded_bands(palette, bands),
                                                        strict=True):
        if first > row:
            data += blank.cells[row * _CELLS:first * _CELLS]
            deflated.append(_blank_run(palette, row, first - 1))
        data.append(encoded)
        deflated.append(_stored(encoded))
        row = last + 1
    if row < _ROWS:
        data += blank.cells[row * _CELLS:]
        deflated.append(_blank_run(palette, row, _ROWS - 1))
    deflated.append(_DEFLATE_END)
    return b"".join(data), b"".join(deflated)


def encode_whole(palette: int, marks: Sequence[_Line | _Rule]) -> bytes:
    """The same cover drawn and encoded in one piece (what the spliced one must equal)."""
    return _jpeg(_draw(palette, 0, HEIGHT, marks))
