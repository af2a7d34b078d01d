"""EPUB 3 writer (ebooklib): valid, accessible, reproducible e-books with a generated cover.

ebooklib assembles the package (OPF metadata, manifest, spine, NCX, EPUB 2 guide). The content
documents and the navigation document are written here as finished XHTML, because ebooklib's
own templating re-parses documents with an HTML parser and drops head links and body
attributes. Around ebooklib's known pitfalls (see design/libraries.md): authors get distinct
ids, dcterms:modified comes from the writer's `mtime` option (in UTC), the cover page stays
linear in the spine, file names are ASCII, and no document is ever empty.

Reproducibility: the identifier is a UUID 5 of the content, the modification date comes from
options.modified or SOURCE_DATE_EPOCH, and every ZIP entry carries that same timestamp, so the
same input gives byte-identical files. The ZIP is written by `_Zip` (images stored, not
deflated again; the cover arrives already deflated from _cover), not zipfile.

Kindle: Send to Kindle fails with "E999" on files other readers open (the triggers
innocenat/kindle-epub-fix repairs). So every XHTML file starts with the UTF-8 XML declaration,
dc:language is a checked BCP 47 tag (the model refuses others), nothing links to a <body> id
(no body has one), every <img> has a src and an alt, WebP and AVIF images become JPEG or PNG,
and a book over 50 MB (the e-mail limit) is written with a warning. tests/writers/
test_kindle.py checks each rule on real samples.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import struct
import uuid
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, BinaryIO, ClassVar

from octavo import diagnostics
from octavo.errors import OutputError, WriterError
from octavo.model import Article, Book, Image, block_text
from octavo.options import WriteOptions
from octavo.typography.words import article_count, notes_heading
from octavo.writers import _xhtml as x

CSS_FILE = "styles/book.css"
_TEXT_DIR = "text"
_IMAGE_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
              "image/svg+xml": "svg"}
_OUR_NAMESPACE = uuid.UUID("5b0e8f0a-3c1d-5d7e-9a43-0c7a6f1b2d11")
_CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
_SUMMARIES = {
    "en": "The text is structured with headings and has a table of contents and a logical "
          "reading order; every document declares its language. Images have text "
          "alternatives or are marked as decorative. No sound, flashing or motion.",
    "de": "Der Text ist mit Überschriften gegliedert und hat ein Inhaltsverzeichnis und eine "
          "logische Lesereihenfolge; jedes Dokument gibt seine Sprache an. Bilder haben "
          "Textalternativen oder sind als Schmuck gekennzeichnet. Keine Töne, kein Blinken, "
          "keine Animationen.",
}

STYLESHEET = """@charset "UTF-8";
/* octavo: sizes are relative (em, %) so the reader's own font size and face win. */
body { margin: 0 2%; line-height: 1.45; text-align: justify;
  hyphens: auto; -webkit-hyphens: auto; -epub-hyphens: auto; adobe-hyphenate: auto;
  widows: 2; orphans: 2; }
p { margin: 0; text-indent: 1.2em; }
header + p, figure + p, blockquote + p, pre + p, table + p, ul + p, ol + p, hr + p,
h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p, section > p:first-child,
blockquote > p:first-child, li p, td p, th p { text-indent: 0; }
h1, h2, h3, h4, h5, h6 { text-align: left; line-height: 1.2; font-weight: bold;
  hyphens: manual; -webkit-hyphens: manual; -epub-hyphens: manual; adobe-hyphenate: none;
  page-break-after: avoid; break-after: avoid; page-break-inside: avoid; }
h1 { font-size: 1.6em; margin: 0 0 0.4em; }
h2 { font-size: 1.3em; margin: 1.4em 0 0.5em; }
h3 { font-size: 1.15em; margin: 1.2em 0 0.4em; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; }
.title-block { margin: 0 0 1.2em; padding-bottom: 0.6em; border-bottom: 1px solid; }
.title-block p { text-indent: 0; text-align: left; hyphens: manual; -webkit-hyphens: manual;
  -epub-hyphens: manual; adobe-hyphenate: none; }
.subtitle { font-size: 1.15em; font-style: italic; margin: 0 0 0.5em; }
.byline { font-weight: bold; margin: 0.3em 0 0; }
.meta, .source { font-size: 0.85em; margin: 0.2em 0 0; }
figure { margin: 1em 0; padding: 0; text-align: center;
  page-break-inside: avoid; break-inside: avoid; }
figure.lead { margin: 0 0 1.4em; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; line-height: 1.3; text-align: left; margin: 0.4em 0 0;
  text-indent: 0; }
