"""Quotation marks by language: which marks a writer prints for a `Quoted` node.

`quote_marks(tag).pair(double)` gives (opening, closing). The table follows each language's
typographic convention (CLDR delimiters, national style guides; cross-checked against polytypo's
27 locale files): German „…“ ‚…‘, Swiss «…» ‹…›, French «⟨NNBSP⟩…⟨NNBSP⟩» (the narrow no-break
space is part of the mark, so writers need not add it; reportlab breaks lines at U+202F, so the PDF
writer turns it into U+00A0), Russian «…» „…“, Japanese 「…」『…』. A tag is looked up from the most
specific form down (`de-CH-1996` -> `de-ch` -> `de`); languages not in the table get English marks.
"""

from __future__ import annotations

from dataclasses import dataclass

from octavo.typography.words import lookup

NNBSP = "\u202f"
NBSP = "\u00a0"


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    open_double: str
    close_double: str
    open_single: str
    close_single: str

    def pair(self, double: bool) -> tuple[str, str]:
        return (self.open_double, self.close_double) if double else (self.open_single, self.close_single)

    def nested_pair(self, double: bool, outer: bool | None) -> tuple[str, str]:
        """Marks for a quotation inside another whose kind was `outer` (None: not nested).

        A nested quotation takes the other kind than its parent, whatever the source used:
        Russian «Это „Газпром“» arrives as two double quotes and must print „…“ inside «…»."""
        return self.pair(double if outer is None else not outer)


_EN = QuoteMarks("“", "”", "‘", "’")
_DE = QuoteMarks("„", "“", "‚", "‘")
_GUILLEMETS = QuoteMarks("«", "»", "„", "“")  # Russian, Ukrainian, Belarusian: inner „…“
_FR = QuoteMarks("«" + NNBSP, NNBSP + "»", "“", "”")
_FR_CA = QuoteMarks("«" + NBSP, NBSP + "»", "“", "”")  # OQLF: a full no-break space
_CH = QuoteMarks("«", "»", "‹", "›")
_SV = QuoteMarks("”", "”", "’", "’")
_PL = QuoteMarks("„", "”", "«", "»")
_JA = QuoteMarks("「", "」", "『", "』")
_ZH_HANS = QuoteMarks("“", "”", "‘", "’")
_ZH_HANT = QuoteMarks("「", "」", "『", "』")
_ES = QuoteMarks("«", "»", "“", "”")
_IT = QuoteMarks("«", "»", "“", "”")
_NL = QuoteMarks("“", "”", "‘", "’")
_DA = QuoteMarks("»", "«", "›", "‹")
_HE = QuoteMarks("”", "”", "’", "’")
_AR = QuoteMarks("«", "»", "“", "”")
_EL = QuoteMarks("«", "»", "“", "”")
_CS = QuoteMarks("„", "“", "‚", "‘")
_HR = QuoteMarks("„", "”", "‘", "’")
_HU = QuoteMarks("„", "”", "»", "«")
_NO = QuoteMarks("«", "»", "‘", "’")
_CY = QuoteMarks("‘", "’", "“", "”")
_AM = QuoteMarks("«", "»", "‹", "›")

# Keyed by full tag first (region matters: de-CH), then by primary language.
_TABLE: dict[str, QuoteMarks] = {
    # Germanic
    "en": _EN, "de": _DE, "de-ch": _CH, "de-li": _CH, "gsw": _CH, "lb": _DE, "nds": _DE,
    "nl": _NL, "fy": _NL, "af": _EN, "da": _DA, "sv": _SV, "no": _NO, "nb": _NO, "nn": _NO,
    "is": _DE, "fo": _SV,
    # Romance
    "fr": _FR, "fr-ca": _FR_CA, "fr-ch": _CH, "it": _IT, "it-ch": _CH, "rm": _CH, "es": _ES,
    "ca": _ES, "ast": _ES, "eu": _ES, "oc": _ES, "br": _ES, "co": _ES, "pt": _EN, "pt-br": _EN,
    "pt-pt": _ES, "ro": _PL,
    # Slavic and Baltic
    "ru": _GUILLEMETS, "uk": _GUILLEMETS, "be": _GUILLEMETS, "bg": _DE, "mk": _DE, "sr": _DE,
    "hr": _HR, "bs": _HR, "sl": _CS, "cs": _CS, "sk": _CS, "hsb": _CS, "pl": _PL,
    "lt": _DE, "lv": _EN, "et": _DE,
    # Turkic and others written in Cyrillic
    "kk": _GUILLEMETS, "ky": _GUILLEMETS, "tt": _GUILLEMETS, "ba": _GUILLEMETS,
    "tg": _GUILLEMETS, "tr": _EN,
    # Other European
    "fi": _SV, "se": _SV, "hu": _HU, "el": _EL, "sq": _EL, "ga": _EN, "cy": _CY,
    "hy": _GUILLEMETS, "ka": _DE,
    # Right-to-left
    "he": _HE, "ar": _AR, "fa": _AR, "ur": _AR,
    # East Asian
    "ja": _JA, "zh": _ZH_HANS, "zh-hans": _ZH_HANS, "zh-hant": _ZH_HANT, "zh-tw": _ZH_HANT,
    "zh-hk": _ZH_HANT, "zh-mo": _ZH_HANT, "yue": _ZH_HANT, "ko": _EN,
    # Ethiopic
    "am": _AM, "ti": _AM,
}


def quote_marks(language: str) -> QuoteMarks:
    """The marks for a BCP 47 tag; English marks for languages not in the table."""
    marks = lookup(_TABLE, language)
    return _EN if marks is None else marks
