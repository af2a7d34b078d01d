"""The text reader's pre-checks skip regexes and strptime only where they could not match.

The references are the checks as they were: every line tried against both block patterns,
every date line given to strptime.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from octavo.model import Block, Heading, Paragraph, SectionBreak
from octavo.readers import text
from octavo.readers._inline import parse_quotes


def _reference_blocks(lines: list[str]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    for line in lines:
        heading = text._WIKI_HEADING.match(line)
        if heading:
            level = min(len(heading.group(1)), 6)
            blocks.append(Heading(level, parse_quotes(heading.group(2))))
        elif text._BREAK.match(line):
            blocks.append(SectionBreak())
        else:
            blocks.append(Paragraph(parse_quotes(line)))
    return tuple(blocks)


def _reference_date(line: str) -> date | None:
    value = line.strip()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        pass
    m = text._EN_DATE.match(value)
    if m:
        try:
            return date(int(m.group(3)), text._MONTHS[m.group(1).lower()], int(m.group(2)))
        except ValueError:
            return None
    return None


_LINE_PIECES = ["", " ", "\u00a0", "\u2003", "\t", "=", "==", "===", "*", "-", "#", "* * *",
                "- - -", "Title", "a", "9", "'", '"', "«", "»"]
_DATE_PIECES = ["2024", "1999", "٢٠٢٤", "0", "1", "12", "31", " 1", "-", "--", " ", "\t",
                "x", "March", "Monday, ", ",", "0000", "13"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINE_PIECES), max_size=6).map("".join), max_size=6))
@example(["== Heading ==", "***", "* * *", "---", "#", " #", "\u00a0***", "===", "plain"])
def test_blocks_are_the_reference_s(lines: list[str]) -> None:
    assert text._blocks(lines) == _reference_blocks(lines)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PIECES), max_size=6).map("".join) | st.text(max_size=14))
@example("2024-03-05")
@example("2024-3-5")
@example(" 2024-03-05 ")
@example("2024-03- 5")
@example("٢٠٢٤-03-05")
@example("2024-02-30")
@example("March 5, 2024")
def test_dates_are_the_reference_s(line: str) -> None:
    assert text._parse_date(line) == _reference_date(line)
