"""The plain-text reader on real samples of both layouts, odd encodings and arbitrary input."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from octavo import diagnostics
from octavo.errors import InputError
from octavo.model import Figure, Heading, Paragraph, Quoted, Text, block_text, plain_text
from octavo.options import ReadOptions
from octavo.plugins import Source
from octavo.readers.text import TITLE_MAX, TextReader, derive_title

DATA = Path(__file__).parent.parent / "data" / "text"


def read(data: bytes, name: str = "a.txt", **options: object):
    with diagnostics.collecting() as warnings:
        article = TextReader().read(Source(data, name), ReadOptions(**options))
    return article, warnings


def read_file(name: str, **options: object):
    return read((DATA / name).read_bytes(), name, **options)


def test_seed_layout_fields():
    article, warnings = read_file("seed-bbc-de.txt")
    assert article.authors == ("Thomas Mackintosh",)
    assert article.publisher == "BBC News"
    assert article.language == "de"
    assert article.lead == Figure(
        image=None,
        caption=(Text("Ein ukrainischer Soldat schaut durch das Zielfernrohr eines Gewehrs "
                      "kurz nach dem Einmarsch in Kursk."),),
        credit="Global Images Ukraine via Getty Images",
    )
    assert len(article.body) == 13
    assert block_text(article.body[0]).startswith("Der oberste Militärbefehlshaber")
    # No title line: derived from the first sentence, and the user is told how to override it.
    assert article.title == "Der oberste Militärbefehlshaber der Ukraine sagt, dass seine Truppen noch…"
    assert [w.code for w in warnings] == ["no-title"]
    assert "--title" in warnings[0].message


def test_seed_quotations_become_quoted_nodes():
    article, _ = read_file("seed-bbc-de.txt")
    quoted = [n for b in article.body if isinstance(b, Paragraph) for n in b.children
              if isinstance(n, Quoted)]
    assert [plain_text(q.children) for q in quoted][:1] == ["Umfang und Tiefe"]
    assert len(quoted) == 3
    assert not any('"' in block_text(b) for b in article.body)


@pytest.mark.parametrize(
    ("name", "title", "language", "first_words"),
    [
        ("gum_news_stampede.txt", "Hundreds dead in Hajj stampede", "en", "The Plains of Arafat"),
        ("frwikinews-44355.txt", "Égypte : Mohamed Morsi élu président", "fr", "24 juin 2012."),
        ("ruwikinews-26281.txt", "Рауль Кастро переизбран председателем Госсовета Кубы", "ru", "Рауль Кастро"),
        ("klexikon-Wolfgang_Petry.txt", "Wolfgang Petry", "de", "Wolfgang Petry ist ein Sänger"),
        ("inaugural-1793-Washington.txt", "Inaugural Address, 1793 (Washington)", "en", "Fellow citizens"),
        ("gum_voyage_athens.txt", "Athens", "en", "Athens (Greek:"),
        ("dewiki-Abitur.txt", "Abitur", "de", "Das Abitur"),
    ],
)
def test_title_layout_fields(name, title, language, first_words):
    article, warnings = read_file(name)
    assert article.title == title
    assert article.language == language
    assert article.authors == () and article.publisher is None and article.lead is None
    assert block_text(article.body[0]).startswith(first_words)
    assert not any(w.code == "no-title" for w in warnings)


def test_japanese_sample():
    article, _ = read_file("jawikinews-0042.txt")
    assert article.language == "ja"
    assert article.title.startswith("宇宙飛行士の若田さん")


def test_dateline_becomes_published_date():
    article, _ = read_file("gum_news_stampede.txt")
    assert article.published == date(2006, 1, 12)


def test_wiki_headings_become_headings():
    article, _ = read_file("ruwikinews-26479.txt")
    headings = [b for b in article.body if isinstance(b, Heading)]
    assert headings and all(2 <= h.level <= 6 for h in headings)
    assert not any(plain_text(h.children).startswith("=") for h in headings)


def test_every_word_is_kept():
    raw = (DATA / "inaugural-1793-Washington.txt").read_text(encoding="utf-8")
    article, _ = read_file("inaugural-1793-Washington.txt")
    text = article.title + " " + " ".join(block_text(b) for b in article.body)
    assert text.split() == raw.split()


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]
)
def test_encodings_are_detected(encoding):
    text = ("Über die Brücke\nDer Bürgermeister sagte, die Straße über den Fluß werde "
            "bald geöffnet. Die Bauarbeiten hätten länger gedauert als geplant, "
            "weil große Mengen Wasser über die Ufer getreten seien.\n")
    article, _ = read(text.encode(encoding))
    assert article.title == "Über die Brücke"
    assert "Fluß" in block_text(article.body[0])
    assert article.language == "de"


def test_language_override_is_used():
    article, _ = read_file("gum_news_stampede.txt", language="en-GB")
    assert article.language == "en-GB"


@pytest.mark.parametrize("data", [b"", b"   \n\n  ", b"\x00\x01\x02\x03binary\x00" * 20,
                                  b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_empty_and_binary_input_are_input_errors(data):
    with pytest.raises(InputError):
        read(data)


def test_derive_title_rule():
    assert derive_title("Kurz. Noch ein Satz.") == "Kurz"
    long = "Wort " * 40
    title = derive_title(long)
    assert len(title) <= TITLE_MAX and title.endswith("…") and not title.endswith(" …")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_read_or_raise_input_error(data):
    try:
        article, _ = read(data, language="en")
    except InputError:
        return
    assert article.title.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_keeps_its_words(text):
    text = unicodedata.normalize("NFC", text)  # the reader normalises to NFC by design
    try:
        article, _ = read(text.encode("utf-8"), language="en")
    except InputError:
        return
    out = " ".join(block_text(b) for b in article.body)
    lead = article.lead
    meta = " ".join([*(article.authors), article.publisher or "",
                     lead.credit or "" if lead else "", plain_text(lead.caption) if lead else ""])
    kept = set((article.title + " " + out + " " + meta).replace("…", " ").split())
    # Quote marks are moved into Quoted nodes, so compare words without them.
    strip = lambda w: w.strip("\"'„“”«»‚‘’‹›「」『』=*-#…")  # noqa: E731
    # "…" splits words on both sides, as in `kept` (a derived title ends in one): "0…0" is "0 0".
    missing = {strip(w) for w in text.replace("…", " ").split()} - {strip(w) for w in kept} - {""}
    assert not {w for w in missing if not any(w in k for k in kept)}
