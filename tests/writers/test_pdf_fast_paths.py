"""The PDF writer's fast paths give what the slow ones gave.

- total-fit line breaking visits only the feasible line starts: same breaks as a search over
  all of them;
- paragraphs whose lines total-fit chose are laid out without reportlab's breakLines: same
  lines, same page splits, same PDF bytes as reportlab's own layout of the same markup;
- the archival PDF is written by reportlab directly (no pikepdf pass): XMP, OutputIntent,
  print-flagged links, an EOL before every `endstream`; a CMYK image still takes pikepdf.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo.model import (
    Article,
    Book,
    Code,
    Emphasis,
    Figure,
    Image,
    Link,
    Paragraph,
    Strong,
    Text,
)
from octavo.options import WriteOptions
from octavo.typography import fonts
from octavo.writers import _pdfa, pdf
from octavo.writers.pdf import LAYOUTS, PdfWriter
from tests.writers.conftest import seed_article

FIXED = datetime(2025, 7, 13, 12, 0, tzinfo=UTC)
_VOCAB = ("der", "Überraschungsoffensive", "Quadratkilometer", "Syrsky", "„Umfang", "Tiefe“",
          "und", "Militärbefehlshaber", "Nord-Korea", "10\u00a0km", "a", "Bevölkerung,", "im",
          "Donau\u00addampf\u00adschiff", "zurückzudrängen.", "1.000", "es", "in", "Kursk")


def renderer(size: str = "a4", language: str = "de") -> pdf._Renderer:
    for name in (fonts.SERIF, fonts.SERIF_BOLD, fonts.SERIF_ITALIC, fonts.MONO):
        fonts.register(name)
    return pdf._Renderer(LAYOUTS[size], language, WriteOptions(page_size=size), pdf._Outline(),
                         anchor="t")


# --- total fit ------------------------------------------------------------------------------


def plain_total_fit(p: pdf._Points, indent: float, width: float,
                    shrink_share: float) -> list[tuple[int, int, bool]] | None:
    """The search over every (start, end) pair, as the writer did before it pruned starts."""
    inf = float("inf")
    n = len(p.word)
    for tolerance in (2.5, 10.0, inf):
        cost = [0.0] + [inf] * (n - 1)
        prev = [-1] * n
        for j in range(1, n):
            last = j == n - 1
            for i in range(j - 1, -1, -1):
                limit = width - indent if i == 0 else width
                natural = p.end[j] - p.start[i]
                spaces = p.end_sp[j] - p.start_sp[i]
                count = p.end_n[j] - p.start_n[i]
                if natural - spaces * shrink_share > limit:
                    break
                if cost[i] == inf:
                    continue
                if natural > limit:
                    bad = 100 * ((natural - limit) / (spaces * shrink_share)) ** 3
                elif last:
                    bad = 0.0
                elif count == 0 or spaces == 0:
                    if tolerance != inf:
                        continue
                    bad = 5000.0
                else:
                    ratio = (limit - natural) / (spaces * pdf._STRETCH)
                    if ratio > tolerance:
                        continue
                    bad = 100 * ratio**3
                demerits = (pdf._LINE_PENALTY + bad) ** 2
                if p.offset[j] > 0:
                    demerits += p.penalty[j] ** 2
                    if p.offset[i] > 0:
                        demerits += pdf._DOUBLE_HYPHEN_DEMERITS
                if last:
                    if p.offset[i] > 0:
                        demerits += pdf._FINAL_HYPHEN_DEMERITS
                    if natural < limit * pdf._SHORT_LAST_LINE:
                        demerits += pdf._SHORT_LAST_LINE_DEMERITS
                if cost[i] + demerits < cost[j]:
                    cost[j], prev[j] = cost[i] + demerits, i
        if cost[-1] < inf:
            chosen = []
            j = prev[-1]
            while j > 0:
                chosen.append((p.word[j], p.offset[j], p.hyphen[j] > 0))
                j = prev[j]
            return chosen[::-1]
    return None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=150),
       st.sampled_from(["a4", "a5", "ereader"]), st.sampled_from([0.0, 13.0, -8.0]))
def test_pruned_total_fit_chooses_what_the_full_search_chooses(words: list[str], size: str,
                                                                indent: float) -> None:
    r = renderer(size)
    style = r.styles["body"]
    runs = [pdf._Run(w + " ", fonts.SERIF_BOLD if i % 5 == 0 else fonts.SERIF)
            for i, w in enumerate(words)]
    measured = pdf._words(runs, style.fontSize, r.positions)
    points = pdf._Points.of(measured)
    width = LAYOUTS[size].frame_width
    shrink = style.spaceShrinkage * 0.9
    assert pdf._total_fit(points, indent, width, shrink) == plain_total_fit(points, indent,
                                                                            width, shrink)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB) | st.text("abdeghiklmnorstuwäü-", min_size=1,
                                                  max_size=24),
                min_size=1, max_size=90),
       st.floats(min_value=30.0, max_value=500.0), st.sampled_from([0.0, 13.0, -8.0, 60.0]),
       st.sampled_from([0.0, 0.05, 0.18, 0.5]))
def test_total_fit_at_any_measure_chooses_what_the_full_search_chooses(
        words: list[str], width: float, indent: float, shrink: float) -> None:
    """Narrow measures too: the looser tolerances, lines of one word or piece, overflowing
    and shrunk lines, a short last line and paragraphs that fit on the first line are all
    decided by the specialised inner loops (and their cost floor) as by the plain search."""
    r = renderer()
    style = r.styles["body"]
    runs = [pdf._Run(w + " ", fonts.SERIF_BOLD if i % 3 == 0 else fonts.SERIF,
                     None if i % 4 else 8.1) for i, w in enumerate(words)]
    points = pdf._Points.of(pdf._words(runs, style.fontSize, r.positions))
    assert pdf._total_fit(points, indent, width, shrink) == plain_total_fit(points, indent,
                                                                            width, shrink)


def test_words_measure_as_characters_sum() -> None:
    r = renderer()
    runs = [pdf._Run("Militär", fonts.SERIF), pdf._Run("befehls", fonts.SERIF_BOLD),
            pdf._Run("haber und Donau\u00addampf ", fonts.SERIF)]
    words = pdf._words(runs, 10.5, r.positions)
    assert [w.pieces for w in words] == [
        [("Militär", 0), ("befehls", 1), ("haber", 2)], [("und", 2)], [("Donaudampf", 2)]]
    first = sum(pdf._advance(fonts.SERIF, ch) for ch in "Militärhaber") \
        + sum(pdf._advance(fonts.SERIF_BOLD, ch) for ch in "befehls")
    assert words[0].width == pytest.approx(first * 10.5)
    assert [b[0] for b in words[2].breaks] == [5]  # the soft hyphen is the only break
    assert words[-1].space == 0.0


# --- pre-broken paragraphs ------------------------------------------------------------------

_LONG = ("Der oberste Militärbefehlshaber der Ukraine sagt, dass seine Truppen noch immer ein "
         "kleines Gebiet in Russland verteidigen, das sie vor fast einem Jahr erobert haben. ")


def mixed_nodes(repeat: int) -> tuple[Any, ...]:
    nodes: list[Any] = []
    for i in range(repeat):
        nodes += [Text(_LONG), Strong((Text("Überraschungsoffensive in der Region"),)),
                  Text(" und "), Emphasis((Text(f"{i}. Quadratkilometer"),)), Text(" mit "),
                  Code("print(x)"), Text(", siehe "),
                  Link((Text("die Karte des Gebiets"),), f"https://example.org/{i}"),
                  Text(". ")]
    return tuple(nodes)


def markup(para: Any) -> str:
    """The markup reportlab would have parsed for a pre-broken paragraph."""
    return pdf._markup(para._octavo_runs, para.style.fontName)


def layout(story: list[Any], height: float) -> bytes:
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    lay = LAYOUTS["a4"]
    doc = SimpleDocTemplate(out, pagesize=(lay.width, height), leftMargin=lay.left,
                            rightMargin=lay.right, topMargin=20, bottomMargin=20, invariant=1)
    doc.build(story)
    return out.getvalue()


@pytest.mark.parametrize("repeat", [1, 3, 12])
def test_pre_broken_lines_are_reportlabs_lines(repeat: int) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer()
    para = r.para(mixed_nodes(repeat), r.styles["body"], r.lay.frame_width)
    assert type(para) is pdf._broken_class()
    plain = RLParagraph(markup(para), para.style)

    def lines(p: Any) -> list[Any]:
        p.wrap(r.lay.frame_width, 1e6)
        return [(round(line.extraSpace, 9), line.wordCount, line.fontSize, line.ascent,
                 line.descent, line.lineBreak,
                 [(w.text, w.fontName, w.fontSize, getattr(w, "link", None)) for w in line.words])
                for line in p.blPara.lines]

    ours = lines(para)
    assert len(ours) > repeat
    assert ours == lines(plain)
    assert para.height == plain.height


_NODES = (Text("Der oberste "), Text("Militärbefehlshaber der Ukraine sagt, "),
          Strong((Text("Überraschungsoffensive"),)), Emphasis((Text("in der Region"),)),
          Code("print(x)"), Text(" und "), Text("Nord-Korea "), Text("„Umfang und Tiefe“ "),
          Link((Text("die Karte des Gebiets"),), "https://example.org/k"),
          Strong((Text("Quadrat"),)), Text("kilometer, "), Text("10\u00a0km "), Text(". "))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_NODES), min_size=1, max_size=40),
       st.sampled_from(["body", "first"]), st.sampled_from(["a4", "a5", "ereader"]))
def test_pre_broken_lines_of_any_text_are_reportlabs_lines(nodes: list[Any], style_name: str,
                                                           size: str) -> None:
    """Lines built from frag words (fonts, sizes and links changing inside a word or line,
    hard spaces, one-line paragraphs) are the lines reportlab's breakLines makes."""
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer(size)
    para = r.para(tuple(nodes), r.styles[style_name], r.lay.frame_width)
    if type(para) is not pdf._broken_class():
        return  # not justified by total-fit (e.g. no breakable text): nothing to compare
    plain = RLParagraph(markup(para), para.style)

    def lines(p: Any) -> list[Any]:
        p.wrap(r.lay.frame_width, 1e6)
        return [line if isinstance(line, tuple)  # one font: reportlab's quick case, for both
                else (line.extraSpace, line.wordCount, line.fontSize, line.ascent, line.descent,
                      line.lineBreak, line.maxWidth,
                      [(w.text, w.fontName, w.fontSize, getattr(w, "link", None))
                       for w in line.words])
                for line in p.blPara.lines]

    assert lines(para) == lines(plain)
    assert para.height == plain.height


