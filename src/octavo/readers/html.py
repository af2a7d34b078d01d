"""HTML reader for saved article pages: extract the article, not the page.

Metadata comes from the page head (Open Graph, article:*, meta author, JSON-LD NewsArticle /
BlogPosting, canonical link, <html lang>). The body comes from the page's own semantic container
(itemprop=articleBody, <article>, <main>, role=main) or, when it has none, from the element with
the densest paragraphs; then navigation, asides, share bars, related lists and the like are cut
(docs/html-extraction.md explains why this beats trafilatura and readability-lxml here).

The mapping to the model is a whitelist: only known elements become blocks and inlines, no
attribute is copied except checked link targets, and image references are resolved to verified
bytes. Scripts, styles, frames, forms, event handlers, javascript: links and tracking pixels
therefore cannot reach the model. The same converter maps raw HTML blocks in Markdown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from octavo import diagnostics, limits
from octavo.decoding import decode
from octavo.errors import EmptyInputError, InputError
from octavo.language import detect
from octavo.model import (
    Article,
    Block,
    BlockQuote,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
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
    block_text,
    is_language_tag,
    normalize_inlines,
    plain_text,
)
from octavo.options import ReadOptions
from octavo.plugins import BUILTIN_EXTENSIONS, Source
from octavo.readers._images import ImageResolver, is_tiny, is_tracker_url, urljoin, urlsplit
from octavo.readers._inline import parse_quotes
from octavo.readers.text import derive_title

if TYPE_CHECKING:
    from lxml.html import HtmlElement

MAX_DEPTH = 120
"""Elements nested deeper than this are read as plain text (hostile input, not articles)."""

# --- shared helpers (also used by the Markdown reader) ---------------------------------------

_RTL_LANGUAGES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb", "syr", "iw"}
_CREDIT_IN_CAPTION = re.compile(
    r"(?:^|(?<=[\s.;,(\[|–—-]))((?:photo|photograph|foto|bild|credit|crédit|"
    r"source|quelle|fotografía)s?\s*:\s*.+|©.+)$",
    re.IGNORECASE,
)
_CREDIT_PREFIX = re.compile(
    r"^(?:photo|photograph|foto|bild|credit|crédit|source|quelle|fotografía)s?\s*:\s*",
    re.IGNORECASE)


def quote_inlines(inlines: Iterable[Inline]) -> tuple[Inline, ...]:
    """Merge text runs, then turn the quotation marks in them into Quoted nodes (not in code)."""
    out: list[Inline] = []
    for node in normalize_inlines(tuple(inlines)):
        match node:
            case Text(value):
                out.extend(parse_quotes(value))
            case Emphasis(children):
                out.append(Emphasis(quote_inlines(children)))
            case Strong(children):
                out.append(Strong(quote_inlines(children)))
            case Link(children, url):
                out.append(Link(quote_inlines(children), url))
            case Quoted(children, double):
                out.append(Quoted(quote_inlines(children), double))
            case Superscript(children) | Subscript(children):
                out.append(_with_children(node, quote_inlines(children)))
            case _:
                out.append(node)
    return normalize_inlines(out)


def tidy_spaces(inlines: Iterable[Inline]) -> tuple[Inline, ...]:
    """Collapse spaces across inline boundaries and trim the ends, as a browser shows them."""
    state = [True]  # "the last character was a space (or the start)"
    nodes = _tidy(tuple(inlines), state)
    return _rstrip(nodes)


def _tidy(nodes: tuple[Inline, ...], state: list[bool]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in nodes:
        match node:
            case Text(value):
                value = re.sub(r"[ \t\n\r\f]+", " ", value)
                if state[0]:
                    value = value.lstrip(" ")
                if value:
                    state[0] = value.endswith(" ")
                    out.append(Text(value))
            case LineBreak():
                out = list(_rstrip(tuple(out)))
                out.append(node)
                state[0] = True
            case Code(value):
                if value:
                    out.append(node)
                    state[0] = False
            case (Emphasis(children) | Strong(children) | Quoted(children, _) | Link(children, _)
                  | Superscript(children) | Subscript(children)):
                inner = _tidy(children, state)
                if inner:
                    out.append(_with_children(node, inner))
            case _:
                out.append(node)
    return normalize_inlines(out)


def _with_children(node: Inline, children: tuple[Inline, ...]) -> Inline:
    match node:
        case Emphasis():
            return Emphasis(children)
        case Strong():
            return Strong(children)
        case Quoted(_, double):
            return Quoted(children, double)
        case Link(_, url):
            return Link(children, url)
        case Superscript():
            return Superscript(children)
        case Subscript():
            return Subscript(children)
    return node


def _rstrip(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    if not nodes:
        return nodes
    last = nodes[-1]
    if isinstance(last, Text):
        value = last.value.rstrip(" ")
        return (*nodes[:-1], Text(value)) if value else _rstrip(nodes[:-1])
    if isinstance(last, LineBreak):
        return _rstrip(nodes[:-1])
    if isinstance(last, (Emphasis, Strong, Quoted, Link, Superscript, Subscript)):
        inner = _rstrip(last.children)
        return (*nodes[:-1], _with_children(last, inner)) if inner else _rstrip(nodes[:-1])
    return nodes


def split_credit(caption: str) -> tuple[str, str | None]:
    """Split "A harbour at dawn. Photo: Jane Doe" into caption and credit ("Jane Doe")."""
    match = _CREDIT_IN_CAPTION.search(caption.strip())
    if not match:
        return caption.strip(), None
    credit = match.group(1).strip()
    credit = _CREDIT_PREFIX.sub("", credit).strip() or credit
    rest = caption.strip()[: match.start(1)].rstrip(" ,;|–—-([")
    return rest.strip(), credit


def parse_date(value: object) -> date | None:
    """A date from an ISO-like string ("2016-10-06 11:10:38 -0700", "2020-01-15T01:01:01Z")."""
    if isinstance(value, date):  # datetime is a date too
        return value.date() if hasattr(value, "hour") else value  # type: ignore[attr-defined]
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def choose_language(options: ReadOptions, declared: Iterable[str | None], text: str) -> str:
    """--lang, else the first valid declared tag, else detection; an invalid tag is a warning."""
    if options.language:
        return options.language
    for tag in declared:
        if not tag:
            continue
        tag = tag.strip().replace("_", "-")
        if tag.lower() in ("", "und", "mul", "zxx", "x-default"):
            continue
        if is_language_tag(tag):
            return tag
        diagnostics.warn("language-invalid", f"the document's language {tag!r} is not a BCP 47 "
                         "tag; detecting it instead (set it with --lang)")
    return detect(text)


def no_title_warning(title: str) -> None:
    diagnostics.warn("no-title", f"the document has no title; using {title!r} "
                     "(set one with --title)")


# --- element classes ------------------------------------------------------------------------

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "applet", "button", "input", "select", "option", "textarea", "canvas", "svg", "audio",
    "video", "source", "track", "map", "area", "link", "meta", "base",
    "nav", "aside", "dialog", "menu", "head", "title", "param", "picture-source",
})
_VOID = frozenset({"embed", "source", "track", "param", "wbr", "keygen"})
_JUNK_ROLES = frozenset({"navigation", "banner", "complementary", "contentinfo", "search",
                         "dialog", "alert", "menu", "menubar", "toolbar", "tablist", "form"})
_JUNK_CLASS = re.compile(
    r"(^|[\s_-])(nav|navbar|navbox|vertical-navbox|menu|breadcrumbs?|sidebar|side-bar|"
    r"related|related-posts|recommended|more-stories|read-more|share|sharing|social|"
    r"share-buttons|comments?|comment-list|respond|newsletter|subscribe|subscription|"
    r"promo|advert|advertisement|ads|ad-slot|ad-container|sponsor|sponsored|cookie|consent|"
    r"gdpr|popup|modal|paywall|signup|login|toolbar|skip-link|screen-reader-text|"
    r"visually-hidden|sr-only|hidden|print-only|noprint|mw-editsection|mw-jump-link|"
    r"catlinks|printfooter|mw-indicators|metadata|ambox|mbox-small|infobox|toc|"
    r"navigation-not-searchable|sistersitebox|authority-control|portal|hatnote|"
    r"tags|tag-cloud|post-navigation|nav-links|pagination|pager|author-bio|"
    r"widget|site-header|site-footer|masthead|footer)($|[\s_-])",
    re.IGNORECASE,
)
_JUNK_ID = re.compile(
    r"^(nav|navigation|menu|sidebar|footer|header|comments?|respond|related|share|coordinates|"
    r"social|newsletter|cookie.*|mw-navigation|mw-panel|mw-head|siteSub|contentSub|"
    r"jump-to-nav|toc|catlinks|footer.*|disqus_thread|ads?|banner)$",
    re.IGNORECASE,
)
_PAGER = re.compile(r"^\W*(previous|next|older|newer)(\s+(post|article|entry|story))?\b\W",
                    re.IGNORECASE)
_FIGURE_CLASS = re.compile(r"(^|\s)(thumb|wp-caption|image-caption|figure|photo)(\s|$)")
_CAPTION_CLASS = re.compile(r"(^|\s)(thumbcaption|wp-caption-text|caption|figcaption)(\s|$)")
_CREDIT_CLASS = re.compile(r"(credit|copyright|byline|attribution|photographer|source)",
                           re.IGNORECASE)
_INLINE_IMAGE_CLASS = re.compile(r"(math|emoji|smiley|icon|wp-smiley|latex|tex)", re.IGNORECASE)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_EMPHASIS = frozenset({"em", "i", "cite", "dfn", "var", "address"})
_STRONG = frozenset({"strong", "b"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "blockquote", "ul", "ol",
    "dl", "dt", "dd", "li", "pre", "table", "figure", "figcaption", "hr", "h1", "h2", "h3",
    "h4", "h5", "h6", "center", "details", "summary", "hgroup", "body", "html", "address-block",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "picture", "fieldset", "legend",
    "form",  # ASP.NET pages wrap the whole page in one: a container, its inputs are dropped
})
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def _classes(el: HtmlElement) -> str:
    return f"{el.get('class') or ''}"


def _text_len(el: HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


def _link_density(el: HtmlElement) -> float:
    total = _text_len(el)
    if not total:
        return 0.0
    linked = sum(_text_len(a) for a in el.iter("a"))
    return linked / total


def _is_hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _int_attr(el: HtmlElement, name: str) -> int | None:
    match = re.match(r"\s*(\d+)", el.get(name) or "")
    if match:
        return int(match.group(1))
    style = el.get("style") or ""
    m = re.search(rf"(?<![-\w]){name}\s*:\s*(\d+)px", style)
    return int(m.group(1)) if m else None


# --- parsing and cleaning -------------------------------------------------------------------


# A DOCTYPE with an internal subset (entity declarations: "billion laughs", external entities
# naming local files). The HTML parser never expands or loads them, but it would show the
# subset's tail ("]>") and the references as text; the declarations go, references stay text.
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)


def parse_html(text: str) -> HtmlElement:
    from lxml import etree
    from lxml import html as lhtml

    # lxml refuses str input that carries an XML encoding declaration (XHTML files).
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    text = xml_safe(text)
    # Only the first DOCTYPE counts (and matching from it alone keeps the scan linear).
    start = _DOCTYPE.search(text[:100_000])
    match = _DOCTYPE_SUBSET.match(text, start.start(), 100_000) if start else None
    if match and "<!ENTITY" in match.group(0).upper():
        diagnostics.warn("entities-ignored", "the document declares its own entities in its "
                         "DOCTYPE; they are not expanded (their references stay as text)")
        text = text[: match.start()] + text[match.end():]
    if not text.strip():
        raise EmptyInputError("the file has no HTML content", hint="give a saved article page")
    # An HTML parser, never an XML one: no DTD is loaded, no entity is expanded, nothing is
    # fetched. huge_tree stays off, so libxml2 stops at 256 levels of nesting.
    parser = lhtml.HTMLParser(no_network=True, huge_tree=False, remove_pis=True)
    try:
        root = lhtml.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse the HTML: {exc}", hint="save the page again as HTML") \
            from None
    clean_tree(root)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        diagnostics.warn("nesting-too-deep", "the page nests elements more than 256 levels deep; "
                         "what lies deeper is left out")
        root.set(_TRUNCATED, "1")
    return root


_TRUNCATED = "data-octavo-truncated"
# Characters lxml accepts while parsing but refuses when a tree is edited (control characters,
# lone surrogates, U+FFFE/U+FFFF): no text needs them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def clean_tree(root: HtmlElement) -> None:
    """Remove what xml_safe removes from the parsed text too: character references such as
    "&#1;" put control characters back, and lxml refuses them when the tree is edited."""
    for el in root.iter():
        if el.text and _NOT_XML.search(el.text):
            el.text = xml_safe(el.text)
        if el.tail and _NOT_XML.search(el.tail):
            el.tail = xml_safe(el.tail)


def _strip_dangerous(root: HtmlElement) -> None:
    """Remove everything active or invisible, keeping the text that follows each element."""
    from lxml import etree

    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    _math_to_code(root)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in _VOID:
            # libxml2's HTML 4 parser does not know these are void: it nests the rest of the
            # page inside them. Remove the element, keep what was parsed into it.
            el.drop_tag()
            continue
        if tag in _DROP_TAGS - {"nav", "aside", "menu"} or (
            tag not in ("html", "body") and _is_hidden(el)
        ):
            _drop(el)


def _math_to_code(root: HtmlElement) -> None:
    """Formulas become their TeX (or MathML text) as code: the hidden MathML and the fallback
    image of Wikipedia's markup would otherwise both be cut as invisible or decorative."""
    from lxml import html as lhtml

    wrappers = root.xpath('//*[contains(concat(" ", normalize-space(@class), " "), '
                          '" mwe-math-element ")]')
    maths = [m for m in root.iter("math") if not any(m in w.iter("math") for w in wrappers)]
    for el in [*wrappers, *maths]:
        parent = el.getparent()
        if parent is None:
            continue
        tex = (el.xpath(".//@alttext") or el.xpath(".//img/@alt") or [el.get("alttext") or ""])
        formula = re.sub(r"^\{\\displaystyle\s*(.*)\}$", r"\1", str(tex[0]).strip(), flags=re.S)
        if not formula:
            formula = " ".join(el.text_content().split())
        code = lhtml.Element("code")
        code.text = xml_safe(formula)  # attribute text may hold "&#1;" references
        code.tail = el.tail
        parent.replace(el, code)


