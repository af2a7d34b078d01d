"""The EPUB's ZIP: entries that are the same in every book are deflated once, by content."""

from __future__ import annotations

import io
import zipfile
import zlib

from octavo.model import Article, Book, Paragraph, Text
from octavo.options import WriteOptions
from octavo.writers import epub


def _book(title: str) -> Book:
    return Book.of(Article(title=title, language="en", body=(Paragraph((Text("Body."),)),)))


def test_cached_deflate_is_keyed_by_content() -> None:
    a, b = b"one stylesheet" * 20, b"another stylesheet" * 20
    assert zlib.decompress(epub._deflate_cached(a, 6), -15) == a
    assert zlib.decompress(epub._deflate_cached(b, 6), -15) == b
    assert epub._deflate_cached(a, 6) == epub._deflate(a, 6)
    assert epub._deflate_cached(a, 1) == epub._deflate(a, 1)


def test_shared_entries_read_back_in_every_book() -> None:
    options = WriteOptions(cover=False)
    for title in ("First", "Second"):
        data = epub.render(_book(title), options)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None  # every CRC matches its entry
            assert archive.read(f"EPUB/{epub.CSS_FILE}").decode("utf-8") == epub.STYLESHEET
            assert b"full-path=\"EPUB/content.opf\"" in archive.read("META-INF/container.xml")
            names = set(archive.namelist())
        assert epub._SAME_EVERY_TIME <= names  # the cached names are the ones written
