"""Paragraphs drawn by _pdfdraw give the page content reportlab's own drawPara gives.

Each case draws the same paragraphs twice, in fresh documents: once through the quick path
and once with it turned off (reportlab's drawPara, whichever text formatting octavo has
installed), and the PDFs (uncompressed, so a difference shows in the content stream) must be
the same bytes. Cases that the quick path leaves to reportlab must still be left to it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo.model import (
    Book,
    Code,
    Emphasis,
    LineBreak,
    Strong,
    Text,
)
from octavo.options import ReadOptions, WriteOptions
from octavo.plugins import Source
from octavo.readers.text import TextReader
from octavo.typography import fonts
from octavo.writers import _actualtext, _pdfdraw, pdf
from octavo.writers.pdf import LAYOUTS, PdfWriter

FIXED = datetime(2025, 7, 13, 12, 0, tzinfo=UTC)
UDHR = Path(__file__).parents[1] / "data" / "udhr"
_LONG = ("Der oberste Militärbefehlshaber der Ukraine sagt, dass seine Truppen noch immer ein "
         "kleines Gebiet in Russland verteidigen, das sie vor fast einem Jahr erobert haben. ")

Story = Callable[[], list[Any]]


@pytest.fixture(autouse=True)
def _installed() -> None:
    pdf._import_reportlab()
    _actualtext.install_fast_split()
    _pdfdraw.install()


def renderer(language: str = "de") -> pdf._Renderer:
    for name in (fonts.SERIF, fonts.SERIF_BOLD, fonts.SERIF_ITALIC, fonts.MONO, fonts.SANS):
        fonts.register(name)
    return pdf._Renderer(LAYOUTS["a4"], language, WriteOptions(page_size="a4"), pdf._Outline(),
                         anchor="t")


def layout(story: list[Any]) -> bytes:
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    lay = LAYOUTS["a4"]
    doc = SimpleDocTemplate(out, pagesize=(lay.width, lay.height), leftMargin=lay.left,
                            rightMargin=lay.right, topMargin=20, bottomMargin=20, invariant=1,
                            pageCompression=0)
    doc.build(story)
    return out.getvalue()


class Drawn:
    """How many paragraphs the quick path drew (it is on) or was asked to draw (it is off)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, quick: bool) -> None:
        self.quick = 0
        self.other = 0
        real = _pdfdraw.draw

        def draw(para: Any) -> bool:
            if not quick:
                return False
            done = real(para)
            if done:
                self.quick += 1
            else:
                self.other += 1
            return done

        monkeypatch.setattr(_pdfdraw, "draw", draw)


def both(monkeypatch: pytest.MonkeyPatch, make: Callable[[], bytes]) -> tuple[bytes, bytes,
                                                                              Drawn]:
    """(reportlab's output, the quick path's output, what the quick path drew)."""
    with monkeypatch.context() as m:
        Drawn(m, quick=False)
        reference = make()
    with monkeypatch.context() as m:
        drawn = Drawn(m, quick=True)
        quick = make()
    return reference, quick, drawn


def content(pdf_bytes: bytes) -> list[bytes]:
    """The page content streams (uncompressed), for a readable difference."""
    return re.findall(rb"stream\r?\n(.*?)endstream", pdf_bytes, re.DOTALL)


def assert_same(reference: bytes, quick: bytes) -> None:
    assert content(quick) == content(reference)
    assert quick == reference


def check_story(monkeypatch: pytest.MonkeyPatch, story: Story) -> Drawn:
    reference, quick, drawn = both(monkeypatch, lambda: layout(story()))
    assert_same(reference, quick)
    return drawn


# --- octavo's own paragraphs ----------------------------------------------------------------


def mixed_nodes(repeat: int) -> tuple[Any, ...]:
    nodes: list[Any] = []
    for i in range(repeat):
        nodes += [Text(_LONG), Strong((Text("Überraschungsoffensive in der Region"),)),
                  Text(" und "), Emphasis((Text(f"{i}. Quadratkilometer"),)), Text(" mit "),
                  Code("print(x)"), Text(", siehe 10\u00a0km "),
                  Strong((Emphasis((Text("die Karte"),)),)), Text(". ")]
    return tuple(nodes)


