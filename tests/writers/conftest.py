"""Helpers for writer tests: sample articles built in code, images made on the fly."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from octavo.model import Article, Figure, Image, Inline, Paragraph, Quoted, Text, normalize_inlines

SEED = Path(__file__).parent.parent / "data" / "text" / "seed-bbc-de.txt"
FIXED_TIME = datetime(2025, 7, 14, 12, 30, 0, tzinfo=timezone.utc)


def make_image(fmt: str = "JPEG", size: tuple[int, int] = (1200, 675),
               color: str = "#667788") -> bytes:
    """A small synthetic image (Pillow) with a stripe, so it is not a flat colour."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    img = PILImage.new("RGB", size, color)
    ImageDraw.Draw(img).rectangle((0, size[1] // 3, size[0], size[1] // 2), fill="#ddccbb")
    out = io.BytesIO()
    img.save(out, fmt)
    return out.getvalue()


_QUOTE = re.compile(r'"([^"]+)"')


def quoted_inlines(line: str) -> tuple[Inline, ...]:
    """Text with "…" turned into Quoted nodes, as a reader does."""
    out: list[Inline] = []
    pos = 0
    for m in _QUOTE.finditer(line):
        out += [Text(line[pos:m.start()]), Quoted((Text(m.group(1)),))]
        pos = m.end()
    out.append(Text(line[pos:]))
    return normalize_inlines(out)


def seed_article(with_image: bool = True) -> Article:
    """The German seed parsed by its layout: author, publisher, credit, caption, paragraphs."""
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    author, publisher, credit, caption, *paragraphs = lines
    image = Image(make_image(), "image/jpeg", "Ein Soldat blickt durch ein Zielfernrohr") \
        if with_image else None
    return Article(
        title="Ukraine hält noch Gebiet in Kursk",
        language="de",
        authors=(author,),
        publisher=publisher,
        published=date(2025, 7, 13),
        lead=Figure(image=image, caption=(Text(caption),), credit=credit),
        body=tuple(Paragraph(quoted_inlines(p)) for p in paragraphs),
    )


@dataclass
class Epub:
    """A written EPUB, opened: its bytes and the text of each entry."""

    data: bytes

    @property
    def zip(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(io.BytesIO(self.data))

    def names(self) -> list[str]:
        return self.zip.namelist()

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8")

    def documents(self) -> dict[str, str]:
        return {n: self.text(n) for n in self.names() if n.endswith(".xhtml")}


def write(book: object, **options: object) -> Epub:
    """Write a Book (or an Article, as a one-article book) with a fixed modification time."""
    from octavo.model import Book
    from octavo.options import WriteOptions
    from octavo.writers.epub import EpubWriter

    if isinstance(book, Article):
        book = Book.of(book)
    options.setdefault("modified", FIXED_TIME)
    out = io.BytesIO()
    EpubWriter().write(book, out, WriteOptions(**options))  # type: ignore[arg-type]
    return Epub(out.getvalue())
