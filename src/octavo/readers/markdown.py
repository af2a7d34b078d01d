"""Markdown reader: CommonMark (markdown-it-py, with tables) plus YAML or TOML front matter.

Front matter gives the metadata (title, authors, date, language, ...). YAML is read with a
loader that keeps every scalar as its original text, so YAML 1.1 cannot turn `lang: no` into
False or a date into something else behind our back; dates are parsed here. The body maps token
by token to the model; raw HTML goes through the HTML reader's whitelist converter, so scripts,
styles and event handlers never get in. The first image before any text is the lead figure.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from octavo import diagnostics, limits
from octavo.decoding import decode
from octavo.errors import EmptyInputError, InputError
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
    SectionBreak,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    block_text,
    plain_text,
)
from octavo.options import ReadOptions
from octavo.plugins import BUILTIN_EXTENSIONS, Source
from octavo.readers._images import ImageResolver, is_tracker_url, urlsplit
from octavo.readers.text import derive_title
from octavo.readers.html import (
    Converter,
    choose_language,
    fragment_blocks,
    no_title_warning,
    parse_date,
    quote_inlines,
    split_credit,
    tidy_spaces,
    xml_safe,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

_YAML_FRONT = re.compile(r"\A---[ \t]*\n(.*?)(?:\n|^)(?:---|\.\.\.)[ \t]*(?:\n|\Z)",
                         re.DOTALL | re.MULTILINE)
_TOML_FRONT = re.compile(r"\A\+\+\+[ \t]*\n(.*?)(?:\n|^)\+\+\+[ \t]*(?:\n|\Z)",
                         re.DOTALL | re.MULTILINE)
# Raw inline HTML whose content must never become text.
_SKIP_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                           "textarea", "svg", "math", "select", "button", "head", "title"})
_INLINE_TAG = re.compile(r"^<\s*(/?)\s*([A-Za-z][\w:-]*)([^>]*?)(/?)\s*>$", re.DOTALL)
_SCRIPT_TAG = re.compile(r"^<\s*(/?)\s*(sup|sub)(?:\s[^>]*)?>$", re.IGNORECASE)
"""<sup> and <sub> written in a Markdown line (x<sup>2</sup>): paired in inlines()."""
_CJK = "\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_CJK_BREAK = re.compile(rf"(?<=[{_CJK}])\n(?=[{_CJK}])")
MAX_LIST_VALUES = 100


# --- front matter ---------------------------------------------------------------------------


def _yaml_loader() -> type:
    """A SafeLoader whose plain scalars stay strings (no YAML 1.1 bools, numbers or dates)."""
    import yaml

    class TextLoader(yaml.SafeLoader):
        pass

    null = "tag:yaml.org,2002:null"
    TextLoader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag == null]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return TextLoader


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (front matter, Markdown body). Text that is not front matter stays in the body."""
    match = _YAML_FRONT.match(text)
    if match:
        import yaml

        try:
            data = yaml.load(match.group(1), Loader=_yaml_loader())  # noqa: S506 (SafeLoader)
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            diagnostics.warn("front-matter-invalid", f"the YAML front matter cannot be read "
                             f"({_first_line(exc)}); it is left out")
            return {}, text[match.end():]
        if data is None:
            return {}, text[match.end():]
        if isinstance(data, dict):
            return data, text[match.end():]
        return {}, text  # "---" lines around plain text: Markdown, not front matter
    match = _TOML_FRONT.match(text)
    if match:
        import tomllib

        try:
            return tomllib.loads(match.group(1)), text[match.end():]
        except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
            diagnostics.warn("front-matter-invalid", f"the TOML front matter cannot be read "
                             f"({_first_line(exc)}); it is left out")
            return {}, text[match.end():]
    return {}, text


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n")[0][:120]


def _get(fm: dict[str, Any], *keys: str) -> Any:
    """The first present key, also looking in Zola's [extra] / Hugo's [params] / [taxonomies]."""
    scopes = [fm] + [fm[k] for k in ("extra", "params", "taxonomies")
                     if isinstance(fm.get(k), dict)]
    for scope in scopes:
        lowered = {str(k).lower(): v for k, v in scope.items()}
        for key in keys:
            value = lowered.get(key)
            if value not in (None, "", [], {}):
                return value
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = " ".join(str(value).split())
        return text or None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("title"))
    return None


