"""Language detection: the right tag for real texts, a warning when unsure, a bounded sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from octavo import diagnostics, language

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
