"""The PDF writer's short paths for saving give what reportlab's own code gives.

- plain values, dictionaries, references and indirect objects format (_pdfsave) as
  reportlab's pdfdoc formats them, errors included;
- ToUnicode CMaps remembered from one PDF to the next (and their deflated streams) are the
  ones reportlab writes;
- paragraph styles shared by documents are the styles each document would make;
- whole PDFs saved with every short path are the PDFs saved with reportlab's code.
"""

from __future__ import annotations

import io
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo.model import Article, Book, Link, Paragraph, Text
from octavo.options import WriteOptions
from octavo.writers import _pdfsave, pdf
from octavo.writers.pdf import LAYOUTS, PdfWriter
from tests.writers.conftest import seed_article

FIXED = datetime(2025, 7, 13, 12, 0, tzinfo=UTC)


def _pdfdoc() -> Any:
    from reportlab.pdfbase import pdfdoc

    _pdfsave.install()
    return pdfdoc


def _outcome(function: Any, *args: Any) -> Any:
    """What a call returns, or the type of what it raises."""
    try:
        return function(*args)
    except Exception as exc:  # noqa: BLE001  # the same failure is the same answer
        return type(exc)


_ODD_TEXT = st.text(st.sampled_from(["a", "Z", "/", " ", "(", "#", "\x00", "\x18", "\x1f",
                                     "\x7f", "é", "\u2014", "\u0100", "中", "\ud800"]),
                    max_size=8)
_SCALARS = st.one_of(
    _ODD_TEXT, st.binary(max_size=8), st.integers(-10**6, 10**6),
    st.floats(-1e6, 1e6, allow_nan=False), st.booleans(), st.none(),
)


@settings(max_examples=300, deadline=None)
@given(_SCALARS)
def test_plain_values_format_as_reportlab_formats_them(value: Any) -> None:
    pdfdoc = _pdfdoc()
    doc = pdfdoc.PDFDocument()
    quick, plain = pdfdoc.format, pdfdoc.format.original
    assert quick is not plain
    for _ in range(2):  # the second time from the cache
        assert _outcome(quick, value, doc) == _outcome(plain, value, doc)


def _plainly(pdfdoc: Any, obj: Any, doc: Any) -> Any:
    """reportlab's formatting of `obj`, with its own code throughout."""
    with _originals(pdfdoc):
        return _outcome(obj.format, doc)


@contextmanager
def _originals(pdfdoc: Any) -> Iterator[None]:
    """reportlab's format functions back in place of the short paths, for a while."""
    _pdfsave.install()
    places = [(pdfdoc, "format"), (pdfdoc.PDFDictionary, "format"),
              (pdfdoc.PDFObjectReference, "format"), (pdfdoc.PDFIndirectObject, "format")]
    quick = [(where, name, getattr(where, name)) for where, name in places]
    for where, name, function in quick:
        setattr(where, name, function.original)
    # The CMap cache may sit under other wrappers (the shaper's, the font subsets' deflate):
    # emptied, it makes and deflates every CMap anew (no document has one twice).
    remembered = _pdfsave._CMAPS, _pdfsave._PACKED_CMAPS
    _pdfsave._CMAPS, _pdfsave._PACKED_CMAPS = {}, {}
    try:
        yield
    finally:
        _pdfsave._CMAPS, _pdfsave._PACKED_CMAPS = remembered
        for where, name, function in quick:
            setattr(where, name, function)


_KEYS = st.text(st.sampled_from(["A", "b", "1", " ", "#", "/", "(", "é"]), min_size=1,
                max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEYS, _SCALARS, max_size=14), st.sampled_from([True, False, "forced"]),
       st.booleans(), st.booleans())
def test_dictionaries_format_as_reportlab_formats_them(entries: dict[str, Any], multiline: Any,
                                                       ordered: bool, nested: bool) -> None:
    pdfdoc = _pdfdoc()
    doc = pdfdoc.PDFDocument()
    inner = pdfdoc.PDFDictionary(entries)
    inner.multiline = multiline
    if ordered:
        inner.dict = OrderedDict(reversed(entries.items()))
    obj = pdfdoc.PDFDictionary({"Inner": inner, "List": pdfdoc.PDFArray([inner, 1, "/N"])}) \
        if nested else inner
    assert _outcome(obj.format, doc) == _plainly(pdfdoc, obj, doc)


def test_references_and_objects_format_as_reportlab_formats_them() -> None:
    pdfdoc = _pdfdoc()
    doc = pdfdoc.PDFDocument()
    target = pdfdoc.PDFDictionary({"Type": "/Test", "N": 3})
    ref = doc.Reference(target)
    holder = pdfdoc.PDFIndirectObject(ref.name, pdfdoc.PDFDictionary({"Ref": ref, "X": 1.5}))
    ending = pdfdoc.PDFIndirectObject(ref.name, pdfdoc.PDFStream(content=b"q Q\n"))
    missing = pdfdoc.PDFObjectReference("nowhere")
    for obj in (ref, holder, ending, missing):
        assert _outcome(obj.format, doc) == _plainly(pdfdoc, obj, doc)
    doc.idToObjectNumberAndVersion["odd"] = ("7", 0)  # not reportlab's ints: its own code
    assert _outcome(pdfdoc.PDFObjectReference("odd").format, doc) == b"7 0 R"
    assert _outcome(pdfdoc.PDFIndirectObject("odd", target).format, doc) \
        == _plainly(pdfdoc, pdfdoc.PDFIndirectObject("odd", target), doc)