@pytest.mark.parametrize("height", [140.0, 230.0, 600.0])
def test_pre_broken_paragraphs_split_and_draw_as_reportlab_would(height: float) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer()
    story = [r.para(mixed_nodes(6), r.styles["body"], r.lay.frame_width),
             r.para(mixed_nodes(2), r.styles["body"], r.lay.frame_width)]
    assert all(type(p) is pdf._broken_class() for p in story)
    plain = [RLParagraph(markup(p), p.style) for p in story]
    assert layout(story, height) == layout(plain, height)


def test_frags_made_directly_say_what_the_markup_says() -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer()
    nodes = (Text("Fish & chips <b>not bold</b> for F&AM members, " + _LONG * 2),
             Link((Text("Q&A"),), "https://example.org/?a=1&b=2"), Text(" – done."))
    para = r.para(nodes, r.styles["body"], r.lay.frame_width)
    assert para.text is None  # nothing was parsed
    plain = RLParagraph(markup(para), para.style)

    def text(p: Any) -> list[str]:
        p.wrap(r.lay.frame_width, 1e6)
        return ["".join(w.text for w in line.words) for line in p.blPara.lines]

    assert text(para) == text(plain)
    assert "Fish & chips <b>not bold</b>" in text(para)[0]
    links = {w.link[0][1] for line in para.blPara.lines for w in line.words if w.link}
    assert links == {"https://example.org/?a=1&b=2"}