def _drop(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _strip_boilerplate(root: HtmlElement) -> None:
    """Cut navigation, asides, share bars, related lists, comments and site chrome."""
    most = 0.5 * _text_len(root)
    stack = [root]
    while stack:
        parent = stack.pop()
        for el in list(parent):
            if not isinstance(el.tag, str):
                continue
            if _is_boilerplate(el, most):
                if el.tag.lower() == "header":
                    for fig in list(el.iter("figure")):  # a lead photo in the page header stays
                        el.addprevious(fig)
                _drop(el)
            elif el.tag.lower() not in ("pre", "code"):
                # Inside code, class names are a highlighter's (Prism's "token comment"), not
                # the page's: nothing there is site chrome.
                stack.append(el)


def _drop_reference_marks(root: HtmlElement) -> None:
    """Wikipedia-style reference marks "[12]" whose note could not be read (see read_notes)."""
    for sup in list(root.iter("sup")):
        if re.fullmatch(r"\s*\[[^\]]{1,12}\]\s*", sup.text_content() or ""):
            _drop(sup)


def _without_empty_sections(blocks: list[Block]) -> list[Block]:
    """Blocks without headings over nothing: a page's "References" or "See also" whose list
    became notes or went with the page's links, before a heading as high or at the end."""
    out: list[Block] = []
    for block in reversed(blocks):
        if isinstance(block, Heading) and (not out or isinstance(out[-1], Heading) and (
                out[-1].level <= block.level)):
            continue
        out.append(block)
    out.reverse()
    return out


def _code_layout(trs: list[HtmlElement]) -> list[HtmlElement] | None:
    """The cells to read of a table that only lays out code: one row holding a <pre>, as
    highlighters write it (WP-Syntax, Pygments: a cell of line numbers, then the code). The
    line numbers are left out: the code block numbers nothing. None for any other table."""
    if len(trs) != 1:
        return None
    cells = [c for c in trs[0] if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
    if not any(c.find(".//pre") is not None for c in cells):
        return None
    return [c for c in cells if not _LINE_NUMBERS.fullmatch(c.text_content())]


_LINE_NUMBERS = re.compile(r"[\d\s]*")


_NOTE_BOXES = ('.//*[@role="doc-endnotes" or @role="doc-footnotes" or contains(concat(" ", '
               'normalize-space(@class), " "), " footnotes ") or (self::ol and contains('
               'concat(" ", normalize-space(@class), " "), " references "))]')
"""Lists of notes: kramdown's, pandoc's and Hugo's footnotes, Wikipedia's references."""
_NOTE_MARK = "octavo-note"
"""Where the text refers to a footnote (an element no page has), until it is converted."""


_PRE_LINES = frozenset({"div", "p", "li", "tr", "table", "ol", "ul", "pre"})
"""Elements that highlighters put one code line in, shown as lines of their own."""


def _pre_text(pre: HtmlElement) -> str:
    """A <pre>'s text as a browser shows it: a <br> ends a line (highlighters such as Prism
    write lines so), as does a line-per-element wrapper (<div>, <li>), which text_content()
    would run together."""
    from lxml import etree

    parts: list[str] = []

    def end_line() -> None:
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")

    for event, node in etree.iterwalk(pre, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            if node is not pre and tag in _PRE_LINES:
                end_line()
            if tag == "br":
                parts.append("\n")
            elif tag and node.text:
                parts.append(node.text)
            continue
        if node is pre:
            break
        if tag in _PRE_LINES:
            end_line()
        if node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _is_boilerplate(el: HtmlElement, most: float) -> bool:
    tag = el.tag.lower()
    if tag in _DROP_TAGS or (el.get("role") or "").lower() in _JUNK_ROLES:
        return True
    cls = _classes(el)
    if (cls and _JUNK_CLASS.search(cls) and not _FIGURE_CLASS.search(cls)) or _JUNK_ID.match(
        el.get("id") or ""
    ):
        # Never cut the article itself, whatever its wrapper is called ("with-sidebar").
        return tag not in ("article", "main") and _text_len(el) <= most
    if tag == "footer":
        return True
    if tag == "header":
        return not _is_prose(el)
    if tag in ("p", "div") and el.find(".//a") is not None and _PAGER.match(el.text_content()) \
            and _link_density(el) > 0.4:
        return True  # "← Previous: ..." / "Next post »"
    if tag in ("ul", "ol", "div", "section", "table") and len(el.findall(".//a")) >= 3:
        size = _text_len(el)
        # A block that is mostly links is a menu, a "related" list or a tag cloud.
        return size < 3000 and size <= most and _link_density(el) > 0.65
    return False


def _is_prose(el: HtmlElement) -> bool:
    """A header with real paragraphs (a preamble) is content, not a page header."""
    paragraphs = [p for p in el.iter("p") if _text_len(p) >= 30]
    return len(paragraphs) >= 2 and _text_len(el) >= 150 and _link_density(el) < 0.3


def _content_root(body: HtmlElement) -> HtmlElement:
    """The element that holds the article: the page's own markup first, then paragraph density."""
    total = max(_text_len(body), 1)
    for el in body.xpath('.//*[@itemprop="articleBody"]'):
        if _text_len(el) >= 200:
            return el
    articles = [a for a in body.iter("article") if not any(
        p.tag == "article" for p in a.iterancestors())]
    articles = [a for a in articles if _text_len(a) >= 100]
    if len(articles) == 1 and _text_len(articles[0]) >= 0.2 * total:
        return articles[0]
    if len(articles) > 1:
        biggest = max(articles, key=_text_len)
        article_text = sum(_text_len(a) for a in articles)
        if _text_len(biggest) >= 0.6 * article_text:
            return biggest  # one post plus comments or teasers
        return _common_ancestor(articles)  # a document made of sections (e.g. UDHR articles)
    for el in body.xpath('.//main | .//*[@role="main"]'):
        if _text_len(el) >= 200:
            return el
    return _densest(body)


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement:
    chains = [list(reversed([e, *e.iterancestors()])) for e in elements]
    common = chains[0][0]
    for level in zip(*chains, strict=False):  # up to the shortest chain
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _densest(body: HtmlElement) -> HtmlElement:
    """Readability's idea in a few lines: paragraphs score their parent and grandparent."""
    scores: dict[Any, float] = {}
    for p in body.iter("p", "pre", "blockquote"):
        length = _text_len(p)
        if length < 25:
            continue
        score = 1 + length / 100 + min(p.text_content().count(","), 3)
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + score / 2
    if not scores:
        return body
    best = max(scores, key=lambda el: scores[el] * (1 - _link_density(el)))
    return best


# --- metadata -------------------------------------------------------------------------------


@dataclass
class PageMeta:
    title: str | None = None
    page_title: str = ""
    headline: str | None = None
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    published: date | None = None
    languages: list[str | None] = field(default_factory=list)
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    url: str | None = None
    image: str | None = None
    image_alt: str = ""
    base_url: str | None = None


_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "report",
                  "scholarlyarticle", "techarticle", "analysisnewsarticle", "opinionnewsarticle",
                  "backgroundnewsarticle", "reviewnewsarticle", "socialmediaposting", "webpage",
                  "liveblogposting", "posting"}


def _json_ld_objects(root: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 200:
            item = stack.pop(0)
            seen += 1
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _ld_types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values if isinstance(v, str)}


def _names(value: Any) -> list[str]:
    """Author-ish values: "A", {"name": "A"}, ["A", {"name": "B"}]."""
    out: list[str] = []
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append(item["name"])
    return [" ".join(n.split()) for n in out if n and n.strip()]


def _first_url(value: Any) -> str | None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str) and item.strip():
            return item.strip()
        if isinstance(item, dict):
            for key in ("url", "contentUrl", "@id"):
                if isinstance(item.get(key), str):
                    return item[key].strip()
    return None


def _clean_author(name: str) -> str | None:
    name = " ".join(name.split())
    name = re.sub(r"^(by|von|par|por|di|door|av)\s+", "", name, flags=re.IGNORECASE)
    # "Bradley M. Kuhn (http://ebb.org/bkuhn/)", "Ann <ann@example.org>": keep the name only.
    name = re.sub(r"\s*[(<][^()<>]*[@/.][^()<>]*[)>]\s*", " ", name).strip()
    if not name or name.lower().startswith(("http://", "https://", "www.")) or len(name) > 100:
        return None
    return name


def extract_meta(root: HtmlElement) -> PageMeta:
    meta = PageMeta()
    tags: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or
               el.get("http-equiv") or "").strip().lower()
        content = " ".join((el.get("content") or "").split())
        if key and content:
            tags.setdefault(key, []).append(content)

    def first(*keys: str) -> str | None:
        for key in keys:
            if tags.get(key):
                return tags[key][0]
        return None

    ld = [o for o in _json_ld_objects(root) if _ld_types(o) & _ARTICLE_TYPES]
    ld.sort(key=lambda o: "webpage" in _ld_types(o))  # real article types first

    def ld_value(key: str) -> Any:
        for obj in ld:
            if obj.get(key):
                return obj[key]
        return None

    headline = ld_value("headline")
    meta.title = first("og:title", "twitter:title", "twitter:text:title", "dc.title",
                       "dcterms.title", "citation_title")
    meta.headline = " ".join(headline.split()) if isinstance(headline, str) else None
    title_el = root.find(".//title")
    meta.page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    # Authors: meta tags, then JSON-LD; article:author is often a profile URL (skipped then).
    names: list[str] = []
    for key in ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author",
                "sailthru.author", "parsely-author"):
        names.extend(tags.get(key, []))
    names.extend(_names(ld_value("author")))
    for el in root.xpath('//*[@itemprop="author"]'):
        inner = el.xpath('.//*[@itemprop="name"]')
        names.append((inner[0] if inner else el).text_content())
    if not names:
        for el in root.xpath('//*[@rel="author"]')[:3]:
            names.append(el.text_content())
    for name in names:
        cleaned = _clean_author(name)
        if cleaned and cleaned not in meta.authors:
            meta.authors.append(cleaned)
    publisher = ld_value("publisher")
    meta.publisher = first("og:site_name", "application-name", "dc.publisher",
                           "citation_publisher") or next(iter(_names(publisher)), None)
    for raw in (first("article:published_time", "og:published_time", "datepublished",
                      "date", "dc.date", "dcterms.date", "dc.date.issued", "pubdate",
                      "publishdate", "citation_publication_date", "sailthru.date",
                      "parsely-pub-date"),
                ld_value("datePublished"), ld_value("dateCreated")):
        if (published := parse_date(raw)) is not None:
            meta.published = published
            break
    if meta.published is None:
        for el in root.xpath('//*[@itemprop="datePublished"] | //time[@datetime]'):
            if (published := parse_date(el.get("datetime") or el.get("content"))) is not None:
                meta.published = published
                break
    html = root if root.tag == "html" else root.getroottree().getroot()
    meta.languages = [html.get("lang"), html.get("xml:lang"),
                      html.get("{http://www.w3.org/XML/1998/namespace}lang"),
                      first("content-language", "dc.language", "language"), first("og:locale"),
                      ld_value("inLanguage") if isinstance(ld_value("inLanguage"), str) else None]
    meta.description = first("og:description", "description", "twitter:description",
                             "dc.description") or (
        ld_value("description") if isinstance(ld_value("description"), str) else None)
    keywords: list[str] = list(tags.get("article:tag", []))
    for raw in tags.get("keywords", []) + tags.get("news_keywords", []):
        keywords.extend(raw.split(","))
    ld_keywords = ld_value("keywords")
    if isinstance(ld_keywords, str):
        keywords.extend(ld_keywords.split(","))
    elif isinstance(ld_keywords, list):
        keywords.extend(k for k in ld_keywords if isinstance(k, str))
    for kw in keywords:
        kw = " ".join(kw.split())
        if kw and kw not in meta.keywords and len(meta.keywords) < 50:
            meta.keywords.append(kw)
    canonical = root.xpath('//link[@rel="canonical"]/@href')
    candidates = [*(str(c) for c in canonical), first("og:url"), _first_url(ld_value("url")),
                  _first_url(ld_value("mainEntityOfPage"))]
    for url in candidates:
        if url and urlsplit(url).scheme in ("http", "https"):
            meta.url = url
            break
    meta.image = first("og:image", "og:image:url", "og:image:secure_url", "twitter:image") or \
        _first_url(ld_value("image"))
    meta.image_alt = first("og:image:alt", "twitter:image:alt") or ""
    bases = [str(b).strip() for b in root.xpath("//base/@href")]
    meta.base_url = next((b for b in bases if urlsplit(b).scheme in ("http", "https")), None)
    return meta


