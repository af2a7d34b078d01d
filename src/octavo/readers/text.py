"""Plain-text reader: one paragraph a line, in the two layouts real inputs come in.

1. *Byline layout* (the seed's): author, publisher, image credit, image caption, then paragraphs,
   and no title line.
2. *Title layout*: a title line, then paragraphs.

The layout is told apart by content, never by file name: see `_is_byline_layout`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from octavo import diagnostics
from octavo.decoding import decode
from octavo.errors import EmptyInputError
from octavo.language import detect
from octavo.model import Article, Block, Figure, Heading, Paragraph, SectionBreak, is_language_tag
from octavo.options import ReadOptions
from octavo.plugins import BUILTIN_EXTENSIONS, Source
from octavo.readers._inline import parse_quotes

TITLE_MAX = 80
"""A derived title is at most this many characters (cut at a word, ending in "…")."""

_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»“]?$")
_CREDIT = re.compile(
    r"\b(via|getty|images?|reuters|afp|epa|dpa|ap|pa|media|photo|foto|bild|picture|credit|"
    r"courtesy|shutterstock|alamy|imago|keystone|bloomberg|anadolu|xinhua|tass|ria|"
    r"istock|wikimedia|commons|archiv|archive|quelle|source|crédit|fotografía)\b|[©/]",
    re.IGNORECASE,
)
_NAME_JOINERS = {"and", "und", "et", "y", "e", "i", "&", "von", "van", "de", "der", "den", "da",
                 "del", "di", "du", "la", "le", "bin", "al", "ibn", "zu", "ten", "и"}
_WIKI_HEADING = re.compile(r"^(={2,6})\s*(.+?)\s*=*\s*$")
_BREAK = re.compile(r"^\s*(\*\s*){3,}$|^\s*(-\s*){3,}$|^\s*#\s*$")
_BREAK_FIRST = "*-#"
"""What a section break line starts with, after any spaces."""
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_EN_DATE = re.compile(
    r"^(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),\s*)?"
    r"(january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+(\d{1,2}),\s*(\d{4})$",
    re.IGNORECASE,
)


def _is_short_label(line: str, limit: int = 80) -> bool:
    return len(line) <= limit and not _SENTENCE_END.search(line)


def _is_name_list(line: str) -> bool:
    """Looks like a byline: 1-4 names of capitalised words, joined by commas or "and"."""
    if len(line) > 80 or any(ch.isdigit() for ch in line):
        return False
    text = re.sub(r"^(by|von|par|por|di|door|av)\s+", "", line, flags=re.IGNORECASE)
    words = [w for w in re.split(r"[\s,]+", text) if w]
    names = [w for w in words if w.lower() not in _NAME_JOINERS]
    if not 2 <= len(names) <= 12:
        return False
    return all(w[0].isupper() or not w[0].isalpha() for w in names)


def _is_byline_layout(lines: list[str]) -> bool:
    """Author, publisher, credit and caption lines lead; the first line is no title.

    A title-first article can start with short lines too (a dateline, a caption), so all of
    these must hold: a name-like first line, a short second line, a third line that reads as a
    picture credit, and a fourth that is a sentence or a label.
    """
    if len(lines) < 5:
        return False
    author, publisher, credit, caption = lines[:4]
    return (
        _is_name_list(author)
        and _is_short_label(publisher, 60)
        and _is_short_label(credit, 100)
        and bool(_CREDIT.search(credit))
        and len(caption) >= 10
    )


def derive_title(body_text: str) -> str:
    """The documented rule: the first sentence of the body, cut at a word to TITLE_MAX chars."""
    text = " ".join(body_text.split())
    match = re.search(r"^(.+?[.!?。！？])(\s|$)", text)
    sentence = match.group(1) if match else text
    sentence = sentence.rstrip(".。")
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence[: TITLE_MAX - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(",;:–— ") + "…"


def _parse_date(line: str) -> date | None:
    text = line.strip()
    # strptime is slow even when it fails; "%Y-%m-%d" matches only 8-10 characters with the
    # dash after four digits, so other lines (nearly all) skip it.
    if 8 <= len(text) <= 10 and text[4] == "-":
        try:
            return datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            pass
    m = _EN_DATE.match(text)
    if m:
        try:
            return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        except ValueError:
            return None
    return None


def _blocks(lines: list[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for line in lines:
        # Both patterns need a line starting with one of their marks (or a space): most lines
        # are paragraphs and skip the two searches.
        first = line[:1]
        heading = _WIKI_HEADING.match(line) if first == "=" else None
        if heading:
            level = min(len(heading.group(1)), 6)
            blocks.append(Heading(level, parse_quotes(heading.group(2))))
        elif (first in _BREAK_FIRST or first.isspace()) and _BREAK.match(line):
            blocks.append(SectionBreak())
        else:
            blocks.append(Paragraph(parse_quotes(line)))
    return tuple(blocks)


def _language(options: ReadOptions, text: str) -> str:
    if options.language:
        return options.language
    return detect(text)


class TextReader:
    name = "text"
    extensions = BUILTIN_EXTENSIONS["text"]
    uses_base_dir = False
    """Plain text refers to no files: read() needs no resolved input folder (see api.read)."""

    def read(self, source: Source, options: ReadOptions) -> Article:
        text, _encoding = decode(source.data, options.encoding)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            raise EmptyInputError("the file has no text", hint="give a file with article text")

        authors: tuple[str, ...] = ()
        publisher = None
        lead = None
        published = None
        if _is_byline_layout(lines):
            author_line, publisher, credit, caption = lines[:4]
            author_line = re.sub(r"^(by|von|par|por)\s+", "", author_line, flags=re.IGNORECASE)
            authors = tuple(a.strip() for a in re.split(r",|\s+(?:and|und|et|&|y|и)\s+", author_line)
                            if a.strip())
            lead = Figure(image=None, caption=parse_quotes(caption), credit=credit)
            body_lines = lines[4:]
            title = derive_title(body_lines[0])
            diagnostics.warn(
                "no-title",
                f"the text has no title line; using its first sentence {title!r} "
                "(set one with --title)",
            )
        else:
            title = lines[0]
            body_lines = lines[1:]
            if body_lines and (published := _parse_date(body_lines[0])) is not None:
                body_lines = body_lines[1:]
            if len(title) > 200:  # a paragraph, not a title: keep every word in the body
                body_lines = lines
                title = derive_title(lines[0])
                diagnostics.warn(
                    "no-title",
                    f"the first line is too long for a title; using {title!r} (set one with --title)",
                )

        language = _language(options, "\n".join(body_lines) or title)
        if not is_language_tag(language):
            language = detect("\n".join(body_lines) or title)
        return Article(
            title=title,
            language=language,
            body=_blocks(body_lines),
            authors=authors,
            publisher=publisher,
            published=published,
            lead=lead,
            source=source.name,
        )