@pytest.mark.parametrize("repeat", [1, 4, 15])
def test_justified_paragraphs_in_mixed_fonts(monkeypatch: pytest.MonkeyPatch,
                                             repeat: int) -> None:
    def story() -> list[Any]:
        r = renderer()
        body = r.styles["body"]
        return [r.para(mixed_nodes(repeat), body, r.lay.frame_width),
                r.para((Text(_LONG), LineBreak(), Text(_LONG * 2)), body, r.lay.frame_width),
                r.para(mixed_nodes(2), body, r.lay.frame_width)]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick >= 3 and not drawn.other


def test_a_whole_article_is_the_same_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.writers.conftest import seed_article

    def write() -> bytes:
        out = io.BytesIO()
        PdfWriter().write(Book.of(seed_article()), out, WriteOptions(modified=FIXED))
        return out.getvalue()

    reference, quick, drawn = both(monkeypatch, write)
    assert quick == reference
    assert drawn.quick > 5


@pytest.mark.parametrize("code", ["arb", "heb", "hin", "tha", "jpn", "cmn_hans", "kor",
                                  "rus", "ell_monotonic"])
def test_every_script_is_the_same_pdf(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Shaped text (ActualText spans), right-to-left lines set in visual order, CJK lines,
    characters in later font subsets: drawn as reportlab draws them."""
    languages = {"arb": "ar", "heb": "he", "hin": "hi", "tha": "th", "jpn": "ja",
                 "cmn_hans": "zh", "kor": "ko", "rus": "ru", "ell_monotonic": "el"}
    path = UDHR / f"{code}.txt"

    def write() -> bytes:
        article = TextReader().read(Source(path.read_bytes(), path.name, path),
                                    ReadOptions(language=languages[code]))
        out = io.BytesIO()
        PdfWriter().write(Book.of(article), out, WriteOptions(modified=FIXED))
        return out.getvalue()

    reference, quick, drawn = both(monkeypatch, write)
    assert quick == reference
    assert drawn.quick > 0


def test_shaped_text_keeps_its_actualtext(monkeypatch: pytest.MonkeyPatch) -> None:
    path = UDHR / "hin.txt"
    lines = path.read_text(encoding="utf-8").splitlines()

    def story() -> list[Any]:
        r = renderer("hi")
        return [r.para((Text(line),), r.styles["body"], r.lay.frame_width)
                for line in lines[:4] if line]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick > 0
    with monkeypatch.context() as m:
        Drawn(m, quick=True)
        assert b"/ActualText" in layout(story())


# --- reportlab paragraphs: alignments, indents, colours, rises ------------------------------


def style(**kw: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle

    base: dict[str, Any] = {"fontName": fonts.SERIF, "fontSize": 10, "leading": 13}
    base.update(kw)
    return ParagraphStyle("t", **base)


_MARKUP = (f'{_LONG}<b>fett gesetzt</b> und <i>kursiv</i>, <font face="{fonts.MONO}" size="8">'
           f'code(x)</font>, <font color="#336699">farbig</font> und wieder {_LONG}'
           f"10\u00a0km weit, noch einmal {_LONG}")


@pytest.mark.parametrize("alignment", [0, 1, 2, 4])
@pytest.mark.parametrize("indents", [(0, 0, 0), (12, -8, 5), (0, 20, 0)])
def test_alignments_and_indents(monkeypatch: pytest.MonkeyPatch, alignment: int,
                                indents: tuple[float, float, float]) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    left, first, right = indents
    renderer()

    def story() -> list[Any]:
        # spaces that shrink make lines a little too long: word spacing in every alignment
        st = style(alignment=alignment, leftIndent=left, firstLineIndent=first,
                   rightIndent=right, spaceShrinkage=0.3)
        return [RLParagraph(_MARKUP, st), RLParagraph(_MARKUP + "<br/>kurz<br/>" + _LONG, st),
                RLParagraph("kurz <b>und</b> fett", st),
                # one frag: reportlab's lines of words (kind 0)
                RLParagraph("10\u00a0km weit " + _LONG * 3, st), RLParagraph("kurz", st)]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick == 5


@pytest.mark.parametrize("alignment", [0, 1, 2, 4])
@pytest.mark.parametrize("kind", [0, 1])
def test_overfull_lines(monkeypatch: pytest.MonkeyPatch, alignment: int, kind: int) -> None:
    """Lines a little too long (spaces shrunk) are drawn with negative word spacing in every
    alignment; no-break spaces count as spaces."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()
    text = "10\u00a0km weit " + (_LONG * 3 if kind == 0 else _MARKUP)

    def drawn(quick: bool) -> list[str]:
        canvas = Canvas(io.BytesIO(), invariant=1)
        for y in (100, 400):
            para = RLParagraph(text, style(alignment=alignment, firstLineIndent=7,
                                           leftIndent=3))
            para.wrap(300, 1e6)
            assert para.blPara.kind == kind
            lines = para.blPara.lines
            for i in range(0, len(lines), 2):
                if kind:
                    lines[i].extraSpace = -1.5
                else:
                    lines[i] = (-1.5, lines[i][1])
            with monkeypatch.context() as m:
                counted = Drawn(m, quick)
                para.drawOn(canvas, 10, y)
            assert counted.quick == quick
        return list(canvas._code)

    reference, quick = drawn(False), drawn(True)
    assert quick == reference
    assert re.search(r"(^| )-[.\d]+ Tw ", " ".join(quick))


@pytest.mark.parametrize("justify_last", [0, 3])
def test_justified_last_lines(monkeypatch: pytest.MonkeyPatch, justify_last: int) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()

    def story() -> list[Any]:
        st = style(alignment=4, justifyLastLine=justify_last)
        return [RLParagraph(_MARKUP + " Ende <b>fett</b> hier", st),
                RLParagraph("ein <i>paar</i> Worte am Ende <b>der</b> Zeile", st)]

    assert check_story(monkeypatch, story).quick == 2


@pytest.mark.parametrize("auto", ["", "max", "min"])
def test_paragraphs_of_one_frag(monkeypatch: pytest.MonkeyPatch, auto: str) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()

    def story() -> list[Any]:
        return [RLParagraph(f'<font color="#336699" size="12">{_LONG * 2}</font>',
                            style(alignment=4, autoLeading=auto, leading=9)),
                RLParagraph(f"<b>{_LONG}</b>", style(alignment=1, autoLeading=auto,
                                                     justifyLastLine=2)),
                RLParagraph(f"<super>{_LONG}</super>", style(alignment=2)),
                RLParagraph(_LONG * 2, style(alignment=4, fontName="Helvetica"))]  # Type 1

    drawn = check_story(monkeypatch, story)
    assert drawn.quick == 4


def test_superscripts_and_subscripts(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()

    def story() -> list[Any]:
        st = style(alignment=4)
        return [RLParagraph(f"E = mc<super>2</super> und H<sub>2</sub>O, {_LONG} x<super>n"
                            f"</super><sub>i</sub> {_LONG}<super>1</super>", st)]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick == 1
    with monkeypatch.context() as m:
        Drawn(m, quick=True)
        assert b" Ts" in b"".join(content(layout(story())))  # the rise was drawn


def test_text_beyond_the_first_font_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    """More characters than one subset holds: font switches within lines, new codes given
    in the order reportlab gives them."""
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()
    letters = "".join(chr(c) for c in range(0x0410, 0x0450)) + \
        "".join(chr(c) for c in range(0x03B1, 0x03CA)) + \
        "".join(chr(c) for c in range(0x00C0, 0x0180))
    words = " ".join(letters[i:i + 7] for i in range(0, len(letters), 7))

    def story() -> list[Any]:
        return [RLParagraph(f"{words} <i>{_LONG}</i> {words[::-1]}", style(alignment=4)),
                RLParagraph(f"{words[::-1]} <b>{words}</b>", style(alignment=0))]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick == 2
    with monkeypatch.context() as m:
        Drawn(m, quick=True)
        assert b"+1 " in b"".join(content(layout(story())))  # a second subset was drawn


def test_missing_glyphs_as_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    pdf._draw_placeholders()
    renderer()

    def story() -> list[Any]:
        # U+1D11E MUSICAL SYMBOL G CLEF: not in DejaVu Serif
        return [RLParagraph(f"Noten \U0001d11e <b>hier</b> {_LONG} und \U0001d11e.", style(alignment=4))]

    assert check_story(monkeypatch, story).quick == 1


# --- left to reportlab ----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["link", "underline", "strike", "back", "style-back",
                                  "border", "bullet", "auto-leading", "rtl", "one-frag-link",
                                  "one-frag-underline", "end-dots", "anchor"])
