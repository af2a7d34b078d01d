"""Hyphenation by language: pyphen (LibreOffice patterns) dictionaries, cached per process and on disk.

`hyphenator(tag)` returns a callable for reportlab's `ParagraphStyle.hyphenationLang`: it takes a
word and yields (head, tail) break pairs, longest head first. pyphen parses a dictionary's .dic
file on every process start (the German one takes ~1 s), which would dominate a single
conversion. So the parsed patterns are cached once per user in the XDG cache folder (marshal,
keyed by the .dic file's size and time, written atomically) and load in ~20 ms on later runs;
when the cache cannot be read or written, the dictionary is parsed as usual. Dictionaries with
nonstandard breaks ("ff=f", which pyphen marks on its positions) always take pyphen's own path.

The patterns allow some bad breaks: "Mi-li-tä-r-be-fehls-ha-ber" permits "Militä-rbefehlshaber",
a break that strands a lone consonant at the start of the next line. Breaks just before a
one-consonant "syllable" are dropped, and at least 2 letters stay before and 3 after a break
(2 in German, as Duden and babel's ngerman allow).
"""

from __future__ import annotations

import functools
import marshal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from octavo import cache

Hyphenator = Callable[[str], Iterator[tuple[str, str]]]

LEFT_MIN = 2
"""Letters that must stay on the line before a break."""
RIGHT_MIN = 3
"""Letters that must move to the next line (TeX's English default; stricter than pyphen's 2)."""

# Per-language minimums where the convention differs from (LEFT_MIN, RIGHT_MIN): German
# typesetting (babel's ngerman, Duden) allows two letters on either side ("Tie-fe").
_MINIMUMS: dict[str, tuple[int, int]] = {"de": (2, 2), "nl": (2, 2), "sv": (2, 2)}

_PREFIX_DEPTH = 6
"""Longest pattern prefix kept in Patterns' prefix table (see Patterns._prefix_table)."""

_CACHE_FORMAT = 2
"""Bumped when the cached file's layout changes (old files are then ignored, and removed when
the new one is written). 2: equal values are one object, which marshal stores once and loads
as a reference (German: ~2,500 distinct values for 66,000 patterns), halving the load (~30 ms
to ~15 ms of every German PDF's start)."""


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


