"""Every bundled sample, through the real pipeline, judged by the real validators.

Text, Markdown and saved HTML samples (tests/data) and the seed go through octavo.convert_many to
EPUB and PDF. Every EPUB must pass EPUBCheck with 0 errors and 0 warnings; every PDF must embed
all its fonts and pass veraPDF as PDF/A-2u. The seed's outputs are checked field by field (issue 2's "done when").
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

import octavo
from octavo.model import block_text, plain_text
from tests.epubcheck_helper import by_severity, run_epubcheck
from tests.pdf_helper import (
    assert_fonts_embedded,
    assert_reads_back,
    catalog,
    hyphenated_lines,
    pdfinfo,
)
from tests.verapdf_helper import run_verapdf

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
SEED = ROOT / "seeds" / "000_5cae9f183acdf008.txt"
SAMPLES = sorted(
    [p for sub in ("text", "markdown", "html") for p in (DATA / sub).iterdir() if p.is_file()]
) + [SEED]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, octavo.batch.BatchReport]:
    out = tmp_path_factory.mktemp("e2e")
    report = octavo.convert_many(SAMPLES, to=["epub", "pdf"], output_dir=out, jobs=2)
    return out, report


def test_every_sample_converts(converted):
    _, report = converted
    assert [(i.input, i.error) for i in report.failed] == []
    assert len(report.ok) == len(SAMPLES)


def test_every_epub_passes_epubcheck(converted):
    out, _ = converted
    epubs = sorted(out.glob("*.epub"))
    assert len(epubs) == len(SAMPLES)
    results = run_epubcheck(epubs)
    problems = {p.name: by_severity(m, "FATAL", "ERROR", "WARNING") for p, m in results.items()}
    assert {name: msgs for name, msgs in problems.items() if msgs} == {}


def test_every_pdf_embeds_its_fonts(converted):
    out, _ = converted
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(SAMPLES)
    for pdf in pdfs:
        assert assert_fonts_embedded(pdf)


def test_every_pdf_passes_verapdf_as_pdfa_2u(converted):
    out, _ = converted
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(SAMPLES)
    verdicts = run_verapdf(pdfs, "2u")
    assert [v for v in verdicts.values() if not v.startswith("PASS\t")] == []


def _opf(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        container = etree.fromstring(z.read("META-INF/container.xml"))
        path = container.find(".//{*}rootfile").get("full-path")
        return etree.fromstring(z.read(path))


def test_seed_epub_metadata_caption_and_credit(converted):
    out, _ = converted
    epub = out / "000_5cae9f183acdf008.epub"
    opf = _opf(epub)
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert opf.xpath("//dc:language/text()", namespaces=dc) == ["de"]
    assert opf.xpath("//dc:creator/text()", namespaces=dc) == ["Thomas Mackintosh"]
    assert opf.xpath("//dc:publisher/text()", namespaces=dc) == ["BBC News"]
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "Ein ukrainischer Soldat schaut durch das Zielfernrohr" in xhtml
    assert "Global Images Ukraine via Getty Images" in xhtml
    assert "„Umfang und Tiefe“" in xhtml


def test_seed_pdf_language_metadata_hyphenation_and_words(converted):
    out, _ = converted
    pdf = out / "000_5cae9f183acdf008.pdf"
    assert catalog(pdf).get("/Lang") == "de"
    info = pdfinfo(pdf)
    assert info["Author"] == "Thomas Mackintosh"
    assert info["Title"].startswith("Der oberste Militärbefehlshaber")
    assert hyphenated_lines(pdf), "no visible hyphenation"
    article = octavo.read(SEED)
    body = "\n".join(block_text(b) for b in article.body)
    lead = article.lead
    assert lead is not None
    assert_reads_back("\n".join([plain_text(lead.caption), lead.credit or "", body]), pdf)
