"""EPUB writer: EPUBCheck-clean output, metadata, language tags, quotes, images, books."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

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
    para,
    replace,
)
from octavo.options import WriteOptions
from octavo.writers import _xhtml
from octavo.writers.epub import EpubWriter, identifier, sniff_image
from tests.epubcheck_helper import SEVERITIES, by_severity, run_epubcheck
from tests.strategies import articles
from tests.writers.conftest import FIXED_TIME, Epub, make_image, seed_article, write

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HOSTILE = "Tom & Jerry <script>alert(1)</script> ]]> \"quoted\" 'single' \x00\x0b\ufffe end"
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
       b'width="40" height="20" viewBox="0 0 40 20"><rect width="40" height="20" '
       b'fill="#369"/></svg>')


def opf(epub: Epub) -> etree._Element:
    return etree.fromstring(epub.read("EPUB/content.opf"))


def xhtml(epub: Epub, name: str) -> etree._Element:
    return etree.fromstring(epub.read(name))


# --- sample books -------------------------------------------------------------------------------


def rich_article() -> Article:
    """Every block and inline type, four image formats, hostile text and links."""
    png = Image(make_image("PNG", (300, 200)), "image/png", "A striped rectangle")
    gif = Image(make_image("GIF", (120, 80)), "image/gif", "")
    webp = Image(make_image("WEBP", (160, 90)), "image/webp", "A WebP picture")
    svg = Image(SVG, "image/svg+xml", "A blue box")
    return Article(
        title="Everything <at> once & more",
        subtitle="A test of \"all\" blocks",
        language="en",
        authors=("Ada Lovelace", "Charles Babbage", "Ada Lovelace"),
        publisher="Analytical & Sons",
        published=date(2024, 2, 29),
        description="Checks <every> block",
        keywords=("testing", "epub", "Testing"),
        url="https://example.org/articles/all?x=1&y=2",
        lead=Figure(image=png, caption=(Text("Lead caption "), Emphasis((Text("in italics"),))),
                    credit="Photo: Someone/Agency"),
        body=(
            Paragraph((Text("Plain, "), Emphasis((Text("em"),)), Text(", "),
                       Strong((Text("strong"),)), Text(", "), Code("x < y && z"), Text(", "),
                       Link((Text("a link"),), "https://example.org/a b?q=ü"), Text(", "),
                       Link((Text("a script"),), "javascript:alert(1)"), Text(", "),
                       Link((Text("mail"),), "mailto:someone@example.org"), Text(", "),
                       Link((Text("relative"),), "../etc/passwd"), Text(", "),
                       Link((Text("IDN"),), "https://bücher.de/straße?q=<ä>#x y"), Text(", "),
                       Link((Text("outer "), Link((Text("nested"),), "https://example.org/n")),
                            "https://example.org/o"), LineBreak(),
                       Quoted((Text("outer "), Quoted((Text("inner"),)), Text(" outer")),))),
            Heading(2, (Text("Second-level heading"),)),
            Paragraph((Text(HOSTILE),)),
            Heading(3, (Text("Third level"),)),
            Heading(4, ()),
            BlockQuote((para("Quoted block."), Heading(5, (Text("Deep"),)))),
            ListBlock(((para("one"),), (para("two"), para("two b")), ()), ordered=True, start=3),
            ListBlock(((para("bullet"),),)),
            ListBlock(()),
            CodeBlock("for i in range(3):\n    print('<%d>' % i)\n", "python"),
            CodeBlock("no language", "c++ <evil>"),
            Table(header=((Text("Name"),), (Text("Value"),)),
                  rows=(((Text("a"),), (Text("1"),)), ((Text("b"),), (Strong((Text("2"),)),)),
                        ((Text("ragged"),),))),
            Table(header=(), rows=()),
            Figure(image=gif, caption=(Text("A GIF with no alt: the caption stands in"),)),
            Figure(image=Image(make_image("GIF", (10, 10)), "image/gif", "")),
            Figure(image=webp, credit="Credit only"),
            Figure(image=svg, caption=(Text("SVG"),)),
            Figure(image=png, caption=(Text("The same PNG again"),)),
            Figure(image=Image(b"not an image at all", "image/png", "broken"),
                   caption=(Text("Broken image, caption kept"),)),
            Figure(image=Image(make_image("PNG", (20, 20)), "image/jpeg", "mislabelled"),
                   caption=(Text("PNG declared as JPEG"),)),
            Figure(caption=(Text("Caption without image"),), credit="Credit text"),
            SectionBreak(),
            Paragraph(()),
            para("After the break."),
        ),
    )


def bound_book() -> Book:
    de = seed_article(with_image=False)
    fr = Article(
        title="La « fin » d'un monde",
        language="fr",
        authors=("Jeanne Dupont",),
        publisher="Le Journal",
        published=date(2025, 3, 1),
        body=(Paragraph((Text("Il a dit "), Quoted((Text("bonjour"),)), Text("."))),
              Heading(1, (Text("Partie"),)), para("Fin.")),
    )
    ar = Article(
        title="مرحبا بالعالم",
        language="ar",
        authors=("كاتب",),
        publisher="الجزيرة",
        body=(Paragraph((Text("قال "), Quoted((Text("نعم"),)), Text(" اليوم."))),),
    )
    return Book(title="Drei Artikel", subtitle="Eine Sammlung", language="de",
                articles=(de, fr, ar), publisher="octavo", published=date(2025, 7, 14))


def rtl_article() -> Article:
    return Article(
        title="שלום עולם",
        language="he",
        authors=("סופר",),
        publisher="הארץ",
        published=date(2025, 1, 2),
        lead=Figure(image=Image(make_image(), "image/jpeg", "תמונה"), caption=(Text("כיתוב"),),
                    credit="צלם"),
        body=(Paragraph((Text("הוא אמר "), Quoted((Text("כן"),)), Text("."))),),
    )


def cjk_article() -> Article:
    """A script the bundled fonts lack: the cover must leave the title off, not draw boxes."""
    return Article(title="東京で地震", language="ja", authors=("記者",), publisher="NHK",
                   body=(para("東京で地震がありました。"),))


def _note(words: str) -> Note:
    return Note((Paragraph((Text(words),)),))


def noted_book() -> Book:
    """Two articles with footnotes: one inside a link, one with typography to do."""
    first = Article(title="Noted", language="en", body=(
        Paragraph((Text("A claim."), _note("The source -- a book..."), Text(" More."))),
        Paragraph((Link((Text("linked"), _note("In a link.")), "https://example.org"),
                   Text(" text."))),
        Paragraph((Text("The same source again."), _note("The source -- a book..."))),
    ))
    second = Article(title="Angemerkt", language="de", body=(
        Paragraph((Text("Ein Satz."), _note("Eine Anmerkung."))),))
    from octavo.typography import typeset_article

    return Book(title="Notes", language="en",
                articles=(typeset_article(first), typeset_article(second)))


def noted_parts() -> Epub:
    """An article cut into parts (1 KB each), its notes referred to from every part."""
    body = tuple(Paragraph((Text(f"Paragraph {i} " + "words " * 120), _note(f"Note {i}.")))
                 for i in range(1, 6))
    article = Article(title="Long and noted", language="en", body=body)
    saved = os.environ.get("OCTAVO_EPUB_PART_KB")
    os.environ["OCTAVO_EPUB_PART_KB"] = "1"
    try:
        return write(article)
    finally:
        if saved is None:
            del os.environ["OCTAVO_EPUB_PART_KB"]
        else:
            os.environ["OCTAVO_EPUB_PART_KB"] = saved


SAMPLES: dict[str, Callable[[], Epub]] = {
    "seed": lambda: write(seed_article()),
    "rich": lambda: write(rich_article()),
    "book": lambda: write(bound_book()),
    "rtl": lambda: write(rtl_article()),
    "cjk-nocover": lambda: write(Book.of(cjk_article()), cover=False),
    "hostile": lambda: write(Article(title=HOSTILE, language="en", authors=(HOSTILE,),
                                     publisher=HOSTILE, body=(para(HOSTILE),))),
    "notes": lambda: write(noted_book()),
    "notes-parts": noted_parts,
}


@pytest.fixture(scope="module")
def samples() -> dict[str, Epub]:
    with diagnostics.collecting():
        return {name: build() for name, build in SAMPLES.items()}


@pytest.fixture(scope="module")
def epubcheck(samples: dict[str, Epub], tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, list[dict]]:
    """EPUBCheck (with USAGE hints) on every sample, once per module."""
    folder = tmp_path_factory.mktemp("epubs")
    paths = {}
    for name, epub in samples.items():
        paths[name] = folder / f"{name}.epub"
        paths[name].write_bytes(epub.data)
    results = run_epubcheck(paths.values(), usage=True)
    return {name: results[path] for name, path in paths.items()}


# --- validity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_epubcheck_reports_no_fatal_error_or_warning(name: str,
                                                     epubcheck: dict[str, list[dict]]) -> None:
    problems = by_severity(epubcheck[name], "FATAL", "ERROR", "WARNING")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_epubcheck_usage_hints_are_none(name: str, epubcheck: dict[str, list[dict]]) -> None:
    hints = by_severity(epubcheck[name], *SEVERITIES)
    assert hints == [], "\n".join(hints)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_entry_is_well_formed_and_ascii_named(name: str, samples: dict[str, Epub]) -> None:
    epub = samples[name]
    names = epub.names()
    assert names[0] == "mimetype"
    assert epub.zip.getinfo("mimetype").compress_type == 0
    for entry in names:
        assert entry.isascii() and " " not in entry
        if entry.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            etree.fromstring(epub.read(entry))


# --- metadata -----------------------------------------------------------------------------------


def test_opf_metadata_of_the_seed(samples: dict[str, Epub]) -> None:
    root = opf(samples["seed"])
    assert root.get(XML_LANG) == "de" and root.get("dir") is None
    md = root.find("opf:metadata", NS)
    assert md.findtext("dc:title", namespaces=NS) == "Ukraine hält noch Gebiet in Kursk"
    assert md.findtext("dc:language", namespaces=NS) == "de"
    assert [c.text for c in md.findall("dc:creator", NS)] == ["Thomas Mackintosh"]
    assert md.findtext("dc:publisher", namespaces=NS) == "BBC News"
    assert md.findtext("dc:date", namespaces=NS) == "2025-07-13"
    assert md.findtext("dc:identifier", namespaces=NS).startswith("urn:uuid:")
    modified = md.xpath("opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert [m.text for m in modified] == ["2025-07-14T12:30:00Z"]
    props = {(m.get("property"), m.text) for m in md.findall("opf:meta", NS)}
    assert ("schema:accessMode", "visual") in props
    assert ("schema:accessibilityFeature", "alternativeText") in props
    assert ("schema:accessibilityHazard", "none") in props
    assert ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA") in props


def test_rich_metadata_authors_subjects_source(samples: dict[str, Epub]) -> None:
    md = opf(samples["rich"]).find("opf:metadata", NS)
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["Ada Lovelace", "Charles Babbage"]
    assert len({c.get("id") for c in creators}) == 2
    assert [s.text for s in md.findall("dc:subject", NS)] == ["testing", "epub"]
    assert md.findtext("dc:description", namespaces=NS) == "Checks <every> block"
    assert md.findtext("dc:source", namespaces=NS) == "https://example.org/articles/all?x=1&y=2"
    assert md.findtext("dc:date", namespaces=NS) == "2024-02-29"


def test_identifier_is_stable_and_content_dependent() -> None:
    a, b = write(seed_article()), write(seed_article(), modified=datetime(2030, 1, 1))
    ident = opf(a).findtext(".//dc:identifier", namespaces=NS)
    assert ident == opf(b).findtext(".//dc:identifier", namespaces=NS)
    other = seed_article()
    changed = replace(other, body=other.body[:-1])
    assert identifier(Book.of(changed)) != identifier(Book.of(other))
    assert identifier(Book.of(other)) == ident


def test_output_is_byte_identical_for_the_same_input() -> None:
    first, second = write(seed_article()), write(seed_article())
    assert hashlib.sha256(first.data).digest() == hashlib.sha256(second.data).digest()
    stamps = {i.date_time for i in first.zip.infolist()}
    assert stamps == {(2025, 7, 14, 12, 30, 0)}


def test_source_date_epoch_sets_modified_and_reproducibility(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752494400")  # 2025-07-14T12:00:00Z
    a = write(seed_article(), modified=None)
    b = write(seed_article(), modified=None)
    assert a.data == b.data
    assert b"2025-07-14T12:00:00Z" in a.read("EPUB/content.opf")


def test_naive_and_aware_modified_times_are_written_in_utc() -> None:
    from datetime import timedelta

    aware = datetime(2025, 7, 14, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    assert b"2025-07-14T12:30:00Z" in write(seed_article(), modified=aware).read(
        "EPUB/content.opf")
    naive = datetime(2025, 7, 14, 12, 30)
    assert b"2025-07-14T12:30:00Z" in write(seed_article(), modified=naive).read(
        "EPUB/content.opf")


# --- content ------------------------------------------------------------------------------------


def test_seed_has_caption_credit_quotes_and_language(samples: dict[str, Epub]) -> None:
    epub = samples["seed"]
    page = epub.text("EPUB/text/article.xhtml")
    assert "Ein ukrainischer Soldat schaut durch das Zielfernrohr" in page
    assert '<span class="credit">Global Images Ukraine via Getty Images</span>' in page
    assert "„Natürlich werden wir weitermachen“, sagte er." in page
    assert "die „Umfang und Tiefe“ der Angriffe" in page
    body = page.split("<body", 1)[1].split(">", 1)[1]
    assert '"' not in re.sub(r"<[^>]*>", "", body)  # no straight quotes left
    root = xhtml(epub, "EPUB/text/article.xhtml")
    assert root.get("lang") == "de" and root.get(XML_LANG) == "de"
    assert root.findtext(".//x:h1", namespaces=NS) == "Ukraine hält noch Gebiet in Kursk"
    assert root.findtext(".//x:p[@class='byline']", namespaces=NS) == "Thomas Mackintosh"
    assert root.find(".//x:time", NS).text == "13. Juli 2025"
    assert root.find(".//x:figure/x:img", NS).get("alt")


def test_single_article_book_has_one_content_document(samples: dict[str, Epub]) -> None:
    root = opf(samples["seed"])
    spine = [i.get("idref") for i in root.findall("opf:spine/opf:itemref", NS)]
    assert spine == ["cover", "article"]
    assert all(i.get("linear") in (None, "yes") for i in root.findall("opf:spine/opf:itemref", NS))
    docs = [n for n in samples["seed"].names() if n.startswith("EPUB/text/")]
    assert docs == ["EPUB/text/cover.xhtml", "EPUB/text/article.xhtml"]


def test_every_document_declares_its_language(samples: dict[str, Epub]) -> None:
    for name, epub in samples.items():
        for doc in epub.documents():
            root = xhtml(epub, doc)
            assert root.get("lang") and root.get("lang") == root.get(XML_LANG), (name, doc)


def test_cover_page_landmarks_and_guide(samples: dict[str, Epub]) -> None:
    epub = samples["seed"]
    cover = xhtml(epub, "EPUB/text/cover.xhtml")
    img = cover.find(".//x:img", NS)
    assert img.get("alt").startswith("Ukraine hält noch Gebiet in Kursk")
    data = epub.read("EPUB/images/cover.jpg")
    from PIL import Image as PILImage

    picture = PILImage.open(io.BytesIO(data))
    assert picture.size == (1000, 1600)
    picture.load()  # the spliced JPEG decodes
    root = opf(epub)
    item = root.find("opf:manifest/opf:item[@id='cover-img']", NS)
    assert item.get("properties") == "cover-image"
    assert {r.get("type") for r in root.findall("opf:guide/opf:reference", NS)} >= {"cover",
                                                                                     "text"}
    nav = xhtml(epub, "EPUB/nav.xhtml")
    types = [a.get(f"{{{NS['epub']}}}type") for a in
             nav.findall(".//x:nav[@id='landmarks']//x:a", NS)]
    assert types == ["cover", "bodymatter"]


def test_no_cover_when_disabled(samples: dict[str, Epub]) -> None:
    epub = samples["cjk-nocover"]
    assert not [n for n in epub.names() if "cover" in n]
    assert b"cover-image" not in epub.read("EPUB/content.opf")


def test_cover_leaves_out_text_the_fonts_cannot_draw() -> None:
    from octavo.writers._cover import render_cover

    # Scripts with a bundled face are drawn, mixed with Latin on one line.
    with diagnostics.collecting() as warnings:
        cover = render_cover(title="東京で地震 M7.1", authors="記者", publisher="NHK", seed="x")
    assert cover.shown == ("東京で地震 M7.1", "記者", "NHK")
    assert not warnings
    # Characters no bundled face has (Ethiopic, emoji) are left off, with a warning.
    with diagnostics.collecting() as warnings:
        cover = render_cover(title="ሰላም ለዓለም", authors="ደራሲ", publisher="NHK", seed="x")
    assert cover.shown == ("NHK",)
    assert any(w.code == "cover-glyphs" for w in warnings)
    with diagnostics.collecting() as warnings:
        cover = render_cover(title="Пожар в Москве 🔥", authors="Иван Петров",
                             publisher="РИА", seed="y")
    assert cover.shown == ("Пожар в Москве", "Иван Петров", "РИА")


def test_rich_content_blocks_and_inlines(samples: dict[str, Epub]) -> None:
    epub = samples["rich"]
    page = epub.text("EPUB/text/article.xhtml")
    root = xhtml(epub, "EPUB/text/article.xhtml")
    assert root.findtext(".//x:h1", namespaces=NS) == "Everything <at> once & more"
    assert [h.text for h in root.findall(".//x:h2", NS)] == ["Second-level heading"]
    assert root.find(".//x:h3", NS).text == "Third level"
    assert root.find(".//x:blockquote/x:h4", NS).text == "Deep"  # h5 follows h3: no gap
    assert root.find(".//x:ol", NS).get("start") == "3"
    assert root.find(".//x:pre/x:code", NS).get("class") == "language-python"
    assert root.find(".//x:pre/x:code", NS).text.startswith("for i in range(3):\n    print")
    assert len(root.findall(".//x:table", NS)) == 1
    assert [th.get("scope") for th in root.findall(".//x:th", NS)] == ["col", "col"]
    assert len(root.findall(".//x:hr", NS)) == 1
    assert root.find(".//x:p/x:em", NS).text == "em"
    assert root.find(".//x:p/x:strong", NS).text == "strong"
    assert root.find(".//x:p/x:code", NS).text == "x < y && z"
    hrefs = [a.get("href") for a in root.findall(".//x:a", NS)]
    assert "https://example.org/a%20b?q=%C3%BC" in hrefs
    assert "mailto:someone@example.org" in hrefs
    assert not any("javascript" in h or "passwd" in h for h in hrefs)
    assert "https://example.org/o" in hrefs and "https://example.org/n" not in hrefs
    assert not root.findall(".//x:a//x:a", NS)  # no links inside links
    assert "a script" in page and "relative" in page  # the text of dropped links stays
    assert "“outer ‘inner’ outer”" in page
    assert len(root.findall(".//x:br", NS)) == 1
    assert "<script>" not in page and "&lt;script&gt;" in page and "]]&gt;" in page


def test_rich_figures_images_and_alt_text(samples: dict[str, Epub]) -> None:
    epub = samples["rich"]
    root = xhtml(epub, "EPUB/text/article.xhtml")
    images = epub.names()
    embedded = sorted(n for n in images if n.startswith("EPUB/images/img-"))
    # PNG (used twice, stored once), GIF, tiny GIF, WebP (as JPEG), SVG, the mislabelled PNG.
    assert [n.rsplit(".", 1)[1] for n in embedded] == ["png", "gif", "gif", "jpg", "svg", "png"]
    manifest = {i.get("href"): i.get("media-type")
                for i in opf(epub).findall("opf:manifest/opf:item", NS)}
    assert manifest["images/img-006.png"] == "image/png"
    assert manifest["images/img-004.jpg"] == "image/jpeg"
    assert epub.read("EPUB/images/img-004.jpg").startswith(b"\xff\xd8\xff")
    for img in root.findall(".//x:img", NS):
        alt = img.get("alt")
        assert alt is not None
        assert alt or img.get("role") == "presentation"
    alts = [img.get("alt") for img in root.findall(".//x:img", NS)]
    assert "A GIF with no alt: the caption stands in" in alts
    captions = [" ".join("".join(f.itertext()).split())
                for f in root.findall(".//x:figcaption", NS)]
    assert "Lead caption in italics Photo: Someone/Agency" in captions
    assert "Broken image, caption kept" in captions
    assert "Caption without image Credit text" in captions
    assert root.find(".//x:figure[@class='figure lead']/x:figcaption/x:span[@class='credit']",
                     NS).text == "Photo: Someone/Agency"


def test_rich_navigation_lists_sections(samples: dict[str, Epub]) -> None:
    nav = xhtml(samples["rich"], "EPUB/nav.xhtml")
    links = [(a.get("href"), a.text) for a in nav.findall(".//x:nav[@id='toc']//x:a", NS)]
    assert links[0] == ("text/article.xhtml", "Everything <at> once & more")
    assert ("text/article.xhtml#s1", "Second-level heading") in links
    ncx = etree.fromstring(samples["rich"].read("EPUB/toc.ncx"))
    assert len(ncx.findall(".//ncx:navPoint", NS)) == 2


def test_bound_book(samples: dict[str, Epub]) -> None:
    epub = samples["book"]
    root = opf(epub)
    spine = [i.get("idref") for i in root.findall("opf:spine/opf:itemref", NS)]
    assert spine == ["cover", "titlepage", "article-001", "article-002", "article-003"]
    assert [e.text for e in root.findall(".//dc:language", NS)] == ["de", "fr", "ar"]
    assert root.find("opf:spine", NS).get("page-progression-direction") is None
    langs = {}
    for i, lang in enumerate(("de", "fr", "ar"), 1):
        doc = xhtml(epub, f"EPUB/text/article-{i:03d}.xhtml")
        langs[lang] = doc
        assert doc.get("lang") == lang and doc.get(XML_LANG) == lang
    assert langs["ar"].get("dir") == "rtl"
    assert langs["ar"].find("x:body", NS).get("dir") == "rtl"
    assert langs["de"].get("dir") is None
    assert "«\u202fbonjour\u202f»" in etree.tostring(langs["fr"], encoding="unicode")
    assert "«نعم»" in etree.tostring(langs["ar"], encoding="unicode")
    # The French article's "Heading 1" became h2, under the article's h1.
    assert langs["fr"].find(".//x:h2", NS).text == "Partie"
    nav = xhtml(epub, "EPUB/nav.xhtml")
    entries = nav.findall(".//x:nav[@id='toc']/x:ol/x:li", NS)
    assert len(entries) == 3
    assert entries[0].find("x:a", NS).text == (
        "Ukraine hält noch Gebiet in Kursk — Thomas Mackintosh, BBC News")
    assert entries[0].get("lang") is None
    assert entries[1].get("lang") == "fr" and entries[1].get(XML_LANG) == "fr"
    assert entries[2].get("lang") == "ar" and entries[2].get("dir") is None
    assert entries[2].find("x:a", NS).get("dir") == "rtl"  # on the text, not the list item
    title = xhtml(epub, "EPUB/text/titlepage.xhtml")
    assert title.findtext(".//x:h1", namespaces=NS) == "Drei Artikel"
    assert [li.get("lang") for li in title.findall(".//x:ol/x:li", NS)] == [None, "fr", "ar"]
    ncx = etree.fromstring(epub.read("EPUB/toc.ncx"))
    assert len(ncx.findall("ncx:navMap/ncx:navPoint", NS)) == 3


def test_rtl_book_direction(samples: dict[str, Epub]) -> None:
    epub = samples["rtl"]
    package = opf(epub)
    assert package.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    assert package.get(XML_LANG) == "he" and package.get("dir") == "rtl"
    for doc in epub.documents():
        root = xhtml(epub, doc)
        assert root.get("lang") == "he" and root.get("dir") == "rtl", doc


def test_unknown_language_labels_are_tagged_english(samples: dict[str, Epub]) -> None:
    nav = xhtml(samples["cjk-nocover"], "EPUB/nav.xhtml")
    assert nav.get("lang") == "ja"
    heading = nav.find(".//x:nav[@id='toc']/x:h1", NS)
    assert heading.text == "Contents" and heading.get("lang") == "en"


def test_hostile_strings_survive_escaped(samples: dict[str, Epub]) -> None:
    epub = samples["hostile"]
    md = opf(epub).find("opf:metadata", NS)
    clean = _xhtml.clean(HOSTILE)
    assert md.findtext("dc:title", namespaces=NS) == " ".join(clean.split())
    page = xhtml(epub, "EPUB/text/article.xhtml")
    assert page.findtext(".//x:h1", namespaces=NS) == clean
    assert page.findtext(".//x:title", namespaces=NS) == " ".join(clean.split())


def test_stylesheet_is_reader_friendly(samples: dict[str, Epub]) -> None:
    css = samples["seed"].text("EPUB/styles/book.css")
    for needed in ("text-align: justify", "hyphens: auto", "-webkit-hyphens: auto",
                   "adobe-hyphenate: auto", "figcaption", ".credit"):
        assert needed in css
    assert not re.search(r"\d(px|pt)\b", css.replace("1px solid", ""))  # sizes are relative
    assert "position: fixed" not in css and "@font-face" not in css
    assert not re.search(r"font-family:(?!\s*monospace)", css)
    link = xhtml(samples["seed"], "EPUB/text/article.xhtml").find(".//x:link", NS)
    assert link.get("href") == "../styles/book.css"


def test_straight_quotes_without_typography() -> None:
    epub = write(seed_article(), typography=False, cover=False)
    assert "\"Natürlich werden wir weitermachen\", sagte er." in epub.text(
        "EPUB/text/article.xhtml").replace("&quot;", '"')


def test_writes_to_a_stream_and_reports_write_errors() -> None:
    from octavo.errors import OutputError

    class Broken(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError("disk full")

    with pytest.raises(OutputError, match="disk full"):
        EpubWriter().write(Book.of(seed_article()), Broken(),  # type: ignore[arg-type]
                           WriteOptions(modified=FIXED_TIME))


def test_plugin_attributes() -> None:
    assert EpubWriter.name == "epub" and EpubWriter.extension == ".epub"


# --- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/x", "https://example.org/x"),
    ("HTTP://example.org", "http://example.org/"),
    ("https://bücher.de/ä?q=ü#a b", "https://xn--bcher-kva.de/%C3%A4?q=%C3%BC#a%20b"),
    ("https://user@[::1]:8080/p", "https://user@[::1]:8080/p"),
    ("https://example.org:99999/", None),
    ("mailto:a@b.c", "mailto:a@b.c"),
    ("https://example.org/a b", "https://example.org/a%20b"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("javascript:alert(1)", None),
    ("data:text/html,x", None),
    ("/relative", None),
    ("https://", None),
    ("https://[::1", None),
    ("mailto:", None),
])
def test_safe_url(url: str, expected: str | None) -> None:
    assert _xhtml.safe_url(url) == expected


@pytest.mark.parametrize("tag, rtl", [("ar", True), ("he-IL", True), ("fa", True), ("ur", True),
                                      ("yi", True), ("az-Arab", True), ("ku-Latn", False),
                                      ("de", False), ("en-GB", False)])
def test_is_rtl(tag: str, rtl: bool) -> None:
    assert _xhtml.is_rtl(tag) is rtl


def test_format_date() -> None:
    assert _xhtml.format_date(date(2025, 7, 13), "de-AT") == "13. Juli 2025"
    assert _xhtml.format_date(date(2025, 7, 13), "en-US") == "July 13, 2025"
    assert _xhtml.format_date(date(2025, 7, 13), "ja") == "2025-07-13"


def test_sniff_image() -> None:
    assert sniff_image(make_image("PNG", (4, 4))) == "image/png"
    assert sniff_image(make_image("JPEG", (4, 4))) == "image/jpeg"
    assert sniff_image(SVG) == "image/svg+xml"
    assert sniff_image(b"hello") is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_any_article_gives_well_formed_documents(article: Article) -> None:
    with diagnostics.collecting():
        epub = write(article, cover=False)
    for name in epub.names():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            root = etree.fromstring(epub.read(name))
            if name.endswith(".xhtml"):
                assert root.get("lang") == root.get(XML_LANG)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles)
def test_any_article_gets_a_cover(article: Article) -> None:
    with diagnostics.collecting():
        epub = write(article)
    from PIL import Image as PILImage

    picture = PILImage.open(io.BytesIO(epub.read("EPUB/images/cover.jpg")))
    assert picture.size == (1000, 1600)
    picture.load()
    alt = xhtml(epub, "EPUB/text/cover.xhtml").find(".//x:img", NS).get("alt")
    assert alt and alt.strip()


def test_foreign_language_and_direction_attributes() -> None:
    assert _xhtml.foreign_lang("de", "de") == "" and _xhtml.foreign_dir("de", "de") == ""
    assert _xhtml.foreign_lang("fr", "de") == ' lang="fr" xml:lang="fr"'
    assert _xhtml.foreign_dir("ar", "de") == ' dir="rtl"'
    assert _xhtml.foreign_dir("en", "he") == ' dir="ltr"'
    assert _xhtml.foreign_dir("ar", "fa") == ""


def test_accessibility_metadata_without_images(samples: dict[str, Epub]) -> None:
    md = opf(samples["cjk-nocover"]).find("opf:metadata", NS)
    props = [(m.get("property"), m.text) for m in md.findall("opf:meta", NS)]
    assert ("schema:accessMode", "textual") in props
    assert ("schema:accessMode", "visual") not in props
    assert ("schema:accessibilityFeature", "alternativeText") not in props
    summary = md.find("opf:meta[@property='schema:accessibilitySummary']", NS)
    assert summary.get(XML_LANG) == "en"  # no Japanese summary: the English one says so


# --- footnotes ----------------------------------------------------------------------------------


def test_notes_are_endnotes_linked_both_ways(samples: dict[str, Epub]) -> None:
    epub = samples["notes"]
    first = xhtml(epub, "EPUB/text/article-001.xhtml")
    refs = first.findall(".//x:sup[@class='noteref']", NS)
    # the same note twice is one note, referred to from two places
    assert [r.get("id") for r in refs] == ["noteref-1", "noteref-2", "noteref-1-2"]
    assert [r.find("x:a", NS).get("href") for r in refs if r.find("x:a", NS) is not None] == [
        "#note-1", "#note-1"]
    assert refs[1].find("x:a", NS) is None  # inside a link: a number, not a link in a link
    notes = first.find(".//x:section[@class='notes']", NS)
    assert notes.get(f"{{{NS['epub']}}}type") == "endnotes"
    assert notes.find("x:h2", NS).text == "Notes"
    items = notes.findall("x:ol/x:li", NS)
    assert [li.get("id") for li in items] == ["note-1", "note-2"]
    assert "".join(items[0].find("x:p", NS).itertext()) == "The source\u00a0– a book…"
    assert [li.find(".//x:a[@role='doc-backlink']", NS).get("href") for li in items] == [
        "#noteref-1", "#noteref-2"]
    # numbered from 1 again in the next article, under a heading in its language
    second = xhtml(epub, "EPUB/text/article-002.xhtml")
    assert second.find(".//x:sup", NS).get("id") == "noteref-1"
    assert second.find(".//x:section[@class='notes']/x:h2", NS).text == "Anmerkungen"


def test_notes_of_an_article_in_parts_link_across_documents(samples: dict[str, Epub]) -> None:
    epub = samples["notes-parts"]
    parts = sorted(n for n in epub.names() if n.startswith("EPUB/text/article-part"))
    assert len(parts) > 1
    parts.insert(0, "EPUB/text/article.xhtml")  # the first part, then part002, part003...
    last = parts[-1].rsplit("/", 1)[1]
    hrefs, backs = {}, {}
    for name in parts:
        doc = xhtml(epub, name)
        for sup in doc.findall(".//x:sup[@class='noteref']", NS):
            href = sup.find("x:a", NS).get("href")
            hrefs[sup.get("id")] = (name.rsplit("/", 1)[1], href)
        for back in doc.findall(".//x:a[@role='doc-backlink']", NS):
            backs[back.getparent().getparent().get("id")] = back.get("href")
    assert len(hrefs) == len(backs) == 5
    for n in range(1, 6):
        where, href = hrefs[f"noteref-{n}"]
        assert href == (f"#note-{n}" if where == last else f"{last}#note-{n}")
        assert backs[f"note-{n}"] == (f"#noteref-{n}" if where == last
                                      else f"{where}#noteref-{n}")


def test_notes_side_by_side_are_told_apart() -> None:
    article = Article(title="Side", language="en", body=(Paragraph((
        Text("Claim."), _note("One"), _note("Two"), Text(" Next."))),))
    doc = xhtml(write(article, cover=False), "EPUB/text/article.xhtml")
    assert ["".join(sup.itertext()) for sup in doc.findall(".//x:sup", NS)] == ["1", ",2"]


def test_superscript_and_subscript() -> None:
    article = Article(title="F", language="en", body=(Paragraph((
        Text("H"), Subscript((Text("2"),)), Text("O, mc"), Superscript((Text("2"),)))),))
    doc = xhtml(write(article, cover=False), "EPUB/text/article.xhtml")
    assert [(el.tag.split("}")[1], el.text) for el in doc.iter(
        "{http://www.w3.org/1999/xhtml}sup", "{http://www.w3.org/1999/xhtml}sub")] == [
        ("sub", "2"), ("sup", "2")]
