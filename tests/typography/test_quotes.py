"""Quotation marks per language: the pairs the writers print for `Quoted` nodes."""

from __future__ import annotations

import pytest

from octavo.model import Inline, Quoted, Text
from octavo.readers._inline import parse_quotes
from octavo.typography.quotes import NNBSP, QuoteMarks, quote_marks


def render(nodes: tuple[Inline, ...], language: str, outer: bool | None = None) -> str:
    """What a writer prints: each Quoted node wrapped in the language's marks, alternating
    between the two kinds when quotations nest."""
    marks = quote_marks(language)
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Quoted):
            opening, closing = marks.nested_pair(node.double, outer)
            kind = node.double if outer is None else not outer
            out.append(opening + render(node.children, language, kind) + closing)
        elif isinstance(node, Text):
            out.append(node.value)
    return "".join(out)


SEED = 'Syrsky versprach Journalisten, die "Umfang und Tiefe" der Angriffe'


def test_seed_sentence_gets_german_marks() -> None:
    assert quote_marks("de").pair(True) == ("„", "“")
    assert render(parse_quotes(SEED), "de") == (
        "Syrsky versprach Journalisten, die „Umfang und Tiefe“ der Angriffe"
    )


@pytest.mark.parametrize(
    ("language", "double", "single"),
    [
        ("en", ("“", "”"), ("‘", "’")),
        ("en-US", ("“", "”"), ("‘", "’")),
        ("de", ("„", "“"), ("‚", "‘")),
        ("de-AT", ("„", "“"), ("‚", "‘")),
        ("de-CH", ("«", "»"), ("‹", "›")),
        ("de-LI", ("«", "»"), ("‹", "›")),
        ("gsw", ("«", "»"), ("‹", "›")),
        ("fr", ("«" + NNBSP, NNBSP + "»"), ("“", "”")),
        ("fr-FR", ("«" + NNBSP, NNBSP + "»"), ("“", "”")),
        ("fr-CA", ("«\u00a0", "\u00a0»"), ("“", "”")),
        ("fr-CH", ("«", "»"), ("‹", "›")),
        ("ru", ("«", "»"), ("„", "“")),
        ("uk", ("«", "»"), ("„", "“")),
        ("be", ("«", "»"), ("„", "“")),
        ("ja", ("「", "」"), ("『", "』")),
        ("zh", ("“", "”"), ("‘", "’")),
        ("zh-Hans", ("“", "”"), ("‘", "’")),
        ("zh-Hant", ("「", "」"), ("『", "』")),
        ("zh-TW", ("「", "」"), ("『", "』")),
        ("zh-Hant-TW", ("「", "」"), ("『", "』")),
        ("es", ("«", "»"), ("“", "”")),
        ("it", ("«", "»"), ("“", "”")),
        ("pt", ("“", "”"), ("‘", "’")),
        ("pt-BR", ("“", "”"), ("‘", "’")),
        ("pt-PT", ("«", "»"), ("“", "”")),
        ("pl", ("„", "”"), ("«", "»")),
        ("nl", ("“", "”"), ("‘", "’")),
        ("sv", ("”", "”"), ("’", "’")),
        ("fi", ("”", "”"), ("’", "’")),
        ("cs", ("„", "“"), ("‚", "‘")),
        ("sk", ("„", "“"), ("‚", "‘")),
        ("hu", ("„", "”"), ("»", "«")),
        ("hr", ("„", "”"), ("‘", "’")),
        ("ro", ("„", "”"), ("«", "»")),
        ("da", ("»", "«"), ("›", "‹")),
        ("nb", ("«", "»"), ("‘", "’")),
        ("el", ("«", "»"), ("“", "”")),
        ("tr", ("“", "”"), ("‘", "’")),
        ("ko", ("“", "”"), ("‘", "’")),
        ("he", ("”", "”"), ("’", "’")),
        ("ar", ("«", "»"), ("“", "”")),
    ],
)
def test_marks_per_language(language: str, double: tuple[str, str], single: tuple[str, str]) -> None:
    marks = quote_marks(language)
    assert marks.pair(True) == double
    assert marks.pair(False) == single


def test_french_rendering_has_narrow_spaces_inside() -> None:
    assert render((Quoted((Text("Oui"),)),), "fr") == f"«{NNBSP}Oui{NNBSP}»"


def test_russian_nested_quotes() -> None:
    nodes = parse_quotes("Он сказал: «Это „Газпром“ виноват».")
    assert render(nodes, "ru") == "Он сказал: «Это „Газпром“ виноват»."


def test_german_nested_quotes() -> None:
    nodes = parse_quotes("Er sagte: \"Das ist 'falsch' so.\"")
    assert render(nodes, "de") == "Er sagte: „Das ist ‚falsch‘ so.“"


def test_japanese_quotes() -> None:
    nodes = parse_quotes("彼は「こんにちは」と言った。")
    assert render(nodes, "ja") == "彼は「こんにちは」と言った。"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ('シャトル"エンデバー"が帰還した。', "ja", "シャトル「エンデバー」が帰還した。"),
        ('他说"你好"。', "zh", "他说“你好”。"),
        ('RobGilles"Canada"。', "ja", 'RobGilles"Canada"。'),  # after a Latin letter: no quote
        ("It's Mecca's \"crane\".", "en", "It’s Mecca’s “crane”."),
    ],
)
def test_straight_quotes_between_unspaced_cjk(text: str, language: str, expected: str) -> None:
    """Chinese and Japanese put no spaces around words: a straight quote there still pairs."""
    rendered = render(parse_quotes(text), language)
    assert rendered.replace("'", "’") == expected


@pytest.mark.parametrize("tag", ["xx", "und", "tlh", "en-Latn-GB-x-private"])
def test_unknown_languages_fall_back_to_english(tag: str) -> None:
    assert quote_marks(tag) == quote_marks("en")


def test_lookup_is_case_insensitive_and_walks_subtags() -> None:
    assert quote_marks("DE-ch-1996") == quote_marks("de-CH")
    assert quote_marks("de-1901") == quote_marks("de")


def test_api_is_stable() -> None:
    marks = QuoteMarks("a", "b", "c", "d")
    assert marks.pair(True) == ("a", "b")
    assert marks.pair(False) == ("c", "d")
    assert marks.nested_pair(True, None) == ("a", "b")
    assert marks.nested_pair(True, True) == ("c", "d")
    assert marks.nested_pair(True, False) == ("a", "b")
    assert marks.nested_pair(False, True) == ("c", "d")


def test_every_mark_is_a_real_quotation_mark() -> None:
    from octavo.typography import quotes

    allowed = set("“”‘’„‚«»‹›「」『』") | {NNBSP, "\u00a0"}
    for tag, marks in quotes._TABLE.items():
        for mark in (marks.open_double, marks.close_double, marks.open_single, marks.close_single):
            assert mark and set(mark) <= allowed, tag
