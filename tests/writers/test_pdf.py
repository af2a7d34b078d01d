"""PDF writer: fonts embedded, text reads back in order, metadata, outline, page sizes, books."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo import diagnostics
from octavo.model import (
    Article,
    BlockQuote,
    Book,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    Image,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quoted,
    SectionBreak,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    block_text,
)
from octavo.options import PAGE_SIZES, WriteOptions
from octavo.typography import fonts, hyphenation
from octavo.typography.hyphenation import hyphenate, hyphenator
from octavo.writers.pdf import LAYOUTS, PdfWriter, escape, format_date
from tests.pdf_helper import (
    assert_fonts_embedded,
    assert_reads_back,
    catalog,
    hyphenated_lines,
    media_boxes,
    outline_titles,
    page_count,
    pdfinfo,
    pdftotext,
    read_back,
)

SEED = Path(__file__).parents[1] / "data" / "text" / "seed-bbc-de.txt"
SEED_TITLE = "Ukraine hält noch Gebiet in Kursk"
FIXED = datetime(2025, 7, 13, 12, 0, tzinfo=timezone.utc)


# --- building models ------------------------------------------------------------------------


def _quoted(line: str) -> tuple[Text | Quoted, ...]:
    """Straight "..." pairs become Quoted nodes, so the writer prints the language's marks."""
    parts = re.split(r'"([^"]*)"', line)
    return tuple(Quoted((Text(p),)) if i % 2 else Text(p) for i, p in enumerate(parts) if p)


def seed_article() -> Article:
    """The seed: lines 1-4 are author, publisher, image credit and caption; then paragraphs."""
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    author, publisher, credit, caption = lines[:4]
    return Article(
        title=SEED_TITLE, language="de", authors=(author,), publisher=publisher,
        published=date(2025, 7, 13), lead=Figure(caption=(Text(caption),), credit=credit),
        body=tuple(Paragraph(_quoted(ln)) for ln in lines[4:]),
    )


def body_text(article: Article) -> str:
    return "\n".join(block_text(b) for b in article.body)


def _png(width: int = 120, height: int = 60) -> bytes:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


def rich_article() -> Article:
    """Every block and inline kind the model has."""
    return Article(
        title="Alles, was ein Artikel haben kann", subtitle="Ein Test für jede Form",
        language="de", authors=("Anna Beispiel", "Bernd Muster"), publisher="Octavo Test",
        published=date(2024, 3, 1), keywords=("Test", "PDF"), description="Alle Blöcke",
        url="https://example.org/artikel",
        lead=Figure(Image(_png(), "image/png", "Blaues Rechteck"), (Text("Ein blaues Bild"),),
                    "Foto: Test"),
        body=(
            Paragraph((Text("Ein Absatz mit "), Emphasis((Text("Betonung"),)), Text(", "),
                       Strong((Text("Nachdruck"),)), Text(", "), Code("code()"), Text(", "),
                       Link((Text("einem Verweis"),), "https://example.org/"), Text(" und "),
                       Quoted((Text("Zitat"),)), Text("."), LineBreak(), Text("Neue Zeile."))),
            Heading(1, (Text("Erste Überschrift"),)),
            Paragraph((Text("Text unter der ersten Überschrift."),)),
            Heading(3, (Text("Tiefere Überschrift"),)),
            BlockQuote((Paragraph((Text("Ein eingerücktes Zitat aus einer Quelle."),)),)),
            ListBlock(((Paragraph((Text("erster Punkt"),)),),
                       (Paragraph((Text("zweiter Punkt"),)),
                        ListBlock(((Paragraph((Text("verschachtelt"),)),),))))),
            ListBlock(((Paragraph((Text("dritter Schritt"),)),),
                       (Paragraph((Text("vierter Schritt"),)),)), ordered=True, start=3),
            CodeBlock("def f(x):\n    return x * 2  # doppelt\n" + "y = " + "1 + " * 40 + "1"),
            Table(((Text("Stadt"),), (Text("Einwohner"),)),
                  (((Text("Berlin"),), (Text("3,7 Millionen"),)),
                   ((Text("Köln"),), (Text("1,1 Millionen"),)))),
            SectionBreak(),
            Figure(Image(_png(60, 90), "image/png"), (Text("Ein zweites Bild"),), None),
            Paragraph((Text("Letzter Absatz."),)),
        ),
    )


