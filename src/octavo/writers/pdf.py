"""PDF writer: book-like pages with reportlab platypus (justified, hyphenated, every font embedded).

Layout: a title block per article (title, subtitle, byline, publisher and date), the lead figure,
then the body set justified and hyphenated in the article's language. Pages are numbered in the
footer; articles and headings become PDF outline entries. A bound book of several articles gets
a title page, and each article starts on a new page with its own language for hyphenation and
quotation marks.

All text goes through the fallback chain of octavo.typography.fonts, so every glyph comes from an
embedded TrueType subset, and characters no bundled font has are reported instead of drawn as
silent boxes. reportlab reads its own mini-markup, so every piece of text is escaped.

Scripts: Arabic, Hebrew, Indic and Thai text is shaped by HarfBuzz (uharfbuzz, through
reportlab). Paragraphs with right-to-left text are broken into lines here and each line put in
visual order with the Unicode bidi algorithm (python-bidi); a right-to-left article mirrors its
lists and tables. Chinese and Japanese break between ideographs (reportlab's CJK wrapping),
Thai between clusters where a line is full (no dictionary). Very long paragraphs are set in
chunks, and text over octavo.limits' max_pdf_characters is refused.
"""

from __future__ import annotations

import functools
import html
import io
import itertools
import os
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar

from octavo import diagnostics
from octavo.errors import OptionError, WriterError
from octavo.typography.words import article_count, format_date, join_names, notes_heading
from octavo.model import (
    Article,
    Block,
    BlockQuote,
    Book,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    Image,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quoted,
    SectionBreak,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    plain_text,
)
from octavo.options import PAGE_SIZES, WriteOptions
from octavo.typography import fonts
from octavo.typography.quotes import QuoteMarks, quote_marks
from octavo._lazy_re import LazyPattern

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Flowable

MM = 72 / 25.4
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_LINK_COLOR = "#1d4f91"
_GREY = "#555555"
_STRAIGHT = QuoteMarks('"', '"', "'", "'")

# reportlab treats U+202F (and the figure space) as breaking spaces: "10 km" and « Ja »
# would break apart. U+00A0 is the one space it never breaks at.
_LAYOUT_SPACES = str.maketrans({"\u202f": "\u00a0", "\u2007": "\u00a0", "\r": None,
                                "\t": " ", "\n": " ", "\u2028": " ", "\u2029": " "})


# --- page geometry --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
    """Page size, margins (points) and the body type size that suit them."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    font_size: float
    leading: float
    """Line height as a multiple of the font size."""

    @property
    def frame_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def frame_height(self) -> float:
        return self.height - self.top - self.bottom


# Measures of ~60-70 characters of DejaVu Serif (a wide face) on paper; the e-reader page is
# a 6-inch screen read at arm's length, so it gets slim margins and ~50 characters.
LAYOUTS: dict[str, Layout] = {
    "a4": Layout(210 * MM, 297 * MM, 36 * MM, 36 * MM, 30 * MM, 34 * MM, 10.5, 1.38),
    "letter": Layout(612.0, 792.0, 38 * MM, 38 * MM, 26 * MM, 30 * MM, 10.5, 1.38),
    "a5": Layout(148 * MM, 210 * MM, 19 * MM, 19 * MM, 18 * MM, 22 * MM, 9.0, 1.36),
    "ereader": Layout(90 * MM, 122 * MM, 5 * MM, 5 * MM, 5 * MM, 10 * MM, 8.0, 1.32),
}
assert set(LAYOUTS) == set(PAGE_SIZES)


def layout_for(page_size: str) -> Layout:
    try:
        return LAYOUTS[page_size.lower()]
    except KeyError:
        raise OptionError(
            f"unknown page size {page_size!r}", hint=f"use one of: {', '.join(PAGE_SIZES)}"
        ) from None


# --- markup helpers -------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape text for reportlab's paragraph mini-markup."""
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def _creator() -> str:
    # octavo.__version__, not importlib.metadata.version(): importing that costs ~25 ms a start.
    from octavo import __version__

    return f"octavo {__version__}"


