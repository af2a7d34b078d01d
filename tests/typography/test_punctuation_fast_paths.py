"""The punctuation pass's shortcuts give exactly what the full walk gives.

`_quick_test` lets `_apply_once` return early on text no rule would run on, and
`_Typesetter.inlines` skips rendering neighbours for a single node. Both are checked here
against the unshortened code: the one-rule-at-a-time filter and the general node walk. Rule
patterns compiled on first use are checked against the same rules compiled up front.
"""

from __future__ import annotations

import dataclasses
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from octavo.model import Code, Emphasis, Inline, Link, Paragraph, Quoted, Strong, Text
from octavo.typography import punctuation as P
from octavo.typography.punctuation import NBSP, NNBSP

_PIECES = [
    " ", "a", "é", "Ж", "9", "12", "1 000", "'", '"', "-", "--", "---", " - ", "–", "—", ".",
    "...", "?", "!", ";", ":", "«", "»", "%", " km", "z. B.", "z.B.", "т. е.", "6. August",
    "6 août", "August 6", NBSP, NNBSP, "\u2009", "http://x.org/?a", "(", "§", "№", "°", " 5",
    "Nr. 5", "Dr. Smith", "M. Dupont", "l'", "'90s", "’", "«Oui»", "١٢",
]
_text = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)
_LANGUAGES = ["de", "de-CH", "fr", "fr-CA", "en", "ru", "uk", "ja", "zh", "es", "he", "xx"]
_languages = st.sampled_from(_LANGUAGES)


def test_every_language_has_a_quick_test() -> None:
    # Every rule has a gate, a trigger or needs a digit: the early return is always available.
    for language in _LANGUAGES:
        assert P._quick(language) is not None


@settings(max_examples=600, deadline=None)
@given(_text, _text, _text, _languages)
def test_quick_test_never_skips_a_change(before: str, text: str, after: str,
                                         language: str) -> None:
    rules, triggers = P._rules(language), P._triggers(language)
    full = P._apply_once(rules, before, text, after, triggers)
    assert P._apply_once(rules, before, text, after, triggers, P._quick(language)) == full


def test_quick_test_passes_text_with_only_a_digit() -> None:
    # No trigger at all, but `10 km` needs its no-break space: the digit alone must let it in.
    quick = P._quick("de")
    assert quick is not None
    assert P._apply_once(P._rules("de"), "", "10 km", "", P._triggers("de"), quick) == \
        f"10{NBSP}km"


class _Reference(P._Typesetter):
    """The node walk without the single-node shortcut and without the quick test."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.quick = None

    def inlines(self, nodes: tuple[Inline, ...], before: str = "", after: str = "",
                outer: bool | None = None) -> tuple[Inline, ...]:
        rendered = [self.render(n, outer) for n in nodes]
        out: list[Inline] = []
        tail = before[-P._CONTEXT:]
        for i, node in enumerate(nodes):
            new = self.node(node, tail, P._head(rendered, i + 1, after), outer)
            out.append(new)
            tail = (tail + (rendered[i] if new is node else self.render(new, outer)))[
                -P._CONTEXT:]
        return tuple(out) if any(a is not b for a, b in zip(out, nodes)) else nodes


_long_text = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
_leaf = st.one_of(_long_text.map(Text), _text.map(Code))


def _containers(children: st.SearchStrategy[tuple[Inline, ...]]) -> st.SearchStrategy[Inline]:
    return st.one_of(
        children.map(Emphasis),
        children.map(Strong),
        st.builds(Link, children, st.just("https://example.org/")),
        st.builds(Quoted, children, st.booleans()),
    )


_inline = st.recursive(
    _leaf, lambda kids: _containers(st.lists(kids, min_size=1, max_size=3).map(tuple)),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_inline, min_size=1, max_size=4), _languages)
def test_node_walk_matches_the_reference(nodes: list[Inline], language: str) -> None:
    block = Paragraph(tuple(nodes))
    assert P._Typesetter(language).block(block) == _Reference(language).block(block)


def test_single_child_sees_the_text_before_it() -> None:
    # French spacing of `?` inside emphasis depends on the word before the emphasis.
    block = Paragraph((Text("Vraiment"), Emphasis((Text(" ?"),))))
    assert P._Typesetter("fr").block(block) == Paragraph(
        (Text("Vraiment"), Emphasis((Text(f"{NNBSP}?"),))))


def test_single_child_sees_the_text_after_it() -> None:
    # Before a letter, a straight quote is no closing mark; at the very end it would be.
    block = Paragraph((Emphasis((Text('Hallo"'),)), Text("x")))
    assert P._Typesetter("de").block(block) == block
    alone = P._Typesetter("de").block(Paragraph((Emphasis((Text('Hallo"'),)),)))
    assert alone == Paragraph((Emphasis((Text("Hallo“"),)),))


def _eager(rules: tuple[P._Rule, ...]) -> tuple[P._Rule, ...]:
    """The rules with their patterns compiled up front, as before they were compiled lazily."""
    return tuple(dataclasses.replace(rule, pattern=re.compile(rule.pattern.pattern))
                 for rule in rules)


@settings(max_examples=300, deadline=None)
@given(_text, _text, _text, _languages)
def test_lazily_compiled_rules_give_what_compiled_rules_give(before: str, text: str, after: str,
                                                             language: str) -> None:
    rules, triggers = P._rules(language), P._triggers(language)
    assert P._apply_once(rules, before, text, after, triggers) == \
        P._apply_once(_eager(rules), before, text, after, triggers)


def test_a_rule_compiles_its_pattern_only_when_a_text_reaches_it() -> None:
    rule = P._abbreviation_rule(P._ABBREVIATIONS["de"])  # fresh: _rules() caches its own
    assert rule.pattern._compiled is None
    # No "x. y." in the text: the gate turns it away, the costly pattern stays uncompiled.
    assert P._apply_once((rule,), "", "Im August 2024 startete sie.", "") == \
        "Im August 2024 startete sie."
    assert rule.pattern._compiled is None
    assert P._apply_once((rule,), "", "Das ist z. B. gut.", "") == f"Das ist z.{NNBSP}B. gut."
    assert rule.pattern._compiled is not None
