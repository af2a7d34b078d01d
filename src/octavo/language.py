"""Language detection: deterministic and offline, with py3langid (langid.py's model on numpy).

py3langid ships its model xz-compressed; unpacking it takes about a second, which would dominate
a single conversion. The unpacked arrays are therefore cached once per user as plain .npy files
(octavo.cache) and memory-mapped on later runs, which loads in a few milliseconds. When the
cache folder cannot be written, the packaged model is loaded as usual.

With the cache in place, a process's first decision is made without numpy (whose import alone
costs 70-110 ms): the same scores in float64 with a proven bound on float32 rounding; only a close
call goes to py3langid (see "the same decision without numpy" below). Later texts (a batch) walk
py3langid's DFA with numpy, all bytes at once, and score exactly as py3langid does (see "the
same decision with the DFA walked by numpy").
"""

from __future__ import annotations

import functools
import json
import re
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from octavo import cache, diagnostics

DEFAULT_LANGUAGE = "en"
_MIN_LETTERS = 20
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SAMPLE = 4500
"""Characters classified. Measured on the 2,559 corpus texts: 4,500 characters taken from the start,
middle and end agree with the whole text (first 20,000 characters) for every news, Markdown and
major-language text; the few UDHR texts that differ are languages the model does not know."""
_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


def _model_file() -> Path:
    # Found without importing py3langid (which imports numpy): the fast path needs no numpy.
    from importlib.util import find_spec

    spec = find_spec("py3langid")
    if spec is not None and spec.submodule_search_locations:
        packaged = Path(next(iter(spec.submodule_search_locations))) / _MODEL_FILE
        if packaged.is_file():
            return packaged
    from py3langid import langid

    return Path(langid.__file__).parent / langid.MODEL_FILE


_MODEL_FILE = "data/model.npz.xz"
"""py3langid's model, relative to its package (`py3langid.langid.MODEL_FILE`)."""


_PREFIX = "langid-"


def _cache_dir() -> Path:
    """Keyed by the packaged model's fingerprint, so an upgraded model is unpacked anew."""
    return cache.entry(_PREFIX, _model_file())


def _unpack_to_cache(folder: Path) -> None:
    """Write the model's arrays as .npy files; the folder appears whole or not at all."""
    import lzma
    import shutil

    import numpy as np

    source = _model_file()

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".langid-", dir=folder.parent))
    try:
        with tempfile.TemporaryFile(suffix=".npz") as tmp:
            with lzma.open(source) as src:
                shutil.copyfileobj(src, tmp, length=1 << 20)
            tmp.seek(0)
            with np.load(tmp, allow_pickle=False) as data:
                for name in _ARRAYS:
                    np.save(staging / f"{name}.npy", data[name], allow_pickle=False)
                (staging / "classes.json").write_text(json.dumps(data["classes"].tolist()))
        cache.publish_folder(staging, folder, _PREFIX)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _load_cached(folder: Path) -> Any:
    import numpy as np
    from py3langid.langid import LanguageIdentifier
    from py3langid.modelio import _to_array

    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    classes = json.loads((folder / "classes.json").read_text())
    return LanguageIdentifier(
        arrays["ptc"], np.asarray(arrays["pc"]), classes, _int_view(arrays["nextmove"]),
        _int_view(arrays["out_feat"]), tk_row=_to_array(arrays["nextmove_row"]),
    )


def _int_view(mapped: Any) -> memoryview:
    """A memory-mapped integer array as a flat memoryview of Python ints. The DFA table is 39 MB
    and a text visits a small part of it: copying it into an array (py3langid's own loading)
    took ~40 ms a run, reading the pages it visits takes a few. Indexing gives the same ints."""
    kind = mapped.dtype.kind
    code = {("u", 2): "H", ("u", 4): "I", ("u", 8): "Q", ("i", 4): "i", ("i", 8): "q"}.get(
        (kind, mapped.dtype.itemsize))
    if code is None or mapped.ndim != 1 or not mapped.dtype.isnative:
        raise ValueError(f"unexpected language model array {mapped.dtype}")
    return memoryview(mapped).cast("B").cast(code)


@functools.cache
def _identifier() -> Any:
    try:
        folder = _cache_dir()
        if not (folder / "classes.json").exists():
            _unpack_to_cache(folder)
        return _load_cached(folder)
    except (OSError, ValueError, KeyError):
        from py3langid import langid

        return langid._get_identifier()


