"""Archival PDF/A-2u post-processing: XMP, OutputIntent, /ID, fonts, annotations, reproducibility.

The structural checks need only pikepdf and pypdf. The veraPDF tests use the veraPDF validation
library (see tests/verapdf_helper.py): they skip without it, except in CI, which installs it.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pikepdf = pytest.importorskip("pikepdf")

from octavo import diagnostics  # noqa: E402
from octavo.model import (  # noqa: E402
    Article,
    Book,
    Figure,
    Heading,
    Image,
    Link,
    Paragraph,
    Text,
)
from octavo.options import WriteOptions  # noqa: E402
from octavo.writers._pdfa import (  # noqa: E402
    font_problems,
    pdf_date,
    srgb_profile,
    to_pdfa2u,
    xmp_date,
)
from octavo.writers.pdf import PdfWriter  # noqa: E402
from tests.verapdf_helper import require_verapdf, run_verapdf  # noqa: E402
from tests.writers.conftest import make_image, seed_article  # noqa: E402

WHEN = datetime(2025, 7, 13, 14, 30, 5, tzinfo=timezone(timedelta(hours=2)))
CREATED = datetime(2025, 7, 12, 9, 0, 0, tzinfo=timezone.utc)

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
}


# --- building samples -----------------------------------------------------------------------


def render(book: Book | Article) -> bytes:
    if isinstance(book, Article):
        book = Book.of(book)
    out = io.BytesIO()
    PdfWriter().write(book, out, WriteOptions(modified=WHEN))
    return out.getvalue()


def archive(pdf: bytes, *, title: str = "Ukraine hält noch Gebiet in Kursk",
            authors: Sequence[str] = ("Thomas Mackintosh",), language: str = "de",
            subject: str | None = "Die Lage in Kursk",
            keywords: Sequence[str] = ("Ukraine", "Kursk"),
            document_id: bytes | None = None, producer: str | None = None) -> bytes:
    return to_pdfa2u(pdf, title=title, authors=authors, language=language, subject=subject,
                     keywords=keywords, creator="octavo test", producer=producer,
                     created=CREATED, modified=WHEN, document_id=document_id)


def linked_article() -> Article:
    return Article(
        title="Links & <Markup>", language="en", authors=("Ann Author", "Bob Writer"),
        body=(
            Paragraph((Text("See "), Link((Text("the site"),), "https://example.org/?a=1&b=2"),
                       Text(" or "), Link((Text("write"),), "mailto:news@example.org"),
                       Text("."))),
            Heading(2, (Text("Later"),)),
            Paragraph((Text("Привет, Καλημέρα, naïve café."),)),
        ),
    )


def cmyk_jpeg() -> bytes:
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("CMYK", (200, 120), (10, 80, 30, 5)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def seed_raw() -> bytes:
    return render(seed_article())


@pytest.fixture(scope="module")
def seed_pdfa(seed_raw: bytes) -> bytes:
    return archive(seed_raw)


@pytest.fixture(scope="module")
def links_raw() -> bytes:
    return render(linked_article())


@pytest.fixture(scope="module")
def book_raw() -> bytes:
    images = Article(
        title="Bilder", language="de",
        lead=Figure(Image(cmyk_jpeg(), "image/jpeg", "CMYK"), caption=(Text("CMYK-Bild"),)),
        body=(Figure(Image(make_image("PNG", (80, 60)), "image/png", "PNG")),
              Paragraph((Text("Ende."),))),
    )
    book = Book(title="Drei Artikel", language="de",
                articles=(seed_article(), linked_article(), images),
                authors=("Red Aktion",), published=date(2025, 7, 13))
    return render(book)


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def xmp_of(data: bytes) -> ET.Element:
    with open_pdf(data) as pdf:
        meta = pdf.Root.Metadata
        assert meta.Type == pikepdf.Name.Metadata and meta.Subtype == pikepdf.Name.XML
        return ET.fromstring(meta.read_bytes())


def prop(root: ET.Element, name: str) -> ET.Element | None:
    return root.find(f".//rdf:Description/{name}", NS)


def text_of(root: ET.Element, name: str) -> str | None:
    node = prop(root, name)
    if node is None:
        return None
    items = node.findall(".//rdf:li", NS)
    return items[0].text if items else node.text


def pypdf_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


# --- metadata -------------------------------------------------------------------------------


def test_xmp_identifies_pdfa_2u(seed_pdfa: bytes) -> None:
    root = xmp_of(seed_pdfa)
    assert text_of(root, "pdfaid:part") == "2"
    assert text_of(root, "pdfaid:conformance") == "U"


def test_xmp_matches_the_info_dictionary(seed_pdfa: bytes) -> None:
    root = xmp_of(seed_pdfa)
    with open_pdf(seed_pdfa) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
    title = prop(root, "dc:title")
    assert title is not None
    li = title.find("rdf:Alt/rdf:li", NS)
    assert li is not None and li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"
    assert li.text == info["/Title"] == "Ukraine hält noch Gebiet in Kursk"
    creator = prop(root, "dc:creator")
    assert creator is not None and creator.find("rdf:Seq", NS) is not None
    assert text_of(root, "dc:creator") == info["/Author"] == "Thomas Mackintosh"
    assert text_of(root, "dc:description") == info["/Subject"] == "Die Lage in Kursk"
    assert text_of(root, "pdf:Keywords") == info["/Keywords"] == "Ukraine, Kursk"
    assert text_of(root, "pdf:Producer") == info["/Producer"]
    assert text_of(root, "xmp:CreatorTool") == info["/Creator"] == "octavo test"
    assert text_of(root, "dc:language") == "de"


def test_dates_match_with_their_time_zone(seed_pdfa: bytes) -> None:
    root = xmp_of(seed_pdfa)
    with open_pdf(seed_pdfa) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20250712090000+00'00'"
        assert str(pdf.docinfo.ModDate) == "D:20250713143005+02'00'"
    assert text_of(root, "xmp:CreateDate") == "2025-07-12T09:00:00+00:00"
    assert text_of(root, "xmp:ModifyDate") == "2025-07-13T14:30:05+02:00"
    assert text_of(root, "xmp:MetadataDate") == "2025-07-13T14:30:05+02:00"


def test_date_formats_agree() -> None:
    west = datetime(2024, 2, 29, 23, 59, 58, 999, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))
    assert pdf_date(west) == "D:20240229235958-03'30'"
    assert xmp_date(west) == "2024-02-29T23:59:58-03:30"


def test_naive_dates_are_utc(seed_raw: bytes) -> None:
    naive = datetime(2025, 1, 2, 3, 4, 5)
    out = to_pdfa2u(seed_raw, title="T", authors=(), language="de", subject=None, keywords=(),
                    creator="c", producer="p", created=naive, modified=naive)
    with open_pdf(out) as pdf:
        assert str(pdf.docinfo.ModDate) == "D:20250102030405+00'00'"
    assert text_of(xmp_of(out), "xmp:ModifyDate") == "2025-01-02T03:04:05+00:00"


def test_empty_fields_are_left_out_of_both(seed_raw: bytes) -> None:
    out = archive(seed_raw, authors=(), subject=None, keywords=())
    root = xmp_of(out)
    with open_pdf(out) as pdf:
        for key in ("/Author", "/Subject", "/Keywords"):
            assert key not in pdf.docinfo
    for name in ("dc:creator", "dc:description", "pdf:Keywords"):
        assert prop(root, name) is None


def test_several_authors_are_one_creator_line(links_raw: bytes) -> None:
    out = archive(links_raw, title="Links & <Markup>", authors=("Ann Author", "Bob Writer"),
                  language="en")
    with open_pdf(out) as pdf:
        assert str(pdf.docinfo.Author) == "Ann Author, Bob Writer"
        assert str(pdf.docinfo.Title) == "Links & <Markup>"
    root = xmp_of(out)
    assert text_of(root, "dc:creator") == "Ann Author, Bob Writer"
    assert text_of(root, "dc:title") == "Links & <Markup>"


def test_producer_is_kept_or_replaced(seed_raw: bytes, seed_pdfa: bytes) -> None:
    with open_pdf(seed_raw) as pdf:
        original = str(pdf.docinfo.Producer)
    with open_pdf(seed_pdfa) as pdf:
        assert str(pdf.docinfo.Producer) == original
    with open_pdf(archive(seed_raw, producer="octavo 9")) as pdf:
        assert str(pdf.docinfo.Producer) == "octavo 9"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(min_size=1, max_size=40), author=st.text(max_size=20))
def test_any_text_gives_parseable_xmp_equal_to_info(seed_raw: bytes, title: str,
                                                   author: str) -> None:
    out = archive(seed_raw, title=title, authors=(author,))
    root = xmp_of(out)  # raises if the packet is not well-formed XML
    with open_pdf(out) as pdf:
        info_title = str(pdf.docinfo.get("/Title", ""))
        info_author = str(pdf.docinfo.get("/Author", ""))
    assert (text_of(root, "dc:title") or "") == info_title
    assert (text_of(root, "dc:creator") or "") == info_author


# --- structure ------------------------------------------------------------------------------


def test_lone_surrogates_and_controls_are_dropped(seed_raw: bytes) -> None:
    out = archive(seed_raw, title="A\ud800B\x00C\tD\n E", authors=("X\x07Y",))
    with open_pdf(out) as pdf:
        assert str(pdf.docinfo.Title) == "ABC D E"
        assert str(pdf.docinfo.Author) == "XY"
    assert text_of(xmp_of(out), "dc:title") == "ABC D E"


def test_srgb_output_intent(seed_pdfa: bytes) -> None:
    from PIL import ImageCms

    with open_pdf(seed_pdfa) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert intent.Type == pikepdf.Name.OutputIntent
        assert str(intent.OutputConditionIdentifier) == "sRGB IEC61966-2.1"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 3
        data = profile.read_bytes()
    assert data == srgb_profile()
    assert data[12:20] == b"mntrRGB "  # a display profile in RGB
    assert data[8] in (2, 4)  # ICC v2 or v4: PDF/A-2 takes both
    parsed = ImageCms.ImageCmsProfile(io.BytesIO(data))
    assert "sRGB" in ImageCms.getProfileDescription(parsed)


def test_version_lang_and_header(seed_pdfa: bytes) -> None:
    assert seed_pdfa.startswith(b"%PDF-1.7\n%")
    assert all(b >= 128 for b in seed_pdfa[10:14])  # the binary comment PDF/A asks for
    with open_pdf(seed_pdfa) as pdf:
        assert pdf.pdf_version == "1.7"
        assert str(pdf.Root.Lang) == "de"


def test_lang_is_added_when_missing() -> None:
    bare = pikepdf.new()
    bare.add_blank_page()
    buf = io.BytesIO()
    bare.save(buf)
    out = archive(buf.getvalue(), language="pt-BR")
    with open_pdf(out) as pdf:
        assert str(pdf.Root.Lang) == "pt-BR"


def test_fonts_are_embedded_with_unicode_maps(seed_pdfa: bytes, book_raw: bytes) -> None:
    for data in (seed_pdfa, archive(book_raw)):
        with open_pdf(data) as pdf:
            assert font_problems(pdf) == []
            fonts = [o for o in pdf.objects
                     if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == pikepdf.Name.Font]
            assert fonts
            for font in fonts:
                assert "/FontFile2" in font.FontDescriptor
                assert "/ToUnicode" in font


def test_link_annotations_print_and_have_no_actions(links_raw: bytes) -> None:
    out = archive(links_raw, language="en")
    uris = []
    with open_pdf(out) as pdf:
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                assert int(annot.F) == 4
                assert "/AA" not in annot
                if annot.Subtype == pikepdf.Name.Link and "/A" in annot:
                    uris.append(str(annot.A.get("/URI", "")))
    assert "https://example.org/?a=1&b=2" in uris
    assert "mailto:news@example.org" in uris


def test_text_extracts_as_before(seed_raw: bytes, seed_pdfa: bytes, book_raw: bytes) -> None:
    assert pypdf_text(seed_pdfa) == pypdf_text(seed_raw)
    assert pypdf_text(archive(book_raw)) == pypdf_text(book_raw)


def cmyk_pdf() -> bytes:
    """reportlab passes a CMYK JPEG through as DeviceCMYK (made here, not by the writer, which
    may already hand out PDF/A)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(300, 200), invariant=1)
    canvas.drawImage(ImageReader(io.BytesIO(cmyk_jpeg())), 10, 10, width=200, height=120)
    canvas.save()
    return buf.getvalue()