def test_another_width_falls_back_to_reportlab(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer()
    para = r.para(mixed_nodes(2), r.styles["body"], r.lay.frame_width)
    plain = RLParagraph(markup(para), para.style)
    narrower = r.lay.frame_width - 40  # e.g. a table cell, not the measure broken for
    calls: list[object] = []
    real = RLParagraph.breakLines

    def spy(self: Any, width: Any) -> Any:
        calls.append(width)
        return real(self, width)

    monkeypatch.setattr(RLParagraph, "breakLines", spy)
    para.wrap(narrower, 1e6)
    assert len(calls) == 1  # reportlab broke the lines itself
    plain.wrap(narrower, 1e6)
    assert [line.extraSpace for line in para.blPara.lines] == \
        [line.extraSpace for line in plain.blPara.lines]
    calls.clear()
    para.wrap(r.lay.frame_width, 1e6)
    assert not calls  # at its own measure it does not


# --- archival PDF without pikepdf -----------------------------------------------------------


def linked_book() -> Book:
    article = Article(
        title="Links", language="en",
        body=(Paragraph((Text("See "), Link((Text("the site"),), "https://example.org/a"),
                         Text(" and "), Link((Text("mail"),), "mailto:a@example.org"),
                         Text(". " + _LONG * 3))),))
    return Book(title="Zwei", language="de", articles=(seed_article(), article))


def write(book: Book) -> bytes:
    out = io.BytesIO()
    PdfWriter().write(book, out, WriteOptions(modified=FIXED))
    return out.getvalue()


def test_archival_pdf_is_written_by_reportlab(monkeypatch: pytest.MonkeyPatch) -> None:
    pikepdf = pytest.importorskip("pikepdf")

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("pikepdf pass used")

    monkeypatch.setattr(_pdfa, "to_pdfa2u", refuse)
    data = write(linked_book())
    assert data.startswith(b"%PDF-1.7\n%")
    assert all(b >= 128 for b in data[10:14])
    # Every stream's data ends with an EOL before `endstream` (ISO 19005-2 6.1.7.1).
    assert data.count(b"endstream") == data.count(b"\nendstream")
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert str(doc.Root.Lang) == "de"
        (intent,) = doc.Root.OutputIntents
        assert intent.DestOutputProfile.read_bytes() == _pdfa.srgb_profile()
        xmp = doc.Root.Metadata.read_bytes().decode()
        assert "/Filter" not in doc.Root.Metadata.stream_dict
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>U" in xmp
        info = doc.docinfo
        assert set(info.keys()) <= {"/Title", "/Author", "/Subject", "/Keywords", "/Creator",
                                    "/Producer", "/CreationDate", "/ModDate"}
        assert str(info.Title) == "Zwei" and "<rdf:li xml:lang=\"x-default\">Zwei<" in xmp
        assert str(info.CreationDate) == "D:20250713120000+00'00'"
        assert "<xmp:CreateDate>2025-07-13T12:00:00+00:00<" in xmp
        assert str(info.Producer) in xmp
        annots = [a for page in doc.pages for a in page.get("/Annots", [])]
        assert len(annots) >= 3  # two web links and the contents page's internal ones
        assert all(int(a.F) & 4 for a in annots)
        assert len(doc.trailer.ID) == 2
    assert _pdfa.font_problems(pikepdf.open(io.BytesIO(data))) == []


def test_archival_pdf_is_reproducible() -> None:
    book = linked_book()
    first = write(book)
    assert write(book) == first
    ids = set(re.findall(rb"uuid:[0-9a-f-]+", first))
    assert len(ids) == 2  # DocumentID and InstanceID differ
    changed = Book(title="Zwei!", language="de", articles=book.articles)
    assert not ids & set(re.findall(rb"uuid:[0-9a-f-]+", write(changed)))


def test_a_cmyk_image_still_takes_the_pikepdf_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import Image as PILImage

    jpeg = io.BytesIO()
    PILImage.new("CMYK", (60, 40), (10, 80, 30, 5)).save(jpeg, "JPEG")
    article = Article(title="CMYK", language="de",
                      lead=Figure(Image(jpeg.getvalue(), "image/jpeg", "c")),
                      body=(Paragraph((Text("Ende."),)),))
    calls: list[bytes] = []
    real = _pdfa.to_pdfa2u

    def spy(data: bytes, **kwargs: Any) -> bytes:
        calls.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(_pdfa, "to_pdfa2u", spy)
    out = write(Book.of(article))
    assert len(calls) == 1 and _pdfa.needs_rewrite(calls[0])
    assert b"/DeviceCMYK" not in out


# --- script detection -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list("abcäöüß .,-") + [chr(c) for c in range(0x2000, 0x2070)]
    + list("שלום مرحبا नमस्ते สวัสดี 中文かな한국어€"))))
