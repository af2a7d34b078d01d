"""The article model: immutable, typed dataclasses every reader builds and every writer takes.

Readers record *what* a thing is (a quotation, an emphasis, a figure); writers decide how it
looks. Values are tuples, not lists, so models are hashable and compare by value.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, TypeAlias, TypeVar

from octavo.errors import ModelError

# Every class has a docstring: without one, dataclass() builds one from inspect.signature() at
# import time, which is a measurable part of every start.

# --- inline content -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text."""

    value: str


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Stressed words (usually italic)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    """Strongly stressed words (usually bold)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code, set in a monospaced font."""

    value: str


@dataclass(frozen=True, slots=True)
class Link:
    """Inline content that links to a URL."""

    children: tuple[Inline, ...]
    url: str


@dataclass(frozen=True, slots=True)
class Quoted:
    """A quotation; the marks are chosen per language by the writer, never stored here."""

    children: tuple[Inline, ...]
    double: bool = True


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A forced line break inside a paragraph."""


@dataclass(frozen=True, slots=True)
class Superscript:
    """Raised text: an exponent (x²), a unit (m²), an ordinal (1er)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    """Lowered text: a count in a chemical formula (H₂O), an index (xᵢ)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Note:
    """A footnote at this point of the text: its blocks (no notes inside). Writers number an
    article's notes in order and set them apart (EPUB and PDF: at the article's end)."""

    children: tuple[Block, ...]


Inline: TypeAlias = (
    Text | Emphasis | Strong | Code | Link | Quoted | LineBreak | Superscript | Subscript | Note
)

# --- blocks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Image:
    """Image bytes resolved by the reader: writers never open files or fetch URLs."""

    data: bytes = field(repr=False)
    media_type: str
    alt: str = ""

    def __post_init__(self) -> None:
        if self.media_type not in IMAGE_TYPES:
            raise ModelError(f"unsupported image type {self.media_type!r}")


IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/svg+xml"})


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline content."""

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of level 1 to 6 inside the article body."""

    level: int
    children: tuple[Inline, ...]

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 6:
            raise ModelError(f"heading level must be 1..6, not {self.level}")


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A quoted passage of blocks."""

    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bulleted or numbered list; each item is a sequence of blocks."""

    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted code, with its language when known."""

    text: str
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A simple grid: an optional header row and body rows of inline cells."""

    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """An image with caption and credit; the image may be absent (caption and credit alone)."""

    image: Image | None = None
    caption: tuple[Inline, ...] = ()
    credit: str | None = None

    def __post_init__(self) -> None:
        if self.image is None and not self.caption and not self.credit:
            raise ModelError("a figure needs an image, a caption or a credit")


@dataclass(frozen=True, slots=True)
class SectionBreak:
    """A thematic break between sections."""


Block: TypeAlias = (
    Paragraph | Heading | BlockQuote | ListBlock | CodeBlock | Table | Figure | SectionBreak
)

# --- documents ------------------------------------------------------------------------------

# BCP 47, loosely: a 2-3 letter language, then subtags of 1-8 letters/digits.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def is_language_tag(tag: str) -> bool:
    return bool(_LANGUAGE_TAG.match(tag))


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """One article: its metadata and body, as a reader found it."""

    title: str
    """Never empty: readers derive one (and warn) when the source has none."""
    language: str
    """BCP 47 tag ("de", "pt-BR"): drives quotes, hyphenation, fonts and dc:language."""
    body: tuple[Block, ...]
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    published: date | None = None
    lead: Figure | None = None
    """The lead figure, shown under the title block."""
    description: str | None = None
    keywords: tuple[str, ...] = ()
    url: str | None = None
    """Where the article was published, when known."""
    source: str | None = None
    """The input it was read from (a file name), for messages and provenance."""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise ModelError("an article needs a non-empty title")
        if not is_language_tag(self.language):
            raise ModelError(f"{self.language!r} is not a BCP 47 language tag")


@dataclass(frozen=True, slots=True, kw_only=True)
class Book:
    """What every writer takes: one article, or many bound together."""

    title: str
    language: str
    articles: tuple[Article, ...]
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    published: date | None = None
    subtitle: str | None = None

    def __post_init__(self) -> None:
        if not self.articles:
            raise ModelError("a book needs at least one article")
        if not self.title.strip():
            raise ModelError("a book needs a non-empty title")
        if not is_language_tag(self.language):
            raise ModelError(f"{self.language!r} is not a BCP 47 language tag")

    @classmethod
    def of(cls, article: Article) -> Book:
        return cls(
            title=article.title,
            subtitle=article.subtitle,
            language=article.language,
            articles=(article,),
            authors=article.authors,
            publisher=article.publisher,
            published=article.published,
        )

    @property
    def is_single(self) -> bool:
        return len(self.articles) == 1


# --- helpers --------------------------------------------------------------------------------


def normalize_inlines(inlines: tuple[Inline, ...] | list[Inline]) -> tuple[Inline, ...]:
    """Merge adjacent Text runs and drop empty ones, so equal content has one tree."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text):
            if not node.value:
                continue
            if out and isinstance(out[-1], Text):
                out[-1] = Text(out[-1].value + node.value)
                continue
        out.append(node)
    return tuple(out)


