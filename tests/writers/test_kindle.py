"""Kindle-safe EPUBs: the Send-to-Kindle E999 triggers that innocenat/kindle-epub-fix repairs
after the fact, checked on books built from the test samples (text, Markdown with images,
HTML, a bound book), plus EPUBCheck.

The rules (design/anchors.md §2): every XHTML file starts with the UTF-8 XML declaration; the
package has a valid BCP 47 dc:language; no link points at a <body> id; every <img> has a src
and an alt; no WebP or AVIF image; and a book over 50 MB (Send to Kindle by e-mail) is
written with a warning. `kindle_problems` checks them all on an EPUB's bytes, and
`test_the_checks_catch_each_problem` shows that each check fails on a book that breaks it.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree
from PIL import Image as PILImage

import octavo
from octavo import diagnostics
from octavo.options import WriteOptions
from octavo.writers import epub as epub_writer
from tests.epubcheck_helper import by_severity, run_epubcheck
from tests.writers.conftest import FIXED_TIME, make_image

DATA = Path(__file__).parent.parent / "data"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
KINDLE_EMAIL_LIMIT = 50_000_000
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
# RFC 5646 well-formedness for the tags a writer can meet: language, script, region, variants.
BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|[0-9]{3}))?"
                   r"(-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$")


# --- the checks ---------------------------------------------------------------------------------


def _sniff(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    if b"<svg" in data[:2048]:
        return "image/svg+xml"
    return "unknown"


def kindle_problems(data: bytes, *, limit: int = KINDLE_EMAIL_LIMIT) -> list[str]:
    """Everything in the EPUB that Send to Kindle is known to choke on (empty: none)."""
    problems: list[str] = []
    if len(data) > limit:
        problems.append(f"size: {len(data)} bytes is over the {limit} byte e-mail limit")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        container = etree.fromstring(z.read("META-INF/container.xml"))
        opf_name = container.find(".//c:rootfile", NS).get("full-path")
        opf = etree.fromstring(z.read(opf_name))
        base = posixpath.dirname(opf_name)
        manifest = {posixpath.normpath(posixpath.join(base, unquote(i.get("href")))):
                    i.get("media-type") for i in opf.findall("opf:manifest/opf:item", NS)}

        for name in sorted(names):
            if name.endswith((".xhtml", ".html", ".htm")) and not z.read(name).startswith(
                    DECLARATION):
                problems.append(f"declaration: {name} does not start with {DECLARATION!r}")

        languages = [e.text or "" for e in opf.findall("opf:metadata/dc:language", NS)]
        if not languages:
            problems.append("language: no dc:language")
        problems += [f"language: dc:language {tag!r} is not BCP 47" for tag in languages
                     if not BCP47.match(tag)]

        documents = {n: etree.fromstring(z.read(n)) for n, t in manifest.items()
                     if t == "application/xhtml+xml"}
        ids = {n: {e.get("id") for e in doc.iter() if e.get("id")} for n, doc in
               documents.items()}
        body_ids = {(n, b.get("id")) for n, doc in documents.items()
                    for b in doc.iter(f"{{{NS['x']}}}body") if b.get("id")}
        links: list[tuple[str, str]] = [(n, href) for n, doc in documents.items()
                                        for href in doc.xpath("//@href")]
        ncx = [n for n, t in manifest.items() if t == "application/x-dtbncx+xml"]
        for n in ncx:
            links += [(n, c.get("src")) for c in
                      etree.fromstring(z.read(n)).iterfind(".//ncx:content", NS)]
        for source, href in links:
            parts = urlsplit(href)
            if parts.scheme:  # http, https, mailto: outside the book
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(source),
                                                       unquote(parts.path))) if parts.path \
                else source
            if target not in names:
                problems.append(f"link: {source} links to missing {href}")
            elif parts.fragment:
                if (target, parts.fragment) in body_ids:
                    problems.append(f"link: {source} links to the <body> id {href}")
                elif target in ids and parts.fragment not in ids[target]:
                    problems.append(f"link: {source} links to undefined {href}")

        for n, doc in documents.items():
            for img in doc.iter(f"{{{NS['x']}}}img"):
                src = img.get("src")
                if not src or not src.strip():
                    problems.append(f"img: {n} has an <img> without src")
                elif posixpath.normpath(posixpath.join(posixpath.dirname(n),
                                                       unquote(src))) not in names:
                    problems.append(f"img: {n} has an <img> whose src {src} is missing")
                if img.get("alt") is None:
                    problems.append(f"img: {n} has an <img> without alt ({src})")

        for path, media_type in manifest.items():
            if not media_type.startswith("image/"):
                continue
            actual = _sniff(z.read(path))
            if media_type in ("image/webp", "image/avif") or actual in ("image/webp",
                                                                        "image/avif"):
                problems.append(f"image: {path} is {actual}, which Kindle cannot take")
            elif actual != media_type:
                problems.append(f"image: {path} is declared {media_type} but is {actual}")
    return problems


# --- the samples --------------------------------------------------------------------------------


def _markdown_with_images(folder: Path) -> Path:
    """A Markdown post with a lead JPEG and PNG, WebP with and without transparency, a GIF,
    and images with and without alt text."""
    (folder / "lead.jpg").write_bytes(make_image("JPEG", (800, 450)))
    (folder / "chart.png").write_bytes(make_image("PNG", (300, 200)))
    (folder / "photo.webp").write_bytes(make_image("WEBP", (320, 180), "#884422"))
    clear = PILImage.new("RGBA", (120, 120), (0, 0, 0, 0))
    clear.paste((200, 30, 30, 255), (30, 30, 90, 90))
    out = io.BytesIO()
    clear.save(out, "WEBP", lossless=True)
    (folder / "logo.webp").write_bytes(out.getvalue())
    (folder / "anim.gif").write_bytes(make_image("GIF", (60, 40)))
    body = (DATA / "markdown" / "rust-blog__2015-05-15-Rust-1.0.md").read_text(encoding="utf-8")
    body = body.split("---", 2)[2]
    post = folder / "post.md"
    post.write_text(
        "---\ntitle: Pictures & words\nauthor: Ada Lovelace\nlang: en\n---\n\n"
        "![A striped lead picture](lead.jpg)\n\n" + body[:2500] + "\n\n"
        "![A bar chart](chart.png)\n\nSome text between pictures.\n\n"
        "![A brown photo](photo.webp)\n\n![](logo.webp)\n\n![](anim.gif)\n\n" + body[2500:5000],
        encoding="utf-8")
    return post


def _write(source: Path, target: Path) -> bytes:
    octavo.write(octavo.read(source), target, options=WriteOptions(modified=FIXED_TIME))
    return target.read_bytes()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kindle")
    sources = {
        "text-de": DATA / "text" / "seed-bbc-de.txt",
        "text-ja": DATA / "text" / "jawikinews-0042.txt",
        "markdown-images": _markdown_with_images(folder),
        "html-en": DATA / "html" / "readability__wikipedia.html",
        "html-ar": DATA / "html" / "udhr-arb.html",
    }
    out: dict[str, Path] = {}
    with diagnostics.collecting():
        for name, source in sources.items():
            out[name] = folder / f"{name}.epub"
            _write(source, out[name])
        inputs = folder / "inputs"
        inputs.mkdir()
        bound_sources = [sources["markdown-images"], sources["text-de"], sources["html-ar"],
                         DATA / "text" / "ruwikinews-26281.txt"]
        for image in folder.glob("*.*"):
            if image.suffix in (".jpg", ".png", ".webp", ".gif"):
                shutil.copy(image, inputs / image.name)
        copies = []
        for i, source in enumerate(bound_sources):
            copies.append(inputs / f"{i:02}-{source.name}")
            shutil.copy(source, copies[-1])
        out["bound"], _ = octavo.bind(copies, folder / "bound.epub", title="Kindle week")
    return out


NAMES = ["text-de", "text-ja", "markdown-images", "html-en", "html-ar", "bound"]


@pytest.mark.parametrize("name", NAMES)
def test_book_is_kindle_safe(name: str, books: dict[str, Path]) -> None:
    problems = kindle_problems(books[name].read_bytes())
    assert problems == [], "\n".join(problems)


def test_samples_exercise_what_they_should(books: dict[str, Path]) -> None:
    """The checks above only mean something if the books hold what they check."""
    with zipfile.ZipFile(books["markdown-images"]) as z:
        names = z.namelist()
        images = [n for n in names if n.startswith("EPUB/images/img-")]
        # JPEG, PNG, WebP as JPEG, transparent WebP as PNG, GIF: nothing left as WebP.
        assert sorted(n.rsplit(".", 1)[1] for n in images) == ["gif", "jpg", "jpg", "png",
                                                               "png"]
        logo = next(n for n in images if n.endswith(".png") and
                    PILImage.open(io.BytesIO(z.read(n))).mode == "RGBA")
        assert PILImage.open(io.BytesIO(z.read(logo))).getpixel((0, 0))[3] == 0
        article = etree.fromstring(z.read("EPUB/text/article.xhtml"))
        imgs = article.findall(".//x:img", NS)
        assert len(imgs) == 5
        assert [i.get("alt") for i in imgs].count("") == 2  # decorative: alt="" is present
    with zipfile.ZipFile(books["bound"]) as z:
        assert len([n for n in z.namelist() if n.startswith("EPUB/text/article-")]) >= 4
        opf = etree.fromstring(z.read("EPUB/content.opf"))
        assert {e.text for e in opf.findall("opf:metadata/dc:language", NS)} >= {"en", "ar"}


def test_books_pass_epubcheck(books: dict[str, Path]) -> None:
    results = run_epubcheck([books[n] for n in NAMES])
    problems = [f"{path.name}: {line}" for path, messages in results.items()
                for line in by_severity(messages, "FATAL", "ERROR", "WARNING")]
    assert problems == [], "\n".join(problems)


# --- the checks can fail ------------------------------------------------------------------------


def _rewrite(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    """The EPUB with `change` applied to its entries (mimetype first and stored)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    change(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", entries.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


def _replace(name: str, old: bytes, new: bytes) -> Callable[[dict[str, bytes]], None]:
    def change(entries: dict[str, bytes]) -> None:
        assert old in entries[name], (name, old)
        entries[name] = entries[name].replace(old, new, 1)
    return change


def _add_webp(entries: dict[str, bytes]) -> None:
    entries["EPUB/images/extra.webp"] = make_image("WEBP", (40, 40))
    entries["EPUB/content.opf"] = entries["EPUB/content.opf"].replace(
        b"</manifest>", b'<item href="images/extra.webp" id="extra" '
                        b'media-type="image/webp"/></manifest>')


BREAKAGES: dict[str, tuple[Callable[[dict[str, bytes]], None], str]] = {
    "no declaration": (_replace("EPUB/text/article.xhtml", DECLARATION, b""), "declaration:"),
    "bad language": (_replace("EPUB/content.opf", b"<dc:language>en</dc:language>",
                              b"<dc:language>english</dc:language>"), "language:"),
    "body id link": (lambda e: (_replace("EPUB/text/article.xhtml", b"<body",
                                         b'<body id="top"')(e),
                                _replace("EPUB/nav.xhtml", b'href="text/article.xhtml"',
                                         b'href="text/article.xhtml#top"')(e)), "<body> id"),
    "img without src": (_replace("EPUB/text/article.xhtml", b'<img src="../images/img-001.jpg"',
                                 b'<img src=""'), "without src"),
    "img without alt": (_replace("EPUB/text/article.xhtml", b'alt="A striped lead picture"',
                                 b""), "without alt"),
    "webp image": (_add_webp, "Kindle cannot take"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_the_checks_catch_each_problem(breakage: str, books: dict[str, Path]) -> None:
    good = books["markdown-images"].read_bytes()
    change, expected = BREAKAGES[breakage]
    problems = kindle_problems(_rewrite(good, change))
    assert problems and all(expected in p for p in problems), problems


def test_the_size_check_and_the_writer_warn_over_the_limit(books: dict[str, Path],
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    data = books["text-de"].read_bytes()
    assert any(p.startswith("size:") for p in kindle_problems(data, limit=len(data) - 1))
    with diagnostics.collecting() as found:
        _write(DATA / "text" / "seed-bbc-de.txt", tmp_path / "normal.epub")
    assert "epub-too-large-for-kindle" not in {d.code for d in found}
    monkeypatch.setattr(epub_writer, "KINDLE_EMAIL_BYTES", 10_000)
    with diagnostics.collecting() as found:
        _write(DATA / "text" / "seed-bbc-de.txt", tmp_path / "big.epub")
    assert "epub-too-large-for-kindle" in {d.code for d in found}
    assert (tmp_path / "big.epub").exists()  # a warning, not a refusal


def test_avif_and_webp_become_jpeg_or_png_by_transparency() -> None:
    from octavo.model import Article, Figure, Image, para
    from tests.writers.conftest import write

    if not PILImage.registered_extensions().get(".avif"):
        pytest.skip("this Pillow has no AVIF support")

    def encoded(fmt: str, mode: str) -> bytes:
        picture = PILImage.new(mode, (64, 48), (30, 90, 150, 0) if mode == "RGBA" else
                               (30, 90, 150))
        picture.paste((200, 200, 40) + ((255,) if mode == "RGBA" else ()), (16, 12, 48, 36))
        out = io.BytesIO()
        picture.save(out, fmt)
        return out.getvalue()

    pictures = [(encoded("AVIF", "RGB"), "image/jpeg"), (encoded("AVIF", "RGBA"), "image/png"),
                (encoded("WEBP", "RGB"), "image/jpeg"), (encoded("WEBP", "RGBA"), "image/png")]
    article = Article(
        title="Modern image formats", language="en",
        body=tuple(Figure(image=Image(data, "image/webp", f"Picture {i}"))
                   for i, (data, _) in enumerate(pictures)) + (para("Text."),))
    with diagnostics.collecting() as found:
        book = write(article, cover=False)
    assert not found
    assert kindle_problems(book.data) == []
    opf = etree.fromstring(book.read("EPUB/content.opf"))
    types = [i.get("media-type") for i in opf.findall("opf:manifest/opf:item", NS)
             if i.get("media-type").startswith("image/")]
    assert types == [expected for _, expected in pictures]
    for name in (n for n in book.names() if n.startswith("EPUB/images/")):
        picture = PILImage.open(io.BytesIO(book.read(name)))
        assert picture.size == (64, 48)
        if picture.mode == "RGBA":
            assert picture.getpixel((0, 0))[3] == 0 and picture.getpixel((32, 24))[3] == 255