def write(book: Book | Article, path: Path, **options: object) -> Path:
    if isinstance(book, Article):
        book = Book.of(book)
    opts = WriteOptions(**{"modified": FIXED, **options})  # type: ignore[arg-type]
    with path.open("wb") as out:
        PdfWriter().write(book, out, opts)
    return path


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(seed_article(), tmp_path_factory.mktemp("pdf") / "seed.pdf")


@pytest.fixture(scope="module")
def rich_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(rich_article(), tmp_path_factory.mktemp("pdf") / "rich.pdf")


# --- the seed -------------------------------------------------------------------------------


def test_writer_plugin_attributes() -> None:
    assert PdfWriter.name == "pdf" and PdfWriter.extension == ".pdf"


def test_seed_fonts_all_embedded(seed_pdf: Path) -> None:
    rows = assert_fonts_embedded(seed_pdf)
    assert all(r.subset for r in rows)
    assert not any("Helvetica" in r.name for r in rows)


def test_seed_metadata_and_language(seed_pdf: Path) -> None:
    info = pdfinfo(seed_pdf)
    assert info["Title"] == SEED_TITLE
    assert info["Author"] == "Thomas Mackintosh"
    assert re.fullmatch(r"octavo \d+\.\d+.*", info["Creator"])
    assert info["Page size"].startswith("595.") and "A4" in info["Page size"]
    root = catalog(seed_pdf)
    assert root["/Lang"] == "de"
    assert root["/PageMode"] == "/UseOutlines"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # type: ignore[index]


def test_seed_every_body_word_reads_back_in_order(seed_pdf: Path) -> None:
    article = seed_article()
    result = assert_reads_back(body_text(article), seed_pdf)
    assert result.ratio == 1.0 and result.expected > 250
    text = pdftotext(seed_pdf)
    assert "„Umfang und Tiefe“" in text
    assert "13. Juli 2025" in text
    assert "Global Images Ukraine via Getty Images" in text


def test_seed_is_hyphenated(seed_pdf: Path) -> None:
    lines = hyphenated_lines(seed_pdf)
    assert lines, "no line ends in a hyphenated word"
    assert not any(line.rstrip().endswith("Militä-") for line in lines)


def test_seed_outline(seed_pdf: Path) -> None:
    assert outline_titles(seed_pdf) == [(0, SEED_TITLE)]


def test_reproducible_with_modified(tmp_path: Path) -> None:
    a = write(seed_article(), tmp_path / "a.pdf").read_bytes()
    b = write(seed_article(), tmp_path / "b.pdf").read_bytes()
    assert a == b
    assert "Jul 13 12:00:00 2025" in pdfinfo(tmp_path / "a.pdf")["CreationDate"]


def test_reproducible_with_source_date_epoch(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a = write(seed_article(), tmp_path / "a.pdf", modified=None).read_bytes()
    b = write(seed_article(), tmp_path / "b.pdf", modified=None).read_bytes()
    assert a == b
    assert "2023" in pdfinfo(tmp_path / "a.pdf")["ModDate"]


_CHILD = """
import sys
from datetime import datetime, timezone
from octavo.model import Article, Book, Paragraph, Text
from octavo.options import WriteOptions
from octavo.writers.pdf import PdfWriter
article = Article(title="Same bytes", language="en", authors=("A. Writer",),
                  body=(Paragraph((Text("Reproducible output, whatever the hash seed. " * 40),)),))
PdfWriter().write(Book.of(article), sys.stdout.buffer,
                  WriteOptions(modified=datetime(2025, 7, 13, 12, tzinfo=timezone.utc)))
"""


def test_reproducible_across_processes() -> None:
    import os
    import subprocess
    import sys

    src = str(Path(__file__).parents[2] / "src")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, env=env,
                              check=True, timeout=120)
        outputs.append(done.stdout)
    assert outputs[0].startswith(b"%PDF-") and outputs[0] == outputs[1]


