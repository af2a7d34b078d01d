"""Language detection: the right tag for real texts, a warning when unsure, a bounded sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from octavo import diagnostics, language
from tests.probe import fresh_python_words

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("text/seed-bbc-de.txt", "de"),
        ("text/frwikinews-44355.txt", "fr"),
        ("text/ruwikinews-26281.txt", "ru"),
        ("text/jawikinews-0042.txt", "ja"),
        ("text/inaugural-1793-Washington.txt", "en"),
        ("udhr/arb.txt", "ar"),
        ("udhr/heb.txt", "he"),
        ("udhr/hin.txt", "hi"),
        ("udhr/tha.txt", "th"),
        ("udhr/kor.txt", "ko"),
        ("udhr/ell_monotonic.txt", "el"),
    ],
)
def test_detects_real_texts(path: str, expected: str) -> None:
    text = (DATA / path).read_text(encoding="utf-8")
    with diagnostics.collecting() as found:
        assert language.detect(text) == expected
    assert not found


def test_too_little_text_falls_back_to_english_with_a_warning() -> None:
    with diagnostics.collecting() as found:
        assert language.detect("12 34 — ok!") == language.DEFAULT_LANGUAGE
    assert [d.code for d in found] == ["language-unknown"]


def test_long_text_is_sampled_from_start_middle_and_end() -> None:
    text = "A" * 10_000 + "M" * 10_000 + "Z" * 10_000
    sample = language._sample(text)
    assert len(sample) <= language._SAMPLE + 2
    assert sample.startswith("A") and "M" in sample and sample.endswith("Z")
    assert language._sample("short text") == "short text"


def test_a_long_article_is_judged_by_its_body_not_its_opening() -> None:
    """A long English opening (a quoted document) must not make a German article English."""
    german = (DATA / "text/seed-bbc-de.txt").read_text(encoding="utf-8")
    opening = (DATA / "udhr/eng.txt").read_text(encoding="utf-8")[:4000]
    text = opening + german * 4
    assert language._identifier().classify(text[: language._SAMPLE])[0] == "en"  # a prefix fails
    assert language.detect(text) == "de"


def test_letter_count_stops_at_the_threshold() -> None:
    assert language._has_letters("ab" * 10, 20)
    assert not language._has_letters("a1 " * 19, 20)


def test_the_cached_model_scores_exactly_like_the_packaged_one() -> None:
    """The cache maps the DFA table instead of copying it; every score must stay the same."""
    from py3langid import langid

    cached = language._identifier()
    assert isinstance(cached.tk_nextmove, memoryview)  # the mapped table, not a 39 MB copy
    packaged = langid._get_identifier()
    for path in sorted((DATA / "text").glob("*.txt"))[:8] + sorted((DATA / "udhr").glob("*.txt")):
        sample = language._sample(path.read_text(encoding="utf-8"))
        assert cached.classify(sample) == packaged.classify(sample), path.name


def test_an_unexpected_array_type_is_refused_so_the_packaged_model_is_used() -> None:
    import numpy as np

    with pytest.raises(ValueError):
        language._int_view(np.zeros(4, dtype=np.float32))
    assert list(language._int_view(np.arange(5, dtype=np.uint16))) == [0, 1, 2, 3, 4]


def test_the_numpy_free_decision_is_py3langid_s_on_real_texts() -> None:
    model = language._fast_model()
    assert model is not None  # the cache was unpacked by the detections above
    identifier = language._identifier()
    decided = 0
    for path in sorted((DATA / "text").glob("*.txt")) + sorted((DATA / "udhr").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for sample in (language._sample(text), text[:200], text[-120:]):
            if not language._has_letters(sample, language._MIN_LETTERS):
                continue
            tag = model.decide(sample)
            if tag is not None:
                decided += 1
                assert tag == identifier.classify(sample)[0], path.name
    assert decided >= 20


def test_a_close_call_is_left_to_py3langid(tmp_path: Path) -> None:
    """Two labels with the same weights tie: float32 rounding could pick either, so the fast
    path must not answer."""
    import numpy as np

    real = language._cache_dir()
    for name in ("nextmove", "nextmove_row", "out_feat"):
        (tmp_path / f"{name}.npy").write_bytes((real / f"{name}.npy").read_bytes())
    ptc = np.load(real / "ptc.npy", mmap_mode="r")
    twin = np.array(ptc[:, :2])
    twin[:, 1] = twin[:, 0]
    np.save(tmp_path / "ptc.npy", twin)
    np.save(tmp_path / "pc.npy", np.zeros(2, dtype=np.float32))
    (tmp_path / "classes.json").write_text('["xa", "xb"]')
    model = language._FastModel({n: language._npy(tmp_path / f"{n}.npy")
                                 for n in language._ARRAYS}, ["xa", "xb"])
    assert model.decide("Ein ganz gewöhnlicher deutscher Satz über das Wetter.") is None
    twin[:, 1] -= 1.0  # a clear lead (all weights are log-probabilities) is answered
    np.save(tmp_path / "ptc.npy", twin)
    model = language._FastModel({n: language._npy(tmp_path / f"{n}.npy")
                                 for n in language._ARRAYS}, ["xa", "xb"])
    assert model.decide("Ein ganz gewöhnlicher deutscher Satz über das Wetter.") == "xa"


def test_detection_with_a_warm_cache_imports_no_numpy() -> None:
    language._identifier()  # the cache exists
    code = ("import sys\nfrom octavo import language\n"
            "print(language.detect('Der schnelle braune Fuchs springt über den faulen Hund, "
            "und die Katze schläft im warmen Garten.'), 'numpy' in sys.modules)")
    assert fresh_python_words(code) == ["de", "False"]


def test_the_model_file_is_found_where_py3langid_keeps_it() -> None:
    from py3langid import langid

    assert language._model_file() == Path(langid.__file__).parent / langid.MODEL_FILE


def test_an_unreadable_fast_model_falls_back_to_py3langid(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def decide(self, sample: str) -> str:
            raise IndexError("damaged DFA table")

    monkeypatch.setattr(language, "_fast_model", lambda: Broken())
    text = (DATA / "text" / "frwikinews-44355.txt").read_text(encoding="utf-8")
    assert language.detect(text) == "fr"


def test_only_a_processs_first_text_takes_the_numpy_free_path() -> None:
    """It is ~10x slower per text than numpy: a batch worker must switch after its first."""
    language.detect((DATA / "text/seed-bbc-de.txt").read_text(encoding="utf-8"))  # warm cache
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from octavo import language\n"
        "calls = []\n"
        "real = language._certain_tag\n"
        "language._certain_tag = lambda s: calls.append(1) or real(s)\n"
        f"text = Path({str(DATA / 'text/seed-bbc-de.txt')!r}).read_text(encoding='utf-8')\n"
        "first = language.detect(text)\n"
        "numpy_after_first = 'numpy' in sys.modules\n"
        "rest = [language.detect(text) for _ in range(3)]\n"
        "print(first, numpy_after_first, len(calls), 'numpy' in sys.modules, *rest)\n"
    )
    assert fresh_python_words(code) == ["de", "False", "1", "True", "de", "de", "de"]


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8")
            for p in sorted((DATA / "text").glob("*.txt")) + sorted((DATA / "udhr").glob("*.txt"))]


def test_the_numpy_walk_counts_the_features_py3langid_counts() -> None:
    """Same features, same counts, same order (the float32 product is summed in that order)."""
    from py3langid.langid import visit_counts

    walker = language._walker()
    assert walker is not None
    identifier = language._identifier()
    checked = 0
    for text in _texts():
        for sample in (language._sample(text), text[:40], text[-5:], text[:1]):
            expected = visit_counts(identifier.tk_nextmove, identifier._rowbase,
                                    identifier.tk_output, identifier._encode(sample)) or {}
            ids, counts = walker.features(sample)
            assert list(zip(ids.tolist(), counts.tolist(), strict=True)) == list(expected.items())
            checked += 1
    assert checked >= 40


def test_the_numpy_walk_decides_like_py3langid() -> None:
    walker = language._walker()
    assert walker is not None
    identifier = language._identifier()
    for text in _texts():
        sample = language._sample(text)
        assert walker.classify(sample) == identifier.classify(sample)[0]


@pytest.mark.parametrize("shift", [True, False], ids=["shift-widening", "table-widening"])
def test_the_numpy_walk_scores_bit_for_bit_like_py3langid(shift: bool) -> None:
    """Not only the labels: the scores are py3langid's own, float32 bits included (the rows
    are summed in py3langid's order), for short, sampled and very long texts; both ways of
    widening the float16 weights."""
    import numpy as np

    folder = language._cache_dir()
    assert language._negative_normal(folder)  # py3langid's weights: the shift applies
    walker = language._Walker(folder, language._trie_depth(folder), negative_normal=shift)
    assert walker.negative_normal is shift
    identifier = language._identifier()
    texts = _texts()
    samples = [text[:60] for text in texts] + ["\n".join(texts)] + [
        language._sample(text) for text in texts]
    for sample in samples:
        expected = identifier._raw_score(identifier._encode(sample))
        got = walker.scores(sample)
        assert got is not None
        assert got.dtype == expected.dtype
        assert np.array_equal(got.view(np.uint32), expected.view(np.uint32))


def test_the_numpy_walk_shares_the_numpy_free_path_s_mapping() -> None:
    """A batch worker decides its first text without numpy and the rest with it: both must
    read the same mapped pages, not two copies of the 67 MB of tables."""
    import numpy as np

    folder = language._cache_dir()
    walker = language._walker()
    model = language._fast_model()
    assert walker is not None and model is not None
    for name, array in (("nextmove", walker.nextmove), ("ptc", walker.ptc),
                        ("out_feat", walker.output)):
        mapped = np.frombuffer(language._mapped(folder / f"{name}.npy")[0], dtype=np.uint8)
        assert np.shares_memory(array, mapped), name
        assert not array.flags.writeable
    assert np.shares_memory(np.frombuffer(model.ptc, dtype=np.uint8), walker.ptc)


def test_the_shift_widens_every_negative_normal_float16_exactly() -> None:
    import numpy as np

    bits = np.arange(0x8000, 0x10000, dtype=np.uint16)
    exponent = bits & 0x7C00
    bits = bits[(exponent != 0) & (exponent != 0x7C00)]  # negative normal numbers only
    widened = np.left_shift(bits, 13, dtype=np.uint32).view(np.float32) * np.float32(
        language._FLOAT16_SCALE)
    expected = bits.view(np.float16).astype(np.float32)
    assert len(bits) == 30 * 1024
    assert np.array_equal(widened.view(np.uint32), expected.view(np.uint32))


def _first_counts_by_sorting(found: list[int]) -> list[tuple[int, int]]:
    import numpy as np

    ids, first, counts = np.unique(np.array(found, dtype=np.intp), return_index=True,
                                   return_counts=True)
    order = np.argsort(first, kind="stable")
    return list(zip(ids[order].tolist(), counts[order].tolist(), strict=True))


def test_first_occurrence_counting_equals_sorting_and_leaves_no_trace() -> None:
    import random

    import numpy as np

    walker = language._walker()
    assert walker is not None
    features = len(walker.ptc)
    rng = random.Random(7)
    cases = [[], [5], [features - 1, 0, features - 1], [3] * 50]
    cases += [[rng.randrange(features if i % 2 else 40) for _ in range(rng.randrange(1, 3000))]
              for i in range(30)]
    for found in cases:
        ids, counts = walker._first_counts(np.array(found, dtype=np.intp))
        assert list(zip(ids.tolist(), counts.tolist(), strict=True)) == (
            _first_counts_by_sorting(found))
        assert (walker._first == language._UNSEEN).all() and not walker._count.any()


def test_too_many_positions_for_the_scratch_are_counted_by_sorting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    walker = language._walker()
    assert walker is not None
    monkeypatch.setattr(language, "_UNSEEN", 4)  # as if 4 positions overflowed int32
    found = [7, 3, 7, 9, 3, 3]
    ids, counts = walker._first_counts(np.array(found, dtype=np.intp))
    assert list(zip(ids.tolist(), counts.tolist(), strict=True)) == [(7, 2), (3, 3), (9, 1)]
    assert not walker._count.any()  # the scratch was not used


def test_first_occurrence_counting_recovers_from_a_bad_id() -> None:
    import numpy as np

    walker = language._walker()
    assert walker is not None
    with pytest.raises(IndexError):
        walker._first_counts(np.array([4, 9, len(walker.ptc) + 3], dtype=np.intp))
    assert (walker._first == language._UNSEEN).all() and not walker._count.any()
    ids, counts = walker._first_counts(np.array([9, 4, 9], dtype=np.intp))
    assert ids.tolist() == [9, 4] and counts.tolist() == [2, 1]


def test_the_float16_check_is_made_once_and_kept(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    import numpy as np

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folders = {}
    for name, values in (("langid-aa", [-14.98, -2.73, -7.5]), ("langid-bb", [-3.0, 0.0]),
                         ("langid-cc", [-3.0, 1.5]), ("langid-dd", [-3.0, -1e-7]),
                         ("langid-ee", [-3.0, -np.inf])):
        folder = tmp_path / "octavo" / name
        folder.mkdir(parents=True)
        np.save(folder / "ptc.npy", np.array(values, dtype=np.float16).reshape(-1, 1))
        folders[name] = folder
    assert language._negative_normal(folders["langid-aa"])
    (folders["langid-aa"] / "ptc.npy").unlink()
    assert language._negative_normal(folders["langid-aa"])  # kept: the array is not read again
    for name in ("langid-bb", "langid-cc", "langid-dd", "langid-ee"):  # zero, >0, subnormal, inf
        assert not language._negative_normal(folders[name]), name


def test_the_trie_depth_is_searched_once_and_kept(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    folder = language._cache_dir()
    depth = language._trie_depth(folder)
    assert depth >= 4  # features of up to four bytes at least: a real search, not a default
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    copy = tmp_path / "octavo" / folder.name
    copy.mkdir(parents=True)
    for name in ("nextmove.npy", "nextmove_row.npy"):
        (copy / name).write_bytes((folder / name).read_bytes())
    assert language._trie_depth(copy) == depth  # searched
    for name in ("nextmove.npy", "nextmove_row.npy"):
        (copy / name).unlink()
    assert language._trie_depth(copy) == depth  # kept: the arrays are no longer needed


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    pass
else:
    @settings(max_examples=60, deadline=None)
    @given(st.text(alphabet=st.sampled_from(
        "aeioustnrlhdçéèêàüößñ ,.'\"-\nабвгдежзийклмнопрстуфхцчшщыьэюяαβγδεζηθ"
        "日本語のテキストです。한국어中文文本اللغةالعربيةעבריתहिन्दी"), max_size=300))
    def test_the_numpy_walk_equals_py3langid_s_on_any_text(text: str) -> None:
        from py3langid.langid import visit_counts

        walker = language._walker()
        identifier = language._identifier()
        expected = visit_counts(identifier.tk_nextmove, identifier._rowbase,
                                identifier.tk_output, identifier._encode(text)) or {}
        ids, counts = walker.features(text)
        assert list(zip(ids.tolist(), counts.tolist(), strict=True)) == list(expected.items())
