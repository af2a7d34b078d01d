"""The per-user disk cache: entries keyed by content, written whole, stale versions pruned."""

from __future__ import annotations

from pathlib import Path

import pytest

from octavo import cache


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "octavo"


def test_fingerprint_follows_content_not_place_or_time(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000  # 256 KB: both ends are hashed
    a, b = tmp_path / "a.bin", tmp_path / "sub" / "a.bin"
    b.parent.mkdir()
    a.write_bytes(data)
    b.write_bytes(data)
    assert cache.fingerprint(a) == cache.fingerprint(b)
    b.write_bytes(data[:-1] + b"x")  # a change at the end
    assert cache.fingerprint(a) != cache.fingerprint(b)
    b.write_bytes(data + b"more")  # a change of size
    assert cache.fingerprint(a) != cache.fingerprint(b)


def test_writing_an_entry_prunes_older_entries_of_the_same_source(home: Path,
                                                                  tmp_path: Path) -> None:
    source = tmp_path / "dict.dic"
    source.write_bytes(b"version 1")
    old = cache.entry("hyph-x-", source, ".bin")
    cache.write_file(old, b"one", "hyph-x-")
    other = cache.entry("hyph-y-", source, ".bin")
    cache.write_file(other, b"another source", "hyph-y-")
    source.write_bytes(b"version 2")
    new = cache.entry("hyph-x-", source, ".bin")
    assert new != old
    cache.write_file(new, b"two", "hyph-x-")
    assert sorted(p.name for p in home.iterdir()) == sorted([new.name, other.name])
    assert new.read_bytes() == b"two"


def test_a_folder_appears_whole_and_a_lost_race_is_harmless(home: Path, tmp_path: Path) -> None:
    home.mkdir(parents=True)
    target = home / "langid-abc"
    for content in ("first", "second"):
        staging = home / f".staging-{content}"
        staging.mkdir()
        (staging / "classes.json").write_text(content)
        cache.publish_folder(staging, target, "langid-")
    assert (target / "classes.json").read_text() == "first"  # the second process lost the race
    assert [p.name for p in home.iterdir()] == ["langid-abc"]
