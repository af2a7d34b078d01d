"""Hostile and huge inputs (issue 6): each finishes within a minute and 1.5 GB, converted or
refused with an octavo error; never a traceback, a RecursionError or a MemoryError.

The conversions run the CLI in a subprocess, so wall time and peak memory (the child's
ru_maxrss from wait4) are measured for real. Set OCTAVO_HOSTILE_REPORT=file to collect the
figures (docs/limits.md lists them).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from octavo import api
from octavo.errors import OctavoError
from octavo.model import BlockQuote, Figure, ListBlock, block_text
from tests import hostile_inputs as gen
from tests.epubcheck_helper import require_epubcheck, run_epubcheck

SRC = Path(__file__).resolve().parent.parent / "src"
SECONDS = 60
MEGABYTES = 1536
LEAKS = ("Traceback", "RecursionError", "MemoryError", "internal error")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_cli(args: Sequence[str], cwd: Path, *, label: str, timeout: float = 120,
            env: dict[str, str] | None = None) -> Run:
    """`octavo <args>` in a child process; its wall time and peak resident memory."""
    environ = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
               **(env or {})}
    out, err = cwd / f".{label}.out", cwd / f".{label}.err"
    started = time.perf_counter()
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen([sys.executable, "-m", "octavo", *args], cwd=cwd, env=environ,
                                stdout=fo, stderr=fe)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    run = Run(proc.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
              seconds, usage.ru_maxrss / 1024)
    if report := os.environ.get("OCTAVO_HOSTILE_REPORT"):
        with open(report, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"case": label, "seconds": round(seconds, 2),
                                 "peak_mb": round(run.peak_mb), "exit": run.returncode}) + "\n")
    return run


def assert_bounded(run: Run) -> None:
    assert run.seconds < SECONDS, f"took {run.seconds:.1f} s"
    assert run.peak_mb < MEGABYTES, f"peaked at {run.peak_mb:.0f} MB"
    for leak in LEAKS:
        assert leak not in run.stderr, run.stderr[-3000:]


def convert(path: Path, formats: Sequence[str], label: str, **kw: object) -> Run:
    args = ["convert", "-j", "1", "-o", str(path.parent / "out")]
    for fmt in formats:
        args += ["-t", fmt]
    run = run_cli([*args, path.name], path.parent, label=label, **kw)  # type: ignore[arg-type]
    assert_bounded(run)
    return run


def outputs(path: Path, formats: Sequence[str]) -> list[Path]:
    return [path.parent / "out" / f"{path.stem}.{fmt}" for fmt in formats]


def epub_texts(epub: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(epub) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))}


def assert_well_formed(epub: Path) -> dict[str, bytes]:
    """Every XML document in the EPUB parses with a strict XML parser."""
    texts = epub_texts(epub)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for data in texts.values():
        etree.fromstring(data, parser)  # raises on any escape that went wrong
    return texts


# --- 1. Markdown nested 50,000 levels ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["quote", "list", "indent", "emphasis", "emphasis-words"])
def test_deep_markdown_converts_flattened(tmp_path: Path, kind: str):
    path = tmp_path / f"deep-{kind}.md"
    path.write_text(gen.markdown_deep(kind), encoding="utf-8")
    formats = ("epub", "pdf")  # "*a *a ... b* b*" flattens into one 300 KB paragraph
    run = convert(path, formats, f"markdown-{kind}")
    assert run.returncode == 0, run.stderr
    for out in outputs(path, formats):
        assert out.stat().st_size > 0
    texts = assert_well_formed(outputs(path, ("epub",))[0])
    if kind != "indent":
        assert b"the deepest words" in texts["EPUB/text/article.xhtml"]  # words kept, levels cut
        assert "nesting-flattened" in run.stderr


def quote_depth(block: object) -> int:
    """How many BlockQuote/ListBlock levels a block nests."""
    if isinstance(block, BlockQuote):
        inner = block.children
    elif isinstance(block, ListBlock):
        inner = tuple(b for item in block.items for b in item)
    else:
        return 0
    return 1 + max((quote_depth(b) for b in inner), default=0)


@pytest.mark.parametrize("kind", ["quote", "list"])
def test_deep_markdown_model_is_capped(kind: str):
    article = api.read(gen.markdown_deep(kind).encode(), name="x.md")
    assert max(quote_depth(b) for b in article.body) == 32
    assert "the deepest words" in "\n".join(block_text(b) for b in article.body)


# --- 2. HTML nested 50,000 levels --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["div", "blockquote", "list", "emphasis"])
def test_deep_html_converts(tmp_path: Path, kind: str):
    path = tmp_path / f"deep-{kind}.html"
    path.write_text(gen.html_deep(kind), encoding="utf-8")
    run = convert(path, ("epub", "pdf"), f"html-{kind}")
    assert run.returncode == 0, run.stderr
    assert "nesting-too-deep" in run.stderr
    assert_well_formed(outputs(path, ("epub",))[0])
    assert outputs(path, ("pdf",))[0].stat().st_size > 0


def test_html_with_all_text_too_deep_is_refused_clearly(tmp_path: Path):
    path = tmp_path / "only-deep.html"
    path.write_text("<html><body>" + "<div>" * gen.DEEP + "deep" + "</div>" * gen.DEEP
                    + "</body></html>", encoding="utf-8")
    run = convert(path, ("epub",), "html-only-deep")
    assert run.returncode == 1
    assert "nested too deeply" in run.stderr


@pytest.mark.parametrize("kind", ["blockquote", "list"])
def test_html_model_nesting_is_capped(kind: str):
    article = api.read(gen.html_deep(kind, 100).encode(), name="x.html")  # < 256 elements
    assert max(quote_depth(b) for b in article.body) == 32
    assert "the deepest words" in "\n".join(block_text(b) for b in article.body)


# --- 3. Entity bombs and external entities -------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xhtml", ".html"])
def test_billion_laughs_is_not_expanded(tmp_path: Path, suffix: str):
    path = tmp_path / f"laughs{suffix}"
    path.write_text(gen.billion_laughs(), encoding="utf-8")
    run = convert(path, ("epub", "pdf"), f"billion-laughs{suffix}")
    assert run.returncode == 0, run.stderr
    assert "entities-ignored" in run.stderr
    body = assert_well_formed(outputs(path, ("epub",))[0])["EPUB/text/article.xhtml"]
    assert body.count(b"lol") < 5 and b"]&gt;" not in body
    # Expanded, the bomb would need gigabytes. The figure includes the pages the child shares with
    # the forked test process (ru_maxrss counts them), so the bound leaves room for that.
    assert run.peak_mb < 1000


@pytest.mark.parametrize("suffix", [".xhtml", ".html"])
def test_external_entities_are_never_read(tmp_path: Path, suffix: str):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        for n, target in enumerate((secret.as_uri(), "file:///etc/passwd",
                                    f"http://127.0.0.1:{port}/xxe")):
            path = tmp_path / f"xxe{n}{suffix}"
            path.write_text(gen.external_entity(target), encoding="utf-8")
            run = convert(path, ("epub",), f"xxe{n}{suffix}")
            assert run.returncode == 0, run.stderr
            with zipfile.ZipFile(outputs(path, ("epub",))[0]) as zf:
                everything = b"".join(zf.read(name) for name in zf.namelist())
            assert b"TOP-SECRET-MARKER" not in everything and b"root:x:0" not in everything
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()


def test_yaml_alias_bomb_in_front_matter(tmp_path: Path):
    path = tmp_path / "bomb.md"
    path.write_text(gen.yaml_bomb(), encoding="utf-8")
    run = convert(path, ("epub", "pdf"), "yaml-alias-bomb")
    assert run.returncode == 0, run.stderr
    assert run.seconds < 20


def test_entities_in_markdown_raw_html_are_inert():
    text = gen.external_entity("file:///etc/passwd").split("\n", 1)[1]
    article = api.read(f"# T\n\nSome words.\n\n{text}".encode(), name="x.md")
    assert "root:" not in "\n".join(str(b) for b in article.body)


# --- 4. Images claiming 30,000 x 30,000 pixels ---------------------------------------------------


def test_huge_images_are_refused_captions_kept(tmp_path: Path):
    md, html = gen.huge_image_inputs(tmp_path)
    for path in (md, html):
        run = convert(path, ("epub", "pdf"), f"huge-images{path.suffix}")
        assert run.returncode == 0, run.stderr
        assert run.stderr.count("image-too-large") == 3, run.stderr
        assert run.seconds < 15
        body = epub_texts(outputs(path, ("epub",))[0])["EPUB/text/article.xhtml"].decode()
        for caption in ("PNG caption", "GIF caption", "Data caption"):
            assert caption in body
        assert "<img" not in body.split("</header>", 1)[1]


def test_pillow_bomb_checks_are_caught_in_process(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    md, _ = gen.huge_image_inputs(tmp_path)
    result = api.convert(md, output_dir=tmp_path / "out")  # Pillow's DecompressionBombError
    assert [w.code for w in result.warnings].count("image-too-large") == 3
    article = api.read(md)
    figures = [b for b in article.body if isinstance(b, Figure)]
    assert len(figures) == 3 and all(f.image is None and f.caption for f in figures)
    # Between our limit and twice it, Pillow only warns: that warning is a refusal too.
    from PIL import Image as PILImage

    PILImage.new("RGB", (40, 40), "red").save(tmp_path / "small.png")
    (tmp_path / "small.md").write_text("# S\n\nWords.\n\n![cap](small.png)\n", encoding="utf-8")
    monkeypatch.setenv("OCTAVO_MAX_IMAGE_PIXELS", "1000")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Pillow warning must not reach the user's console
        result = api.convert(tmp_path / "small.md", output_dir=tmp_path / "out")
    assert "image-too-large" in [w.code for w in result.warnings]
    monkeypatch.setenv("OCTAVO_MAX_IMAGE_PIXELS", "2000")
    assert not any(isinstance(b, Figure) and b.image is None
                   for b in api.read(tmp_path / "small.md").body)


# --- 5. A 400 KB paragraph ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_long_paragraph_to_epub_and_pdf(tmp_path: Path, suffix: str):
    path = tmp_path / f"long{suffix}"
    heading = "Long\n\n" if suffix == ".txt" else "# Long\n\n"
    path.write_text(heading + gen.long_paragraph() + "\n", encoding="utf-8")
    run = convert(path, ("epub", "pdf"), f"long-paragraph{suffix}")
    assert run.returncode == 0, run.stderr
    assert outputs(path, ("pdf",))[0].stat().st_size > 0
    body = assert_well_formed(outputs(path, ("epub",))[0])["EPUB/text/article.xhtml"]
    assert len(body) > 400_000


# --- 6. 50 MB of text ---------------------------------------------------------------------------


@pytest.mark.slow
def test_fifty_megabytes_to_epub_in_parts(tmp_path: Path):
    path = tmp_path / "huge.txt"
    size = gen.write_huge_text(path, 50)
    assert size >= 50 * 1024 * 1024
    run = convert(path, ("epub",), "text-50MB")
    assert run.returncode == 0, run.stderr
    epub = outputs(path, ("epub",))[0]
    with zipfile.ZipFile(epub) as zf:
        names = zf.namelist()
        parts = [n for n in names if n.startswith("EPUB/text/article")]
        assert len(parts) > 100
        biggest = max(zf.getinfo(n).file_size for n in parts)
        assert biggest < 400 * 1024
        opf = zf.read("EPUB/content.opf").decode()
        nav = zf.read("EPUB/nav.xhtml").decode()
    assert opf.count("<itemref") == len(parts) + 1  # every part, plus the cover
    assert 'href="text/article.xhtml"' in nav and "part002" not in nav


def test_split_article_passes_epubcheck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    require_epubcheck()
    monkeypatch.setenv("OCTAVO_EPUB_PART_KB", "40")
    rng = gen.random.Random(5)
    sections = "".join(f"## Section {i}\n\n" + "".join(gen.prose(rng, 120) + "\n\n"
                                                       for _ in range(25)) for i in range(12))
    path = tmp_path / "sections.md"
    path.write_text("# Sections\n\n" + sections, encoding="utf-8")
    api.convert(path, output_dir=tmp_path)
    epub = tmp_path / "sections.epub"
    with zipfile.ZipFile(epub) as zf:
        parts = [n for n in zf.namelist() if n.startswith("EPUB/text/article")]
        nav = zf.read("EPUB/nav.xhtml").decode()
        ncx = zf.read("EPUB/toc.ncx").decode()
        assert len(parts) >= 4
        for i in range(12):  # every heading link points to the part that holds it
            href = nav.split(f">Section {i}<")[0].rsplit('href="', 1)[1].split('"')[0]
            file_name, anchor = href.split("#")
            assert f'id="{anchor}"' in zf.read(f"EPUB/{file_name}").decode()
    assert 'src="text/article.xhtml"' in ncx
    messages = run_epubcheck([epub])[epub]
    assert [m for m in messages if m["severity"] in ("FATAL", "ERROR")] == []


# --- 7. Nothing escapes -----------------------------------------------------------------------------

NASTY = "A <b>&amp; ]]> \"quoted\" 'title' & <!-- x --> <![CDATA[y]]>"


def _nasty_inputs(folder: Path) -> list[Path]:
    md = folder / "nasty.md"
    md.write_text(f"---\ntitle: {json.dumps(NASTY)}\nauthor: {json.dumps(NASTY)}\n"
                  f"description: {json.dumps(NASTY)}\ntags: [{json.dumps(NASTY)}]\n---\n\n"
                  "Body text of the article.\n", encoding="utf-8")
    esc = NASTY.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")
    html = folder / "nasty.html"
    html.write_text(f'<html><head><title>{esc}</title><meta name="author" content="{esc}">'
                    f'<meta name="description" content="{esc}">'
                    f'<meta name="keywords" content="{esc}"></head>'
                    "<body><article><p>Body text of the article, long enough.</p></article>"
                    "</body></html>", encoding="utf-8")
    text = folder / "nasty.txt"
    text.write_text(f"{NASTY}\n\nBody text of the article.\n", encoding="utf-8")
    article = api.read(md)
    js = folder / "nasty.json"
    from octavo.serialize import to_json

    js.write_text(to_json(article), encoding="utf-8")
    return [md, html, text, js]


def test_markup_in_metadata_is_escaped_everywhere(tmp_path: Path):
    for path in _nasty_inputs(tmp_path):
        result = api.convert(path, output_dir=tmp_path / "out", to=("epub", "pdf"))
        epub = next(p for p in result.outputs if p.suffix == ".epub")
        texts = assert_well_formed(epub)
        opf = etree.fromstring(texts["EPUB/content.opf"])
        titles = opf.findall(".//{http://purl.org/dc/elements/1.1/}title")
        assert any("]]>" in (t.text or "") and "<b>" in (t.text or "") for t in titles), path


@pytest.mark.parametrize("name", [
    "../../escape.md", "..", ".", "...md", "..%2f..%2fx.md", "/etc/passwd", "a/../../b.md",
    "..\\..\\win.md", "-rf.md", ".hidden.md", "con.md", "x\n.md", "\u202eevil.md",
])
def test_output_names_stay_in_the_folder(tmp_path: Path, name: str):
    out = tmp_path / "out"
    target = api.output_path(name, "epub", out)
    assert target.parent == out
    assert target.resolve().parent == out.resolve()
    assert not target.name.startswith(".")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=80))
def test_any_input_name_gives_an_output_inside_the_folder(name: str):
    out = Path("/tmp/octavo-out")
    target = api.output_path(name, "pdf", out)
    assert target.parent == out and "/" not in target.name
    assert not target.name.startswith(".")  # never hidden, never "..", never just ".pdf"


def test_title_does_not_choose_the_output_name(tmp_path: Path):
    path = tmp_path / "plain.md"
    path.write_text("---\ntitle: ../../../escaped\n---\n\nBody.\n", encoding="utf-8")
    result = api.convert(path, output_dir=tmp_path / "out",
                         overrides=api.Overrides(title="../../x"))
    assert result.outputs == (tmp_path / "out" / "plain.epub",)


def test_no_network_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    page = tmp_path / "remote.html"
    page.write_text(
        '<html><head><title>Remote</title><meta property="og:image" '
        'content="https://example.com/lead.jpg"><link rel="stylesheet" '
        'href="https://example.com/s.css"><base href="https://example.com/"></head><body>'
        "<article><p>Body text with remote pictures, long enough for an article.</p>"
        '<figure><img src="https://example.com/a.png"><figcaption>A</figcaption></figure>'
        '<img src="//cdn.example.com/b.jpg" alt="b"><img src="/c.gif" alt="c">'
        '<img srcset="https://example.com/d.png 2x"><iframe src="https://example.com/">'
        "</iframe></article></body></html>", encoding="utf-8")
    md = tmp_path / "remote.md"
    md.write_text("---\ntitle: R\nimage: https://example.com/x.png\n---\n\nWords.\n\n"
                  "![a](https://example.com/a.png)\n", encoding="utf-8")
    for path in (page, md):
        result = api.convert(path, output_dir=tmp_path / "out", to=("epub", "pdf"))
        assert "image-remote" in [w.code for w in result.warnings]
    assert attempts == []


# --- 8. Every reader: an Article or an octavo error ------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_json_reader_on_arbitrary_bytes(data: bytes):
    try:
        api.read(data, format="json")
    except OctavoError:
        pass


_JSON_PIECES = st.sampled_from([
    '{"octavo-model": 1, "article": ', '{"title": "T", "language": "en", "body": [', "]}",
    '{"t": "Paragraph", "children": [', '{"t": "Text", "value": "x"}', '{"t": "BlockQuote", '
    '"children": [', '{"t": "Heading", "level": 9, "children": []}', "}", ",", "null", "1e999",
    '"\\ud800"', '{"t": "Emphasis", "children": [', '{"t": "Image"}', "[" * 50, "]" * 50])


@settings(max_examples=200, deadline=None)
@given(st.lists(_JSON_PIECES, max_size=40).map("".join))
def test_json_reader_on_model_like_text(text: str):
    try:
        api.read(text.encode(), format="json")
    except OctavoError:
        pass


def test_deep_json_model_is_refused_or_written(tmp_path: Path):
    depth = 5000
    body = ('{"t": "BlockQuote", "children": [' * depth + '{"t": "Paragraph", "children": '
            '[{"t": "Text", "value": "x"}]}' + "]}" * depth)
    doc = ('{"octavo-model": 1, "article": {"title": "T", "language": "en", "body": [' + body
           + "]}}")
    path = tmp_path / "deep.json"
    path.write_text(doc, encoding="utf-8")
    run = convert(path, ("epub",), "json-deep")
    assert run.returncode in (0, 1)


@pytest.mark.parametrize(("data", "fmt"), [
    # Found by tests/fuzz/fuzz_readers.py: each once escaped as a ValueError/AssertionError.
    (b'<html><head><link rel="canonical" href="http://[Rust]/x"></head><body><p>Words '
     b'<a href="http://[x]/">here</a> <img src="http://[y]/a.png" alt="a"></p></body></html>',
     "html"),
    (b"<html><body><p>a&#1;b&#xFFFE;c&#0;d&#xD800;e</p><script>x</script>&#2;tail</body>",
     "html"),
    (b"<p>a<math>x</math>&#1;tail</p>", "html"),
    (b'<p>Words <math alttext="x&#1;y"><mi>x</mi></math> and more words.</p>', "html"),
    (b'# T\n\nWords [x](http://[z]/) ![i](http://[w]/a.png)\n\n<html lang="en-US">\n\n'
     b"<div>a&#1;b</div>\n", "markdown"),
])
def test_fuzz_regressions(data: bytes, fmt: str):
    try:
        api.read(data, format=fmt)
    except OctavoError:
        pass


def test_fuzz_target_smoke(tmp_path: Path):
    """A few seconds of the fuzz target (run it for minutes outside CI: docs/limits.md)."""
    script = Path(__file__).parent / "fuzz" / "fuzz_readers.py"
    proc = subprocess.run([sys.executable, str(script), "--seconds", "4", "--seed", "1"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert "inputs" in proc.stdout
