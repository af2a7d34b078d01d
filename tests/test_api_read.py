"""api.read from a path: its errors, and the input folder it hands (or not) to the reader."""

from __future__ import annotations

import os
from typing import ClassVar

import pytest

from octavo import api, plugins
from octavo.errors import InputError
from octavo.model import Article
from octavo.options import ReadOptions

TEXT = "A title\nThe first paragraph of a short English article about nothing much at all.\n"


def test_a_folder_a_missing_file_and_a_large_file_are_input_errors(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="this is a folder"):
        api.read(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        api.read(tmp_path / "missing.txt")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 * 2**20))
    monkeypatch.setenv("OCTAVO_MAX_INPUT_MB", "1")
    with pytest.raises(InputError, match="over the 1 MB limit"):
        api.read(big)


def test_the_bytes_read_are_the_files(tmp_path):
    data = ("Titel\n" + "Ein Absatz über die Stadt und ihre Brücken, lang genug. " * 400).encode()
    path = tmp_path / "long.txt"
    path.write_bytes(data)
    assert api._read_bytes(path) == data
    (tmp_path / "empty.txt").write_bytes(b"")
    assert api._read_bytes(tmp_path / "empty.txt") == b""


class _Recording:
    """A reader that keeps the options it was given."""

    name: ClassVar[str] = "recording"
    extensions: ClassVar[frozenset[str]] = frozenset({".rec"})
    seen: ClassVar[list[ReadOptions]] = []

    def read(self, source: plugins.Source, options: ReadOptions) -> Article:
        self.seen.append(options)
        return Article(title="T", language="en", body=())


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_readers_get_the_resolved_folder_of_the_input_unless_they_need_none(tmp_path,
                                                                             monkeypatch):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text(TEXT)
    elsewhere = tmp_path / "links"
    elsewhere.mkdir()
    (elsewhere / "a.rec").symlink_to(real / "a.txt")  # a link: its target's folder counts
    monkeypatch.setattr(plugins, "load_reader", lambda name: _Recording())
    _Recording.seen.clear()
    api.read(elsewhere / "a.rec", format="recording")
    assert _Recording.seen[-1].base_dir == real.resolve()
    given = ReadOptions(base_dir=tmp_path)
    api.read(elsewhere / "a.rec", format="recording", options=given)
    assert _Recording.seen[-1].base_dir == tmp_path  # the caller's folder wins


def test_the_text_reader_needs_no_input_folder(tmp_path, monkeypatch):
    from octavo.readers.text import TextReader

    assert TextReader.uses_base_dir is False
    seen: list[ReadOptions] = []
    original = TextReader.read

    def spy(self: TextReader, source: plugins.Source, options: ReadOptions) -> Article:
        seen.append(options)
        return original(self, source, options)

    monkeypatch.setattr(TextReader, "read", spy)
    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    article = api.read(path)
    assert seen[-1].base_dir is None
    assert article.title == "A title" and article.source == "a.txt"


def test_the_source_name_is_the_file_name_from_a_path_or_bytes(tmp_path):
    path = tmp_path / "folder" / "b.txt"
    path.parent.mkdir()
    path.write_text(TEXT)
    assert api.read(path).source == "b.txt"
    assert api.read(str(path)).source == "b.txt"
    assert api.read(TEXT.encode(), name="some/where/c.txt").source == "c.txt"