figcaption .credit { display: block; font-size: 0.8em; margin-top: 0.2em; }
blockquote { margin: 1em 1.5em; font-size: 0.95em; }
pre { margin: 1em 0; white-space: pre-wrap; text-align: left; font-size: 0.85em;
  hyphens: none; -webkit-hyphens: none; -epub-hyphens: none; adobe-hyphenate: none; }
code { font-family: monospace; font-size: 0.9em; hyphens: none; -webkit-hyphens: none; }
pre code { font-size: 1em; }
ul, ol { margin: 0.6em 0; padding-left: 1.6em; }
li { margin: 0.2em 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; text-align: left;
  hyphens: manual; -webkit-hyphens: manual; }
th, td { border: 1px solid; padding: 0.2em 0.4em; vertical-align: top; }
hr.section-break { border: 0; border-top: 1px solid; width: 25%; margin: 1.5em auto; }
sup, sub { line-height: 0; }
section.notes { font-size: 0.9em; margin-top: 1.5em; }
a { color: inherit; text-decoration: underline; }
html[dir="rtl"] h1, html[dir="rtl"] h2, html[dir="rtl"] h3, html[dir="rtl"] h4,
html[dir="rtl"] h5, html[dir="rtl"] h6, html[dir="rtl"] figcaption, html[dir="rtl"] pre,
html[dir="rtl"] table, html[dir="rtl"] .title-block p { text-align: right; }
html[dir="rtl"] ul, html[dir="rtl"] ol { padding-left: 0; padding-right: 1.6em; }
nav ol { text-align: left; hyphens: manual; -webkit-hyphens: manual; -epub-hyphens: manual;
  adobe-hyphenate: none; }
html[dir="rtl"] nav ol { text-align: right; }
.titlepage { text-align: center; margin-top: 3em; }
.titlepage h1 { text-align: center; font-size: 1.8em; }
.titlepage p { text-indent: 0; text-align: center; margin: 0.4em 0; }
.titlepage ol.contents { text-align: left; margin: 2em 0 0; }
html[dir="rtl"] .titlepage ol.contents { text-align: right; }
body.cover { margin: 0; padding: 0; text-align: center; }
section.cover { margin: 0; padding: 0; text-align: center; }
section.cover img { max-width: 100%; height: 97%; object-fit: contain; }
"""


class EpubWriter:
    """Writes a Book as one EPUB 3 file (nav + NCX, landmarks, accessibility metadata)."""

    name: ClassVar[str] = "epub"
    extension: ClassVar[str] = ".epub"

    def write(self, book: Book, out: BinaryIO, options: WriteOptions) -> None:
        data = render(book, options)
        try:
            out.write(data)
        except OSError as exc:
            raise OutputError(f"could not write the EPUB: {exc}",
                              hint="check the output location and free space") from exc


def render(book: Book, options: WriteOptions) -> bytes:
    """The EPUB file's bytes."""
    try:
        return _Build(book, options).run()
    except RecursionError:
        # Readers flatten nesting beyond limits.max_nesting; a model built another way (JSON,
        # the API) may still nest thousands of levels deep.
        raise WriterError("the article is nested too deeply to write as EPUB",
                          hint="flatten its quotes and lists, or lower the nesting of the "
                               "model given to octavo") from None
    except (ValueError, TypeError, KeyError) as exc:
        # lxml and ebooklib raise these for content they cannot serialize: our bug, not the
        # user's, but it must come out as an octavo error with the input named by the caller.
        raise WriterError(
            f"could not assemble the EPUB: {exc}",
            hint="this is a bug in octavo's EPUB writer; please report it with the input file",
        ) from exc


KINDLE_EMAIL_BYTES = 50_000_000
"""Send to Kindle by e-mail refuses larger attachments; a larger EPUB is written with a warning."""

PART_KB_DEFAULT = 300
_FAST_ZIP_BYTES = 8 * 1024 * 1024


def part_bytes() -> int:
    """Target size of one content document; a longer article is split at block boundaries.

    Set with OCTAVO_EPUB_PART_KB (kilobytes of XHTML, default 300).
    """
    raw = os.environ.get("OCTAVO_EPUB_PART_KB", "").replace("_", "").strip()
    kilobytes = int(raw) if raw.isdigit() and int(raw) > 0 else PART_KB_DEFAULT
    return kilobytes * 1024


# --- metadata helpers ---------------------------------------------------------------------------


