"""Font registry for the PDF writer: bundled TTFs, registered with reportlab once, plus fallback.

reportlab has no font fallback: a character the current font lacks is drawn as an empty box,
silently. So every text run is split by which font of a *fallback chain* covers each character
(coverage is read from the font's cmap), and characters no font covers are reported.

The chain is open: `add_fallback()` appends a font (a name and a path) to every chain. The
package bundles fonts for the scripts DejaVu lacks: Droid Sans Fallback (Chinese, Japanese),
a Hangul subset of Noto Serif CJK KR (Korean), Noto Naskh Arabic, Noto Serif Hebrew, Noto Serif
Devanagari and Noto Serif Thai. A fallback may claim code point ranges it is *preferred* for:
DejaVu Sans has Arabic and Hebrew letters of its own, but the Noto faces are made for running
text, so in those ranges they win over the role's faces. Fonts are parsed and registered
lazily, the first time a character needs them, so a Latin-only document never pays for the
others (and reportlab embeds only the glyphs used, as a subset).
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
_preferred: list[tuple[int, int, str]] = []
"""(first, last code point, font): ranges where a fallback comes before the role's faces."""
_lowest_preferred = 0x110000
"""Text entirely below this code point never consults the preferred ranges (fast path)."""


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
                 subfont_index: int = 0, prefer: Sequence[tuple[int, int]] = ()) -> None:
    """Append a font to every fallback chain (idempotent for the same name).

    `prefer` lists (first, last) code point ranges where this font is tried before the role's
    own faces (a script's text face beats a sans that merely has the letters).
    Only TrueType outlines work with reportlab (CFF-based .otf/.ttc raise when registered).
    """
    global _lowest_preferred
    locate = path if callable(path) else (lambda p=Path(path): p)
    with _lock:
        if name not in _sources:
            _sources[name] = FontSource(name, locate, subfont_index)
        if name not in _fallbacks and name not in _BUNDLED:
            _fallbacks.append(name)
        for first, last in prefer:
            if (first, last, name) not in _preferred:
                _preferred.append((first, last, name))
                _lowest_preferred = min(_lowest_preferred, first)


def preferred(cp: int) -> str | None:
    """The fallback font preferred for a code point, if one claims it."""
    if cp < _lowest_preferred:
        return None
    for first, last, name in _preferred:
        if first <= cp <= last:
            return name
    return None


def is_script_font(name: str | None) -> bool:
    """Whether a font is a bundled or added fallback (not one of the DejaVu role faces)."""
    return name is not None and name not in _BUNDLED


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
            font = None
            if isinstance(located, bytes):
                import io

                target: Any = io.BytesIO(located)
            else:
                target = str(located)
                font = _cached_font(name, located, source.subfont_index)
            if font is None:
                font = TTFont(name, target, subfontIndex=source.subfont_index)
                _mend_trailing_advances(font.face)  # a cached face is kept mended
                if not isinstance(located, bytes):
                    _cache_font(font, located, source.subfont_index)
            pdfmetrics.registerFont(font)
            source._face = font
    return source._face


def _mend_trailing_advances(face: Any) -> None:
    """Give the glyphs after the font's last full horizontal metric their advance in font units.

    The hmtx table may list fewer advances than glyphs; the rest share the last one. reportlab
    (4.x) records that shared advance already scaled to 1/1000 em, and its subsets embed it as
    font units: the embedded advances then disagree with /Widths (PDF/A-2 rule 6.2.11.5-1, and
    wrong spacing in a viewer that trusts the font). Of the bundled fonts this hit DejaVu Sans
    Mono (4 advances for 3,377 glyphs): every PDF with code failed veraPDF."""
    import struct

    hhea = face.table.get("hhea")
    if hhea is None:
        return
    (count,) = struct.unpack_from(">H", face._ttf_data, hhea["offset"] + 34)  # numberOfHMetrics
    metrics = face.hmetrics
    if 0 < count < len(metrics):
        advance = metrics[count - 1][0]
        face.hmetrics = [*metrics[:count], *((advance, lsb) for _aw, lsb in metrics[count:])]


# --- parsed fonts, cached on disk -----------------------------------------------------------
# reportlab parses a TrueType file's tables (cmap, hmtx...) on every process start: ~15-40 ms
# a face, more than the rest of a one-page PDF's layout. The parsed tables are kept once per
# user (octavo.cache: marshal, keyed by the file's fingerprint and the reportlab version,
# written atomically); the font program itself is read from its file as before.
# Anything unexpected (a cache that cannot be read or written, another reportlab) parses.

_FACE_SKIP = frozenset(("_ttf_data", "_pdfScale"))
_CACHE_FORMAT = 2  # 2: trailing advances mended (_mend_trailing_advances)


def _face_cache_family(path: Path, subfont_index: int) -> str:
    """What every cached entry of a face starts with, whatever its reportlab or format."""
    return f"font-{path.stem}-{subfont_index}-rl"