def _timestamp(options: WriteOptions) -> datetime | None:
    """The fixed date for reproducible output: options.modified, else SOURCE_DATE_EPOCH."""
    if options.modified is not None:
        stamp = options.modified
        return stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            diagnostics.warn("bad-source-date-epoch",
                             f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time; using now")
    return None


class _FixedStamp:
    """Stands in for reportlab.lib.utils.TimeStamp: CreationDate/ModDate from our datetime."""

    def __init__(self, when: datetime) -> None:
        utc = when.astimezone(timezone.utc)
        self.t = utc.timestamp()
        self.lt = utc.timetuple()
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"
        self.datetime = utc


# --- styles ---------------------------------------------------------------------------------


_STYLE_SETS: dict[tuple[Layout, Any], dict[str, ParagraphStyle]] = {}
"""(layout, hyphenator) -> its styles, made once per process (see _styles)."""


def _styles(lay: Layout, hyphenator: Any) -> dict[str, ParagraphStyle]:
    """The paragraph styles for a layout and a language's hyphenator (None: no hyphenation).

    Made once and shared by every document with the same two: making them (each
    ParagraphStyle copies its parent's attributes) was ~0.4 ms of every PDF. Nothing
    changes a style once made (reportlab deep-copies one before it changes it); the dict is
    a copy, so what a caller adds to it stays its own.
    """
    key = (lay, hyphenator)
    found = _STYLE_SETS.get(key)
    if found is None:
        if len(_STYLE_SETS) >= 64:  # languages x page sizes: a few in practice
            _STYLE_SETS.clear()
        found = _STYLE_SETS[key] = _make_styles(lay, hyphenator)
    return dict(found)


def _make_styles(lay: Layout, hyphenator: Any) -> dict[str, ParagraphStyle]:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    fs = lay.font_size
    lead = fs * lay.leading
    grey = HexColor(_GREY)
    body = ParagraphStyle(
        "body", fontName=fonts.SERIF, fontSize=fs, leading=lead, alignment=TA_JUSTIFY,
        firstLineIndent=1.25 * fs, hyphenationLang=hyphenator or "",
        hyphenationMinWordLength=5, embeddedHyphenation=1, uriWasteReduce=0.3,
        allowWidows=0, allowOrphans=0, splitLongWords=1, bulletFontName=fonts.SERIF,
        spaceShrinkage=0.2,
    )

    def derive(name: str, parent: ParagraphStyle = body, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=parent, **kw)

    def heading(name: str, scale: float, before: float,
                font: str = fonts.SERIF_BOLD) -> ParagraphStyle:
        return derive(name, fontName=font, fontSize=fs * scale, leading=fs * scale * 1.25,
                      alignment=TA_LEFT, firstLineIndent=0, spaceBefore=lead * before,
                      spaceAfter=lead * 0.45, keepWithNext=1, hyphenationLang="",
                      allowWidows=1, allowOrphans=1)

    s = {
        "body": body,
        "first": derive("first", firstLineIndent=0),
        "title": derive("title", fontName=fonts.SERIF_BOLD, fontSize=fs * 2.2,
                        leading=fs * 2.2 * 1.15, alignment=TA_LEFT, firstLineIndent=0,
                        spaceAfter=fs * 0.6, hyphenationLang="", keepWithNext=1),
        "subtitle": derive("subtitle", fontName=fonts.SERIF_ITALIC, fontSize=fs * 1.3,
                           leading=fs * 1.3 * 1.3, alignment=TA_LEFT, firstLineIndent=0,
                           spaceAfter=fs * 0.5, hyphenationLang="", keepWithNext=1),
        "byline": derive("byline", fontName=fonts.SERIF, fontSize=fs * 1.05, leading=fs * 1.4,
                         alignment=TA_LEFT, firstLineIndent=0, hyphenationLang="",
                         keepWithNext=1),
        "meta": derive("meta", fontName=fonts.SANS, fontSize=fs * 0.8, leading=fs * 1.2,
                       alignment=TA_LEFT, firstLineIndent=0, textColor=grey,
                       hyphenationLang="", keepWithNext=1, spaceBefore=fs * 0.2),
        "h1": heading("h1", 1.5, 1.4),
        "h2": heading("h2", 1.25, 1.2),
        "h3": heading("h3", 1.1, 1.0),
        "h4": heading("h4", 1.0, 0.8),
        "h5": heading("h5", 1.0, 0.7, fonts.SERIF_BOLD_ITALIC),
        "h6": heading("h6", 1.0, 0.7, fonts.SERIF_ITALIC),
        "caption": derive("caption", fontName=fonts.SERIF_ITALIC, fontSize=fs * 0.85,
                          leading=fs * 0.85 * 1.3, alignment=TA_LEFT, firstLineIndent=0,
                          spaceBefore=fs * 0.45),
        "credit": derive("credit", fontName=fonts.SANS, fontSize=fs * 0.68,
                         leading=fs * 0.68 * 1.35, alignment=TA_LEFT, firstLineIndent=0,
                         textColor=grey, hyphenationLang=""),
        "code": derive("code", fontName=fonts.MONO, fontSize=fs * 0.82,
                       leading=fs * 0.82 * 1.3, alignment=TA_LEFT, firstLineIndent=0,
                       hyphenationLang="", backColor=HexColor("#f3f3f1"),
                       borderPadding=(fs * 0.35, fs * 0.5), leftIndent=fs * 0.5,
                       rightIndent=fs * 0.5, spaceBefore=lead * 0.6, spaceAfter=lead * 0.6),
        "cell": derive("cell", fontSize=fs * 0.88, leading=fs * 0.88 * 1.25,
                       alignment=TA_LEFT, firstLineIndent=0),
        "head": derive("head", fontName=fonts.SERIF_BOLD, fontSize=fs * 0.88,
                       leading=fs * 0.88 * 1.25, alignment=TA_LEFT, firstLineIndent=0),
        "item": derive("item", firstLineIndent=0),
        "break": derive("break", alignment=TA_CENTER, firstLineIndent=0,
                        spaceBefore=lead * 0.5, spaceAfter=lead * 0.5, hyphenationLang=""),
        "book-title": derive("book-title", fontName=fonts.SERIF_BOLD, fontSize=fs * 2.8,
                             leading=fs * 2.8 * 1.15, alignment=TA_CENTER, firstLineIndent=0,
                             hyphenationLang="", spaceAfter=fs),
        "book-sub": derive("book-sub", fontName=fonts.SERIF_ITALIC, fontSize=fs * 1.4,
                           leading=fs * 1.4 * 1.3, alignment=TA_CENTER, firstLineIndent=0,
                           hyphenationLang="", spaceAfter=fs),
        "book-meta": derive("book-meta", fontName=fonts.SERIF, fontSize=fs * 1.05,
                            leading=fs * 1.5, alignment=TA_CENTER, firstLineIndent=0,
                            hyphenationLang=""),
        "toc": derive("toc", alignment=TA_LEFT, firstLineIndent=-1.5 * fs,
                      leftIndent=lay.frame_width * 0.12 + 1.5 * fs,
                      rightIndent=lay.frame_width * 0.12, hyphenationLang="", spaceAfter=fs * 0.4),
    }
    s["credit-alone"] = derive("credit-alone", parent=s["credit"], spaceBefore=fs * 0.45)
    return s


# --- outline --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Outline:
    """Hands out bookmark keys and outline levels: each entry one below the entry it sits under
    (the nearest before it asked for a smaller level), so levels are legal (never more than
    one deeper than before) and headings the source set alike stay siblings (### ### under a
    title are both level 1, not the second under the first)."""

    count: int = 0
    open: list[tuple[int, int]] = field(default_factory=list)
    """The entries the next one may sit under: (level asked for, level given), outermost first."""

    def entry(self, title: str, level: int) -> tuple[str, int, str]:
        while self.open and self.open[-1][0] >= level:
            self.open.pop()
        given = self.open[-1][1] + 1 if self.open else 0
        self.open.append((level, given))
        self.count += 1
        return title, given, f"o{self.count}"


# --- runs and optimal line breaking --------------------------------------------------------

_JUSTIFY = 4  # reportlab.lib.enums.TA_JUSTIFY, without importing reportlab at module load
_CODE_SCALE = 0.9
"""Inline code size relative to the text: DejaVu Sans Mono looks larger than the serif."""


@dataclass(slots=True)
class _Run:
    """A piece of inline text in one font: what the paragraph markup is made of."""

    text: str
    font: str
    size: float | None = None
    """None: the paragraph style's size."""
    wrap: tuple[str, str] = ("", "")
    """Markup around the text (links)."""
    br: bool = False
    """A forced line break instead of text."""


def _markup(runs: Iterable[_Run], base: str) -> str:
    parts: list[str] = []
    for run in runs:
        if run.br:
            parts.append("<br/>")
            continue
        if not run.text:
            continue
        body = escape(run.text)
        attrs = ""
        if run.font != base:
            attrs += f' face="{run.font}"'
        if run.size is not None:
            attrs += f' size="{run.size:.2f}"'
        if attrs:
            body = f"<font{attrs}>{body}</font>"
        parts.append(run.wrap[0] + body + run.wrap[1])
    return "".join(parts)


# Spaces reportlab breaks lines at (U+202F and U+2007 were mapped to U+00A0 before).
_BREAKING = frozenset(" \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
                      "\u200b\u205f\u3000")
# TeX's defaults (plain.tex): \hyphenpenalty, \doublehyphendemerits, \finalhyphendemerits.
_HYPHEN_PENALTY = 50.0
_SHORT_PIECE_PENALTY = 150.0
"""Breaks that leave only two letters on one side ("Offensi-ve") are allowed but disliked."""
_DOUBLE_HYPHEN_DEMERITS = 10000.0
_FINAL_HYPHEN_DEMERITS = 5000.0
_LINE_PENALTY = 10.0
_SHORT_LAST_LINE = 0.12
"""A last line narrower than this share of the measure (a word stub) costs extra."""
_SHORT_LAST_LINE_DEMERITS = 40000.0
_STRETCH = 0.6
"""How far a space may stretch before a line counts as loose (as a share of the space)."""


@dataclass(slots=True)
class _Word:
    pieces: list[tuple[str, int]]
    """The word's text as (text, run index) pieces, soft hyphens taken out. Never changed: a
    one-piece word shares its list with every word of the same text, look and run."""
    width: float
    breaks: list[tuple[int, float, float, float]]
    """Breaks inside the word: (offset, width of the head, width of the added hyphen or 0,
    penalty)."""
    space: float
    """Width of the space that follows the word."""
    space_run: int = -1
    """The run the following space belongs to (its font sets the space's width)."""


def _break_lines(runs: list[_Run], style: ParagraphStyle, width: float,
                 positions: Any) -> list[_Run] | None:
    """Knuth-Plass total-fit line breaking: choose all breaks of a paragraph together.

    reportlab breaks greedily and hyphenates only the word that overflows, so a short word
    that does not fit leaves a loose line. Here every line's looseness counts, and the
    chosen breaks are written into the text as <br/> (justified via justifyBreaks) plus the
    hyphens. Returns None (keep reportlab's own breaking) for text it cannot handle.
    """
    if any(r.br for r in runs) or width <= 0:
        return None
    words = _words(runs, style.fontSize, positions)
    if not words:
        return None
    best = _total_fit(_Points.of(words), style.firstLineIndent, width,
                      style.spaceShrinkage * 0.9)
    if best is None:
        return None
    return _apply_breaks(runs, words, best)


@dataclass(slots=True)
class _Points:
    """A paragraph's breakpoints as parallel arrays, so a line's measures are differences.

    Point 0 starts the paragraph and the last one ends it; a point at offset 0 of a word is
    the space before it, any other offset breaks inside the word (with a hyphen or after one).
    As a line's start, a point contributes its position `start` (the words before it with their
    spaces, plus the head of a broken word) and the spaces `start_sp` / `start_n` before it;
    as a line's end, `end` (natural width up to it, with the added hyphen), `end_sp`, `end_n`.
    A line from i to j is end[j] - start[i] wide and has end_sp[j] - start_sp[i] of space.
    """

    word: list[int]
    offset: list[int]
    hyphen: list[float]
    penalty: list[float]
    start: list[float]
    start_sp: list[float]
    start_n: list[int]
    end: list[float]
    end_sp: list[float]
    end_n: list[int]

    @classmethod
    def of(cls, words: list[_Word]) -> _Points:
        # Built column by column (half the time of rows transposed), with the sums in the
        # same order as ever: x[k] = width of words[:k] with the spaces after them, sp[k] =
        # those spaces. The point at the space before each word is appended inline (a
        # function call per word was a third of the time). A point's start_n is its word.
        word, offset, hyphen, penalty = [0], [0], [0.0], [0.0]
        start, start_sp = [0.0], [0.0]
        end, end_sp, end_n = [0.0], [0.0], [0]
        xk = spk = 0.0  # x[k], sp[k]
        sp_before = space_before = 0.0  # sp[k - 1], words[k - 1].space
        n = len(words)
        for k in range(n + 1):
            if k or not n:  # the break at the space before word k (k == n: the end)
                word.append(k)
                offset.append(0)
                hyphen.append(0.0)
                penalty.append(0.0)
                start.append(xk)
                start_sp.append(spk)
                end.append(xk - space_before)
                end_sp.append(sp_before)
                end_n.append(k - 1)
                if k == n:
                    break
            w = words[k]
            breaks = w.breaks
            if breaks:
                for off, head, hw, pen in breaks:
                    word.append(k)
                    offset.append(off)
                    hyphen.append(hw)
                    penalty.append(pen)
                    at = xk + head
                    start.append(at)
                    start_sp.append(spk)
                    end.append(at + hw)
                    end_sp.append(spk)
                    end_n.append(k)
            space_before = w.space
            sp_before = spk
            xk = xk + w.width + space_before
            spk = spk + space_before
        return cls(word, offset, hyphen, penalty, start, start_sp, word, end, end_sp, end_n)


_EPS = 1e-6
"""Margin (points) for the range searches: candidates near a bound get the exact test."""
_DEMERITS_FLOOR = _LINE_PENALTY**2 - 1.0
"""Less than any line's demerits (badness is never negative), by a margin for rounding."""


def _total_fit(p: _Points, indent: float, width: float,
               shrink_share: float) -> list[tuple[int, int, bool]] | None:
    """Dynamic programming over breakpoints; returns the chosen (word, offset, hyphen) breaks.

    Tries a strict tolerance for loose lines first, then looser ones; None when even a line
    of a single word overflows (an unbreakable word wider than the measure).

    For each line end j only the starts i that can make a feasible line are visited: a line
    grows as its start moves back, so the starts too long to shrink into the measure form a
    prefix and those too loose to stretch a suffix, both found by binary search over sums
    that only grow with i. Each visited pair is tested exactly as before, so the result is
    that of the plain search over all pairs.

    The test of a pair is written out in full once (`line`, for the first line's start) and
    specialised twice, for the hot loops: lines that are neither the first nor the last, and
    the last line. A start whose cost plus the least demerits any line has cannot beat the
    best start found so far is skipped untested: it could not be chosen anyway. The plain
    search this must agree with is in tests/writers/test_pdf_fast_paths.py.
    """
    from bisect import bisect_left, bisect_right

    inf = float("inf")
    n = len(p.word)
    start, start_sp, start_n = p.start, p.start_sp, p.start_n
    end, end_sp, end_n = p.end, p.end_sp, p.end_n
    offset, penalty = p.offset, p.penalty
    first_width = width - indent
    line_penalty, stretch, eps = _LINE_PENALTY, _STRETCH, _EPS
    double_hyphen = _DOUBLE_HYPHEN_DEMERITS

    def line(i: int, j: int, cost: list[float], tolerance: float) -> float | None:
        """The demerits of a line from i to j (without cost[i]); None when it is not
        allowed, -1.0 when it is too long even shrunk (so is any earlier start)."""
        limit = first_width if i == 0 else width
        last = j == n - 1
        natural = end[j] - start[i]
        spaces = end_sp[j] - start_sp[i]
        if natural - spaces * shrink_share > limit:
            return -1.0
        if cost[i] == inf:
            return None
        if natural > limit:
            bad = 100 * ((natural - limit) / (spaces * shrink_share)) ** 3
        elif last:
            bad = 0.0
        elif end_n[j] - start_n[i] == 0 or spaces == 0:
            if tolerance != inf:
                return None  # a word (or piece) alone on a line: only as a last resort
            bad = 5000.0
        else:
            ratio = (limit - natural) / (spaces * stretch)
            if ratio > tolerance:
                return None
            bad = 100 * ratio**3
        demerits = (line_penalty + bad) ** 2
        if offset[j] > 0:  # the line ends in a hyphen (added, or the word's own)
            demerits += penalty[j] ** 2
            if offset[i] > 0:
                demerits += double_hyphen
        if last:
            if offset[i] > 0:
                demerits += _FINAL_HYPHEN_DEMERITS
            if natural < limit * _SHORT_LAST_LINE:
                demerits += _SHORT_LAST_LINE_DEMERITS
        return demerits

    # A line from i to j is too long, even shrunk, when tight[i] < end[j] - shrink * end_sp[j]
    # - width: tight only grows with i (each step adds a word with its space, or a head).
    tight = [s - shrink_share * q for s, q in zip(start, start_sp)]
    for tolerance in (2.5, 10.0, inf):
        finite = tolerance != inf
        cost = [0.0] + [inf] * (n - 1)
        prev = [-1] * n
        reach = tolerance * stretch
        # ... and too loose (at this tolerance) when loose[i] > end[j] + reach * end_sp[j] - width.
        loose = [s + reach * q for s, q in zip(start, start_sp)] if finite else []
        for j in range(1, n):
            nat_j, sp_j = end[j], end_sp[j]
            lo = bisect_left(tight, nat_j - shrink_share * sp_j - width - eps, 1, j)
            if j == n - 1:
                break  # the last line, below (with this lo)
            hi = bisect_right(loose, nat_j + reach * sp_j - width + eps, lo, j) - 1 \
                if finite else j - 1
            hyphen_b = offset[j] > 0
            pen_j = penalty[j] ** 2 if hyphen_b else 0.0
            # Every line costs at least (_LINE_PENALTY + 0) ** 2 = 100 plus the hyphen's
            # penalty: a start whose cost plus this floor cannot beat the best so far is
            # skipped before its badness is worked out (an infinite cost always is).
            floor = _DEMERITS_FLOOR + pen_j
            n_j = end_n[j]
            best, best_i = inf, -1
            # Starts from hi down to lo; the first line's start (0, narrower by the indent)
            # only when every later start fit, as in a plain search from j-1 down.
            for i in range(hi, lo - 1, -1):
                natural = nat_j - start[i]
                spaces = sp_j - start_sp[i]
                if natural - spaces * shrink_share > width:
                    break  # starting earlier only makes the line longer
                ci = cost[i]
                if ci + floor >= best:
                    continue
                if natural > width:
                    bad = 100 * ((natural - width) / (spaces * shrink_share)) ** 3
                elif n_j - start_n[i] == 0 or spaces == 0:
                    if finite:
                        continue  # a word (or piece) alone on a line: only as a last resort
                    bad = 5000.0
                else:
                    ratio = (width - natural) / (spaces * stretch)
                    if ratio > tolerance:
                        continue
                    bad = 100 * ratio**3
                demerits = (line_penalty + bad) ** 2
                if hyphen_b:
                    demerits += pen_j
                    if offset[i] > 0:
                        demerits += double_hyphen
                total = ci + demerits
                if total < best:
                    best, best_i = total, i
            else:
                if lo == 1 and floor < best:
                    d = line(0, j, cost, tolerance)
                    if d is not None and d >= 0 and d < best:  # cost[0] + d is d
                        best, best_i = d, 0
            cost[j], prev[j] = best, best_i
        # The last line (it ends at the last point, which is no hyphen): never too loose.
        j = n - 1
        nat_j, sp_j = end[j], end_sp[j]
        short = width * _SHORT_LAST_LINE
        best, best_i = inf, -1
        for i in range(j - 1, lo - 1, -1):
            natural = nat_j - start[i]
            spaces = sp_j - start_sp[i]
            if natural - spaces * shrink_share > width:
                break
            ci = cost[i]
            if ci + _DEMERITS_FLOOR >= best:
                continue
            if natural > width:
                bad = 100 * ((natural - width) / (spaces * shrink_share)) ** 3
            else:
                bad = 0.0
            demerits = (line_penalty + bad) ** 2
            if offset[i] > 0:
                demerits += _FINAL_HYPHEN_DEMERITS
            if natural < short:
                demerits += _SHORT_LAST_LINE_DEMERITS
            total = ci + demerits
            if total < best:
                best, best_i = total, i
        else:
            if lo == 1 and _DEMERITS_FLOOR < best:
                d = line(0, j, cost, tolerance)
                if d is not None and d >= 0 and d < best:
                    best, best_i = d, 0
        cost[j], prev[j] = best, best_i
        if cost[-1] < inf:
            chosen: list[tuple[int, int, bool]] = []
            j = prev[-1]
            while j > 0:
                chosen.append((p.word[j], offset[j], p.hyphen[j] > 0))
                j = prev[j]
            return chosen[::-1]
    return None


@functools.lru_cache(maxsize=8192)
def _advance(font: str, ch: str) -> float:
    """A character's advance width at 1 pt (reportlab sums these, so totals match exactly)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(ch, font, 1000)) / 1000


@functools.lru_cache(maxsize=256)
def _hyphen_width(font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth("-", font, size))


_SHY = "\u00ad"
_advances: dict[str, dict[str, float]] = {}
"""Per font: _advance of each character seen (a dict lookup is cheaper than the lru_cache)."""
_BREAK_SPLIT = re.compile("[" + "".join(sorted(_BREAKING)) + "]")
_word_memo: dict[tuple[str, str, float, Any],
                 tuple[str, float, list[tuple[int, float, float, float]],
                       dict[int, list[tuple[str, int]]]]] = {}
"""One-font words already measured: (text, font, size, positions) -> (text without soft
hyphens, width, breaks, the word's pieces by run index). News text repeats most of its words;
sharing the pieces lists saves two of the three objects a word took, and so most of the
garbage collections that paragraph breaking set off."""
_WORD_MEMO_MAX = 50_000


_MONO = fonts.MONO


def _words(runs: list[_Run], size: float, positions: Any) -> list[_Word]:
    """Split runs into words with widths and their possible inner breaks.

    Soft hyphens are break markers, not glyphs: they are taken out of the word and become its
    only break points (the author's choice wins over the dictionary). Code is not hyphenated:
    an added hyphen would read as part of it (CSS's `hyphens: none` in the EPUB).
    """
    sizes = [run.size or size for run in runs]
    fonts_of = [run.font for run in runs]
    words: list[_Word] = []
    current: list[tuple[str, int]] = []

    def finish(space_run: int | None) -> None:
        if len(current) == 1:
            text, i = current[0]
            found = None if fonts_of[i] == _MONO else positions
            key = (text, fonts_of[i], sizes[i], found)
            known = _word_memo.get(key)
            if known is None:
                if len(_word_memo) >= _WORD_MEMO_MAX:
                    _word_memo.clear()
                known = _word_memo[key] = (*_measure(current, fonts_of, sizes, found), {})
            clean, width, breaks, shared = known
            pieces: list[tuple[str, int]] = []
            if clean:
                pieces = shared.get(i) or shared.setdefault(i, [(clean, i)])
        else:
            found = None if any(fonts_of[i] == _MONO for _, i in current) else positions
            clean, width, breaks = _measure(current, fonts_of, sizes, found)
            pieces = [(t.replace(_SHY, ""), i) for t, i in current]
            pieces = [(t, i) for t, i in pieces if t]
        current.clear()
        if not pieces:
            return
        space = 0.0
        if space_run is not None:
            space = _advance(fonts_of[space_run], " ") * sizes[space_run]
        words.append(_Word(pieces, width, breaks, space,
                           space_run if space_run is not None else -1))

    split = _BREAK_SPLIT.split
    memo = _word_memo
    for i, run in enumerate(runs):
        parts = split(run.text)
        last = len(parts) - 1
        font, font_size = fonts_of[i], sizes[i]
        space = _advance(font, " ") * font_size
        found = None if font == _MONO else positions
        for n, part in enumerate(parts):
            if n and current:
                finish(i)
            if not part:
                continue
            if n < last and not current:
                # The common case, inline: a word inside this run, ended by a space of it.
                known = memo.get((part, font, font_size, found))
                if known is None:
                    current.append((part, i))
                    continue  # measured and remembered by finish() at the space
                if known[0]:
                    pieces = known[3].get(i) or known[3].setdefault(i, [(known[0], i)])
                    words.append(_Word(pieces, known[1], known[2], space, i))
            else:
                current.append((part, i))
    finish(None)
    if words:
        words[-1].space = 0.0
    return words


def _measure(pieces: list[tuple[str, int]], fonts_of: list[str], sizes: list[float],
             positions: Any) -> tuple[str, float, list[tuple[int, float, float, float]]]:
    """A word's text without soft hyphens, its width and its breaks (see _Word.breaks)."""
    if len(pieces) == 1 and _SHY not in pieces[0][0]:  # the common case: one font
        clean, i = pieces[0]
        font, size = fonts_of[i], sizes[i]
        advances = _advances.get(font)
        if advances is None:
            advances = _advances[font] = {}
        total = 0.0
        prefix = [total]
        for ch in clean:
            advance = advances.get(ch)
            if advance is None:
                advance = advances[ch] = _advance(font, ch)
            total = total + advance * size
            prefix.append(total)
        hw = _hyphen_width(font, size)
        return clean, total, _unique([(off, prefix[off], hw if hyphen else 0.0, pen)
                                      for off, hyphen, pen in _word_breaks(clean, positions)])
    chars = [(ch, i) for text, i in pieces for ch in text]
    at_shy = (n for n, (ch, _) in enumerate(chars) if ch == _SHY)
    shy = [n - k for k, n in enumerate(at_shy)]  # offsets once the soft hyphens are gone
    if shy:
        chars = [(ch, i) for ch, i in chars if ch != _SHY]
    # prefix[n] = width of the first n characters
    prefix = [0.0]
    for ch, i in chars:
        prefix.append(prefix[-1] + _advance(fonts_of[i], ch) * sizes[i])
    clean = "".join(ch for ch, _ in chars)
    if shy:
        found = [(off, True, _HYPHEN_PENALTY) for off in shy if 0 < off < len(chars)]
    else:
        found = _word_breaks(clean, positions)
    breaks = []
    for off, hyphen, pen in found:
        run = chars[off - 1][1]
        hw = _hyphen_width(fonts_of[run], sizes[run]) if hyphen else 0.0
        breaks.append((off, prefix[off], hw, pen))
    return clean, prefix[-1], _unique(breaks)


def _unique(breaks: list[tuple[int, float, float, float]]) -> list[tuple[int, float, float, float]]:
    """One break per offset, in order: breakpoints must strictly increase."""
    if all(a[0] < b[0] for a, b in itertools.pairwise(breaks)):
        return breaks
    out: list[tuple[int, float, float, float]] = []
    for brk in sorted(breaks):
        if not out or brk[0] > out[-1][0]:
            out.append(brk)
    return out


_LEADING_PUNCT = "\"'([{¿¡«»‹›„“”‚‘’"
_TRAILING_PUNCT = "\"')]}?!.,;:«»‹›“”‘’…"


def _word_breaks(text: str, positions: Any) -> list[tuple[int, bool, float]]:
    """Where a word may break: (offset, whether a hyphen is added, penalty).

    Hyphenation points of its letter stretches, and after a hyphen already in the word.
    """
    if text.isalpha():  # most words: one letter stretch, no hyphen, no punctuation around
        if positions is None or len(text) < 5:
            return []
        last = len(text) - 3
        # positions() gives each offset once, in order: what sorted(set(...)) below makes
        return [(p, True, _SHORT_PIECE_PENALTY if p < 3 or p > last else _HYPHEN_PENALTY)
                for p in positions(text)]
    return _any_word_breaks(text, positions)


def _any_word_breaks(text: str, positions: Any) -> list[tuple[int, bool, float]]:
    """_word_breaks for any word: hyphens, punctuation and letters mixed."""
    out: list[tuple[int, bool, float]] = []
    if "-" in text or "\u2010" in text:
        for i, ch in enumerate(text[:-1]):
            # "Nord-|Korea": a break after a hyphen between letters adds nothing
            if (ch in "-\u2010" and i >= 2 and len(text) - i > 2
                    and text[i - 1].isalpha() and text[i + 1].isalpha()):
                out.append((i + 1, False, _HYPHEN_PENALTY))
    if positions is None or len(text) < 5:
        return out
    core_start = len(text) - len(text.lstrip(_LEADING_PUNCT))
    core_end = len(text.rstrip(_TRAILING_PUNCT))
    for part_start, part in _alpha_parts(text, core_start, core_end):
        if len(part) >= 5:
            out.extend((part_start + p, True,
                        _SHORT_PIECE_PENALTY if min(p, len(part) - p) < 3 else _HYPHEN_PENALTY)
                       for p in positions(part))
    return sorted(set(out))


def _alpha_parts(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Letter-only stretches of a word (split at hard hyphens), with their offsets."""
    parts: list[tuple[int, str]] = []
    i = start
    for piece in text[start:end].split("-"):
        if piece.isalpha():
            parts.append((i, piece))
        i += len(piece) + 1
    return parts


def _apply_breaks(runs: list[_Run], words: list[_Word],
                  breaks: list[tuple[int, int, bool]]) -> list[_Run]:
    """Rebuild the runs with <br/> at the chosen breaks and hyphens where words split."""
    inner: dict[int, list[tuple[int, bool]]] = {}
    at_space: set[int] = set()
    for k, off, hy in breaks:
        if off:
            inner.setdefault(k, []).append((off, hy))
        else:
            at_space.add(k)
    out: list[_Run] = []
    texts: list[list[str]] = []  # each output run's text, in pieces (joined at the end)
    last_i = -1  # the input run out[-1] last took text from, -1 after a break

    def emit(text: str, i: int) -> None:
        nonlocal last_i
        if i == last_i:  # the same run again: same look, so the same output run
            texts[-1].append(text)
            return
        run = runs[i]
        last_i = i
        if out:
            last = out[-1]
            if not last.br and last.font == run.font and last.size == run.size \
                    and last.wrap == run.wrap:
                texts[-1].append(text)
                return
        out.append(_Run("", run.font, run.size, run.wrap))
        texts.append([text])

    def line_break() -> None:
        nonlocal last_i
        out.append(_Run("", "", None, ("", ""), br=True))
        texts.append([])
        last_i = -1

    for k, word in enumerate(words):
        cuts = inner.get(k)
        if k:
            if k in at_space:
                line_break()
            elif cuts is None and len(word.pieces) == 1 \
                    and words[k - 1].space_run == last_i == word.pieces[0][1]:
                texts[-1].append(" " + word.pieces[0][0])  # the common case, inline
                continue
            else:
                emit(" ", words[k - 1].space_run)
        if cuts is None:
            for text, i in word.pieces:
                emit(text, i)
            continue
        # A cut at offset `off` comes after the word's first `off` characters: the hyphen
        # takes the font of the character before it.
        todo = sorted(cuts)
        c = 0
        pos = 0  # offset of the current piece in the word
        for text, i in word.pieces:
            head = 0  # how much of this piece is out
            end = pos + len(text)
            while c < len(todo) and todo[c][0] <= end:
                off, hy = todo[c]
                c += 1
                if off - pos > head:
                    emit(text[head:off - pos], i)
                    head = off - pos
                if hy:
                    emit("-", i)
                line_break()
            if head < len(text):
                emit(text[head:], i)
            pos = end
    for run, pieces in zip(out, texts, strict=True):
        if pieces:
            run.text = "".join(pieces)
    return out


# --- scripts: right-to-left text, shaping, CJK ---------------------------------------------

# Text in these ranges needs OpenType shaping (conjuncts, vowel signs, joining letters).
_SHAPED_RANGES = ((0x0590, 0x08FF), (0x0900, 0x0DFF), (0x0E00, 0x0EFF), (0x0F00, 0x0FFF),
                  (0x1000, 0x109F), (0x1780, 0x17FF), (0xA8E0, 0xA8FF), (0xFB1D, 0xFDFF),
                  (0xFE70, 0xFEFF))
# Han, kana and their punctuation: set with reportlab's CJK wrapping (a break between any two
# ideographs, none before closing punctuation). Hangul is not here: Korean breaks at spaces.
_CJK_RANGES = ((0x3000, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
_RTL_CLASSES = frozenset(("R", "AL", "AN"))
_RTL_LANGUAGES = frozenset(("ar", "arb", "fa", "pes", "ur", "he", "yi", "ps", "sd", "ug", "dv",
                            "ckb", "syr", "ks"))
_NO_HYPHENATION = frozenset(("zh", "ja", "ko", "th", "lo", "km", "my", "ar", "fa", "ur", "he",
                             "yi", "ps", "sd", "ug", "dv"))
"""Languages whose text is not hyphenated: no "missing dictionary" warning for them."""


def _in(ranges: tuple[tuple[int, int], ...], cp: int) -> bool:
    return any(a <= cp <= b for a, b in ranges)


def _script_kind(text: str) -> str | None:
    """How a paragraph must be set: "bidi" (has right-to-left text), "cjk" (mostly Han or kana),
    "unspaced" (Thai, Lao...: shaped, no spaces between words), "shaped" (Indic...), or None
    for text the total-fit breaker handles."""
    import unicodedata

    if not text or max(text) < "\u0590":
        return None
    known = _char_kinds
    kinds = 0
    for ch in set(text):
        kind = known.get(ch)
        if kind is None:
            cp = ord(ch)
            kind = known[ch] = (
                (_K_RTL if unicodedata.bidirectional(ch) in ("R", "AL") else 0)
                | (_K_CJK if _in(_CJK_RANGES, cp) else 0)
                | (_K_UNSPACED if _in(_UNSPACED_RANGES, cp) else 0)
                | (_K_SHAPED if _in(_SHAPED_RANGES, cp) else 0))
        kinds |= kind
    if kinds & _K_RTL:
        return "bidi"
    if kinds & _K_CJK:
        cjk = len(text) - len(_CJK_CHARS.sub("", text))
        if cjk * 3 >= len(text) - text.count(" "):
            return "cjk"
    if kinds & _K_UNSPACED:
        return "unspaced"
    if kinds & _K_SHAPED:
        return "shaped"
    return None


_K_RTL, _K_CJK, _K_UNSPACED, _K_SHAPED = 1, 2, 4, 8
_char_kinds: dict[str, int] = {}
"""Per character: which of _script_kind's classes it is in (bits above), once looked up."""
# Compiled when first used (~4 ms: wide ranges), which only text beyond Latin script needs.
_CJK_CHARS = LazyPattern("[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                                       for a, b in _CJK_RANGES) + "]", 0)


_UNSPACED_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))
"""Thai, Lao, Myanmar, Khmer: no spaces between words."""


def _bidi_levels(text: str, rtl: bool) -> list[int]:
    """Resolved embedding levels (Unicode bidi algorithm, rules up to I2), one per character."""
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    uba.get_embedding_levels(text, storage, False, False)
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    resolved = storage["chars"]
    # Rule X9 drops embedding controls and boundary neutrals: re-align by character.
    levels: list[int] = []
    j, last = 0, storage["base_level"]
    for ch in text:
        if j < len(resolved) and resolved[j]["ch"] == ch:
            last = resolved[j]["level"]
            j += 1
        levels.append(last)
    return levels


def _reorder(levels: Sequence[int]) -> list[int]:
    """Rule L2: the visual order (indices) of items with these levels."""
    order = list(range(len(levels)))
    if not levels:
        return order
    top, low = max(levels), min(lv for lv in levels)
    lowest_odd = low if low % 2 else low + 1
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


def _hb_reverses(text: str) -> bool:
    """Whether HarfBuzz (which guesses the direction from the script) will set text right to
    left: reportlab shapes each word that way, so RTL letters come out in visual order."""
    import unicodedata

    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


@functools.lru_cache(maxsize=4096)
def _shaped_width(text: str, font: str, size: float) -> float:
    """Width of a piece of text as reportlab will set it, shaped (joined, ligated)."""
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from octavo.writers._actualtext import shape_frag_word

    plain = float(stringWidth(text, font, size))
    try:
        shaped = shape_frag_word([plain, (ABag(fontName=font, fontSize=size), text)], _FEATURES)
    except Exception:  # an unshapable font: its plain width is what is drawn
        return plain
    return float(shaped[0])


_shaper_installed = False
_FEATURES = {"kern": True, "liga": True}
"""OpenType features for shaping: reportlab adds "dlig", which turns Hebrew vav-yod into the
Yiddish ligature U+05F1 (a different letter when copied out of the PDF)."""
_PRIVATE = range(0xE000, 0xF900)
_ligature_clusters: dict[str, set[tuple[tuple[int, ...], str]]] = {}
"""Per font face: (codes of a cluster's glyphs, the cluster's text) for every cluster that
has a glyph reportlab gave a private-use code (a ligature or a contextual form with no
character of its own: Arabic lam-alef, a Devanagari conjunct or i-sign)."""


def _remember_ligatures(shaped: Any, source: str) -> None:
    """Note the clusters with private-use glyphs, for the ToUnicode map (see _ligature_map)."""
    from reportlab.pdfbase.pdfmetrics import getFont

    for f, text in shaped[1:]:
        data = getattr(text, "__shapeData__", None)
        if not data or not hasattr(f, "fontName"):
            continue
        face = getFont(f.fontName).face
        name = face.name.decode("latin-1") if isinstance(face.name, bytes) else str(face.name)
        clusters = sorted({d.cluster for d in data if 0 <= d.cluster < len(source)})
        following = {c: (clusters[k + 1] if k + 1 < len(clusters) else len(source))
                     for k, c in enumerate(clusters)}
        glyphs: dict[int, list[int]] = {}
        for ch, d in zip(text, data):
            if d.cluster in following:
                glyphs.setdefault(d.cluster, []).append(ord(ch))
        seen = _ligature_clusters.setdefault(name, set())
        for cluster, codes in glyphs.items():
            if any(c in _PRIVATE for c in codes) and len(seen) < 100_000:
                seen.add((tuple(codes), source[cluster:following[cluster]]))


def _ligature_map(face: str) -> dict[int, str]:
    """The text each private-use glyph of a face stands for.

    A cluster's text, less the characters its other glyphs stand for, belongs to its one
    private glyph ("कि" = i-sign glyph + the glyph of "क": the i-sign glyph is "ि"). Clusters
    with two private glyphs are solved once one of them is known from another cluster; a
    glyph still unknown then takes the rest of its first cluster.
    """
    clusters = sorted(_ligature_clusters.get(face, ()))
    known: dict[int, str] = {}

    def rest(codes: tuple[int, ...], text: str, skip: int) -> str:
        left = list(text)
        for code in codes:
            if code == skip:
                continue
            for ch in known.get(code, "") if code in _PRIVATE else chr(code):
                if ch in left:
                    left.remove(ch)
        return "".join(left)

    changed = True
    while changed:
        changed = False
        for codes, text in clusters:
            unknown = {c for c in codes if c in _PRIVATE and c not in known}
            if len(unknown) == 1:
                code = unknown.pop()
                found = rest(codes, text, code)
                if found:
                    known[code] = found
                    changed = True
    for codes, text in clusters:
        for code in codes:
            if code in _PRIVATE and code not in known:
                found = rest(codes, text, code)
                if found:
                    known[code] = found
    return known


def _install_shaper() -> None:
    """Adjust reportlab's shaping (once per process; reportlab has no hook for it).

    reportlab shapes a whole word with the HarfBuzz font of its first run, so a Hebrew word
    followed by a comma from DejaVu came out as wrong glyphs: each run is shaped with its own
    font here, and the results put side by side (the runs are already in visual order). The
    shaping itself and the drawing are _actualtext's: clusters whose glyphs do not read back
    as their text get ActualText, glyphs without a character their true widths. And the
    ToUnicode map of ligature glyphs gives their letters, not private-use codes, and that of
    Arabic presentation forms the letters written.
    """
    global _shaper_installed
    if _shaper_installed:
        return
    try:
        import uharfbuzz  # noqa: F401  (reportlab shapes with it when it can be imported)
    except ImportError:
        diagnostics.warn("no-shaping", "uharfbuzz is not installed: Arabic, Hebrew, Indic and "
                                       "Thai text is set unshaped (pip install uharfbuzz)")
    import reportlab.platypus.paragraph as rl_paragraph
    from reportlab.pdfbase import ttfonts
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from octavo.writers import _actualtext

    # Shaped clusters carry their text to the page (ActualText) and private glyphs their
    # true widths: see _actualtext.
    original = _actualtext.shape_frag_word
    original_cmap = ttfonts.makeToUnicodeCMap
    _actualtext.install()

    def shaped_already(word: Any) -> bool:
        # Words of a paragraph split across pages come back with their shaped text.
        return any(isinstance(t, ttfonts.ShapedStr) for _, t in word[1:])

    def shape_one(word: Any) -> Any:
        if shaped_already(word):
            return word
        source = "".join(t for f, t in word[1:] if not hasattr(f, "cbDefn"))
        shaped = original(word, _FEATURES)
        if shaped is not word:
            _remember_ligatures(shaped, source)
        return shaped

    def shape(word: Any) -> Any:
        if isinstance(word, ttfonts.ShapedFragWord):
            return word
        parts = word[1:]
        names = {f.fontName for f, _ in parts if not hasattr(f, "cbDefn")}
        if len(names) <= 1:
            return shape_one(word)
        total, out, changed = 0.0, [], False
        for f, text in parts:
            if hasattr(f, "cbDefn") or not text:
                out.append((f, text))
                continue
            if isinstance(text, ttfonts.ShapedStr):
                total += sum(d.x_advance for d in text.__shapeData__) * f.fontSize / 1000
                out.append((f, text))
                continue
            width = stringWidth(text, f.fontName, f.fontSize)
            shaped = shape_one([width, (f, text)])
            changed = changed or shaped[1:] != [(f, text)]
            total += shaped[0]
            out.extend(shaped[1:])
        if not changed:
            return word
        return ttfonts.makeShapedFragWord(word)([total, *out])

    def to_unicode(fontname: str, subset: Any) -> str:
        cmap = original_cmap(fontname, subset)
        mapping = _ligature_map(fontname.split("+", 1)[-1])
        for i, cp in enumerate(subset):
            text = mapping.get(cp) or _actualtext.presentation_text(cp)
            if text:
                hexed = "".join(f"{b:02X}" for b in text.encode("utf-16-be"))
                cmap = cmap.replace(f"<{i:02X}> <{cp:04X}>", f"<{i:02X}> <{hexed}>", 1)
        return cmap

    rl_paragraph.shapeFragWord = shape
    ttfonts.makeToUnicodeCMap = to_unicode
    _shaper_installed = True


def _mirrored(text: str) -> str:
    from octavo.writers._actualtext import mirrored

    return mirrored(text)


def _draw_placeholders() -> None:
    """Draw characters no font has as a placeholder glyph with ActualText (see _actualtext)."""
    from octavo.writers._actualtext import install

    install()


@dataclass(slots=True)
class _Piece:
    """Characters of one word with one run (font) and one bidi level."""

    text: str
    run: int
    level: int


def _bidi_markup(runs: list[_Run], base_font: str, size: float, width: float,
                 first_width: float, rtl: bool, split_words: bool = False) -> list[str]:
    """Break a paragraph with right-to-left text into lines, each in visual order.

    Lines are broken on the logical text (greedy, at spaces, measuring shaped widths); then the
    words of each line are reordered by the bidi algorithm (rule L2). HarfBuzz sets each
    right-to-left word's letters in visual order itself; pieces it would not reverse (neutral
    punctuation in an RTL word) are reversed and mirrored here, and pieces it would wrongly
    reverse (Arabic-Indic digits, which run left to right) are pre-reversed. With
    split_words (Thai), a word that does not fit is broken between clusters.
    """
    chars: list[tuple[str, int]] = []
    lines_src: list[list[tuple[str, int]]] = [chars]
    for i, run in enumerate(runs):
        if run.br:
            chars = []
            lines_src.append(chars)
            continue
        chars.extend((ch, i) for ch in run.text)
    out_lines: list[str] = []
    for block in lines_src:
        text = "".join(ch for ch, _ in block)
        levels = _bidi_levels(text, rtl) if text else []
        words: list[list[_Piece]] = []
        current: list[_Piece] = []
        for (ch, i), level in zip(block, levels):
            if ch in _BREAKING:
                if current:
                    words.append(current)
                current = []
                continue
            if current and current[-1].run == i and current[-1].level == level:
                current[-1].text += ch
            else:
                current.append(_Piece(ch, i, level))
        if current:
            words.append(current)

        def measure(word: list[_Piece]) -> float:
            return sum(_shaped_width(p.text, runs[p.run].font, runs[p.run].size or size)
                       for p in word)

        space = _advance(base_font, " ") * size
        line: list[list[_Piece]] = []
        used = 0.0
        limit = first_width if not out_lines else width
        k = 0
        while k < len(words):
            word = words[k]
            w = measure(word)
            room = limit - 0.5 - (used + space if line else 0.0)
            if w > room and split_words and len(word) == 1:
                # No spaces between words (Thai): fill the line and break between clusters.
                piece = word[0]
                font, psize = runs[piece.run].font, runs[piece.run].size or size
                cut = _fit_clusters(piece.text, font, psize, room, force=not line)
                if cut:
                    line.append([_Piece(piece.text[:cut], piece.run, piece.level)])
                    out_lines.append(_visual_line(line, runs, base_font, rtl))
                    line, used, limit = [], 0.0, width
                    words[k] = [_Piece(piece.text[cut:], piece.run, piece.level)]
                    continue
            if line and used + space + w > limit - 0.5:
                out_lines.append(_visual_line(line, runs, base_font, rtl))
                line, used, limit = [], 0.0, width
            used += (space if line else 0.0) + w
            line.append(word)
            k += 1
        out_lines.append(_visual_line(line, runs, base_font, rtl))
    return out_lines


_THAI_LEADING = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")
_THAI_FOLLOWING = frozenset("\u0e2f\u0e30\u0e32\u0e33\u0e45\u0e46\u0eb0\u0eb2\u0eb3\u0ec6")


def _cluster_breaks(text: str) -> list[int]:
    """Offsets where an unspaced (Thai, Lao) text may break in an emergency: between
    syllable-like clusters, never before a combining mark or a following vowel, never after
    a leading vowel. Not a dictionary word break (none is bundled), but no cluster is torn."""
    import unicodedata

    out = []
    for i in range(1, len(text)):
        ch, before = text[i], text[i - 1]
        if unicodedata.category(ch).startswith("M") or ch in _THAI_FOLLOWING:
            continue
        if before in _THAI_LEADING or unicodedata.category(before) == "Cf":
            continue
        out.append(i)
    return out


def _fit_clusters(text: str, font: str, size: float, room: float, *, force: bool) -> int:
    """The longest cluster-boundary prefix of text narrower than room (0 if none fits);
    with force, at least the first cluster (a line must take something)."""
    cuts = _cluster_breaks(text)
    lo, hi, best = 0, len(cuts) - 1, 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if _shaped_width(text[:cuts[mid]], font, size) <= room:
            best, lo = cuts[mid], mid + 1
        else:
            hi = mid - 1
    if not best and force and cuts:
        best = cuts[0]
    return best


def _visual_line(words: list[list[_Piece]], runs: list[_Run], base_font: str, rtl: bool) -> str:
    if not words:
        return ""
    base = 1 if rtl else 0

    def word_level(word: list[_Piece]) -> int:
        return max(p.level for p in word)

    parts: list[str] = []
    for wi in _reorder([max(base, word_level(w)) if len(w) > 1 else w[0].level for w in words]):
        word = words[wi]
        pieces = [word[k] for k in _reorder([p.level for p in word])]
        body: list[_Run] = []
        for p in pieces:
            text = p.text
            if p.level % 2 and not _hb_reverses(text):
                text = _mirrored(text[::-1])  # drawn mirrored, read back as written
            elif not p.level % 2 and _hb_reverses(text):
                text = text[::-1]
            src = runs[p.run]
            body.append(_Run(text, src.font, src.size, src.wrap))
        parts.append(_markup(body, base_font))
    return escape(" ").join(parts)


_CHUNK_ABOVE = 12_000
"""Paragraphs longer than this (characters) are set in chunks."""
_CHUNK_CHARS = 2000
"""The size chunks aim for: total-fit breaking a chunk takes milliseconds."""
_SENTENCE_END = (". ", "! ", "? ", "。", "！", "？", "। ", "؟ ")


def _chunks(runs: list[_Run], size: int) -> list[list[_Run]]:
    """Split runs into pieces of about `size` characters, at a sentence end if one is near
    (else at a space, else anywhere), keeping each run's font and markup."""
    text = "".join(r.text for r in runs)
    cuts: list[int] = []
    start = 0
    while len(text) - start > size * 1.5:
        window = text[start + size // 2:start + size * 3 // 2]
        cut = max((window.rfind(end) + len(end) for end in _SENTENCE_END if end in window),
                  default=-1)
        if cut <= 0:
            cut = window.rfind(" ") + 1
        if cut <= 0:
            cut = len(window)
        start += size // 2 + cut
        cuts.append(start)
    if not cuts:
        return [runs]
    out: list[list[_Run]] = [[]]
    pos = 0  # where the current run starts in `text`
    bounds = iter(cuts)
    cut = next(bounds, None)
    for run in runs:
        rest, at = run.text, pos
        while cut is not None and at + len(rest) > cut:
            head, rest = rest[:cut - at], rest[cut - at:]
            if head:
                out[-1].append(_Run(head, run.font, run.size, run.wrap))
            out.append([])
            at = cut
            cut = next(bounds, None)
        if rest or run.br:
            out[-1].append(_Run(rest, run.font, run.size, run.wrap, run.br))
        pos += len(run.text)
    return [chunk for chunk in out if any(r.text.strip() for r in chunk)]


def _kind(text: str) -> str | None:
    """_script_kind, answered at once for text that only adds general punctuation (quotes,
    dashes, spaces: never shaped, right-to-left or CJK) to the scripts before Hebrew."""
    if _BEYOND_PUNCTUATION.search(text) is None:
        return None
    return _script_kind(text)


_BEYOND_PUNCTUATION = re.compile("[^\x00-\u058f\u2000-\u200e\u2010-\u206f]")
"""A character from Hebrew on that is not general punctuation (RLM excepted): one search in C
instead of a loop over the text's characters. Written as the complement: `re` compiles the
small ranges in 1 ms, the large ones ([\u0590-\u1fff\u200f\u2070-\U0010ffff]) in 9."""


@functools.cache
def _broken_class() -> type:
    """A Paragraph for text whose lines _break_lines already chose (ended by <br/>).

    reportlab's breakLines would only find the same lines again, at a quarter of the PDF's
    time: it tries hyphenation and space shrinking word by word. Here the lines are built
    from reportlab's own frag words as its breakLines builds them for lines that fit, so
    drawing, links and page splits work as for any Paragraph. Anything unexpected (another
    width than the one broken for, bullets, images, soft hyphens, words reportlab splits
    differently) falls back to reportlab's breakLines.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus.paragraph import (
        _FK_BREAK,
        _FK_TEXT,
        FragLine,
        ParaLines,
        _getFragWords,
        _HSFrag,
        _processed_frags,
        sameFrag,
        whitespace,
    )
    from reportlab.platypus.paragraph import lstrip as rl_lstrip
    from reportlab.platypus.paragraph import split as rl_split

    space_widths: dict[tuple[str, float], float] = {}

    def space_width(font: str, size: float) -> float:
        key = (font, size)
        found = space_widths.get(key)
        if found is None:
            found = space_widths[key] = stringWidth(" ", font, size)
        return found

    word_widths: dict[tuple[str, str, float], float] = {}

    def word_width(w: str, font: str, size: float) -> float:
        key = (w, font, size)
        found = word_widths.get(key)
        if found is None:
            found = word_widths[key] = stringWidth(w, font, size)
        return found

    def frag_words(frags: list[Any]) -> list[Any] | None:
        """_getFragWords(frags) for frags of plain text and line breaks (checked by the caller),
        with each word's stringWidth remembered: news text repeats most of its words. The
        code follows reportlab's text and lineBreak branches step by step, so the words (and
        the _fkind marks it leaves on the frags) are the same. None for soft hyphens."""
        if len(word_widths) > _WORD_MEMO_MAX:
            word_widths.clear()
        out: list[Any] = []
        add = out.append
        known_width = word_widths.get
        word: list[Any] = []
        n: float = 0  # an int until a width is added, as in reportlab
        hanging_strip = True
        for f in frags:
            text = f.text
            if text != "":
                if _SHY in text:
                    return None
                f._fkind = _FK_TEXT
                if hanging_strip:
                    text = rl_lstrip(text)
                    if not text:
                        continue
                    hanging_strip = False
                parts = rl_split(text)
                if text[0] in whitespace or not parts:
                    if word:
                        word.insert(0, n)
                        add(word)
                        word = []
                        n = 0
                        hanging = False
                    else:
                        hanging = bool(out) and isinstance(out[-1], _HSFrag)
                    if not hanging:
                        parts.insert(0, "")
                    elif not parts:
                        continue
                font, size = f.fontName, f.fontSize
                last = len(parts) - 1
                if last:
                    w = parts[0]  # ends the word begun before (if any)
                    word.append((f, w))
                    n += word_width(w, font, size)
                    word.insert(0, n)
                    add(_HSFrag(word))
                    # The words between: [0 + width, (f, w)] as above, built in one go.
                    for w in parts[1:last]:
                        found = known_width((w, font, size))
                        add(_HSFrag([word_width(w, font, size) if found is None else found,
                                     (f, w)]))
                    word = []
                    n = 0
                w = parts[-1]
                word.append((f, w))
                n += word_width(w, font, size)
                if text[-1] in whitespace:
                    word.insert(0, n)
                    add(_HSFrag(word))
                    word = []
                    n = 0
            elif hasattr(f, "lineBreak"):
                if word:
                    word.insert(0, n)
                    add(word)
                    word = []
                    n = 0
                f._fkind = _FK_BREAK
                add([0, (f, "")])
                hanging_strip = True
        if word:
            word.insert(0, n)
            add(word)
        if not out and frags:
            f = frags[0]
            f._fkind = _FK_TEXT
            out = [[0, (f, "")]]
        return out

    def frag_lines(para: Any, widths: list[float]) -> tuple[list[Any], list[Any]] | None:
        """(lines, frag words) as reportlab's breakLines makes them, or None to let it."""
        frags = para.frags
        shrinkage = para.style.spaceShrinkage
        words_in = None
        if not _processed_frags(frags):
            for f in frags:
                if hasattr(f, "cbDefn") or not (hasattr(f, "lineBreak")
                                                or _RL_ODD_SPACE.isdisjoint(f.text)):
                    return None
            words_in = frag_words(frags)
        if words_in is None:
            words_in = _getFragWords(frags, widths[0])
        lines: list[Any] = []
        words: list[Any] = []
        fw: list[Any] = []
        width_max = 0.0
        lineno = 0
        max_width = widths[0]
        n = 0
        space = current = 0.0
        max_size = max_ascent = min_descent = 0.0
        g: Any = None
        g_from: Any = None  # the frag g was cloned from: the same frag is always sameFrag
        start = 0
        metrics: dict[tuple[str, float], tuple[float, float]] = {}
        fw_append = fw.append
        for w in words_in:
            kind = type(w)
            if kind is not list and kind is not _HSFrag:
                return None  # a soft-hyphen or split word (subclasses): reportlab's business
            fw_append(w)
            head = w[1]
            f = head[0]
            if not words:
                last = w[-1][0]
                n = 0
                space = current = 0.0
                max_size = last.fontSize
                max_ascent, min_descent = _ascent_descent(last.fontName, max_size, metrics)
                g_from = None
            word_width = w[0]
            new = current + space + word_width if word_width > 0 else current
            fkind = f._fkind
            if fkind == _FK_BREAK:
                words.append(_clone_frag(f))
                width_max = max(width_max, current)
                lines.append(FragLine(extraSpace=max_width - current, wordCount=n,
                                      lineBreak=False, words=words, fontSize=max_size,
                                      ascent=max_ascent, descent=min_descent,
                                      maxWidth=max_width, sFW=start))
                start = len(fw) - 1
                lineno += 1
                max_width = widths[min(lineno, len(widths) - 1)]
                words = []
                continue
            if fkind != _FK_TEXT:
                return None
            if new > max_width:
                # Where even its shrunk spaces do not make a word fit, reportlab ends the line
                # (or splits the word): the lines are not the ones broken for, so it breaks them.
                shrink = space
                for wi in words:
                    if wi._fkind == _FK_TEXT:
                        count = wi.text.count(" ")
                        if count:
                            shrink += count * space_width(wi.fontName, wi.fontSize)
                if new > max_width + shrink * shrinkage:
                    return None
            text = head[1]
            if text:
                n += 1
            if f is not g_from:
                ascent, descent = _ascent_descent(f.fontName, f.fontSize, metrics)
                max_size = max(max_size, f.fontSize)
                max_ascent = max(max_ascent, ascent)
                min_descent = min(min_descent, descent)
                if not words:
                    g = _clone_frag(f)
                    g_from = f
                    words = [g]
                    g.text = text
                elif not sameFrag(g, f):
                    if space:
                        for wi in reversed(words):
                            if wi._fkind == _FK_TEXT:
                                if not wi.text.endswith(" "):
                                    wi.text += " "
                                break
                    g = _clone_frag(f)
                    g_from = f
                    words.append(g)
                    g.text = text
                elif space:
                    g.text += text if g.text.endswith(" ") else " " + text
                else:
                    g.text += text
            elif space:
                g.text += text if g.text.endswith(" ") else " " + text
            else:
                g.text += text
            # The space after the word: reportlab takes the font of the word's last piece at
            # the size of its first.
            if len(w) == 2:  # one piece: the common case
                if kind is _HSFrag:
                    key = (f.fontName, f.fontSize)
                    space = space_widths.get(key) or space_width(*key)
                else:
                    space = 0.0
                current = new
                continue
            if kind is _HSFrag:
                font = w[-1][0].fontName
                space = space_widths.get((font, f.fontSize)) or space_width(font, f.fontSize)
            else:
                space = 0.0
            some = False
            for piece, piece_text in w[2:]:
                g = _clone_frag(piece)
                g_from = piece
                g.text = piece_text
                some = some or bool(piece_text)
                words.append(g)
                ascent, descent = _ascent_descent(g.fontName, g.fontSize, metrics)
                max_size = max(max_size, g.fontSize)
                max_ascent = max(max_ascent, ascent)
                min_descent = min(min_descent, descent)
            if not text and some:
                n += 1
            current = new
        if words:
            width_max = max(width_max, current)
            lines.append(FragLine(extraSpace=max_width - current, wordCount=n, lineBreak=False,
                                  words=words, fontSize=max_size, ascent=max_ascent,
                                  descent=min_descent, maxWidth=max_width, sFW=start))
        para._width_max = width_max
        return lines, fw

    class _Broken(RLParagraph):  # type: ignore[misc]
        _octavo_width = -1.0
        """The measure (of the lines after the first) the breaks were chosen for."""

        def breakLines(self, width: Any) -> Any:
            widths = list(width) if isinstance(width, (list, tuple)) else [width]
            style = self.style
            leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
            if (len(self.frags) < 2  # one line in one font: reportlab's quick case
                    or abs(widths[-1] - self._octavo_width) > 0.01 or self.bulletText
                    or getattr(style, "endDots", None) or getattr(style, "wordWrap", None)
                    or getattr(style, "shaping", 0) or leading not in ("", "off")):
                return RLParagraph.breakLines(self, width)
            self.height = 0
            self._splitLongWordCount = self._hyphenations = 0
            built = frag_lines(self, widths)
            if built is None:
                return RLParagraph.breakLines(self, width)
            lines, self.frags = built
            return ParaLines(kind=1, lines=lines)

        def split(self, aw: float, ah: float) -> list[Any]:
            parts = RLParagraph.split(self, aw, ah)
            for part in parts:
                part._octavo_width = self._octavo_width
            return parts  # type: ignore[no-any-return]

    _Broken.frag_words = staticmethod(frag_words)  # for the tests
    return _Broken


def _ascent_descent(font: str, size: float,
                    known: dict[tuple[str, float], tuple[float, float]]) -> tuple[float, float]:
    """reportlab's getAscentDescent, remembered in `known` (one paragraph's or split's)."""
    found = known.get((font, size))
    if found is None:
        from reportlab.pdfbase.pdfmetrics import getAscentDescent

        found = known[(font, size)] = getAscentDescent(font, size)
    return found


def _clone_frag(frag: Any, **changes: Any) -> Any:
    """frag.clone(**changes) for reportlab's ParaFrag, in half the time: ABag.clone passes the
    attributes through the constructor as keywords, which only puts them in the new __dict__."""
    cls = type(frag)
    if cls is not _para_frag_class():
        return frag.clone(**changes)
    made = cls.__new__(cls)
    attrs = made.__dict__
    attrs.update(frag.__dict__)
    if changes:
        attrs.update(changes)
    return made


@functools.cache
def _para_frag_class() -> type:
    from reportlab.platypus.paraparser import ParaFrag

    return ParaFrag  # type: ignore[no-any-return]


# Whitespace reportlab splits words at, besides the space: text with these is left to it.
_RL_ODD_SPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u1680\u2000\u2001\u2002\u2003"
                          "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f"
                          "\u205f\u3000")


@functools.cache
def _line_set_class() -> type:
    """A Paragraph whose lines were broken here for a guessed width: when it is wrapped in
    another width (a table cell), it breaks them again for that width."""
    from reportlab.platypus import Paragraph as RLParagraph

    class _LineSet(RLParagraph):  # type: ignore[misc]
        _octavo_build: Any = None
        _octavo_width = 0.0

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            inner = aw - self.style.leftIndent - self.style.rightIndent
            if self._octavo_build is not None and abs(inner - self._octavo_width) > 0.5:
                self._octavo_width = inner
                RLParagraph.__init__(self, self._octavo_build(inner), self.style)
            return RLParagraph.wrap(self, aw, ah)  # type: ignore[no-any-return]

    return _LineSet


# --- rendering an article -------------------------------------------------------------------


@dataclass(slots=True)
class _Renderer:
    """Turns one article's model into flowables, in that article's language."""

    lay: Layout
    language: str
    options: WriteOptions
    outline: _Outline
    anchor: str
    styles: dict[str, ParagraphStyle] = field(init=False)
    marks: QuoteMarks = field(init=False)
    missing: list[str] = field(default_factory=list)
    positions: Any = None
    """Allowed hyphenation points of a word, or None without hyphenation."""
    _indented: dict[tuple[str, float], ParagraphStyle] = field(default_factory=dict)
    _templates: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    """(style id, font, size, wrap) -> (style, the frag reportlab parses for such a run)."""
    notes: dict[Note, int] = field(default_factory=dict)
    """The article's footnotes so far and their numbers, in the order the text refers to them
    (a note referred to again keeps its number)."""
    _in_notes: bool = False

    @property
    def rtl(self) -> bool:
        """Whether the article's language is written right to left (mirrors lists, tables)."""
        return self.language.split("-")[0].lower() in _RTL_LANGUAGES

    def __post_init__(self) -> None:
        from octavo.typography.hyphenation import hyphenator, positions

        hy = None
        if self.options.hyphenate:
            hy = hyphenator(self.language)
            self.positions = positions(self.language)
            if hy is None and self.language.split("-")[0].lower() not in _NO_HYPHENATION:
                diagnostics.warn(
                    "no-hyphenation",
                    f"no hyphenation dictionary for language {self.language!r}; "
                    "the PDF is justified without hyphenation",
                )
        self.styles = _styles(self.lay, hy)
        self.marks = quote_marks(self.language) if self.options.typography else _STRAIGHT

    # inline content -------------------------------------------------------------------

    def runs(self, value: str, role: str, size: float | None = None,
             wrap: tuple[str, str] = ("", "")) -> list[_Run]:
        """Text split into font runs: each character in the first face of the role that has it."""
        out: list[_Run] = []
        for font, run in fonts.split_runs(value.translate(_LAYOUT_SPACES), fonts.chain(role)):
            if font is None:
                self.missing.extend(ch for ch in run if not ch.isspace())
                font = fonts.primary(role)
            out.append(_Run(run, font, size, wrap))
        return out

    def text(self, value: str, role: str, base: str) -> str:
        """Escaped markup for a text run, switching fonts where the role's face lacks glyphs."""
        return _markup(self.runs(value, role), base)

    def inline_runs(self, nodes: Iterable[Inline], *, family: str = "serif", bold: bool = False,
                    italic: bool = False, mono: bool = False, size: float | None = None,
                    wrap: tuple[str, str] = ("", ""), quote: bool | None = None) -> list[_Run]:
        out: list[_Run] = []
        previous: Inline | None = None
        for node in nodes:
            match node:
                case Text(value):
                    out += self.runs(value, _role(family, bold, italic, mono), size, wrap)
                case Emphasis(children):
                    # Emphasis inside italic turns upright, as in print.
                    out += self.inline_runs(children, family=family, bold=bold, italic=not italic,
                                            mono=mono, size=size, wrap=wrap, quote=quote)
                case Strong(children):
                    out += self.inline_runs(children, family=family, bold=True, italic=italic,
                                            mono=mono, size=size, wrap=wrap, quote=quote)
                case Superscript(children) | Subscript(children):
                    tag = "super" if isinstance(node, Superscript) else "sub"
                    out += self.inline_runs(children, family=family, bold=bold, italic=italic,
                                            mono=mono, size=size, quote=quote,
                                            wrap=(f"{wrap[0]}<{tag}>", f"</{tag}>{wrap[1]}"))
                case Code(value):
                    out += self.runs(value, "mono", self.lay.font_size * _CODE_SCALE, wrap)
                case Link(children, url):
                    inner = wrap
                    # A link inside a link keeps the outer target: PDF links cannot nest.
                    if url.strip().lower().startswith(_LINK_SCHEMES) and "<a " not in wrap[0]:
                        tag = f'<a href="{_attr(url.strip())}" color="{_LINK_COLOR}">'
                        inner = (wrap[0] + tag, "</a>" + wrap[1])
                    out += self.inline_runs(children, family=family, bold=bold, italic=italic,
                                            mono=mono, size=size, wrap=inner, quote=quote)
                case Quoted(children, double):
                    # Nested quotations alternate kind, as in the EPUB writer (Russian «… „…“ …»).
                    kind = double if quote is None else not quote
                    opening, closing = self.marks.nested_pair(double, quote)
                    role = _role(family, bold, italic, mono)
                    out += self.runs(opening, role, size, wrap)
                    out += self.inline_runs(children, family=family, bold=bold, italic=italic,
                                            mono=mono, size=size, wrap=wrap, quote=kind)
                    out += self.runs(closing, role, size, wrap)
                case LineBreak():
                    out.append(_Run("", "", None, ("", ""), br=True))
                case Note() if not self._in_notes:  # the model has no notes in notes
                    n = self.notes.setdefault(node, len(self.notes) + 1)
                    # Notes side by side read "18,19", not "1819".
                    comma = "," if isinstance(previous, Note) else ""
                    role = _role(family, bold, italic, mono)
                    if comma:
                        out += self.runs(comma, role, size, (wrap[0] + "<super>",
                                                             "</super>" + wrap[1]))
                    # The number links to its note (not inside a link: PDF links cannot nest).
                    link = "" if "<a " in wrap[0] else f'<a href="#{self.anchor}-note-{n}">'
                    out += self.runs(str(n), role, size,
                                     (wrap[0] + link + "<super>",
                                      "</super>" + ("</a>" if link else "") + wrap[1]))
            previous = node
        return out

    def notes_section(self, level: int) -> list[Flowable]:
        """The article's footnotes, numbered as in the text, under a heading at its end."""
        if not self.notes:
            return []
        self._in_notes = True
        try:
            label, _language = notes_heading(self.language)
            out = self.blocks((Heading(2, (Text(label),)),), level=level)
            out.append(self.list_block(
                [note.children for note in self.notes], True, 1, 0, level,
                self.lay.frame_width,
                anchors=[f"{self.anchor}-note-{n}" for n in range(1, len(self.notes) + 1)]))
            return out
        finally:
            self._in_notes = False

    def para(self, nodes: Sequence[Inline], style: ParagraphStyle,
             measure: float | None = None) -> Flowable:
        """A paragraph; justified ones with a known measure get optimal (total-fit) line breaks."""
        family, bold, italic = _FONT_ROLES.get(style.fontName, ("serif", False, False))
        runs = self.inline_runs(nodes, family=family, bold=bold, italic=italic)
        for run in runs:  # inline code is set a little smaller than the text around it
            if run.size is not None:
                run.size = style.fontSize * _CODE_SCALE
        try:
            return self.set_runs(runs, style, measure)
        except ValueError:
            # A markup bug of ours must not lose the text: fall back to plain, escaped words.
            diagnostics.warn("pdf-markup", "a paragraph's formatting could not be set; "
                                           "it is printed as plain text")
            return self.plain(plain_text(tuple(nodes)), style)

    def paras(self, nodes: Sequence[Inline], style: ParagraphStyle, measure: float | None,
              rest: ParagraphStyle) -> list[Flowable]:
        """A body paragraph as flowables: one, or for a huge paragraph one per chunk.

        Line breaking and reportlab's page splitting both cost more than linearly in the
        length of a paragraph (a 400 KB paragraph without a newline took a minute), so very
        long ones are set as consecutive paragraphs of a few thousand characters, cut at
        sentence ends and broken greedily; the continuation chunks have no indent, so the
        text reads on.
        """
        length = sum(len(plain_text((n,))) for n in nodes)
        if length <= _CHUNK_ABOVE and not (style.alignment == _JUSTIFY
                                           and _kind(plain_text(tuple(nodes))) == "bidi"):
            return [self.para(nodes, style, measure)]
        family, bold, italic = _FONT_ROLES.get(style.fontName, ("serif", False, False))
        runs = self.inline_runs(nodes, family=family, bold=bold, italic=italic)
        for run in runs:
            if run.size is not None:
                run.size = style.fontSize * _CODE_SCALE
        from bidi.algorithm import get_base_level

        out: list[Flowable] = []
        chunks = _chunks(runs, _CHUNK_CHARS) if length > _CHUNK_ABOVE else [runs]
        for i, chunk in enumerate(chunks):
            st = style if i == 0 else rest
            text = "".join(r.text for r in chunk)
            kind = _kind(text)
            if st.alignment == _JUSTIFY and kind == "bidi" and get_base_level(text) == 1:
                out.extend(self.justified_rtl(chunk, st, measure))
            elif kind is None and len(chunks) > 1:
                # Greedy breaking (reportlab's own) for a huge paragraph: a third of the
                # time of total-fit, and no one reads such a wall of text for its spacing.
                out.append(self.set_runs(chunk, st, None))
            else:
                out.append(self.set_runs(chunk, st, measure))
        return out

    def set_runs(self, runs: list[_Run], style: ParagraphStyle,
                 measure: float | None) -> Flowable:
        """The Paragraph flowable for runs: bidi, CJK and shaped text each set their own way."""
        from reportlab.platypus import Paragraph as RLParagraph

        kind = _kind("".join(r.text for r in runs))
        if kind == "bidi":
            return self.bidi_paragraph(runs, style, measure)
        if kind == "cjk":
            style = self.variant(style, "cjk", wordWrap="CJK", hyphenationLang="",
                                 embeddedHyphenation=0)
        elif kind == "unspaced":
            return self.bidi_paragraph(runs, style, measure, split_words=True)
        elif kind == "shaped":
            _install_shaper()
            style = self.variant(style, "shaped", shaping=1, hyphenationLang="",
                                 embeddedHyphenation=0)
        elif measure is not None and style.alignment == _JUSTIFY:
            broken = _break_lines(runs, style, measure - style.leftIndent - style.rightIndent,
                                  self.positions)
            if broken is not None:
                style = self.fixed_breaks(style)
                frags = self.frags(broken, style)
                if frags is None:
                    para = _broken_class()(_markup(broken, style.fontName), style)
                else:  # the markup need not be parsed: reportlab's frags, made directly
                    para = _broken_class()(None, style, frags=frags)
                para._octavo_runs = broken
                para._octavo_width = measure - style.leftIndent - style.rightIndent
                return para
        markup = _markup(runs, style.fontName)
        if kind == "cjk":
            # CJK lines are made character by character and regrouped by look, so frags made
            # directly give the parser's lines even where it would have joined two runs; only
            # text its whitespace cleaner would change must be parsed.
            from reportlab.platypus.paragraph import cleanBlockQuotedText

            if cleanBlockQuotedText(markup) == markup:
                frags = self.frags(runs, style)
                if frags is not None:
                    return RLParagraph(None, style, frags=frags)
        return RLParagraph(markup, style)

    def frags(self, runs: list[_Run], style: ParagraphStyle) -> list[Any] | None:
        """The frags reportlab's parser makes of _markup(runs), without the parser (a tenth
        of a PDF's time): each run is a copy of the frag parsed once for a run of its look.
        None (parse the markup) when the parser does not give the one frag expected."""
        out: list[Any] = []
        links = 0  # the parser numbers each <a> of a paragraph; _markup gives each run its own
        templates = self._templates
        style_id = id(style)
        frag_class = _para_frag_class()
        for run in runs:
            if run.br:
                key: tuple[Any, ...] = (style_id, None)
            elif not run.text:
                continue
            else:
                key = (style_id, run.font, run.size, run.wrap)
            known = templates.get(key)
            if known is None:
                from reportlab.platypus.paraparser import ParaParser

                sample = [_Run("x", style.fontName), run] if run.br else \
                    [_Run("x", run.font, run.size, run.wrap)]
                parsed_style, parsed, _ = ParaParser().parse(_markup(sample, style.fontName),
                                                             style)
                if parsed_style is not style or parsed is None or len(parsed) != len(sample):
                    return None
                known = self._templates[key] = (style, parsed[-1])
            template = known[1]
            if template.link:
                link = [(links + i, url) for i, (_, url) in enumerate(template.link)]
                links += len(link)
            else:
                link = []
            if type(template) is frag_class:  # _clone_frag(template, text=..., ...) inline
                made = frag_class.__new__(frag_class)
                attrs = made.__dict__
                attrs.update(template.__dict__)
                attrs["text"] = run.text
                attrs["link"] = link
                attrs["us_lines"] = list(template.us_lines)
                out.append(made)
            else:
                out.append(_clone_frag(template, text=run.text, link=link,
                                       us_lines=list(template.us_lines)))
        return out

    def bidi_paragraph(self, runs: list[_Run], style: ParagraphStyle,
                       measure: float | None, split_words: bool = False) -> Flowable:
        """A paragraph with right-to-left text: broken and reordered here, shaped by reportlab.

        A right-to-left paragraph is set flush right (ragged left: reportlab justifies the
        last line to the left, which is wrong in RTL) without a first-line indent; justified
        body paragraphs go through justified_rtl instead. Thai (split_words) is broken here
        too, between clusters where a line is full, and set ragged right: justified, lines
        with one or two spaces would show wide gaps.
        """
        from bidi.algorithm import get_base_level
        from reportlab.lib.enums import TA_LEFT, TA_RIGHT
        from reportlab.platypus import Paragraph as RLParagraph

        _install_shaper()
        text = "".join(r.text for r in runs)
        rtl = get_base_level(text) == 1
        indent = 0.0 if rtl else style.firstLineIndent

        def build(width: float) -> str:
            return "<br/>".join(_bidi_markup(runs, style.fontName, style.fontSize, width,
                                             width - indent, rtl, split_words))

        width = (measure if measure is not None else self.lay.frame_width) \
            - style.leftIndent - style.rightIndent
        markup = build(width)
        if rtl:
            style = self.variant(style, "rtl", alignment=TA_RIGHT, firstLineIndent=0,
                                 shaping=1, hyphenationLang="", embeddedHyphenation=0,
                                 splitLongWords=0)
        else:
            align = _JUSTIFY if style.alignment == _JUSTIFY and not split_words else TA_LEFT
            style = self.variant(style, "unspaced" if split_words else "bidi", alignment=align,
                                 justifyBreaks=1, shaping=1, hyphenationLang="",
                                 embeddedHyphenation=0, splitLongWords=0)
        if measure is not None:
            para = RLParagraph(markup, style)
        else:  # a table cell or heading: the lines are set again at the width it gets
            para = _line_set_class()(markup, style)
            para._octavo_build, para._octavo_width = build, width
        para._octavo_fixed = True  # type: ignore[attr-defined]  # lines set here: no balancing
        return para

    def justified_rtl(self, runs: list[_Run], style: ParagraphStyle,
                      measure: float | None) -> list[Flowable]:
        """A right-to-left body paragraph, justified: all lines but the last are spread to
        the measure, the last is set flush right (reportlab would put it flush left, so it
        is a paragraph of its own, with no space between the two)."""
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.platypus import Paragraph as RLParagraph

        _install_shaper()
        width = (measure if measure is not None else self.lay.frame_width) \
            - style.leftIndent - style.rightIndent
        lines = _bidi_markup(runs, style.fontName, style.fontSize, width, width, True)
        common: dict[str, Any] = dict(firstLineIndent=0, shaping=1, hyphenationLang="",
                                      embeddedHyphenation=0, splitLongWords=0)
        last = RLParagraph(lines[-1], self.variant(style, "rtl", alignment=TA_RIGHT, **common))
        if len(lines) == 1:
            return [last]
        body = self.variant(style, "rtl-justified", alignment=_JUSTIFY, justifyBreaks=1,
                            justifyLastLine=1, spaceAfter=0, **common)
        last.style = self.variant(style, "rtl-last", alignment=TA_RIGHT, spaceBefore=0,
                                  **common)
        return [RLParagraph("<br/>".join(lines[:-1]), body), last]

    def variant(self, style: ParagraphStyle, tag: str, **kw: Any) -> ParagraphStyle:
        """A cached derived style (e.g. the right-to-left version of "body")."""
        from reportlab.lib.styles import ParagraphStyle as PS

        key = (f"{style.name}+{tag}", -2.0)
        if key not in self._indented:
            self._indented[key] = PS(key[0], parent=style, **kw)
        return self._indented[key]

    def fixed_breaks(self, style: ParagraphStyle) -> ParagraphStyle:
        """The style for pre-broken text: justify lines ended by <br/>, no second hyphenation."""
        from reportlab.lib.styles import ParagraphStyle as PS

        key = (style.name, -1.0)
        if key not in self._indented:
            self._indented[key] = PS(style.name + "+kp", parent=style, justifyBreaks=1,
                                     hyphenationLang="", embeddedHyphenation=0)
        return self._indented[key]

    def plain(self, value: str, style: ParagraphStyle) -> Flowable:
        from reportlab.platypus import Paragraph as RLParagraph

        family, bold, italic = _FONT_ROLES.get(style.fontName, ("serif", False, False))
        runs = self.runs(value, _role(family, bold, italic, False))
        if _kind(value) is None:
            return RLParagraph(_markup(runs, style.fontName), style)
        return self.set_runs(runs, style, None)

    def indented(self, name: str, indent: float) -> ParagraphStyle:
        from reportlab.lib.styles import ParagraphStyle as PS

        base = self.styles[name]
        if indent == 0:
            return base
        key = (name, indent)
        if key not in self._indented:
            self._indented[key] = PS(f"{name}+{indent:g}", parent=base,
                                     leftIndent=base.leftIndent + indent,
                                     rightIndent=base.rightIndent + indent)
        return self._indented[key]

    # blocks ---------------------------------------------------------------------------

    def title_block(self, article: Article, level: int) -> list[Flowable]:
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import HRFlowable, Spacer

        st = self.styles
        title = _balance(self.plain(article.title, st["title"]), self.lay.frame_width)
        out: list[Flowable] = [_anchor(self.anchor)]
        title._octavo_outline = self.outline.entry(  # type: ignore[attr-defined]
            article.title, level)
        out.append(title)
        if article.subtitle:
            out.append(_balance(self.plain(article.subtitle, st["subtitle"]), self.lay.frame_width))
        if article.authors:
            out.append(self.plain(join_names(article.authors, self.language), st["byline"]))
        meta = [x for x in (article.publisher,
                            format_date(article.published, self.language)
                            if article.published else None) if x]
        if meta or article.url:
            markup = self.text("  ·  ".join(meta), "sans", fonts.SANS)
            if article.url and article.url.lower().startswith(_LINK_SCHEMES):
                link = (f'<a href="{_attr(article.url)}" color="{_LINK_COLOR}">'
                        f"{self.text(_short_url(article.url), 'sans', fonts.SANS)}</a>")
                markup = f"{markup}<br/>{link}" if markup else link
            from reportlab.platypus import Paragraph as RLParagraph

            out.append(RLParagraph(markup, st["meta"]))
        out.append(Spacer(1, self.lay.font_size * 0.5))
        out.append(HRFlowable(width="100%", thickness=0.4, color=HexColor("#999999"),
                              spaceBefore=0, spaceAfter=self.lay.font_size * 1.6, hAlign="LEFT"))
        if article.lead is not None:
            out.extend(self.figure(article.lead, 0, max_height=0.42))
        return out

    def blocks(self, blocks: Sequence[Block], indent: float = 0, level: int = 1,
               measure: float | None = None, item: bool = False) -> list[Flowable]:
        """Flowables for blocks; `measure` is the width paragraphs are set in (frame width)."""
        if measure is None:
            measure = self.lay.frame_width
        out: list[Flowable] = []
        after_text = False  # first paragraph after a heading/figure/start is not indented
        for block in blocks:
            match block:
                case Paragraph(children):
                    name = "item" if item else "body" if after_text else "first"
                    out.extend(self.paras(children, self.indented(name, indent), measure,
                                          self.indented("item" if item else "first", indent)))
                    after_text = True
                    continue
                case Heading(hlevel, children):
                    text = plain_text(children).strip() or "…"
                    p = _balance(self.para(children, self.indented(f"h{hlevel}", indent)),
                                 measure)
                    p._octavo_outline = self.outline.entry(  # type: ignore[attr-defined]
                        text, level + hlevel - 1)
                    out.append(p)
                case BlockQuote(children):
                    inner = self.blocks(children, self.deeper(indent, self.lay.font_size * 1.8,
                                                              measure), level, measure)
                    out.extend(_spaced(inner, self.lay.font_size * self.lay.leading * 0.5))
                case ListBlock(items, ordered, start):
                    out.append(self.list_block(items, ordered, start, indent, level, measure))
                case CodeBlock(text, _):
                    out.append(self.code_block(text, indent))
                case Table(header, rows):
                    table = self.table(header, rows, indent)
                    if table is not None:
                        out.append(table)
                case Figure():
                    out.extend(self.figure(block, indent, max_height=0.6))
                case SectionBreak():
                    out.append(self.plain("⁂", self.styles["break"]))
            after_text = False
        return out

    def deeper(self, indent: float, step: float, measure: float) -> float:
        """Indent one level more, unless the text would get narrower than 40% of the frame."""
        if measure - indent - step < self.lay.frame_width * 0.4:
            return indent
        return indent + step

    def list_block(self, items: Sequence[Sequence[Block]], ordered: bool, start: int,
                   indent: float, level: int, measure: float,
                   anchors: Sequence[str] = ()) -> Flowable:
        """A list; `anchors` names a link destination at the top of each item (notes)."""
        from reportlab.platypus import ListFlowable, ListItem

        fs = self.lay.font_size
        digits = len(str(start + len(items))) if ordered else 1
        left = self.deeper(indent, fs * (1.2 + 0.6 * digits), measure)
        entries = []
        for n, item in enumerate(items):
            # Items are set unindented, in the measure left of the bullets.
            flowables = self.blocks(item, 0, level, measure - left, item=True)
            if not flowables:
                flowables = [self.plain("", self.styles["item"])]
            if anchors:
                flowables.insert(0, _anchor(anchors[n]))
            kw: dict[str, Any] = {"value": start + n} if ordered else {}
            entries.append(ListItem(flowables, **kw))
        # A right-to-left article has its bullets and the list's indent on the right.
        # The number's full stop follows it, so in RTL it stands to its left (".1").
        side: dict[str, Any] = {"leftIndent": left, "bulletFormat": "%s." if ordered else None}
        if self.rtl:
            side = {"bulletDir": "rtl", "bulletAlign": "right", "rightIndent": left,
                    "leftIndent": 0, "bulletFormat": ".%s" if ordered else None}
        return ListFlowable(
            entries, bulletType="1" if ordered else "bullet", start=None if ordered else "•",
            bulletFontName=fonts.SERIF, bulletFontSize=fs,
            bulletDedent="auto", spaceBefore=fs * 0.4, spaceAfter=fs * 0.4, **side,
        )

    def code_block(self, text: str, indent: float) -> Flowable:
        from reportlab.platypus import XPreformatted

        style = self.indented("code", indent)
        # Monospace advance is 0.602 em in DejaVu Sans Mono: hard-wrap to the frame width.
        usable = self.lay.frame_width - style.leftIndent - style.rightIndent - self.lay.font_size
        per_line = max(20, int(usable / (style.fontSize * 0.602)))
        lines: list[str] = []
        for line in text.expandtabs(4).rstrip("\n").split("\n"):
            while len(line) > per_line:
                lines.append(line[: per_line - 1] + "↩")
                line = line[per_line - 1:]
            lines.append(line)
        markup = "\n".join(
            "".join(escape(run) if font in (style.fontName, None)
                    else f'<font face="{font}">{escape(run)}</font>'
                    for font, run in self._code_runs(line)) for line in lines)
        return XPreformatted(markup, style)

    def _code_runs(self, line: str) -> list[tuple[str | None, str]]:
        runs = fonts.split_runs(line.replace("\u202f", "\u00a0"), fonts.chain("mono"))
        for font, run in runs:
            if font is None:
                self.missing.extend(ch for ch in run if not ch.isspace())
        return runs

    def table(self, header: Sequence[Sequence[Inline]], rows: Sequence[Sequence[Sequence[Inline]]],
              indent: float) -> Flowable | None:
        from reportlab.lib.colors import HexColor
        from reportlab.platypus import Table as RLTable
        from reportlab.platypus import TableStyle

        grid = [list(header)] if header else []
        grid += [list(r) for r in rows]
        if not grid:
            return None
        ncols = max(len(r) for r in grid)
        if ncols == 0:
            return None
        cells = []
        for i, row in enumerate(grid):
            style = self.styles["head"] if header and i == 0 else self.styles["cell"]
            padded = list(row) + [()] * (ncols - len(row))
            row_cells = [self.para(c, style) for c in padded]
            cells.append(row_cells[::-1] if self.rtl else row_cells)  # first column on the right
        # Column widths follow the longest text in each column, with a floor so none collapses.
        longest = [max(len(plain_text(tuple(r[c]))) if c < len(r) else 0 for r in grid)
                   for c in range(ncols)]
        weights = [max(4.0, min(float(n), 60.0)) for n in longest]
        total = self.lay.frame_width - indent
        widths = [total * w / sum(weights) for w in weights]
        if self.rtl:
            widths.reverse()
        pad = self.lay.font_size * 0.35
        commands: list[tuple[Any, ...]] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            # Table sets a cell font even for Paragraph cells; the default is Helvetica, which
            # would be referenced without being embedded.
            ("FONT", (0, 0), (-1, -1), fonts.SERIF, self.lay.font_size * 0.88),
            ("LEFTPADDING", (0, 0), (-1, -1), pad), ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ("TOPPADDING", (0, 0), (-1, -1), pad * 0.6), ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, HexColor("#333333")),
            ("LINEBELOW", (0, -1), (-1, -1), 0.8, HexColor("#333333")),
        ]
        if header:
            commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.5, HexColor("#333333")))
        if len(grid) > 2:
            commands.append(("LINEBELOW", (0, 1 if header else 0), (-1, -2), 0.25,
                             HexColor("#bbbbbb")))
        table = RLTable(cells, colWidths=widths, repeatRows=1 if header else 0,
                        style=TableStyle(commands), hAlign="LEFT")
        table.spaceBefore = table.spaceAfter = self.lay.font_size * 0.8
        return table

    def figure(self, fig: Figure, indent: float, max_height: float) -> list[Flowable]:
        from reportlab.platypus import KeepTogether, Spacer

        items: list[Flowable] = []
        if fig.image is not None:
            img = self.image(fig.image, self.lay.frame_width - indent,
                             self.lay.frame_height * max_height)
            if img is not None:
                items.append(img)
        if fig.caption:
            items.append(self.para(fig.caption, self.indented("caption", indent)))
        if fig.credit:
            name = "credit" if fig.caption else "credit-alone"
            items.append(self.plain(fig.credit, self.indented(name, indent)))
        if not items:
            return []
        return [Spacer(1, self.lay.font_size * 0.4), KeepTogether(items),
                Spacer(1, self.lay.font_size * self.lay.leading)]

    def image(self, image: Image, max_w: float, max_h: float) -> Flowable | None:
        from reportlab.lib.utils import ImageReader
        from reportlab.platypus import Image as RLImage

        if image.media_type == "image/svg+xml":
            diagnostics.warn("image-unsupported",
                             "SVG images are not supported in PDF output; only the caption is kept")
            return None
        try:
            px_w, px_h = ImageReader(io.BytesIO(image.data)).getSize()
        except Exception as exc:  # Pillow raises many types for broken data
            diagnostics.warn("image-unreadable",
                             f"an image ({image.media_type}) could not be decoded and was left "
                             f"out: {exc}")
            return None
        if px_w <= 0 or px_h <= 0:
            return None
        # Natural size at 150 dpi, shrunk to the box: small images stay small, large ones fit.
        w, h = px_w * 72 / 150, px_h * 72 / 150
        scale = min(1.0, max_w / w, max_h / h)
        flowable = RLImage(io.BytesIO(image.data), width=w * scale, height=h * scale,
                           mask="auto")
        flowable.hAlign = "CENTER"
        return flowable

    def report_missing(self, title: str) -> None:
        if self.missing:
            _draw_placeholders()  # a visible box with the character as ActualText, not .notdef
            names = ", ".join(fonts.scripts(self.missing))
            diagnostics.warn(
                "missing-glyphs",
                f"{title!r}: no font for {fonts.describe(self.missing)}"
                + (f" (script: {names})" if names else "")
                + "; these characters show as empty boxes in the PDF",
            )