def _page_title(root: HtmlElement, meta: PageMeta, content: HtmlElement) -> str | None:
    """og:title, else <title> without the site name, else a JSON-LD headline, else the h1."""
    h1s = [" ".join(h.text_content().split()) for h in root.iter("h1")]
    h1s = [h for h in h1s if h]
    sites = {n.lower() for n in (meta.publisher, "wikipedia") if n}
    if meta.title:
        return _strip_site_name(meta.title, sites, h1s)[0]
    page_title = meta.page_title
    if page_title:
        if page_title in h1s:
            return page_title
        stripped, changed = _strip_site_name(page_title, sites, h1s)
        if changed:
            return stripped
    if meta.headline:
        return meta.headline
    content_h1 = [" ".join(h.text_content().split()) for h in content.iter("h1")]
    content_h1 = [h for h in content_h1 if h]
    if content_h1:
        return content_h1[0]
    if len(h1s) == 1:
        return h1s[0]
    return page_title or None


_SEPARATOR = re.compile(r"\s+([|–—·»-])\s+")


def _strip_site_name(title: str, sites: set[str], h1s: list[str]) -> tuple[str, bool]:
    """"Mozilla - Wikipedia" -> "Mozilla": drop the site's part of a page title."""
    pieces = _SEPARATOR.split(title)
    parts, seps = pieces[::2], pieces[1::2]
    if len(parts) < 2:
        return title, False
    matching = [h for h in h1s if h in parts]
    if matching:
        return max(matching, key=len), True
    kept = [p for p in parts if not any(p.lower() == s or (len(p) > 3 and p.lower() in s)
                                        or s in p.lower() for s in sites)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0], True
    if set(seps) <= {"|", "·", "»"}:
        longest = max(parts, key=len)
        if len(longest) >= 0.5 * len(title):
            return longest, True
    return title, False