def _face_cache_prefix(path: Path, subfont_index: int) -> str:
    import reportlab

    return f"{_face_cache_family(path, subfont_index)}{reportlab.Version}-v{_CACHE_FORMAT}-"


def _face_cache_file(path: Path, subfont_index: int) -> Path:
    """Keyed by the font file's fingerprint and the reportlab version that parsed it."""
    from octavo import cache

    return cache.entry(_face_cache_prefix(path, subfont_index), path, ".marshal")


def _cache_font(font: Any, path: Path, subfont_index: int) -> None:
    """Keep a parsed face for the next process; silently not when the cache is unwritable."""
    import marshal

    from reportlab.pdfbase.ttfonts import TTFNameBytes

    from octavo import cache

    state = {k: v for k, v in vars(font.face).items() if k not in _FACE_SKIP}
    names = sorted(k for k, v in state.items() if isinstance(v, TTFNameBytes))
    try:
        data = marshal.dumps((names, state))
        # Writing prunes the face's older entries (another format or reportlab version).
        cache.write_file(_face_cache_file(path, subfont_index), data,
                         _face_cache_family(path, subfont_index))
    except (OSError, ValueError):
        pass


def _cached_font(name: str, path: Path, subfont_index: int) -> Any:
    """The TTFont for a file from the disk cache, or None (then the file is parsed)."""
    import marshal
    from fnmatch import fnmatch
    from weakref import WeakKeyDictionary

    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

    try:
        with open(_face_cache_file(path, subfont_index), "rb") as src:
            names, state = marshal.loads(src.read())
        data = path.read_bytes()
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(state, dict) or "unitsPerEm" not in state or not isinstance(names, list):
        return None
    # What TTFontFace.__init__ leaves, without parsing (see test_fonts: they must agree).
    face = TTFontFace.__new__(TTFontFace)
    pdfmetrics.TypeFace.__init__(face, None)
    face.__dict__.update(state)
    for key in names:
        setattr(face, key, TTFNameBytes(state[key]))
    face._ttf_data = data
    units = face.unitsPerEm
    face._pdfScale = (lambda x: x) if units == 1000 else (lambda x, k=1000 / units: x * k)
    # ... and what TTFont.__init__ adds around it.
    font = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
    return font


def coverage(name: str) -> Container[int]:
    """The code points a font maps to a glyph (its cmap), registering the font if needed."""
    return register(name).face.charToGlyph  # type: ignore[no-any-return]


def _zero_width(ch: str) -> bool:
    # Format controls (ZWJ, LRM, soft hyphen...) are invisible: never worth switching fonts for.
    return unicodedata.category(ch) in ("Cf", "Cc", "Mn", "Me") or ch in "\n\t"


_STAY = object()
"""A decision of split_runs: the character stays in the current run."""
_DROP = object()
"""A decision of split_runs: an invisible character no font has, left out."""
_DECISIONS_MAX = 200_000
_decisions: dict[tuple[Any, ...], dict[tuple[str | None, str], Any]] = {}
"""(chain, preferred ranges) -> (current font, character) -> what split_runs does with it."""
_plain_chars: dict[tuple[Any, ...], set[str]] = {}
"""(first font, preferred ranges) -> characters that font has and no fallback is preferred for."""


def _decide(ch: str, current: str | None, fonts: Sequence[str], first: Container[int]) -> Any:
    """What split_runs does with a character after a run in `current`: _STAY, _DROP, or the
    font (None: no font has it) of the run it goes in. Depends only on its arguments and the
    preferred ranges, so split_runs remembers it."""
    cp = ord(ch)
    favourite = preferred(cp)
    if favourite is not None and cp in coverage(favourite):
        return favourite
    if (is_script_font(current) and not unicodedata.category(ch).startswith("L")
            and cp in coverage(current)):  # type: ignore[arg-type]
        # Punctuation, digits and spaces inside Arabic or Thai text stay in that text's
        # face: fewer font switches, and a shaped word keeps one font where it can.
        return _STAY
    if ch.isspace() or _zero_width(ch):
        if current is not None and cp in coverage(current):
            return _STAY
        if ch.isspace() and cp in first:
            return fonts[0]
        if _zero_width(ch) and not ch.isspace():
            found = next((f for f in fonts if cp in coverage(f)), None)
            # an invisible control no font draws: drop it, no box, no warning
            return _DROP if found is None else found
    return next((f for f in fonts if cp in coverage(f)), None)