def _role(family: str, bold: bool, italic: bool, mono: bool) -> str:
    """The font role (see fonts.ROLES) for a family and the emphasis in force."""
    if mono or family == "mono":
        return "mono"
    if family == "sans":  # no sans italic is bundled: emphasis in sans text stays upright
        return "sans-bold" if bold else "sans"
    return "serif" + {(False, False): "", (True, False): "-bold", (False, True): "-italic",
                      (True, True): "-bolditalic"}[(bold, italic)]


_FONT_ROLES: dict[str, tuple[str, bool, bool]] = {
    fonts.SERIF: ("serif", False, False), fonts.SERIF_BOLD: ("serif", True, False),
    fonts.SERIF_ITALIC: ("serif", False, True), fonts.SERIF_BOLD_ITALIC: ("serif", True, True),
    fonts.SANS: ("sans", False, False), fonts.SANS_BOLD: ("sans", True, False),
    fonts.MONO: ("mono", False, False),
}


def _short_url(url: str) -> str:
    short = url.split("://", 1)[-1].removeprefix("www.")
    return short if len(short) <= 60 else short[:57] + "…"


def _balance(para: Any, width: float) -> Any:
    """Give a ragged multi-line heading lines of even length ("Ukraine hält noch / Gebiet in
    Kursk", not a lone last word) by finding the narrowest measure that needs no extra line."""
    from reportlab.lib.styles import ParagraphStyle as PS

    if getattr(para, "_octavo_fixed", False):
        return para
    style = para.style
    avail = width - style.leftIndent - style.rightIndent
    para.wrap(avail + style.leftIndent + style.rightIndent, 1e6)
    lines = len(para.blPara.lines)
    if lines < 2:
        return para
    lo, hi = avail / lines, avail
    for _ in range(9):  # about 1/500 of the measure
        mid = (lo + hi) / 2
        para.wrap(mid + style.leftIndent + style.rightIndent, 1e6)
        if len(para.blPara.lines) > lines:
            lo = mid
        else:
            hi = mid
    para.style = PS(style.name + "+balanced", parent=style,
                    rightIndent=style.rightIndent + (avail - hi) + 0.01)
    para.wrap(width, 1e6)  # reset cached wrap state for the real layout
    return para


