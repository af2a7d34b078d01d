"""Hyphenation dictionaries: our pattern matcher agrees with pyphen, and the on-disk cache of
parsed patterns is written, reused, and never required (a broken or unwritable cache parses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyphen
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo import cache
from octavo.typography import hyphenation
from octavo.typography.hyphenation import (
    Patterns,
    dictionary_name,
    hyphenate,
    positions,
)

WORDS = ("Militärbefehlshaber", "Überraschungsoffensive", "Quadratkilometer", "zurückzudrängen",
         "Bevölkerung", "Donaudampfschiffahrt", "hyphenation", "extraordinary", "Tiefe",
         "anticonstitutionnellement", "Rechtsschutzversicherungsgesellschaften", "ab", "",
         "NORDKOREA", "Mayonnaise", "достопримечательность", "lettergrepen")


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private XDG cache folder and no dictionary loaded yet (before and after)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    hyphenation._pyphen.cache_clear()
    yield tmp_path / "cache"
    hyphenation._pyphen.cache_clear()


def cached_files(home: Path) -> list[Path]:
    return sorted((home / "octavo").glob("hyph_*.marshal")) if (home / "octavo").exists() else []


@pytest.mark.parametrize("tag", ["de", "en", "fr", "nl", "ru"])
def test_patterns_break_words_where_pyphen_does(cache_home: Path, tag: str) -> None:
    name = dictionary_name(tag)
    assert name is not None
    ours = hyphenation._pyphen(name)
    assert isinstance(ours, Patterns)
    reference = pyphen.Pyphen(lang=name, left=ours.left, right=ours.right)
    for word in WORDS:
        assert ours.positions(word) == list(reference.positions(word)), word


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="aäbcdeéfghiklmnoöprsßtuüvwyz", min_size=1, max_size=24))
def test_patterns_agree_with_pyphen_on_any_word(word: str) -> None:
    name = dictionary_name("de")
    assert name is not None
    ours = hyphenation._pyphen(name)
    reference = pyphen.Pyphen(lang=name, left=ours.left, right=ours.right)
    assert ours.positions(word) == list(reference.positions(word))


@pytest.mark.parametrize("tag", ["de", "en", "fr", "nl", "ru"])
def test_prefix_table_breaks_words_where_pyphen_does(cache_home: Path, tag: str) -> None:
    """Once enough words were looked up, the pruned scan takes over, with the same answers."""
    name = dictionary_name(tag)
    assert name is not None
    fresh = hyphenation._pyphen(name)
    assert isinstance(fresh, Patterns)
    ours = Patterns(fresh.table, fresh.left, fresh.right)
    ours._build_after = 1
    assert ours.positions("x") == [] and ours._trie is not None  # built after one word
    reference = pyphen.Pyphen(lang=name, left=ours.left, right=ours.right)
    for word in WORDS:
        assert ours.positions(word) == list(reference.positions(word)), word


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="aäbcdeéfghiklmnoöprsßtuüvwyz", min_size=1, max_size=24))
def test_pruned_scan_agrees_with_the_full_scan(word: str) -> None:
    name = dictionary_name("de")
    assert name is not None
    ours = hyphenation._pyphen(name)
    if ours._trie is None:
        ours._trie = ours._prefix_table()
    assert ours._points_pruned(word.lower()) == ours._points(word.lower())


@pytest.mark.parametrize("tag", ["de", "en", "fr", "nl", "ru"])
def test_pattern_values_stay_within_the_pattern(tag: str) -> None:
    """The pruned scan sizes its value list to the word: a pattern of n letters must carry
    values only at offsets 0..n (the gaps around its letters), in every dictionary."""
    name = dictionary_name(tag)
    assert name is not None
    ours = hyphenation._pyphen(name)
    if not isinstance(ours, Patterns):
        pytest.skip("pyphen's own dictionary (no cached patterns)")
    for key, values in ours._prefix_table().items():
        assert all(0 <= offset <= len(key) for offset, _ in values), key


@pytest.mark.parametrize("tag", ["de", "en", "nl"])
def test_pruned_scan_finds_patterns_longer_than_the_prefix_depth(tag: str) -> None:
    """The prefix table stops at _PREFIX_DEPTH letters: words that are long patterns (with a
    letter around) must still get those patterns' breaks, as the full scan gives them."""
    name = dictionary_name(tag)
    assert name is not None
    ours = hyphenation._pyphen(name)
    if not isinstance(ours, Patterns):
        pytest.skip("pyphen's own dictionary (no cached patterns)")
    trie = ours._trie if ours._trie is not None else ours._prefix_table()
    deep = [key.strip(".") for key in ours.table if len(key) > hyphenation._PREFIX_DEPTH + 1]
    assert deep, "no long patterns to test with"
    pruned = Patterns(ours.table, ours.left, ours.right)
    pruned._trie = trie
    for word in deep[::7]:
        for text in (word, f"a{word}", f"{word}e"):
            assert pruned._points_pruned(text) == ours._points(text), text


