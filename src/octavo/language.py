"""Language detection: deterministic, offline, with py3langid (langid's model, numpy-backed)."""

from __future__ import annotations

import functools
import re
from typing import Any

from octavo import diagnostics

DEFAULT_LANGUAGE = "en"
_MIN_LETTERS = 20
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


@functools.cache
def _identifier() -> Any:
    from py3langid import langid

    return langid._get_identifier()


def detect(text: str, *, source: str | None = None) -> str:
    """Return a BCP 47 tag for text; falls back to English with a warning when unsure."""
    sample = text[:20000]
    if len(_LETTERS.findall(sample)) < _MIN_LETTERS:
        diagnostics.warn(
            "language-unknown",
            f"too little text to detect the language; assuming {DEFAULT_LANGUAGE!r} (set it with --lang)",
        )
        return DEFAULT_LANGUAGE
    tag, _score = _identifier().classify(sample)
    return str(tag)
