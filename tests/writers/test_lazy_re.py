"""reportlab's two costly, unused patterns are compiled on first use, and still work."""

from __future__ import annotations

import re
import subprocess
import sys

from octavo.writers import _lazy_re


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
        "from octavo.writers import _lazy_re\n"
        "lazy = paragraph.uri_pat\n"
        "print(type(lazy).__name__, lazy._compiled is None, re.compile is _lazy_re._compile)\n"
        "real = _lazy_re._compile(lazy.pattern, lazy.flags)\n"
        "for uri in ('https://example.org/a/b?c=d', 'ftp://x', 'not a uri', 'mailto:x@y.z'):\n"
        "    got, want = lazy.match(uri), real.match(uri)\n"
        "    assert (got and got.groups()) == (want and want.groups()), uri\n"
        "print('same')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["LazyPattern", "True", "True", "same"]