def image_spaces(data: bytes) -> list[str]:
    with open_pdf(data) as pdf:
        return [str(o.get("/ColorSpace")) for o in pdf.objects
                if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == pikepdf.Name.Image]


def test_cmyk_images_become_rgb(book_raw: bytes) -> None:
    raw = cmyk_pdf()
    assert image_spaces(raw) == ["/DeviceCMYK"]
    assert image_spaces(archive(raw)) == ["/DeviceRGB"]
    assert "/DeviceCMYK" not in image_spaces(archive(book_raw))


def test_cmyk_colours_survive() -> None:
    from PIL import Image as PILImage

    with open_pdf(archive(cmyk_pdf())) as pdf:
        image = next(o for o in pdf.objects if isinstance(o, pikepdf.Stream)
                     and o.get("/Subtype") == pikepdf.Name.Image)
        assert "/Decode" not in image
        picture = PILImage.open(io.BytesIO(image.read_raw_bytes()))
    r, g, b = picture.convert("RGB").getpixel((100, 60))
    # CMYK (4%, 31%, 12%, 2%): a pink, not its inverse
    assert r > 220 and 150 < g < 200 and 190 < b < 235


# --- what PDF/A forbids ---------------------------------------------------------------------


def _lzw(data: bytes) -> bytes:
    """LZW without compression: clear, one 9-bit code per byte, end (fine below 250 bytes)."""
    codes = [256, *data, 257]
    bits = "".join(f"{c:09b}" for c in codes)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def forbidden_pdf() -> bytes:
    """A PDF with JavaScript, an embedded file, LZW, hidden annotations and extra actions."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    content = b"0 0 1 rg 10 10 50 50 re f"
    page.obj.Contents = pdf.make_stream(_lzw(content), Filter=pikepdf.Name.LZWDecode)
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    page.obj.AA = pikepdf.Dictionary(O=js)
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 60, 60], F=2,
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/")),
        AA=pikepdf.Dictionary(E=js),
    )
    launch = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[70, 70, 90, 90],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe")),
    )
    sound = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Sound,
                               Rect=[0, 0, 5, 5])
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([link, launch, sound]))
    embedded = pdf.make_stream(b"hello")
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("x"), js]),
        EmbeddedFiles=pikepdf.Dictionary(Names=[
            pikepdf.String("a.txt"),
            pikepdf.Dictionary(Type=pikepdf.Name.Filespec, F=pikepdf.String("a.txt"),
                               EF=pikepdf.Dictionary(F=embedded)),
        ]),
    )
    pdf.Root.OpenAction = js
    pdf.Root.AA = pikepdf.Dictionary(WC=js)
    buf = io.BytesIO()
    pdf.save(buf, compress_streams=False)
    return buf.getvalue()


def test_forbidden_things_are_removed() -> None:
    raw = forbidden_pdf()
    with open_pdf(raw) as pdf:  # the sample really holds what it should
        assert pdf.pages[0].Contents.read_bytes() == b"0 0 1 rg 10 10 50 50 re f"
    out = archive(raw)
    assert b"app.alert" not in out and b"calc.exe" not in out
    with open_pdf(out) as pdf:
        root = pdf.Root
        assert "/OpenAction" not in root and "/AA" not in root
        assert "/JavaScript" not in root.Names and "/EmbeddedFiles" not in root.Names
        page = pdf.pages[0]
        assert "/AA" not in page.obj
        assert page.Contents.get("/Filter") != pikepdf.Name.LZWDecode
        assert page.Contents.read_bytes() == b"0 0 1 rg 10 10 50 50 re f"
        annots = list(page.obj.Annots)
        assert [a.Subtype for a in annots] == [pikepdf.Name.Link, pikepdf.Name.Link]
        for annot in annots:
            assert int(annot.F) == 4 and "/AA" not in annot
        assert str(annots[0].A.URI) == "https://example.org/"
        assert "/A" not in annots[1]
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert "/LZWDecode" not in str(obj.get("/Filter", ""))


def test_a_font_without_program_is_reported() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                           BaseFont=pikepdf.Name.Helvetica))))
    buf = io.BytesIO()
    pdf.save(buf)
    with diagnostics.collecting() as found:
        archive(buf.getvalue())
    messages = [d.message for d in found if d.code == "pdfa-font"]
    assert any("Helvetica is not embedded" in m for m in messages)
    assert any("Helvetica has no ToUnicode" in m for m in messages)


def test_a_broken_pdf_is_a_writer_error() -> None:
    from octavo.errors import WriterError

    with pytest.raises(WriterError, match="PDF/A-2u"):
        archive(b"%PDF-1.4\nthis is not a PDF")


# --- reproducibility ------------------------------------------------------------------------


def test_same_input_same_bytes(seed_raw: bytes, seed_pdfa: bytes) -> None:
    again = archive(seed_raw)
    assert again == seed_pdfa
    with open_pdf(seed_pdfa) as pdf:
        ident = [bytes(x) for x in pdf.trailer.ID]
    assert len(ident) == 2 and all(len(x) == 16 for x in ident)


def test_document_id_fixes_the_first_id(seed_raw: bytes, seed_pdfa: bytes) -> None:
    def first_id(data: bytes) -> bytes:
        with open_pdf(data) as pdf:
            return bytes(pdf.trailer.ID[0])

    one = archive(seed_raw, document_id=b"book-1")
    assert first_id(one) == first_id(archive(seed_raw, document_id=b"book-1"))
    assert first_id(one) != first_id(archive(seed_raw, document_id=b"book-2"))
    assert first_id(one) != first_id(seed_pdfa)
    # The document stays the same document when its content changes (a new edition).
    assert first_id(archive(seed_raw, title="Other", document_id=b"book-1")) == first_id(one)
    assert text_of(xmp_of(one), "xmpMM:DocumentID") == text_of(
        xmp_of(archive(seed_raw, title="Other", document_id=b"book-1")), "xmpMM:DocumentID")


def test_running_twice_keeps_it_pdfa(seed_pdfa: bytes) -> None:
    twice = archive(seed_pdfa)
    with open_pdf(twice) as pdf:
        assert len(pdf.Root.OutputIntents) == 1
        assert str(pdf.docinfo.Title) == "Ukraine hält noch Gebiet in Kursk"
    assert text_of(xmp_of(twice), "pdfaid:part") == "2"
    assert pypdf_text(twice) == pypdf_text(seed_pdfa)


# --- veraPDF -------------------------------------------------------------------------------


SCRIPT_SAMPLES = ("hin", "tha", "arb", "heb", "cmn_hans", "missing")


def script_sample(sample: str) -> bytes:
    """Shaped scripts (private glyph widths: rule 6.2.11.5-1; ActualText spans) and characters
    no font has (a placeholder glyph, never .notdef: rules 6.2.11.7.2, 6.2.11.8)."""
    from octavo.options import ReadOptions
    from octavo.plugins import Source
    from octavo.readers.text import TextReader

    if sample == "missing":
        article = Article(title="Missing \U00013080", language="hi", body=(
            Paragraph((Text("Hieroglyph \U00013000, Linear B \U00010000, मानव \U00013001"),)),))
    else:
        source = Path(__file__).parents[1] / "data" / "udhr" / f"{sample}.txt"
        language = {"hin": "hi", "tha": "th", "arb": "ar", "heb": "he", "cmn_hans": "zh"}[sample]
        article = TextReader().read(Source(source.read_bytes(), source.name, source),
                                    ReadOptions(language=language))
    with diagnostics.collecting():
        return render(article)


@pytest.fixture(scope="module")
def verapdf_verdicts(seed_pdfa: bytes, links_raw: bytes, book_raw: bytes,
                     tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every sample validated as PDF/A-2u in one veraPDF run: sample name -> verdict line."""
    require_verapdf()
    samples = {
        "seed": seed_pdfa,
        "links": archive(links_raw, title="Links & <Markup>", language="en",
                         authors=("Ann Author", "Bob Writer")),
        "book": archive(book_raw, title="Drei Artikel", authors=("Red Aktion",)),
        "forbidden": archive(forbidden_pdf()),
        **{name: script_sample(name) for name in SCRIPT_SAMPLES},
    }
    folder = tmp_path_factory.mktemp("verapdf")
    paths = {}
    for name, data in samples.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    verdicts = run_verapdf(paths.values(), "2u")
    return {name: verdicts[path] for name, path in paths.items()}