def test_quick_script_kind_agrees_with_script_kind(text: str) -> None:
    assert pdf._kind(text) == pdf._script_kind(text)


# --- drawing and saving ---------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="aZ .,é–’“”\u00a0ßжЖ\u4e00\u0301Ωœ", max_size=12), max_size=30))
def test_quick_split_string_gives_reportlabs_codes(texts: list[str]) -> None:
    """The translate path of TTFont.splitString: for any sequence of texts, the same subsets
    and codes as reportlab's loop run on another document from the start."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import TTFont

    from octavo.writers import _actualtext

    fonts.register(fonts.SERIF)
    _actualtext.install()
    font = getFont(fonts.SERIF)
    class Document:
        """Font states are kept per document (weakly)."""

    quick, slow = Document(), Document()
    original = TTFont.splitString.original  # type: ignore[attr-defined]
    for text in texts * 2:  # the second time round every character has its code
        assert font.splitString(text, quick) == original(font, text, slow), text


@pytest.mark.parametrize("sequence", [
    [], [0], [1.5, -2, 0.25], list(range(10)), list(range(11)), [i / 7 for i in range(256)],
    [1, "/Name", 2.5], [True, 1], [1.0] * 21,
])
@pytest.mark.parametrize("multiline", [True, False, "forced"])
def test_number_arrays_format_as_reportlab_formats_them(sequence: list[Any],
                                                        multiline: Any) -> None:
    from reportlab.pdfbase import pdfdoc

    pdf._install_number_arrays()
    array = pdfdoc.PDFArray(sequence)
    array.multiline = multiline
    doc = pdfdoc.PDFDocument()
    original = pdfdoc.PDFArray.format.original  # type: ignore[attr-defined]
    assert array.format(doc) == original(array, doc)


def test_remembered_font_subsets_give_the_same_pdf() -> None:
    """A PDF made with font programs (and their streams) kept from earlier PDFs is the PDF
    made with none kept; the second document really takes them from the cache."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    pdf._install_subset_cache()
    for part in pdf._SUBSETS:
        part.clear()
    first = write(linked_book())
    made = len(pdf._SUBSETS[0])
    assert made >= 1 and len(pdf._SUBSETS[2]) == made
    calls = 0
    make = TTFontFile.makeSubset

    def counting(self: Any, subset: Any) -> bytes:
        nonlocal calls
        calls += 1
        return make(self, subset)  # type: ignore[no-any-return]

    TTFontFile.makeSubset = counting
    try:
        again = write(linked_book())
    finally:
        TTFontFile.makeSubset = make
    assert again == first and calls == made and len(pdf._SUBSETS[0]) == made
    for part in pdf._SUBSETS:
        part.clear()
    assert write(linked_book()) == first


# --- per-character work remembered ----------------------------------------------------------