def _anchor(name: str) -> Flowable:
    """A zero-height named destination for internal links (the book's contents page)."""
    from reportlab.platypus import Flowable as RLFlowable

    class _Anchor(RLFlowable):
        _ZEROSIZE = True  # drawn in containers too (a list item), which skip empty flowables

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            return 0, 0

        def draw(self) -> None:
            self.canv.bookmarkHorizontal(name, 0, 0)

    return _Anchor()


def _spaced(items: list[Flowable], space: float) -> list[Flowable]:
    from reportlab.platypus import Spacer

    return [Spacer(1, space), *items, Spacer(1, space)] if items else items


# --- the document ---------------------------------------------------------------------------


@functools.cache
def _doc_class() -> type:
    from reportlab.platypus import BaseDocTemplate

    class _Doc(BaseDocTemplate):  # type: ignore[misc]
        stamp: datetime | None = None
        pdfa: dict[str, Any] | None = None
        """Arguments for _pdfa.prepare_document: the PDF is saved as PDF/A-2u."""

        def beforeDocument(self) -> None:
            if self.stamp is not None:
                self.canv._doc._timeStamp = _FixedStamp(self.stamp)
            if self.pdfa is not None:
                from octavo.writers._pdfa import prepare_document

                prepare_document(self.canv, **self.pdfa)
            self.canv.showOutline()

        def afterFlowable(self, flowable: Any) -> None:
            entry = getattr(flowable, "_octavo_outline", None)
            if entry is None:
                return
            title, level, key = entry
            top = self.frame._y + getattr(flowable, "height", 0) + flowable.getSpaceBefore()
            self.canv.bookmarkHorizontalAbsolute(key, min(top, self.pagesize[1]))
            self.canv.addOutlineEntry(title, key, level=level, closed=level > 0)

    return _Doc


