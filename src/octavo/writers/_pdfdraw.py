"""Drawing paragraphs: reportlab's page content, written with less machinery.

Most of a PDF's text is paragraphs whose lines are already frag lines (`blPara.kind == 1`:
octavo's own line builder in pdf.py, reportlab's breakLines, the CJK splitter), each a list of
frags of plain text; headings and captions in one font are lines of words (`kind == 0`).
reportlab's `Paragraph.drawPara` draws each line through `_justifyDrawParaLineX` (or its left,
centre and right siblings) and `_putFragLine`, which measures every frag and keeps book of
links, underlines, background colours and images, and `PDFTextObject._formatText`, which looks
the font up and splits the text into subsets for every frag: a fifth of a PDF's time. Here
the same operators are written directly: the same strings, in the same order, into the same
text object (so its own methods still do the rare steps: a colour, a rise, a cursor move).

The quick text is a frag in a TrueType font whose characters the font has and that all have
(or are now given) codes in subset 0, as the table `_actualtext`'s quick splitString keeps per
font and document says. Anything else (shaped text with ActualText, placeholders, later
subsets, Type 1 fonts, a font's first text in a document) is drawn by the text object's own
`_textOut`, whichever `_formatText` is installed. A paragraph with anything `_putFragLine`
draws besides text (links, underline and strike lines, background colours, images,
callbacks), a bullet, a border or background, end dots, automatic leading between lines of
frags, right-to-left word order or the debug frame is drawn by reportlab itself.
"""

from __future__ import annotations

import functools
from typing import Any

_installed = False


def install() -> None:
    """Draw paragraphs through `draw` from now on (once per process)."""
    global _installed
    if _installed:
        return
    from reportlab.platypus.paragraph import Paragraph

    original = Paragraph.drawPara

    def draw_para(self: Any, debug: int = 0) -> None:
        if debug or not draw(self):
            original(self, debug)

    draw_para.original = original  # type: ignore[attr-defined]  # for the tests
    Paragraph.drawPara = draw_para
    _installed = True


def supported(para: Any) -> bool:
    """Whether `draw` writes this (wrapped) paragraph as reportlab's drawPara would."""
    bl_para = para.blPara
    kind = bl_para.kind
    if kind not in (0, 1) or not bl_para.lines or para.bulletText:
        return False
    style = para.style
    if (style.backColor or (getattr(style, "borderColor", None)
                            and getattr(style, "borderWidth", None))
            or style.wordWrap == "RTL" or style.alignment not in (0, 1, 2, 4)):
        return False
    if kind == 0:  # one frag: reportlab draws neither its rise nor its background
        return not (getattr(bl_para, "us_lines", None) or getattr(bl_para, "link", None))
    if (getattr(style, "endDots", None)
            or getattr(para, "autoLeading", getattr(style, "autoLeading", "")) in ("min", "max")):
        return False
    for line in bl_para.lines:
        for f in line.words:
            if (hasattr(f, "cbDefn") or f.us_lines or f.link
                    or getattr(f, "backColor", None)):
                return False
    return True


class _Font:
    """What drawing text in one font needs, looked up once per document (the font's state
    in it, its table of codes and its subset's name are made once and then only grow)."""

    __slots__ = ("chars", "codes", "font", "name", "quick", "state")

    def __init__(self, font_name: str) -> None:
        from reportlab.pdfbase.pdfmetrics import getFont

        from octavo.writers._actualtext import _chars

        font = self.font = getFont(font_name)
        self.quick = bool(getattr(font, "_dynamicFont", False)) and hasattr(font, "face")
        self.chars: frozenset[str] = _chars(font.face) if self.quick else frozenset()
        self.state: Any = None
        self.codes: Any = None
        self.name: str | None = None

    def encoded(self, text: str, doc: Any) -> bytes | None:
        """The text's codes, all in subset 0, as reportlab's splitString gives them (giving
        codes to its new characters first); None where that is not the whole answer (another
        subset, a character the font lacks, no state or code table yet): reportlab decides."""
        codes = self.codes
        if codes is None:
            # the table comes with the font's state in the document, made by reportlab's
            # splitString: until then that is left to make it
            self.state = self.font.state.get(doc)
            if self.state is None:
                return None
            codes = self.codes = self.state.__dict__.get("_octavo_codes")
            if codes is None:
                return None
        if not codes[1].issuperset(text):
            if not self.chars.issuperset(text):
                return None
            self.learn(text, doc)
            if not codes[1].issuperset(text):
                return None
        elif not self.chars.issuperset(text):
            return None
        return text.translate(codes[0]).encode("latin-1")

    def learn(self, text: str, doc: Any) -> None:
        """Give the text's new characters their codes as reportlab's splitString would give
        them in passing: it assigns codes only to characters without one (and in the font),
        in the order they first appear, U+00A0 as the space; the state it changes depends on
        nothing else. Only those characters go through its per-character loop here."""
        assignments = self.state.assignments
        new = [ch for ch in dict.fromkeys(text.replace("\xa0", " "))
               if ord(ch) not in assignments]
        if new:
            self.font.splitString("".join(new), doc)  # octavo's: it updates the table