def reference_split_runs(text: str, chain: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """fonts.split_runs as it was before it remembered its per-character decisions."""
    import unicodedata

    coverage, preferred = fonts.coverage, fonts.preferred
    first = coverage(chain[0])
    if not text:
        return []
    if all(ord(ch) in first and preferred(ord(ch)) is None for ch in set(text)):
        return [(chain[0], text)]
    runs: list[tuple[str | None, str]] = []
    current: str | None = chain[0]
    buf: list[str] = []
    for ch in text:
        cp = ord(ch)
        favourite = preferred(cp)
        chosen: str | None
        if favourite is not None and cp in coverage(favourite):
            chosen = favourite
        elif (fonts.is_script_font(current) and not unicodedata.category(ch).startswith("L")
              and cp in coverage(current)):  # type: ignore[arg-type]
            buf.append(ch)
            continue
        elif ch.isspace() or fonts._zero_width(ch):
            if current is not None and cp in coverage(current):
                buf.append(ch)
                continue
            if ch.isspace() and cp in first:
                chosen = chain[0]
            elif fonts._zero_width(ch) and not ch.isspace():
                found = next((f for f in chain if cp in coverage(f)), None)
                if found is None:
                    continue
                chosen = found
            else:
                chosen = next((f for f in chain if cp in coverage(f)), None)
        else:
            chosen = next((f for f in chain if cp in coverage(f)), None)
        if chosen != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = chosen
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    if chain[0] in fonts._BOLD_ROLE_FACES:
        return [(fonts.bold_variant(font, chain), part) for font, part in runs]
    return runs


_MIXED = (list("abc äöß,.-1 ") + list("שלום، مرحبا ١٢") + list("नमस्ते สวัสดี 中文かな。한국어")
          + ["\u200d", "\u200f", "\u00ad", "\u0301", "\u2009", "\u00a0", "\t", "\u2028",
             "\U0001f600", "\ue000", "\u0378", "\u2060"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_MIXED), max_size=40), min_size=1, max_size=4),
       st.sampled_from(fonts.ROLES))
def test_remembered_font_choices_split_as_before(texts: list[str], role: str) -> None:
    chain = fonts.chain(role)
    for text in texts:  # the later texts meet decisions the earlier ones left behind
        assert fonts.split_runs(text, chain) == reference_split_runs(text, chain), text


def reference_script_kind(text: str) -> str | None:
    """pdf._script_kind before it remembered each character's classes."""
    import unicodedata

    if not text or max(text) < "\u0590":
        return None
    distinct = set(text)
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in distinct):
        return "bidi"
    cjk_chars = {ch for ch in distinct if pdf._in(pdf._CJK_RANGES, ord(ch))}
    if cjk_chars:
        cjk = sum(1 for ch in text if ch in cjk_chars)
        if cjk * 3 >= len(text) - text.count(" "):
            return "cjk"
    if any(pdf._in(pdf._UNSPACED_RANGES, ord(ch)) for ch in distinct):
        return "unspaced"
    if any(pdf._in(pdf._SHAPED_RANGES, ord(ch)) for ch in distinct):
        return "shaped"
    return None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_MIXED + ["\U00020000", "\U0003ffff", "\uff01",
                                                   "\u3000", "\u0e01", "\u1780", "\ufb1d"])))
def test_remembered_script_kinds_agree_with_the_plain_test(text: str) -> None:
    assert pdf._script_kind(text) == reference_script_kind(text)
    assert pdf._kind(text) == reference_script_kind(text)


def test_same_frag_of_one_frag_answers_as_reportlab() -> None:
    from reportlab.platypus import paragraph
    from reportlab.platypus.paraparser import ParaFrag

    pdf._install_same_frag()
    ours = paragraph.sameFrag
    original = ours.original  # type: ignore[attr-defined]
    plain = ParaFrag(fontName="a", fontSize=10, text="x")
    broken = ParaFrag(fontName="a", fontSize=10, text="", lineBreak=True)
    image = ParaFrag(fontName="a", fontSize=10, text="", cbDefn=object())
    other = ParaFrag(fontName="b", fontSize=10, text="x")
    for f in (plain, broken, image, other):
        for g in (plain, broken, image, other):
            assert bool(ours(f, g)) == bool(original(f, g)), (f, g)
    assert ours(plain, plain) and not ours(broken, broken) and not ours(image, image)


def cjk_nodes(repeat: int) -> tuple[Any, ...]:
    return (Text("東京都は、「新しい計画」を発表した。" * repeat + " Tokyo 2025 & more "),
            Emphasis((Text("強調された文字" * repeat),)),
            Link((Text("リンクの文字列"),), "https://example.org/?a=1&b=2"),
            Text("。終わりの文章です、" * repeat))


