"""PDF writer, every script: UDHR samples read back, RTL order, CJK breaking, bounded work.

The samples in tests/data/udhr/ are the opening of the Universal Declaration of Human Rights
(title line + paragraph lines) in one language per script. Each is converted through the text
reader with its language given, and pdftotext must give the characters back: NFKC-normalised,
ignoring whitespace and the bidi marks pdftotext adds; right-to-left text in the logical order
pdftotext reports.
"""

from __future__ import annotations

import difflib
import io
import re
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octavo import diagnostics
from octavo.errors import WriterError
from octavo.model import (
    Article,
    Book,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Quoted,
    Strong,
    Table,
    Text,
)
from octavo.options import ReadOptions, WriteOptions
from octavo.plugins import Source
from octavo.readers.text import TextReader
from octavo.typography import fonts
from octavo.writers.pdf import (
    PdfWriter,
    _chunks,
    _cluster_breaks,
    _reorder,
    _Run,
    _script_kind,
)
from tests.pdf_helper import assert_fonts_embedded, need, pdffonts, pdftotext, read_back

UDHR = Path(__file__).parents[1] / "data" / "udhr"

# code -> (language, minimum share of characters read back, a font the PDF must embed)
SAMPLES: dict[str, tuple[str, float, str]] = {
    "eng": ("en", 0.99, "DejaVuSerif"),
    "ell_monotonic": ("el", 0.99, "DejaVuSerif"),
    "rus": ("ru", 0.99, "DejaVuSerif"),
    "cmn_hans": ("zh", 0.99, "DroidSansFallback"),
    "jpn": ("ja", 0.99, "DroidSansFallback"),
    "kor": ("ko", 0.99, "NotoSerifCJKkr"),
    "arb": ("ar", 0.99, "NotoNaskhArabic"),
    "heb": ("he", 0.99, "NotoSerifHebrew"),
    # Shaped Devanagari and Thai read back through ActualText spans (the i-sign is drawn
    # before its consonant, "ो" as the glyph of "ा" plus a top part, Thai marks over their
    # letter): without them 92% and 98.5% came back.
    "hin": ("hi", 0.99, "NotoSerifDevanagari"),
    "tha": ("th", 0.99, "NotoSerifThai"),
}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def _share(expected: str, got: str) -> float:
    a, b = _normalise(expected), _normalise(got)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def _convert(path: Path, language: str, out: Path) -> Path:
    article = TextReader().read(Source(path.read_bytes(), path.name, path),
                                ReadOptions(language=language))
    buf = io.BytesIO()
    PdfWriter().write(Book.of(article), buf, WriteOptions())
    out.write_bytes(buf.getvalue())
    return out


def _write(article: Article, out: Path) -> Path:
    buf = io.BytesIO()
    PdfWriter().write(Book.of(article), buf, WriteOptions())
    out.write_bytes(buf.getvalue())
    return out


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_udhr_sample_reads_back(code: str, tmp_path: Path) -> None:
    language, minimum, font = SAMPLES[code]
    source = UDHR / f"{code}.txt"
    with diagnostics.collecting() as found:
        pdf = _convert(source, language, tmp_path / f"{code}.pdf")
    assert not [d for d in found if d.code == "missing-glyphs"], [d.message for d in found]
    share = _share(source.read_text(encoding="utf-8"), pdftotext(pdf))
    assert share >= minimum, f"{code}: {share:.4f} of the characters read back"
    rows = assert_fonts_embedded(pdf)
    assert any(font in row.name for row in rows), [row.name for row in rows]


def test_latin_article_embeds_no_script_fonts(tmp_path: Path) -> None:
    pdf = _convert(UDHR / "eng.txt", "en", tmp_path / "eng.pdf")
    names = " ".join(row.name for row in pdffonts(pdf))
    for face in ("Droid", "Noto"):
        assert face not in names