@pytest.mark.parametrize("size", PAGE_SIZES)
def test_page_sizes(size: str, tmp_path: Path) -> None:
    path = write(seed_article(), tmp_path / f"{size}.pdf", page_size=size)
    layout = LAYOUTS[size]
    for w, h in media_boxes(path):
        assert w == pytest.approx(layout.width, abs=0.5)
        assert h == pytest.approx(layout.height, abs=0.5)
    assert_reads_back(body_text(seed_article()), path)
    if size == "ereader":
        assert page_count(path) > 1
        assert layout.left < 10 * 72 / 25.4


def test_unknown_page_size_is_an_option_error(tmp_path: Path) -> None:
    from octavo.errors import OptionError

    with pytest.raises(OptionError, match="page size"):
        write(seed_article(), tmp_path / "x.pdf", page_size="b5")


# --- every kind of content ------------------------------------------------------------------


def test_rich_article_reads_back_and_embeds(rich_pdf: Path) -> None:
    assert_fonts_embedded(rich_pdf)
    names = {r.name.split("+")[-1] for r in assert_fonts_embedded(rich_pdf)}
    assert {"DejaVuSerif", "DejaVuSerif-Italic", "DejaVuSerif-Bold", "DejaVuSansMono"} <= names
    article = rich_article()
    expected = "\n".join(block_text(b) for b in article.body if not isinstance(b, CodeBlock))
    assert_reads_back(expected, rich_pdf)
    text = pdftotext(rich_pdf)
    for piece in ("„Zitat“", "code()", "3. dritter Schritt", "4. vierter Schritt", "⁂",
                  "Anna Beispiel und Bernd Muster", "1. März 2024", "return x * 2"):
        assert piece in text, piece


def test_rich_article_outline_has_headings(rich_pdf: Path) -> None:
    titles = outline_titles(rich_pdf)
    assert [t for _, t in titles] == ["Alles, was ein Artikel haben kann", "Erste Überschrift",
                                      "Tiefere Überschrift"]
    assert [d for d, _ in titles] == [0, 1, 2]


def test_rich_article_metadata(rich_pdf: Path) -> None:
    info = pdfinfo(rich_pdf)
    assert info["Author"] == "Anna Beispiel, Bernd Muster"
    assert info["Subject"] == "Alle Blöcke"
    assert "Test" in info["Keywords"] and "PDF" in info["Keywords"]


def test_links_only_for_web_and_mail(tmp_path: Path) -> None:
    from pypdf import PdfReader

    article = Article(title="Links", language="en", body=(Paragraph((
        Link((Text("web"),), "https://example.org/?a=1&b=<2>"), Text(" "),
        Link((Text("mail"),), "mailto:a@example.org"), Text(" "),
        Link((Text("script"),), "javascript:alert(1)"), Text(" "),
        Link((Text("file"),), "file:///etc/passwd"))),))
    path = write(article, tmp_path / "links.pdf")
    uris = [a.get_object()["/A"]["/URI"] for p in PdfReader(str(path)).pages
            for a in p.get("/Annots", [])]
    assert uris == ["https://example.org/?a=1&b=<2>", "mailto:a@example.org"]
    assert_reads_back("web mail script file", path)


# --- hostile and multilingual text ----------------------------------------------------------


HOSTILE = 'a < b && c > d ]]> <b>not bold</b> <para> &amp; "x" \'y\' <br/> <font face="X">'


def test_hostile_strings_are_text(tmp_path: Path) -> None:
    article = Article(title="<Title> & ]]> \"q\"", language="en", authors=("<Me> & you",),
                      subtitle="<i>sub</i>", body=(Paragraph((Text(HOSTILE),)),
                                                   Heading(2, (Text("<h2> & ]]>"),))))
    path = write(article, tmp_path / "hostile.pdf")
    text = pdftotext(path)
    for piece in (HOSTILE, "<Title> & ]]> \"q\"", "<Me> & you", "<i>sub</i>", "<h2> & ]]>"):
        assert " ".join(piece.split()) in " ".join(text.split()), piece
    assert pdfinfo(path)["Title"] == "<Title> & ]]> \"q\""
    assert outline_titles(path)[-1][1] == "<h2> & ]]>"


def test_escape() -> None:
    assert escape("<a & b>") == "&lt;a &amp; b&gt;"


