"""Importing reportlab without compiling the regular expressions octavo's PDFs never use.

Two of reportlab's module-level patterns cost ~40 ms of every PDF conversion's start, because
`re` builds a character map for classes spanning most of Unicode: `paragraph.uri_pat` (only
used to split long URLs in reportlab's `uriWasteReduce` mode) and `textsplit.rx` (only used by
`cjkwrap`, a plain-text helper). While reportlab is imported, `lazy_patterns()` hands those two
out as stand-ins that compile on first use, so they still work if anything ever uses them.
Every other pattern is compiled as usual. `LazyPattern` also serves the PDF writer's own
wide-range patterns that only some scripts need.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

_LAZY_PREFIXES = (
    "(^(?:[a-z0-9\\.\\-\\+]*)://)",  # reportlab.platypus.paragraph.uri_pat
    "([\u2e80-\uffff])",  # reportlab.lib.textsplit.rx
)


class LazyPattern:
    """A compiled pattern, compiled when first used."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str, flags: Any) -> None:
        self._pattern, self._flags, self._compiled = pattern, flags, None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = _compile(self._pattern, self._flags)
        return getattr(compiled, name)


_compile = re.compile


@contextlib.contextmanager
def lazy_patterns() -> Iterator[None]:
    """Within this block (an import of reportlab), the patterns above are compiled lazily."""

    def compile(pattern: Any, flags: Any = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(_LAZY_PREFIXES):
            return LazyPattern(pattern, flags)
        return _compile(pattern, flags)

    re.compile = compile  # type: ignore[assignment]
    try:
        yield
    finally:
        re.compile = _compile
