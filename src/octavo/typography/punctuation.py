"""Language-aware punctuation: apostrophes, dashes, ellipses and no-break spaces in text runs.

`typeset(article)` rewrites what readers left in `Text` nodes (quotations are already `Quoted` nodes
whose marks the writers print): straight apostrophes, ` - ` / `--` / `---`, `...`, French spacing
before `; ! ? :`, and no-break spaces where a line must not break (`10 km`, `6. August`, `70 000`,
`Nr. 5`, `z. B.`). It is pure and idempotent, and never touches `Code` or `CodeBlock`.

Why hand-written and not a library. polytypo 1.16.0 covers the most (27 locales, French spacing)
but, run warm on corpus samples (20 articles each), took 19 ms (fr), 27 ms (de), 49 ms (en) and
51 ms (ru) per 2 KB, against 0.2-0.6 ms here; on the text runs this module sees, it re-quoted
apostrophes (`it's the '90s, cats' toys` became `it’s the “90s, cats” toys`), because it pairs
quotes itself and cannot know the model already did; and it left out `6. August`, `70 000` and
the no-break space before the Russian dash. smartypants and markdown-it-py's typographer know
English quotes and `--` only, with no language spacing at all. So each rule here is a small regex,
compiled once per language (cached), led by a literal so `re` can skip ahead, and run only on text
holding its trigger characters. Every run is typeset until nothing changes (in practice two passes),
so idempotence holds by construction, not by the rules never interacting.

Rules see their neighbours: every text run is matched with up to `_CONTEXT` characters of the text
before and after it (other runs, emphasis, the marks of a quotation), but only changes its own
characters, so `« Oui » ?` is spaced although `?` and `»` sit in different nodes.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
from dataclasses import dataclass
from typing import Callable

from octavo._lazy_re import LazyPattern
from octavo.model import (
    Article,
    Block,
    BlockQuote,
    Code,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quoted,
    Strong,
    Subscript,
    Superscript,
    Text,
    map_inlines,
)
from octavo.typography.quotes import quote_marks

NBSP = "\u00a0"
NNBSP = "\u202f"
_CONTEXT = 16
"""Characters of neighbouring text a rule may look at (the longest lookahead is a month name)."""

# Letters of the scripts whose apostrophe is U+2019 (Latin, Greek, Cyrillic, combining marks);
# Hebrew and Arabic use other signs (geresh, hamza) and keep their straight quote.
_L = (
    "A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0300-\u036f"
    "\u0370-\u037d\u037f-\u0386\u0388-\u03ff\u0400-\u052f\u1e00-\u1fff\ua640-\ua69f\ua720-\ua7ff"
)
_SP = " \u00a0\u202f\u2009"
"""Spaces an author may have typed where a no-break space belongs."""
_SPACES = f"[{_SP}]"

Replacement = str | tuple[int, str] | None
"""New text for the match, or (start, text) to replace from an earlier start, or None: no change."""
Repl = str | Callable[[re.Match[str]], Replacement]


@dataclass(frozen=True, slots=True)
class _Rule:
    """One regex rule. Patterns start with a literal where they can: CPython's `re` scans for a
    literal prefix in C, but tries a pattern that starts with a class or a lookbehind at every
    position (30-80 µs per 1.4 KB instead of 1-5 µs)."""

    pattern: LazyPattern
    """Compiled when a text first gets past the rule's triggers and gate: most rules of a
    language never run on one article (compiling them all cost a one-file conversion ~12 ms)."""
    repl: Repl
    triggers: tuple[str, ...] = ()
    """The rule runs only on text containing one of these (`in` is cheaper than any regex)."""
    back: int = 0
    """Characters before the text the pattern may consume; the replacement must keep them."""
    gate: re.Pattern[str] | None = None
    """For a pattern that is slow to scan: a fast (literal-led) one that must find a hit first."""
    needs_digit: bool = False
    """Skip text without digits (checked once per text: rules never add or remove digits)."""


def _rule(
    pattern: str, repl: Repl, *triggers: str, back: int = 0, needs_digit: bool = False
) -> _Rule:
    return _Rule(LazyPattern(pattern, 0), repl, triggers, back, needs_digit=needs_digit)


def _alternation(words: list[str] | str) -> str:
    """A regex alternation, longest first so `km²` wins over `km`."""
    if isinstance(words, str):
        words = words.split()
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --- rules every script shares ----------------------------------------------------------------

_ELLIPSIS = _rule(r"\.(?<!\.\.)\.\.(?!\.)", "…", "...")
_APOSTROPHE = _rule(rf"'(?<=[{_L}]')(?!')", "’", "'")
_ELIDED_YEAR = _rule(r"'(?<![\w'’]')(?=\d\d(?!\d))", "’", "'")  # '90s

# --- dashes -----------------------------------------------------------------------------------

_EM_DASH = _rule(r"---(?<!----)(?!-)", "—", "---")
_RANGE = _rule(r"--(?<=\d--)(?=\d)", "–", "--")


def _spaced_dash_rules(dash: str, long_dash: bool) -> tuple[_Rule, ...]:
    """` - `, ` -- ` and existing spaced dashes: the language's dash, bound to the word before it
    with a no-break space so no line starts with a dash. `5 - 3` (digits both sides) is left alone.
    One rule per mark, each led by its literal (see _Rule)."""

    def repl(m: re.Match[str]) -> Replacement:
        s, k = m.string, m.start()
        while k > 0 and s[k - 1] in _SP:
            k -= 1
        if k == m.start() or k == 0 or s[k - 1].isspace() or s[k - 1] == "-":
            return None
        if s[k - 1].isdigit() and s[m.end()].isdigit():
            return None
        mark = m.group(1)
        if mark in ("-", "--") or (mark == "–" and long_dash):
            mark = dash
        return k, f"{NBSP}{mark} "

    after = rf"{_SPACES}+(?=[^\s-])"
    return (
        _rule(rf"(--?){after}", repl, "-"),
        _rule(rf"(–){after}", repl, "–"),
        _rule(rf"(—){after}", repl, "—"),
    )


def _word_dash_rule(dash: str) -> _Rule:
    return _rule(r"--(?<=[^\W\d_]--)(?=[^\W\d_])", dash, "--")


_DIALOGUE_DASH = _rule(rf"\A[—–]{_SPACES}(?=\S)", f"—{NBSP}", "—", "–")

# --- leftover straight double quotes ----------------------------------------------------------


def _straight_quote_rules(language: str) -> tuple[_Rule, _Rule]:
    """A `"` the reader could not pair: an opening mark only where it clearly opens (after a space
    or bracket, before a letter), a closing one where it clearly closes (after a letter or sentence
    punctuation, before a space or punctuation). `5"` (inches) stays."""
    marks = quote_marks(language)
    opening = _rule(r'"(?<![^\s(\[{—–/]")(?=[^\W_])', marks.open_double, '"')
    closing = _rule(
        r'"(?<=[^\W\d_]"|[.!?,;…)]")(?=\Z|[\s.,;:!?)\]—–»”“’])', marks.close_double, '"'
    )
    return opening, closing


# --- French spacing ---------------------------------------------------------------------------

_FR_BEFORE = re.compile(r"[\w»)\]”’…%€°.]")
_URL_TOKEN = re.compile(r"(?:\S*://|www\.)\S*\Z")


def _space_before(space: str) -> Callable[[re.Match[str]], Replacement]:
    """The mark at the match gets `space` before it, replacing at most one typed space; not in
    URLs, and not after a space, an opening bracket or another mark (`?!` spaces once)."""

    def repl(m: re.Match[str]) -> Replacement:
        s, k = m.string, m.start()
        if k > 0 and s[k - 1] in _SP:
            k -= 1
        if k == 0 or not _FR_BEFORE.match(s, k - 1) or _URL_TOKEN.search(s, 0, k):
            return None
        return k, space + s[m.start()]

    return repl


_FR_AFTER_HIGH = r"(?=\Z|[\s»)\]”’\"'.,;:!?…])"
_FR_HIGH = tuple(_rule(re.escape(c) + _FR_AFTER_HIGH, _space_before(NNBSP), c) for c in ";!?")
_FR_COLON = _rule(r":(?=\Z|\s)", _space_before(NBSP), ":")


def _guillemet_rules(space: str) -> tuple[_Rule, _Rule]:
    def closing(m: re.Match[str]) -> Replacement:
        s, k = m.string, m.start()
        if k > 0 and s[k - 1] in _SP:
            k -= 1
        if k == 0 or s[k - 1].isspace() or s[k - 1] == "«":
            return None
        return k, space + "»"

    return (_rule(rf"«{_SPACES}?(?=[^\s»])", "«" + space, "«"), _rule("»", closing, "»"))


# --- no-break spaces --------------------------------------------------------------------------

_UNITS = [
    "km", "m", "cm", "mm", "µm", "nm", "kg", "g", "mg", "t", "l", "ml", "dl", "cl", "ha",
    "km²", "m²", "cm²", "km2", "m2", "m³", "km/h", "m/s", "mph",
    "%", "‰", "€", "$", "£", "¥", "₽", "°C", "°F", "°", "Fr.", "CHF", "EUR", "USD",
    "h", "min", "s", "ms", "Hz", "kHz", "MHz", "GHz", "kW", "MW", "GW", "kWh", "W", "V", "mA",
    "kB", "MB", "GB", "TB", "KB", "dB", "Uhr", "Mio.", "Mrd.", "Tsd.",
    "км", "м", "см", "мм", "кг", "г", "г.", "гг.", "т", "л", "га", "ч", "мин", "сек",
    "тыс.", "млн", "млрд", "руб.", "коп.", "долл.", "грн",
]
_BEFORE_NUMBER = [
    "Nr.", "Nrn.", "S.", "Abs.", "Art.", "Bd.", "Kap.", "Abb.", "Tab.", "Ziff.", "No.", "no.",
    "Vol.", "vol.", "p.", "pp.", "Fig.", "fig.", "art.", "n°", "N°", "№", "§", "§§",
    "ст.", "с.", "т.", "гл.", "рис.", "п.", "ч.",
]
_PREFIX_TAIL = re.compile(rf"(?<![\w.])(?:{_alternation(_BEFORE_NUMBER)})\Z")
_PREFIX_LONGEST = max(map(len, _BEFORE_NUMBER))


def _number_rules(grouping: bool) -> tuple[_Rule, ...]:
    """`70 000` -> NNBSP between digit groups (where the language groups with spaces) and
    `10 km` -> NBSP before a unit. Led by the space (a literal) and checked backwards from it."""
    unit = rf"(?P<unit>(?=(?:{_alternation(_UNITS)})(?![\w²³])))"
    group = r"|(?P<group>(?=\d{3}(?!\d)))" if grouping else ""

    def repl(m: re.Match[str]) -> Replacement:
        if m.lastgroup == "unit":
            return NBSP
        s, k = m.string, m.start()
        j = k
        while j > 0 and s[j - 1].isdigit():
            j -= 1
        if not 1 <= k - j <= 3 or (j > 0 and (s[j - 1] in ".," or s[j - 1].isalnum())):
            return None
        return NNBSP

    rules = [_rule(rf" (?<=\d )(?:{unit}{group})", repl, needs_digit=True)]
    if grouping:  # groups already set with other spaces: NBSP, thin space
        rules.append(
            _rule(r"[\u00a0\u2009](?<=\d[\u00a0\u2009])(?P<group>(?=\d{3}(?!\d)))", repl,
                  "\u00a0", "\u2009", needs_digit=True)
        )
    return tuple(rules)


def _prefix_repl(m: re.Match[str]) -> Replacement:
    k = m.start() + 1
    if _PREFIX_TAIL.search(m.string, max(0, k - _PREFIX_LONGEST - 1), k) is None:
        return None
    return m.group()[0] + NBSP


# `Nr. 5`, `S. 12`, `§ 3`, `№ 7`: NBSP after a prefix; led by the prefix's last character.
_PREFIX_DOT = _rule(r"\.[ \u2009](?=\d)", _prefix_repl, back=1, needs_digit=True)
_PREFIX_SIGN = _rule(r"[§№°][ \u2009](?=\d)", _prefix_repl, "§", "№", "°", back=1)


_TITLES = {
    "en": ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St."],
    "de": ["Dr.", "Prof.", "St.", "Hr.", "Fr."],
    "fr": ["M.", "MM.", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr", "Me"],
}


def _title_rule(titles: list[str]) -> _Rule:
    """`Dr. Smith`, `M. Dupont`: the title stays with the name."""

    def repl(m: re.Match[str]) -> Replacement:
        k = m.start()
        if k > 0 and (m.string[k - 1].isalnum() or m.string[k - 1] in "._"):
            return None
        return m.group(1) + NBSP

    return _rule(rf"({_alternation(titles)}) (?=[A-ZÀ-ÖØ-Þ])", repl, *(t + " " for t in titles))


_MONTHS = {
    "de": "Januar Jänner Februar März April Mai Juni Juli August September Oktober November "
    "Dezember Jan. Feb. Febr. Mär. Apr. Jun. Jul. Aug. Sep. Sept. Okt. Nov. Dez.",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "en": "January February March April May June July August September October November December "
    "Jan. Feb. Mar. Apr. Jun. Jul. Aug. Sep. Sept. Oct. Nov. Dec.",
}


_DAY = {"de": r"\d\d?\.", "fr": r"\d\d?|1er"}
_DAY_DEFAULT = r"\d\d?"


def _date_rules(primary: str) -> tuple[_Rule, ...]:
    """`6. August` (de), `6 août` / `1er mai` (fr), `6 августа` (ru), `6 August` / `August 6` (en).
    Led by the space; what stands before it is checked on the few hits."""
    months = _MONTHS.get(primary)
    if months is None:
        return ()
    alt = _alternation(months)
    day_tail = re.compile(rf"(?<![\w.])(?:{_DAY.get(primary, _DAY_DEFAULT)})\Z")
    month_tail = re.compile(rf"(?<![\w.])(?:{alt})\Z")

    def tail_is(tail: re.Pattern[str], size: int) -> Callable[[re.Match[str]], Replacement]:
        def repl(m: re.Match[str]) -> Replacement:
            k = m.start()
            return NBSP if tail.search(m.string, max(0, k - size), k) else None

        return repl

    rules = [_rule(rf" (?=(?:{alt})(?!\w))", tail_is(day_tail, 4), needs_digit=True)]
    if primary == "en":
        longest = max(map(len, months.split()))
        rules.append(_rule(r" (?=\d\d?(?!\d))", tail_is(month_tail, longest + 1), needs_digit=True))
    return tuple(rules)


_ABBREVIATIONS = {
    "de": [
        "z. B.", "d. h.", "u. a.", "u. ä.", "u. Ä.", "o. ä.", "o. Ä.", "u. U.", "v. a.", "z. T.",
        "s. o.", "s. u.", "i. d. R.", "u. v. m.", "m. E.", "o. g.", "v. Chr.", "n. Chr.",
        "z. Zt.", "i. A.", "i. V.", "a. D.", "u. Ä. m.",
    ],
    "ru": ["т. е.", "т. д.", "т. п.", "т. к.", "т. н.", "т. ч.", "н. э.", "до н. э."],
    "uk": ["т. д.", "т. п.", "т. ч.", "н. е.", "до н. е."],
    "fr": ["p. ex."],
}


def _abbreviation_rule(abbreviations: list[str]) -> _Rule:
    """`z. B.` / `z.B.` -> `z.⟨NNBSP⟩B.`: one unit on the line, with the thin space Duden asks for."""
    canonical = {a.replace(" ", ""): a.replace(" ", NNBSP) for a in abbreviations}
    pattern = "|".join(
        f"{_SPACES}?".join(re.escape(part) for part in a.split(" "))
        for a in sorted(abbreviations, key=len, reverse=True)
    )
    # The cheap test: every abbreviation has "x. y." or "x.y." in it.
    gate = re.compile(rf"\.{_SPACES}?[^\W\d_]{{1,3}}\.")
    full = LazyPattern(rf"(?<![\w.])(?:{pattern})", 0)

    def repl(m: re.Match[str]) -> Replacement:
        return canonical[re.sub(_SPACES, "", m.group(0))]

    return _Rule(full, repl, (".",), gate=gate)


# --- per-language rule sets -------------------------------------------------------------------

_CJK = frozenset({"ja", "zh", "yue", "wuu", "gan", "hak", "hsn", "nan", "cjy", "lzh"})
_EM_DASH_LANGUAGES = frozenset({"ru", "uk", "be", "kk", "ky", "tt", "ba", "tg", "sah"})
"""Languages whose parenthetical dash is the em dash (тире), not the spaced en dash."""
_NO_GROUPING = frozenset({"en"})
"""Languages where `1990 200` is more likely two numbers than a grouped one."""


@functools.lru_cache(maxsize=64)
def _rules(language: str) -> tuple[_Rule, ...]:
    tag = language.lower()
    primary = tag.split("-")[0]
    if primary in _CJK:
        # Full-width punctuation already has its spacing built in: no spaces, no dashes.
        return (_ELLIPSIS, _APOSTROPHE, _ELIDED_YEAR)
    long_dash = primary in _EM_DASH_LANGUAGES
    rules: list[_Rule] = [
        _ELLIPSIS,
        _EM_DASH,
        _RANGE,
        *_spaced_dash_rules("—" if long_dash else "–", long_dash),
        _word_dash_rule("—" if primary == "en" or long_dash else "–"),
    ]
    if long_dash:
        rules.append(_DIALOGUE_DASH)
    rules += [_APOSTROPHE, _ELIDED_YEAR, *_straight_quote_rules(tag)]
    if primary == "fr":
        if not tag.startswith("fr-ca"):  # Quebec sets no space before ; ! ?
            rules += _FR_HIGH
        rules.append(_FR_COLON)
        inner = quote_marks(tag).open_double[1:]
        if inner:  # the space the quote table puts inside guillemets (none in Switzerland)
            rules += _guillemet_rules(inner)
    rules += [*_number_rules(grouping=primary not in _NO_GROUPING), _PREFIX_DOT, _PREFIX_SIGN]
    rules += _date_rules(primary)
    if primary in _TITLES:
        rules.append(_title_rule(_TITLES[primary]))
    if primary in _ABBREVIATIONS:
        rules.append(_abbreviation_rule(_ABBREVIATIONS[primary]))
    return tuple(rules)


# --- applying rules ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _triggers(language: str) -> tuple[str, ...]:
    """Every trigger string of the language's rules, each once."""
    return _trigger_union(_rules(language))


