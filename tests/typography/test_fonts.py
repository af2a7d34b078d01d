"""Bundled fonts as the PDF writer embeds them: each glyph's advance in the embedded font
program agrees with the width the PDF declares for its character (PDF/A-2 rule 6.2.11.5-1;
a viewer that trusts the font program spaces the text by it)."""

from __future__ import annotations

import pytest

from octavo.typography import fonts

BUNDLED = sorted(fonts._sources)


@pytest.mark.parametrize("name", BUNDLED)
def test_embedded_advances_agree_with_declared_widths(name: str) -> None:
    face = fonts.register(name).face
    scale = 1000 / face.unitsPerEm
    wrong = {
        code: (face.hmetrics[glyph][0] * scale, face.charWidths.get(code, face.defaultWidth))
        for code, glyph in face.charToGlyph.items()
        if abs(face.hmetrics[glyph][0] * scale
               - face.charWidths.get(code, face.defaultWidth)) > 0.01
    }
    assert len(wrong) == 0, f"{len(wrong)} glyphs, e.g. {list(wrong.items())[:3]}"


def test_a_monospaced_subset_keeps_its_advances() -> None:
    """DejaVu Sans Mono lists 4 advances for 3,377 glyphs: every subset glyph is 1233 units."""
    import struct

    face = fonts.register(fonts.MONO).face
    subset = face.makeSubset([0, *range(33, 127)])
    tables = {}
    (count,) = struct.unpack_from(">H", subset, 4)
    for i in range(count):
        tag, _sum, offset, length = struct.unpack_from(">4sLLL", subset, 12 + 16 * i)
        tables[tag] = subset[offset:offset + length]
    (metrics,) = struct.unpack_from(">H", tables[b"hhea"], 34)
    advances = struct.unpack_from(f">{2 * metrics}H", tables[b"hmtx"])[::2]
    assert set(advances) == {1233}


def test_scripts_named_in_warnings() -> None:
    # A letter's name starts with its script; a symbol's says nothing of one ("GLOWING STAR").
    assert fonts.scripts("\U0001F31F\U00013000\u0905\u2605") == ["DEVANAGARI", "symbols",
                                                                "EGYPTIAN"]
