from datetime import date

import pytest

from octavo import model
from octavo.errors import ModelError


def test_article_requires_title_and_valid_language():
    with pytest.raises(ModelError):
        model.Article(title="  ", language="de", body=())
    with pytest.raises(ModelError):
        model.Article(title="T", language="german!", body=())
    assert model.Article(title="T", language="pt-BR", body=()).language == "pt-BR"


def test_models_are_immutable_and_compare_by_value():
    a = model.Article(title="T", language="de", body=(model.para("x"),), published=date(2025, 7, 13))
    b = model.Article(title="T", language="de", body=(model.para("x"),), published=date(2025, 7, 13))
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.title = "U"  # type: ignore[misc]


def test_heading_level_and_empty_figure_are_rejected():
    with pytest.raises(ModelError):
        model.Heading(7, ())
    with pytest.raises(ModelError):
        model.Figure()


def test_normalize_inlines_merges_text_and_drops_empty():
    out = model.normalize_inlines([model.Text("a"), model.Text(""), model.Text("b"), model.LineBreak()])
    assert out == (model.Text("ab"), model.LineBreak())


def test_plain_text_and_book_of():
    p = model.Paragraph((model.Text("Er sagte "), model.Quoted((model.Emphasis((model.Text("Ja"),)),))))
    assert model.block_text(p) == "Er sagte Ja"
    article = model.Article(title="T", language="de", body=(p,), authors=("A",), publisher="P")
    book = model.Book.of(article)
    assert book.title == "T" and book.language == "de" and book.authors == ("A",) and book.is_single


def test_map_inlines_reaches_nested_blocks():
    inner = model.ListBlock(((model.para("x"),), (model.BlockQuote((model.para("y"),)),)))
    upper = model.map_inlines(inner, lambda ins: tuple(model.Text(model.plain_text(ins).upper()) for _ in [0]))
    assert model.block_text(upper) == "X\nY"