def modification_time(options: WriteOptions) -> datetime:
    """dcterms:modified: options.modified, else SOURCE_DATE_EPOCH, else now; always UTC."""
    if options.modified is not None:
        stamp = options.modified
        if stamp.tzinfo is None:  # naive means UTC: the machine's zone must not leak in
            stamp = stamp.replace(tzinfo=timezone.utc)
        return stamp.astimezone(timezone.utc).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            diagnostics.warn("bad-source-date-epoch",
                             f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time; using now")
    return datetime.now(timezone.utc).replace(microsecond=0)


def _article_key(article: Article) -> str:
    if article.url:
        tail = article.url.strip()
    else:
        body = "\n".join(block_text(b) for b in article.body)
        tail = hashlib.sha256(x.clean(body).encode("utf-8")).hexdigest()
    return "\x1f".join((article.title, "\x1e".join(article.authors),
                        article.published.isoformat() if article.published else "", tail))


def identifier(book: Book) -> str:
    """A stable urn:uuid for the book: UUID 5 of titles, authors, dates and URLs/body hashes."""
    parts = [book.title, "\x1e".join(book.authors),
             book.published.isoformat() if book.published else ""]
    parts += (_article_key(a) for a in book.articles)
    return f"urn:uuid:{uuid.uuid5(_OUR_NAMESPACE, x.clean(chr(29).join(parts)))}"


def toc_label(article: Article) -> str:
    """ "Title — Author, Publisher" for a bound book's contents."""
    credit = ", ".join(p for p in (x.join_names(article.authors, article.language),
                                   (article.publisher or "").strip()) if p)
    return f"{article.title} — {credit}" if credit else article.title


def _flat(value: str) -> str:
    """One line of XML-safe text (metadata and navigation labels)."""
    return " ".join(x.clean(value).split())


def _dedupe(values: Sequence[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if (flat := _flat(v)) and flat.casefold() not in {s.casefold() for s in seen}:
            seen[flat] = None
    return list(seen)


# --- images -------------------------------------------------------------------------------------


def sniff_image(data: bytes) -> str | None:
    """The media type the bytes actually are (reader-declared types can be wrong)."""
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
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def _svg_is_safe(data: bytes) -> bool:
    """Well-formed, script-free SVG: anything else would make the EPUB invalid or scripted."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).localname in ("script", "foreignObject"):
            return False
        if any(str(name).lower().startswith("on") for name in el.attrib):
            return False
    return True


# Send to Kindle rejects books with WebP or AVIF images (and older reading systems cannot show
# them): they are converted to PNG when they have transparency, else to JPEG.
_CONVERTED = frozenset({"image/webp", "image/avif"})


def _convert_image(data: bytes) -> tuple[bytes, str] | None:
    """A WebP or AVIF image as (bytes, media type) of a PNG or JPEG; None when unreadable."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.seek(0)  # an animation: its first frame
            picture.load()
            transparent = picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
                "transparency" in picture.info)
            out = io.BytesIO()
            if transparent:
                picture.convert("RGBA").save(out, "PNG")
                return out.getvalue(), "image/png"
            picture.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue(), "image/jpeg"
    except (OSError, ValueError, SyntaxError, EOFError, PILImage.DecompressionBombError):
        return None


@dataclass(slots=True)
class _Images:
    """Embedded images, one manifest item per distinct image (same bytes, same file)."""

    items: list[tuple[str, str, str, bytes]] = field(default_factory=list)
    """(id, file name, media type, bytes) in order of first use."""
    _by_hash: dict[str, str | None] = field(default_factory=dict)

    def add(self, image: Image) -> str | None:
        """The image's file name inside the package, or None when it cannot be embedded."""
        key = hashlib.sha256(image.data).hexdigest()
        if key in self._by_hash:
            return self._by_hash[key]
        data = image.data
        media_type = sniff_image(data)
        name: str | None = None
        if media_type in _CONVERTED:
            converted = _convert_image(data)
            data, media_type = converted if converted else (data, None)
        if media_type is None:
            diagnostics.warn("image-unreadable", f"an image declared as {image.media_type} is "
                                                 "not a readable JPEG, PNG, GIF, WebP, AVIF or "
                                                 "SVG file; it was left out (its caption is "
                                                 "kept)")
        elif media_type == "image/svg+xml" and not _svg_is_safe(image.data):
            diagnostics.warn("image-unsafe", "an SVG image is malformed or contains scripts; "
                                             "it was left out (its caption is kept)")
        else:
            number = len(self.items) + 1
            name = f"images/img-{number:03d}.{_IMAGE_EXT[media_type]}"
            self.items.append((f"img-{number:03d}", name, media_type, data))
        self._by_hash[key] = name
        return name


# --- ebooklib glue ------------------------------------------------------------------------------


@functools.cache
def _classes() -> tuple[type, type]:
    """ebooklib subclasses, built on first use so that importing octavo stays light."""
    from ebooklib import epub

    class Document(epub.EpubHtml):  # type: ignore[misc]
        """A content document whose XHTML is already final (ebooklib would re-parse it)."""

        def get_content(self, default: bytes | None = None) -> bytes:
            return self.content  # type: ignore[no-any-return]

    class Writer(epub.EpubWriter):  # type: ignore[misc]
        zip_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
        deflated: dict[str, bytes] = {}  # noqa: RUF012 (set per instance by the build)
        """Entries whose raw deflate stream is already made (the cover), by package path."""

        def _get_nav(self, item: Any) -> bytes:
            return item.content  # type: ignore[no-any-return]

        def _write_opf_file(self, root: Any) -> None:
            # The package's own language (and direction), which ebooklib leaves out: Ace and
            # reading systems use it for the metadata's language.
            root.set("{http://www.w3.org/XML/1998/namespace}lang", self.book.language)
            if self.book.direction:
                root.set("dir", self.book.direction)
            super()._write_opf_file(root)

        def write(self) -> None:
            folder = self.book.FOLDER_NAME
            self.out = _Zip(self.file_name, self.options["compresslevel"], self.zip_time,
                            {f"{folder}/{name}": data for name, data in self.deflated.items()})
            self.out.writestr("mimetype", "application/epub+zip",
                              compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()
            self.out.close()

    return Document, Writer


# Already-compressed formats: deflate would spend time for a percent or two.
_STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class _Zip:
    """The little of a ZIP writer that ebooklib uses (writestr, close), written for speed and
    reproducibility: every entry has the same timestamp and mode, images are stored rather
    than deflated, and an entry whose raw deflate stream is given is not compressed again.
    zipfile.ZipFile spent more time per entry in Python than deflating a typical article.
    No ZIP64: an EPUB over 4 GB is refused."""

    def __init__(self, out: BinaryIO, level: int, stamp: tuple[int, int, int, int, int, int],
                 deflated: dict[str, bytes]) -> None:
        self.out = out
        self.level = level
        year, month, day, hour, minute, second = stamp
        self.dos_time = (hour << 11) | (minute << 5) | (second // 2)
        self.dos_date = ((year - 1980) << 9) | (month << 5) | day
        self.deflated = deflated
        self.central: list[bytes] = []
        self.offset = 0

    def writestr(self, name: str, data: bytes | str, compress_type: int | None = None) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        ascii_name = name.isascii()
        encoded_name = name.encode("ascii" if ascii_name else "utf-8")
        flags = 0 if ascii_name else 0x800  # bit 11: the name is UTF-8
        if name in self.deflated:
            method, payload = zipfile.ZIP_DEFLATED, self.deflated[name]
        elif compress_type == zipfile.ZIP_STORED or name.lower().endswith(_STORED_SUFFIXES):
            method, payload = zipfile.ZIP_STORED, raw
        elif name in _SAME_EVERY_TIME:
            method, payload = zipfile.ZIP_DEFLATED, _deflate_cached(raw, self.level)
        else:
            method, payload = zipfile.ZIP_DEFLATED, _deflate(raw, self.level)
        crc = zlib.crc32(raw)
        if max(self.offset, len(raw), len(payload)) >= 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise WriterError("the EPUB would be larger than the ZIP format allows (4 GB)",
                              hint="split the book into several smaller ones")
        fields = (20, 0, flags, method, self.dos_time, self.dos_date, crc, len(payload),
                  len(raw), len(encoded_name))
        self.out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", *fields, 0))
        self.out.write(encoded_name)
        self.out.write(payload)
        # Made by Unix (3) with version 2.0; mode rw-r--r--.
        self.central.append(struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, *fields, 0, 0, 0, 0, 0o644 << 16,
            self.offset) + encoded_name)
        self.offset += 30 + len(encoded_name) + len(payload)

    def close(self) -> None:
        directory = b"".join(self.central)
        self.out.write(directory)
        self.out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(self.central),
                                   len(self.central), len(directory), self.offset, 0))


def _deflate(raw: bytes, level: int) -> bytes:
    """A raw deflate stream (no zlib header), as ZIP stores it."""
    return zlib.compress(raw, level, -15)


_SAME_EVERY_TIME = frozenset({"META-INF/container.xml", f"EPUB/{CSS_FILE}"})
"""Entries whose bytes rarely change from book to book: deflated once per process (keyed by
their bytes, so a changed stylesheet is deflated afresh)."""


@functools.lru_cache(maxsize=8)
def _deflate_cached(raw: bytes, level: int) -> bytes:
    return _deflate(raw, level)


_Chunk = tuple[str, list[str], int]
"""A part of an article's body: its XHTML, its heading anchors, the notes referred to so far."""


def _zip_time(stamp: datetime) -> tuple[int, int, int, int, int, int]:
    # ZIP (DOS) times run from 1980 to 2107.
    if stamp.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if stamp.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)


