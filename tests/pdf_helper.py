"""Reusable PDF checks for tests: fonts via pdffonts, text via pdftotext, structure via pypdf.

Poppler tools are optional on a developer machine (the test skips) but required in CI: with
CI=true a missing tool fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest


def need(tool: str) -> str:
    """The path of a command-line tool; skip (or fail in CI) when it is not installed."""
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is not installed (apt-get install poppler-utils)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8", errors="replace")


# --- fonts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def pdffonts(path: Path) -> list[FontRow]:
    """The fonts pdffonts lists (one row per font object)."""
    out = _run(need("pdffonts"), str(path))
    rows = []
    for line in out.splitlines()[2:]:
        # name type... encoding emb sub uni objnum gen: the flags are the 5th-3rd from the end.
        parts = line.split()
        if len(parts) < 7:
            continue
        emb, sub, uni = parts[-5:-2]
        rows.append(FontRow(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes",
                            uni == "yes"))
    return rows


def assert_fonts_embedded(path: Path) -> list[FontRow]:
    rows = pdffonts(path)
    assert rows, "pdffonts lists no fonts"
    bad = [r for r in rows if not (r.embedded and r.unicode)]
    assert not bad, f"fonts not embedded or without ToUnicode: {bad}"
    return rows


# --- text -----------------------------------------------------------------------------------


def pdftotext(path: Path, *, layout: bool = False, first: int | None = None,
              last: int | None = None) -> str:
    args = [need("pdftotext"), "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    return _run(*args, str(path), "-")


_WORD = re.compile(r"\w+", re.UNICODE)
_LINE_END_HYPHEN = re.compile(r"(\w+)-[ \t]*\n\s*(\w+)", re.UNICODE)


def words(text: str) -> list[str]:
    """Word tokens: NFC, soft hyphens removed, punctuation and whitespace ignored."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return _WORD.findall(text)


def extracted_words(pdf_text: str, vocabulary: Iterable[str] = ()) -> list[str]:
    """Words of pdftotext output, with line-end hyphenation undone.

    "Militär-\\nbefehlshaber" becomes one word when the joined word is in `vocabulary` (the
    words we expect); otherwise the hyphen was a real one ("Nord-\\nKorea") and stays a break.
    Page footers (lines that are only a number) are dropped so they cannot split a word.
    """
    known = set(vocabulary)
    pages = pdf_text.split("\f")
    kept = []
    for page in pages:
        lines = page.rstrip("\n").split("\n")
        while lines and lines[-1].strip().isdigit():
            lines.pop()
        kept.append("\n".join(lines))
    text = unicodedata.normalize("NFC", "\n".join(kept)).replace("\u00ad", "")

    def join(m: re.Match[str]) -> str:
        whole = m.group(1) + m.group(2)
        return whole if whole in known else f"{m.group(1)} {m.group(2)}"

    return words(_LINE_END_HYPHEN.sub(join, text))


@dataclass(frozen=True)
class ReadBack:
    expected: int
    found: int
    missing: list[tuple[int, str]]
    """(index in the expected words, word) for each word not found in order."""

    @property
    def ratio(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def read_back(expected_text: str, pdf_text: str, window: int = 60) -> ReadBack:
    """How many of the expected words appear, in order, in the extracted text.

    Extra words (titles, page numbers, captions) may come between them, up to `window` tokens.
    A compound broken at its own hyphen at a line end comes back joined ("Cameral-" +
    "Wissenschaften" -> "CameralWissenschaften": pdftotext drops every line-end hyphen), so an
    extracted token may stand for two expected words.
    """
    want = words(expected_text)
    got = extracted_words(pdf_text, want)
    pos, found, missing = 0, 0, []
    i = 0
    while i < len(want):
        word = want[i]
        joined = word + want[i + 1] if i + 1 < len(want) else None
        hit = None
        for j in range(pos, min(len(got), pos + window)):
            if got[j] == word:
                hit, step = j, 1
                break
            if joined is not None and got[j] == joined:
                hit, step = j, 2
                break
        if hit is None:
            missing.append((i, word))
            i += 1
            continue
        found += step
        pos = hit + 1
        i += step
    return ReadBack(len(want), found, missing)


def assert_reads_back(expected_text: str, pdf_path: Path) -> ReadBack:
    result = read_back(expected_text, pdftotext(pdf_path))
    assert not result.missing, (
        f"{len(result.missing)} of {result.expected} words missing or out of order, "
        f"first: {result.missing[:10]}"
    )
    return result


_HYPHEN_AT_END = re.compile(r"[^\W\d_]-$", re.UNICODE)


def hyphenated_lines(pdf_path: Path) -> list[str]:
    """Lines that end in a letter and a hyphen, as laid out (pdftotext -layout)."""
    text = pdftotext(pdf_path, layout=True)
    lines = []
    for raw in text.splitlines():
        # -layout may put a right-aligned page number or a second column after the text.
        line = raw.rstrip()
        if _HYPHEN_AT_END.search(line):
            lines.append(line)
    return lines


# --- structure ------------------------------------------------------------------------------


def pdfinfo(path: Path) -> dict[str, str]:
    out = _run(need("pdfinfo"), "-enc", "UTF-8", str(path))
    info = {}
    for line in out.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = value.strip()
    return info


def catalog(path: Path) -> dict[str, object]:
    """The document catalog as plain Python values (via pypdf)."""
    from pypdf import PdfReader

    root = PdfReader(str(path)).trailer["/Root"]
    return {str(k): root[k] for k in root}


def outline_titles(path: Path) -> list[tuple[int, str]]:
    """(depth, title) for every outline entry, in order."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    found: list[tuple[int, str]] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, str(item.title)))  # type: ignore[attr-defined]

    walk(reader.outline, 0)
    return found


def media_boxes(path: Path) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(str(path)).pages]


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)