def test_what_the_quick_path_leaves_to_reportlab(monkeypatch: pytest.MonkeyPatch,
                                                 case: str) -> None:
    from reportlab.lib.colors import yellow
    from reportlab.platypus import Paragraph as RLParagraph

    renderer()
    kw: dict[str, Any] = {"alignment": 4}
    markup = _MARKUP
    bullet = None
    match case:
        case "link":
            markup += ' <a href="https://example.org/">ein Link</a>'
        case "underline":
            markup += " <u>unterstrichen</u>"
        case "strike":
            markup += " <strike>gestrichen</strike>"
        case "back":
            markup += ' <span backColor="yellow">markiert</span>'
        case "style-back":
            kw["backColor"] = yellow
        case "border":
            kw.update(borderColor=yellow, borderWidth=1)
        case "bullet":
            bullet = "•"
        case "auto-leading":
            kw["autoLeading"] = "max"
        case "rtl":
            kw["wordWrap"] = "RTL"
        case "one-frag-link":
            markup = f'<a href="https://example.org/">{_LONG * 3}</a>'
        case "one-frag-underline":
            markup = f"<u>{_LONG * 3}</u>"
        case "end-dots":
            kw.update(endDots=".", alignment=0)
        case "anchor":
            markup += ' <a name="hier"/>Anker'  # a frag with a callback, as images have

    def story() -> list[Any]:
        return [RLParagraph(markup, style(**kw), bulletText=bullet)]

    drawn = check_story(monkeypatch, story)
    assert drawn.quick == 0 and drawn.other == 1