@pytest.mark.parametrize("tag", ["de", "en", "fr", "nl", "ru"])
def test_pruned_scan_applies_one_letter_patterns(tag: str) -> None:
    """The pruned scan looks letters up two at a time and applies one-letter patterns
    ("ç", "й", "q") on the side: words made around them break as the full scan says."""
    name = dictionary_name(tag)
    assert name is not None
    ours = hyphenation._pyphen(name)
    if not isinstance(ours, Patterns):
        pytest.skip("pyphen's own dictionary (no cached patterns)")
    pruned = Patterns(ours.table, ours.left, ours.right)
    pruned._trie = pruned._prefix_table()
    ones = [key for key in ours.table if len(key) == 1]
    letters = "aeoknr" if tag != "ru" else "аеокнр"
    for one in ones:
        for text in (one, f"{one}{letters}", f"{letters}{one}", f"{letters[:3]}{one}{letters[3:]}",
                     f"{one}{letters[:2]}{one}{one}{letters[2:]}"):
            assert pruned._points_pruned(text) == ours._points(text), text


def test_build_threshold_follows_the_table_size() -> None:
    """The prefix table is built after a number of new words proportional to the patterns
    (its cost), and not before: the words up to then take the plain scan."""
    ours = Patterns({f"x{n}y": bytes((1, 1)) for n in range(40)}, 1, 1)  # "x1<n>y"
    assert ours._build_after == 2
    ours.positions("ab")
    assert ours._trie is None
    ours.positions("cd")
    assert ours._trie is not None
    assert ours.positions("x3y") == [1] == ours._points("x3y")


def test_parsed_patterns_are_cached_and_reused(cache_home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = hyphenate("Militärbefehlshaber", "de")
    files = cached_files(cache_home)
    assert len(files) == 1 and files[0].stat().st_size > 100_000
    # A fresh process (no loaded dictionary) reads the cache and never parses the .dic file.
    hyphenation._pyphen.cache_clear()

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the .dic file was parsed again")

    monkeypatch.setattr(pyphen, "HyphDict", no_parsing)
    assert hyphenate("Militärbefehlshaber", "de") == first == "Mi-li-tär-be-fehls-ha-ber"
    assert positions("de") is not None


def test_cache_key_follows_the_dictionary_content(cache_home: Path, tmp_path: Path) -> None:
    hyphenate("Bevölkerung", "de")
    (name,) = [f.name for f in cached_files(cache_home)]
    path = Path(pyphen.LANGUAGES[dictionary_name("de") or ""])
    assert name == f"{path.stem}-v{hyphenation._CACHE_FORMAT}-{cache.fingerprint(path)}.marshal"
    # A copy elsewhere (another virtualenv) has the same key; a changed file has another.
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    assert cache.fingerprint(copy) == cache.fingerprint(path)
    copy.write_bytes(path.read_bytes() + b"\n")
    assert cache.fingerprint(copy) != cache.fingerprint(path)


def test_a_new_dictionary_version_replaces_the_old_entry(cache_home: Path) -> None:
    hyphenate("Bevölkerung", "de")
    (current,) = cached_files(cache_home)
    stale = current.with_name(current.name.rsplit("-", 1)[0] + "-0123456789abcdef.marshal")
    stale.write_bytes(current.read_bytes())
    current.unlink()
    hyphenation._pyphen.cache_clear()
    assert hyphenate("Bevölkerung", "de") == "Be-völ-ke-rung"
    assert [f.name for f in cached_files(cache_home)] == [current.name]


def test_a_broken_cache_file_is_parsed_anew(cache_home: Path) -> None:
    expected = hyphenate("Quadratkilometer", "de")
    (path,) = cached_files(cache_home)
    path.write_bytes(b"not marshal data")
    hyphenation._pyphen.cache_clear()
    assert hyphenate("Quadratkilometer", "de") == expected
    assert path.stat().st_size > 100_000  # rewritten whole


def test_an_unwritable_cache_folder_still_hyphenates(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    hyphenation._pyphen.cache_clear()
    try:
        assert hyphenate("Überraschungsoffensive", "de") == "Über-ra-schungs-of-fen-si-ve"
    finally:
        hyphenation._pyphen.cache_clear()


def test_nonstandard_breaks_keep_pyphens_own_dictionary(cache_home: Path) -> None:
    # Hungarian patterns spell changes at some breaks ("ssz" -> "sz-sz"): not cached, not ours.
    name = dictionary_name("hu")
    assert name is not None
    dic = hyphenation._pyphen(name)
    assert isinstance(dic, pyphen.Pyphen)
    assert not cached_files(cache_home)
    assert "-" in hyphenate("egészségügyi", "hu")


def test_the_cache_stores_each_value_once_and_replaces_older_formats(cache_home: Path) -> None:
    path = Path(pyphen.LANGUAGES[dictionary_name("de") or ""])
    fingerprint = cache.fingerprint(path)
    older = cache_home / "octavo" / f"{path.stem}-v{hyphenation._CACHE_FORMAT - 1}-{fingerprint}.marshal"
    older.parent.mkdir(parents=True, exist_ok=True)
    older.write_bytes(b"an older layout")
    hyphenate("Bevölkerung", "de")
    (current,) = cached_files(cache_home)  # the older format's entry is gone
    assert current.name == hyphenation._cache_file(path).name
    table = hyphenation._read_cache(current)
    assert table is not None
    # The same table pyphen's parse gives, each distinct value one shared object.
    expected = hyphenation._table_from_pyphen(pyphen.Pyphen(lang=dictionary_name("de")).hd)
    assert table == expected
    distinct = len(set(table.values()))
    assert len({id(value) for value in table.values()}) == distinct < len(table) / 10