@pytest.mark.parametrize("repeat", [1, 4, 15])
def test_cjk_frags_made_directly_lay_out_as_parsed_markup(repeat: int) -> None:
    from reportlab.platypus import Paragraph as RLParagraph

    r = renderer(language="ja")
    para = r.para(cjk_nodes(repeat), r.styles["body"], r.lay.frame_width)
    assert para.style.wordWrap == "CJK" and para.text is None  # nothing was parsed
    runs = r.inline_runs(cjk_nodes(repeat))
    plain = RLParagraph(pdf._markup(runs, para.style.fontName), para.style)
    assert plain.text is not None
    assert layout([para], 300.0) == layout([plain], 300.0)


def test_cjk_text_the_cleaner_changes_is_still_parsed() -> None:
    r = renderer(language="ja")
    para = r.para((Text("東京都は、  新しい計画を\n発表した。"),), r.styles["body"],
                  r.lay.frame_width)
    assert para.text is not None


def test_pdfs_use_the_quick_split_string() -> None:
    from reportlab.pdfbase.ttfonts import TTFont

    write(linked_book())
    assert hasattr(TTFont.splitString, "original")


_CJK_PIECES = ["東京都は", "、", "「新しい計画」", "を発表した。", "Tokyo ", "2025", " & more ",
               "。", "ー", "っ", "）", "　", "漢字かなカナ" * 3, "x" * 30, ""]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_CJK_PIECES), st.sampled_from([0, 1, 2]),
                          st.sampled_from([9.0, 10.5, 14.0]), st.booleans()),
                min_size=1, max_size=12),
       st.lists(st.floats(min_value=8.0, max_value=300.0), min_size=1, max_size=3))
def test_quick_cjk_split_makes_reportlabs_lines(pieces: list[tuple[str, int, float, bool]],
                                                widths: list[float]) -> None:
    """cjkFragSplit without its per-character objects: the same lines, word for word."""
    from reportlab.platypus import paragraph
    from reportlab.platypus.paraparser import ParaFrag

    pdf._install_same_frag()
    pdf._install_cjk_split()
    faces = [fonts.SERIF, fonts.SERIF_BOLD, "DroidSansFallback"]
    for name in (fonts.SERIF, fonts.SERIF_BOLD):
        fonts.register(name)
    faces[2] = next(f for f in fonts.chain("serif") if 0x6771 in fonts.coverage(f))
    fonts.register(faces[2])
    shared = {face: ParaFrag(fontName=face, fontSize=10.0, text="", rise=0, link=[],
                             us_lines=[], textColor=None) for face in faces}
    frags = []
    for text, face, size, br in pieces:
        name = faces[face] if face < 2 or not text.isascii() else faces[0]
        if br:
            frags.append(ParaFrag(fontName=name, fontSize=size, text="", lineBreak=True,
                                  rise=0, link=[], us_lines=[], textColor=None))
        elif size == 10.0 or not text:
            frags.append(shared[name].clone(text=text))  # same look: joined into one piece
        else:
            frags.append(ParaFrag(fontName=name, fontSize=size, text=text, rise=0, link=[],
                                  us_lines=[], textColor=None))

    ours = paragraph.cjkFragSplit
    try:
        expected = cjk_lines(ours.original, frags, widths)  # type: ignore[attr-defined]
    except TypeError:  # reportlab's own loop fails on some inputs: so must ours
        with pytest.raises(TypeError):
            cjk_lines(ours, frags, widths)
        return
    assert cjk_lines(ours, frags, widths) == expected


def cjk_lines(split: Any, frags: list[Any], widths: list[float]) -> list[Any]:
    """The lines a CJK splitter makes of copies of the frags, as comparable tuples."""
    made = split([f.clone() for f in frags], list(widths), False)
    return [(line.extraSpace, line.wordCount, line.fontSize, line.ascent, line.descent,
             line.maxWidth, line.currentWidth, line.lineBreak,
             [(w.text, w.fontName, w.fontSize) for w in line.words]) for line in made.lines]


@pytest.mark.parametrize("widths", [[2500.0], [900.0, 3000.0], [40.0, 5000.0], [-5.0, 200.0]])
def test_quick_cjk_split_of_long_lines_and_odd_measures(widths: list[float]) -> None:
    """Lines far longer than the first sums the quick split makes (it makes more), and a
    measure below zero (reportlab's own split): reportlab's lines, word for word."""
    from reportlab.platypus import paragraph
    from reportlab.platypus.paraparser import ParaFrag

    pdf._install_same_frag()
    pdf._install_cjk_split()
    cjk = next(f for f in fonts.chain("serif") if 0x6771 in fonts.coverage(f))
    for name in (fonts.SERIF, fonts.SERIF_BOLD, cjk):
        fonts.register(name)
    texts = [("東京都は新しい計画を発表した。" * 40, cjk, 10.0), ("Tokyo plan " * 60, fonts.SERIF, 9.0),
             ("", fonts.SERIF, 10.0), ("「漢字かなカナ」" * 30, cjk, 14.0),
             ("x" * 400, fonts.SERIF_BOLD, 10.0)]
    frags = [ParaFrag(fontName=font, fontSize=size, text=text, rise=0, link=[], us_lines=[],
                      textColor=None) for text, font, size in texts]
    frags.insert(2, ParaFrag(fontName=fonts.SERIF, fontSize=10.0, text="", lineBreak=True,
                             rise=0, link=[], us_lines=[], textColor=None))

    ours = paragraph.cjkFragSplit
    assert cjk_lines(ours, frags, widths) == cjk_lines(
        ours.original, frags, widths)  # type: ignore[attr-defined]