@functools.cache
def _install_number_arrays() -> None:
    """Write arrays of plain numbers (each font subset's 256 glyph widths: a tenth of the
    saving time) with one fp_str call instead of reportlab's format() per element: the
    same bytes, as reportlab's PDFArray.format lays them out."""
    from reportlab import rl_config
    from reportlab.lib.rl_accel import fp_str
    from reportlab.pdfbase import pdfdoc

    original = pdfdoc.PDFArray.format
    numbers = frozenset((int, float))  # exact types, as pdfdoc.format tests (not bool)

    def format_array(self: Any, document: Any, IND: bytes = b"\n ") -> bytes:
        seq = self.sequence
        if not seq or not numbers.issuperset(map(type, seq)):
            return original(self, document, IND)  # type: ignore[no-any-return]
        items = fp_str(*seq).encode("ascii").split(b" ")
        if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
            return b"[ " + IND.join(items) + b" ]"
        lines = [b" ".join(items[i:i + 10]) for i in range(0, len(items), 10)]
        return b"[ " + b" \n  ".join(lines) + b" ]"

    format_array.original = original  # type: ignore[attr-defined]  # for the tests
    pdfdoc.PDFArray.format = format_array


@functools.cache
def _install_subset_cache() -> None:
    """Remember font subsets, and their compressed streams, from one PDF to the next.

    reportlab builds each subset's font program (makeSubset) and deflates it anew for every
    document; in a batch the same face is often subset to the same characters (ASCII and a
    few quotes: half the subsets of 100 English news articles). The program depends only on
    the face and the subset's characters, in order, so an equal key gives the same bytes.
    """
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfbase.ttfonts import TTFontFile

    made, programs, packed = _SUBSETS
    make = TTFontFile.makeSubset
    encode = pdfdoc.PDFZCompress.encode

    def make_subset(self: Any, subset: Any) -> bytes:
        key = (self, tuple(subset))
        found = made.get(key)
        if found is None:
            if len(made) >= _SUBSET_CACHE_MAX:
                made.clear()
                programs.clear()
                packed.clear()
            found = made[key] = _make_subset(self, subset, make)
            programs.add(found)
        return found

    def encode_cached(text: Any) -> Any:
        if type(text) is not bytes:
            return encode(text)
        found = packed.get(text)
        if found is None:
            found = encode(text)
            if text in programs:
                packed[text] = found
        return found

    make_subset.original = make  # type: ignore[attr-defined]
    TTFontFile.makeSubset = make_subset
    pdfdoc.PDFZCompress.encode = encode_cached