def test_greek_and_cyrillic_read_back(tmp_path: Path) -> None:
    greek = "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο. " * 6
    russian = "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 6
    ukrainian = "Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! " * 4
    book = Book(title="Scripts", language="el", articles=(
        Article(title="Ελληνικά", language="el", body=(Paragraph((Text(greek),)),
                                                        Paragraph((Emphasis((Text(greek),)),)))),
        Article(title="Русский", language="ru", body=(Paragraph((Text(russian),)),
                                                      Paragraph((Strong((Text(ukrainian),)),)))),
    ))
    with diagnostics.collecting() as found:
        path = write(book, tmp_path / "scripts.pdf")
    assert not [d for d in found if d.code == "missing-glyphs"]
    assert_fonts_embedded(path)
    assert_reads_back(greek + greek + russian + ukrainian, path)


def test_missing_glyphs_warn(tmp_path: Path) -> None:
    article = Article(title="Hieroglyphs", language="en",
                      body=(Paragraph((Text("The sign \U00013000 has no font here."),)),))
    with diagnostics.collecting() as found:
        path = write(article, tmp_path / "missing.pdf")
    warnings = [d for d in found if d.code == "missing-glyphs"]
    assert len(warnings) == 1
    assert "no font for U+13000" in warnings[0].message
    assert "EGYPTIAN" in warnings[0].message
    assert_fonts_embedded(path)


def test_fallback_font_for_emoji(tmp_path: Path) -> None:
    article = Article(title="Emoji", language="en",
                      body=(Paragraph((Text("Smile \U0001F600 now"),)),))
    with diagnostics.collecting() as found:
        path = write(article, tmp_path / "emoji.pdf")
    assert not found
    names = {r.name.split("+")[-1] for r in assert_fonts_embedded(path)}
    assert "DejaVuSans" in names


def test_soft_hyphens_do_not_split_words(tmp_path: Path) -> None:
    word = "Donau\u00addampf\u00adschiff\u00adfahrts\u00adgesellschaft"
    # Growing prefixes put the word at a different place on each line, so some lines break in it.
    lines = [f"{'Ja ' * i}die {word} fuhr. " for i in range(16)]
    article = Article(title="Weiche Trennung", language="de",
                      body=(Paragraph((Text("".join(lines)),)),))
    path = write(article, tmp_path / "shy.pdf", page_size="a5", hyphenate=False)
    assert any(line.endswith("-") for line in hyphenated_lines(path))
    text = pdftotext(path)
    assert "\u00ad" not in text
    result = read_back("".join(lines).replace("\u00ad", ""), text)
    assert result.ratio == 1.0, result.missing[:5]


def test_narrow_no_break_space_keeps_guillemets_attached(tmp_path: Path) -> None:
    article = Article(title="Guillemets", language="fr", body=(Paragraph(
        tuple(node for _ in range(40) for node in
              (Text("Il a dit "), Quoted((Text("oui"),)), Text(" puis 10\u202fkm. ")))),))
    path = write(article, tmp_path / "fr.pdf", page_size="ereader")
    layout = pdftotext(path, layout=True)
    for line in layout.splitlines():
        stripped = line.strip()
        assert not stripped.startswith(("»", "km")), line
        assert not stripped.endswith("«"), line
    assert "«\u00a0oui\u00a0»" in pdftotext(path) or "« oui »" in pdftotext(path)


# --- books ----------------------------------------------------------------------------------


def test_book_of_three_articles(tmp_path: Path) -> None:
    seed = seed_article()
    english = Article(title="An English article", language="en", authors=("Jane Roe",),
                      body=(Paragraph((Text("He said "), Quoted((Text("hyphenation works"),)),
                                       Text(" in English too."),)),))
    french = Article(title="Un article français", language="fr",
                     body=(Paragraph((Text("Elle a dit "), Quoted((Text("bonjour"),)),
                                      Text("."))),))
    book = Book(title="Sammelband", language="de", published=date(2025, 7, 14),
                articles=(seed, english, french))
    path = write(book, tmp_path / "book.pdf")
    assert_fonts_embedded(path)
    pages = pdftotext(path).split("\f")
    assert "Sammelband" in pages[0] and "3 Artikel" in pages[0] and "14. Juli 2025" in pages[0]
    # every article starts a page with its own title
    starts = [i for i, page in enumerate(pages) for a in book.articles
              if page.lstrip().startswith(a.title.split()[0])]
    assert len(starts) == 3 and 0 not in starts
    assert [t for _, t in outline_titles(path)] == [a.title for a in book.articles]
    text = pdftotext(path)
    assert "“hyphenation works”" in text
    assert re.search("«\\s?bonjour\\s?»", text)
    assert_reads_back(body_text(seed) + "\n" + body_text(english) + "\n" + body_text(french), path)


