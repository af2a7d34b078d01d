"""Hypothesis strategies for the article model (pandoc's Arbitrary, in Python)."""

from __future__ import annotations

from hypothesis import strategies as st

from octavo import model

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
words = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s.strip()
)


def inlines(depth: int = 2) -> st.SearchStrategy[tuple[model.Inline, ...]]:
    leaf = st.one_of(
        text.map(model.Text),
        text.map(model.Code),
        st.just(model.LineBreak()),
    )
    if depth == 0:
        node = leaf
    else:
        inner = inlines(depth - 1)
        node = st.one_of(
            leaf,
            inner.map(model.Emphasis),
            inner.map(model.Strong),
            st.builds(model.Link, inner, st.sampled_from(["https://example.org/a", "mailto:x@y.z"])),
            st.builds(model.Quoted, inner, st.booleans()),
            inner.map(model.Superscript),
            inner.map(model.Subscript),
            st.lists(inlines(0).map(model.Paragraph), min_size=1, max_size=2)
            .map(lambda paragraphs: model.Note(tuple(paragraphs))),
        )
    return st.lists(node, max_size=4).map(model.normalize_inlines)


images = st.builds(model.Image, st.binary(max_size=20), st.sampled_from(sorted(model.IMAGE_TYPES)), text)
figures = st.builds(model.Figure, st.none() | images, inlines(1), st.none() | words).filter(
    lambda f: True
)


def blocks(depth: int = 2) -> st.SearchStrategy[model.Block]:
    leaf = st.one_of(
        inlines().map(model.Paragraph),
        st.builds(model.Heading, st.integers(1, 6), inlines()),
        st.builds(model.CodeBlock, text, st.none() | st.just("python")),
        st.builds(model.Table, st.lists(inlines(0), max_size=3).map(tuple),
                  st.lists(st.lists(inlines(0), max_size=3).map(tuple), max_size=3).map(tuple)),
        st.builds(model.Figure, images, inlines(1), st.none() | words),
        st.just(model.SectionBreak()),
    )
    if depth == 0:
        return leaf
    inner = st.lists(blocks(depth - 1), max_size=3).map(tuple)
    return st.one_of(
        leaf,
        inner.map(model.BlockQuote),
        st.builds(model.ListBlock, st.lists(inner, max_size=3).map(tuple), st.booleans(),
                  st.integers(1, 20)),
    )


articles = st.builds(
    model.Article,
    title=words,
    language=st.sampled_from(["de", "en", "en-GB", "fr", "ru", "ja", "ar", "zh-Hant"]),
    body=st.lists(blocks(), max_size=5).map(tuple),
    subtitle=st.none() | words,
    authors=st.lists(words, max_size=3).map(tuple),
    publisher=st.none() | words,
    published=st.none() | st.dates(),
    lead=st.none() | st.builds(model.Figure, st.none() | images, inlines(1), words),
    description=st.none() | words,
    keywords=st.lists(words, max_size=3).map(tuple),
    url=st.none() | st.just("https://example.org/article"),
    source=st.none() | words,
)