def _trigger_union(rules: tuple[_Rule, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for rule in rules for t in rule.triggers))


@functools.lru_cache(maxsize=64)
def _quick(language: str) -> _Quick | None:
    """See _quick_test."""
    return _quick_test(_rules(language))


_Quick = tuple[re.Pattern[str], bool]
"""A regex and whether a digit counts too: see _quick_test."""


def _quick_test(rules: tuple[_Rule, ...]) -> _Quick | None:
    """What finds something in every text on which at least one rule would run: a regex of the
    rules' gates (else their triggers), and whether a digit is enough (a rule needing only
    digits); None if some rule always runs. Two thirds of text runs hold nothing any rule looks
    for, and one or two searches in C settle them faster than testing each trigger. The digit
    is its own search: in the alternation, `\\d` would keep `re` from skipping ahead."""
    needs: list[str] = []
    digit = False
    for rule in rules:
        if rule.gate is not None:
            needs.append(rule.gate.pattern)
        elif rule.triggers:
            needs += (re.escape(t) for t in rule.triggers)
        elif rule.needs_digit:
            digit = True
        else:
            return None
    return re.compile("|".join(f"(?:{n})" for n in dict.fromkeys(needs)) or "(?!)"), digit


def _apply(rules: tuple[_Rule, ...], before: str, text: str, after: str,
           triggers: tuple[str, ...] | None = None,
           quick: _Quick | None = None) -> str:
    """Run rules over text until nothing changes (a later rule may make room for an earlier one:
    idempotence is checked, not hoped for), letting them see but never change the context."""
    for _ in range(_MAX_PASSES):
        new = _apply_once(rules, before, text, after, triggers, quick)
        if new == text:
            break
        text = new
    return text