def _strings(value: Any, split: str | None = None) -> list[str]:
    """A list of strings from a string, a list, or a list of {"name": ...} mappings."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items[:MAX_LIST_VALUES]:
        text = _text(item)
        if text is None:
            continue
        parts = re.split(split, text) if split else [text]
        out.extend(p.strip() for p in parts if p.strip())
    seen: list[str] = []
    for item in out:
        if item not in seen:
            seen.append(item)
    return seen


def _url(value: Any) -> str | None:
    text = _text(value)
    if text and urlsplit(text).scheme in ("http", "https"):
        return text
    return None


# --- a flat, depth-capped syntax tree ---------------------------------------------------------

# markdown-it's SyntaxTreeNode recurses once per level and copies the token list at each one, so
# 25,000 nested emphases cost a RecursionError after gigabytes. This builder is iterative and
# caps nesting: containers deeper than limits.max_nesting are dropped and their content joins
# the deepest kept container (the words stay, the extra indentation goes).
_CONTAINERS = frozenset({"blockquote", "bullet_list", "ordered_list", "em", "strong", "link", "s"})
_LISTS = frozenset({"bullet_list", "ordered_list"})
# Container markers at a line's start: ">", "- ", "* ", "+ ", "1. ", "1) ". Each marker starts
# with a non-space, so the pattern has one way to match and cannot backtrack exponentially.
_MARKER = r"(?:>[ \t]*|[-+*][ \t]+|\d{1,9}[.)][ \t]+)"


@dataclass(eq=False, slots=True)
class _Node:
    """The parts of markdown-it's SyntaxTreeNode the converter uses."""

    type: str
    tag: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    content: str = ""
    info: str = ""
    children: list[_Node] = field(default_factory=list)
    note: int | None = None
    """A footnote's number (footnote, footnote_ref tokens)."""


def _tree(tokens: list[Token], cap: int) -> list[_Node]:
    """Nodes for a token stream, with container nesting capped at `cap` (block and inline)."""
    root = _Node("root")
    stack = [root]
    kept: list[bool] = []  # per open token: whether it got a node (closing tokens pop this)
    depth = 0  # containers on the stack
    flattened = False
    for tok in tokens:
        if tok.nesting == 1:
            kind = tok.type[:-5]  # "blockquote_open" -> "blockquote"
            if kind == "list_item":
                keep = stack[-1].type in _LISTS  # its list was dropped: so is the item
            else:
                keep = kind not in _CONTAINERS or depth < cap
            kept.append(keep)
            if not keep:
                flattened = True
                continue
            node = _Node(kind, tok.tag, dict(tok.attrs), tok.content, tok.info,
                         note=_note_number(tok))
            stack[-1].children.append(node)
            stack.append(node)
            depth += kind in _CONTAINERS
        elif tok.nesting == -1:
            if (kept.pop() if kept else False) and len(stack) > 1:
                depth -= stack.pop().type in _CONTAINERS
        else:
            node = _Node(tok.type, tok.tag, dict(tok.attrs or {}), tok.content, tok.info,
                         note=_note_number(tok))
            if tok.children:
                node.children = _tree(tok.children, max(cap - depth, 1))
            stack[-1].children.append(node)
    if flattened:
        _warn_flattened(cap)
    return root.children


def _note_number(tok: Token) -> int | None:
    number = tok.meta.get("id") if tok.meta and tok.type.startswith("footnote") else None
    return number if isinstance(number, int) else None


def _warn_flattened(cap: int) -> None:
    diagnostics.warn("nesting-flattened", f"quotes, lists or emphasis nested more than {cap} "
                     "levels deep were flattened (raise OCTAVO_MAX_NESTING to keep them)")


def _trim_markers(text: str, cap: int) -> str:
    """Cut runs of more than `cap` container markers at a line's start (">>>>...> x") down to
    `cap`: markdown-it stops parsing at its own nesting limit and would drop the words."""
    rx = re.compile(rf"^([ \t]{{0,3}}(?:{_MARKER}){{{cap}}})(?:{_MARKER})+", re.MULTILINE)
    trimmed, count = rx.subn(r"\1", text)
    if count:
        _warn_flattened(cap)
    return trimmed


