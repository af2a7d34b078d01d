"""Model blocks and inlines to XHTML for EPUB content documents: escaped, language-tagged.

Everything is built as strings, and every piece of text or attribute from the model goes
through `text()` or `attr()`: they escape markup and drop characters XML 1.0 forbids (a NUL
or a form feed in a title would otherwise make the whole book unreadable). Documents carry
`lang` and `xml:lang` (EPUB reading systems use either), `dir="rtl"` for right-to-left
languages, and elements whose language differs from their document's get their own tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

from octavo.model import (
    Article,
    Block,
    BlockQuote,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
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
    plain_text,
)
from octavo.typography.quotes import QuoteMarks, quote_marks
from octavo.typography.words import format_date, join_names, lookup  # noqa: F401 (re-exported)

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"

# Characters XML 1.0 does not allow, plus the non-characters U+FFFE/U+FFFF and lone surrogates.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_STRAIGHT = QuoteMarks('"', '"', "'", "'")

# --- escaping ---------------------------------------------------------------------------------


def clean(value: str) -> str:
    """Text XML can hold: forbidden characters removed, CR/LF normalized."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", value)


def text(value: str) -> str:
    """Escape text content (clean() inlined: this runs for every text run of a book)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (_NOT_XML.sub("", value)
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def attr(value: str) -> str:
    """Escape an attribute value (for double-quoted attributes; newlines kept as references)."""
    return (text(value).replace('"', "&quot;").replace("'", "&#39;")
            .replace("\n", "&#10;").replace("\t", "&#9;"))


# --- language and direction -------------------------------------------------------------------

# Languages written right to left (primary subtags), and the script subtags that make any tag RTL.
RTL_LANGUAGES = frozenset({
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku-arab", "mzn", "nqo", "pnb", "ps",
    "sd", "syr", "ug", "ur", "yi", "azb", "glk", "lrc", "prs", "bal", "bqi", "sdh",
})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"})
_LTR_SCRIPTS = frozenset({"latn", "cyrl", "grek", "deva", "hans", "hant", "jpan", "kore", "armn"})


def is_rtl(language: str) -> bool:
    """Whether a BCP 47 tag names a right-to-left language ("ar", "fa-IR", "az-Arab")."""
    parts = language.lower().split("-")
    if any(p in _RTL_SCRIPTS for p in parts[1:]):
        return True
    if any(p in _LTR_SCRIPTS for p in parts[1:]):
        return False
    return parts[0] in RTL_LANGUAGES


def lang_attrs(language: str, *, with_dir: bool = False) -> str:
    """` lang="x" xml:lang="x"` (+ ` dir="rtl"` for RTL languages when asked)."""
    value = attr(language)
    out = f' lang="{value}" xml:lang="{value}"'
    if with_dir and is_rtl(language):
        out += ' dir="rtl"'
    return out


def same_language(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def foreign_lang(language: str, context: str) -> str:
    """lang/xml:lang for an element in `language` inside a document in `context` (or "")."""
    return "" if same_language(language, context) else lang_attrs(language)


def foreign_dir(language: str, context: str) -> str:
    """dir for inline text in `language` when its writing direction differs from `context`'s.

    Meant for the text's own element (a link, a span): on a list item it would also move the
    item's marker to the other side, out of the list's box.
    """
    if is_rtl(language) == is_rtl(context):
        return ""
    return ' dir="rtl"' if is_rtl(language) else ' dir="ltr"'


# --- the few words the writer itself prints ---------------------------------------------------

_WORDS: dict[str, dict[str, str]] = {
    "en": {"contents": "Contents", "landmarks": "Landmarks", "cover": "Cover",
           "start": "Start of content", "titlepage": "Title page"},
    "de": {"contents": "Inhalt", "landmarks": "Orientierungspunkte", "cover": "Umschlag",
           "start": "Textanfang", "titlepage": "Titelseite"},
    "fr": {"contents": "Table des matières", "landmarks": "Repères", "cover": "Couverture",
           "start": "Début du texte", "titlepage": "Page de titre"},
    "es": {"contents": "Índice", "landmarks": "Puntos de referencia", "cover": "Cubierta",
           "start": "Inicio del texto", "titlepage": "Portada"},
    "it": {"contents": "Indice", "landmarks": "Punti di riferimento", "cover": "Copertina",
           "start": "Inizio del testo", "titlepage": "Frontespizio"},
    "nl": {"contents": "Inhoud", "landmarks": "Oriëntatiepunten", "cover": "Omslag",
           "start": "Begin van de tekst", "titlepage": "Titelpagina"},
    "ru": {"contents": "Содержание", "landmarks": "Ориентиры", "cover": "Обложка",
           "start": "Начало текста", "titlepage": "Титульная страница"},
    "uk": {"contents": "Зміст", "landmarks": "Орієнтири", "cover": "Обкладинка",
           "start": "Початок тексту", "titlepage": "Титульна сторінка"},
}


def word(key: str, language: str) -> tuple[str, str]:
    """A navigation label and the language it is actually in (English when not translated)."""
    primary = language.lower().split("-")[0]
    if primary in _WORDS:
        return _WORDS[primary][key], language
    return _WORDS["en"][key], "en"


# --- links --------------------------------------------------------------------------------------

_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def safe_url(url: str) -> str | None:
    """An http(s)/mailto URL fit for href (IDNA host, percent-encoded elsewhere), or None.

    Anything else — javascript:, data:, relative paths — is refused: a converted article must
    not carry scripts, and a relative link would point into the EPUB, where nothing is.
    """
    url = clean(url).strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            host = parts.hostname
            if not host or parts.port == 0:  # .port raises ValueError when malformed
                return None
            host = host.encode("idna").decode("ascii")
            if ":" in host:  # an IPv6 literal
                host = f"[{host}]"
            netloc = f"{host}:{parts.port}" if parts.port is not None else host
            if parts.username is not None:
                userinfo = _encode(parts.username)
                if parts.password is not None:
                    userinfo += ":" + _encode(parts.password)
                netloc = f"{userinfo}@{netloc}"
        elif scheme == "mailto":
            netloc = ""
            if not parts.path.strip():
                return None
        else:
            return None
    except (ValueError, UnicodeError):
        return None
    return urlunsplit((parts.scheme, netloc, _encode(parts.path) or ("/" if netloc else ""),
                       _encode(parts.query), _encode(parts.fragment)))


def _encode(part: str) -> str:
    encoded = quote(part, safe=_URL_SAFE + "%")
    # A "%" that does not start an escape is not valid in a URL: encode it on its own.
    return re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", encoded)


def short_url(url: str) -> str:
    short = url.split("://", 1)[-1].removeprefix("www.")
    return short if len(short) <= 60 else short[:57] + "…"


# --- documents ----------------------------------------------------------------------------------


def document(*, title: str, language: str, body: str, css_href: str | None,
             body_type: str | None = None, body_class: str | None = None) -> str:
    """A complete XHTML5 content document."""
    head_links = (f'<link rel="stylesheet" type="text/css" href="{attr(css_href)}"/>'
                  if css_href else "")
    body_attrs = ""
    if is_rtl(language):  # on body too: some reading systems ignore dir on the root
        body_attrs += ' dir="rtl"'
    if body_type:
        body_attrs += f' epub:type="{attr(body_type)}"'
    if body_class:
        body_attrs += f' class="{attr(body_class)}"'
    return (
        # The declaration exactly as Send to Kindle expects it: without one, Amazon reads the
        # file as ISO-8859-1 and fails with E999 (innocenat/kindle-epub-fix).
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}"{lang_attrs(language, with_dir=True)}>\n'
        f'<head>\n<meta charset="UTF-8"/>\n<title>{text(title)}</title>\n{head_links}\n</head>\n'
        f"<body{body_attrs}>\n{body}\n</body>\n</html>\n"
    )


# --- content ------------------------------------------------------------------------------------


@dataclass(slots=True)
class TocHeading:
    """A body heading the table of contents lists: its anchor and plain text."""

    anchor: str
    label: str


@dataclass(slots=True)
class Renderer:
    """Turns one article's blocks into XHTML; `image_src` embeds an image and returns its href."""

    language: str
    image_src: Callable[[Image], str | None]
    typography: bool = True
    toc_level: int = 2
    headings: list[TocHeading] = field(default_factory=list)
    has_images: bool = False
    _marks: QuoteMarks = field(init=False)
    _ids: int = 0
    _open: list[tuple[int, int]] = field(default_factory=list)
    """The headings the text is under: (model level, HTML level), outermost first."""
    notes: dict[Note, int] = field(default_factory=dict)
    """The article's footnotes so far and their numbers, in the order the text refers to them
    (a note referred to again, as Markdown's [^1] twice, keeps its number)."""
    _in_notes: bool = False
    _refs: dict[int, int] = field(default_factory=dict)
    """How often the text has referred to each note so far."""

    def __post_init__(self) -> None:
        self._marks = quote_marks(self.language) if self.typography else _STRAIGHT

    # inline content ------------------------------------------------------------------------

    def inlines(self, nodes: Iterable[Inline], *, in_double: bool | None = None,
                in_link: bool = False) -> str:
        """XHTML for inline nodes; `in_double` is the kind of the enclosing quotation, if any,
        and `in_link` says whether they sit inside a link (HTML forbids links in links)."""
        if type(nodes) is tuple and len(nodes) == 1 and type(nodes[0]) is Text:
            return text(nodes[0].value)  # most paragraphs: one run of text
        out: list[str] = []

        def inner(children: Iterable[Inline], double: bool | None = in_double,
                  link: bool = in_link) -> str:
            return self.inlines(children, in_double=double, in_link=link)

        previous: Inline | None = None
        for node in nodes:
            if type(node) is Text:  # the usual node, ahead of the match's class tests
                out.append(text(node.value))
                previous = node
                continue
            match node:
                case Text(value):
                    out.append(text(value))
                case Emphasis(children):
                    out.append(f"<em>{inner(children)}</em>")
                case Strong(children):
                    out.append(f"<strong>{inner(children)}</strong>")
                case Superscript(children):
                    out.append(f"<sup>{inner(children)}</sup>")
                case Subscript(children):
                    out.append(f"<sub>{inner(children)}</sub>")
                case Code(value):
                    out.append(f"<code>{text(value)}</code>")
                case Link(children, url):
                    href = None if in_link else safe_url(url)
                    label = inner(children, link=in_link or href is not None)
                    out.append(f'<a href="{attr(href)}">{label}</a>' if href else label)
                case Quoted(children, double):
                    # Outermost quotes follow the model; nested ones alternate double/single,
                    # which is right whether or not the reader marked the inner ones.
                    kind = double if in_double is None else not in_double
                    opening, closing = self._marks.pair(kind)
                    out.append(text(opening) + inner(children, double=kind) + text(closing))
                case LineBreak():
                    out.append("<br/>")
                case Note() if not self._in_notes:  # the model has no notes in notes
                    n = self.notes.setdefault(node, len(self.notes) + 1)
                    # The id is on <sup>: a note inside a link is a number without a link
                    # of its own (HTML forbids links in links), and still the note's way back
                    # (from the first place that refers to it).
                    self._refs[n] = seen = self._refs.get(n, 0) + 1
                    anchor = f"noteref-{n}" if seen == 1 else f"noteref-{n}-{seen}"
                    number = str(n) if in_link else (
                        f'<a href="#note-{n}" epub:type="noteref" role="doc-noteref">{n}</a>')
                    # Notes side by side read "18,19", not "1819".
                    comma = "," if isinstance(previous, Note) else ""
                    out.append(f'<sup class="noteref" id="{anchor}">{comma}{number}</sup>')
            previous = node
        return "".join(out)

    def notes_section(self, heading: str, heading_lang: str,
                      ref_files: dict[int, str] | None = None) -> str:
        """The article's footnotes as endnotes, each linked back to where the text refers to
        it; `ref_files` names the document of a reference that lies in another one."""
        if not self.notes:
            return ""
        self._in_notes = True
        try:
            items = []
            for n, note in enumerate(self.notes, 1):
                back = f"{(ref_files or {}).get(n, '')}#noteref-{n}"
                items.append(f'<li id="note-{n}">\n'
                             f"{self.blocks(note.children)}\n"
                             f'<p class="backlink"><a href="{attr(back)}" role="doc-backlink">'
                             f"↩ {n}</a></p></li>")
        finally:
            self._in_notes = False
        lang = foreign_lang(heading_lang, self.language)
        return ('<section class="notes" epub:type="endnotes" role="doc-endnotes">\n'
                f"<h2{lang}>{text(heading)}</h2>\n<ol>\n" + "\n".join(items) +
                "\n</ol>\n</section>")

    # blocks --------------------------------------------------------------------------------

    def blocks(self, blocks: Iterable[Block]) -> str:
        return "\n".join(filter(None, (self.block(b) for b in blocks)))

    def block(self, block: Block) -> str:
        if type(block) is Paragraph:  # the usual block, ahead of the match's class tests
            inner = self.inlines(block.children)
            return f"<p>{inner}</p>" if inner.strip() else ""
        match block:
            case Paragraph(children):
                inner = self.inlines(children)
                return f"<p>{inner}</p>" if inner.strip() else ""
            case Heading(level, children):
                return self.heading(level, children)
            case BlockQuote(children):
                inner = self.blocks(children)
                return f"<blockquote>\n{inner}\n</blockquote>" if inner else ""
            case ListBlock(items, ordered, start):
                return self.list_block(items, ordered, start)
            case CodeBlock(code, language):
                cls = ""
                if language and (slug := re.sub(r"[^A-Za-z0-9_+-]", "", language)):
                    cls = f' class="language-{slug}"'
                return f"<pre><code{cls}>{text(code)}</code></pre>"
            case Table(header, rows):
                return self.table(header, rows)
            case Figure():
                return self.figure(block)
            case SectionBreak():
                return '<hr class="section-break"/>'
        return ""

    def heading(self, level: int, children: tuple[Inline, ...]) -> str:
        inner = self.inlines(children)
        if not inner.strip():
            return ""  # an empty heading is a navigation dead end for screen readers
        if self._in_notes:  # a note's heading is no section of the book
            return f'<p class="note-heading"><strong>{inner}</strong></p>'
        shifted = self._html_level(level)
        self._ids += 1
        anchor = f"s{self._ids}"
        if shifted == self.toc_level:
            label = " ".join(clean(plain_text(children)).split())
            if label:
                self.headings.append(TocHeading(anchor, label))
        return f'<h{shifted} id="{anchor}">{inner}</h{shifted}>'

    def _html_level(self, level: int) -> int:
        """One below the heading the text is under (of a higher model level), h2 under the
        article's title (h1): levels never jump (h1 then h3), as screen readers and Ace's
        heading-order check expect, whatever levels the source used, in whatever order."""
        while self._open and self._open[-1][0] >= level:
            self._open.pop()
        html = min(6, self._open[-1][1] + 1) if self._open else 2
        self._open.append((level, html))
        return html

    def list_block(self, items: Sequence[Sequence[Block]], ordered: bool, start: int) -> str:
        if not items:
            return ""
        parts: list[str] = []
        for item in items:
            if len(item) == 1 and isinstance(item[0], Paragraph):
                parts.append(f"<li>{self.inlines(item[0].children)}</li>")
            else:
                parts.append(f"<li>{self.blocks(item)}</li>")
        if ordered:
            start_attr = f' start="{start}"' if start != 1 else ""
            return f"<ol{start_attr}>\n" + "\n".join(parts) + "\n</ol>"
        return "<ul>\n" + "\n".join(parts) + "\n</ul>"

    def table(self, header: Sequence[Sequence[Inline]],
              rows: Sequence[Sequence[Sequence[Inline]]]) -> str:
        if not header and not any(rows):
            return ""
        parts = ["<table>"]
        if header:
            cells = "".join(f'<th scope="col">{self.inlines(c)}</th>' for c in header)
            parts.append(f"<thead><tr>{cells}</tr></thead>")
        body_rows = [r for r in rows if r]
        if body_rows:
            parts.append("<tbody>")
            for row in body_rows:
                parts.append("<tr>" + "".join(f"<td>{self.inlines(c)}</td>" for c in row)
                             + "</tr>")
            parts.append("</tbody>")
        parts.append("</table>")
        return "\n".join(parts)

    def figure(self, fig: Figure, css_class: str = "figure") -> str:
        parts = [f'<figure class="{css_class}">']
        if fig.image is not None:
            src = self.image_src(fig.image)
            if src is not None:
                self.has_images = True
                parts.append(self.img(src, fig.image, fig))
        caption = self.inlines(fig.caption).strip()
        credit = " ".join(clean(fig.credit or "").split())
        if caption or credit:
            inner = f'<span class="caption">{caption}</span>' if caption else ""
            if credit:
                inner += (" " if inner else "") + f'<span class="credit">{text(credit)}</span>'
            parts.append(f"<figcaption>{inner}</figcaption>")
        if len(parts) == 1:
            return ""
        parts.append("</figure>")
        return "\n".join(parts)

    def img(self, src: str, image: Image, fig: Figure) -> str:
        alt = " ".join(clean(image.alt).split())
        if not alt:
            # No description: the caption is the next best text alternative. With neither,
            # the image is marked decorative rather than left for a screen reader to spell out.
            alt = " ".join(clean(plain_text(fig.caption)).split())
        if alt:
            return f'<img src="{attr(src)}" alt="{attr(alt)}"/>'
        return f'<img src="{attr(src)}" alt="" role="presentation"/>'

    # the title block -----------------------------------------------------------------------

    def title_block(self, article: Article, title_id: str) -> str:
        parts = ['<header class="title-block">',
                 f'<h1 id="{title_id}" class="title">{text(article.title)}</h1>']
        if article.subtitle and article.subtitle.strip():
            parts.append(f'<p class="subtitle">{text(article.subtitle)}</p>')
        if byline := join_names(article.authors, article.language):
            parts.append(f'<p class="byline">{text(byline)}</p>')
        meta: list[str] = []
        if article.publisher and article.publisher.strip():
            meta.append(f'<span class="publisher">{text(article.publisher)}</span>')
        if article.published is not None:
            meta.append(f'<time datetime="{article.published.isoformat()}">'
                        f"{text(format_date(article.published, article.language))}</time>")
        if meta:
            parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
        if article.url and (href := safe_url(article.url)):
            parts.append(f'<p class="source"><a href="{attr(href)}">'
                         f"{text(short_url(article.url.strip()))}</a></p>")
        parts.append("</header>")
        if article.lead is not None:
            lead = self.figure(article.lead, "figure lead")
            if lead:
                parts.append(lead)
        return "\n".join(parts)
