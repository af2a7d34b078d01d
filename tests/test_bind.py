"""Bound books: many articles, one EPUB or PDF, each article keeping its own language."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import octavo
from octavo.errors import OptionError
from tests.epubcheck_helper import by_severity, run_epubcheck
from tests.pdf_helper import assert_fonts_embedded, outline_titles
from tests.verapdf_helper import run_verapdf

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def fifty(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """50 real articles in several languages and all three input formats."""
    folder = tmp_path_factory.mktemp("fifty")
    sources = sorted(p for sub in ("text", "markdown", "html") for p in (DATA / sub).iterdir())
    paths = []
    for i in range(50):
        src = sources[i % len(sources)]
        dst = folder / f"{i:02}-{src.name}"
        shutil.copy(src, dst)
        paths.append(dst)
    return paths


@pytest.fixture(scope="module")
def bound(fifty, tmp_path_factory):
    out = tmp_path_factory.mktemp("bound")
    epub, _ = octavo.bind(fifty, out / "week.epub", title="Fifty articles")
    pdf, _ = octavo.bind(fifty, out / "week.pdf", title="Fifty articles")
    return epub, pdf


def test_bound_epub_is_valid_with_one_toc_entry_per_article(bound, fifty):
    epub, _ = bound
    [messages] = run_epubcheck([epub]).values()
    assert by_severity(messages, "FATAL", "ERROR", "WARNING") == []
    with zipfile.ZipFile(epub) as z:
        nav_name = next(n for n in z.namelist() if n.endswith("nav.xhtml"))
        nav = etree.fromstring(z.read(nav_name))
        docs = {n: etree.fromstring(z.read(n)) for n in z.namelist()
                if n.endswith(".xhtml") and "nav" not in n and "cover" not in n}
    ns = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=ns)
    assert len(toc) == 50
    languages = {d.get("lang") for d in docs.values()}
    assert {"de", "en", "fr", "ru", "ja"} <= languages


def test_bound_pdf_embeds_fonts_and_outlines_every_article(bound):
    _, pdf = bound
    assert_fonts_embedded(pdf)
    top = [title for depth, title in outline_titles(pdf) if depth == 0]
    assert len(top) >= 50


def test_bound_pdf_passes_verapdf_as_pdfa_2u(bound):
    _, pdf = bound
    [verdict] = run_verapdf([pdf], "2u").values()
    assert verdict.startswith("PASS\t"), verdict


def test_sort_by_title(fifty, tmp_path):
    path, _ = octavo.bind(fifty[:6], tmp_path / "s.epub", title="Sorted", sort="title")
    assert path.exists()
    with pytest.raises(OptionError):
        octavo.bind(fifty[:2], tmp_path / "x.epub", title="T", sort="colour")