def test_remembered_tounicode_maps_are_reportlabs() -> None:
    pdfdoc = _pdfdoc()
    make = _pdfsave._MAKE_CMAP
    if make is None:
        pytest.skip("the shaper wrapped reportlab's CMaps first: none are remembered")
    for name, subset in (("AAAAAA+DejaVuSerif", list(range(32, 128))),
                         ("AAAAAB+DejaVuSerif", [0x4E2D, 0x6587, 0x20]),
                         ("AAAAAA+DejaVuSerif", list(range(32, 127)))):
        first = make(name, subset)
        assert first == make.original(name, subset)
        assert make(name, subset) is first  # remembered
        packed = pdfdoc.PDFZCompress.encode(first)
        assert packed == zlib.compress(first.encode("utf8"))
        assert pdfdoc.PDFZCompress.encode(first) is packed  # remembered with it
    other = "not a CMap"
    assert pdfdoc.PDFZCompress.encode(other) == zlib.compress(other.encode("utf8"))
    assert other not in _pdfsave._PACKED_CMAPS


def test_cmaps_another_wrapper_changes_are_not_remembered(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A makeToUnicodeCMap that is not reportlab's (the shaper's, whose ligature entries grow
    as it learns) is left alone: its answers are not remembered."""
    import types

    from reportlab.pdfbase import ttfonts

    pdfdoc = _pdfdoc()
    learnt: list[str] = []

    def shaped(fontname: str, subset: Any) -> str:
        return ttfonts.makeToUnicodeCMap(fontname, subset) + "".join(learnt)

    fake = types.SimpleNamespace(__name__=ttfonts.__name__, makeToUnicodeCMap=shaped)
    monkeypatch.setattr(_pdfsave, "_MAKE_CMAP", _pdfsave._MAKE_CMAP)
    monkeypatch.setattr(pdfdoc.PDFZCompress, "encode", pdfdoc.PDFZCompress.encode)
    _pdfsave._install_cmaps(pdfdoc, fake)
    assert fake.makeToUnicodeCMap is shaped  # not reportlab's module's: not wrapped
    first = fake.makeToUnicodeCMap("AAAAAA+X", [65])
    learnt.append("%ligature")
    assert fake.makeToUnicodeCMap("AAAAAA+X", [65]) == first + "%ligature"


def test_shared_styles_are_the_styles_a_document_makes() -> None:
    from octavo.typography.hyphenation import hyphenator

    de = hyphenator("de")
    for lay, hy in ((LAYOUTS["a4"], de), (LAYOUTS["a5"], de), (LAYOUTS["a4"], None)):
        shared = pdf._styles(lay, hy)
        again = pdf._styles(lay, hy)
        assert again is not shared and again == shared  # a copy of the dict, the same styles
        fresh = pdf._make_styles(lay, hy)
        assert shared.keys() == fresh.keys()
        for name, style in shared.items():
            assert vars(style) == vars(fresh[name]) or _same_style(style, fresh[name]), name
    assert pdf._styles(LAYOUTS["a4"], de)["body"] is not pdf._styles(LAYOUTS["a5"], de)["body"]
    assert pdf._styles(LAYOUTS["a4"], None)["body"].hyphenationLang == ""


def _same_style(a: Any, b: Any) -> bool:
    """Attributes equal, parents compared by what they say (they are different objects)."""
    left, right = dict(vars(a)), dict(vars(b))
    pa, pb = left.pop("parent", None), right.pop("parent", None)
    return left == right and (pa is pb or _same_style(pa, pb))


# --- whole documents ------------------------------------------------------------------------

_LONG = ("Ein langer Satz über die Quadratkilometer der Überraschungsoffensive, der "
         "umbrochen werden muss. ")


def _book() -> Book:
    links = Article(
        title="Links", language="en",
        body=(Paragraph((Text("See "), Link((Text("the site"),), "https://example.org/a"),
                         Text(". " + _LONG * 4))),))
    russian = Article(title="Новости", language="ru",
                      body=(Paragraph((Text("Москва — столица России. " * 12),)),))
    japanese = Article(title="ニュース", language="ja",
                       body=(Paragraph((Text("東京は日本の首都です。" * 20),)),))
    hindi = Article(title="समाचार", language="hi",  # shaped: the shaper's CMaps with ligatures
                    body=(Paragraph((Text("नमस्ते दुनिया, यह एक परीक्षण है। " * 10),)),))
    return Book(title="Drei", language="de",
                articles=(seed_article(), links, russian, japanese, hindi))


def _write(book: Book, size: str = "a4") -> bytes:
    out = io.BytesIO()
    PdfWriter().write(book, out, WriteOptions(modified=FIXED, page_size=size))
    return out.getvalue()


@pytest.mark.parametrize("size", ["a4", "ereader"])
def test_pdfs_saved_by_the_short_paths_are_reportlabs(size: str) -> None:
    pdfdoc = _pdfdoc()
    book = _book()
    quick = _write(book, size)
    assert _write(book, size) == quick  # with everything remembered from the first
    with _originals(pdfdoc):
        assert _write(book, size) == quick
    single = Book(title="Eins", language="ru", articles=(book.articles[2],))
    with _originals(pdfdoc):
        plain = _write(single, size)
    assert _write(single, size) == plain
