"""reportlab's costly patterns are compiled on first use (uri_pat only for strings that could
match), and still work."""

from __future__ import annotations

import re

from octavo import _lazy_re
from tests.probe import fresh_python_words


def test_a_lazy_pattern_compiles_on_first_use_and_behaves_like_the_pattern() -> None:
    source = "([\u2e80-\uffff])"
    lazy = _lazy_re.LazyPattern(source, re.UNICODE)
    assert lazy._compiled is None
    text = "abc日本語def"
    assert lazy.sub(r"\1 ", text) == re.compile(source, re.UNICODE).sub(r"\1 ", text)
    assert lazy._compiled is not None
    assert lazy.pattern == source


def test_only_the_listed_patterns_are_deferred_and_re_compile_is_restored() -> None:
    with _lazy_re.lazy_patterns():
        deferred = re.compile("([\u2e80-\uffff])", re.UNICODE)
        plain = re.compile("a+b")
    assert isinstance(deferred, _lazy_re.LazyPattern)
    assert isinstance(plain, re.Pattern)
    assert re.compile is _lazy_re._compile


def test_the_pdf_writer_imports_reportlab_with_its_uri_pattern_deferred() -> None:
    code = (
        "import re\n"
        "from octavo.model import Article, Book, Paragraph, Text\n"
        "from octavo.options import WriteOptions\n"
        "from octavo.writers.pdf import render\n"
        "article = Article(title='T', language='en', body=(Paragraph((Text('Some words.'),)),))\n"
        "assert render(Book.of(article), WriteOptions()).startswith(b'%PDF')\n"
        "from reportlab.platypus import paragraph\n"
        "from octavo import _lazy_re\n"
        "lazy = paragraph.uri_pat\n"
        "print(type(lazy).__name__, lazy._compiled is None, re.compile is _lazy_re._compile)\n"
        "real = _lazy_re._compile(lazy.pattern, lazy.flags)\n"
        "for uri in ('https://example.org/a/b?c=d', 'ftp://x', 'not a uri', 'mailto:x@y.z'):\n"
        "    got, want = lazy.match(uri), real.match(uri)\n"
        "    assert (got and got.groups()) == (want and want.groups()), uri\n"
        "print('same')\n"
    )
    assert fresh_python_words(code) == ["LazyPattern", "True", "True", "same"]


_URIS = ("https://example.org/a/b?c=d", "ftp://x", "not a uri", "mailto:x@y.z", "HTTP://Ex.ORG",
         "xn--n3h.com", "://", "a://b", "www.example.org/path", "", "Überraschungsoffensive",
         "word-with-hyphen", "x+y.z://[::1]:8080/p", "https://пример.рф/путь", "1://2")


def test_the_uri_stand_in_answers_like_the_pattern_and_compiles_only_for_a_scheme() -> None:
    # uri_pat's own start and end, with a shorter middle (the real one takes ~40 ms to compile).
    source = ("(^(?:[a-z0-9\\.\\-\\+]*)://)(?:\\S+(?::\\S*)?@)?(?:(?:25[0-5]|2[0-4]\\d|[0-1]?"
              "\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|[0-1]?\\d?\\d)){3}|localhost)(?::\\d{2,5})?\\Z")
    real = re.compile(source, re.IGNORECASE)
    with _lazy_re.lazy_patterns():
        lazy = re.compile(source, re.IGNORECASE)
    assert isinstance(lazy, _lazy_re.LazyPattern)
    for uri in (u for u in _URIS if "://" not in u):
        for method in ("match", "search", "fullmatch"):
            assert getattr(lazy, method)(uri) is None is getattr(real, method)(uri)
    assert lazy._compiled is None  # no "://": never compiled
    for uri in _URIS:
        for method in ("match", "search", "fullmatch"):
            got, want = getattr(lazy, method)(uri), getattr(real, method)(uri)
            assert (got and got.groups()) == (want and want.groups()), (method, uri)
        assert (lazy.match(uri, 1) is None) == (real.match(uri, 1) is None)
    assert lazy._compiled is not None


def test_reportlabs_uri_splitting_is_unchanged_by_the_stand_in() -> None:
    """_uri_split_pairs runs on every word a line's hyphenation tries."""
    code = (
        "from octavo.writers.pdf import _import_reportlab\n"
        "_import_reportlab()\n"
        "from reportlab.platypus import paragraph\n"
        "from reportlab.lib import PyFontify\n"
        "from octavo import _lazy_re\n"
        "assert isinstance(PyFontify.matchRE, _lazy_re.LazyPattern)\n"
        f"uris = {_URIS!r}\n"
        "lazy = [paragraph._uri_split_pairs(u) for u in uris if '://' not in u]\n"
        "print(paragraph.uri_pat._compiled is None)\n"
        "got = [paragraph._uri_split_pairs(u) for u in uris]\n"
        "paragraph.uri_pat = _lazy_re._compile(paragraph.uri_pat.pattern, paragraph.uri_pat.flags)\n"
        "want = [paragraph._uri_split_pairs(u) for u in uris]\n"
        "print(got == want, lazy == [w for u, w in zip(uris, want) if '://' not in u])\n"
        "src = 'def f(x):  # c\\nclass A: return \"#\"\\n'\n"
        "got = PyFontify.fontify(src)\n"
        "PyFontify.matchRE = _lazy_re._compile(PyFontify.matchRE.pattern)\n"
        "print(got == PyFontify.fontify(src) and len(got) > 3)\n"
    )
    assert fresh_python_words(code) == ["True", "True", "True", "True"]
