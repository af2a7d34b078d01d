"""Hyphenation by language: pyphen (LibreOffice patterns) dictionaries, cached per process.

`hyphenator(tag)` returns a callable for reportlab's `ParagraphStyle.hyphenationLang`: it takes a
word and yields (head, tail) break pairs, longest head first. Loading a dictionary is slow (the
German one takes ~300 ms), so each is loaded once per process.

The patterns allow some bad breaks: "Mi-li-tä-r-be-fehls-ha-ber" permits "Militä-rbefehlshaber",
a break that strands a lone consonant at the start of the next line. Breaks just before a
one-consonant "syllable" are dropped, and at least 2 letters stay before and 3 after a break
(2 in German, as Duden and babel's ngerman allow).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator

Hyphenator = Callable[[str], Iterator[tuple[str, str]]]

LEFT_MIN = 2
"""Letters that must stay on the line before a break."""
RIGHT_MIN = 3
"""Letters that must move to the next line (TeX's English default; stricter than pyphen's 2)."""

# Per-language minimums where the convention differs from (LEFT_MIN, RIGHT_MIN): German
# typesetting (babel's ngerman, Duden) allows two letters on either side ("Tie-fe").
_MINIMUMS: dict[str, tuple[int, int]] = {"de": (2, 2), "nl": (2, 2), "sv": (2, 2)}


def minimums(name: str) -> tuple[int, int]:
    """(left, right) minimum letters around a break for a pyphen dictionary name."""
    return _MINIMUMS.get(name.split("_")[0].lower(), (LEFT_MIN, RIGHT_MIN))

# Vowels of Latin, Greek and Cyrillic alphabets (lower case): a one-letter segment made of
# anything else is a stray consonant that must not begin the next line.
_VOWELS = frozenset(
    "aeiouyäöüàáâãåæèéêëìíîïòóôõøùúûýÿœāēīōūăąęėįųůőűěǎǐǒǔ"
    "αεηιουωάέήίόύώϊϋΐΰ"
    "аеёиоуыэюяіїєў"
)

_lock = threading.Lock()


def dictionary_name(tag: str) -> str | None:
    """The pyphen dictionary for a BCP 47 tag ("de-AT" -> "de_AT", "de" -> "de"), or None."""
    import pyphen

    candidate = tag.replace("-", "_")
    name = pyphen.language_fallback(candidate)
    if name is None:
        # "sr-Latn-RS" -> try shorter tags; language_fallback only strips from the right too,
        # but mixed case ("pt-br") needs the region upper-cased.
        parts = candidate.split("_")
        if len(parts) > 1:
            fixed = [parts[0].lower(), *(p.upper() for p in parts[1:])]
            name = pyphen.language_fallback("_".join(fixed))
    return name


@functools.cache
def _pyphen(name: str) -> object:
    import pyphen

    left, right = minimums(name)
    return pyphen.Pyphen(lang=name, left=left, right=right)


def hyphenator(tag: str) -> Hyphenator | None:
    """A break-pair generator for the language, or None when pyphen has no dictionary for it."""
    name = dictionary_name(tag)
    if name is None:
        return None
    with _lock:  # loading is slow; two threads must not both load the same dictionary
        dic = _pyphen(name)
    return _make_hyphenator(dic)


def positions(tag: str) -> Callable[[str], list[int]] | None:
    """A function giving a word's allowed break offsets (filtered), or None without a dictionary."""
    name = dictionary_name(tag)
    if name is None:
        return None
    with _lock:
        dic = _pyphen(name)
    return _make_positions(dic)


@functools.cache
def _make_positions(dic: object) -> Callable[[str], list[int]]:
    raw: Callable[[str], list[int]] = dic.positions  # type: ignore[attr-defined]
    left, right = dic.left, dic.right  # type: ignore[attr-defined]

    @functools.lru_cache(maxsize=20000)
    def allowed(word: str) -> list[int]:
        return good_positions(word, raw(word), left, right)

    return allowed


@functools.cache
def _make_hyphenator(dic: object) -> Hyphenator:
    positions: Callable[[str], list[int]] = dic.positions  # type: ignore[attr-defined]
    left, right = dic.left, dic.right  # type: ignore[attr-defined]

    def pairs(word: str) -> Iterator[tuple[str, str]]:
        for pos in reversed(good_positions(word, positions(word), left, right)):
            yield word[:pos], word[pos:]

    return pairs


def good_positions(word: str, points: list[int], left: int = LEFT_MIN,
                   right: int = RIGHT_MIN) -> list[int]:
    """Drop breaks too near the word's ends, or that would start a line with a lone consonant."""
    allowed = set(points)
    keep: list[int] = []
    for pos in sorted(allowed):
        if pos < left or len(word) - pos < right:
            continue
        if pos + 1 in allowed and word[pos].lower() not in _VOWELS:
            continue  # "Militä-r|befehls": the r belongs with the head, not the tail
        keep.append(pos)
    return keep


def hyphenate(word: str, tag: str, mark: str = "-") -> str:
    """The word with every allowed break shown (for tests and debugging)."""
    name = dictionary_name(tag)
    if name is None:
        return word
    with _lock:
        dic = _pyphen(name)
    raw = dic.positions(word)  # type: ignore[attr-defined]
    points = good_positions(word, raw, dic.left, dic.right)  # type: ignore[attr-defined]
    out, last = [], 0
    for pos in points:
        out.append(word[last:pos])
        last = pos
    out.append(word[last:])
    return mark.join(out)
