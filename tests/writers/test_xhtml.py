"""XHTML content documents: heading levels follow the document's outline without jumps."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from octavo.model import Text
from octavo.writers._xhtml import Renderer


def html_levels(levels: list[int]) -> list[int]:
    renderer = Renderer(language="en", image_src=lambda image: None)
    made = [renderer.heading(level, (Text(f"Heading {i}"),)) for i, level in enumerate(levels)]
    return [int(re.match(r"<h(\d)", html).group(1)) for html in made]


def test_levels_follow_on_from_the_title_whatever_the_source_used() -> None:
    assert html_levels([2, 3, 3, 2]) == [2, 3, 3, 2]
    assert html_levels([1, 3, 5]) == [2, 3, 4]  # gaps closed
    # A post that opens with ### and later uses ##: no h1 -> h3 jump (Ace: heading-order).
    assert html_levels([3, 3, 3, 2]) == [2, 2, 2, 2]
    assert html_levels([3, 3, 2, 4, 1, 3]) == [2, 2, 2, 3, 2, 3]
    assert html_levels([1, 2, 3, 4, 5, 6, 6]) == [2, 3, 4, 5, 6, 6, 6]  # h6 is the deepest


def test_only_h2_headings_go_into_the_contents() -> None:
    renderer = Renderer(language="en", image_src=lambda image: None)
    for level, label in [(3, "First"), (4, "Inner"), (3, "Second")]:
        renderer.heading(level, (Text(label),))
    assert [h.label for h in renderer.headings] == ["First", "Second"]


@given(st.lists(st.integers(min_value=1, max_value=6), max_size=30))
def test_no_heading_is_more_than_one_level_below_the_one_before(levels: list[int]) -> None:
    made = html_levels(levels)
    previous = 1  # the article's title
    for level in made:
        assert 2 <= level <= min(6, previous + 1)
        previous = level