def plain_text(inlines: tuple[Inline, ...]) -> str:
    """The words of inline content, without marks (quotes are not added) and without notes
    (a note's words are its own, not the sentence's it marks)."""
    if type(inlines) is tuple and len(inlines) == 1 and type(inlines[0]) is Text:  # most of them
        return inlines[0].value
    parts: list[str] = []
    for node in inlines:
        match node:
            case Text(value) | Code(value):
                parts.append(value)
            case (Emphasis(children) | Strong(children) | Link(children, _) | Quoted(children, _)
                  | Superscript(children) | Subscript(children)):
                parts.append(plain_text(children))
            case LineBreak():
                parts.append("\n")
    return "".join(parts)


def block_text(block: Block) -> str:
    """Plain text of a block, paragraphs separated by newlines."""
    if type(block) is Paragraph:  # the usual block, ahead of the match's class tests
        return plain_text(block.children)
    match block:
        case Paragraph(children) | Heading(_, children):
            return plain_text(children)
        case BlockQuote(children):
            return "\n".join(block_text(b) for b in children)
        case ListBlock(items, _, _):
            return "\n".join(block_text(b) for item in items for b in item)
        case CodeBlock(text, _):
            return text
        case Table(header, rows):
            cells = [*header, *(c for r in rows for c in r)]
            return "\n".join(plain_text(c) for c in cells)
        case Figure(_, caption, credit):
            return "\n".join(x for x in (plain_text(caption), credit or "") if x)
        case SectionBreak():
            return ""


def para(text: str) -> Paragraph:
    return Paragraph(normalize_inlines((Text(text),)))


T = TypeVar("T")


def map_inlines(block: Block, fn: Callable[[tuple[Inline, ...]], tuple[Inline, ...]]) -> Block:
    """Rebuild a block with fn applied to every inline sequence in it (bottom-up transforms)."""
    match block:
        case Paragraph(children):
            return Paragraph(fn(children))
        case Heading(level, children):
            return Heading(level, fn(children))
        case BlockQuote(children):
            return BlockQuote(tuple(map_inlines(b, fn) for b in children))
        case ListBlock(items, ordered, start):
            return ListBlock(
                tuple(tuple(map_inlines(b, fn) for b in item) for item in items), ordered, start
            )
        case Table(header, rows):
            return Table(tuple(fn(c) for c in header), tuple(tuple(fn(c) for c in r) for r in rows))
        case Figure(image, caption, credit):
            return Figure(image, fn(caption), credit)
        case CodeBlock() | SectionBreak():
            return block


def replace(obj: T, **changes: object) -> T:
    return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
