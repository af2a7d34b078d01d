"""The logical text of shaped glyphs, true glyph widths and visible placeholders in PDFs.

A PDF draws glyphs, and text extractors (pdftotext, screen readers, search) read them back in
drawing order through each font's ToUnicode map. After OpenType shaping that is not the text:
the Devanagari i-sign is drawn before its consonant, a conjunct or a split vowel is a glyph
with no character of its own, a Thai mark sits on its letter with no advance and pdftotext,
sorting by position, may read it after the next letter. ISO 32000 (14.9.4) has the fix: a
marked-content span whose /ActualText gives the characters its glyphs stand for. Here each
letter with its marks whose glyphs would not read back as its characters, in order, is drawn
inside `/Span <</ActualText <FEFF...>>> BDC ... EMC`.

reportlab (5.1) has no hook for that, so this module replaces two of its functions:

- `shape_frag_word` stands in for `ttfonts.shapeFragWord`: HarfBuzz shaping as reportlab does
  it, but every glyph keeps the text it belongs to (a `_Glyph` with a `_Span`), a glyph with
  no character (given a private-use code) is recorded with the advance width of the font
  program (reportlab recorded HarfBuzz's positioned advance, in font units: veraPDF rule
  6.2.11.5-1), and a character the font lacks is shaped as a placeholder.
- `format_text` stands in for `PDFTextObject._formatText` for TrueType fonts: shaped text is
  drawn glyph by glyph as reportlab does, inside the ActualText spans; and in any text, a
  character the font has no glyph for is drawn as a placeholder (U+25A1 WHITE SQUARE, else
  U+FFFD) with the character as its ActualText, never as glyph 0 (.notdef), which PDF/A
  forbids (rules 6.2.11.7.2, 6.2.11.8). The writer still warns about such characters.

Left to right, a span covers a word's whole piece in one font and style (poppler takes a
span's extent from its first and last glyph: a span ending on a mark read as a word break).
Right to left, a span covers one letter with its marks, and only where its glyphs cannot say
it (ligatures, placeholders, mirrored brackets), not for positioned marks: poppler lays a
span's text over its glyphs left to right and then reverses right-to-left lines, so a span of
a letter and its mark would read back reversed. (Arabic marks drawn raised, like tanween,
still read back out of place with poppler: they sit on a baseline of their own.)
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from typing import Any

PLACEHOLDERS = ("\u25a1", "\ufffd")
"""Drawn, in the first of these the font has, where it has no glyph for a character."""
_installed = False

Scaled = tuple[int, float, float, float, float, int]
"""A shaped glyph: cluster, x advance, y advance, x offset, y offset (1000 per em), code."""


class _Span:
    """The text a run of glyphs stands for (a letter with its marks, or a word's piece);
    the glyphs of one span share the object, and a span is drawn around consecutive ones."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


@functools.cache
def _glyph() -> type:
    """The class of a shaped glyph: reportlab's ShapeData (a named tuple, which slicing and
    joining ShapedStr keep as it is) with the span the glyph belongs to."""
    from reportlab.pdfbase.ttfonts import ShapeData

    class _Glyph(ShapeData):  # type: ignore[misc, valid-type]
        span: _Span | None = None

    return _Glyph


_MIRRORED = 0xF0000
"""Right-to-left layout (pdf._visual_line) draws a neutral character mirrored, "(" as ")",
where HarfBuzz would not: it sends it as this plane-15 private-use code plus the character's,
and the shaper draws the mirror image with the character itself as its ActualText."""
_MIRRORS = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def mirrored(text: str) -> str:
    """Text to be drawn with its brackets and guillemets mirrored (see _MIRRORED); without
    HarfBuzz (no shaper to decode them) the mirror images themselves."""
    if not _can_shape():
        return "".join(_MIRRORS.get(ch, ch) for ch in text)
    return "".join(chr(_MIRRORED + ord(ch)) if ch in _MIRRORS else ch for ch in text)


@functools.cache
def _can_shape() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _unmirrored(text: str) -> tuple[str, str]:
    """(the characters written, the characters to draw) of a text from `mirrored`."""
    if not text or max(text) < chr(_MIRRORED):
        return text, text
    written = "".join(chr(ord(ch) - _MIRRORED) if ord(ch) >= _MIRRORED else ch for ch in text)
    drawn = "".join(_MIRRORS.get(w, w) if ord(ch) >= _MIRRORED else ch
                    for ch, w in zip(text, written, strict=True))
    return written, drawn


def placeholder(font: Any) -> str | None:
    """The placeholder character a (reportlab TrueType) font can draw, or None."""
    cover = font.face.charToGlyph
    return next((ch for ch in PLACEHOLDERS if ord(ch) in cover), None)


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc")


def _true_width(face: Any, gid: int) -> float:
    """A glyph's advance in the font program (hmtx), in PDF glyph units (1000 per em)."""
    return float(face._pdfScale(face.hmetrics[gid][0]))


def presentation_text(code: int) -> str | None:
    """The letters an Arabic or Hebrew presentation form stands for (HarfBuzz picks the glyph
    of U+FEE4 for a medial meem), for the ToUnicode map: text copied out of the PDF should
    have the letters that were written, not their contextual forms. None for other codes."""
    if 0xFB1D <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFC:
        # the spacing forms of the marks (U+FE70...) decompose to a space and the mark
        text = unicodedata.normalize("NFKC", chr(code)).lstrip(" ")
        return text if text and text != chr(code) else None
    return None


def _actual(hex_text: str) -> str:
    return f"/Span <</ActualText <FEFF{hex_text}>>> BDC"


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


# --- shaping ---------------------------------------------------------------------------------


def shape_frag_word(w: Any, features: dict[str, bool] | None = None) -> Any:
    """Shape a reportlab frag word ([width, (frag, text), ...]) with HarfBuzz.

    The contract of reportlab's `shapeFragWord`: the word itself when shaping changes nothing,
    else a ShapedFragWord whose texts are ShapedStr (glyph codes) with per-glyph data. The
    frags share one font (the caller splits words by font); their sizes may differ.
    """
    from reportlab.pdfbase import ttfonts

    if isinstance(w, ttfonts.ShapedFragWord):
        return w
    frags: list[Any] = []
    text = ""
    specials: dict[int, list[Any]] = {}
    for f, s in w[1:]:
        if hasattr(f, "cbDefn"):
            specials.setdefault(len(text), []).append(f)
            continue
        frags.extend([f] * len(s))
        text += s
    if not frags:
        return w
    from reportlab.pdfbase.pdfmetrics import getFont

    key = tuple(sorted((features or _FEATURES).items()))
    shaped = _shape(getFont(frags[0].fontName), str(text), key)
    if shaped is None:
        return w
    scaled, widths, groups, rtl = shaped
    spans: list[_Span | None] = [None] * len(scaled)
    if groups:
        scaled = list(scaled)
        pieces = [id(frags[g[0]]) for g in scaled]
        for a, b, span in _spans(groups, pieces, rtl):
            if not rtl and b > a:
                scaled[a:b + 1] = _end_last(scaled, a, b, widths)
            spans[a:b + 1] = [span] * (b - a + 1)
    Glyph = _glyph()
    word = ttfonts.makeShapedFragWord(w)([])
    total = 0.0
    current: Any = None
    glyphs: list[Any] = []
    chars: list[str] = []
    for (cluster, x_advance, y_advance, x_offset, y_offset, code), span in zip(
            scaled, spans, strict=True):
        f = frags[cluster]
        if f is not current:
            if current is not None:
                word.append((current, ttfonts.ShapedStr("".join(chars), shapeData=glyphs)))
            current, glyphs, chars = f, [], []
        g = Glyph(cluster, x_advance, y_advance, x_offset, y_offset, widths[code])
        g.span = span
        glyphs.append(g)
        chars.append(chr(code))
        total += x_advance * f.fontSize / 1000
    if current is not None:
        word.append((current, ttfonts.ShapedStr("".join(chars), shapeData=glyphs)))
    if specials:  # put links, anchors and images back where they were in the text
        placed = [((k, k), v) for k, vs in specials.items() for v in vs]
        placed += [((p[1].__shapeData__[0].cluster, p[1].__shapeData__[-1].cluster), p)
                   for p in word]
        word[:] = [item for _, item in sorted(placed, key=lambda kv: kv[0])]
    word.insert(0, total)
    return word


_FEATURES = {"kern": True, "liga": True}


@functools.lru_cache(maxsize=16384)
def _shape(ttf: Any, text: str, features: tuple[tuple[str, bool], ...]) -> tuple[
        tuple[Scaled, ...], dict[int, float], tuple[tuple[int, int, str, bool], ...], bool
] | None:
    """One word shaped in one font (reportlab reshapes a paragraph's words each time it
    wraps it): its glyphs, their widths by code, the groups of _groups, and whether it runs
    right to left; None when shaping changes nothing (or cannot be done)."""
    try:
        import uharfbuzz
    except ImportError:  # a dependency, but reportlab too works without it: set unshaped
        return None
    try:
        hb_font = ttf.hbFont(10)  # the size does not change positions in font units
    except AttributeError:  # not a TrueType font
        return None
    face = ttf.face
    cover = face.charToGlyph
    mark = placeholder(ttf)
    text, drawn = _unmirrored(text)
    if mark and not all(ord(ch) in cover or _invisible(ch) for ch in set(drawn)):
        drawn = "".join(ch if ord(ch) in cover or _invisible(ch) else mark for ch in drawn)

    buf = uharfbuzz.Buffer()
    buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(drawn)
    if drawn != text:  # placeholders have no script: take the direction the text has
        probe = uharfbuzz.Buffer()
        probe.add_str(text)
        probe.guess_segment_properties()
        buf.direction = probe.direction
    buf.guess_segment_properties()
    uharfbuzz.shape(hb_font, buf, dict(features))
    infos, positions = buf.glyph_infos, buf.glyph_positions
    rtl = buf.direction == "rtl"

    codes: list[int] = []
    for info in infos:
        gid = info.codepoint
        chars = face.glyphToChar.get(gid)
        if chars:
            codes.append(chars[0])
            continue
        width = _true_width(face, gid)
        code = ttf.hbAddPrivate(hb_font.glyph_to_string(gid), gid, width)
        face.charWidths[code] = width  # also when reportlab's own shaper added it first
        codes.append(code)
    scale = ttf.pdfScale
    scaled = tuple((info.cluster, scale(pos.x_advance), scale(pos.y_advance),
                    scale(pos.x_offset), scale(pos.y_offset), code)
                   for info, pos, code in zip(infos, positions, codes, strict=True))
    widths = {code: face.charWidths.get(code, face.defaultWidth) for code in codes}
    if drawn == text and "".join(map(chr, codes)) == text and not any(
            g[3] or g[4] or abs(g[1] - widths[g[5]]) > 1e-6 for g in scaled):
        return None
    marks = [bool(g[3] or g[4] or not g[1]) for g in scaled]
    groups = _groups(text, drawn, [g[0] for g in scaled], codes, marks, rtl)
    return scaled, widths, tuple(groups), rtl


def _heads(text: str, clusters: Any) -> list[int]:
    """Cluster starts that begin a base character (a combining mark joins the one before)."""
    starts = sorted(set(clusters))
    return [c for k, c in enumerate(starts)
            if k == 0 or not unicodedata.category(text[c]).startswith("M")]


def _groups(text: str, drawn: str, clusters: list[int], codes: list[int], marks: list[bool],
            rtl: bool) -> list[tuple[int, int, str, bool]]:
    """The glyphs as (first, last index, text, whether a span is needed) groups, in drawing
    order; none when every glyph reads back as its character, in order.

    A group is a base character with its combining marks (HarfBuzz gives each mark a cluster
    of its own here), widened until its glyphs are consecutive in drawing order. It needs a
    span where its glyphs' characters differ from its text (a reordered vowel sign, a
    ligature, a placeholder), or, left to right, where a mark is positioned onto its base
    (with no advance of its own, pdftotext may read it after the next letter).
    """
    if not clusters or (text == drawn and not any(marks) and len(codes) == len(text)
                        and "".join(map(chr, codes[::-1] if rtl else codes)) == text):
        return []  # the common case: one glyph per character, in order
    starts = sorted(set(clusters))
    heads = _heads(text, clusters)
    head_of: dict[int, int] = {}
    h = 0
    for c in starts:
        while h + 1 < len(heads) and heads[h + 1] <= c:
            h += 1
        head_of[c] = h
    # each group's glyphs, as a range of drawing positions; ranges that interleave are merged
    lo: dict[int, int] = {}
    hi: dict[int, int] = {}
    for i, c in enumerate(clusters):
        g = head_of[c]
        lo.setdefault(g, i)
        hi[g] = i
    merged: list[tuple[int, int, list[int]]] = []
    for g in sorted(lo, key=lo.__getitem__):
        if merged and lo[g] <= merged[-1][1]:
            a, b, groups = merged[-1]
            merged[-1] = (a, max(b, hi[g]), groups + [g])
        else:
            merged.append((lo[g], hi[g], [g]))

    def part(of: str, g: int) -> str:
        return of[heads[g]:heads[g + 1] if g + 1 < len(heads) else len(text)]

    out = []
    for a, b, groups in merged:
        source = "".join(part(text, g) for g in sorted(groups))
        shown = "".join(part(drawn, g) for g in sorted(groups))
        glyphs = range(a, b + 1)
        read = "".join(presentation_text(codes[i]) or chr(codes[i])
                       for i in (reversed(glyphs) if rtl else glyphs))
        needs = read != source or shown != source or (not rtl and any(marks[i] for i in glyphs))
        out.append((a, b, source, needs))
    return out


def _spans(groups: list[tuple[int, int, str, bool]], pieces: list[int],
           rtl: bool) -> list[tuple[int, int, _Span]]:
    """The spans to draw, as (first, last glyph, span).

    Right to left, each group that needs one (see the module doc). Left to right, one span
    over all the glyphs of a word's piece in one font and style, where any group needs one:
    poppler takes a span to end where its last glyph ends, and a span ending on a mark (with
    no advance) would read as a word break before the next letter.
    """
    if rtl:
        return [(a, b, _Span(source)) for a, b, source, needs in groups if needs]
    out: list[tuple[int, int, _Span]] = []
    k = 0
    while k < len(groups):
        j = k
        while j + 1 < len(groups) and pieces[groups[j + 1][0]] == pieces[groups[k][0]]:
            j += 1
        run = groups[k:j + 1]
        if any(needs for *_, needs in run):
            out.append((run[0][0], run[-1][1], _Span("".join(g[2] for g in run))))
        k = j + 1
    return out


def _end_last(glyphs: list[Scaled], a: int, b: int, widths: dict[int, float]) -> list[Scaled]:
    """glyphs[a:b+1] (one span) reordered so that the glyph reaching furthest right is drawn
    last, at the same places: poppler takes a span's extent from its first and last glyphs."""
    pen, placed = 0.0, []
    for i in range(a, b + 1):
        g = glyphs[i]
        placed.append((g, pen + g[3], pen + g[3] + widths[g[5]]))
        pen += g[1]
    far = max(range(len(placed)), key=lambda i: placed[i][2])
    if far == len(placed) - 1:
        return glyphs[a:b + 1]
    placed.append(placed.pop(far))
    # every glyph drawn from the span's start (no advance) but the last, which advances it all
    last = len(placed) - 1
    return [(g[0], pen if i == last else 0.0, g[2], x, g[4], g[5])
            for i, (g, x, _) in enumerate(placed)]


# --- drawing ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _chars(face: Any) -> frozenset[str]:
    """The characters a font face maps to glyphs (for a quick subset test per text)."""
    return frozenset(chr(c) for c in face.charToGlyph)


def format_text(original: Any, tx: Any, text: str) -> str:
    """PDFTextObject._formatText with ActualText spans and placeholders (see the module doc)."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import ShapedStr

    font = getFont(tx._fontname)
    if not getattr(font, "_dynamicFont", False):
        return str(original(tx, text))
    if font.shapable and isinstance(text, ShapedStr):
        return _shaped(tx, font, text)
    if set(text) <= _chars(font.face) or placeholder(font) is None:
        return str(original(tx, text))
    return _with_placeholders(original, tx, font, text)


def _set_subset(tx: Any, font: Any, subset: int, out: list[str]) -> None:
    from reportlab.lib.rl_accel import fp_str

    if subset != tx._curSubset:
        name = font.getSubsetInternalName(subset, tx._canvas._doc)
        out.append(f"{name} {fp_str(tx._fontsize)} Tf {fp_str(tx._leading)} TL")
        tx._curSubset = subset


def _tj(items: list[Any], escape: Any) -> str:
    """A TJ (or Tj) operator from glyph bytes and adjustments (in thousandths of an em)."""
    from reportlab.lib.rl_accel import fp_str

    parts: list[str] = []
    glyphs = bytearray()
    move = 0.0
    for item in items:
        if isinstance(item, bytes):
            if abs(move) > 1e-9:
                if glyphs:
                    parts.append(f"({escape(bytes(glyphs))})")
                    glyphs.clear()
                parts.append(fp_str(move))
            move = 0.0
            glyphs += item
        else:
            move += item
    if glyphs:
        parts.append(f"({escape(bytes(glyphs))})")
    if abs(move) > 1e-9:
        parts.append(fp_str(move))
    if len(parts) == 1 and parts[0].startswith("("):
        return f"{parts[0]} Tj"
    return f"[{' '.join(parts)}] TJ"


def _shaped(tx: Any, font: Any, text: Any) -> str:
    """Shaped glyphs, positioned as reportlab positions them, each cluster that needs it
    inside an ActualText span."""
    from reportlab.lib.rl_accel import fp_str

    canv = tx._canvas
    out: list[str] = []
    data = text.__shapeData__
    size = tx._fontsize
    base_rise = rise = tx._rise
    pending: list[Any] = []
    open_span: _Span | None = None
    k = 0

    def flush() -> None:
        if pending:
            out.append(_tj(pending, canv._escape))
            pending.clear()

    for subset, chunk in font.splitString(text, canv._doc):
        if subset != tx._curSubset:
            flush()
            _set_subset(tx, font, subset, out)
        for code in chunk:
            sd = data[k]
            k += 1
            span = getattr(sd, "span", None)
            if span is not open_span:
                flush()
                if open_span is not None:
                    out.append("EMC")
                if span is not None:
                    out.append(_actual(_hex(span.text)))
                open_span = span
            r = base_rise + size * sd.y_offset / 1000
            if r != rise:
                flush()
                out.append(f"{fp_str(r)} Ts")
                rise = r
            # reportlab's placement: HarfBuzz's offset, the glyph, then the difference between
            # the advance the PDF will apply (the glyph's width) and HarfBuzz's advance
            pending.extend((-sd.x_offset, bytes((code,)), sd.width - sd.x_advance + sd.x_offset))
    flush()
    if open_span is not None:
        out.append("EMC")
    if rise != base_rise:
        out.append(f"{fp_str(base_rise)} Ts")
    return " ".join(out)


def _with_placeholders(original: Any, tx: Any, font: Any, text: str) -> str:
    """Unshaped text with characters the font lacks: the placeholder glyph, squeezed or
    stretched to the width the line was measured with, inside an ActualText span; an
    invisible character the font lacks (a space, a control) is only the gap it measured."""
    from reportlab.lib.rl_accel import fp_str

    chars = _chars(font.face)
    mark = placeholder(font)
    assert mark is not None
    face = font.face
    mark_width = face.charWidths[ord(mark)]
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in chars:
            continue
        if start < i:
            out.append(str(original(tx, text[start:i])))
        start = i + 1
        measured = face.charWidths.get(ord(ch), face.defaultWidth)
        if _invisible(ch):
            out.append(f"[{fp_str(-measured)}] TJ")
            continue
        ((subset, code),) = font.splitString(mark, tx._canvas._doc)
        _set_subset(tx, font, subset, out)
        # Tz (horizontal scaling) fits the box to the measured width; octavo sets no other Tz
        scale = 100 * measured / mark_width if mark_width else 100
        out.append(_actual(_hex(ch)))
        out.append(f"{fp_str(scale)} Tz {_tj([code], tx._canvas._escape)} 100 Tz")
        out.append("EMC")
    if start < len(text):
        out.append(str(original(tx, text[start:])))
    return " ".join(out)


def install() -> None:
    """Draw through format_text from now on (once per process)."""
    global _installed
    if _installed:
        return
    from reportlab.pdfgen.textobject import PDFTextObject

    original = PDFTextObject._formatText

    def _format_text(self: Any, text: str) -> str:
        return format_text(original, self, text)

    PDFTextObject._formatText = _format_text
    _install_fast_split()
    _installed = True


_fast_split_installed = False


def install_fast_split() -> None:
    """The quick TTFont.splitString (below), once per process, without the drawing hook.

    The PDF writer installs it for every document: plain Latin text is most of what is drawn,
    and reportlab's per-character loop was ~5% of a PDF's time."""
    _install_fast_split()


def _install_fast_split() -> None:
    """TTFont.splitString with a quick path for text whose characters all have codes already.

    reportlab maps each character to its subset and code in a Python loop, for every piece of
    every line drawn. Once all of a text's characters are in subset 0 (most Latin text), the
    answer is one str.translate: the same bytes, from each (font, document) state's own table
    of the characters reportlab already gave a code below 256. Codes never change once given,
    and characters without one (new, or in a later subset) take reportlab's own loop.
    """
    global _fast_split_installed
    if _fast_split_installed:
        return
    from reportlab.pdfbase.ttfonts import TTFont

    original = TTFont.splitString

    def split_string(self: Any, text: Any, doc: Any, encoding: str = "utf-8") -> Any:
        state = self.state.get(doc)
        if state is not None and type(text) is str:
            known = state.__dict__.get("_octavo_codes")
            if known is not None and known[1].issuperset(text):
                return [(0, text.translate(known[0]).encode("latin-1"))] if text else []
        result = original(self, text, doc, encoding)
        state = self.state.get(doc)
        if state is not None:
            _learn_codes(state)
        return result

    split_string.original = original  # type: ignore[attr-defined]  # for the tests
    TTFont.splitString = split_string
    _fast_split_installed = True


def _learn_codes(state: Any) -> None:
    """Bring a font state's table of subset-0 codes up to date with its assignments (a dict
    that only grows, in order: only the entries added since the last call are read)."""
    known = state.__dict__.get("_octavo_codes")
    if known is None:
        known = state._octavo_codes = ({}, set(), [0])
    codes, ready, seen = known
    assignments = state.assignments
    if len(assignments) == seen[0]:
        return
    for code, n in itertools.islice(assignments.items(), seen[0], None):
        if n < 256:
            codes[code] = n
            ready.add(chr(code))
            if code == 32:  # reportlab sets a no-break space as a space
                codes[0xA0] = n
                ready.add("\u00a0")
    seen[0] = len(assignments)