@dataclass(slots=True)
class _FaceTables:
    """What makeSubset reads of a face for every subset, read once: its tables, and for each
    glyph met so far where its component numbers sit (see _glyph_parts)."""

    tables: list[tuple[str, bytes]]
    """The tables copied unchanged (name, OS/2, cvt , fpgm, prep: those the face has)."""
    post: bytes
    hhea: bytes
    maxp: bytes
    head: bytes
    glyf: bytes
    components: dict[int, list[tuple[int, int]]]
    padded: dict[int, bytes] = field(default_factory=dict)
    """Glyphs met so far: their bytes in the glyph table, padded to 4 as makeSubset pads."""


_FACES: dict[Any, _FaceTables | None] = {}
"""Per face: its tables for _make_subset, or None to leave the face to reportlab's own."""


def _face_tables(face: Any) -> _FaceTables | None:
    if face in _FACES:
        return _FACES[face]
    found: _FaceTables | None = None
    try:
        tables = [(tag, face.get_table(tag)) for tag in ("name", "OS/2", "cvt ", "fpgm", "prep")
                  if tag in face.table]
        found = _FaceTables(tables, b"\x00\x03\x00\x00" + face.get_table("post")[4:16]
                            + b"\x00" * 16, face.get_table("hhea"), face.get_table("maxp"),
                            face.get_table("head"), bytes(face.get_table("glyf")), {})
    except (KeyError, AttributeError):
        found = None
    _FACES[face] = found
    return found