# --- typography helpers ---------------------------------------------------------------------


def test_hyphenation_avoids_stray_consonant() -> None:
    assert "Militä-r" not in hyphenate("Militärbefehlshaber", "de")
    assert hyphenate("Militärbefehlshaber", "de").startswith("Mi-li-tär-")
    pairs = list(hyphenator("de")("Quadratkilometer"))  # type: ignore[misc]
    assert all(len(head) >= 2 and len(tail) >= 2 for head, tail in pairs)
    assert hyphenate("Tiefe", "de") == "Tie-fe"
    assert hyphenate("hyphenation", "en").endswith("-tion")  # English keeps 3 after a break


def test_hyphenation_cached_and_none_for_unknown() -> None:
    assert hyphenator("de") is hyphenator("de")
    assert hyphenator("zh") is None
    assert hyphenator("xx") is None


def test_font_runs_fall_back_and_report() -> None:
    runs = fonts.split_runs("αβγ \U0001F600 \U00013000", fonts.chain("serif"))
    assert runs[0] == (fonts.SERIF, "αβγ ")
    assert (fonts.SANS, "\U0001F600 ") in runs
    assert runs[-1] == (None, "\U00013000")
    # an invisible control no font has is dropped, not drawn as a box
    assert fonts.split_runs("a\u2066b\u2069", fonts.chain("serif")) == [(fonts.SERIF, "ab")]


def test_format_date() -> None:
    assert format_date(date(2025, 7, 13), "de") == "13. Juli 2025"
    assert format_date(date(2025, 7, 13), "en-US") == "July 13, 2025"
    assert format_date(date(2025, 7, 13), "fr") == "13 juillet 2025"
    assert format_date(date(2025, 7, 13), "ja") == "2025-07-13"


def test_svg_and_broken_images_warn(tmp_path: Path) -> None:
    article = Article(title="Images", language="en", body=(
        Figure(Image(b"<svg/>", "image/svg+xml"), (Text("vector"),)),
        Figure(Image(b"not a png", "image/png"), (Text("broken"),)),
    ))
    with diagnostics.collecting() as found:
        path = write(article, tmp_path / "img.pdf")
    assert {d.code for d in found} == {"image-unsupported", "image-unreadable"}
    assert_reads_back("vector broken", path)


# --- total-fit line breaking ----------------------------------------------------------------

_VOCAB = ("der", "Überraschungsoffensive", "Quadratkilometer", "Syrsky", "„Umfang", "Tiefe“",
          "und", "Militärbefehlshaber", "Nord-Korea", "10\u00a0km", "a", "Bevölkerung,", "im",
          "Donau\u00addampf\u00adschiff", "zurückzudrängen.", "1.000")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=120),
       st.sampled_from(["a4", "ereader"]), st.booleans())