def _sample(text: str) -> str:
    """Start, middle and end: a long article's opening alone may be a quotation or boilerplate."""
    if len(text) <= _SAMPLE:
        return text
    third = _SAMPLE // 3
    middle = len(text) // 2
    return "\n".join((text[:third], text[middle - third // 2:middle + third // 2], text[-third:]))


def _has_letters(sample: str, count: int) -> bool:
    for _ in zip(range(count), _LETTERS.finditer(sample), strict=False):
        count -= 1
    return count == 0


def detect(text: str) -> str:
    """Return a BCP 47 tag for text; falls back to English with a warning when unsure."""
    sample = _sample(text)
    if not _has_letters(sample, _MIN_LETTERS):
        diagnostics.warn(
            "language-unknown",
            f"too little text to detect the language; assuming {DEFAULT_LANGUAGE!r} "
            "(set it with --lang)",
        )
        return DEFAULT_LANGUAGE
    # The numpy-free path is ~10 ms a text against ~1 ms with numpy, once numpy is loaded (its
    # import costs 70-110 ms): it serves a process's first text only, which is all a one-file
    # conversion has. A batch worker loads numpy for its second. Both give the same tag.
    tag = None
    global _texts_seen
    _texts_seen += 1
    if _texts_seen == 1 and "numpy" not in sys.modules:
        tag = _certain_tag(sample)
    if tag is None:
        walker = _walker()
        tag = walker.classify(sample) if walker is not None else None
    if tag is None:
        tag, _score = _identifier().classify(sample)
    return str(tag)


_texts_seen = 0


# --- the same decision without numpy --------------------------------------------------------
#
# Importing numpy costs 70-110 ms, more than the rest of a one-article conversion's reading.
# py3langid's decision is the argmax of float32 scores: pc + sum over the text's features f of
# log1p(count_f) * ptc[f] (a float32 BLAS product, whose summation order is not ours to know).
# Here the same scores are computed in float64 from the cached arrays, with a bound on how far
# any float32 evaluation can be from them: (n + 5) units of 2^-24 times the sum of the terms'
# magnitudes (the standard bound for a sum of n rounded products in any order), taken 8 times
# over. When the best label leads the next one by more than twice that, float32 picks the same
# label, and that is the answer; otherwise (a close call, a text without features, or no
# cache yet) py3langid decides, as before. Real articles lead by hundreds; the bound is ~1.


def _certain_tag(sample: str) -> str | None:
    try:
        model = _fast_model()
        return model.decide(sample) if model is not None else None
    except (OSError, ValueError, KeyError, IndexError, TypeError, SyntaxError, struct.error):
        return None  # an unexpected cache: py3langid decides (and reports real damage)


@functools.cache
def _fast_model() -> _FastModel | None:
    folder = _cache_dir()
    if not (folder / "classes.json").exists():
        return None  # the first run unpacks the model with numpy
    arrays = {name: _mapped(folder / f"{name}.npy") for name in _ARRAYS}
    classes = json.loads((folder / "classes.json").read_text())
    return _FastModel(arrays, classes)


@functools.cache
def _mapped(path: Path) -> tuple[memoryview, str, tuple[int, ...]]:
    """_npy once per file and process: the numpy-free first decision and the numpy walk of the
    later texts share one mapping, so a page both visit is in memory once (two mappings of the
    same tables cost a batch worker ~30 MiB more)."""
    return _npy(path)


def _npy(path: Path) -> tuple[memoryview, str, tuple[int, ...]]:
    """A .npy file memory-mapped: (its data as bytes, struct code, shape). Only the little-endian,
    C-ordered arrays the cache writes are accepted."""
    import ast
    import mmap
    import sys

    with open(path, "rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    data = memoryview(mapped)
    if bytes(data[:6]) != b"\x93NUMPY" or sys.byteorder != "little":
        raise ValueError(f"{path.name} is not a .npy file")
    if data[6] == 1:
        start = 10 + int.from_bytes(data[8:10], "little")
    else:
        start = 12 + int.from_bytes(data[8:12], "little")
    header = ast.literal_eval(bytes(data[10 if data[6] == 1 else 12:start]).decode("latin-1"))
    code = {"<f2": "e", "<f4": "f", "<u2": "H", "<u4": "I", "<i4": "i"}[header["descr"]]
    shape = tuple(header["shape"])
    size = 1
    for extent in shape:
        size *= extent
    if header["fortran_order"] or len(data) - start != size * struct.calcsize(code):
        raise ValueError(f"{path.name} has an unexpected layout")
    return data[start:], code, shape


def _alias_pairs(classes: list[str]) -> list[tuple[int, int]]:
    """(first, duplicate) columns of a label listed twice (srl -> sr), as py3langid folds them."""
    first: dict[str, int] = {}
    pairs = []
    for i, label in enumerate(classes):
        if label in first:
            pairs.append((first[label], i))
        else:
            first[label] = i
    return pairs


class _FastModel:
    def __init__(self, arrays: dict[str, tuple[memoryview, str, tuple[int, ...]]],
                 classes: list[str]) -> None:
        ptc, ptc_code, ptc_shape = arrays["ptc"]
        pc, pc_code, pc_shape = arrays["pc"]
        if (ptc_code, pc_code) != ("e", "f") or len(ptc_shape) != 2 or (
                pc_shape != (ptc_shape[1],) or len(classes) != ptc_shape[1]):
            raise ValueError("unexpected language model shapes")
        self.classes = classes
        self.ptc = ptc
        self.row = struct.Struct(f"<{ptc_shape[1]}e")
        self.features = ptc_shape[0]
        self.pc = struct.unpack(f"<{pc_shape[0]}f", pc)
        self.nextmove = arrays["nextmove"][0].cast(arrays["nextmove"][1])
        self.state_row = arrays["nextmove_row"][0].cast(arrays["nextmove_row"][1])
        self.output = arrays["out_feat"][0].cast(arrays["out_feat"][1])
        self.aliases = _alias_pairs(classes)

    def _visits(self, sample: str) -> dict[int, int]:
        """py3langid's feature counts: its DFA walked over the NFC UTF-8 bytes."""
        import unicodedata

        if sample.isupper():
            sample = sample.lower()
        data = unicodedata.normalize("NFC", sample).encode("utf8", errors="surrogatepass")
        nextmove, state_row, output = self.nextmove, self.state_row, self.output
        counts: dict[int, int] = {}
        state = 0
        for byte in data:
            state = nextmove[(state_row[state] << 8) + byte]
            feature = output[state]
            if feature >= 0:
                counts[feature] = counts.get(feature, 0) + 1
        return counts

    def decide(self, sample: str) -> str | None:
        """The label py3langid picks, or None when float32 rounding could change it."""
        import math
        import operator
        from itertools import repeat

        counts = self._visits(sample)
        if not counts or not all(0 <= f < self.features for f in counts):
            return None
        by_count: dict[int, list[int]] = {}  # most features occur once: add their rows first
        for feature, count in counts.items():
            by_count.setdefault(count, []).append(feature)
        row, ptc, width = self.row, self.ptc, self.row.size
        scores = list(self.pc)
        magnitude = [abs(score) for score in scores]  # per label: the terms' sum of magnitudes
        for count, features in by_count.items():
            rows = [row.unpack_from(ptc, feature * width) for feature in features]
            weight = math.log1p(count)
            columns = list(zip(*rows, strict=True))
            sums = list(map(math.fsum, columns))
            if max(map(max, rows)) <= 0:  # log-probabilities: the magnitude is the sum's
                sizes = [-total for total in sums]
            else:
                sizes = [math.fsum(map(abs, column)) for column in columns]
            scores = list(map(operator.add, scores, map(operator.mul, sums, repeat(weight))))
            magnitude = list(map(operator.add, magnitude,
                                 map(operator.mul, sizes, repeat(weight))))
        if not all(map(math.isfinite, scores)):
            return None
        for keep, duplicate in self.aliases:
            scores[keep] = max(scores[keep], scores[duplicate])
            scores[duplicate] = -math.inf
        best = max(range(len(scores)), key=scores.__getitem__)
        runner_up = max(score for i, score in enumerate(scores) if i != best)
        bound = 8 * (len(counts) + 5) * 2.0**-24 * max(magnitude)
        return self.classes[best] if scores[best] - runner_up > 2 * bound else None


# --- the same decision with the DFA walked by numpy ----------------------------------------
#
# py3langid walks its DFA over the text's bytes in a Python loop: ~2 ms of a batch article's
# ~5 ms. The DFA is an Aho-Corasick automaton, so the state after any byte is the longest
# suffix of the text so far that is a node of the feature trie; no node is deeper than the
# trie's depth D, so the state after byte i is the state reached from the root by reading
# bytes i-D+1 .. i. numpy takes that walk for every position at once (D gathers), counts the
# features in order of first occurrence (py3langid's Counter order, so the float32 product is
# summed in the same order) and scores them exactly as py3langid's `_raw_score` does.


class _Walker:
    def __init__(self, folder: Path, depth: int, negative_normal: bool = False) -> None:
        import threading

        import numpy as np

        self.np = np
        self.nextmove = self._array(folder / "nextmove.npy")
        self.rowbase = self._array(folder / "nextmove_row.npy").astype(np.intp) << 8
        self.output = self._array(folder / "out_feat.npy")
        self.ptc = self._array(folder / "ptc.npy")
        self.ptc_bits = self.ptc.view(np.uint16) if self.ptc.dtype == np.float16 else None
        # float16 to float32: numpy's own conversion of a text's rows (~130,000 values) was half
        # the scoring time, and so is a gather through a table of all 65,536 values. When every
        # weight is a negative normal float16 (checked once per model, _negative_normal), the
        # float32 bits are the float16 bits shifted by 13 and scaled by -2**80 (exact: a power
        # of two): two passes. Otherwise the table converts. Both give the same values.
        self.negative_normal = negative_normal and self.ptc_bits is not None
        self.float16 = None if self.negative_normal else np.arange(
            1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)
        self.pc = self._array(folder / "pc.npy")
        self.classes = json.loads((folder / "classes.json").read_text())
        self.depth = depth
        self.aliases = _alias_pairs(self.classes)
        # Per-feature scratch for counting without a sort (see _first_counts); every use
        # leaves it as it found it, and the lock keeps two threads from sharing it.
        self._first = np.full(len(self.ptc), _UNSEEN, dtype=np.int32)
        self._count = np.zeros(len(self.ptc), dtype=np.int32)
        self._scratch = threading.Lock()
        self._one = np.int32(1)

    def _array(self, path: Path) -> Any:
        """A cached array, read-only, in the mapping the numpy-free path uses too (_mapped)."""
        data, code, shape = _mapped(path)
        return self.np.frombuffer(data, dtype=self.np.dtype("<" + code)).reshape(shape)

    def features(self, sample: str) -> tuple[Any, Any]:
        """(feature ids in order of first occurrence, their counts): py3langid's visit counts."""
        import unicodedata

        np = self.np
        if sample.isupper():
            sample = sample.lower()
        data = np.frombuffer(unicodedata.normalize("NFC", sample).encode(
            "utf8", errors="surrogatepass"), dtype=np.uint8)
        size = len(data)
        states = np.zeros(size, dtype=np.intp)
        for back in range(min(self.depth, size) - 1, -1, -1):
            # positions >= back read byte (position - back); earlier ones have not started
            states[back:] = self.nextmove[self.rowbase[states[back:]] + data[:size - back]]
        found = self.output[states]
        return self._first_counts(found[found >= 0].astype(np.intp))

    def _first_counts(self, found: Any) -> tuple[Any, Any]:
        """The distinct values of `found` in order of first occurrence, with their counts.
        np.unique sorts (and a second sort restores the order): ~0.25 ms a text, a third of
        the detection. Here the earliest position and the count of each feature are scattered
        into per-feature arrays (np.minimum.at and np.add.at are exact for repeated indices),
        and a position is a first occurrence when it is its feature's earliest: ~0.03 ms."""
        np = self.np
        size = len(found)
        if size >= _UNSEEN:  # positions must fit the int32 scratch: sort instead
            ids, first, counts = np.unique(found, return_index=True, return_counts=True)
            order = np.argsort(first, kind="stable")
            return ids[order], counts[order]
        positions = np.arange(size, dtype=np.int32)
        with self._scratch:
            earliest, count = self._first, self._count
            try:
                np.minimum.at(earliest, found, positions)
                # A typed one: with a Python int, add.at leaves numpy's fast loop (~0.2 ms).
                np.add.at(count, found, self._one)
                ids = found[earliest[found] == positions]
                counts = count[ids]
                earliest[ids] = _UNSEEN
                count[ids] = 0
            except BaseException:  # e.g. an id out of range: leave no stale entries behind
                earliest.fill(_UNSEEN)
                count.fill(0)
                raise
        return ids, counts

    def scores(self, sample: str) -> Any:
        """py3langid's raw scores (`_raw_score`) before aliases are folded; None when the
        sample has no features."""
        np = self.np
        ids, counts = self.features(sample)
        if not len(ids):
            return None
        weights = np.log1p(counts.astype(np.float32))
        if self.ptc_bits is None:
            rows = self.ptc[ids]
        elif self.negative_normal:
            # np.take: the same rows as ptc_bits[ids], gathered with less overhead (~30 µs)
            rows = np.left_shift(np.take(self.ptc_bits, ids, axis=0), 13,
                                 dtype=np.uint32).view(np.float32)
            # The rows' scale goes on the weights instead (a pass over a few hundred values,
            # not ~130,000): scaling by a power of two is exact, so every product, and thus
            # the sum, is bit for bit the one with scaled rows (all values stay normal).
            weights *= _FLOAT16_SCALE
        else:
            rows = self.float16[self.ptc_bits[ids]]
        return weights @ rows + self.pc

    def classify(self, sample: str) -> str | None:
        """py3langid's label for the sample; None when it has no features (py3langid decides)."""
        np = self.np
        scores = self.scores(sample)
        if scores is None:
            return None
        for keep, duplicate in self.aliases:
            scores[keep] = max(scores[keep], scores[duplicate])
            scores[duplicate] = -np.inf
        return str(self.classes[int(scores.argmax())])


_UNSEEN = 2**31 - 1
_FLOAT16_SCALE = -(2.0**80)
"""A negative normal float16's bits shifted left by 13 read as the float32 2**-80 times its
magnitude (the sign bit lands in the exponent, adding 32 to it)."""


@functools.cache
def _walker() -> _Walker | None:
    """None when the model cache is not there (a read-only cache folder): py3langid walks."""
    try:
        folder = _cache_dir()
        if not (folder / "classes.json").exists():
            _identifier()  # unpacks the cache
        return _Walker(folder, _trie_depth(folder), _negative_normal(folder))
    except (OSError, ValueError, KeyError):
        return None


def _model_fact(folder: Path, name: str, measure: Callable[[], Any]) -> Any:
    """A fact about the unpacked model (its trie depth, the kind of its weights): measured once
    per model and kept beside the arrays, as `langid.<name>-<fingerprint>.json`."""
    prefix = f"langid.{name}-"
    path = folder.with_name(folder.name.replace(_PREFIX, prefix, 1) + ".json")
    try:
        return json.loads(path.read_text())[name]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    value = measure()
    try:
        cache.write_file(path, json.dumps({name: value}).encode(), prefix)
    except OSError:
        pass  # a read-only cache folder: measure again next time
    return value


def _trie_depth(folder: Path) -> int:
    """The deepest state's distance from the root: a breadth-first search of the DFA (~1 s)."""
    return int(_model_fact(folder, "depth", lambda: _search_depth(folder)))


def _search_depth(folder: Path) -> int:
    import numpy as np

    nextmove = np.load(folder / "nextmove.npy", mmap_mode="r")
    rowbase = np.load(folder / "nextmove_row.npy").astype(np.intp) << 8
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while True:
        rows = np.unique(rowbase[frontier])
        reached = np.unique(np.asarray(nextmove[rows[:, None] + np.arange(256)]))
        frontier = reached[~seen[reached]]
        if not len(frontier):
            break
        seen[frontier] = True
        depth += 1
    return depth


def _negative_normal(folder: Path) -> bool:
    """Whether every weight in ptc.npy is a negative normal float16 (py3langid's are
    log-probabilities between -15 and -2), which lets _Walker widen rows with a shift (~0.1 s
    to check)."""
    return bool(_model_fact(folder, "float16", lambda: _all_negative_normal(folder)))


def _all_negative_normal(folder: Path) -> bool:
    import numpy as np

    ptc = np.load(folder / "ptc.npy", mmap_mode="r")
    if ptc.dtype != np.float16:
        return False
    bits = ptc.reshape(-1).view(np.uint16)
    for start in range(0, len(bits), 1 << 20):
        chunk = bits[start:start + (1 << 20)]
        exponent = chunk & 0x7C00
        # sign set; exponent field neither 0 (zero, subnormal) nor 31 (inf, nan)
        if not ((chunk >= 0x8000).all() and (exponent != 0).all()
                and (exponent != 0x7C00).all()):
            return False
    return True