# --- conversion -----------------------------------------------------------------------------


class Converter:
    """Maps an lxml tree to model blocks; one instance per document."""

    def __init__(self, images: ImageResolver, *, page_url: str | None = None,
                 title: str | None = None) -> None:
        self.images = images
        self.page_url = page_url
        self.title = title
        self.pending: list[Figure] = []  # images met inside a paragraph go after it
        # Model nesting (quotes and lists; emphasis, links and quotations): past the cap a
        # container is dropped and its content joins its parent, so writers never recurse deep.
        self.cap = limits.current().max_nesting
        self.nest = 0
        self.inline_nest = 0
        self.notes: dict[str, Note] = {}
        self.in_note = False

    def read_notes(self, root: HtmlElement) -> None:
        """Footnotes as kramdown, pandoc, Hugo and footnote plugins write them: a list marked
        as notes (role doc-endnotes, class "footnotes") whose items the text links to. Each
        linked item becomes a Note where the text refers to it (the list itself goes, with
        the items' links back to the text); any other list stays as it is."""
        from lxml import html as lhtml

        boxes = root.xpath(_NOTE_BOXES)
        items = {li.get("id"): li for box in boxes for li in box.iter("li") if li.get("id")}
        if not items:
            return
        in_boxes = {el for box in boxes for el in box.iter()}
        refs = [a for a in root.iter("a") if a not in in_boxes
                and (a.get("href") or "").startswith("#") and a.get("href")[1:] in items]
        if not refs:
            return
        ref_ids = {el.get("id") for a in refs for el in (a, a.getparent()) if el is not None}
        for key in dict.fromkeys(a.get("href")[1:] for a in refs):
            li = items[key]
            for mark in li.xpath('.//*[contains(@class, "backlink")]'):  # Wikipedia's "^ a b"
                _drop(mark)
            for back in li.xpath('.//a[starts-with(@href, "#")]'):
                if back.get("href")[1:] in ref_ids or back.get("role") == "doc-backlink" or \
                        re.search(r"reverse|back", back.get("class") or ""):
                    _drop(back)
            self.in_note = True
            try:
                inner = self.blocks(li)
            finally:
                self.in_note = False
            if inner:
                self.notes[key] = Note(tuple(inner))
        for a in refs:
            parent = a.getparent()
            # <sup><a>1</a></sup> (kramdown) goes whole; <a><sup>3</sup></a> (pandoc) is the link
            ref = parent if parent is not None and parent.tag == "sup" and len(parent) == 1 \
                and not (parent.text or "").strip() else a
            mark = lhtml.Element(_NOTE_MARK, ref=a.get("href")[1:])
            mark.tail = ref.tail
            if ref.getparent() is not None:
                ref.getparent().replace(ref, mark)
        for box in boxes:
            _drop(box)

    def _flattened(self) -> None:
        diagnostics.warn("nesting-flattened", f"quotes, lists or emphasis nested more than "
                         f"{self.cap} levels deep were flattened (raise OCTAVO_MAX_NESTING to "
                         "keep them)")

    # blocks

    def blocks(self, el: HtmlElement, depth: int = 0) -> list[Block]:
        """Blocks for the children of el (its own text included)."""
        out: list[Block] = []
        run: list[Inline] = []

        def flush() -> None:
            if run:
                inlines = self._finish_inlines(run)
                if inlines:
                    out.append(Paragraph(inlines))
                run.clear()
            if self.pending:
                out.extend(self.pending)
                self.pending.clear()

        if el.text:
            run.append(Text(el.text))
        for child in el:
            if not isinstance(child.tag, str):
                if child.tail:
                    run.append(Text(child.tail))
                continue
            tag = child.tag.lower()
            if tag in _BLOCK_TAGS or self._is_figure(child) or (
                tag == "img" and not self._img_is_inline(child)
            ):
                flush()
                out.extend(self.block(child, depth + 1))
            elif tag == "br" and run and isinstance(run[-1], LineBreak):
                # Two <br> in a row: a paragraph break in pages that use them as such.
                run.pop()
                flush()
            else:
                run.extend(self.inlines_of(child, depth + 1, as_node=True))
            if child.tail:
                run.append(Text(child.tail))
        flush()
        return out

    def block(self, el: HtmlElement, depth: int) -> list[Block]:
        tag = el.tag.lower()
        if depth > MAX_DEPTH:
            text = " ".join(el.text_content().split())
            return [Paragraph(quote_inlines((Text(text),)))] if text else []
        if tag in _HEADINGS:
            inlines = self._finish_inlines(self.inlines_of(el, depth))
            if not inlines:
                return []
            if self.title and _HEADINGS[tag] == 1 and plain_text(inlines).strip() == self.title:
                return []  # the title is shown by the writer, not repeated as a heading
            return [Heading(_HEADINGS[tag], inlines), *self._take_pending()]
        if tag == "p" or tag in ("dt", "summary", "legend", "caption"):
            if tag == "p" and any(isinstance(c.tag, str) and (
                    c.tag.lower() in _BLOCK_TAGS - {"p"} or self._is_figure(c)) for c in el):
                return self.blocks(el, depth)  # invalid nesting (<p><figure>): read as a container
            inlines = self._finish_inlines(self.inlines_of(el, depth))
            if tag == "dt" and inlines:
                inlines = (Strong(inlines),)
            blocks: list[Block] = [Paragraph(inlines)] if inlines else []
            return blocks + self._take_pending()
        if tag == "pre":
            text = _pre_text(el).strip("\n")
            if not text.strip():
                return []
            lang = None
            for node in (el, *el.iter("code")):
                m = re.search(r"(?:language|lang)-([\w+#-]+)", node.get("class") or "")
                if m:
                    lang = m.group(1)
                    break
            return [CodeBlock(text, lang)]
        if tag in ("blockquote", "ul", "ol") and self.nest >= self.cap:
            self._flattened()
            return self.blocks(el, depth)
        if tag == "blockquote":
            self.nest += 1
            try:
                inner = self.blocks(el, depth)
            finally:
                self.nest -= 1
            return [BlockQuote(tuple(inner))] if inner else []
        if tag in ("ul", "ol"):
            self.nest += 1
            try:
                return self._list(el, depth)
            finally:
                self.nest -= 1
        if tag == "table":
            return self._table(el, depth)
        if tag == "hr":
            return [SectionBreak()]
        if tag == "img" or self._is_figure(el):
            figure = self.figure(el, depth)
            return [figure] if figure is not None else []
        if tag == "figcaption":  # a caption outside a figure: keep the words
            return self.blocks(el, depth)
        return self.blocks(el, depth)

    def _take_pending(self) -> list[Block]:
        taken: list[Block] = list(self.pending)
        self.pending.clear()
        return taken

    def _list(self, el: HtmlElement, depth: int) -> list[Block]:
        items: list[tuple[Block, ...]] = []
        for li in el:
            if not isinstance(li.tag, str):
                continue
            if li.tag.lower() in ("ul", "ol"):  # a list nested without <li>: attach to the last
                if self.nest >= self.cap:
                    self._flattened()
                    nested = self.blocks(li, depth + 1)
                else:
                    self.nest += 1
                    try:
                        nested = self._list(li, depth + 1)
                    finally:
                        self.nest -= 1
                if items and nested:
                    items[-1] = (*items[-1], *nested)
                continue
            blocks = self.blocks(li, depth + 1)
            if blocks:
                items.append(tuple(blocks))
        if not items:
            return []
        ordered = el.tag.lower() == "ol"
        start = 1
        if ordered:
            m = re.match(r"\s*(-?\d{1,9})\s*$", el.get("start") or "")
            start = int(m.group(1)) if m else 1
        return [ListBlock(tuple(items), ordered, start)]

    def _table(self, el: HtmlElement, depth: int) -> list[Block]:
        # Rows of nested tables belong to their own table, read as cell text.
        trs = [tr for tr in el.iter("tr")
               if next((a for a in tr.iterancestors("table")), None) is el]
        if (code := _code_layout(trs)) is not None:
            return [block for cell in code for block in self.blocks(cell, depth + 1)]
        rows: list[tuple[list[tuple[Inline, ...]], bool]] = []
        for tr in trs:
            cells: list[tuple[Inline, ...]] = []
            all_th = True
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                all_th &= cell.tag.lower() == "th"
                cells.append(self._cell(cell, depth + 1))
            if cells:
                rows.append((cells, all_th))
        if not rows:
            return []
        width = max(len(cells) for cells, _ in rows)
        header: tuple[tuple[Inline, ...], ...] = ()
        if rows[0][1] or el.find("thead") is not None and len(rows) > 1:
            header = tuple(rows[0][0] + [()] * (width - len(rows[0][0])))
            rows = rows[1:]
        body = tuple(tuple(cells + [()] * (width - len(cells))) for cells, _ in rows)
        if not body and not header:
            return []
        pending = self._take_pending()
        return [Table(header, body), *pending]

    def _cell(self, cell: HtmlElement, depth: int) -> tuple[Inline, ...]:
        parts: list[Inline] = []
        for i, block in enumerate(self.blocks(cell, depth)):
            if isinstance(block, Figure):
                self.pending.append(block)
                continue
            if i and parts:
                parts.append(LineBreak())
            if isinstance(block, (Paragraph, Heading)):
                parts.extend(block.children)
            else:
                parts.append(Text(block_text(block)))
        return tidy_spaces(parts)

    # figures

    def _is_figure(self, el: HtmlElement) -> bool:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "figure":
            return True
        return tag in ("div", "span", "p") and bool(_FIGURE_CLASS.search(_classes(el))) and (
            el.find(".//img") is not None)

    def _img_is_inline(self, img: HtmlElement) -> bool:
        """Math, emoji and icons sit in the line; photos become figures."""
        if _INLINE_IMAGE_CLASS.search(_classes(img)):
            return True
        width, height = _int_attr(img, "width"), _int_attr(img, "height")
        return (width is not None and width <= 48) or (height is not None and height <= 48)

    def figure(self, el: HtmlElement, depth: int) -> Figure | None:
        img = el if el.tag.lower() == "img" else next(iter(el.iter("img")), None)
        image = None
        alt = ""
        if img is not None:
            if self._is_tracker(img):
                img = None
            else:
                alt = " ".join((img.get("alt") or "").split())
                image = self.images.resolve(self._img_src(img), alt)
        caption: tuple[Inline, ...] = ()
        credit: str | None = None
        if el.tag.lower() != "img":
            cap_el = el.find(".//figcaption")
            if cap_el is None:
                found = [c for c in el.iter() if isinstance(c.tag, str)
                         and _CAPTION_CLASS.search(_classes(c))]
                cap_el = found[0] if found else None
            credits: list[str] = []
            for c in list(el.iter()):
                if c is el or not isinstance(c.tag, str) or not _CREDIT_CLASS.search(_classes(c)):
                    continue
                words = " ".join(c.text_content().split())
                if words and c.getparent() is not None:
                    credits.append(words)
                    _drop(c)
            if cap_el is not None:
                for junk in list(cap_el.iter("img", "a")):
                    if junk.tag == "img":
                        _drop(junk)
                mark = len(self.pending)
                caption = self._finish_inlines(self.inlines_of(cap_el, depth + 1))
                del self.pending[mark:]  # images inside a caption are decoration
            if credits:
                credit = _CREDIT_PREFIX.sub("", "; ".join(credits)).strip() or None
        if caption and credit is None:
            text, found_credit = split_credit(plain_text(caption))
            if found_credit:
                credit = found_credit
                caption = quote_inlines((Text(text),)) if text else ()
        if image is None and not caption and alt:
            caption = quote_inlines((Text(alt),))
        if image is None and not caption and not credit:
            return None
        return Figure(image=image, caption=caption, credit=credit)

    def _img_src(self, img: HtmlElement) -> str:
        src = (img.get("src") or "").strip()
        lazy = img.get("data-src") or img.get("data-original") or img.get("data-lazy-src")
        if lazy and (not src or src.startswith("data:")):  # a lazy-loading placeholder
            src = lazy.strip()
        if not src and img.get("srcset"):
            src = (img.get("srcset") or "").split(",")[0].strip().split(" ")[0]
        return src

    def _is_tracker(self, img: HtmlElement) -> bool:
        return is_tiny(_int_attr(img, "width"), _int_attr(img, "height")) or is_tracker_url(
            self._img_src(img))

    # inlines

    def inlines_of(self, el: HtmlElement, depth: int, *, as_node: bool = False) -> list[Inline]:
        """Inline content of el; with as_node, el itself is wrapped (em, a, ...)."""
        if as_node:
            return self._inline_node(el, depth)
        out: list[Inline] = []
        if el.text:
            out.append(Text(el.text))
        for child in el:
            if isinstance(child.tag, str):
                out.extend(self._inline_node(child, depth + 1))
            if child.tail:
                out.append(Text(child.tail))
        return out

    def _inline_node(self, el: HtmlElement, depth: int) -> list[Inline]:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if depth > MAX_DEPTH:
            return [Text(el.text_content())]
        if tag == "br":
            return [LineBreak()]
        if tag == _NOTE_MARK:
            note = self.notes.get(el.get("ref") or "")
            return [note] if note is not None and not self.in_note else []
        if tag == "img":
            return self._inline_image(el, depth)
        if tag in _CODE:
            return [Code(el.text_content())]
        if tag == "math":
            return [Text(el.get("alttext") or el.text_content())]
        wrapper = tag in _EMPHASIS or tag in _STRONG or tag in ("q", "a", "sup", "sub")
        if wrapper and self.inline_nest >= self.cap:
            self._flattened()
            return self.inlines_of(el, depth)
        self.inline_nest += wrapper
        try:
            children = self.inlines_of(el, depth)
        finally:
            self.inline_nest -= wrapper
        if tag in _EMPHASIS:
            if tag == "cite" and "citation" in _classes(el):
                return children  # a whole reference (Wikipedia's), set upright as shown there
            return [Emphasis(tuple(children))]
        if tag in _STRONG:
            return [Strong(tuple(children))]
        if tag == "q":
            return [Quoted(tuple(children))]
        if tag == "sup":
            return [Superscript(tuple(children))]
        if tag == "sub":
            return [Subscript(tuple(children))]
        if tag == "a":
            url = self.safe_url(el.get("href"))
            return [Link(tuple(children), url)] if url else children
        if tag in _BLOCK_TAGS:  # block inside inline context (cells, captions): keep the words
            return [Text(" "), *children, Text(" ")]
        return children

    def _inline_image(self, img: HtmlElement, depth: int) -> list[Inline]:
        if self._is_tracker(img):
            return []
        alt = " ".join((img.get("alt") or "").split())
        if self._img_is_inline(img):
            alt = re.sub(r"^\{\\displaystyle\s*(.*)\}$", r"\1", alt)
            return [Text(alt)] if alt else []
        figure = self.figure(img, depth)
        if figure is not None:
            self.pending.append(figure)
        return []

    def safe_url(self, href: str | None) -> str | None:
        """Absolute http(s)/mailto targets only; javascript:, data: and the like become text."""
        if not href:
            return None
        cleaned = re.sub(r"[\x00-\x20\x7f]+", "", href)
        if not cleaned or cleaned.startswith("#"):
            return None
        scheme = urlsplit(cleaned).scheme.lower()
        if not scheme:
            if not self.page_url:
                return None
            cleaned = urljoin(self.page_url, cleaned)
            scheme = urlsplit(cleaned).scheme.lower()
        if scheme not in _SAFE_SCHEMES:
            return None
        return cleaned if len(cleaned) <= 2000 else None

    def _finish_inlines(self, inlines: Iterable[Inline]) -> tuple[Inline, ...]:
        return quote_inlines(tidy_spaces(inlines))