class Patterns:
    """A dictionary's patterns with pyphen's algorithm: positions(word) as pyphen.Pyphen gives.

    `table` maps a pattern's letters to bytes: its first byte is the offset of the first
    non-zero value, the rest are the values (the same data as pyphen's HyphDict.patterns).
    """

    def __init__(self, table: dict[str, bytes], left: int, right: int) -> None:
        self.table = table
        self.maxlen = max(map(len, table), default=1)
        self.left, self.right = left, right
        self._cache: dict[str, list[int]] = {}
        self._trie: dict[str, tuple[tuple[int, int], ...]] | None = None
        self._ones: dict[str, tuple[tuple[int, int], ...]] | None = None  # one-letter patterns
        # Words to look up before building the prefix table, about where it has paid for
        # itself (ski rental: at most twice the best cost whatever follows). Measured on
        # news text: building takes ~1 us a pattern (German: 66,000 patterns, ~65 ms) and
        # saves ~9-20 us a word (German: ~14 us instead of ~34 us), so one word for every
        # 10-20 patterns; the earlier end, as a batch goes on to use the table. A short
        # article does not build it, a batch soon does.
        self._build_after = len(table) // 20

    def positions(self, word: str) -> list[int]:
        """Offsets where the word may break (pyphen's HyphDict.positions, then left/right)."""
        lower = word.lower()
        points = self._cache.get(lower)
        if points is None:
            if self._trie is not None:
                points = self._points_pruned(lower)
            else:
                points = self._points(lower)
                self._build_after -= 1
                if self._build_after <= 0:
                    self._trie = self._prefix_table()
            self._cache[lower] = points
        right = len(word) - self.right
        return [i for i in points if self.left <= i <= right]

    def _points(self, word: str) -> list[int]:
        pointed = f".{word}."
        size = len(pointed)
        maxlen = self.maxlen
        refs = [0] * (size + 1 + maxlen)  # room past the end, as pyphen's slices allow
        get = self.table.get
        for i in range(size - 1):
            for j in range(i + 1, min(i + maxlen, size) + 1):
                pattern = get(pointed[i:j])
                if pattern is None:
                    continue
                at = i + pattern[0]
                for k, value in enumerate(pattern[1:], at):
                    if value > refs[k]:  # noqa: PLR1730 (max() is slower in this loop)
                        refs[k] = value
        return [i - 1 for i, value in enumerate(refs[:size + 1]) if value % 2]

    def _prefix_table(self) -> dict[str, tuple[tuple[int, int], ...]]:
        """Every pattern, and every prefix of one up to _PREFIX_DEPTH letters: a pattern maps
        to its non-zero values as (offset, value), a mere prefix to () (so a lookup's None
        means "missing" with no sentinel). A substring of up to _PREFIX_DEPTH letters missing
        here starts no pattern, so no longer substring from the same start can match either.

        Deeper prefixes are left out: German's 66,000 patterns, mostly of 9-20 letters, have
        277,000 prefixes in all (~180 ms to add) but only 96,000 up to 6 letters (~60 ms), and
        a scan rarely gets past 6 letters (~5% of starts in German news text), so it scans
        as fast. A pattern's prefixes are added longest first until one is there already (its
        own prefixes came with it), and equal values (a few thousand kinds) are converted once."""
        trie: dict[str, tuple[tuple[int, int], ...]] = {}
        nothing: tuple[tuple[int, int], ...] = ()
        depth = _PREFIX_DEPTH
        for key in self.table:
            for n in range(min(len(key) - 1, depth), 0, -1):
                head = key[:n]
                if head in trie:
                    break
                trie[head] = nothing
        converted: dict[bytes, tuple[tuple[int, int], ...]] = {}
        for key, pattern in self.table.items():
            found = converted.get(pattern)
            if found is None:
                start = pattern[0]
                found = converted[pattern] = tuple(
                    (start + n, value) for n, value in enumerate(pattern[1:]) if value)
            trie[key] = found
        return trie

    def _points_pruned(self, word: str) -> list[int]:
        """_points, stopping each start's scan at the first substring of up to _PREFIX_DEPTH
        letters that begins no pattern (a longer one missing from the table proves nothing)."""
        assert self._trie is not None
        pointed = f".{word}."
        size = len(pointed)
        # A pattern found at pointed[i:j] has values at offsets 0..j-i, so k <= j <= size.
        refs = [0] * (size + 1)
        get = self._trie.get
        ones = self._ones
        if ones is None:
            ones = self._ones = {key: found for key, found in self._trie.items()
                                 if len(key) == 1 and found}
        depth = _PREFIX_DEPTH
        for i in range(size - 1):
            if ones:  # one-letter patterns (rare): the scan below starts at two letters
                pattern = ones.get(pointed[i])
                if pattern:
                    for k, value in pattern:
                        k += i
                        if value > refs[k]:  # noqa: PLR1730
                            refs[k] = value
            known = i + depth  # where a missing substring stops being proof of no pattern
            # From two letters (a letter missing here has no two-letter entry either) to the
            # word's end: past self.maxlen are mere misses, and rare (few scans get past the
            # prefix depth), while a min() for each start costs more in all.
            for j in range(i + 2, size + 1):
                pattern = get(pointed[i:j])
                if pattern is None:
                    if j <= known:
                        break
                    continue
                if pattern:
                    for k, value in pattern:
                        k += i
                        if value > refs[k]:  # noqa: PLR1730
                            refs[k] = value
        return [i - 1 for i, value in enumerate(refs) if value & 1]