def _words_with_x(pdf: Path) -> list[tuple[str, float, float]]:
    """(word, xMin, yMin) of every word pdftotext finds, in its reading order."""
    tool = need("pdftotext")
    done = subprocess.run([tool, "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          check=True, timeout=60)
    out = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>',
                         done.stdout.decode("utf-8")):
        out.append((unicodedata.normalize("NFKC", m.group(3)), float(m.group(1)),
                    float(m.group(2))))
    return out


def test_rtl_words_run_right_to_left_with_numbers_and_latin(tmp_path: Path) -> None:
    text = "أولا ثانيا 1948 ثالثا UNESCO رابعا"
    pdf = _write(Article(title="T", language="ar", body=(Paragraph((Text(text),)),)),
                 tmp_path / "rtl.pdf")
    placed = {w: x for w, x, _ in _words_with_x(pdf)}
    assert "1948" in placed and "UNESCO" in placed, placed
    # Words run right to left: "UNESCO" (the fifth word) lies left of "1948" (the third),
    # and both read left to right inside (not "8491").
    assert placed["UNESCO"] < placed["1948"]
    read = _normalise(pdftotext(pdf))
    assert "1948" in read and "UNESCO" in read  # digits and Latin not reversed


def test_rtl_paragraph_lines_in_order_and_right_aligned(tmp_path: Path) -> None:
    first, last = "البداية", "النهاية"
    body = " ".join([first] + ["كلمة عربية طويلة جدا"] * 60 + [last])
    pdf = _write(Article(title="T", language="ar", body=(Paragraph((Text(body),)),)),
                 tmp_path / "lines.pdf")
    words = _words_with_x(pdf)
    ys = {w: y for w, _, y in words}
    ordered = [w for w, _, _ in words]
    # -bbox gives each Arabic word's glyphs in visual order: compare both ways round
    def find(word: str) -> str:
        return next(w for w in ordered if _normalise(word) in (_normalise(w), _normalise(w)[::-1]))

    got_first, got_last = find(first), find(last)
    assert ys[got_first] < ys[got_last]  # the first words are on the first (top) line
    # the first line ends at the right margin: its first word is its rightmost
    top = [(x, w) for w, x, y in words if y == ys[got_first]]
    assert max(top)[1] == got_first


def test_rtl_article_mirrors_tables_and_lists(tmp_path: Path) -> None:
    def cell(text: str) -> tuple[Text, ...]:
        return (Text(text),)

    long_cell = "טקסט ארוך בתא צר של טבלה שחייב להישבר לכמה שורות בסדר הנכון " * 3
    body = (Table(header=(cell("ראשון"), cell("שני")), rows=((cell("אחד"), cell(long_cell)),)),
            ListBlock(items=((Paragraph(cell("פריט")),),), ordered=True, start=7))
    pdf = _write(Article(title="T", language="he", body=body), tmp_path / "mirror.pdf")
    placed = {_normalise(w)[::-1]: x for w, x, _ in _words_with_x(pdf)}
    assert placed["ראשון"] > placed["שני"]  # the first column is on the right
    assert placed[".7"[::-1]] > placed["פריט"]  # the number stands right of the item
    read = _normalise(pdftotext(pdf))
    assert _normalise(long_cell) in read  # a wrapped cell keeps its line order


def test_hebrew_punctuation_from_another_font_is_not_garbled(tmp_path: Path) -> None:
    text = "שלום, עולם (ישראל)."
    pdf = _write(Article(title="T", language="he", body=(Paragraph((Text(text),)),)),
                 tmp_path / "he.pdf")
    # The brackets are drawn mirrored (as RTL text needs), with the bracket written as their
    # ActualText: they read back as written, not as they look.
    assert _normalise(text) in _normalise(pdftotext(pdf))


def test_cjk_lines_break_between_ideographs(tmp_path: Path) -> None:
    text = "人人生而自由，在尊严和权利上一律平等。" * 30
    pdf = _write(Article(title="T", language="zh", body=(Paragraph((Text(text),)),)),
                 tmp_path / "zh.pdf")
    lines = [ln for ln in pdftotext(pdf).splitlines() if ln.strip()][1:]
    assert len(lines) > 5
    assert _normalise("".join(lines)).startswith(_normalise(text)[:200])
    assert not any(ln.startswith(("，", "。")) for ln in lines)  # no closing mark starts a line


def test_script_kinds() -> None:
    assert _script_kind("Hello, world — again") is None
    assert _script_kind("مرحبا 2024") == "bidi"
    assert _script_kind("Hello שלום") == "bidi"
    assert _script_kind("人人生而自由") == "cjk"
    assert _script_kind("사람은 자유롭다") is None  # Korean breaks at its spaces
    assert _script_kind("मानव अधिकार") == "shaped"


def test_thai_breaks_only_between_clusters() -> None:
    word = "เกียรติศักดิ์"
    cuts = _cluster_breaks(word)
    assert cuts
    for cut in cuts:
        assert not unicodedata.category(word[cut]).startswith("M")  # no mark starts a line
        assert word[cut - 1] != "เ"  # a leading vowel stays with its consonant
    assert _script_kind("ปฏิญญาสากล") == "unspaced"


def test_reorder_is_rule_l2() -> None:
    assert _reorder([0, 0, 0]) == [0, 1, 2]
    assert _reorder([1, 1, 1]) == [2, 1, 0]
    assert _reorder([1, 2, 2, 1]) == [3, 1, 2, 0]  # an LTR number inside RTL stays LTR


def test_script_fonts_preferred_over_dejavu_sans() -> None:
    runs = fonts.split_runs("abc שלום, مرحبا", fonts.chain("serif"))
    by_font = {font: text for font, text in runs}
    assert "שלום" in by_font[fonts.HEBREW]
    assert "مرحبا" in by_font[fonts.ARABIC]


def test_missing_glyphs_still_warn_with_script_fonts(tmp_path: Path) -> None:
    article = Article(title="T", language="en", body=(Paragraph((Text("x \U00013000 y"),)),))
    with diagnostics.collecting() as found:
        _write(article, tmp_path / "m.pdf")
    assert [d for d in found if d.code == "missing-glyphs"]


_TOKENS = ["مرحبا", "العالم", "١٩٤٨", "2024", "UNESCO", "שלום", "(", ")", "«", "»", ".", ",",
           "؟", "—", "नमस्ते", "สวัสดี", "中文", "한국어", "e-mail", "x\u200dy", "\u200f", "\u00ad"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(st.tuples(st.sampled_from(_TOKENS), st.sampled_from([" ", " ", ""])),
                       min_size=1, max_size=60),
       language=st.sampled_from(["ar", "he", "en", "th", "hi", "zh"]))
def test_mixed_scripts_always_set(tokens: list[tuple[str, str]], language: str) -> None:
    text = "".join(a + b for a, b in tokens)
    half = len(text) // 2
    inline = (Text(text[:half]), Emphasis((Text(text[half:]),)), LineBreak(),
              Link((Text("رابط link"),), "https://example.org"),
              Quoted((Text("اقتباس "), Quoted((Text("inner"),), False)), True))
    body = (Paragraph(inline), Heading(2, (Text(text[:30] or "h"),)),
            ListBlock(items=((Paragraph((Text(text[:50] or "i"),)),),), ordered=True, start=1),
            Table(header=((Text("a"),), (Text(text[:60] or "b"),)), rows=()))
    out = io.BytesIO()
    PdfWriter().write(Book.of(Article(title=text[:40] or "t", language=language, body=body)),
                      out, WriteOptions())
    assert out.getvalue().startswith(b"%PDF")


# --- bounded work ---------------------------------------------------------------------------


def test_chunks_keep_every_character() -> None:
    text = ("Ein Satz mit Wörtern. " * 800).strip()
    runs = [_Run(text[:5000], "A"), _Run(text[5000:9000], "B", 8.0), _Run(text[9000:], "A")]
    pieces = _chunks(runs, 3000)
    assert len(pieces) > 3
    assert "".join(r.text for piece in pieces for r in piece) == text
    for piece in pieces[:-1]:
        assert "".join(r.text for r in piece).endswith(". ")  # cut at sentence ends
    assert {r.font for piece in pieces for r in piece} == {"A", "B"}


def test_long_single_paragraph_is_quick(tmp_path: Path) -> None:
    sentence = "The quick brown fox jumps over the lazy dog near the riverbank today. "
    text = (sentence * (100_000 // len(sentence))).strip()
    started = time.monotonic()
    pdf = _write(Article(title="Long", language="en", body=(Paragraph((Text(text),)),)),
                 tmp_path / "long.pdf")
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"{elapsed:.1f} s for a 100 KB paragraph"
    result = read_back(text, pdftotext(pdf))
    assert result.ratio >= 0.999, result.missing[:5]


def test_too_much_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCTAVO_MAX_PDF_CHARACTERS", "1000")
    article = Article(title="Big", language="en", body=(Paragraph((Text("word " * 400),)),))
    with pytest.raises(WriterError) as info:
        PdfWriter().write(Book.of(article), io.BytesIO(), WriteOptions())
    assert "over the limit of 1,000 for one PDF" in info.value.message
    assert "OCTAVO_MAX_PDF_CHARACTERS" in (info.value.hint or "")


# --- logical text of shaped glyphs (ActualText), widths, placeholders -------------------------


def _shown(pdf: Path) -> list[tuple[str, bytes, str | None, str]]:
    """Every string a page shows: (font, its codes, the ActualText around it or None, the
    codes' text through the font's ToUnicode map)."""
    pikepdf = pytest.importorskip("pikepdf")
    out: list[tuple[str, bytes, str | None, str]] = []
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            fonts_ = page.Resources.get("/Font", {})
            maps: dict[str, dict[int, str]] = {}
            font, actual = "", None
            stack: list[str | None] = []
            for operands, op in pikepdf.parse_content_stream(page):
                name = str(op)
                if name == "Tf":
                    font = str(operands[0])
                    if font not in maps:
                        maps[font] = _to_unicode(fonts_[font])
                elif name == "BDC":
                    props = operands[1] if len(operands) > 1 else None
                    text = props.get("/ActualText") if isinstance(props, pikepdf.Dictionary) \
                        else None
                    stack.append(actual)
                    actual = str(text) if text is not None else actual
                elif name == "EMC":
                    actual = stack.pop() if stack else None
                elif name in ("Tj", "TJ", "'", '"'):
                    parts = operands[0] if name == "TJ" else [operands[-1]]
                    for part in parts:
                        if isinstance(part, pikepdf.String):
                            codes = bytes(part)
                            read = "".join(maps[font].get(c, "?") for c in codes)
                            out.append((font, codes, actual, read))
    return out


def _to_unicode(font: object) -> dict[int, str]:
    data = font.ToUnicode.read_bytes().decode("latin-1")  # type: ignore[attr-defined]
    entries = "".join(re.findall(r"beginbfchar(.*?)endbfchar", data, re.DOTALL))
    return {int(a, 16): bytes.fromhex(b).decode("utf-16-be")
            for a, b in re.findall(r"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]+)>", entries)}


def test_reordered_vowel_signs_read_back_in_order(tmp_path: Path) -> None:
    # The i-sign of "कि" and "रि" is drawn before its consonant, the reph of "र्व" after the
    # letter it stands on, "ो" as two glyphs; Thai marks are drawn over their letter. And no
    # word is cut in two (a span ending on a mark of no width looked like a word break).
    for language, text in (("hi", "किताब अधिकारों सार्वभौम परिवार स्वतंत्रता अनुच्छेद करेंगे"),
                           ("th", "ศักดิ์ศรี ทั้งหลาย ชีวิต อยู่ใน ยิ่งที่")):
        body = (Heading(2, (Text(text),)), Paragraph((Text(text),)))
        pdf = _write(Article(title="T", language=language, body=body),
                     tmp_path / f"{language}.pdf")
        read = unicodedata.normalize("NFKC", pdftotext(pdf)).split()
        words = unicodedata.normalize("NFKC", text).split()
        assert read[1:1 + len(words)] == words, read  # the heading
        assert read[1 + len(words):1 + 2 * len(words)] == words, read  # the paragraph
        spans = [actual for _, _, actual, _ in _shown(pdf) if actual]
        assert "किताब" in spans or language == "th", spans  # a word's text, in order


def test_plain_text_has_no_actualtext(tmp_path: Path) -> None:
    pdf = _convert(UDHR / "eng.txt", "en", tmp_path / "eng.pdf")
    assert not [s for s in _shown(pdf) if s[2]]


def test_private_glyphs_get_the_font_programs_widths() -> None:
    # A conjunct or an i-sign glyph has no character: it gets a private-use code, and its
    # width in the PDF font dictionary must be the glyph's advance in the embedded font
    # (PDF/A rule 6.2.11.5-1), not HarfBuzz's positioned advance.
    from reportlab.lib.abag import ABag

    from octavo.writers._actualtext import shape_frag_word

    font = fonts.register(fonts.DEVANAGARI)
    face = font.face
    shaped = shape_frag_word([0.0, (ABag(fontName=fonts.DEVANAGARI, fontSize=10.0),
                                    "स्वतंत्रता किताब सार्वभौम")])
    private = {ord(ch) for _, text in shaped[1:] for ch in text if 0xE000 <= ord(ch) < 0xF900}
    assert private
    for code in private:
        gid = face.charToGlyph[code]
        assert face.charWidths[code] == pytest.approx(face._pdfScale(face.hmetrics[gid][0]))


def test_rtl_text_reads_back_letters_not_presentation_forms(tmp_path: Path) -> None:
    text = "مرحبا بالعالم"
    pdf = _write(Article(title="T", language="ar", body=(Paragraph((Text(text),)),)),
                 tmp_path / "ar.pdf")
    read = "".join(ch for ch in pdftotext(pdf) if unicodedata.category(ch) != "Cf")
    assert text in read  # no NFKC needed: "م", not its medial form U+FEE3


@pytest.mark.parametrize("language,around", [("en", "x {} y"), ("hi", "मानव {} अधिकार"),
                                             ("ar", "مرحبا {} بالعالم"), ("th", "สวัสดี{}ครับ")])
def test_missing_glyph_is_a_visible_placeholder_with_its_character(
        language: str, around: str, tmp_path: Path) -> None:
    missing = "\U00013000\U00010000"  # an Egyptian hieroglyph, a Linear B syllable
    article = Article(title="T", language=language,
                      body=(Paragraph((Text(around.format(missing)),)),))
    with diagnostics.collecting() as found:
        pdf = _write(article, tmp_path / "m.pdf")
    messages = " ".join(d.message for d in found if d.code == "missing-glyphs")
    assert "U+13000" in messages and "U+10000" in messages
    shown = _shown(pdf)
    assert not [s for s in shown if 0 in s[1]]  # glyph 0 (.notdef) is never drawn
    for ch in missing:  # white squares, carrying the characters as their ActualText
        boxes = "".join(read for _, _, actual, read in shown if actual and ch in actual)
        assert boxes and set(boxes) == {"\u25a1"}, (ch, boxes)
    read = _normalise(pdftotext(pdf))
    if language == "ar":  # poppler takes the astral characters for neutrals, reversed in RTL
        assert all(ch in read for ch in missing), read
    else:
        assert _normalise(around.format(missing)) in read


def test_mirrored_brackets_read_back_as_written(tmp_path: Path) -> None:
    text = "مرحبا (عالم) «نص»"
    pdf = _write(Article(title="T", language="ar", body=(Paragraph((Text(text),)),)),
                 tmp_path / "ar.pdf")
    read = "".join(ch for ch in pdftotext(pdf) if unicodedata.category(ch) != "Cf")
    assert text in read
    # drawn as their mirror images (an opening bracket in RTL looks like ")"), each with the
    # character written as its ActualText
    drawn = {actual: glyphs for _, _, actual, glyphs in _shown(pdf) if actual}
    assert drawn["("] == ")" and drawn["«"] == "»", drawn


@pytest.mark.parametrize(
    ("language", "text", "face"),
    [
        ("ar", "حقوق الإنسان للجميع", "NotoNaskhArabic"),
        ("he", "הכרזה לכל באי עולם", "NotoSerifHebrew"),
        ("hi", "मानव अधिकारों की सार्वभौम घोषणा", "NotoSerifDevanagari"),
        ("th", "ปฏิญญาสากลว่าด้วยสิทธิมนุษยชน", "NotoSerifThai"),
    ],
)
def test_bold_text_in_a_script_uses_its_bold_face(language: str, text: str, face: str,
                                                  tmp_path: Path) -> None:
    """Titles, headings and <strong> are bold in every script, not only in Latin."""
    body = (Paragraph((Text(text + " "), Strong((Text(text),)))),)
    path = _write(Article(title=text, language=language, body=body), tmp_path / "bold.pdf")
    embedded = {row.name.split("+", 1)[-1] for row in pdffonts(path)}
    assert {f"{face}-Bold", f"{face}-Regular"} <= embedded
    assert read_back(f"{text} {text} {text}", pdftotext(path)).ratio == 1.0