def draw(para: Any) -> bool:
    """Draw a paragraph as reportlab's drawPara draws it, if `supported`; whether it did."""
    if not supported(para):
        return False
    fp_str, rl_paragraph = _reportlab()
    canvas = para.canv
    style = para.style
    bl_para = para.blPara
    lines = bl_para.lines
    n_lines = len(lines)
    offsets = getattr(para, "_offsets", [0])
    offsets += (n_lines - len(offsets)) * [offsets[-1]]  # in place, as reportlab does
    canvas.saveState()
    alignment = style.alignment
    offset = style.firstLineIndent + offsets[0]
    lim = n_lines - 1
    no_justify_last = not getattr(para, "_JustifyLast", False)
    jllwc = style.justifyLastLine
    first = bl_para if bl_para.kind == 0 else lines[0]
    if rl_paragraph.paraFontSizeHeightOffset:
        cur_y = para.height - first.fontSize
    else:
        cur_y = para.height - getattr(first, "ascent", first.fontSize)
    preformatted = "preformatted" in para.__class__.__name__.lower()
    if bl_para.kind == 0:
        canvas.setFillColor(bl_para.textColor)
    tx = para.beginText(style.leftIndent, cur_y)
    tx.preformatted = preformatted
    state = _State(tx, style.leading, fp_str)
    if bl_para.kind == 0:
        leading = style.leading
        auto = getattr(para, "autoLeading", getattr(style, "autoLeading", ""))
        if auto == "max":
            leading = max(leading, bl_para.ascent - bl_para.descent)
        elif auto == "min":
            leading = bl_para.ascent - bl_para.descent
        wrap = style.wordWrap
        tx.direction = wrap + "-handled" if wrap in ("LTR", "RTL") else wrap
        tx.setFont(bl_para.fontName, bl_para.fontSize, leading)
        state.font = state.font_of(bl_para.fontName)
        for i, (extra, words) in enumerate(lines):
            last = no_justify_last and i == lim
            if last and jllwc and len(words) > jllwc:
                last = False
            state.words(alignment, offset if i == 0 else offsets[i], extra, words, last,
                        preformatted)
    else:
        tx.direction = style.wordWrap
        tx._leading = None
        tx._fontname, tx._fontsize = None, None
        for i, line in enumerate(lines):
            last = no_justify_last and i == lim
            if last and jllwc and line.wordCount > jllwc:
                last = False
            state.line(alignment, offset if i == 0 else offsets[i], line, last)
    canvas.drawText(tx)
    canvas.restoreState()
    return True


@functools.cache
def _reportlab() -> tuple[Any, Any]:
    from reportlab.lib.rl_accel import fp_str
    from reportlab.platypus import paragraph

    return fp_str, paragraph