def test_frag_looks_compare_as_reportlabs_same_frag() -> None:
    """Two frags have equal looks exactly when reportlab's sameFrag (the C one) joins them:
    a missing attribute is not None, 1 is 1.0, a break or callback is never the same."""
    from reportlab.lib.colors import Color
    from reportlab.platypus import paragraph
    from reportlab.platypus.paragraph import FragLine
    from reportlab.platypus.paraparser import ParaFrag

    pdf._install_same_frag()
    same_frag = getattr(paragraph.sameFrag, "original", paragraph.sameFrag)
    base = {"fontName": "a", "fontSize": 10, "textColor": Color(0, 0, 0), "rise": 0,
            "us_lines": [], "link": []}
    variants: list[Any] = [FragLine(), ParaFrag(**base)]
    for key, value in [("fontName", "b"), ("fontSize", 10.0), ("fontSize", 11),
                       ("textColor", Color(0, 0, 0)), ("textColor", Color(1, 0, 0)),
                       ("textColor", None), ("rise", 2), ("us_lines", [(1, 2)]),
                       ("link", [(0, "u")]), ("backColor", None), ("nobr", True),
                       ("lineBreak", True), ("cbDefn", object())]:
        variants.append(ParaFrag(**{**base, key: value}))
    without = ParaFrag(**base)
    del without.textColor
    variants.append(without)
    for f in variants:
        for g in variants:
            a, b = pdf._frag_look(f), pdf._frag_look(g)
            assert (a is not None and b is not None and a == b) == bool(same_frag(f, g))

def reference_points(words: list[pdf._Word]) -> pdf._Points:
    """pdf._Points.of as it was: rows of a point each, transposed into columns."""
    x = [0.0]
    sp = [0.0]
    for w in words:
        x.append(x[-1] + w.width + w.space)
        sp.append(sp[-1] + w.space)
    rows = [(0, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0)]
    for k, w in enumerate(words):
        xk, spk = x[k], sp[k]
        if k:
            rows.append((k, 0, 0.0, 0.0, xk, spk, k, xk - words[k - 1].space, sp[k - 1], k - 1))
        for off, head, hw, penalty in w.breaks:
            rows.append((k, off, hw, penalty, xk + head, spk, k, xk + head + hw, spk, k))
    k = len(words)
    rows.append((k, 0, 0.0, 0.0, x[k], sp[k], k, x[k] - words[k - 1].space, sp[k - 1], k - 1))
    return pdf._Points(*(list(column) for column in zip(*rows)))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=80), st.data())
def test_breakpoints_built_by_column_are_the_rows_transposed(words: list[str],
                                                             data: st.DataObject) -> None:
    r = renderer()
    style = r.styles["body"]
    runs = [pdf._Run(w + " ", data.draw(st.sampled_from([fonts.SERIF, fonts.SERIF_BOLD])),
                     data.draw(st.sampled_from([None, 8.1])))
            for w in words]
    measured = pdf._words(runs, style.fontSize, r.positions)
    ours, expected = pdf._Points.of(measured), reference_points(measured)
    assert ours == expected
    for column in ("start", "start_sp", "end", "end_sp"):  # exactly, not merely ==
        assert [v.hex() for v in getattr(ours, column)] == \
            [float(v).hex() for v in getattr(expected, column)]


def test_quick_frag_copies_are_reportlabs_clones() -> None:
    from reportlab.platypus.paragraph import FragLine
    from reportlab.platypus.paraparser import ParaFrag

    frag = ParaFrag(fontName="a", fontSize=10, text="x", link=[(0, "u")], us_lines=[])
    for changes in ({}, {"text": "yz", "link": [], "new": 1}):
        ours, theirs = pdf._clone_frag(frag, **changes), frag.clone(**changes)
        assert type(ours) is ParaFrag and ours is not frag
        assert list(ours.__dict__.items()) == list(theirs.__dict__.items())
    line = FragLine(words=[], fontSize=3)  # another ABag: reportlab's own clone
    assert type(pdf._clone_frag(line)) is FragLine and pdf._clone_frag(line).fontSize == 3


# --- font subsets and frag words --------------------------------------------------------------


