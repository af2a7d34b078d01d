"""Importing reportlab without compiling the regular expressions octavo's PDFs never use.

Three of reportlab's module-level patterns cost ~45 ms of every PDF conversion's start, because
`re` builds a character map for classes spanning most of Unicode or a long alternation:
`paragraph.uri_pat` (used to split long URLs in reportlab's `uriWasteReduce` mode),
`textsplit.rx` (only used by `cjkwrap`, a plain-text helper) and `PyFontify.matchRE` (only
used to colour Python source). While reportlab is imported, `lazy_patterns()` hands those
out as stand-ins that compile on first use, so they still work if anything ever uses them.
Every other pattern is compiled as usual.

`uri_pat` is used after all, by the hyphenation attempt of every word that does not fit a line
(`_uri_split_pairs`), and compiling it costs ~40 ms. It can only match a string that holds
"://" (a literal of the pattern, without case variants), so its stand-in answers `match`,
`search` and `fullmatch` on strings without "://" with None and compiles only for the others.
`LazyPattern` also serves the PDF writer's own wide-range patterns that only some scripts need,
and the typesetter's punctuation rules, most of which never run on a given article.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

_LAZY_PREFIXES = {
    # prefix: a literal every match contains, or "" for none known
    "(^(?:[a-z0-9\\.\\-\\+]*)://)": "://",  # reportlab.platypus.paragraph.uri_pat
    "([\u2e80-\uffff])": "",  # reportlab.lib.textsplit.rx
    # reportlab.lib.PyFontify.matchRE (~5 ms): colours Python source in PythonPreformatted
    r"#[^\n]*|(^|[^a-zA-Z0-9_.\"'])(": "",
}
_LAZY_PREFIX_TUPLE = tuple(_LAZY_PREFIXES)


class LazyPattern:
    """A compiled pattern, compiled when first used. With `needle` (a literal that any match
    must contain), matching a str without it answers None without compiling."""

    __slots__ = ("_compiled", "_flags", "_needle", "_pattern")

    def __init__(self, pattern: str, flags: Any, needle: str = "") -> None:
        self._pattern, self._flags, self._compiled = pattern, flags, None
        self._needle = needle

    def _real(self) -> re.Pattern[str]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile(self._pattern, self._flags)
        return compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    @property
    def pattern(self) -> str:
        return self._pattern  # without compiling

    def finditer(self, string: str, *more: Any) -> Iterator[re.Match[str]]:
        compiled = self._compiled  # (spelt out: the typesetter's hot loop calls it)
        if compiled is None:
            compiled = self._real()
        return compiled.finditer(string, *more)

    def _cannot_match(self, string: object, more: tuple[object, ...], named: dict[str, Any]
                      ) -> bool:
        # pos/endpos would only narrow the string: left to the real pattern for simplicity.
        return (bool(self._needle) and not more and not named and type(string) is str
                and self._needle not in string)

    def match(self, string: Any, *more: Any, **named: Any) -> re.Match[str] | None:
        if self._cannot_match(string, more, named):
            return None
        return self._real().match(string, *more, **named)

    def search(self, string: Any, *more: Any, **named: Any) -> re.Match[str] | None:
        if self._cannot_match(string, more, named):
            return None
        return self._real().search(string, *more, **named)

    def fullmatch(self, string: Any, *more: Any, **named: Any) -> re.Match[str] | None:
        if self._cannot_match(string, more, named):
            return None
        return self._real().fullmatch(string, *more, **named)


_compile = re.compile


@contextlib.contextmanager
def lazy_patterns() -> Iterator[None]:
    """Within this block (an import of reportlab), the patterns above are compiled lazily."""

    def compile(pattern: Any, flags: Any = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(_LAZY_PREFIX_TUPLE):
            needle = next(n for p, n in _LAZY_PREFIXES.items() if pattern.startswith(p))
            return LazyPattern(pattern, flags, needle)
        return _compile(pattern, flags)

    re.compile = compile  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = _compile
