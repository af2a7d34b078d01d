"""Shared inline parsing for readers: quotations in running text become `Quoted` nodes.

Straight quotes ("…", '…') and the typographic pairs of many languages („…“ “…” «…» ‚…‘ ‘…’ 「…」) are
recognised, so each writer can print the marks of the article's own language.
"""

from __future__ import annotations

import re

from octavo.model import Inline, Quoted, Text, normalize_inlines

# opening mark -> closing marks it may pair with; True = double quote
_PAIRS: dict[str, tuple[str, bool]] = {
    "„": ("“”", True),
    "“": ("”", True),
    "«": ("»", True),
    "»": ("«", True),  # Danish/German-style reversed guillemets
    "「": ("」", True),
    "『": ("』", False),
    "‚": ("‘’", False),
    "‘": ("’", False),
    "‹": ("›", False),
}
_SPACE_INSIDE = "\u00a0\u202f\u2009 "
# Every character that can open or close a quotation: the scan jumps from one to the next.
_MARKS = re.compile("[\"'" + re.escape("".join(_PAIRS) + "".join(c for v, _ in _PAIRS.values()
                                                                   for c in v)) + "]")
_WORD = re.compile(r"\w", re.UNICODE)
# Chinese and Japanese run words together without spaces ("シャトル"エンデバー"が"): next to
# these a straight quote is at a word boundary.
# (Ranges compared directly: as a regex class these took ~4 ms to compile at every start.)
_UNSPACED = ((0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
             (0xFF00, 0xFF65))


def _unspaced(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _UNSPACED)


def _opens(text: str, i: int) -> bool:
    """A straight quote opens after start, space, bracket or dash, and before a non-space."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/" or _unspaced(before)) \
        and not after.isspace()


def _closes(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not before.isspace() and (not _WORD.match(after) or _unspaced(after))


MAX_DEPTH = 6
"""Quotations nested deeper than this are left as text (real prose nests two or three)."""


class _Budget(Exception):
    pass


def parse_quotes(text: str) -> tuple[Inline, ...]:
    """Split text into Text and Quoted nodes; unbalanced marks stay as they are.

    A failed search for a closing mark rescans the text, so hostile input (thousands of
    unbalanced quotes in one paragraph) could take quadratic time: a step budget linear in
    the length bounds the work, and past it the paragraph stays plain text.
    """
    if _MARKS.search(text) is None:  # most paragraphs: what _parse would return, found in C
        return (Text(text),) if text else ()
    budget = [4 * len(text) + 2000]
    try:
        nodes, _end = _parse(text, 0, None, 0, budget)
    except _Budget:
        return normalize_inlines((Text(text),))
    return normalize_inlines(nodes)


def _parse(
    text: str, i: int, closer: str | None, depth: int, budget: list[int]
) -> tuple[list[Inline], int]:
    """Parse from i until `closer` (a set of closing chars) is met; returns nodes and the index after it."""
    out: list[Inline] = []
    buf: list[str] = []
    n = len(text)
    while i < n:
        budget[0] -= 1
        if budget[0] < 0:
            raise _Budget
        ch = text[i]
        if not _MARKS.match(ch):
            match = _MARKS.search(text, i)
            end = match.start() if match else n
            buf.append(text[i:end])
            budget[0] -= end - i - 1  # the same budget as one step per character
            i = end
            continue
        if closer is not None and ch in closer and (ch not in "\"'" or _closes(text, i)):
            out.append(Text("".join(buf)))
            return out, i + 1
        opening: tuple[str, bool] | None = None
        if ch == '"' and _opens(text, i):
            opening = ('"', True)
        elif ch == "'" and _opens(text, i):
            opening = ("'’", False)
        elif ch in _PAIRS and not (ch == "‘" and closer and "’" in closer) and not (
            ch == "“" and closer and "“" in closer
        ):
            opening = _PAIRS[ch]
        if opening is not None and depth < MAX_DEPTH:
            inner, j = _parse(text, i + 1, opening[0], depth + 1, budget)
            if j > 0:
                out.append(Text("".join(buf)))
                buf = []
                out.append(Quoted(_trim(normalize_inlines(inner)), double=opening[1]))
                i = j
                continue
        buf.append(ch)
        i += 1
    if closer is not None:
        return [], -1  # no closing mark: the caller keeps the opening mark as text
    out.append(Text("".join(buf)))
    return out, i


def _trim(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Drop the spaces French-style marks put inside («\u202fJa\u202f»): writers add their own."""
    if nodes and isinstance(nodes[0], Text):
        nodes = (Text(nodes[0].value.lstrip(_SPACE_INSIDE)), *nodes[1:])
    if nodes and isinstance(nodes[-1], Text):
        nodes = (*nodes[:-1], Text(nodes[-1].value.rstrip(_SPACE_INSIDE)))
    return normalize_inlines(nodes)