_MAX_PASSES = 4


_DIGIT = re.compile(r"\d")


def _apply_once(rules: tuple[_Rule, ...], before: str, text: str, after: str,
                triggers: tuple[str, ...] | None = None,
                quick: _Quick | None = None) -> str:
    """One pass of every rule over text. `triggers` is the union of the rules' triggers: which
    of them the text holds is found once (and again after a change), not once per rule.
    `quick` is `_quick_test(rules)`: where it finds nothing, no rule runs."""
    if (quick is not None and quick[0].search(text) is None
            and (not quick[1] or _DIGIT.search(text) is None)):
        return text
    if triggers is None:
        triggers = _trigger_union(rules)
    present = {t for t in triggers if t in text}
    has_digit: bool | None = None
    s = ""
    start = end = -1  # s, start, end are made when a rule first runs, again after a change
    for rule in rules:
        if rule.triggers and present.isdisjoint(rule.triggers):
            continue
        if rule.needs_digit:
            if has_digit is None:
                has_digit = _DIGIT.search(text) is not None
            if not has_digit:
                continue
        if rule.gate is not None and rule.gate.search(text) is None:
            continue
        if start < 0:
            s = before + text + after
            start = len(before)
            end = start + len(text)
        repl = rule.repl
        fixed = None if callable(repl) else repl
        parts: list[str] = []
        last = start
        for m in rule.pattern.finditer(s, start - rule.back if start > rule.back else 0):
            ms, me = m.span()
            if ms >= end:
                break
            if me > end:  # would change the neighbour: the neighbour's own pass decides
                continue
            r = fixed if fixed is not None else repl(m)  # type: ignore[operator]
            if r is None:
                continue
            if isinstance(r, tuple):
                ms, r = r
            if ms < start:  # a replacement reaching into the context must give it back unchanged
                keep = s[ms:start]
                if not r.startswith(keep):
                    continue
                ms, r = start, r[len(keep) :]
            if ms < last:
                continue
            parts += (s[last:ms], r)
            last = me
        if parts:
            parts.append(s[last:end])
            text = "".join(parts)
            present = {t for t in triggers if t in text}
            start = -1
    return text


