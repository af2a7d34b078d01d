"""The generated cover: spliced band by band, yet the same JPEG as drawing the page whole."""

from __future__ import annotations

import dataclasses
import io
import marshal
import zlib
from pathlib import Path

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
    cells = _cover._ROWS * _cover._CELLS
    _header, _tables, drawn = _cover._split(_cover._encode(palette, marks)[0], cells)
    blank = _cover._split(_cover.encode_whole(palette, []), cells)[2]
    changed = [i for i in range(cells) if drawn[i] != blank[i]]
    rows = sorted({i // _cover._CELLS for i in changed})
    # One line of title and the rule: a few rows, in the upper half, not the whole page...
    assert rows and len(rows) < _cover._ROWS // 4
    assert max(rows) < _cover._ROWS // 2
    # ... and in them only the cells across the middle, where the short word and rule are.
    columns = {i % _cover._CELLS for i in changed}
    assert 0 not in columns and _cover._CELLS - 1 not in columns
    assert _cover._CELLS // 2 in columns


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
    (entry,) = (tmp_path / "octavo").glob("cover-cmap-DejaVuSans=*")
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


def test_one_faces_cached_coverage_does_not_prune_another_whose_name_it_begins(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing an entry prunes older entries of the same source by name prefix: the prefix of
    DejaVuSans must not take DejaVuSans-Bold's entry with it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _cover._cmap.cache_clear()
    try:
        _cover._cmap("DejaVuSans-Bold.ttf")
        _cover._cmap("DejaVuSans.ttf")
        names = sorted(p.name.split("=")[0] for p in (tmp_path / "octavo").glob("cover-cmap-*"))
        assert names == ["cover-cmap-DejaVuSans", "cover-cmap-DejaVuSans-Bold"]
    finally:
        _cover._cmap.cache_clear()


# --- cheaper covers: the shortcuts must not change the layout or the pixels ----------------------

FIT_TEXTS = [*TITLES, "Ein sehr langer Titel " * 9, "短い" * 40, "Wikinews 日本語版 2026年 ニュース " * 5,
             "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen und mehr",
             "Международные соревнования по конькобежному спорту"]  # words too wide at large sizes


def _exhaustive_fit(piece: _cover._Piece, sizes: list[int], max_lines: int, max_height: float,
                    leading: float) -> tuple[int, list[str]] | None:
    """_fit's choice made the plain way: every size wrapped and every line measured."""
    for split in (False, True):
        for size in sizes:
            font = _cover._truetype(piece.font, size)
            lines = _cover._wrap(piece.text, font, _cover._TEXT_WIDTH, split=split)
            if lines is not None and len(lines) <= max_lines and (
                    len(lines) * size * leading <= max_height):
                return size, lines
    return None


@pytest.mark.parametrize("text", FIT_TEXTS)
def test_fitting_with_cached_widths_chooses_what_trying_every_size_does(text: str) -> None:
    with diagnostics.collecting():
        piece = _cover._choose(text, _cover._TITLE_FONTS, "title")
    assert piece is not None
    for sizes, max_lines, max_height, leading in (
            (_cover._sizes(_cover._px(176), _cover._px(64)), 7, _cover._px(1150), 1.18),
            (_cover._sizes(_cover._px(84), _cover._px(44)), 4, _cover._px(420), 1.3),
            (_cover._sizes(_cover._px(64), _cover._px(36)), 2, _cover._px(180), 1.25)):
        block = _cover._fit(piece, sizes, max_lines, max_height, leading, "#fff")
        expected = _exhaustive_fit(piece, sizes, max_lines, max_height, leading)
        if expected is not None:
            assert (block.size, block.lines) == expected
        else:  # nothing fits: the smallest size, cut
            assert block.size == sizes[-1] and block.lines[-1].endswith("…")
        font = _cover._truetype(piece.font, block.size)
        assert all(font.getlength(line) <= _cover._TEXT_WIDTH for line in block.lines)


@pytest.mark.parametrize("text", FIT_TEXTS)
def test_the_quick_wrap_gives_the_lines_of_the_measured_wrap(text: str) -> None:
    with diagnostics.collecting():
        piece = _cover._choose(text, _cover._TITLE_FONTS, "title")
    assert piece is not None
    for size in (30, 61, 110):
        font = _cover._truetype(piece.font, size)
        measure = lambda unit, size=size: _cover._width(piece.font, size, unit)
        for width in range(180, 900, 61):
            for split in (False, True):
                assert _cover._wrap(piece.text, font, width, split=split, measure=measure) == \
                    _cover._wrap(piece.text, font, width, split=split)


def _drawn_the_plain_way(palette: int, marks: list) -> PILImage.Image:
    """The page as Pillow's ImageDraw.text draws it straight onto RGB (the old, slower way)."""
    from PIL import ImageDraw

    image = _cover._page(palette, 0, _cover.HEIGHT)
    draw = ImageDraw.Draw(image)
    for mark in marks:
        if isinstance(mark, _cover._Rule):
            mark.draw(draw, 0)
        elif isinstance(mark.font, _cover._MixedFont):
            for face, part, x in mark._runs():
                draw.text((x, mark.y), part, font=face, fill=mark.fill, anchor="ls")
        else:
            draw.text((_cover.WIDTH / 2, mark.y), mark.text, font=mark.font, fill=mark.fill,
                      anchor="ma")
    return image


@pytest.mark.parametrize("title", TITLES[:4])
def test_drawing_coverage_through_a_palette_looks_like_drawing_on_rgb(title: str) -> None:
    with diagnostics.collecting():
        for palette in (2, 5):
            marks = _marks(title, "Jörg Müller 李小龙", "BBC News", palette)
            ours = _cover._draw(palette, 0, _cover.HEIGHT, marks)
            plain = _drawn_the_plain_way(palette, marks)
            from PIL import ImageChops

            worst = max(high for _low, high in ImageChops.difference(ours, plain).getextrema())
            assert worst <= 1  # rounding at most: the same picture


def test_a_cover_encodes_only_the_cells_its_text_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[tuple[int, int]] = []
    real_jpeg = _cover._jpeg
    monkeypatch.setattr(_cover, "_jpeg", lambda image: sizes.append(image.size) or real_jpeg(image))
    _cover._bands.clear()
    _cover._blank(4)
    sizes.clear()
    marks = _marks("Hi", "", None, 4)
    _cover._encode(4, marks)
    # One encoder call; fewer cells than the rectangle of the band's rows and columns.
    assert len(sizes) == 1
    (width, height), = sizes
    assert width % _cover._CELL == 0 and height % _cover._MCU == 0
    (first, last, (low, high), _group), = _cover._bands_of(marks)
    assert 0 < (width // _cover._CELL) * (height // _cover._MCU) < \
        (last - first + 1) * (high - low + 1)
    _cover._bands.clear()


# Titles whose covers mix what the packed encoding must get right: several bands (title and
# byline, publisher in the accent colour), lines set from glyphs and rendered whole, one long
# line and short ones (pieces of many widths, rows parted in packing), words wider than the line.
PACKED_TITLES = [
    *TITLES,
    "Wall Street: Tesla, Apple & Nvidia lose $1.2tn (-4.7%) in a week",
    "A\u00a0quick brown fox jumps over the lazy dog again and again, and then once more",
    "東京で震度5強の地震 交通機関に乱れ、JR東日本は全線で運転見合わせ",
    "Россия и Украина: переговоры в Стамбуле – ТАСС",
]


@pytest.mark.parametrize("title", PACKED_TITLES)
def test_packed_cells_decode_to_pillows_whole_page(title: str) -> None:
    """The spliced cover, its touched cells encoded packed together (coverage pieces and
    colour pieces in one image), is the JPEG Pillow encodes from the whole page, byte for byte
    and so pixel for pixel; the publisher's band goes through the colour path."""
    used: list[bool] = []
    real = _cover._drawn

    def spy(*args: object) -> object:
        drawn = real(*args)  # type: ignore[arg-type]
        used.append(drawn.coverage)
        return drawn

    with diagnostics.collecting(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(_cover, "_drawn", spy)
        for palette in range(len(_cover._PALETTES)):
            _cover._bands.clear()
            marks = _marks(title, "Jörg Müller, Anna Schäfer and 李小龙", "BBC News", palette)
            data, deflated = _cover._encode(palette, marks)
            whole = _cover.encode_whole(palette, marks)
            assert data == whole
            assert zlib.decompress(deflated, -15) == data
            ours = PILImage.open(io.BytesIO(data))
            assert ours.tobytes() == PILImage.open(io.BytesIO(whole)).tobytes()
    assert True in used and False in used  # both ways of drawing a band were taken
    _cover._bands.clear()


@pytest.mark.parametrize("title", PACKED_TITLES)
def test_the_pieces_hold_every_pixel_the_text_changes(title: str) -> None:
    """Outside the pieces the page is blank: the whole page's drawing equals the blank page
    there (so leaving those cells the blank page's keeps the cover the same)."""
    from PIL import ImageChops

    with diagnostics.collecting():
        palette = 2
        marks = _marks(title, "Jörg Müller", "BBC News", palette)
        changed = ImageChops.difference(_cover._draw(palette, 0, _cover.HEIGHT, marks),
                                        _cover._page(palette, 0, _cover.HEIGHT))
        mask = PILImage.new("L", changed.size, 255)
        for i, (first, last, columns, group) in enumerate(_cover._bands_of(marks)):
            for _i, top, bottom, start, end in _cover._pieces(i, first, last, columns, group):
                mask.paste(0, (start * _cover._CELL, top * _cover._MCU,
                               (end + 1) * _cover._CELL, (bottom + 1) * _cover._MCU))
        outside = PILImage.new("RGB", changed.size)
        outside.paste(changed, (0, 0), mask)
        assert changed.getbbox() is not None and outside.getbbox() is None


def test_packing_lays_every_cell_of_the_pieces_once_with_no_gap() -> None:
    """Each cell of each piece goes to one cell of the packed image, no two to the same one,
    filling its rows but the last; pieces as wide as the image stay whole, others are parted."""
    import random

    parted = 0
    for seed in range(300):
        rng = random.Random(seed)
        pieces = []
        for band in range(rng.randint(1, 4)):
            row = rng.randint(0, 80)
            for _ in range(rng.randint(1, 5)):
                start = rng.randint(0, 7)
                end = rng.randint(start, 7)
                pieces.append((band, row, row + rng.randint(0, 4), start, end))
                row = pieces[-1][2] + 1
        placed, across, height = _cover._laid(pieces)
        assert across == max(end - start + 1 for *_rest, start, end in pieces)
        where: dict[tuple[int, int], tuple[int, int, int]] = {}
        for (band, first, last, start, end), top, left in placed:
            assert 0 <= left and left + end - start < across and top + last - first < height
            parted += (band, first, last, start, end) not in pieces
            for row in range(first, last + 1):
                for cell in range(start, end + 1):
                    spot = (top + row - first, left + cell - start)
                    assert spot not in where
                    where[spot] = (band, row, cell)
        cells = sorted((band, row, cell) for band, first, last, start, end in pieces
                       for row in range(first, last + 1) for cell in range(start, end + 1))
        assert sorted(where.values()) == cells
        assert height == -(-len(cells) // across)  # no gap but at the end
    assert parted > 300


@pytest.mark.parametrize("y", [300, 301, 607, 608, 615, 1000])
def test_a_rule_is_the_solid_rectangle_of_pixels_found_for_it(y: int) -> None:
    from PIL import ImageDraw

    page = PILImage.new("L", (_cover.WIDTH, _cover.HEIGHT))
    _cover._Rule(y, "#ffffff").draw(ImageDraw.Draw(page), 0)
    box = _cover._rule_pixels(y)
    assert box is not None and page.getbbox() == box
    assert page.crop(box).getextrema() == (255, 255)


def test_a_band_at_the_page_edge_is_encoded_as_its_rectangle() -> None:
    """Cells of the right edge (a partial MCU) are not packed: such a band is encoded whole."""
    palette = 1
    marks = _marks("Kursk", "", None, palette)
    first, last, (low, _high), group = _cover._bands_of(marks)[0]
    wide = (first, last, (low, _cover._CELLS - 1), group)
    assert _cover._pieces(0, *wide) is None
    _cover._bands.clear()
    encoded = _cover._encoded_bands(palette, [wide])[0]
    _cover._bands.clear()
    assert encoded == _cover._band(palette, *wide)
    _assert_rows_of_the_whole_page(encoded, first, last, palette, marks)
    _cover._bands.clear()


def _assert_rows_of_the_whole_page(encoded: bytes, first: int, last: int, palette: int,
                                   marks: list) -> None:
    """The encoded rows `first` .. `last` are those rows of the whole page as Pillow encodes
    it, restart markers included."""
    cells = _cover._ROWS * _cover._CELLS
    whole = _cover._split(_cover.encode_whole(palette, marks), cells)[2]
    at, end = first * _cover._CELLS, (last + 1) * _cover._CELLS
    assert encoded == b"".join(cell + _cover._marker(i)
                               for i, cell in enumerate(whole[at:end], at))


@pytest.mark.parametrize("widen", ["none", "left", "right", "both"])
def test_any_rectangle_of_cells_around_the_text_splices_into_the_whole_page(widen: str) -> None:
    """The page's left and right edges included: the right edge is a partial MCU (1000 is not
    a multiple of 16), which a band must encode as the page does."""
    palette = 3
    marks = _marks("Kursk", "", None, palette)
    first, last, (low, high), group = _cover._bands_of(marks)[0]
    assert 0 < low <= high < _cover._CELLS - 1
    columns = (0 if widen in ("left", "both") else low,
               _cover._CELLS - 1 if widen in ("right", "both") else high)
    _cover._bands.clear()
    encoded = _cover._band(palette, first, last, columns, group)
    _assert_rows_of_the_whole_page(encoded, first, last, palette, marks)
    _cover._bands.clear()


# Lines of simple scripts, with kerning pairs (AV, To, Wa, LT, «Y»), quotes, dashes, digits,
# currency and accented letters: each is set from cached glyphs (see _composed).
GLYPH_TITLES = [
    "AVAST! Today’s WAVY LT Yacht Tour — “Voyage” to Taiwan",
    "Ukraine hält noch Gebiet in Kursk – Selenskyj spricht von „schweren Kämpfen“",
    "Wall Street: Tesla, Apple & Nvidia lose $1.2tn (-4.7%) in a week",
    "«Vous avez dit ‹Yves›?» L’été à Paris, 14 juillet 2024",
    "Złoty, żółw i gęś: Łódź świętuje 600-lecie",
    "Россия и Украина: переговоры в Стамбуле – ТАСС",
    "Η Αθήνα και η Τουρκία υπέγραψαν συμφωνία για το Αιγαίο",
    "İstanbul’da yağmur: Çarşamba günü ağır trafik",
    "P. Y. Wójcik, J. T. LaVoie, F. W. Avery",
    "Price: €250 / £199 / ¥30,000 — VAT incl.",
    "gjpqy Tj Ty Tr Fa Pa Va Wo Yo LY ff",
]


def _pillow_line(line: object) -> PILImage.Image:
    """The line as Pillow renders it whole (what _stamps did for every line)."""
    from PIL import ImageDraw

    canvas = PILImage.new("L", (_cover.WIDTH, _cover.HEIGHT))
    ImageDraw.Draw(canvas).text((_cover.WIDTH / 2, line.y), line.text, font=line.font,
                                fill=255, anchor="ma")
    return canvas


def _stamped(stamps: tuple) -> PILImage.Image:
    canvas = PILImage.new("L", (_cover.WIDTH, _cover.HEIGHT))
    from PIL import ImageDraw

    pen = ImageDraw.Draw(canvas)
    for mask, x, y in stamps:
        pen.draw.draw_bitmap((x, y), mask, 255)
    return canvas


@pytest.mark.parametrize("title", GLYPH_TITLES)
def test_a_line_set_from_cached_glyphs_is_pillows_rendering_of_it(title: str) -> None:
    from PIL import ImageChops

    composed = 0
    for face in (*_cover._TITLE_FONTS, *_cover._BYLINE_FONTS):
        for size in (*_cover._sizes(_cover._px(176), _cover._px(64)), 23, 27, 40):
            for text, y in ((title, 100), *((word, 777) for word in title.split())):
                line = _cover._Line(text, face, size, y, "#fff")
                stamps = _cover._composed(line)
                if stamps is None:
                    # only a ligature (fi, fl, ff in DejaVu) may send such a line to Pillow
                    assert any(pair in text for pair in ("ff", "fi", "fl"))
                    continue
                composed += 1
                worst = ImageChops.difference(_stamped(stamps), _pillow_line(line)).getextrema()[1]
                assert worst <= 1, (text, face, size)  # overlapping edges may round differently
    assert composed >= 4 * len(_cover._sizes(_cover._px(176), _cover._px(64)))


# Mixed lines: CJK in Droid Sans Fallback (which shapes nothing) beside Latin and digits in DejaVu.
MIXED_TEXTS = ["東京で震度5強の地震　交通機関に乱れ", "「水俣病、触るな」と暴言 (AFP)",
               "2009衆院選 民主党 単独過半数", "ウィキニュース・ジャパン、ーゃっ。", "서울 2024 한국어 뉴스",
               "FIFAワールドカップ2006 ─ 40.9℃ −14", "李小龙 and Jörg Müller"]


@pytest.mark.parametrize("text", MIXED_TEXTS)
def test_a_mixed_lines_run_set_from_cached_glyphs_is_pillows_rendering_of_it(text: str) -> None:
    """Byte for byte, from any fractional start (a run whose glyphs' boxes meet is left to
    Pillow)."""
    chain = (_cover._TITLE_FONTS[0], *_cover._available(_cover._SCRIPT_FONTS))
    composed = 0
    for size in (23, 40, 61, 93, 110):
        mixed = _cover._truetype(chain, size)
        for face, part in mixed.runs(text):
            for x in (100, 100 + 1 / 128, 100 + 63 / 128, 100.5, 100 + 65 / 128, 317.75,
                      512 + 127 / 128):
                glyphs = _cover._run_glyphs(mixed.names[id(face)], size, part, x, 300)
                if glyphs is None:
                    continue
                composed += 1
                mask, (left, top) = face.getmask2(part, "L", anchor="ls", start=(x % 1, 0.0))
                assert _stamped(glyphs).tobytes() == \
                    _stamped(((mask, int(x) + left, 300 + top),)).tobytes(), (part, size, x)
    assert composed >= 5 * 7


def test_a_mixed_line_is_drawn_the_same_once_its_fonts_left_the_font_cache() -> None:
    with diagnostics.collecting():
        marks = _marks(MIXED_TEXTS[0], "", None, 0)
    line = next(m for m in marks if isinstance(m, _cover._Line) and isinstance(m.face, tuple))
    before = _stamped(_cover._stamps.__wrapped__(line)).tobytes()
    _cover._truetype.cache_clear()  # _placed_runs still holds the runs of the dropped fonts
    assert _stamped(_cover._stamps.__wrapped__(line)).tobytes() == before


@pytest.mark.parametrize("text", MIXED_TEXTS)
def test_a_mixed_lines_length_summed_run_by_run_is_what_getlength_measures(text: str) -> None:
    chain = (_cover._TITLE_FONTS[0], *_cover._available(_cover._SCRIPT_FONTS))
    for size in (23, 40, 61, 93, 110):
        mixed = _cover._truetype(chain, size)
        for cut in (text, text[:5], text[3:], " ".join(text.split()[1:])):
            assert _cover._length(chain, size, cut) == mixed.getlength(cut)
        for face, part in mixed.runs(text):
            assert _cover._length(mixed.names[id(face)], size, part) == face.getlength(part)
    assert _cover._unshaped("DroidSansFallbackFull.ttf")
    assert not any(map(_cover._unshaped, (*_cover._TITLE_FONTS, *_cover._BYLINE_FONTS)))


@pytest.mark.parametrize("text", ["Office fluff", "東京で震度5強", "الأمم المتحدة", "Z̴a̸l̷g̶o̵",
                                  "हिन्दी"])
def test_lines_with_ligatures_marks_or_complex_scripts_are_rendered_by_pillow(text: str) -> None:
    line = _cover._Line(text, "DejaVuSans.ttf", 60, 100, "#fff")
    assert _cover._composed(line) is None
    assert _cover._stamps(line)  # and still drawn


@pytest.mark.parametrize("face", [*_cover._TITLE_FONTS, *_cover._BYLINE_FONTS])
def test_the_ligatures_read_from_gsub_are_the_pairs_pillow_joins(face: str) -> None:
    """A pair is a ligature when it looks different with ligatures off; the GSUB tables must
    name every such pair (and "st", "!!", "TE": DejaVu's discretionary ones, off by default,
    need not send a line to Pillow)."""
    from PIL import ImageDraw

    font = _cover._truetype(face, 48)

    def drawn(pair: str, features: list[str] | None) -> bytes:
        canvas = PILImage.new("L", (200, 100))
        ImageDraw.Draw(canvas).text((50, 10), pair, fill=255, font=font, features=features)
        return canvas.tobytes()

    joined = {a + b for a in "fFsStT!?ac" for b in "filtsAE!?/"
              if drawn(a + b, None) != drawn(a + b, ["-liga", "-clig", "-rlig"])}
    assert joined == {"ff", "fi", "fl"}
    assert joined <= _cover._ligature_pairs(face)
    assert not {"st", "!!", "TE", "AV"} & _cover._ligature_pairs(face)


@pytest.mark.parametrize("title", [*GLYPH_TITLES, "Названы лауреаты премии «World Press Photo»"])
def test_lengths_summed_from_cached_glyphs_are_what_getlength_measures(title: str) -> None:
    """The wrap measures lines this way, so it must be exact (not merely close)."""
    words = title.split()
    for face in (*_cover._TITLE_FONTS, *_cover._BYLINE_FONTS):
        for size in (23, 40, 61, 88, 110):
            font = _cover._truetype(face, size)
            for text in (title, *words, " ".join(words[1:4])):
                pens = _cover._pens(face, size, text)
                assert pens is None or pens[-1] / 64 == font.getlength(text)
                assert _cover._length(face, size, text) == font.getlength(text)
    # Raqm lays out a Cyrillic and a Latin run apart, with no kerning between them ("«W").
    assert _cover._pens("DejaVuSans.ttf", 40, title) is None or "World" not in title


# Letters DejaVu kerns (and some it does not), in the scripts lines are set from glyphs in.
KERNING_CHARS = "AVTYLPJO fvwyea.,-'«“1АГТУЬалтуΑΤΥαλ"


@pytest.mark.parametrize("face", [*_cover._TITLE_FONTS, *_cover._BYLINE_FONTS])
def test_a_pair_found_not_to_kern_at_one_size_is_taken_as_not_kerning_at_all(face: str) -> None:
    """_kerning measures a pair once and takes "no kerning" for every size from
    _unkerned(face).smallest up: at every size the cover sets text at, what it gives must be
    what Pillow measures, largest size first (so the smaller ones are not measured)."""
    sizes = sorted({*_cover._sizes(_cover._px(176), _cover._px(64)),
                    *_cover._sizes(_cover._px(84), _cover._px(44)),
                    *_cover._sizes(_cover._px(64), _cover._px(36))}, reverse=True)
    smallest = _cover._unkerned(face).smallest
    assert smallest <= _cover._px(64)  # the title's sizes, at least, are spared measuring
    pairs = [a + b for a in KERNING_CHARS for b in KERNING_CHARS
             if not _cover._ligature(face, a + b)]
    kerned = taken = 0
    for size in sizes:
        font = _cover._truetype(face, size)
        single = {ch: font.getlength(ch) for ch in KERNING_CHARS}
        for pair in pairs:
            taken += pair not in _cover._metrics(face, size)[1] and \
                pair in _cover._unkerned(face).pairs and size >= smallest
            measured = round((font.getlength(pair) - single[pair[0]] - single[pair[1]]) * 64)
            kerned += measured != 0
            assert _cover._kerning(face, size, pair) == measured, (pair, size)
    assert kerned > 100 and taken > len(pairs)  # both kinds of pair, and the shortcut was taken


def _runs_one_character_at_a_time(font: _cover._MixedFont, text: str) -> list[tuple]:
    """_MixedFont.runs as first written: each character looked up on its own."""
    out: list[tuple] = []
    for ch in text:
        last_cmap = next((cmap for cmap, f in font.faces if out and f is out[-1][0]), None)
        if last_cmap is not None and ord(ch) in last_cmap:
            face = out[-1][0]
        else:
            face = next((f for cmap, f in font.faces if ord(ch) in cmap), font.faces[0][1])
        if out and out[-1][0] is face:
            out[-1] = (face, out[-1][1] + ch)
        else:
            out.append((face, ch))
    return out


@pytest.mark.parametrize("text", [
    *PACKED_TITLES, "", " ", "中", " 中 a 中", "a\U0001F600b", "\U0001F600 a", "2009衆院選 民主党 単独過半数",
    "Jörg Müller 李小龙 and 김민수", "한국어 뉴스: 서울 2024", "「水俣病、触るな」と暴言 (AFP)",
])
def test_mixed_font_runs_are_the_runs_found_one_character_at_a_time(text: str) -> None:
    chain = (_cover._TITLE_FONTS[0], *_cover._available(_cover._SCRIPT_FONTS))
    font = _cover._truetype(chain, 40)
    runs = font.runs(text)
    assert runs == _runs_one_character_at_a_time(font, text)
    assert "".join(part for _face, part in runs) == text


def test_cached_ligature_pairs_equal_the_parsed_ones(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    faces = ("DejaVuSerif-Bold.ttf", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf")
    for face in faces:
        _cover._ligature_pairs.cache_clear()
        parsed = _cover._parse_ligature_pairs(face)
        assert _cover._ligature_pairs(face) == parsed  # a miss: parses and stores
        (stored,) = (tmp_path / "octavo").glob(f"cover-liga-{Path(face).stem}=*")
        _cover._ligature_pairs.cache_clear()
        assert _cover._ligature_pairs(face) == parsed  # a hit
        stored.write_bytes(b"\x00damaged")
        _cover._ligature_pairs.cache_clear()
        assert _cover._ligature_pairs(face) == parsed  # damaged: parsed again
    assert any(_cover._parse_ligature_pairs(face) for face in faces)  # not all empty
    _cover._ligature_pairs.cache_clear()


def test_blending_full_ink_onto_a_blank_canvas_gives_the_masks_coverage() -> None:
    """Why _draw_coverage may copy a mask where nothing is drawn yet: Pillow's blend of ink 255
    by coverage m onto 0 is m, at every level."""
    from PIL import ImageDraw

    mask = PILImage.frombytes("L", (256, 2), bytes(range(256)) + bytes(range(255, -1, -1)))
    canvas = PILImage.new("L", (260, 4))
    ImageDraw.Draw(canvas).draw.draw_bitmap((3, 1), mask.im, 255)
    copied = PILImage.new("L", (260, 4))
    copied.paste(mask, (3, 1))
    assert canvas.tobytes() == copied.tobytes()


def _blended(lines: list, size: tuple[int, int], dy: int = 0, dx: int = 0) -> bytes:
    """The lines drawn as _Line.draw draws them: every mask blended in."""
    from PIL import ImageDraw

    canvas = PILImage.new("L", size)
    pen = ImageDraw.Draw(canvas)
    for line in lines:
        line.draw(pen, dy, dx)
    return canvas.tobytes()


def _copied(lines: list, size: tuple[int, int], dy: int = 0, dx: int = 0) -> bytes:
    canvas = PILImage.new("L", size)
    _cover._draw_coverage(canvas, lines, dy, dx)
    return canvas.tobytes()


@pytest.mark.parametrize("title", [*PACKED_TITLES, *GLYPH_TITLES, *MIXED_TEXTS])
def test_coverage_copied_where_the_canvas_is_blank_is_every_mask_blended(title: str) -> None:
    """Title, byline and publisher lines (glyphs kerned into each other, lines Pillow renders
    whole, mixed lines), on the page and on a band's rectangle cut from it."""
    with diagnostics.collecting():
        lines = [mark for mark in _marks(title, "Jörg Müller 李小龙", "BBC News", 1)
                 if isinstance(mark, _cover._Line)]
    page = (_cover.WIDTH, _cover.HEIGHT)
    assert _copied(lines, page) == _blended(lines, page)
    assert _copied(lines, (560, 300), 400, 224) == _blended(lines, (560, 300), 400, 224)


def test_coverage_of_lines_drawn_over_each_other_is_every_mask_blended() -> None:
    """Masks that meet ink drawn before are blended: a line over another, a line twice, a
    line just below one, glyphs overlapping within a line."""
    with diagnostics.collecting():
        line, = [mark for mark in _marks("AVAWAY Tj", "", None, 0)
                 if isinstance(mark, _cover._Line)]
    assert _cover._composed(line) is not None
    moved = [dataclasses.replace(line, y=line.y + dy) for dy in (0, 0, 3, 40, 160)]
    other = _cover._Line("fluff Office", "DejaVuSans.ttf", 60, line.y + 20, line.fill)
    for lines in (moved, [*moved, other], [other, *moved]):
        page = (_cover.WIDTH, _cover.HEIGHT)
        assert _copied(lines, page) == _blended(lines, page)


def test_the_faces_that_draw_a_pieces_characters_are_found_as_drawable_finds_them() -> None:
    chars = set("Aé Ж\u00ad\u200d\u0301日한\u05d0\u0627\U0001f600\x07 \u2028")
    for name in (*_cover._TITLE_FONTS, *_cover._available(_cover._SCRIPT_FONTS)):
        cmap = _cover._cmap(name)
        assert _cover._drawn_of(chars, cmap) == {ch for ch in chars if _cover._drawable(ch, cmap)}