@functools.cache
def _registered() -> dict[str, Any]:
    """reportlab's registry of fonts by name (what getFont looks in first)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics._fonts  # type: ignore[no-any-return]


def _spaces(line: Any) -> int:
    """reportlab's count of the spaces a line's word spacing applies to."""
    return int(line.wordCount + sum([w.text.count("\xa0") for w in line.words]) - 1)


class _State:
    """The text object and what reportlab's _putFragLine keeps of it between frags."""

    __slots__ = (
        "code",
        "color",
        "doc",
        "escape",
        "font",
        "fonts",
        "fp_str",
        "leading",
        "rise",
        "tx",
    )

    def __init__(self, tx: Any, leading: float, fp_str: Any) -> None:
        self.tx = tx
        self.code: list[str] = tx._code
        self.leading = leading
        self.fp_str = fp_str
        self.escape = tx._canvas._escape
        self.doc = tx._canvas._doc
        # the fonts as this document uses them (their codes and subset names stay)
        self.fonts: dict[str, _Font] = self.doc.__dict__.setdefault("_octavo_draw_fonts", {})
        self.font: _Font | None = None
        self.color: Any = None
        self.rise: Any = 0

    def move(self, dx: float) -> None:
        """reportlab's paragraph.setXPos."""
        if dx > 1e-6 or dx < -1e-6:
            self.tx.moveCursor(dx, 0)

    def word_space(self, ws: float) -> None:
        self.code.append(f"{self.fp_str(ws)} Tw" if ws else "0 Tw")

    def font_of(self, name: str) -> _Font:
        font = self.fonts.get(name)
        if font is None or _registered().get(name) is not font.font:  # (re-registered)
            font = self.fonts[name] = _Font(name)
        return font

    def words(self, alignment: int, offset: float, extra: float, words: list[str], last: bool,
              preformatted: bool) -> None:
        """One of reportlab's _leftDrawParaLine, _centerDrawParaLine, _rightDrawParaLine and
        _justifyDrawParaLine (lines of one frag's words)."""
        text = " ".join(words)
        if alignment == 4:
            simple = preformatted or (-1e-8 < extra <= 1e-8) or (last and extra > -1e-8)
        else:
            simple = extra > -1e-8 or preformatted
        spaces = 0 if simple else len(words) + text.count("\xa0") - 1
        if alignment in (0, 4):
            self.move(offset)
            if spaces > 0:
                self.word_space(extra / float(spaces))
                self.text(text, " T*")
                self.word_space(0)
            else:
                self.text(text, " T*")
            self.move(-offset)
            return
        if spaces > 0:
            m = offset
            self.word_space(extra / float(spaces))
            self.move(m)
            self.text(text, " T*")
            self.word_space(0)
        else:
            m = offset + (0.5 * extra if alignment == 1 else extra)
            self.move(m)
            self.text(text, " T*")
        self.move(-m)

    def line(self, alignment: int, offset: float, line: Any, last: bool) -> None:
        """One of reportlab's _leftDrawParaLineX, _centerDrawParaLineX, _rightDrawParaLineX
        and _justifyDrawParaLineX, in that order of alignments (0, 1, 2, 4)."""
        extra = line.extraSpace
        if alignment == 4:
            self.move(offset)
            simple = line.lineBreak or (-1e-8 < extra <= 1e-8) or (last and extra > -1e-8)
            spaces = 0 if simple else _spaces(line)
            if spaces > 0:
                self.word_space(extra / float(spaces))
                self.frags(line)
                self.word_space(0)
            else:
                self.frags(line)
            self.move(-offset)
            return
        if alignment == 0:
            self.move(offset)
        simple = extra > -1e-8 or getattr(line, "preformatted", False)
        spaces = 0 if simple else _spaces(line)
        m = offset
        if spaces > 0:
            self.word_space(extra / float(spaces))
            self.frags(line)
            self.word_space(0)
        else:
            if alignment != 0:
                m = offset + (0.5 * extra if alignment == 1 else extra)
                self.move(m)
            self.frags(line)
        self.move(-m)

    def frags(self, line: Any) -> None:
        """reportlab's _putFragLine for frags of text only."""
        tx = self.tx
        if tx._leading != self.leading:
            tx.setLeading(self.leading)
        words = line.words
        end = words[-1] if words else None
        for f in words:
            name = f.fontName
            size = f.fontSize
            if (tx._fontname, tx._fontsize) != (name, size):
                tx._setFont(name, size)
                self.font = self.font_of(name)
            color = f.textColor
            if color is not self.color and self.color != color:
                self.color = color
                tx.setFillColor(color)
            rise = f.rise
            if self.rise != rise:
                self.rise = rise
                tx.setRise(rise)
            self.text(f.text, " T*" if f is end else "")

    def text(self, text: str, tail: str) -> None:
        """The text object's _textOut(text, tail != ""), in the current font."""
        font = self.font
        if font is not None and font.quick and type(text) is str:
            shown = font.encoded(text, self.doc) if text else \
                b"" if font.codes is not None else None
            if shown is not None:
                tx = self.tx
                if not text:
                    self.code.append(tail)
                elif tx._curSubset != 0:
                    if font.name is None:
                        font.name = font.font.getSubsetInternalName(0, self.doc)
                    fp_str = self.fp_str
                    self.code.append(f"{font.name} {fp_str(tx._fontsize)} Tf "
                                     f"{fp_str(tx._leading)} TL ({self.escape(shown)}) Tj{tail}")
                    tx._curSubset = 0
                else:
                    self.code.append(f"({self.escape(shown)}) Tj{tail}")
                return
        self.tx._textOut(text, bool(tail))
