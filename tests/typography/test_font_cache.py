"""Parsed TrueType faces cached on disk: a font loaded from the cache is the font reportlab
parses (same metrics, same subsets), and a missing or broken cache just parses."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from octavo.typography import fonts


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def font_file(name: str) -> Path:
    located = fonts._sources[name].locate()
    assert isinstance(located, Path)
    return located


@pytest.mark.parametrize("name", [fonts.SERIF, fonts.SANS_BOLD, fonts.ARABIC])
def test_a_cached_face_is_the_parsed_face(cache_home: Path, name: str) -> None:
    path = font_file(name)
    assert fonts._cached_font(name, path, 0) is None  # nothing cached yet
    parsed = TTFont(name, str(path))
    fonts._cache_font(parsed, path, 0)
    cached = fonts._cached_font(name, path, 0)
    assert cached is not None
    assert type(cached) is TTFont and type(cached.face) is type(parsed.face)

    def state(font: TTFont) -> dict[str, object]:
        return {k: v for k, v in vars(font).items() if k not in ("face", "state", "encoding")}

    def face(font: TTFont) -> dict[str, object]:
        return {k: v for k, v in vars(font.face).items() if k != "_pdfScale"}

    # Every attribute reportlab's constructors set: a reportlab upgrade that adds one fails here.
    assert state(cached) == state(parsed)
    assert face(cached) == face(parsed)
    assert {type(v) for v in face(cached).values()} == {type(v) for v in face(parsed).values()}
    assert cached.face.name.ustr == parsed.face.name.ustr
    for value in (0, 1, 2048, 777):
        assert cached.face._pdfScale(value) == parsed.face._pdfScale(value)
    sample = "Militärbefehlshaber – „Tiefe“ 10 km"
    assert cached.stringWidth(sample, 10.5) == parsed.stringWidth(sample, 10.5)


def test_pdfs_from_cached_and_parsed_faces_are_identical(cache_home: Path) -> None:
    from reportlab.pdfbase import pdfmetrics

    path = font_file(fonts.SERIF)
    fonts._cache_font(TTFont("CacheTestParsed", str(path)), path, 0)
    cached = fonts._cached_font("CacheTestCached", path, 0)
    assert cached is not None
    pdfmetrics.registerFont(TTFont("CacheTestParsed", str(path)))
    pdfmetrics.registerFont(cached)

    def draw(font: str) -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        canvas.setFont(font, 12)
        canvas.drawString(72, 720, "Überraschungsoffensive Ωμέγα ‰ ﬁ")
        canvas.save()
        return out.getvalue().replace(b"CacheTestCached", b"CacheTestParsed")

    assert draw("CacheTestCached") == draw("CacheTestParsed")


def test_a_broken_cache_is_ignored(cache_home: Path) -> None:
    path = font_file(fonts.SERIF)
    fonts._cache_font(TTFont(fonts.SERIF, str(path)), path, 0)
    (cache_file,) = (cache_home / "octavo").glob("font-*.marshal")
    cache_file.write_bytes(b"\x00garbage")
    assert fonts._cached_font(fonts.SERIF, path, 0) is None


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = font_file(fonts.MONO)
    fonts._cache_font(TTFont(fonts.MONO, str(path)), path, 0)  # no exception
    assert fonts._cached_font(fonts.MONO, path, 0) is None


def test_a_new_entry_replaces_the_faces_older_formats(cache_home: Path) -> None:
    path = font_file(fonts.SERIF)
    older = fonts._face_cache_file(path, 0).with_name(
        fonts._face_cache_prefix(path, 0).replace(f"-v{fonts._CACHE_FORMAT}-", "-v1-")
        + "0123.marshal")
    older.parent.mkdir(parents=True, exist_ok=True)
    older.write_bytes(b"an older layout")
    bold = fonts._face_cache_file(font_file(fonts.SERIF_BOLD), 0)
    bold.write_bytes(b"another face's entry")
    fonts._cache_font(TTFont("PruneTest", str(path)), path, 0)
    assert not older.exists()
    assert bold.exists()  # only the face's own entries go
    assert fonts._face_cache_file(path, 0).exists()