# --- the build ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Entry:
    """One content document: what the spine, the navigation and the contents need."""

    uid: str
    file_name: str
    title: str
    language: str
    content: bytes
    label: str = ""
    headings: list[x.TocHeading] = field(default_factory=list)
    heading_files: dict[str, str] = field(default_factory=dict)
    """Anchor -> the content document holding it, when the article is split in parts."""
    parts: list[_Entry] = field(default_factory=list)
    """Further content documents of a split article, in reading order (spine only)."""

    def href(self, heading: x.TocHeading) -> str:
        return f"{self.heading_files.get(heading.anchor, self.file_name)}#{heading.anchor}"


@dataclass(slots=True)
class _Build:
    book: Book
    options: WriteOptions
    images: _Images = field(default_factory=_Images)
    has_images: bool = False
    cover_shown: tuple[str, ...] = ()
    deflated: dict[str, bytes] = field(default_factory=dict)
    """Entries whose raw deflate stream is already made (the cover), by package path."""
    _identifier: str | None = None

    @property
    def language(self) -> str:
        return self.book.language

    @property
    def identifier(self) -> str:
        """The book's identifier (it hashes every article's text: computed once)."""
        if self._identifier is None:
            self._identifier = identifier(self.book)
        return self._identifier

    def run(self) -> bytes:
        from ebooklib import epub

        Document, Writer = _classes()
        stamp = modification_time(self.options)
        eb = epub.EpubBook()
        self.metadata(eb)

        cover = self.cover()
        titlepage = None if self.book.is_single else self.titlepage()
        articles = [self.article(a, i) for i, a in enumerate(self.book.articles, 1)]

        nav = epub.EpubNav(uid="nav", file_name="nav.xhtml")
        nav.content = self.nav(cover, titlepage, articles)
        eb.add_item(nav)
        eb.add_item(epub.EpubNcx())
        eb.add_item(epub.EpubItem(uid="css", file_name=CSS_FILE, media_type="text/css",
                                  content=STYLESHEET.encode("utf-8")))
        if cover is not None:
            image = epub.EpubCover(uid="cover-img", file_name=cover[1])
            image.media_type = cover[2]
            image.content = cover[3]
            eb.add_item(image)
            # EPUB 2 readers (and Kindle conversion) find the cover through this meta.
            eb.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
        docs = []
        documents = [e for e in (cover[0] if cover else None, titlepage) if e]
        documents += [part for a in articles for part in (a, *a.parts)]
        for entry in documents:
            doc = Document(uid=entry.uid, file_name=entry.file_name, title=entry.title,
                           lang=entry.language, media_type="application/xhtml+xml")
            doc.content = entry.content
            eb.add_item(doc)
            docs.append(doc)
        for uid, name, media_type, data in self.images.items:
            eb.add_item(epub.EpubImage(uid=uid, file_name=name, media_type=media_type,
                                       content=data))
        eb.spine = docs  # all linear: the cover page must be reachable in reading order
        eb.toc = self.toc(articles)
        eb.guide = self.guide(cover[0] if cover else None, articles)
        self.accessibility(eb)

        buffer = io.BytesIO()
        text_size = sum(len(e.content) for e in documents)
        # Deflate level 6 costs ~0.3 s per MB of XHTML; a 50 MB article would spend a quarter
        # minute on it. Level 1 is four times faster for a file a little larger.
        level = 1 if text_size > _FAST_ZIP_BYTES else 6
        writer = Writer(buffer, eb, {"mtime": stamp, "raise_exceptions": True,
                                     "epub3_landmark": False, "epub3_pages": False,
                                     "compresslevel": level})
        writer.zip_time = _zip_time(stamp)
        writer.deflated = self.deflated
        writer.process()
        writer.write()
        data = buffer.getvalue()
        if len(data) > KINDLE_EMAIL_BYTES:
            diagnostics.warn(
                "epub-too-large-for-kindle",
                f"the EPUB is {len(data) / 1e6:.0f} MB: Send to Kindle by e-mail takes at most "
                f"{KINDLE_EMAIL_BYTES // 1_000_000} MB (the web upload 200 MB); bind fewer "
                "articles per book or leave out large images")
        return data

    # metadata ------------------------------------------------------------------------------

    def metadata(self, eb: Any) -> None:
        book = self.book
        eb.set_identifier(self.identifier)
        title = _flat(book.title)
        if not title:
            diagnostics.warn("no-title", "the title has no printable characters; "
                                         "the EPUB is titled 'Untitled'")
            title = "Untitled"
        eb.set_title(title)
        if book.subtitle and (subtitle := _flat(book.subtitle)):
            # EPUB 3 refines a second dc:title as the subtitle.
            eb.add_metadata("DC", "title", subtitle, {"id": "subtitle"})
            eb.add_metadata(None, "meta", "subtitle",
                            {"refines": "#subtitle", "property": "title-type"})
        eb.set_language(book.language)
        for language in _dedupe([a.language for a in book.articles]):
            if not x.same_language(language, book.language):
                eb.add_metadata("DC", "language", language)
        if x.is_rtl(book.language):
            eb.set_direction("rtl")
        authors = book.authors or tuple(n for a in book.articles for n in a.authors)
        for i, author in enumerate(_dedupe(authors), 1):
            eb.add_author(author, uid=f"creator-{i}")  # distinct ids: ebooklib's default clashes
        if publisher := self.publisher():
            eb.add_metadata("DC", "publisher", publisher)
        if book.published is not None:
            eb.add_metadata("DC", "date", book.published.isoformat())
        elif book.is_single and book.articles[0].published is not None:
            eb.add_metadata("DC", "date", book.articles[0].published.isoformat())
        if book.is_single and book.articles[0].description:
            if description := _flat(book.articles[0].description):
                eb.add_metadata("DC", "description", description)
        for keyword in _dedupe([k for a in book.articles for k in a.keywords]):
            eb.add_metadata("DC", "subject", keyword)
        for url in _dedupe([a.url for a in book.articles if a.url]):
            if x.safe_url(url) and url.lower().startswith(("http://", "https://")):
                eb.add_metadata("DC", "source", url)

    def publisher(self) -> str | None:
        """The book's publisher, else the articles' one when they all share it."""
        if self.book.publisher and (publisher := _flat(self.book.publisher)):
            return publisher
        found = _dedupe([a.publisher or "" for a in self.book.articles])
        if len(found) == 1 and all(a.publisher for a in self.book.articles):
            return found[0]
        return None

    def accessibility(self, eb: Any) -> None:
        """schema.org accessibility metadata, stating only what this writer guarantees."""

        def meta(prop: str, value: str, **attrs: str) -> None:
            eb.add_metadata(None, "meta", value, {"property": prop, **attrs})

        meta("schema:accessMode", "textual")
        if self.has_images:
            meta("schema:accessMode", "visual")
        meta("schema:accessModeSufficient", "textual")
        for feature in ("structuralNavigation", "tableOfContents", "readingOrder"):
            meta("schema:accessibilityFeature", feature)
        if self.has_images:
            meta("schema:accessibilityFeature", "alternativeText")
        meta("schema:accessibilityHazard", "none")
        primary = self.language.lower().split("-")[0]
        if primary in _SUMMARIES:
            meta("schema:accessibilitySummary", _SUMMARIES[primary])
        else:
            meta("schema:accessibilitySummary", _SUMMARIES["en"],
                 **{"{http://www.w3.org/XML/1998/namespace}lang": "en"})
        meta("dcterms:conformsTo", _CONFORMS_TO)

    # documents -----------------------------------------------------------------------------

    def _css_href(self) -> str:
        return f"../{CSS_FILE}"

    def cover(self) -> tuple[_Entry, str, str, bytes] | None:
        if not self.options.cover:
            return None
        from octavo.writers._cover import render_cover

        book = self.book
        if book.is_single:
            byline = x.join_names(_dedupe(book.authors), book.language)
            footer = self.publisher()
        else:
            # A bound book is recognised by its title, how many articles it holds and when.
            byline = article_count(len(book.articles), book.language)
            footer = x.format_date(book.published, book.language) if book.published else None
        try:
            image = render_cover(title=book.title, authors=byline, publisher=footer,
                                 seed=self.identifier)
        except (OSError, ValueError) as exc:  # a broken font or Pillow build: no cover, no crash
            diagnostics.warn("cover-failed", f"the cover image could not be drawn ({exc}); "
                                             "the EPUB has no cover")
            return None
        self.has_images = True
        alt = " — ".join(_flat(s) for s in image.shown) or _flat(book.title)
        name = f"images/cover.{_IMAGE_EXT[image.media_type]}"
        if image.deflated is not None:
            self.deflated[name] = image.deflated
        body = ('<section class="cover" epub:type="cover">\n'
                f'<img src="../{name}" alt="{x.attr(alt)}" role="doc-cover"/>\n</section>')
        label, _ = x.word("cover", self.language)
        content = x.document(title=_flat(book.title) or label, language=self.language,
                             body=body, css_href=self._css_href(), body_class="cover")
        entry = _Entry("cover", f"{_TEXT_DIR}/cover.xhtml", label, self.language,
                       content.encode("utf-8"))
        return entry, name, image.media_type, image.data

    def titlepage(self) -> _Entry:
        book, lang = self.book, self.language
        parts = ['<section class="titlepage" epub:type="titlepage">',
                 f'<h1 class="title">{x.text(book.title)}</h1>']
        if book.subtitle and book.subtitle.strip():
            parts.append(f'<p class="subtitle">{x.text(book.subtitle)}</p>')
        if byline := x.join_names(book.authors, lang):
            parts.append(f'<p class="byline">{x.text(byline)}</p>')
        meta = [x.text(book.publisher)] if book.publisher and book.publisher.strip() else []
        if book.published is not None:
            meta.append(f'<time datetime="{book.published.isoformat()}">'
                        f"{x.text(x.format_date(book.published, lang))}</time>")
        if meta:
            parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
        parts.append('<ol class="contents">')
        for i, article in enumerate(book.articles, 1):
            parts.append(f"<li{x.foreign_lang(article.language, lang)}>"
                         f'<a href="{self._article_file(i, bare=True)}"'
                         f"{x.foreign_dir(article.language, lang)}>"
                         f"{x.text(toc_label(article))}</a></li>")
        parts += ["</ol>", "</section>"]
        title, _ = x.word("titlepage", lang)
        content = x.document(title=_flat(book.title) or title, language=lang,
                             body="\n".join(parts), css_href=self._css_href(),
                             body_type="frontmatter")
        return _Entry("titlepage", f"{_TEXT_DIR}/titlepage.xhtml", title, lang,
                      content.encode("utf-8"))

    def _article_file(self, index: int, *, bare: bool = False) -> str:
        name = "article.xhtml" if self.book.is_single else f"article-{index:03d}.xhtml"
        return name if bare else f"{_TEXT_DIR}/{name}"

    def article(self, article: Article, index: int) -> _Entry:
        renderer = x.Renderer(
            language=article.language,
            image_src=lambda image: (f"../{name}" if (name := self.images.add(image)) else None),
            typography=self.options.typography,
        )
        header = renderer.title_block(article, "title")
        chunks = self._chunks(renderer, article, len(header))
        uid = "article" if self.book.is_single else f"article-{index:03d}"
        if renderer.notes:
            chunks = self._with_notes(renderer, article, chunks, [
                self._article_file(index, bare=True) if number == 1
                else f"{uid}-part{number:03d}.xhtml" for number in range(1, len(chunks) + 1)])
        self.has_images = self.has_images or renderer.has_images
        title = _flat(article.title) or "Untitled"
        label = _flat(article.title if self.book.is_single else toc_label(article))
        entries: list[_Entry] = []
        heading_files: dict[str, str] = {}
        for number, (body, anchors, _notes) in enumerate(chunks, 1):
            first = number == 1
            part_uid = uid if first else f"{uid}-part{number:03d}"
            file_name = self._article_file(index) if first else f"{_TEXT_DIR}/{part_uid}.xhtml"
            # Later parts continue the same chapter; only the first carries the title block.
            opening = ('<section class="article" epub:type="chapter" role="doc-chapter" '
                       'aria-labelledby="title">\n' f"{header}\n" if first else
                       '<section class="article continued">\n')
            content = x.document(title=title, language=article.language,
                                 body=f"{opening}{body}\n</section>",
                                 css_href=self._css_href(), body_type="bodymatter")
            heading_files.update((anchor, file_name) for anchor in anchors)
            entries.append(_Entry(part_uid, file_name, _flat(article.title), article.language,
                                  content.encode("utf-8")))
        main = entries[0]
        main.label = label or "Untitled"
        main.headings = renderer.headings
        main.heading_files = heading_files if len(entries) > 1 else {}
        main.parts = entries[1:]
        return main

    @staticmethod
    def _with_notes(renderer: x.Renderer, article: Article, chunks: list[_Chunk],
                    names: list[str]) -> list[_Chunk]:
        """The article's notes after its last part; references in other parts (documents
        `names`) link there, and each note back to where the text first refers to it."""
        last = names[-1]
        ref_files: dict[int, str] = {}
        first = 1  # notes are numbered as first referred to: a part's are the ones new in it
        for (_body, _anchors, notes), name in zip(chunks[:-1], names, strict=False):
            ref_files.update((n, name) for n in range(first, notes + 1))
            first = notes + 1
        heading, heading_lang = notes_heading(article.language)
        out = [(body.replace('href="#note-', f'href="{last}#note-'), anchors, notes)
               for body, anchors, notes in chunks[:-1]]
        body, anchors, notes = chunks[-1]
        out.append((f"{body}\n{renderer.notes_section(heading, heading_lang, ref_files)}",
                    anchors, notes))
        return out

    def _chunks(self, renderer: x.Renderer, article: Article, used: int) -> list[_Chunk]:
        """The article's XHTML body cut at block boundaries into pieces of about part_bytes
        (e-readers slow down or fail on multi-megabyte documents), with the heading anchors
        each piece holds and the number of notes referred to up to its end. A single block
        larger than that stays whole."""
        limit = part_bytes()
        chunks: list[_Chunk] = []
        pieces: list[str] = []
        anchors: list[str] = []
        size = used
        for block in article.body:
            before = len(renderer.headings)
            notes = len(renderer.notes)
            html = renderer.block(block)
            if not html:
                continue
            if pieces and size + len(html) > limit:
                chunks.append(("\n".join(pieces), anchors, notes))
                pieces, anchors, size = [], [], 0
            pieces.append(html)
            anchors += [h.anchor for h in renderer.headings[before:]]
            size += len(html) + 1
        chunks.append(("\n".join(pieces), anchors, len(renderer.notes)))
        return chunks

    # navigation ----------------------------------------------------------------------------

    def toc(self, articles: Sequence[_Entry]) -> list[Any]:
        """ebooklib's TOC (for the NCX): one entry per article, its sections nested."""
        from ebooklib import epub

        toc: list[Any] = []
        for i, entry in enumerate(articles, 1):
            link = epub.Link(entry.file_name, entry.label, f"toc-{i}")
            if entry.headings:
                children = [epub.Link(entry.href(h), h.label, f"toc-{i}-{j}")
                            for j, h in enumerate(entry.headings, 1)]
                toc.append((link, children))
            else:
                toc.append(link)
        return toc

    def guide(self, cover: _Entry | None, articles: Sequence[_Entry]) -> list[dict[str, str]]:
        """EPUB 2 guide (the landmarks nav is written with the nav document)."""
        guide = []
        if cover is not None:
            guide.append({"type": "cover", "href": cover.file_name,
                          "title": x.word("cover", self.language)[0]})
        guide.append({"type": "toc", "href": "nav.xhtml",
                      "title": x.word("contents", self.language)[0]})
        guide.append({"type": "text", "href": articles[0].file_name,
                      "title": x.word("start", self.language)[0]})
        return guide

    def nav(self, cover: tuple[_Entry, str, str, bytes] | None, titlepage: _Entry | None,
            articles: Sequence[_Entry]) -> bytes:
        lang = self.language

        def label(key: str) -> tuple[str, str]:
            text, in_lang = x.word(key, lang)
            tags = x.foreign_lang(in_lang, lang)
            return x.text(text), tags

        contents, contents_tags = label("contents")
        items = []
        for entry in articles:
            direction = x.foreign_dir(entry.language, lang)
            li = (f'<li{x.foreign_lang(entry.language, lang)}><a href="{x.attr(entry.file_name)}"'
                  f"{direction}>{x.text(entry.label)}</a>")
            if entry.headings:
                subs = "".join(
                    f'<li><a href="{x.attr(entry.href(h))}"{direction}>'
                    f"{x.text(h.label)}</a></li>" for h in entry.headings)
                li += f"<ol>{subs}</ol>"
            items.append(li + "</li>")
        landmarks_title, landmarks_tags = label("landmarks")
        marks = []
        if cover is not None:
            text, tags = label("cover")
            marks.append(f'<li><a epub:type="cover" href="{cover[0].file_name}"{tags}>'
                         f"{text}</a></li>")
        if titlepage is not None:
            text, tags = label("titlepage")
            marks.append(f'<li><a epub:type="titlepage" href="{titlepage.file_name}"{tags}>'
                         f"{text}</a></li>")
        # No "toc" landmark: EPUBCheck refuses links to the nav document, which is not in the
        # spine (RSC-011); reading systems open the contents from the nav itself.
        text, tags = label("start")
        marks.append(f'<li><a epub:type="bodymatter" href="{articles[0].file_name}"{tags}>'
                     f"{text}</a></li>")
        body = (
            f'<nav epub:type="toc" id="toc" role="doc-toc">\n'
            f"<h1{contents_tags}>{contents}</h1>\n<ol>\n" + "\n".join(items) + "\n</ol>\n</nav>\n"
            f'<nav epub:type="landmarks" id="landmarks" hidden="hidden">\n'
            f"<h2{landmarks_tags}>{landmarks_title}</h2>\n<ol>\n" + "\n".join(marks)
            + "\n</ol>\n</nav>"
        )
        title = x.word("contents", lang)[0]
        return x.document(title=title, language=lang, body=body,
                          css_href=CSS_FILE).encode("utf-8")

