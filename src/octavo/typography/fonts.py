"""Font registry for the PDF writer: bundled TTFs, registered with reportlab once, plus fallback.

reportlab has no font fallback: a character the current font lacks is drawn as an empty box,
silently. So every text run is split by which font of a *fallback chain* covers each character
(coverage is read from the font's cmap), and characters no font covers are reported.

The chain is open: a later font package (CJK, Arabic) calls `add_fallback()` with a name and a
path, and every chain ends with those fonts. Fonts are parsed and registered lazily, the first
time a character needs them, so a Latin-only document never pays for the others.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

SERIF = "DejaVuSerif"
SERIF_BOLD = "DejaVuSerif-Bold"
SERIF_ITALIC = "DejaVuSerif-Italic"
SERIF_BOLD_ITALIC = "DejaVuSerif-BoldItalic"
SANS = "DejaVuSans"
SANS_BOLD = "DejaVuSans-Bold"
MONO = "DejaVuSansMono"

_BUNDLED: dict[str, str] = {
    name: f"{name}.ttf"
    for name in (SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC, SANS, SANS_BOLD, MONO)
}

# The faces tried, in order, for each typographic role before the shared fallbacks.
# Related faces come first so a missing italic glyph falls back to the upright serif, not to sans.
_ROLE_CHAINS: dict[str, tuple[str, ...]] = {
    "serif": (SERIF, SANS, MONO),
    "serif-bold": (SERIF_BOLD, SANS_BOLD, SERIF, SANS, MONO),
    "serif-italic": (SERIF_ITALIC, SERIF, SANS, MONO),
    "serif-bolditalic": (SERIF_BOLD_ITALIC, SERIF_BOLD, SANS_BOLD, SERIF, SANS, MONO),
    "sans": (SANS, SERIF, MONO),
    "sans-bold": (SANS_BOLD, SANS, SERIF_BOLD, SERIF, MONO),
    "mono": (MONO, SANS, SERIF),
}
ROLES = tuple(_ROLE_CHAINS)


@dataclass(slots=True)
class FontSource:
    """A font that can join a chain: a reportlab name and where its TTF lives."""

    name: str
    locate: Callable[[], Path | bytes]
    """Returns a file path, or the font's bytes (for fonts inside zipped packages)."""
    subfont_index: int = 0
    """For .ttc collections: which face to use."""
    _face: Any = field(default=None, repr=False)


_lock = threading.RLock()
_sources: dict[str, FontSource] = {}
_fallbacks: list[str] = []
"""Extra fonts appended to every chain, in the order they were added."""


def _bundled_locator(filename: str) -> Callable[[], Path | bytes]:
    def locate() -> Path | bytes:
        ref = resources.files("octavo").joinpath("fonts", filename)
        if isinstance(ref, Path):
            return ref
        return ref.read_bytes()  # zipped install: reportlab also takes the bytes

    return locate


for _name, _file in _BUNDLED.items():
    _sources[_name] = FontSource(_name, _bundled_locator(_file))


def add_fallback(name: str, path: Path | str | Callable[[], Path | bytes], *,
                 subfont_index: int = 0) -> None:
    """Append a font to every fallback chain (idempotent for the same name).

    Only TrueType outlines work with reportlab (CFF-based .otf/.ttc raise when registered).
    """
    locate = path if callable(path) else (lambda p=Path(path): p)
    with _lock:
        if name not in _sources:
            _sources[name] = FontSource(name, locate, subfont_index)
        if name not in _fallbacks and name not in _BUNDLED:
            _fallbacks.append(name)


def chain(role: str) -> tuple[str, ...]:
    """Font names to try, best first, for a role such as "serif-italic"."""
    try:
        base = _ROLE_CHAINS[role]
    except KeyError:
        raise ValueError(f"unknown font role {role!r}; known: {', '.join(ROLES)}") from None
    return base + tuple(_fallbacks)


def primary(role: str) -> str:
    return _ROLE_CHAINS[role][0]


def register(name: str) -> Any:
    """Register a font with reportlab once per process; returns its TTFont."""
    source = _sources[name]
    if source._face is not None:
        return source._face
    with _lock:
        if source._face is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            located = source.locate()
            if isinstance(located, bytes):
                import io

                target: Any = io.BytesIO(located)
            else:
                target = str(located)
            font = TTFont(name, target, subfontIndex=source.subfont_index)
            pdfmetrics.registerFont(font)
            source._face = font
    return source._face


def coverage(name: str) -> Container[int]:
    """The code points a font maps to a glyph (its cmap), registering the font if needed."""
    return register(name).face.charToGlyph  # type: ignore[no-any-return]


def _zero_width(ch: str) -> bool:
    # Format controls (ZWJ, LRM, soft hyphen...) are invisible: never worth switching fonts for.
    return unicodedata.category(ch) in ("Cf", "Cc", "Mn", "Me") or ch in "\n\t"


def split_runs(text: str, fonts: Sequence[str]) -> list[tuple[str | None, str]]:
    """Split text into (font name, text) runs: each character in the first font that has it.

    Characters no font covers come back in runs with font None, so the caller can warn.
    Invisible characters (controls, combining marks, spaces the current font has) stay in the
    current run instead of forcing a switch; invisible characters no font has are dropped.
    """
    first = coverage(fonts[0])
    if all(ord(ch) in first for ch in text):  # the common case: one run, no lookups per font
        return [(fonts[0], text)] if text else []
    runs: list[tuple[str | None, str]] = []
    current: str | None = fonts[0]
    buf: list[str] = []
    for ch in text:
        cp = ord(ch)
        if ch.isspace() or _zero_width(ch):
            if current is not None and cp in coverage(current):
                buf.append(ch)
                continue
            if ch.isspace() and cp in first:
                chosen: str | None = fonts[0]
            elif _zero_width(ch) and not ch.isspace():
                found = next((f for f in fonts if cp in coverage(f)), None)
                if found is None:
                    continue  # an invisible control no font draws: drop it, no box, no warning
                chosen = found
            else:
                chosen = next((f for f in fonts if cp in coverage(f)), None)
        else:
            chosen = next((f for f in fonts if cp in coverage(f)), None)
        if chosen != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = chosen
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return runs


def describe(chars: Sequence[str], limit: int = 8) -> str:
    """A readable list of characters: "U+4E2D 中 (CJK UNIFIED IDEOGRAPH-4E2D), ..."."""
    unique = sorted(set(chars))
    parts = [f"U+{ord(ch):04X} {ch} ({unicodedata.name(ch, 'unnamed character')})"
             for ch in unique[:limit]]
    if len(unique) > limit:
        parts.append(f"and {len(unique) - limit} more")
    return ", ".join(parts)


def scripts(chars: Sequence[str]) -> list[str]:
    """Rough script names from Unicode character names ("CJK", "ARABIC", "DEVANAGARI")."""
    found: dict[str, None] = {}
    for ch in sorted(set(chars)):
        name = unicodedata.name(ch, "")
        if name:
            found[name.split()[0]] = None
    return list(found)