def test_the_hook_is_reportlabs_drawpara_otherwise() -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    hook = RLParagraph.drawPara
    assert hook is not hook.original  # type: ignore[attr-defined]
    assert hook.original.__module__ == "reportlab.platypus.paragraph"  # type: ignore[attr-defined]


# --- codes for new characters -----------------------------------------------------------------

_ALPHABET = st.sampled_from(list("aäbc xyz.,-\u00a0\u2009") + [chr(c) for c in range(0x0410, 0x0450)]
                            + [chr(c) for c in range(0x4E00, 0x4E08)]  # not in DejaVu Serif
                            + [chr(c) for c in range(0x0100, 0x0180)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=60), min_size=1, max_size=12))
def test_quick_codes_are_reportlabs(texts: list[str]) -> None:
    """Codes given to a text's new characters alone are those reportlab's splitString gives
    in passing over the whole text: same assignments, subsets and bytes."""
    from reportlab.pdfbase.pdfdoc import PDFDocument
    from reportlab.pdfbase.pdfmetrics import getFont

    renderer()
    font = getFont(fonts.SERIF)
    plain, quick = PDFDocument(), PDFDocument()
    for doc in (plain, quick):
        font.splitString("Start", doc)  # reportlab makes the state (and octavo its table)
    ours = _pdfdraw._Font(fonts.SERIF)
    for text in texts:
        expected = font.splitString(text, plain)
        got = ours.encoded(text, quick)
        if got is not None:
            assert expected == ([(0, got)] if text else [])
        else:  # left to reportlab
            assert font.splitString(text, quick) == expected
        a, b = font.state[plain], font.state[quick]
        assert (a.assignments, a.subsets, a.nextCode) == (b.assignments, b.subsets, b.nextCode)