def typeset_text(text: str, language: str) -> str:
    """Typeset a plain string (a title, a credit) with no neighbours."""
    return _apply(_rules(language), "", text, "", _triggers(language), _quick(language))


class _Typesetter:
    def __init__(self, language: str) -> None:
        self.language = language
        self.rules = _rules(language)
        self.triggers = _triggers(language)
        self.quick = _quick(language)
        self.marks = quote_marks(language)

    def render(self, node: Inline, outer: bool | None = None) -> str:
        """The characters a node shows, quotation marks included (context for neighbours).
        `outer` is the kind of the enclosing quotation: nested ones alternate, as writers print."""
        if type(node) is Text:  # the usual node, ahead of the match's class tests
            return node.value
        match node:
            case Text(value) | Code(value):
                return value
            case (Emphasis(children) | Strong(children) | Link(children, _)
                  | Superscript(children) | Subscript(children)):
                return "".join(self.render(c, outer) for c in children)
            case Quoted(children, double):
                kind = double if outer is None else not outer
                opening, closing = self.marks.pair(kind)
                return opening + "".join(self.render(c, kind) for c in children) + closing
            case LineBreak():
                return "\n"
        return ""

    def sequence(self, nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        """A block's inline sequence, walked until stable: a run's change can be the context
        another run's rule was waiting for (`"` then `---` in the next node)."""
        for _ in range(_MAX_PASSES):
            new = self.inlines(nodes)
            if new is nodes:
                break
            nodes = new
        return nodes

    def inlines(
        self,
        nodes: tuple[Inline, ...],
        before: str = "",
        after: str = "",
        outer: bool | None = None,
    ) -> tuple[Inline, ...]:
        if len(nodes) == 1:  # most paragraphs: the same context as below, nothing to render
            only = nodes[0]
            new = self.node(only, before[-_CONTEXT:], after[:_CONTEXT], outer)
            return nodes if new is only else (new,)
        rendered = [self.render(n, outer) for n in nodes]
        out: list[Inline] = []
        tail = before[-_CONTEXT:]
        for i, node in enumerate(nodes):
            head = _head(rendered, i + 1, after)
            new = self.node(node, tail, head, outer)
            out.append(new)
            tail = (tail + (rendered[i] if new is node else self.render(new, outer)))[-_CONTEXT:]
        return tuple(out) if any(a is not b for a, b in zip(out, nodes)) else nodes

    def node(self, node: Inline, before: str, after: str, outer: bool | None) -> Inline:
        if type(node) is Text:  # the usual node, ahead of the match's class tests
            value = node.value
            new = _apply_once(self.rules, before, value, after,  # sequence() repeats
                              self.triggers, self.quick)
            return node if new == value else Text(new)
        match node:
            case Text(value):
                new = _apply_once(self.rules, before, value, after,  # sequence() repeats
                                  self.triggers, self.quick)
                return node if new == value else Text(new)
            case Emphasis(children) | Strong(children) | Superscript(children) | Subscript(children):
                kids = self.inlines(children, before, after, outer)
                return node if kids is children else type(node)(kids)
            case Link(children, url):
                kids = self.inlines(children, before, after, outer)
                return node if kids is children else Link(kids, url)
            case Quoted(children, double):
                kind = double if outer is None else not outer
                opening, closing = self.marks.pair(kind)
                kids = self.inlines(children, before + opening, closing + after, kind)
                return node if kids is children else Quoted(kids, double)
            case Note(children):  # a text of its own, outside the sentence around it
                blocks = tuple(self.block(b) for b in children)
                return node if all(map(operator.is_, blocks, children)) else Note(blocks)
        return node  # Code and LineBreak stay as they are

    def block(self, block: Block) -> Block:
        if type(block) is Paragraph:  # the usual block, ahead of the match's class tests
            children = block.children
            kids = self.sequence(children)
            return block if kids is children else Paragraph(kids)
        match block:
            case Paragraph(children):
                kids = self.sequence(children)
                return block if kids is children else Paragraph(kids)
            case Heading(level, children):
                kids = self.sequence(children)
                return block if kids is children else Heading(level, kids)
            case Figure():
                return self.figure(block)
            case BlockQuote(children):
                return BlockQuote(tuple(self.block(b) for b in children))
            case ListBlock(items, ordered, start):
                return ListBlock(
                    tuple(tuple(self.block(b) for b in item) for item in items), ordered, start
                )
        return map_inlines(block, self.sequence)

    def figure(self, figure: Figure) -> Figure:
        caption = self.sequence(figure.caption)
        credit = self.text(figure.credit)
        if caption is figure.caption and credit == figure.credit:
            return figure
        return dataclasses.replace(figure, caption=caption, credit=credit)

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        return _apply(self.rules, "", value, "", self.triggers, self.quick)


def _head(rendered: list[str], i: int, after: str) -> str:
    """The first _CONTEXT characters of rendered[i:] followed by after."""
    parts: list[str] = []
    size = 0
    for piece in rendered[i:]:
        parts.append(piece)
        size += len(piece)
        if size >= _CONTEXT:
            break
    else:
        parts.append(after)
    return "".join(parts)[:_CONTEXT]


def typeset(article: Article) -> Article:
    """The article with its language's punctuation rules applied to every text run."""
    t = _Typesetter(article.language)
    lead = article.lead
    return dataclasses.replace(
        article,
        title=t.text(article.title) or article.title,
        subtitle=t.text(article.subtitle),
        body=tuple(t.block(b) for b in article.body),
        lead=None if lead is None else t.figure(lead),
    )