# --- Liquid (Jekyll) ------------------------------------------------------------------------
# A Jekyll post is Markdown with Liquid tags that Jekyll runs before Markdown sees the text. The
# few that only say how to show what is there are done here, in a post with front matter (which
# Jekyll requires) and outside code: {% raw %} / {% endraw %} (shown literally: dropped),
# {% highlight lang %} ... {% endhighlight %} (a code block), {% comment %} ... {% endcomment %}
# (dropped), and a link whose target is Liquid (a definition's {% post_url %} or {% link %},
# an inline link's {{ "/docs/" | relative_url }}: a page of the site, unknown here), which
# becomes its plain words instead of "[text][ref]" or the brackets and the tag. Any other tag stays as written.



def _liquid_tag(name: str) -> str:
    return r"\{%-?\s*" + name + r"\b\s*(?P<arg>[^%]*?)\s*-?%\}"


_RAW_TAG = re.compile(_liquid_tag("(?:end)?raw"))
_BLOCK_TAG = re.compile(r"^[ \t]*" + _liquid_tag("(?P<tag>(?:end)?(?:highlight|comment))")
                        + r"[ \t]*$")
_LIQUID_TARGET = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:[ \t]*)\{%[^%\n]*%\}[ \t]*$")
_LIQUID_LINK = re.compile(r"\]\(\{[{%][^\n]*?[}%]\}[^()\s]*\)")
"""An inline link whose target is Liquid: ]({{ "/docs/" | relative_url }}#top)."""
_FENCE_OPEN = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


def _liquid(body: str) -> str:
    """The Markdown Jekyll would hand its converter, for the display-only tags above."""
    if "{%" not in body and "{{" not in body:
        return body
    out: list[str] = []
    lines = body.split("\n")
    ends: dict[str, list[int]] = {"highlight": [], "comment": []}  # closing tags' lines
    for j, text in enumerate(lines):
        if "{%" in text and (m := _BLOCK_TAG.match(text)) and m["tag"].startswith("end"):
            ends[m["tag"][3:]].append(j)
    fence = ""  # the open code fence's marker
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if fence:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            out.append(line)
            continue
        if opened := _FENCE_OPEN.match(line):
            fence = opened.group(1)
            out.append(line)
            continue
        block = _BLOCK_TAG.match(line)
        if block and block["tag"] in ends:
            # The next closing tag's line (bisect: a file of unclosed tags stays linear).
            at = bisect.bisect_left(ends[block["tag"]], i)
            end = ends[block["tag"]][at] if at < len(ends[block["tag"]]) else None
            if end is not None:
                if block["tag"] == "highlight":
                    code = lines[i:end]
                    ticks = max((len(run) for text in code for run in re.findall("`+", text)),
                                default=0)
                    marker = "`" * max(3, ticks + 1)
                    language = (block["arg"].split() or [""])[0]
                    out += [marker + language, *code, marker]
                i = end + 1
                continue
        line = _RAW_TAG.sub("", line)
        if not line.strip() and lines[i - 1].strip():
            continue  # a line that held only {% raw %} or {% endraw %}
        out.append(_LIQUID_LINK.sub("](<>)", _LIQUID_TARGET.sub(r"\1<>", line)))
    return "\n".join(out)


# --- body -----------------------------------------------------------------------------------