def test_total_fit_keeps_text_and_fits_lines(words: list[str], size: str, bold: bool) -> None:
    from octavo.writers import pdf

    fonts.register(fonts.SERIF)
    fonts.register(fonts.SERIF_BOLD)
    lay = LAYOUTS[size]
    renderer = pdf._Renderer(lay, "de", WriteOptions(page_size=size), pdf._Outline(), anchor="t")
    style = renderer.styles["body"]
    # alternate plain and bold runs, so words cross font changes
    runs = [pdf._Run(w + " ", fonts.SERIF_BOLD if bold and i % 3 == 0 else fonts.SERIF)
            for i, w in enumerate(words)]
    broken = pdf._break_lines(runs, style, lay.frame_width, renderer.positions)
    if broken is None:  # only when a word is wider than the measure
        return
    lines: list[str] = [""]
    widths: list[float] = [0.0]
    for run in broken:
        if run.br:
            lines.append("")
            widths.append(0.0)
            continue
        lines[-1] += run.text
        widths[-1] += sum(pdf._advance(run.font, ch) for ch in run.text) * style.fontSize
    # Same characters in the same order, apart from the spaces and hyphens at the breaks.
    def letters(text: str) -> str:
        return re.sub(r"[\s\-\u00ad]", "", text)

    assert letters("".join(lines)) == letters(" ".join(words))
    assert not any(line.startswith(" ") or line.endswith(" ") for line in lines[:-1])
    space = pdf._advance(fonts.SERIF, " ") * style.fontSize
    for i, (line, width) in enumerate(zip(lines, widths)):
        measure = lay.frame_width - (style.firstLineIndent if i == 0 else 0)
        shrink = line.count(" ") * space * style.spaceShrinkage
        assert width <= measure + shrink + 0.01, (line, width, measure)


def test_code_is_not_hyphenated() -> None:
    from octavo.writers import pdf

    for face in (fonts.SERIF, fonts.MONO):
        fonts.register(face)
    positions = hyphenation.positions("de")
    word = "Überraschungsoffensive"
    runs = [pdf._Run(f"{word} ", fonts.SERIF), pdf._Run(f"{word} ", fonts.MONO),
            pdf._Run(f"{word} {word}", fonts.MONO),  # the run's last word goes another way
            pdf._Run(" x", fonts.SERIF), pdf._Run(word, fonts.MONO)]  # and one across runs
    words = pdf._words(runs, 10.0, positions)
    assert ["".join(t for t, _ in w.pieces) for w in words] == [word] * 4 + ["x" + word]
    assert words[0].breaks  # the same word in text is hyphenated
    assert [w.breaks for w in words[1:]] == [[]] * 4


def test_greedy_fallback_still_hyphenates_well(tmp_path: Path) -> None:
    # A word wider than the measure makes total-fit give up; reportlab's own breaking (with our
    # pyphen callable) takes over and must avoid the stray-consonant break too.
    url = "https://example.org/" + "abcdefghij" * 8
    text = " ".join(["Der Militärbefehlshaber sprach."] * 25 + [url])
    article = Article(title="Rückfall", language="de", body=(Paragraph((Text(text),)),))
    path = write(article, tmp_path / "fallback.pdf", page_size="ereader")
    lines = hyphenated_lines(path)
    assert lines and not any(line.endswith("Militä-") for line in lines)
    assert_reads_back(" ".join(["Der Militärbefehlshaber sprach."] * 25), path)


def test_fallback_chain_can_be_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    # A later font package adds itself like this; bytes work as well as paths (zipped installs).
    monkeypatch.setattr(fonts, "_fallbacks", [])  # restored afterwards: other tests see no change
    source = Path(fonts.__file__).parents[1] / "fonts" / "DejaVuSansMono.ttf"
    fonts.add_fallback("OctavoTestFallback", lambda: source.read_bytes())
    fonts.add_fallback("OctavoTestFallback", lambda: source.read_bytes())  # idempotent
    assert fonts.chain("serif")[-1] == "OctavoTestFallback"
    assert fonts.chain("serif").count("OctavoTestFallback") == 1
    assert ord("a") in fonts.coverage("OctavoTestFallback")


def test_outline_keeps_headings_set_alike_as_siblings() -> None:
    """A post that opens with ### and later uses ##: the ### sections stay siblings under the
    title, and no entry is more than one level below the one before."""
    from octavo.writers import pdf

    outline = pdf._Outline()
    asked = [0, 2, 2, 1, 3, 0, 2, 5, 4]
    given = [outline.entry(f"t{i}", level)[1] for i, level in enumerate(asked)]
    assert given == [0, 1, 1, 1, 2, 0, 1, 2, 2]
    assert all(b <= a + 1 for a, b in zip([-1, *given], given))


# --- footnotes ------------------------------------------------------------------------------


def _noted(title: str, language: str, notes: list[str]) -> Article:
    body = tuple(Paragraph((Text(f"Claim number {i + 1} of {title}."),
                            Note((Paragraph((Quoted((Text(note),)),)),)), Text(" More text.")))
                 for i, note in enumerate(notes))
    return Article(title=title, language=language, body=body)


