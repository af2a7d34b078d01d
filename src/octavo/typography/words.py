"""Dates, name lists and counts as the article's language writes them (both writers use these)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar

V = TypeVar("V")

_MONTHS: dict[str, tuple[str, ...]] = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
           "oktober", "november", "december"),
    "no": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "desember"),
    "pl": ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
           "września", "października", "listopada", "grudnia"),
    "cs": ("ledna", "února", "března", "dubna", "května", "června", "července", "srpna",
           "září", "října", "listopadu", "prosince"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "uk": ("січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
           "вересня", "жовтня", "листопада", "грудня"),
    "el": ("Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου",
           "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"),
}
_MONTHS["nb"] = _MONTHS["nn"] = _MONTHS["no"]
_DATE_PATTERNS: dict[str, str] = {
    "de": "{d}. {m} {y}", "da": "{d}. {m} {y}", "no": "{d}. {m} {y}", "nb": "{d}. {m} {y}",
    "nn": "{d}. {m} {y}", "cs": "{d}. {m} {y}", "en": "{d} {m} {y}", "en-us": "{m} {d}, {y}",
    "es": "{d} de {m} de {y}", "pt": "{d} de {m} de {y}", "ru": "{d} {m} {y} г.",
    "uk": "{d} {m} {y} р.",
}
_ARTICLES: dict[str, str] = {
    "de": "{n} Artikel", "en": "{n} articles", "fr": "{n} articles", "es": "{n} artículos",
    "pt": "{n} artigos", "it": "{n} articoli", "nl": "{n} artikelen", "sv": "{n} artiklar",
    "da": "{n} artikler", "no": "{n} artikler", "nb": "{n} artikler", "pl": "Artykuły: {n}",
    "cs": "Články: {n}", "ru": "Статей: {n}", "uk": "Статей: {n}", "el": "Άρθρα: {n}",
}


def lookup(table: Mapping[str, V], language: str) -> V | None:
    """The entry for the tag, or for its shorter prefixes ("de-AT" falls back to "de")."""
    tag = language.lower()
    while tag:
        if tag in table:
            return table[tag]
        tag = tag.rpartition("-")[0]
    return None


def format_date(day: date, language: str) -> str:
    """A date as readers of the language write it ("13. Juli 2025"); ISO 8601 otherwise."""
    months = lookup(_MONTHS, language)
    if months is None:
        return day.isoformat()
    pattern = lookup(_DATE_PATTERNS, language) or "{d} {m} {y}"
    return pattern.format(d=day.day, m=months[day.month - 1], y=day.year)


def article_count(n: int, language: str) -> str:
    """ "12 Artikel", "Статей: 12": how many articles a bound book holds."""
    return str(lookup(_ARTICLES, language) or _ARTICLES["en"]).format(n=n)


_AND = {"de": "und", "en": "and", "fr": "et", "es": "y", "it": "e", "pt": "e", "nl": "en",
        "sv": "och", "da": "og", "no": "og", "nb": "og", "pl": "i", "cs": "a", "ru": "и",
        "uk": "і", "el": "και"}


def join_names(names: Sequence[str], language: str) -> str:
    """ "A", "A and B", "A, B and C" in the language (commas only where the word is unknown)."""
    names = list(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
    if len(names) <= 1:
        return "".join(names)
    conj = lookup(_AND, language)
    if conj is None:
        return ", ".join(names)
    return f"{', '.join(names[:-1])} {conj} {names[-1]}"


_NOTES = {"en": "Notes", "de": "Anmerkungen", "fr": "Notes", "es": "Notas", "pt": "Notas",
          "it": "Note", "nl": "Noten", "sv": "Noter", "da": "Noter", "no": "Noter",
          "nb": "Noter", "nn": "Noter", "pl": "Przypisy", "cs": "Poznámky", "ru": "Примечания",
          "uk": "Примітки", "el": "Σημειώσεις", "tr": "Notlar", "fi": "Huomautukset",
          "hu": "Jegyzetek", "ja": "注", "zh": "注释", "ko": "주석", "ar": "ملاحظات",
          "he": "הערות", "hi": "टिप्पणियाँ", "th": "หมายเหตุ", "vi": "Ghi chú", "id": "Catatan",
          "ro": "Note", "ca": "Notes"}


def notes_heading(language: str) -> tuple[str, str]:
    """The heading over an article's footnotes, and the language it is in (English where the
    language is not in the table)."""
    found = lookup(_NOTES, language)
    return (found, language) if found else (_NOTES["en"], "en")