def _glyph_parts(info: _FaceTables, positions: list[int], glyph: int) -> list[tuple[int, int]]:
    """A glyph's components (where each number sits, original glyph); [] for a simple glyph.
    ValueError for a glyph makeSubset's two passes read differently (1 or 2 bytes long)."""
    found = info.components.get(glyph)
    if found is not None:
        return found
    from reportlab.pdfbase.ttfonts import GF_MORE_COMPONENTS

    glyf = info.glyf
    at, length = positions[glyph], positions[glyph + 1] - positions[glyph]
    if 0 < length <= 2 or at + length > len(glyf):
        raise ValueError(glyph)
    found = []
    if length and struct.unpack_from(">h", glyf, at)[0] < 0:
        pos, flags = 10, GF_MORE_COMPONENTS
        while flags & GF_MORE_COMPONENTS:
            flags, part = struct.unpack_from(">HH", glyf, at + pos)
            found.append((pos + 2, part))
            pos += _component_size(flags)
    info.components[glyph] = found
    return found


def _component_size(flags: int) -> int:
    """Bytes of a composite glyph's component record, from its flags (as makeSubset skips)."""
    from reportlab.pdfbase.ttfonts import (
        GF_ARG_1_AND_2_ARE_WORDS,
        GF_WE_HAVE_A_SCALE,
        GF_WE_HAVE_A_TWO_BY_TWO,
        GF_WE_HAVE_AN_X_AND_Y_SCALE,
    )

    size = 4 + (4 if flags & GF_ARG_1_AND_2_ARE_WORDS else 2)
    if flags & GF_WE_HAVE_A_SCALE:
        size += 2
    elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
        size += 4
    elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
        size += 8
    return size


def _make_subset(face: Any, subset: Any, make: Any) -> bytes:
    """reportlab's TTFontFile.makeSubset, step by step, on tables read once per face.

    makeSubset reads the face's tables anew (the glyph table is most of the font) and walks
    composite glyphs through its file reader for every subset: a third of a PDF's saving time.
    The tables and glyphs it assembles are the same, so the font program is byte for byte
    reportlab's. Faces this does not understand go to `make` (reportlab's own).
    """
    from reportlab.pdfbase.ttfonts import TTFontMaker, _set_ushort

    info = _face_tables(face)
    if info is None:
        return make(face, subset)  # type: ignore[no-any-return]
    originals = list(map(face.charToGlyph.get, subset, itertools.repeat(0)))
    glyph_map = list(dict.fromkeys([0, *originals]))  # new glyph index -> original, first come
    glyph_set = {g: k for k, g in enumerate(glyph_map)}  # original -> new
    code_to_glyph = list(map(glyph_set.__getitem__, originals))
    positions = face.glyphPos
    parts = list(map(info.components.get, glyph_map))
    composite: list[int] = []  # new indices of composite glyphs, in order
    try:
        if None in parts:
            for k, found in enumerate(parts):
                if found is None:
                    parts[k] = _glyph_parts(info, positions, glyph_map[k])
        composite = [k for k, found in enumerate(parts) if found]
        n = len(glyph_map)
        for k in composite:  # their parts join the subset, after the characters' glyphs
            _add_parts(parts[k], glyph_map, glyph_set)  # type: ignore[arg-type]
        while n < len(glyph_map):  # and the parts' parts, as makeSubset walks them
            found = _glyph_parts(info, positions, glyph_map[n])
            parts.append(found)
            if found:
                composite.append(n)
                _add_parts(found, glyph_map, glyph_set)
            n += 1
    except (ValueError, IndexError, struct.error):
        return make(face, subset)  # type: ignore[no-any-return]
    output = TTFontMaker()
    for tag, table in info.tables:
        output.add(tag, table)
    output.add("post", info.post)
    num_glyphs = len(glyph_map)
    hmtx = list(map(int, itertools.chain.from_iterable(map(face.hmetrics.__getitem__,
                                                            glyph_map))))
    n = len(hmtx) - 2  # the last advance that differs from the one before: a run after it
    while n and hmtx[n] == hmtx[n - 2]:
        n -= 2
    n += 2
    hmtx = hmtx[:n] + hmtx[n + 1::2]
    output.add("hmtx", struct.pack(f">{len(hmtx)}H", *hmtx))
    output.add("hhea", _set_ushort(info.hhea, 34, n >> 1))
    output.add("maxp", _set_ushort(info.maxp, 4, num_glyphs))
    cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset), *code_to_glyph]
    output.add("cmap", struct.pack(f">{len(cmap)}H", *cmap))
    padded = info.padded
    pieces = list(map(padded.get, glyph_map))
    if None in pieces:
        glyf = info.glyf
        for k, piece in enumerate(pieces):
            if piece is None:
                g = glyph_map[k]
                piece = glyf[positions[g]:positions[g + 1]]
                pieces[k] = padded[g] = piece + b"\0" * (-len(piece) % 4)
    for k in composite:  # component glyph numbers renumbered into the subset
        data = bytearray(pieces[k])  # type: ignore[arg-type]
        for where, part in parts[k]:  # type: ignore[union-attr]
            struct.pack_into(">H", data, where, glyph_set[part])
        pieces[k] = bytes(data)
    offsets = [0, *itertools.accumulate(map(len, pieces))]  # type: ignore[arg-type]
    pos = offsets[-1]
    output.add("glyf", b"".join(pieces))  # type: ignore[arg-type]
    if (pos + 1) >> 1 > 0xFFFF:
        long_offsets = 1
        loca = struct.pack(f">{len(offsets)}L", *offsets)
    else:
        long_offsets = 0
        loca = struct.pack(f">{len(offsets)}H", *[o >> 1 for o in offsets])
    output.add("loca", loca)
    output.add("head", _set_ushort(info.head, 50, long_offsets))
    return output.makeStream()  # type: ignore[no-any-return]


def _add_parts(parts: list[tuple[int, int]], glyph_map: list[int],
               glyph_set: dict[int, int]) -> None:
    """A composite glyph's parts not in the subset yet join it, at the end."""
    for _, glyph in parts:
        if glyph not in glyph_set:
            glyph_set[glyph] = len(glyph_map)
            glyph_map.append(glyph)


@functools.cache
def _install_same_frag() -> None:
    """reportlab's CJK line builder asks sameFrag(f, f) of every character: a frag always has
    its own attributes, so the answer is only whether it is a break or an image (the frags
    sameFrag never joins). The C sameFrag compares eight attributes, a tenth of a Japanese
    PDF's time."""
    from reportlab.platypus import paragraph

    original = paragraph.sameFrag

    def same_frag(f: Any, g: Any) -> Any:
        if f is g:  # as the C function tests them: with hasattr
            return not (hasattr(f, "cbDefn") or hasattr(f, "lineBreak"))
        return original(f, g)

    same_frag.original = original  # type: ignore[attr-defined]  # for the tests
    paragraph.sameFrag = same_frag


_MISSING: Any = object()
_SAME_FRAG_ATTRS = ("fontName", "fontSize", "textColor", "rise", "us_lines", "link", "backColor",
                    "nobr")
"""What reportlab's sameFrag compares (besides cbDefn and lineBreak, which it never joins)."""
_EMPTY_LOOK = (_MISSING,) * len(_SAME_FRAG_ATTRS)
"""The look of an empty FragLine: nothing is set."""


def _frag_look(f: Any) -> tuple[Any, ...] | None:
    """What reportlab's sameFrag compares of a frag, as one tuple: sameFrag(f, g) is
    _frag_look(f) == _frag_look(g), both not None. A missing attribute is _MISSING, which
    equals only itself (as a missing one does for the C function, unlike None); None for a
    break or a callback, which sameFrag never joins."""
    if hasattr(f, "cbDefn") or hasattr(f, "lineBreak"):
        return None
    return tuple([getattr(f, name, _MISSING) for name in _SAME_FRAG_ATTRS])


class _CharWidths(dict[str, float]):
    """stringWidth of each character seen, in one font and size: looked up by map() in C
    (a miss, once per character, asks reportlab)."""

    __slots__ = ("font", "size")

    def __init__(self, font: str, size: float) -> None:
        super().__init__()
        self.font, self.size = font, size

    def __missing__(self, ch: str) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        found = self[ch] = stringWidth(ch, self.font, self.size)
        return found