def fragment_blocks(html_text: str, converter: Converter) -> list[Block]:
    """Blocks for a piece of HTML (raw HTML in Markdown), with the same safety rules."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        root = lhtml.fragment_fromstring(xml_safe(html_text), create_parent="div")
    except (etree.ParserError, ValueError, AssertionError):  # lxml asserts on "<html>" alone
        return []
    clean_tree(root)
    _strip_dangerous(root)
    return converter.blocks(root)


# --- the reader -----------------------------------------------------------------------------


def _sniff_charset(data: bytes) -> str | None:
    """The charset a page declares, used only when its bytes are not UTF-8."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", data[:4096],
                      re.IGNORECASE)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore")
    import codecs

    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


class HtmlReader:
    name = "html"
    extensions = BUILTIN_EXTENSIONS["html"]

    def read(self, source: Source, options: ReadOptions) -> Article:
        encoding = options.encoding or _sniff_charset(source.data)
        try:
            text, _used = decode(source.data, encoding)
        except InputError:
            if encoding and not options.encoding:  # a wrong declaration: detect instead
                text, _used = decode(source.data, None)
            else:
                raise
        try:
            return self._read_text(text, source, options)
        except RecursionError:
            raise InputError("the HTML is nested too deeply to read",
                             hint="simplify the file") from None

    def _read_text(self, text: str, source: Source, options: ReadOptions) -> Article:
        root = parse_html(text)
        meta = extract_meta(root)  # before scripts go: JSON-LD lives in <script>
        html_dir = (root.get("dir") or "").lower()
        _strip_dangerous(root)
        body = root.find("body")
        if body is None:
            body = root
        content = _content_root(body)
        title = _page_title(root, meta, content)
        _strip_boilerplate(content)
        page_url = meta.url or meta.base_url
        images = ImageResolver(options, page_url)
        converter = Converter(images, page_url=page_url, title=title)
        converter.read_notes(content)
        _drop_reference_marks(content)
        blocks = _without_empty_sections(converter.blocks(content))
        blocks = _drop_title_echo(blocks, title)

        if meta.published is None:
            blocks, meta.published = _byline(blocks, meta.authors)
        lead: Figure | None = None
        if meta.image and (options.fetch_remote or not urlsplit(meta.image).scheme):
            og = images.resolve(meta.image, meta.image_alt)
            if og is not None:
                lead = Figure(image=og, caption=())
                first = blocks[0] if blocks else None
                if isinstance(first, Figure) and first.image is not None and (
                        first.image.data == og.data):
                    lead = first  # the page shows its og:image as the first figure: keep caption
                    del blocks[0]
        first = blocks[0] if blocks else None
        if lead is None and isinstance(first, Figure):
            lead = first  # the first figure before any text
            del blocks[0]
        images.finish()

        body_text = "\n".join(block_text(b) for b in blocks)
        if not body_text.strip() and lead is None and not any(
                isinstance(b, Figure) for b in blocks):
            if root.get(_TRUNCATED):
                raise InputError("the page is nested too deeply to read: its text lies more "
                                 "than 256 elements deep", hint="simplify the file")
            raise EmptyInputError("the page has no article text",
                                  hint="save the article page itself, not an index or a frame")
        if not title:
            first = next((b for b in blocks if isinstance(b, Heading)), None)
            title = plain_text(first.children) if first else derive_title(body_text)
            if first is not None:
                blocks = [b for b in blocks if b is not first]
            if not title.strip():
                raise EmptyInputError("the page has no title and no text to make one from",
                                      hint="give a title with --title")
            no_title_warning(title)
        declared = list(meta.languages)
        language = choose_language(options, declared, f"{title}\n{body_text}")
        if html_dir == "rtl" and language.split("-")[0].lower() not in _RTL_LANGUAGES and (
            not options.language
        ):
            # The page says right-to-left but its tag says otherwise: trust the words.
            detected = detect(body_text or title)
            if detected.split("-")[0] in _RTL_LANGUAGES:
                diagnostics.warn("language-mismatch", f"the page is right-to-left but declares "
                                 f"{language!r}; using detected {detected!r}")
                language = detected
        return Article(
            title=title,
            language=language,
            body=tuple(blocks),
            authors=tuple(meta.authors),
            publisher=meta.publisher,
            published=meta.published,
            lead=lead,
            description=meta.description,
            keywords=tuple(meta.keywords),
            url=meta.url,
            source=source.name,
        )