class _BodyConverter:
    """Maps markdown-it's syntax tree to model blocks."""

    def __init__(self, images: ImageResolver, page_url: str | None) -> None:
        self.images = images
        self.html = Converter(images, page_url=page_url)
        self.pending: list[Figure] = []
        self.skip: list[str] = []  # open raw-HTML elements whose content is dropped
        self.notes: dict[int, Note] = {}
        self.in_note = False

    def read_notes(self, nodes: list[_Node]) -> None:
        """The footnotes' texts, read before the body that refers to them (they come last)."""
        for block in nodes:
            if block.type != "footnote_block":
                continue
            for footnote in block.children:
                if footnote.note is None:
                    continue
                self.in_note = True
                try:
                    inner = tuple(self.blocks(footnote.children))
                finally:
                    self.in_note = False
                if inner:
                    self.notes[footnote.note] = Note(inner)

    def blocks(self, nodes: list[_Node]) -> list[Block]:
        out: list[Block] = []
        for node in nodes:
            out.extend(self.block(node))
        return out

    def block(self, node: _Node) -> list[Block]:
        kind = node.type
        if kind == "heading":
            inlines = self.inlines_of(node)
            level = int(node.tag[1]) if node.tag[1:].isdigit() else 2
            return ([Heading(level, inlines)] if inlines else []) + self.take_pending()
        if kind == "paragraph":
            inlines = self.inlines_of(node)
            return ([Paragraph(inlines)] if inlines else []) + self.take_pending()
        if kind == "blockquote":
            inner = self.blocks(node.children)
            return [BlockQuote(tuple(inner))] if inner else []
        if kind in ("bullet_list", "ordered_list"):
            items = [tuple(self.blocks(li.children)) for li in node.children]
            items = [item for item in items if item]
            if not items:
                return []
            start = 1
            if kind == "ordered_list":
                raw = str(node.attrs.get("start", 1))
                start = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 10 else 1
            return [ListBlock(tuple(items), kind == "ordered_list", start)]
        if kind in ("code_block", "fence"):
            text = node.content.rstrip("\n")
            if not text.strip():
                return []
            info = (node.info or "").strip().split()
            return [CodeBlock(text, info[0][:40] if info else None)]
        if kind == "hr":
            return [SectionBreak()]
        if kind == "html_block":
            return fragment_blocks(node.content, self.html)
        if kind == "table":
            return self.table(node)
        if kind == "footnote_block":
            return []  # read first, by read_notes; each note stands where it is referred to
        return self.blocks(node.children)

    def take_pending(self) -> list[Block]:
        taken: list[Block] = list(self.pending)
        self.pending.clear()
        return taken

    def table(self, node: _Node) -> list[Block]:
        header: tuple[tuple[Inline, ...], ...] = ()
        rows: list[tuple[tuple[Inline, ...], ...]] = []
        for section in node.children:
            for tr in section.children:
                cells = tuple(self.inlines_of(cell) for cell in tr.children)
                if section.type == "thead" and not header:
                    header = cells
                else:
                    rows.append(cells)
        width = max([len(header), *(len(r) for r in rows)])
        if header:
            header = header + ((),) * (width - len(header))
        body = tuple(r + ((),) * (width - len(r)) for r in rows)
        return [Table(header, body), *self.take_pending()]

    # inlines

    def inlines_of(self, node: _Node) -> tuple[Inline, ...]:
        """The inline content of a paragraph, heading or cell, quotes parsed, spaces tidied."""
        self.skip.clear()  # an unclosed <script> in one paragraph must not eat the next
        children = node.children[0].children if node.children and (
            node.children[0].type == "inline") else node.children
        raw = self.inlines(children)
        self.skip.clear()
        return quote_inlines(tidy_spaces(_join_lines(raw)))

    def inlines(self, nodes: list[_Node]) -> list[Inline]:
        out: list[Inline] = []
        raised: list[tuple[str, int]] = []  # open <sup>/<sub>: the tag, where its content starts
        for node in nodes:
            kind = node.type
            if kind == "html_inline":
                if not self.skip and (script := _SCRIPT_TAG.match(node.content.strip())):
                    closing, name = script.group(1), script.group(2).lower()
                    if not closing:
                        raised.append((name, len(out)))
                    elif raised and raised[-1][0] == name:
                        start = raised.pop()[1]
                        inner = tuple(out[start:])
                        del out[start:]
                        out.append(Superscript(inner) if name == "sup" else Subscript(inner))
                    continue  # a stray closing tag: nothing
                out.extend(self.raw_html(node.content))
                continue
            if self.skip:
                continue
            if kind == "text":
                out.append(Text(node.content))
            elif kind == "softbreak":
                out.append(Text("\n"))
            elif kind == "hardbreak":
                out.append(LineBreak())
            elif kind == "code_inline":
                out.append(Code(node.content))
            elif kind == "em":
                out.append(Emphasis(tuple(self.inlines(node.children))))
            elif kind == "strong":
                out.append(Strong(tuple(self.inlines(node.children))))
            elif kind == "link":
                children = self.inlines(node.children)
                url = self.html.safe_url(str(node.attrs.get("href", "")))
                out.extend([Link(tuple(children), url)] if url else children)
            elif kind == "image":
                self.image(str(node.attrs.get("src", "")), _alt(node),
                           str(node.attrs.get("title") or ""))
            elif kind == "footnote_ref":
                note = self.notes.get(node.note) if node.note is not None else None
                if note is not None and not self.in_note:  # no notes inside notes
                    out.append(note)
            else:  # strikethrough ("s") and anything newer: keep the words
                out.extend(self.inlines(node.children))
        return out

    def image(self, src: str, alt: str, title: str) -> None:
        """An image in running text becomes a figure after its paragraph."""
        if is_tracker_url(src):
            return
        image = self.images.resolve(src, alt)
        caption_text, credit = split_credit(title) if title else ("", None)
        if image is None and not caption_text:
            caption_text = alt
        caption = quote_inlines((Text(caption_text),)) if caption_text else ()
        if image is None and not caption and not credit:
            return
        self.pending.append(Figure(image=image, caption=caption, credit=credit))

    def raw_html(self, tag_text: str) -> list[Inline]:
        match = _INLINE_TAG.match(tag_text.strip())
        if not match:
            return []  # comments, declarations, CDATA
        closing, name, _attrs, self_closing = match.groups()
        name = name.lower()
        if name in _SKIP_CONTENT:
            if closing:
                if name in self.skip:
                    del self.skip[len(self.skip) - 1 - self.skip[::-1].index(name):]
            elif not self_closing:
                self.skip.append(name)
            return []
        if self.skip or closing:
            return []
        if name == "br":
            return [LineBreak()]
        if name == "img":
            from lxml import etree
            from lxml import html as lhtml

            try:
                img = lhtml.fragment_fromstring(xml_safe(tag_text))
            except (etree.ParserError, ValueError, AssertionError):
                return []
            if img.tag == "img" and not self.html._is_tracker(img):
                if self.html._img_is_inline(img):
                    alt = " ".join((img.get("alt") or "").split())
                    return [Text(alt)] if alt else []
                self.image(self.html._img_src(img), " ".join((img.get("alt") or "").split()),
                           img.get("title") or "")
        return []