@functools.cache
def _install_cjk_split() -> None:
    """reportlab's cjkFragSplit (Chinese and Japanese lines), without its per-character
    objects: it wraps every character in a str subclass holding its frag and measured width,
    and makeCJKParaLine then looks up each character's font metrics and compares its frag
    with the one before. Here widths come from a table per font and size, and a character of
    the same frag as the one before only joins the current piece (the metrics and sameFrag's
    answer are those of that character), a frag's characters joining at once. Each line's
    widths are summed in C and its end found by bisection, and sameFrag (the C function,
    which raises and clears an AttributeError for each attribute a frag lacks: most of a
    Japanese paragraph's split) is a comparison of looks made once per frag (_frag_look).
    The arithmetic is reportlab's, in the same order, so the lines are the same; frags with
    images or bytes, and measures below zero, take reportlab's own."""
    from bisect import bisect_left, bisect_right
    from itertools import accumulate
    from unicodedata import category

    from reportlab.lib.textsplit import ALL_CANNOT_START
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import paragraph
    from reportlab.platypus.paragraph import FragLine, ParaLines
    from reportlab.rl_config import _FUZZ

    original = paragraph.cjkFragSplit
    tables: dict[tuple[str, float], _CharWidths] = {}

    def look(f: Any, looks: dict[int, Any]) -> Any:
        """_frag_look(f), kept by id for the frags of one split: they outlive it and do not
        change during it."""
        found = looks.get(id(f), _MISSING)
        if found is _MISSING:
            found = looks[id(f)] = _frag_look(f)
        return found

    def make_line(chars: list[str], owners: list[Any], ends: list[int], start: int,
                  stop: int, max_width: float, used: float, extra: float,
                  line_break: bool, looks: dict[int, Any],
                  metrics: dict[tuple[str, float], tuple[float, float]]) -> Any:
        words = []
        cw: list[str] = []
        # reportlab starts from an empty FragLine (f0 None here): the first piece it makes is
        # of that, and dropped (its words[1:]), so that piece is not made here
        f0: Any = None
        look0: Any = _EMPTY_LOOK
        max_size = max_ascent = min_descent = 0
        previous = None
        k = start
        while k < stop:
            # Characters k..end-1 have one frag: the first is looked at, the others only
            # join its piece (sameFrag(f0, f) was true for the one before: it still is).
            f = owners[k]
            end = min(ends[k], stop)
            if hasattr(f, "lineBreak"):
                end = k + 1  # each character of a break is looked at
            elif f is previous:
                cw.extend(chars[k:end])
                k = end
                continue
            previous = f
            size = f.fontSize
            ascent, descent = _ascent_descent(f.fontName, size, metrics)
            max_size = max(max_size, size)
            max_ascent = max(max_ascent, ascent)
            min_descent = min(min_descent, descent)
            look_f = look(f, looks)
            if look0 is None or look_f is None or look0 != look_f:  # not sameFrag(f0, f)
                if f0 is not None:
                    piece = _clone_frag(f0)
                    piece.text = "".join(cw)
                    words.append(piece)
                cw = []
                f0, look0 = f, look_f
            cw.extend(chars[k:end])
            k = end
        if cw and f0 is not None:
            piece = _clone_frag(f0)
            piece.text = "".join(cw)
            words.append(piece)
        return FragLine(kind=1, extraSpace=extra, wordCount=1, words=words,
                        fontSize=max_size, ascent=max_ascent, descent=min_descent,
                        maxWidth=max_width, currentWidth=used, lineBreak=line_break)

    def cjk_frag_split(frags: Any, maxWidths: Any, calcBounds: Any,
                       encoding: str = "utf8") -> Any:
        for f in frags:
            if type(f.text) is not str or hasattr(f, "cbDefn"):
                return original(frags, maxWidths, calcBounds, encoding)
        if not maxWidths or min(maxWidths) + _FUZZ < 0:
            return original(frags, maxWidths, calcBounds, encoding)
        chars: list[str] = []
        owners: list[Any] = []
        ends: list[int] = []  # where the characters of each one's frag end
        widths: list[float] = []
        break_at: list[int] = []  # the characters of line breaks, in order
        if len(tables) > 64:
            tables.clear()
        for f in frags:
            text = f.text
            at = len(chars)
            if not text:
                chars.append(text)
                owners.append(f)
                ends.append(at + 1)
                widths.append(stringWidth(text, f.fontName, f.fontSize))
                if hasattr(f, "lineBreak"):
                    break_at.append(at)
                continue
            key = (f.fontName, f.fontSize)
            table = tables.get(key)
            if table is None:
                table = tables[key] = _CharWidths(*key)
            widths.extend(map(table.__getitem__, text))
            chars.extend(text)
            n = len(text)
            owners.extend([f] * n)
            ends.extend([at + n] * n)
            if hasattr(f, "lineBreak"):
                break_at.extend(range(at, at + n))
        if widths and min(widths) < 0:  # the width used would not only grow
            return original(frags, maxWidths, calcBounds, encoding)
        # From here on reportlab's cjkFragSplit, with U[i] as chars[i], U[i].width as
        # widths[i] and hasattr(U[i].frag, "lineBreak") as breaks[i]. Its loop adds one
        # character's width at a time until the line is full or a break comes; here each
        # line's sums are made at once (in the same order, from 0 at the line's start) and
        # the first over the measure found by bisection: widths are never negative, so the
        # sums only grow (and one over a measure that is not negative is over 0).
        lines: list[Any] = []
        looks: dict[int, Any] = {}
        metrics: dict[tuple[str, float], tuple[float, float]] = {}
        i = widthUsed = lineStartPos = 0
        maxWidth = maxWidths[0]
        nU = len(chars)
        sums: list[float] = []
        while i < nU:
            limit = maxWidth + _FUZZ
            b = bisect_left(break_at, i)
            stop = break_at[b] + 1 if b < len(break_at) else nU  # the line ends by then
            span = 64
            while True:  # the sums of the widths from i on, until one is over the limit
                sums = list(accumulate(widths[i:min(i + span, stop)], initial=0))[1:]
                over = bisect_right(sums, limit)
                if over < len(sums) or i + span >= stop:
                    break
                span *= 4
            if over < len(sums):
                end = i + over  # the character at which the line is full
                lineBreak = end == stop - 1 and b < len(break_at)
            elif b < len(break_at):
                end = stop - 1  # the break
                lineBreak = True
            else:  # the text ends before the line is full
                widthUsed = sums[-1] if sums else widthUsed
                i = nU
                break
            widthUsed = sums[end - i]
            u = chars[end]
            w = widths[end]
            i = end + 1
            extraSpace = maxWidth - widthUsed
            if not lineBreak:
                if ord(u) < 0x3000:
                    limitCheck = (lineStartPos + i) >> 1
                    for j in range(i - 1, limitCheck, -1):
                        uj = chars[j]
                        if uj and category(uj) == "Zs" or ord(uj) >= 0x3000:
                            k = j + 1
                            if k < i:
                                j = k + 1
                                extraSpace += sum(widths[ii] for ii in range(j, i))
                                w = widths[k]
                                u = chars[k]
                                i = j
                                break
                if u not in ALL_CANNOT_START and i > lineStartPos + 1:
                    i -= 1
                    extraSpace += w
            lines.append(make_line(chars, owners, ends, lineStartPos, i, maxWidth, widthUsed,
                                   extraSpace, lineBreak, looks, metrics))
            try:
                maxWidth = maxWidths[len(lines)]
            except IndexError:
                maxWidth = maxWidths[-1]
            lineStartPos = i
            widthUsed = 0
        if widthUsed > 0:
            lines.append(make_line(chars, owners, ends, lineStartPos, nU, maxWidth, widthUsed,
                                   maxWidth - widthUsed, False, looks, metrics))
        return ParaLines(kind=1, lines=lines)

    cjk_frag_split.original = original  # type: ignore[attr-defined]  # for the tests
    paragraph.cjkFragSplit = cjk_frag_split


_SUBSET_CACHE_MAX = 128
"""Font subsets kept (each ~20-60 KB with its compressed stream)."""
_SUBSETS: tuple[dict[tuple[Any, tuple[int, ...]], bytes], set[bytes], dict[bytes, bytes]] = (
    {}, set(), {})
"""(face, codes) -> font program; the programs; program -> its deflated stream."""


@functools.cache
def _canvas_class() -> type:
    """reportlab's Canvas, with the print flag on every annotation (PDF/A 6.3.2)."""
    from reportlab.pdfgen.canvas import Canvas

    from octavo.writers._pdfa import mark_annotation

    class _Canvas(Canvas):  # type: ignore[misc]
        def _addAnnotation(self, annotation: Any, name: Any = None, addtopage: int = 1) -> None:
            mark_annotation(annotation)
            Canvas._addAnnotation(self, annotation, name, addtopage)

    return _Canvas


def _footer(lay: Layout) -> Any:
    from reportlab.lib.colors import HexColor

    grey = HexColor(_GREY)  # parsed once, not on every page

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(fonts.SERIF, lay.font_size * 0.85)
        canvas.setFillColor(grey)
        canvas.drawCentredString(lay.width / 2, lay.bottom * 0.45, str(canvas.getPageNumber()))
        canvas.restoreState()

    return draw


def _book_metadata(book: Book) -> dict[str, Any]:
    authors = list(book.authors)
    if not authors:
        for article in book.articles:
            authors += [a for a in article.authors if a not in authors]
    keywords: list[str] = []
    for article in book.articles:
        keywords += [k for k in article.keywords if k not in keywords]
    first = book.articles[0]
    subject = (first.description or first.subtitle) if book.is_single else book.subtitle
    return {
        "title": book.title,
        "author": ", ".join(authors),
        "subject": subject or "",
        "keywords": keywords,
        "creator": _creator(),
    }


def _pdfa_arguments(book: Book, stamp: datetime) -> dict[str, Any]:
    """What _pdfa.prepare_document needs: the Info/XMP metadata and a fingerprint of the text."""
    from octavo.model import block_text
    from octavo.writers._pdfa import document_seed

    meta = _book_metadata(book)
    texts = [meta["title"], meta["author"], book.language]
    for article in book.articles:
        texts += [article.title, article.url or "", *(block_text(b) for b in article.body)]
    return {
        "title": meta["title"], "authors": [meta["author"]] if meta["author"] else [],
        "language": book.language, "subject": meta["subject"] or None,
        "keywords": meta["keywords"], "creator": meta["creator"],
        "created": stamp, "modified": stamp, "document_id": document_seed(*texts),
    }


def _check_size(book: Book) -> None:
    """Refuse text too long for one PDF before any layout work (it would take minutes)."""
    from octavo import limits
    from octavo.model import block_text

    limit = limits.current().max_pdf_characters
    total = 0
    for article in book.articles:
        total += len(article.title) + sum(len(block_text(b)) for b in article.body)
    if total > limit:
        raise WriterError(
            f"the text is too long for a PDF: {total:,} characters, over the limit of "
            f"{limit:,} for one PDF",
            hint="split the input, or raise OCTAVO_MAX_PDF_CHARACTERS",
        )


@functools.cache
def _import_reportlab() -> None:
    """reportlab's paragraph module, imported once with two costly patterns it compiles but
    octavo never uses deferred (~40 ms of every start; see octavo._lazy_re)."""
    from octavo._lazy_re import lazy_patterns

    with lazy_patterns():
        import reportlab.platypus.paragraph  # noqa: F401


def render(book: Book, options: WriteOptions, *, archival: bool = False) -> bytes:
    """The PDF for a book, as bytes; `archival`: written as PDF/A-2u by reportlab itself
    (check _pdfa.needs_rewrite on the result)."""
    _import_reportlab()
    from reportlab.platypus import NextPageTemplate, PageBreak, Spacer
    from reportlab.platypus.doctemplate import LayoutError
    from reportlab.platypus.frames import Frame
    from reportlab.platypus.doctemplate import PageTemplate

    _check_size(book)
    _install_number_arrays()
    _install_subset_cache()
    from octavo.writers import _pdfsave

    _pdfsave.install()  # plain values and dictionaries formatted, ToUnicode maps remembered
    _install_same_frag()
    _install_cjk_split()
    from octavo.writers._actualtext import install_fast_split

    install_fast_split()  # the per-character code lookup of every text drawn, by translate
    from octavo.writers import _pdfdraw

    _pdfdraw.install()  # paragraph lines written without reportlab's generic drawing layers
    lay = layout_for(options.page_size)
    for name in (fonts.SERIF, fonts.SERIF_BOLD, fonts.SERIF_ITALIC, fonts.SANS):
        fonts.register(name)  # the faces every page uses; the others load when text needs them
    stamp = _timestamp(options)
    buf = io.BytesIO()
    doc = _doc_class()(
        buf, pagesize=(lay.width, lay.height), leftMargin=lay.left, rightMargin=lay.right,
        topMargin=lay.top, bottomMargin=lay.bottom, lang=book.language, displayDocTitle=True,
        initialFontName=fonts.SERIF, initialFontSize=lay.font_size,
        invariant=1 if stamp is not None else 0, **_book_metadata(book),
    )
    doc.stamp = stamp
    if archival:
        doc.pdfa = _pdfa_arguments(book, stamp or datetime.now(timezone.utc))
    frame = Frame(lay.left, lay.bottom, lay.frame_width, lay.frame_height, id="text",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    templates = [PageTemplate(id="page", frames=[frame], onPage=_footer(lay))]
    story: list[Any] = []
    outline = _Outline()
    renderers = [
        _Renderer(lay, article.language, options, outline, anchor=f"article-{i + 1}")
        for i, article in enumerate(book.articles)
    ]
    if not book.is_single:
        templates.insert(0, PageTemplate(id="title", frames=[frame]))
        story += _title_page(book, lay, renderers)
        story += [NextPageTemplate("page"), PageBreak()]
    doc.addPageTemplates(templates)
    level = 0
    for i, (article, r) in enumerate(zip(book.articles, renderers, strict=True)):
        if i:
            story.append(PageBreak())
        story += r.title_block(article, level)
        story += r.blocks(article.body, level=level + 1)
        story += r.notes_section(level + 1)
        r.report_missing(article.title)
    if not story:
        story.append(Spacer(1, 1))
    try:
        doc.build(story, canvasmaker=_canvas_class())
    except LayoutError as exc:
        raise WriterError(
            f"the PDF layout failed: {exc}",
            hint="a table, image or code line may be too large for the page; try --page-size a4",
        ) from exc
    return buf.getvalue()


def _title_page(book: Book, lay: Layout, renderers: list[_Renderer]) -> list[Flowable]:
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer

    import dataclasses

    r = _Renderer(lay, book.language, dataclasses.replace(renderers[0].options, hyphenate=False),
                  renderers[0].outline, anchor="book")
    st = r.styles
    out: list[Flowable] = [Spacer(1, lay.frame_height * 0.22),
                           _balance(r.plain(book.title, st["book-title"]), lay.frame_width)]
    if book.subtitle:
        out.append(_balance(r.plain(book.subtitle, st["book-sub"]), lay.frame_width))
    if book.authors:
        out.append(r.plain(join_names(book.authors, book.language), st["book-meta"]))
    meta = [article_count(len(book.articles), book.language)]
    if book.published:
        meta.insert(0, format_date(book.published, book.language))
    if book.publisher:
        meta.insert(0, book.publisher)
    out.append(Spacer(1, lay.font_size))
    out.append(r.plain("  ·  ".join(meta), st["book-meta"]))
    out.append(Spacer(1, lay.font_size * 3))
    for i, (article, ar) in enumerate(zip(book.articles, renderers, strict=True)):
        label = ar.text(article.title, "serif", fonts.SERIF)
        byline = join_names(article.authors, article.language)
        extra = (f'<font face="{fonts.SERIF_ITALIC}" color="{_GREY}"> — '
                 f"{ar.text(byline, 'serif-italic', fonts.SERIF_ITALIC)}</font>") if byline else ""
        entry = f'{i + 1}.\u00a0<a href="#{ar.anchor}">{label}</a>{extra}'
        out.append(RLParagraph(entry, st["toc"]))
    r.report_missing(book.title)
    return out


class PdfWriter:
    """Writes a book as a PDF: `octavo convert article.txt -f pdf [--page-size a5]`."""

    name: ClassVar[str] = "pdf"
    extension: ClassVar[str] = ".pdf"

    def write(self, book: Book, out: BinaryIO, options: WriteOptions) -> None:
        from octavo.writers._pdfa import needs_rewrite

        # Build in memory first: a failed build must not leave half a PDF in `out`.
        # Archival by default: PDF/A-2u (XMP matching Info, sRGB output intent, document ID),
        # written by reportlab; what it cannot write (CMYK images) pikepdf repairs.
        data = render(book, options, archival=True)
        if not needs_rewrite(data):
            out.write(data)
            return
        from octavo.writers._pdfa import to_pdfa2u

        stamp = _timestamp(options) or datetime.now(timezone.utc)
        out.write(to_pdfa2u(data, producer=None, **_pdfa_arguments(book, stamp)))