def _drop_title_echo(blocks: list[Block], title: str | None) -> list[Block]:
    """Pages repeat the title as their first heading; the writer prints it once."""
    if title and blocks and isinstance(blocks[0], Heading) and (
        " ".join(plain_text(blocks[0].children).split()).casefold()
        == " ".join(title.split()).casefold()
    ):
        return blocks[1:]
    return blocks


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([a-z]+)\s+(\d{4})\b", re.I)
_MONTH_DAY_YEAR = re.compile(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.I)


def _text_date(text: str) -> date | None:
    """An English date written out: "15 October 2019", "October 15, 2019", "2019-10-15"."""
    found = parse_date(m.group(0)) if (m := re.search(r"\d{4}-\d{2}-\d{2}", text)) else None
    if found:
        return found
    for rx, order in ((_DAY_MONTH_YEAR, (1, 2, 3)), (_MONTH_DAY_YEAR, (2, 1, 3))):
        for m in rx.finditer(text):
            day, month, year = (m.group(i) for i in order)
            if month.lower() in _MONTHS:
                try:
                    return date(int(year), _MONTHS[month.lower()], int(day))
                except ValueError:
                    continue
    return None


def _byline(blocks: list[Block], authors: list[str]) -> tuple[list[Block], date | None]:
    """A short leading "Tuesday 15 October 2019 by Jane Doe" paragraph: its date, then gone."""
    for i, block in enumerate(blocks[:2]):
        if not isinstance(block, Paragraph):
            continue
        text = " ".join(plain_text(block.children).split())
        if len(text) > 120 or (published := _text_date(text)) is None:
            continue
        by_author = any(a in text for a in authors) and re.search(r"\bby\b", text, re.I)
        if by_author or len(text) <= 40 or re.match(r"(posted|published|updated)\b", text, re.I):
            # A byline or dateline, not prose that happens to mention a date.
            return blocks[:i] + blocks[i + 1:], published
    return blocks, None