def _faces() -> list[Any]:
    from reportlab.pdfbase import pdfmetrics

    names = (fonts.SERIF, fonts.SERIF_BOLD, fonts.SERIF_ITALIC, fonts.MONO)
    for name in names:
        fonts.register(name)
    return [pdfmetrics.getFont(name).face for name in names]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_quick_font_subsets_are_reportlabs(data: st.DataObject) -> None:
    """The font program built on tables read once is reportlab's makeSubset's, byte for byte,
    composite glyphs (accented letters: their parts renumbered) included."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    pdf._install_subset_cache()
    original = TTFontFile.makeSubset.original  # type: ignore[attr-defined]
    face = data.draw(st.sampled_from(_faces()))
    codes = sorted(face.charToGlyph)
    accented = [c for c in (0xE9, 0xFC, 0x139, 0x1EA0) if c in face.charToGlyph]
    subset = data.draw(st.lists(st.sampled_from(codes + accented), min_size=1, max_size=256,
                                unique=True))
    subset += data.draw(st.lists(st.sampled_from(accented), max_size=3, unique=True)
                        .filter(lambda extra: not set(extra) & set(subset)))
    subset.append(0x10FFFF)  # a character the face lacks: glyph 0

    def refuse(*_: Any) -> bytes:
        raise AssertionError("fell back to reportlab's makeSubset")

    assert pdf._make_subset(face, subset, refuse) == original(face, subset)


def test_quick_font_subsets_renumber_composite_glyphs() -> None:
    face = _faces()[0]
    info = pdf._face_tables(face)
    assert info is not None
    glyph = face.charToGlyph[0xE9]  # é: e and an acute accent
    assert len(pdf._glyph_parts(info, face.glyphPos, glyph)) == 2
    from reportlab.pdfbase.ttfonts import TTFontFile

    pdf._install_subset_cache()
    original = TTFontFile.makeSubset.original  # type: ignore[attr-defined]
    for subset in ([0xE9], [0x41, 0xE9, 0x65], list(range(0xC0, 0x100))):
        assert pdf._make_subset(face, subset, original) == original(face, subset)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(st.sampled_from("ab é\u00a0-."), max_size=12),
                          st.sampled_from([fonts.SERIF, fonts.SERIF_BOLD]),
                          st.booleans()), min_size=1, max_size=8))
def test_quick_frag_words_are_reportlabs(pieces: list[tuple[str, str, bool]]) -> None:
    """Frag words with remembered widths are _getFragWords's: same words, types, widths and
    frag marks (text frags and line breaks, spaces leading, trailing and doubled)."""
    from reportlab.platypus.paragraph import _getFragWords
    from reportlab.platypus.paraparser import ParaFrag

    _faces()
    frag_words = pdf._broken_class().frag_words

    def make() -> list[Any]:
        out = []
        for text, font, br in pieces:
            if br:
                out.append(ParaFrag(fontName=font, fontSize=10, text="", lineBreak=True))
            out.append(ParaFrag(fontName=font, fontSize=10, text=text))
        return out

    ours_in, theirs_in = make(), make()
    ours, theirs = frag_words(ours_in), _getFragWords(theirs_in, 300)
    assert ours is not None

    def shape(words: list[Any], frags: list[Any]) -> list[Any]:
        return [(type(w), w[0], [(frags.index(f), t) for f, t in w[1:]]) for w in words]

    assert shape(ours, ours_in) == shape(theirs, theirs_in)
    assert [getattr(f, "_fkind", None) for f in ours_in] == \
        [getattr(f, "_fkind", None) for f in theirs_in]


@pytest.mark.parametrize("tag", ["de", "en-US", "fr"])
def test_quick_prefix_table_is_the_plain_one(tag: str) -> None:
    """Hyphenation's prefix table, built with shared prefixes and values converted once, is
    the table of every pattern's prefixes (up to its depth) and values built the plain way."""
    from octavo.typography import hyphenation

    name = hyphenation.dictionary_name(tag)
    assert name is not None
    patterns = hyphenation._load(name)
    if not isinstance(patterns, hyphenation.Patterns):
        pytest.skip("pyphen's own dictionary (no cached patterns)")
    table = patterns.table
    depth = hyphenation._PREFIX_DEPTH
    plain: dict[str, Any] = dict.fromkeys(
        (key[:n] for key in table for n in range(1, min(len(key) - 1, depth) + 1)), ())
    for key, pattern in table.items():
        plain[key] = tuple((pattern[0] + n, v) for n, v in enumerate(pattern[1:]) if v)
    assert patterns._prefix_table() == plain


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["de", "en", "fr"]),
       st.text(st.sampled_from("abcdefghilmnorstuäöüßéABÄ-.,\"'«"), min_size=1, max_size=24))
def test_quick_word_breaks_are_the_general_ones(tag: str, word: str) -> None:
    """Breaks of a word of letters only, taken straight from the hyphenation positions, are
    those the general path (punctuation, hyphens, letter stretches) finds."""
    from octavo.typography.hyphenation import positions

    found = positions(tag)
    assert found is not None
    for text in (word, word.replace("-", "").strip(".,\"'«") or "x", word.upper()):
        assert pdf._word_breaks(text, found) == pdf._any_word_breaks(text, found)
        assert pdf._word_breaks(text, None) == pdf._any_word_breaks(text, None)
