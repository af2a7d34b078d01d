"""The generated cover: spliced band by band, yet the same JPEG as drawing the page whole."""

from __future__ import annotations

import io
import marshal
import zlib

import pytest
from PIL import Image as PILImage

from octavo import diagnostics
from octavo.writers import _cover

TITLES = [
    "Ukraine hält noch Gebiet in Kursk – Selenskyj spricht von „schweren Kämpfen“",
    "الأمم المتحدة تحذر من أزمة غذاء عالمية في العام المقبل",
    "東京で震度5強の地震　交通機関に乱れ",
    "Tiếng Việt: Hội nghị thượng đỉnh Ǻ Ế",  # precomposed letters with stacked marks
    "Z̴̢̛a̸l̷g̶o̵ ̸t̴e̵x̸t̵",  # combining marks piled above and below
    "ٱلْعَرَبِيَّةُ لُغَةٌ",  # Arabic with vowel marks
    "เศรษฐกิจไทยปีนี้",
    "हिन्दी समाचार",
    "g" * 120,  # one word split over lines, descenders on every line
    "A",
]


def _marks(title: str, authors: str, publisher: str | None, palette: int) -> list:
    """The marks render_cover lays out."""
    return _cover._compose(title, authors, publisher, palette)[0]


@pytest.mark.parametrize("title", TITLES)
def test_spliced_cover_is_byte_identical_to_the_whole_page(title: str) -> None:
    with diagnostics.collecting():
        for palette in (0, 3):
            marks = _marks(title, "Jörg Müller und Anna Schäfer", "BBC News", palette)
            data, deflated = _cover._encode(palette, marks)
            assert data == _cover.encode_whole(palette, marks)
            assert zlib.decompress(deflated, -15) == data


def test_cover_is_a_decodable_baseline_jpeg_of_the_stated_size() -> None:
    cover = _cover.render_cover(title="Ein Titel", authors="A. Autor", publisher="Verlag",
                                seed="s")
    assert cover.media_type == "image/jpeg"
    picture = PILImage.open(io.BytesIO(cover.data))
    assert picture.size == (_cover.WIDTH, _cover.HEIGHT) == (1000, 1600)
    assert picture.format == "JPEG" and not picture.info.get("progressive")
    picture.load()
    # The blank page is the palette's background, and the text is there (light on dark).
    background = PILImage.new("RGB", (1, 1), _cover._PALETTES[_cover._palette_of("s")][0])
    corner = picture.getpixel((20, 20))
    assert max(abs(a - b) for a, b in zip(corner, background.getpixel((0, 0)))) <= 3
    lightest = picture.crop((150, 300, 850, 900)).convert("L").getextrema()[1]
    assert lightest > 200


def test_same_cover_bytes_with_and_without_the_band_cache() -> None:
    args = {"title": "Reproducible covers", "authors": "Ada", "publisher": "Pub", "seed": "k"}
    first = _cover.render_cover(**args)
    again = _cover.render_cover(**args)  # from the band cache
    _cover._bands.clear()
    _cover._blank.cache_clear()
    _cover._blank_run.cache_clear()
    fresh = _cover.render_cover(**args)  # everything encoded anew
    assert first.data == again.data == fresh.data
    assert first.deflated == fresh.deflated


def test_only_text_rows_differ_from_the_blank_page() -> None:
    palette = 1
    marks = _marks("Short", "", None, palette)
    _header, _tables, rows = _cover._split(_cover._encode(palette, marks)[0], _cover._ROWS)
    blank = _cover._split(_cover.encode_whole(palette, []), _cover._ROWS)[2]
    changed = [i for i in range(_cover._ROWS) if rows[i] != blank[i]]
    # One line of title and the rule: a few rows, in the upper half, not the whole page.
    assert changed and len(changed) < _cover._ROWS // 4
    assert max(changed) < _cover._ROWS // 2


