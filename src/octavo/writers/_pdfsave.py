"""Saving reportlab's PDF documents faster, byte for byte as reportlab saves them.

When a document is saved, reportlab formats every object through `pdfdoc.format`, a generic
dispatcher that asks isinstance and hasattr of each value, and each dictionary through
`PDFDictionary.format`, which builds a name object (`PDFName`, a per-character loop) and
encodes it through a Python codec for every key of every dictionary. Most values a PDF holds
are plain: names and keywords (str), numbers, bytes. Here those take a short path: a str's
bytes are remembered (the same few names recur in every dictionary of every document), a
number goes straight to fp_str. Object references and the "n 0 obj" wrappers are written
with bytes formatting instead of a str encoded through the codec. Everything else (PDF
objects, bools, other types) goes to reportlab's own code, so the bytes are reportlab's.

ToUnicode CMaps are remembered too: reportlab writes one per font subset, from the subset's
name and characters only, and in a batch the same subsets recur (the ASCII subset of a bold
face in most articles); their deflated streams are kept with them (by content: a CMap the
shaper rewrote for ligatures is another string, deflated anew).
"""

from __future__ import annotations

import functools
from typing import Any

_CACHE_MAX = 4096
"""Entries the caches of names and short values keep before they start again (a batch of
any size stays bounded)."""

_CMAP_MAX = 256
"""CMaps kept (~2 KB each, with their streams): the subsets that recur are few."""

_SHORT = 80
"""Longer values are encoded each time: they rarely recur, and memory stays small."""

_ENCODED: dict[str, bytes] = {}
"""str -> its bytes in reportlab's 'extpdfdoc' encoding (names, keywords, short values)."""

_NAMES: dict[str, bytes] = {}
"""A dictionary key -> its name, formatted ('Type' -> b'/Type')."""

_CMAPS: dict[tuple[str, tuple[int, ...]], str] = {}
"""(subset's font name, its characters) -> the ToUnicode CMap reportlab writes for it."""

_PACKED_CMAPS: dict[str, Any] = {}
"""A CMap of _CMAPS -> its deflated stream."""

_MAKE_CMAP: Any = None
"""The remembering makeToUnicodeCMap, once installed (None: reportlab's was wrapped first)."""


@functools.cache
def install() -> None:
    """Put the short paths in place of reportlab's (once per process)."""
    from reportlab.pdfbase import pdfdoc, ttfonts

    _install_format(pdfdoc)
    _install_cmaps(pdfdoc, ttfonts)


def _encoded(text: str) -> bytes:
    """reportlab's pdfdocEnc of a str, remembered."""
    found = _ENCODED.get(text)
    if found is None:
        found = text.encode("extpdfdoc")  # raises as reportlab would: nothing is remembered
        if len(text) > _SHORT:
            return found
        if len(_ENCODED) >= _CACHE_MAX:
            _ENCODED.clear()
        _ENCODED[text] = found
    return found


def _install_format(pdfdoc: Any) -> None:
    from collections import OrderedDict

    from reportlab import rl_config
    from reportlab.lib.rl_accel import fp_str

    original_format = pdfdoc.format
    original_dict_format = pdfdoc.PDFDictionary.format
    name_of = pdfdoc.PDFName

    def format_value(element: Any, document: Any, toplevel: int = 0) -> Any:
        kind = type(element)
        if kind is str:
            return _encoded(element)
        if kind is bytes:
            return element
        if kind is int or kind is float:
            # fp_str writes digits, '-' and '.': the same bytes in ASCII as in extpdfdoc
            return fp_str(element).encode("ascii")
        return original_format(element, document, toplevel)

    def name(key: Any) -> bytes:
        found = _NAMES.get(key)
        if found is None:
            found = original_format(name_of(key), None)
            if type(key) is str:
                if len(_NAMES) >= _CACHE_MAX:
                    _NAMES.clear()
                _NAMES[key] = found
        return found  # type: ignore[no-any-return]

    def format_dict(self: Any, document: Any, IND: bytes = b"\n ") -> bytes:
        entries = self.dict
        keys = list(entries.keys())
        if not isinstance(entries, OrderedDict):
            keys.sort()
        lines = [name(k) + b" " + format_value(entries[k], document) for k in keys]
        if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
            return b"<<\n" + IND.join(lines) + b"\n>>"
        for i in reversed(range(6, len(lines), 6)):  # a line break every six entries
            lines.insert(i, b"\n ")
        return b"<<\n" + b" ".join(lines) + b"\n>>"

    original_reference = pdfdoc.PDFObjectReference.format
    original_indirect = pdfdoc.PDFIndirectObject.format

    def format_reference(self: Any, document: Any) -> Any:
        found = document.idToObjectNumberAndVersion.get(self.name)
        if type(found) is tuple and len(found) == 2 and type(found[0]) is int \
                and type(found[1]) is int:
            return b"%d %d R" % found
        return original_reference(self, document)  # reportlab's error, or its str()

    def format_indirect(self: Any, document: Any) -> Any:
        number, version = document.idToObjectNumberAndVersion[self.name]
        if type(number) is not int or type(version) is not int:
            return original_indirect(self, document)
        document.encrypt.register(number, version)
        content = format_value(self.content, document, toplevel=1)
        return (b"%d %d obj\n" % (number, version) + content
                + (b"" if content.endswith(b"\n") else b"\n") + b"endobj\n")

    for function, original in ((format_value, original_format), (format_dict, original_dict_format),
                               (format_reference, original_reference),
                               (format_indirect, original_indirect)):
        function.original = original  # type: ignore[attr-defined]  # for the tests
    pdfdoc.format = format_value
    pdfdoc.PDFDictionary.format = format_dict
    pdfdoc.PDFObjectReference.format = format_reference
    pdfdoc.PDFIndirectObject.format = format_indirect


def _install_cmaps(pdfdoc: Any, ttfonts: Any) -> None:
    make = ttfonts.makeToUnicodeCMap
    if getattr(make, "__module__", None) != ttfonts.__name__:
        # Already wrapped (pdf._install_shaper rewrites ligature entries from what it has
        # learnt so far): its answer may change, so it is not remembered. Installed later,
        # the shaper wraps this cache instead, and its own changes stay fresh.
        return
    encode = pdfdoc.PDFZCompress.encode

    def make_cmap(fontname: Any, subset: Any) -> Any:
        if type(fontname) is not str:
            return make(fontname, subset)
        key = (fontname, tuple(subset))
        found = _CMAPS.get(key)
        if found is None:
            if len(_CMAPS) >= _CMAP_MAX:
                _CMAPS.clear()
                _PACKED_CMAPS.clear()
            found = _CMAPS[key] = make(fontname, subset)
            _PACKED_CMAPS[found] = None
        return found

    def encode_cmap(text: Any) -> Any:
        if type(text) is str:  # only a remembered CMap is both str and in the table
            found = _PACKED_CMAPS.get(text, False)
            if found is None:
                found = _PACKED_CMAPS[text] = encode(text)
            if found is not False:
                return found
        return encode(text)

    global _MAKE_CMAP
    make_cmap.original = make  # type: ignore[attr-defined]  # for the tests
    encode_cmap.original = encode  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = _MAKE_CMAP = make_cmap
    pdfdoc.PDFZCompress.encode = encode_cmap