def test_notes_are_numbered_and_set_at_the_article_end(tmp_path: Path) -> None:
    book = Book(title="Two", language="en", articles=(
        _noted("First", "en", ["Alpha source", "Beta source"]),
        _noted("Zweiter", "de", ["Gamma Quelle"])))
    path = write(book, tmp_path / "notes.pdf")
    lines = [line.strip() for line in pdftotext(path).splitlines() if line.strip()]
    first = lines.index("First", 4)  # after the contents page
    assert lines[first:first + 5] == [
        "First", "Claim number 1 of First.1 More text.", "Claim number 2 of First.2 More text.",
        "Notes", "1. “Alpha source”"]
    assert lines[first + 5] == "2. “Beta source”"
    # numbered from 1 again in the next article, under its language's heading and quotes
    second = lines.index("Zweiter", first)
    assert lines[second + 1:second + 4] == [
        "Claim number 1 of Zweiter.1 More text.", "Anmerkungen", "1. „Gamma Quelle“"]
    assert outline_titles(path) == [(0, "First"), (1, "Notes"), (0, "Zweiter"),
                                    (1, "Anmerkungen")]
    assert_fonts_embedded(path)


def test_a_note_inside_a_note_is_left_out(tmp_path: Path) -> None:
    inner = Note((Paragraph((Text("Never shown"),)),))
    article = Article(title="Nested", language="en", body=(Paragraph((
        Text("Text."), Note((Paragraph((Text("Outer note"), inner)),)),)),))
    text = pdftotext(write(article, tmp_path / "nested.pdf"))
    assert "Outer note" in text and "Never shown" not in text


def test_the_same_note_twice_is_one_note(tmp_path: Path) -> None:
    note = Note((Paragraph((Text("Shared source"),)),))
    article = Article(title="Twice", language="en", body=(
        Paragraph((Text("First."), note, Text(" Second."), Note((Paragraph((Text("Other"),)),)),
                   Text(" Third."), note, Text(" End."))),))
    lines = [ln.strip() for ln in pdftotext(write(article, tmp_path / "twice.pdf")).splitlines()
             if ln.strip()]
    assert "First.1 Second.2 Third.1 End." in lines
    assert lines[lines.index("Notes") + 1:lines.index("Notes") + 3] == [
        "1. Shared source", "2. Other"]


def test_notes_side_by_side_are_told_apart(tmp_path: Path) -> None:
    article = Article(title="Side", language="en", body=(Paragraph((
        Text("Claim."), Note((Paragraph((Text("One"),)),)), Note((Paragraph((Text("Two"),)),)),
        Text(" Next.")),),))
    assert "Claim.1,2 Next." in pdftotext(write(article, tmp_path / "side.pdf"))


def test_note_numbers_link_to_their_notes(tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = write(_noted("Linked", "en", ["One", "Two", "Three"]), tmp_path / "links.pdf")
    reader = PdfReader(path)
    dests = [annot.get_object()["/Dest"] for page in reader.pages
             for annot in page.get("/Annots", []) if "/Dest" in annot.get_object()]
    assert len(dests) == 3  # one a note number, none elsewhere
    last = reader.pages[-1].indirect_reference
    assert all(d[0] == last and d[1] == "/XYZ" for d in dests)  # the notes' page
    tops = [float(d[3]) for d in dests]
    assert tops == sorted(tops, reverse=True) and len(set(tops)) == 3  # note 1, 2, 3 in order


def test_superscript_and_subscript_are_raised_and_lowered(tmp_path: Path) -> None:
    from pypdf import PdfReader

    article = Article(title="F", language="en", body=(Paragraph((
        Text("Water is H"), Subscript((Text("2"),)), Text("O and E = mc"),
        Superscript((Text("2"),)), Text(" here.")),),))
    path = write(article, tmp_path / "scripts.pdf")
    assert "Water is H2O and E = mc2 here." in pdftotext(path)
    content = PdfReader(path).pages[0].get_contents().get_data()
    rises = {float(m) for m in re.findall(rb"(-?[\d.]+) Ts", content)}
    assert any(r > 0 for r in rises) and any(r < 0 for r in rises)