def test_an_encoder_that_cannot_be_spliced_falls_back_to_the_whole_page(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(jpeg: bytes, rows: int) -> tuple:
        raise _cover._SpliceError("no restart markers")

    _cover._bands.clear()
    _cover._blank.cache_clear()
    monkeypatch.setattr(_cover, "_split", refuse)
    monkeypatch.setattr(_cover, "_splicing", True)
    cover = _cover.render_cover(title="Fallback", authors="", publisher=None, seed="f")
    assert cover.deflated is None
    assert _cover._splicing is False  # not tried again for every cover
    assert cover.data == _cover.encode_whole(_cover._palette_of("f"),
                                             _marks("Fallback", "", None,
                                                    _cover._palette_of("f")))
    PILImage.open(io.BytesIO(cover.data)).load()


def test_japanese_cover_lines_follow_kinsoku() -> None:
    """No line starts with a closing mark, small kana or the long-vowel mark, and none ends
    with an opening bracket (the title from jawikinews-2836 once broke as "サッカ / ー")."""
    from importlib import resources

    from PIL import ImageFont

    title = "中学校のサッカー試合中に、相手校の選手に対し「水俣病、触るな」と暴言"
    assert "サッ" in _cover._segments(title) and "カー" in _cover._segments(title)
    font = ImageFont.truetype(
        str(resources.files("octavo").joinpath("fonts", "DroidSansFallbackFull.ttf")), 80)
    for width in range(300, 900, 37):
        lines = _cover._wrap(title, font, width, split=False)
        assert lines is not None and "".join(lines) == title
        assert not any(line[0] in _cover._NO_LINE_START for line in lines[1:]), lines
        assert not any(line[-1] in _cover._NO_LINE_END for line in lines), lines


def test_the_blank_page_comes_from_the_disk_cache_and_a_damaged_entry_is_rebuilt(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    args = {"title": "Cached blank pages", "authors": "Ada", "publisher": None, "seed": "c"}
    palette = _cover._palette_of("c")
    _cover._bands.clear()
    _cover._blank.cache_clear()
    _cover._blank_run.cache_clear()
    fresh = _cover.render_cover(**args)  # encodes the blank page and stores it
    (entry,) = (tmp_path / "octavo").glob(f"cover-blank{palette}-*.bin")
    stored = entry.read_bytes()

    encoded: list[int] = []
    real_jpeg = _cover._jpeg
    monkeypatch.setattr(_cover, "_jpeg", lambda image: encoded.append(image.height) or real_jpeg(image))
    _cover._bands.clear()
    _cover._blank.cache_clear()
    _cover._blank_run.cache_clear()
    cached = _cover.render_cover(**args)
    assert _cover.HEIGHT not in encoded  # only bands were encoded: the page came from disk
    assert (cached.data, cached.deflated) == (fresh.data, fresh.deflated)
    assert cached.data == _cover.encode_whole(palette, _marks("Cached blank pages", "Ada", None,
                                                             palette))

    entry.write_bytes(stored[:-7])  # a damaged entry is not trusted: the page is encoded anew
    _cover._blank.cache_clear()
    _cover._blank_run.cache_clear()
    encoded.clear()
    again = _cover.render_cover(**args)
    assert _cover.HEIGHT in encoded
    assert again.data == fresh.data
    assert entry.read_bytes() == stored


def test_font_coverage_comes_from_the_disk_cache_and_equals_the_parsed_cmap(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    name = "DejaVuSans.ttf"
    parsed = frozenset(_cover._parse_cmap(_cover._font_bytes(name)))
    _cover._cmap.cache_clear()
    assert _cover._cmap(name) == parsed  # parsed, then stored
    (entry,) = (tmp_path / "octavo").glob("cover-cmap-DejaVuSans-*")
    monkeypatch.setattr(_cover, "_parse_cmap", lambda font: pytest.fail("parsed again"))
    _cover._cmap.cache_clear()
    assert _cover._cmap(name) == parsed  # from the cache
    entry.write_bytes(b"\x00damaged")
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _cover._cmap.cache_clear()
    assert _cover._cmap(name) == parsed  # a damaged entry is parsed anew and replaced
    assert _cover._cmap_from_runs(marshal.loads(entry.read_bytes())) == parsed
    _cover._cmap.cache_clear()
