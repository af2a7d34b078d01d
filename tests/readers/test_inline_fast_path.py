"""parse_quotes returns text without any quotation mark at once: the same as the full parse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from octavo.model import Text, normalize_inlines
from octavo.readers import _inline

_PIECES = ["", " ", "a", "Ж", "9", "-", ".", "»", "«", '"', "'", "’", "„", "“", "」", "\u00a0",
           "word", "l'", "(x)"]


def _full_parse(text: str) -> tuple:
    nodes, _end = _inline._parse(text, 0, None, 0, [4 * len(text) + 2000])
    return normalize_inlines(nodes)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_same_as_the_full_parse(text: str) -> None:
    assert _inline.parse_quotes(text) == _full_parse(text)


def test_text_without_marks_is_one_run() -> None:
    assert _inline.parse_quotes("") == ()
    assert _inline.parse_quotes("Nothing quoted here.") == (Text("Nothing quoted here."),)