def _cache_prefix(path: Path) -> str:
    return f"{path.stem}-v{_CACHE_FORMAT}-"


def _cache_file(path: Path) -> Path:
    """Keyed by the .dic file's fingerprint: an upgraded dictionary is parsed anew."""
    return cache.entry(_cache_prefix(path), path, ".marshal")


def _table_from_pyphen(hd: Any) -> dict[str, bytes] | None:
    """pyphen's parsed patterns as a Patterns table; None when some carry nonstandard breaks."""
    table: dict[str, bytes] = {}
    for key, (start, values) in hd.patterns.items():
        if any(type(v) is not int for v in values) or not 0 <= start < 256:
            return None  # pyphen.DataInt: a nonstandard break our algorithm does not model
        table[key] = bytes((start, *values))
    return table


def _write_cache(target: Path, table: dict[str, bytes], prefix: str) -> None:
    """Write the table, each distinct value once; the file appears whole or not at all (a
    racing process may win)."""
    shared: dict[bytes, bytes] = {}
    table = {key: shared.setdefault(value, value) for key, value in table.items()}
    cache.write_file(target, marshal.dumps(table), prefix)


def _read_cache(target: Path) -> dict[str, bytes] | None:
    try:
        with open(target, "rb") as src:
            data = src.read()  # marshal.load on the file reads object by object: 10x slower
        table = marshal.loads(data)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(table, dict) or not table:
        return None
    key, value = next(iter(table.items()))
    if not isinstance(key, str) or not isinstance(value, bytes):
        return None  # not a file we wrote
    return table


@functools.cache
def _pyphen(name: str) -> Any:
    """A loaded dictionary: Patterns from the disk cache where it can, else pyphen.Pyphen."""
    import pyphen

    left, right = minimums(name)
    path = pyphen.LANGUAGES.get(name)
    target = None
    if isinstance(path, Path):
        try:
            target = _cache_file(path)
        except OSError:
            target = None
        if target is not None:
            table = _read_cache(target)
            if table is not None:
                return Patterns(table, left, right)
    dic = pyphen.Pyphen(lang=name, left=left, right=right)
    if target is not None:
        table = _table_from_pyphen(dic.hd)
        if table is not None:
            try:
                # Every format's entries of this dictionary are pruned: "<stem>-v".
                _write_cache(target, table, _cache_prefix(path).rsplit("-v", 1)[0] + "-v")
            except OSError:
                pass  # a read-only or full cache folder: parse again next time
            return Patterns(table, left, right)
    return dic


def _load(name: str) -> Any:
    with _lock:  # loading is slow; two threads must not both load the same dictionary
        return _pyphen(name)


def hyphenator(tag: str) -> Hyphenator | None:
    """A break-pair generator for the language, or None when pyphen has no dictionary for it."""
    name = dictionary_name(tag)
    if name is None:
        return None
    return _make_hyphenator(_load(name))


def positions(tag: str) -> Callable[[str], list[int]] | None:
    """A function giving a word's allowed break offsets (filtered), or None without a dictionary."""
    name = dictionary_name(tag)
    if name is None:
        return None
    return _make_positions(_load(name))


@functools.cache
def _make_positions(dic: Any) -> Callable[[str], list[int]]:
    raw: Callable[[str], list[int]] = dic.positions
    left, right = dic.left, dic.right

    @functools.lru_cache(maxsize=20000)
    def allowed(word: str) -> list[int]:
        return good_positions(word, raw(word), left, right)

    return allowed


@functools.cache
def _make_hyphenator(dic: Any) -> Hyphenator:
    positions: Callable[[str], list[int]] = dic.positions
    left, right = dic.left, dic.right

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
    dic = _load(name)
    points = good_positions(word, dic.positions(word), dic.left, dic.right)
    out, last = [], 0
    for pos in points:
        out.append(word[last:pos])
        last = pos
    out.append(word[last:])
    return mark.join(out)