@pytest.mark.slow
@pytest.mark.parametrize("sample", ["seed", "links", "book", "forbidden", *SCRIPT_SAMPLES])
def test_verapdf_passes_pdfa_2u(sample: str, verapdf_verdicts: dict[str, str]) -> None:
    assert verapdf_verdicts[sample].startswith("PASS\t"), verapdf_verdicts[sample]


def test_verapdf_reports_a_broken_pdfa(tmp_path: Path) -> None:
    """The validator can fail: the sample with JavaScript, an embedded file and LZW, before
    octavo's PDF/A post-processing, is no PDF/A-2u."""
    path = tmp_path / "forbidden.pdf"
    path.write_bytes(forbidden_pdf())
    verdict = run_verapdf([path], "2u")[path]
    assert verdict.startswith("FAIL\t"), verdict


def test_every_stream_has_its_own_eol_before_endstream() -> None:
    """Stream data that ends in a line feed (a deflated stream's last byte, 1 in 256) still
    gets an EOL of its own before `endstream`: /Length counts the data only (ISO 19005-2
    6.1.7.1). Before this, 7 of 203 corpus PDFs failed veraPDF for it."""
    import re

    from reportlab.pdfbase import pdfdoc

    from octavo.writers import _pdfa

    _pdfa._install_strict_streams()
    doc = pdfdoc.PDFDocument()
    setattr(doc, _pdfa._STRICT, True)
    for data in (b"q Q", b"q Q\n", b"\n", b"\r\n"):
        out = pdfdoc.PDFStream(content=data, filters=[]).format(doc)
        length = int(re.search(rb"/Length (\d+)", out).group(1))
        assert length == len(data)
        assert out.split(b"\nstream\n", 1)[1] == data + b"\nendstream\n"
