"""Bytes to text by detection: BOMs, then strict UTF-8, then charset-normalizer for legacy encodings."""

from __future__ import annotations

import codecs
import unicodedata

from octavo.errors import DecodeError, EmptyInputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def looks_binary(data: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 text, or many control bytes, mean this is not text."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    return controls / len(sample) > 0.1


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Text is NFC with LF line ends and no BOM."""
    if not data.strip():
        raise EmptyInputError("the file is empty", hint="give a file with article text")
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise DecodeError(f"unknown encoding {encoding!r}",
                              hint="name a Python codec such as utf-8 or cp1252") from None
        except UnicodeDecodeError as exc:
            raise DecodeError(f"cannot decode as {encoding}: {exc.reason} at byte {exc.start}",
                              hint="leave out --encoding to detect it") from None
        return _clean(text), encoding
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _clean(data[len(bom):].decode(name)), name
            except UnicodeDecodeError:
                raise DecodeError(f"the file starts with a {name} byte-order mark but is not "
                                  f"valid {name}", hint="re-save it as UTF-8") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if looks_binary(data):
            raise DecodeError("this is a binary file, not text",
                              hint="give a text, Markdown, HTML or JSON article")
        return _clean(text), "utf-8"
    if looks_binary(data):
        raise DecodeError("this is a binary file, not text",
                          hint="give a text, Markdown, HTML or JSON article")
    from charset_normalizer import from_bytes  # only legacy input pays for the import

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("cannot tell the text encoding",
                          hint="convert it to UTF-8 or name it with --encoding")
    name = best.encoding
    return _clean(str(best)), name


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)
