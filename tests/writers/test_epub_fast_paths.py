"""The EPUB path's fast paths for the usual nodes give what the general code gives.

The XHTML renderer, the typesetter and the model's plain-text helpers test `type(node) is Text`
(or `Paragraph`) before their `match` statements. A subclass instance fails that test and takes
the general `case Text(value)` / `case Paragraph(children)` branches, so the same article built
from subclass nodes is the slow reference: its EPUB, its typeset tree and its texts must equal
the fast ones.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from octavo import api, model
from octavo.model import Book, Paragraph, Text
from octavo.options import WriteOptions
from octavo.typography import punctuation
from octavo.writers import _xhtml, epub
from tests import strategies


class _SlowText(Text):
    """Text that the fast paths do not recognise (type(node) is not Text)."""

    __slots__ = ()


class _SlowParagraph(Paragraph):
    """A paragraph that the fast paths do not recognise."""

    __slots__ = ()


def _convert(obj: Any, kinds: dict[type, type]) -> Any:
    """obj rebuilt with every node of a class in `kinds` made of the mapped class instead."""
    if isinstance(obj, tuple):
        return tuple(_convert(o, kinds) for o in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        values = {f.name: _convert(getattr(obj, f.name), kinds)
                  for f in dataclasses.fields(obj) if f.init}
        cls = kinds.get(type(obj), type(obj))
        return cls(**values)
    return obj


def _slow(obj: Any) -> Any:
    return _convert(obj, {Text: _SlowText, Paragraph: _SlowParagraph})


def _plain(obj: Any) -> Any:
    return _convert(obj, {_SlowText: Text, _SlowParagraph: Paragraph})


def test_the_slow_nodes_take_the_general_branches() -> None:
    node = _SlowText("x")
    assert type(node) is not Text and isinstance(node, Text)
    match node:
        case Text(value):
            assert value == "x"
        case _:  # pragma: no cover
            raise AssertionError("a subclass must still match case Text(value)")
    block = _slow(Paragraph((Text("a"),)))
    assert type(block) is _SlowParagraph and type(block.children[0]) is _SlowText
    assert _plain(block) == Paragraph((Text("a"),))


# Text made of what the typesetter and the escaping act on (spaces at the edges, quotes, dashes,
# digits and units, markup characters), so that a fast path that changed anything would show.
_PIECES = [" ", "  ", "a", "Wort", "Ж", "日本", "9", "10", " km", "-", " - ", "--", "...", "'",
           '"', "«", "»", "\u00a0", "&", "<", "\x0c", "\r", "\n", "z. B.", "Nr. 5", "6. August",
           "Mr. Smith", "l'", "?", "!", ":"]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10).map("".join)


def _inlines(depth: int = 2) -> st.SearchStrategy[tuple[model.Inline, ...]]:
    leaf = st.one_of(_TEXT.map(Text), _TEXT.map(Text), _TEXT.map(model.Code),
                     st.just(model.LineBreak()))
    if depth == 0:
        node = leaf
    else:
        inner = _inlines(depth - 1)
        node = st.one_of(leaf, inner.map(model.Emphasis), inner.map(model.Strong),
                         st.builds(model.Link, inner, st.just("https://example.org/a")),
                         st.builds(model.Quoted, inner, st.booleans()))
    return st.lists(node, max_size=4).map(model.normalize_inlines)


_BLOCKS = st.one_of(
    _inlines().map(Paragraph), _inlines().map(Paragraph),
    st.builds(model.Heading, st.integers(1, 6), _inlines()),
    st.builds(model.Figure, st.none(), _inlines(1), _TEXT),
    st.lists(_inlines().map(Paragraph), max_size=3).map(tuple).map(model.BlockQuote),
    st.builds(model.ListBlock, st.lists(st.lists(_inlines().map(Paragraph), max_size=2)
                                        .map(tuple), max_size=3).map(tuple)),
)
_LANGUAGES = st.sampled_from(["de", "en", "fr", "ru", "ja", "ar"])
_ARTICLES = st.builds(
    model.Article, title=_TEXT.filter(str.strip), language=_LANGUAGES,
    body=st.lists(_BLOCKS, max_size=6).map(tuple),
    authors=st.lists(_TEXT.filter(str.strip), max_size=2).map(tuple),
    lead=st.none() | st.builds(model.Figure, st.none(), _inlines(1), _TEXT))

_OPTIONS = WriteOptions(cover=False, modified=datetime(2025, 1, 2, tzinfo=UTC))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.articles | _ARTICLES)
def test_the_epub_is_the_same_as_the_general_code_s(article: model.Article) -> None:
    fast = api._typeset(Book.of(article), _OPTIONS)
    slow = api._typeset(Book.of(_slow(article)), _OPTIONS)
    assert _plain(slow) == fast  # the typesetter's fast paths
    assert epub.render(fast, _OPTIONS) == epub.render(_slow(fast), _OPTIONS)


@settings(max_examples=200, deadline=None)
@given(strategies.blocks() | _BLOCKS)
def test_plain_text_and_block_text_are_the_general_code_s(block: model.Block) -> None:
    assert model.block_text(block) == model.block_text(_slow(block))
    if isinstance(block, Paragraph):
        assert model.plain_text(block.children) == model.plain_text(_slow(block.children))
        assert model.plain_text(block.children) == model.plain_text(list(block.children))


@settings(max_examples=300, deadline=None)
@given(strategies.blocks() | _BLOCKS, _LANGUAGES)
# A neighbour's trailing space is context a rule sees: French spacing before "?" differs.
@example(Paragraph((Text("Oui "), model.Emphasis((Text("?"),)))), "fr")
def test_a_block_renders_and_typesets_as_in_the_general_code(block: model.Block,
                                                              language: str) -> None:
    renderer = _xhtml.Renderer(language=language, image_src=lambda image: "x.png")
    reference = _xhtml.Renderer(language=language, image_src=lambda image: "x.png")
    assert renderer.block(block) == reference.block(_slow(block))
    setter = punctuation._Typesetter(language)
    assert setter.block(block) == _plain(setter.block(_slow(block)))