def split_runs(text: str, fonts: Sequence[str]) -> list[tuple[str | None, str]]:
    """Split text into (font name, text) runs: each character in the first font that has it.

    Characters no font covers come back in runs with font None, so the caller can warn.
    Invisible characters (controls, combining marks, spaces the current font has) stay in the
    current run instead of forcing a switch; invisible characters no font has are dropped.
    """
    first = coverage(fonts[0])
    if not text:
        return []
    ranges = (id(_preferred), len(_preferred))  # add_fallback only appends to the list
    # The common case: one run. Checked per distinct character, each remembered once known.
    plain_key = (fonts[0], ranges)
    plain = _plain_chars.get(plain_key)
    if plain is None:
        plain = _plain_chars[plain_key] = set()
    if plain.issuperset(text):
        return [(fonts[0], text)]
    for ch in set(text).difference(plain):
        if ord(ch) in first and preferred(ord(ch)) is None:
            plain.add(ch)
        else:
            break
    else:
        return [(fonts[0], text)]
    key = (tuple(fonts), ranges)
    table = _decisions.get(key)
    if table is None:
        if len(_decisions) > 64:
            _decisions.clear()
        table = _decisions[key] = {}
    elif len(table) > _DECISIONS_MAX:
        table.clear()
    runs: list[tuple[str | None, str]] = []
    current: str | None = fonts[0]
    buf: list[str] = []
    stay, drop = _STAY, _DROP
    for ch in text:
        chosen = table.get((current, ch), table)
        if chosen is table:  # not known yet (the table itself is never a decision)
            chosen = table[(current, ch)] = _decide(ch, current, fonts, first)
        if chosen is stay:
            buf.append(ch)
            continue
        if chosen is drop:
            continue
        if chosen != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = chosen
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    if fonts[0] in _BOLD_ROLE_FACES:
        return [(bold_variant(font, fonts), part) for font, part in runs]
    return runs


# Scripts DejaVu lacks, each with a bundled face (file, code point ranges it is preferred for).
CJK = "DroidSansFallbackFull"
ARABIC = "NotoNaskhArabic"
HEBREW = "NotoSerifHebrew"
DEVANAGARI = "NotoSerifDevanagari"
THAI = "NotoSerifThai"
HANGUL = "NotoSerifKR-Hangul"
_SCRIPT_FONTS: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {
    ARABIC: ("NotoNaskhArabic-Regular.ttf",
             ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
              (0xFE70, 0xFEFF))),
    HEBREW: ("NotoSerifHebrew-Regular.ttf", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    DEVANAGARI: ("NotoSerifDevanagari-Regular.ttf",
                 ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))),
    THAI: ("NotoSerifThai-Regular.ttf", ((0x0E00, 0x0E7F),)),
    CJK: ("DroidSansFallbackFull.ttf", ()),
    # Droid has only the 2,350 most common Hangul syllables: a Noto Serif CJK KR subset
    # (converted to TrueType outlines) has all 11,172, the jamo, and CJK punctuation.
    HANGUL: ("NotoSerifKR-Hangul.ttf",
             ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))),
}
for _name, (_file, _ranges) in _SCRIPT_FONTS.items():
    add_fallback(_name, _bundled_locator(_file), prefer=_ranges)

# Bold faces of script fonts, used in bold roles (titles, headings, <strong>) in their place.
# Same glyph coverage as the regular face: a bold run never needs another font than regular.
_BOLD_OF: dict[str, str] = {}
for _name, _file in ((ARABIC, "NotoNaskhArabic-Bold.ttf"), (HEBREW, "NotoSerifHebrew-Bold.ttf"),
                     (DEVANAGARI, "NotoSerifDevanagari-Bold.ttf"),
                     (THAI, "NotoSerifThai-Bold.ttf")):
    _BOLD_OF[_name] = f"{_name}-Bold"
    _sources[f"{_name}-Bold"] = FontSource(f"{_name}-Bold", _bundled_locator(_file))
_BOLD_ROLE_FACES = frozenset((SERIF_BOLD, SERIF_BOLD_ITALIC, SANS_BOLD))


def bold_variant(name: str | None, fonts: Sequence[str]) -> str | None:
    """The bold face of a script font when the chain is a bold role's, else the font itself."""
    if name is not None and fonts and fonts[0] in _BOLD_ROLE_FACES and name in _BOLD_OF:
        bold = _BOLD_OF[name]
        register(bold)  # coverage was read from the regular face: the bold one is used unread
        return bold
    return name


def describe(chars: Sequence[str], limit: int = 8) -> str:
    """A readable list of characters: "U+4E2D 中 (CJK UNIFIED IDEOGRAPH-4E2D), ..."."""
    unique = sorted(set(chars))
    parts = [f"U+{ord(ch):04X} {ch} ({unicodedata.name(ch, 'unnamed character')})"
             for ch in unique[:limit]]
    if len(unique) > limit:
        parts.append(f"and {len(unique) - limit} more")
    return ", ".join(parts)


def scripts(chars: Sequence[str]) -> list[str]:
    """Rough script names from Unicode character names ("CJK", "ARABIC", "DEVANAGARI"); a
    symbol's name says nothing of a script ("GLOWING STAR"): those count as "symbols"."""
    found: dict[str, None] = {}
    for ch in sorted(set(chars)):
        if unicodedata.category(ch).startswith("S"):
            found["symbols"] = None
        elif name := unicodedata.name(ch, ""):
            found[name.split()[0]] = None
    return list(found)