def _alt(node: _Node) -> str:
    parts: list[str] = []
    for child in node.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.children:
            parts.append(_alt(child))
    return " ".join("".join(parts).split())


def _join_lines(inlines: list[Inline]) -> list[Inline]:
    """Soft line breaks are spaces, except between CJK characters (no spaces there)."""
    out: list[Inline] = []
    for node in inlines:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].value + node.value)
        else:
            out.append(node)
    return [Text(_CJK_BREAK.sub("", n.value)) if isinstance(n, Text) else n for n in out]


def _name_date(name: str) -> date | None:
    """Jekyll-style post names carry the date: 2019-05-15-4-Years-Of-Rust.md."""
    match = re.search(r"(?:^|[_/\\])(\d{4}-\d{2}-\d{2})-", name)
    return parse_date(match.group(1)) if match else None


def _is_emphasis_line(block: Block) -> bool:
    return isinstance(block, Paragraph) and len(block.children) == 1 and isinstance(
        block.children[0], Emphasis)


# --- the reader -----------------------------------------------------------------------------


class MarkdownReader:
    name = "markdown"
    extensions = BUILTIN_EXTENSIONS["markdown"]

    def read(self, source: Source, options: ReadOptions) -> Article:
        text, _encoding = decode(source.data, options.encoding)
        try:
            return self._read_text(text, source, options)
        except RecursionError:
            raise InputError("the Markdown is nested too deeply to read",
                             hint="simplify the file") from None

    def _read_text(self, text: str, source: Source, options: ReadOptions) -> Article:
        from markdown_it import MarkdownIt

        fm, body_md = split_front_matter(text)
        if fm:
            body_md = _liquid(body_md)
        title = _text(_get(fm, "title"))
        url = _url(_get(fm, "canonical_url", "canonical", "url", "source", "permalink", "link"))
        images = ImageResolver(options, url)
        parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
        if "[^" in body_md or "^[" in body_md:
            # Footnotes as pandoc, GitHub and kramdown write them: "[^1]" with "[^1]: text"
            # anywhere, and pandoc's inline "^[text]".
            from mdit_py_plugins.footnote import footnote_plugin

            parser.use(footnote_plugin)
        # Every link and image target is checked here (safe_url, ImageResolver), so a
        # javascript: link becomes its plain words instead of literal "[x](javascript:...)".
        parser.validateLink = lambda url: True  # type: ignore[method-assign]
        cap = limits.current().max_nesting
        # markdown-it's own guard against deep nesting drops content; ours flattens it.
        parser.options["maxNesting"] = min(2 * cap + 8, 150)  # a list is two levels
        tree = _tree(parser.parse(_trim_markers(body_md, cap)), cap)
        converter = _BodyConverter(images, url)
        converter.read_notes(tree)
        blocks = converter.blocks(tree)

        # Title: front matter, else a leading h1; an h1 repeating the title is not body text.
        first_text = next((i for i, b in enumerate(blocks) if not isinstance(b, Figure)), None)
        if first_text is not None and isinstance(h := blocks[first_text], Heading):
            heading_text = plain_text(h.children).strip()
            if title is None and h.level == 1 or (
                title is not None and heading_text.casefold() == title.casefold()
            ):
                title = title or heading_text
                del blocks[first_text]
        lead = self._lead(fm, blocks, images)
        images.finish()

        body_text = "\n".join(block_text(b) for b in blocks)
        if not body_text.strip() and lead is None and not any(
                isinstance(b, Figure) for b in blocks):
            raise EmptyInputError("the Markdown has no body text",
                                  hint="give a file with article text after the front matter")
        if title is None:
            heading = next((b for b in blocks if isinstance(b, Heading)), None)
            if heading is not None and blocks and blocks[0] is heading:
                title = plain_text(heading.children).strip()
                blocks.pop(0)
            else:
                title = derive_title(body_text or (plain_text(lead.caption) if lead else ""))
            if not title.strip():
                raise EmptyInputError("the Markdown has no text",
                                      hint="give a file with article text")
            no_title_warning(title)

        declared = [_text(_get(fm, "lang", "language", "locale", "inlanguage"))]
        language = choose_language(options, declared, f"{title}\n{body_text}")
        authors = _strings(_get(fm, "authors", "author", "by", "creator", "creators"),
                           r"\s*(?:,|;|&|\band\b)\s*")
        keywords = _strings(_get(fm, "tags", "keywords", "categories", "category"), r"\s*,\s*")
        return Article(
            title=title,
            subtitle=_text(_get(fm, "subtitle")),
            language=language,
            body=tuple(blocks),
            authors=tuple(authors),
            publisher=_text(_get(fm, "publisher", "site_name", "sitename", "site")),
            published=parse_date(_get(fm, "date", "published", "pubdate", "publishdate",
                                      "date_published", "created")) or _name_date(source.name),
            lead=lead,
            description=_text(_get(fm, "description", "excerpt", "summary")),
            keywords=tuple(keywords),
            url=url,
            source=source.name,
        )

    @staticmethod
    def _lead(fm: dict[str, Any], blocks: list[Block], images: ImageResolver) -> Figure | None:
        """The front matter's image, else the first figure before any text (then removed)."""
        ref = _get(fm, "image", "cover", "cover_image", "lead_image", "featured_image", "hero")
        if isinstance(ref, dict):
            ref = ref.get("src") or ref.get("url") or ref.get("path") or ref.get("image")
        caption_text = _text(_get(fm, "image_caption", "caption", "cover_caption")) or ""
        if isinstance(ref, str) and ref.strip():
            image = images.resolve(ref, _text(_get(fm, "image_alt", "alt")) or "")
            if image is not None:
                words, credit = split_credit(caption_text)
                credit = _text(_get(fm, "image_credit", "credit")) or credit
                return Figure(image=image, caption=quote_inlines((Text(words),)) if words
                              else (), credit=credit)
        first = blocks[0] if blocks else None
        if not isinstance(first, Figure):
            return None
        del blocks[0]
        lead: Figure = first
        following = blocks[0] if blocks else None
        if not lead.caption and isinstance(following, Paragraph) and _is_emphasis_line(following):
            del blocks[0]
            inner = following.children[0].children  # type: ignore[union-attr]
            line_text, credit = split_credit(plain_text(inner))
            caption = inner if credit is None else (
                quote_inlines((Text(line_text),)) if line_text else ())
            lead = Figure(image=lead.image, caption=caption, credit=lead.credit or credit)
        elif lead.caption and lead.credit is None:
            line_text, credit = split_credit(plain_text(lead.caption))
            if credit:
                caption = quote_inlines((Text(line_text),)) if line_text else ()
                lead = Figure(image=lead.image, caption=caption, credit=credit)
        return lead
