"""The HTML reader on saved article pages, generated RTL/CJK pages, hostile markup and noise."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from octavo import diagnostics
from octavo.errors import InputError
from octavo.model import (
    BlockQuote,
    Code,
    CodeBlock,
    Emphasis,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    Note,
    Paragraph,
    Quoted,
    SectionBreak,
    Strong,
    Subscript,
    Superscript,
    Table,
    Text,
    block_text,
    plain_text,
)
from octavo.options import ReadOptions
from octavo.plugins import Source
from octavo.readers.html import HtmlReader
from octavo.serialize import to_json

DATA = Path(__file__).parent.parent / "data" / "html"


def read(text: str | bytes, name: str = "page.html", **options: object):
    data = text.encode("utf-8") if isinstance(text, str) else text
    with diagnostics.collecting() as warnings:
        article = HtmlReader().read(Source(data, name), ReadOptions(**options))
    return article, warnings


def read_file(name: str, **options: object):
    options.setdefault("base_dir", DATA)
    return read((DATA / name).read_bytes(), name, **options)


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def text_of(article) -> str:
    return "\n".join(block_text(b) for b in article.body)


def link_urls(article) -> list[str]:
    """Every link target in the model (found in its JSON form)."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") == "Link":
                found.append(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(to_json(article)))
    return found


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, format="PNG")
    return out.getvalue()


# --- the corpus -----------------------------------------------------------------------------

# Values checked by reading each page's source: og:/meta/JSON-LD tags, <time datetime>,
# <html lang>, <title>/<h1>. None where the page does not give it.
CORPUS = [
    # file, title, authors, date, language, publisher, first words, last words
    ("readability__001.html", "Get your Frontend JavaScript Code Covered",
     ("Nicolas Perriault",), date(2013, 9, 29), "en", None,
     "So finally you're testing", "Happy testing!"),
    ("readability__002.html", "This API is so Fetching!", ("Nikhil Marathe",),
     date(2015, 3, 10), "en-US", "Mozilla Hacks – the Web developer blog",
     "For more than a decade the Web has used XMLHttpRequest",
     "for helping with the specification and implementation."),
    ("readability__ebb-org.html", "On Recent Controversial Events", ("Bradley M. Kuhn",),
     date(2019, 10, 15), "en-US", None, "The last 33 days have been unprecedentedly",
     "Posted on Tuesday 15 October 2019 at 09:11 by Bradley M. Kuhn."),
    ("readability__firefox-nightly-blog.html", "These Weeks in Firefox: Issue 85",
     ("Mike Conley",), date(2020, 12, 18), "en-US", "Firefox Nightly News",
     "Highlights", "when using a language pack (Bug 1675624)"),
    ("readability__v8-blog.html",
     "Outside the web: standalone WebAssembly binaries using Emscripten", (),
     date(2019, 11, 21), "en", None, "Emscripten has always focused first and foremost",
     "Please file bugs, and as always help is welcome!"),
    ("readability__wikipedia.html", "Mozilla", (), None, "en", None,
     "Mozilla is a free-software community, created in 1998", None),
    ("readability__wikipedia-3.html", "Hermitian matrix", (), None, "en", None,
     "In mathematics, a Hermitian matrix (or self-adjoint matrix)", None),
    ("trafilatura__creativecommons.org.html", "What we do", (), None, "en-US",
     "Creative Commons", "What is Creative Commons?",
     "to create a more vibrant commons."),
    ("trafilatura__en.wikipedia.org.tsne.html", "t-distributed stochastic neighbor embedding",
     ("Contributors to Wikimedia projects",), date(2013, 6, 23), "en",
     "Wikimedia Foundation, Inc.", "T-distributed Stochastic Neighbor Embedding (t-SNE)", None),
    ("trafilatura__wikimediafoundation.org.turkey.html",
     "Access to Wikipedia restored in Turkey after more than two and a half years",
     ("Wikimedia Foundation",), date(2020, 1, 15), "en-US", "Wikimedia Foundation",
     "Today, on Wikipedia’s 19th birthday",
     "We will keep this statement updated as further access is restored."),
    ("udhr-arb.html", "الإعلان العالمي لحقوق الإنسان", (), None, "ar", None, "الديباجة", None),
    ("udhr-heb.html", "הכרזה לכל באי עולם בדבר זכויות האדם", (), None, "he", None,
     "הואיל והכרה בכבוד הטבעי", None),
    ("udhr-hin.html", "मानव अधिकारों की सार्वभौम घोषणा", (), None, "hi", None, "प्रस्तावना",
     None),
    ("udhr-tha.html", "ปฏิญญาสากลว่าด้วยสิทธิมนุษยชน", (), None, "th", None, "คำปรารภ", None),
    ("udhr-jpn.html", "『世界人権宣言』", (), None, "ja", None, "世界人権宣言", None),
    ("udhr-cmn_hans.html", "世界人权宣言", (), None, "zh", None, "序言", None),
    ("udhr-kor.html", "세 계 인 권 선 언", (), None, "ko", None, "전 문", None),
    ("udhr-ell_monotonic.html", "ΟΙΚΟΥΜΕΝΙΚΗ ΔΙΑΚΗΡΥΞΗ ΓΙΑ ΤΑ ΑΝΘΡΩΠΙΝΑ ΔΙΚΑΙΩΜΑΤΑ", (), None,
     "el-monoton", None, "ΠΡΟΟΙΜΙΟ", None),
]


@pytest.mark.parametrize(
    ("name", "title", "authors", "published", "language", "publisher", "first", "last"),
    CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_page(name, title, authors, published, language, publisher, first, last):
    article, warnings = read_file(name)
    assert article.title == title
    assert article.authors == authors
    assert article.published == published
    assert article.language == language
    assert article.publisher == publisher
    assert "no-title" not in codes(warnings)
    words = " ".join(text_of(article).split())
    assert words.startswith(first)
    if last is not None:
        assert words.endswith(last)
    # The page's own title is not repeated as the first body block.
    assert not (isinstance(article.body[0], Heading) and plain_text(article.body[0].children)
                == title)
    to_json(article)


def test_every_corpus_file_is_covered():
    assert sorted(p.name for p in DATA.iterdir()) == sorted(c[0] for c in CORPUS)


def test_urls_from_canonical_links():
    assert read_file("readability__002.html")[0].url == \
        "https://hacks.mozilla.org/2015/03/this-api-is-so-fetching/"
    assert read_file("readability__wikipedia.html")[0].url == "https://en.wikipedia.org/wiki/Mozilla"


def test_page_chrome_is_dropped():
    for name, junk in [
        ("readability__wikipedia.html", ["Jump to navigation", "[edit]", "Navigation menu",
                                         "This page was last edited"]),
        ("readability__wikipedia-3.html", ["Jump to navigation", "[edit]", "\\displaystyle"]),
        ("trafilatura__en.wikipedia.org.tsne.html", ["Jump to navigation", "[edit]"]),
        ("readability__ebb-org.html", ["← Previous", "Interviews / Articles"]),
        ("trafilatura__creativecommons.org.html", ["Donate", "Privacy Policy"]),
        ("trafilatura__wikimediafoundation.org.turkey.html", ["Related", "Share this"]),
    ]:
        text = text_of(read_file(name)[0])
        for word in junk:
            assert word not in text, (name, word)


def test_wikipedia_structure_kept():
    article, warnings = read_file("readability__wikipedia.html")
    headings = [plain_text(b.children) for b in article.body if isinstance(b, Heading)]
    assert "History" in headings and "References" in headings
    figures = [b for b in article.body if isinstance(b, Figure)]
    assert figures and all(f.caption for f in figures)  # thumbnail captions kept
    assert "image-remote" in codes(warnings)  # upload.wikimedia.org images are not fetched


def test_wikipedia_math_stays_inline_text():
    article, _ = read_file("readability__wikipedia-3.html")
    assert not any(isinstance(b, Figure) for b in article.body)
    para = next(b for b in article.body if isinstance(b, Paragraph)
                and plain_text(b.children).startswith("If the conjugate transpose"))
    assert Code("A^{\\mathsf {H}}") in para.children
    assert "\\displaystyle" not in to_json(article)


def test_udhr_keeps_preamble_and_all_articles():
    for name in ("udhr-arb.html", "udhr-heb.html", "udhr-kor.html", "udhr-cmn_hans.html"):
        article, _ = read_file(name)
        headings = [b for b in article.body if isinstance(b, Heading)]
        assert len(headings) >= 30, name  # preamble + 30 articles
        assert any(isinstance(b, ListBlock) for b in article.body)


def test_v8_code_blocks():
    article, _ = read_file("readability__v8-blog.html")
    code = [b for b in article.body if isinstance(b, CodeBlock)]
    assert len(code) == 10
    # Prism writes lines with <br/> and marks comments "token comment": both survive.
    assert code[5] == CodeBlock('// hello.cpp\n#include <stdio.h>\n\nint main() {\n'
                                '  printf("hello, world!\\n");\n  return 0;\n}', "cpp")
    assert code[6].text.splitlines()[:3] == [
        "$ emcc hello.cpp -O3 -o hello.wasm", "$ wasmer run hello.wasm", "hello, world!"]


def test_code_in_a_layout_table_is_a_code_block():
    # WP-Syntax (Mozilla Hacks): each listing is a one-row table around a <pre>.
    article, _ = read_file("readability__002.html")
    assert not any(isinstance(b, Table) for b in article.body)
    code = [b for b in article.body if isinstance(b, CodeBlock)]
    assert len(code) == 17
    assert code[1].text.splitlines()[:3] == [
        'fetch("http://www.example.org/submit.php", {', '  method: "POST",', "  headers: {"]


@pytest.mark.parametrize("markup", [
    '<pre><span class="token comment">// one</span><br><span>two();</span><br>three</pre>',
    '<pre><div class="line">// one</div><div class="line">two();</div>three</pre>',
    ('<pre><code><span class="line">// one\n</span><span class="line">two();\n</span>three'
     '</code></pre>'),
    # Pygments' table: a cell of line numbers, then the code.
    ('<table class="highlighttable"><tr><td class="linenos"><pre>1\n2\n3</pre></td>'
     '<td class="code"><pre>// one\ntwo();\nthree</pre></td></tr></table>'),
])
def test_code_lines_as_shown(markup):
    page = f"<html><body><article><p>{'Words of the article. ' * 20}</p>{markup}</article></body></html>"
    article, _ = read(page)
    assert [b for b in article.body if isinstance(b, CodeBlock)] == [
        CodeBlock("// one\ntwo();\nthree")]


def test_a_one_row_table_without_code_stays_a_table():
    page = ("<html><body><article><p>" + "Words of the article. " * 20 +
            "</p><table><tr><td>1</td><td>2</td></tr></table></article></body></html>")
    article, _ = read(page)
    assert [b for b in article.body if isinstance(b, Table)] == [
        Table((), ((((Text("1"),), (Text("2"),)),)))]


# --- metadata on a synthetic news page ------------------------------------------------------

NEWS = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Ukraine hält noch Gebiet in Kursk - BBC News</title>
<meta property="og:title" content="Ukraine hält noch Gebiet in Kursk">
<meta property="og:site_name" content="BBC News">
<meta property="og:image" content="lead.png">
<meta property="og:image:alt" content="Ein Soldat">
<meta name="keywords" content="Ukraine, Russland">
<meta name="description" content="Kurzbeschreibung.">
<link rel="canonical" href="https://www.bbc.com/news/articles/x1">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Site"},
  {"@type": "NewsArticle", "headline": "Headline from JSON-LD",
   "author": [{"@type": "Person", "name": "Thomas Mackintosh"}],
   "datePublished": "2025-07-13T09:00:00+01:00",
   "publisher": {"@type": "Organization", "name": "BBC"}}]}
</script></head>
<body><header><nav><a href="/">Home</a><a href="/news">News</a><a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Ukraine hält noch Gebiet in Kursk</h1>
<figure><img src="lead.png" alt="Ein Soldat" width="800" height="450">
<figcaption>Ein ukrainischer Soldat in Kursk. <span class="credit">Global Images Ukraine via Getty Images</span></figcaption></figure>
<p>Der oberste Militärbefehlshaber sagt, die Truppen seien „noch immer“ dort.</p>
<h2>Hintergrund</h2>
<p>Zweiter Absatz mit <em>Betonung</em>, <strong>Stärke</strong>, <code>code()</code>, <q>Zitat</q> und einem <a href="/news/other">Link</a>.<br>Neue Zeile.</p>
<blockquote><p>Ein Zitat.</p></blockquote>
<ul><li>eins</li><li>zwei <ol start="5"><li>fünf</li></ol></li></ul>
<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr><tr><td>3</td></tr></tbody></table>
<hr>
<pre><code class="language-python">print("hi")</code></pre>
<figure><img src="missing.png" alt="Karte"><figcaption>Die Karte. Foto: Max Muster</figcaption></figure>
</article>
<aside><h3>Mehr zum Thema</h3><ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul></aside>
<section class="related-posts"><p>Lesen Sie auch: etwas anderes</p></section>
</main>
<footer><p>© BBC 2025. Nutzungsbedingungen.</p></footer></body></html>
"""


@pytest.fixture
def news(tmp_path: Path) -> Path:
    (tmp_path / "lead.png").write_bytes(png((800, 450)))
    path = tmp_path / "news.html"
    path.write_text(NEWS, encoding="utf-8")
    return path


def test_news_page_metadata(news: Path):
    article, warnings = read(news.read_bytes(), news.name, base_dir=news.parent)
    assert article.title == "Ukraine hält noch Gebiet in Kursk"
    assert article.authors == ("Thomas Mackintosh",)
    assert article.publisher == "BBC News"
    assert article.published == date(2025, 7, 13)
    assert article.language == "de"
    assert article.url == "https://www.bbc.com/news/articles/x1"
    assert article.keywords == ("Ukraine", "Russland")
    assert article.description == "Kurzbeschreibung."
    lead = article.lead
    assert lead is not None and lead.image is not None and lead.image.alt == "Ein Soldat"
    assert plain_text(lead.caption) == "Ein ukrainischer Soldat in Kursk."
    assert lead.credit == "Global Images Ukraine via Getty Images"
    # missing.png is not in the folder: with a canonical URL it is taken as the site's image.
    assert codes(warnings) == ["image-remote"]


def test_news_page_body(news: Path):
    article, _ = read(news.read_bytes(), news.name, base_dir=news.parent)
    body = article.body
    assert body[0] == Paragraph((Text("Der oberste Militärbefehlshaber sagt, die Truppen seien "),
                                 Quoted((Text("noch immer"),)), Text(" dort.")))
    assert body[1] == Heading(2, (Text("Hintergrund"),))
    assert body[2] == Paragraph((
        Text("Zweiter Absatz mit "), Emphasis((Text("Betonung"),)), Text(", "),
        Strong((Text("Stärke"),)), Text(", "), Code("code()"), Text(", "),
        Quoted((Text("Zitat"),)), Text(" und einem "),
        Link((Text("Link"),), "https://www.bbc.com/news/other"), Text("."), LineBreak(),
        Text("Neue Zeile.")))
    assert body[3] == BlockQuote((Paragraph((Text("Ein Zitat."),)),))
    assert body[4] == ListBlock((
        (Paragraph((Text("eins"),)),),
        (Paragraph((Text("zwei"),)), ListBlock(((Paragraph((Text("fünf"),)),),), True, 5)),
    ))
    assert body[5] == Table(((Text("A"),), (Text("B"),)),
                            (((Text("1"),), (Text("2"),)), ((Text("3"),), ())))
    assert body[6] == SectionBreak()
    assert body[7] == CodeBlock('print("hi")', "python")
    assert body[8] == Figure(image=None, caption=(Text("Die Karte."),), credit="Max Muster")
    assert len(body) == 9
    text = text_of(article)
    for junk in ("Home", "Sport", "Mehr zum Thema", "Lesen Sie auch", "Nutzungsbedingungen"):
        assert junk not in text


def test_remote_og_image_is_not_fetched_without_permission():
    page = NEWS.replace('content="lead.png"', 'content="https://ichef.bbci.co.uk/lead.jpg"')
    article, _ = read(page)
    # The first figure before any text is the lead instead (its image cannot be read: no folder).
    assert article.lead is not None and plain_text(article.lead.caption).startswith("Ein ukr")


# --- hostile markup -------------------------------------------------------------------------

HOSTILE = """<html lang="en"><head><title>Hostile page</title>
<script>alert('head-script')</script><style>body{background:url(javascript:evil0)}</style>
<meta http-equiv="refresh" content="0;url=javascript:alert(9)">
<base href="javascript:alert(10)//">
</head><body onload="evil1()">
<article>
<h1 onclick="evil2()">Hostile page</h1>
<p onclick="steal()">Click <a href="javascript:alert('x')">here</a>, <a href=" JaVa&#x09;ScRiPt:alert(2)">there</a>,
<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>, <a href="vbscript:msgbox(1)">vb</a> and a
<a href="https://example.org/ok" onmouseover="evil3()">good link</a>.</p>
<iframe src="https://evil.example/frame">iframe text</iframe>
<object data="x.swf">object text</object><embed src="y.swf">
<form action="https://evil.example/post"><p>Form prose stays.</p><input name="q" value="forminput"><button>Submit-button</button>
<textarea>textarea text</textarea><select><option>option text</option></select></form>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="pixel-one">
<img src="https://www.google-analytics.com/collect?x=1" alt="ga-beacon">
<img src="https://pixel.wp.com/g.gif" alt="wp-beacon">
<p>Text <img src="spacer.gif" style="width:1px;height:1px" alt="spacer-alt"> continues.</p>
<svg><script>alert('svg-script')</script><text>svg text</text></svg>
<noscript>noscript text</noscript>
<template><p>template text</p></template>
<p style="display: none">hidden text</p><p hidden>hidden attr text</p>
<p>Inline <script>inline_script()</script> and <style>.x{}</style> gone.</p>
<video src="v.mp4">video text</video><audio src="a.mp3">audio text</audio>
<math><mi>x</mi></math>
<img src="x" onerror="alert('img-onerror')" alt="broken image">
</article></body></html>"""


def test_hostile_html_keeps_nothing_active():
    article, _ = read(HOSTILE)
    dump = to_json(article)
    for bad in ("alert", "evil", "steal", "javascript", "vbscript", "msgbox", "iframe text",
                "object text", "forminput", "Submit-button", "textarea text", "option text",
                "pixel-one", "ga-beacon", "wp-beacon", "spacer-alt", "tracker.example",
                "google-analytics", "svg text", "noscript text", "template text", "hidden text",
                "hidden attr text", "inline_script", "video text", "audio text", "onclick",
                "onload", "onerror", "data:text", "PHNjcmlwdD4", "head-script", "refresh"):
        assert bad not in dump, bad
    text = text_of(article)
    assert "Click here, there, data, vb and a good link." in " ".join(text.split())
    assert "Form prose stays." in text
    assert "Text continues." in text
    assert "Inline and gone." in text
    assert '"url": "https://example.org/ok"' in dump


def test_images_outside_the_folder_are_refused(tmp_path: Path):
    doc = tmp_path / "doc"
    doc.mkdir()
    (tmp_path / "secret.png").write_bytes(png())
    (doc / "in.png").write_bytes(png())
    (doc / "link.png").symlink_to(tmp_path / "secret.png")
    page = ("<html lang='en'><head><title>T</title></head><body><article>"
            "<p>Some article text for the page.</p>"
            "<figure><img src='../secret.png'><figcaption>one</figcaption></figure>"
            "<figure><img src='/etc/passwd'><figcaption>two</figcaption></figure>"
            "<figure><img src='file:///etc/passwd'><figcaption>three</figcaption></figure>"
            "<figure><img src='link.png'><figcaption>four</figcaption></figure>"
            "<figure><img src='in.png'><figcaption>five</figcaption></figure>"
            "</article></body></html>")
    article, warnings = read(page, base_dir=doc)
    figures = [b for b in article.body if isinstance(b, Figure)]
    assert [plain_text(f.caption) for f in figures] == ["one", "two", "three", "four", "five"]
    assert [f.image is not None for f in figures] == [False, False, False, False, True]
    assert codes(warnings).count("image-refused") == 4


# --- language and direction -----------------------------------------------------------------

ARABIC = ("يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق. وقد وهبوا عقلاً وضميرًا "
          "وعليهم أن يعامل بعضهم بعضًا بروح الإخاء.")


def test_rtl_page_without_lang_is_detected():
    article, _ = read(f"<html dir='rtl'><head><title>عنوان</title></head><body><p>{ARABIC}</p>"
                      "</body></html>")
    assert article.language == "ar"


def test_rtl_page_with_wrong_lang_uses_detection():
    article, warnings = read(f"<html dir='rtl' lang='en'><head><title>عنوان</title></head>"
                             f"<body><p>{ARABIC}</p></body></html>")
    assert article.language == "ar"
    assert "language-mismatch" in codes(warnings)


def test_invalid_lang_warns_og_locale_and_option():
    article, warnings = read("<html lang='english!!'><head><title>T</title></head><body>"
                             "<p>This is an English sentence about the weather and the sea.</p>"
                             "</body></html>")
    assert article.language == "en" and "language-invalid" in codes(warnings)
    article, _ = read("<html><head><title>T</title><meta property='og:locale' content='pt_BR'>"
                      "</head><body><p>Texto.</p></body></html>")
    assert article.language == "pt-BR"
    article, _ = read("<html lang='de'><head><title>T</title></head><body><p>x</p></body></html>",
                      language="fr")
    assert article.language == "fr"


# --- titles, encodings, errors --------------------------------------------------------------


def test_no_title_derives_and_warns():
    article, warnings = read("<html lang='en'><body><p>First sentence here. Second one.</p>"
                             "</body></html>")
    assert article.title == "First sentence here"
    assert "no-title" in codes(warnings)
    assert any("--title" in w.message for w in warnings)


def test_legacy_charset_declaration_is_used():
    page = ("<html lang='de'><head><meta charset='windows-1252'><title>Grüße</title></head>"
            "<body><p>Straße und „Anführungszeichen“ – überall.</p></body></html>")
    article, _ = read(page.encode("cp1252"))
    assert article.title == "Grüße"
    assert "Straße und" in text_of(article)


def test_xhtml_with_xml_declaration():
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" '
            'xml:lang="fr"><head><title>Titre</title></head><body><p>Bonjour à tous.</p>'
            '</body></html>')
    article, _ = read(page, "page.xhtml")
    assert article.title == "Titre"
    assert article.language == "fr"


@pytest.mark.parametrize("data", [b"", b"  \n ", b"\x00\x01\x02\x03" * 50,
                                  b"<html><head><script>x()</script></head><body></body></html>"])
def test_empty_binary_and_textless_input_raise_input_error(data: bytes):
    with pytest.raises(InputError):
        read(data)


def test_deep_nesting_is_read_or_refused_cleanly():
    page = "<html><head><title>Deep</title></head><body>" + "<div>" * 5000 + "deep words" + \
        "</div>" * 5000 + "</body></html>"
    try:
        article, _ = read(page, language="en")
    except InputError:
        return
    assert article.title == "Deep"


def test_json_ld_array_and_bad_json_are_tolerated():
    page = ('<html lang="en"><head><script type="application/ld+json">{broken</script>'
            '<script type="application/ld+json">[{"@type": ["BlogPosting"], "headline": "H",'
            ' "author": "Solo Writer", "datePublished": "2021-02-03"}]</script></head>'
            "<body><article><p>Body text of the post.</p></article></body></html>")
    article, _ = read(page)
    assert article.title == "H"
    assert article.authors == ("Solo Writer",)
    assert article.published == date(2021, 2, 3)
    json.loads(to_json(article))


HTML_PIECES = st.sampled_from([
    "<html>", "<body>", "<article>", "</article>", "<p>", "</p>", "<div>", "</div>", "<h1>",
    "</h1>", "<h7>", "<figure>", "<figcaption>", "</figure>", "<img src='x.png'>",
    "<img src='../x.png' width=1 height=1>", "<a href='javascript:x'>", "<a href='/r'>", "</a>",
    "<script>", "</script>", "<style>", "<table>", "<tr>", "<td>", "<th>", "<ul>", "<li>", "<ol start='x'>",
    "<pre>", "<code>", "<br>", "<hr>", "<blockquote>", "text", "«", "\"", "'", "&amp;", "&#0;",
    "<!--", "-->", "<title>", "</title>", "<meta property='og:title' content=''>", " ",
    "<html lang='zz-!!'>", "<html dir='rtl'>", "<svg>", "<math>", "<q>", "<em>", "<b>",
    "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"author\":5}</script>",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(HTML_PIECES, max_size=40).map("".join))
def test_html_like_input_gives_article_or_input_error(text: str):
    try:
        article, _ = read(text)
    except InputError:
        return
    assert article.title.strip()
    assert all(url.startswith(("https:", "http:", "mailto:")) for url in link_urls(article))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_arbitrary_input_gives_article_or_input_error(data):
    try:
        article, _ = read(data)
    except InputError:
        return
    assert article.title.strip()


def test_inline_photo_goes_after_paragraph_and_lazy_src_is_used(tmp_path: Path):
    (tmp_path / "pic.png").write_bytes(png())
    page = ("<html lang='en'><head><title>T</title></head><body><article>"
            "<p>Before <img src='pic.png' width='300' alt='A box'> after, "
            "<img src='icon.png' width='16' alt=':)'> smiling.</p>"
            "<p>Lazy: <img src='data:image/gif;base64,R0lGODlhAQABAAAAACw=' data-src='pic.png' "
            "alt='lazy box'></p></article></body></html>")
    article, warnings = read(page, base_dir=tmp_path)
    assert article.body[0] == Paragraph((Text("Before after, :) smiling."),))
    assert isinstance(article.body[1], Figure) and article.body[1].image.alt == "A box"
    assert article.body[2] == Paragraph((Text("Lazy:"),))
    assert article.body[3].image is not None and article.body[3].image.alt == "lazy box"
    assert warnings == []


def test_dateline_paragraph_gives_date_but_prose_does_not():
    page = ("<html lang='en'><head><title>T</title><meta name='author' content='Jane Doe'></head>"
            "<body><article><p>Monday 3 March 2025 by Jane Doe</p><p>Real text here.</p>"
            "</article></body></html>")
    article, _ = read(page)
    assert article.published == date(2025, 3, 3)
    assert article.body == (Paragraph((Text("Real text here."),)),)
    prose = ("<html lang='en'><head><title>T</title></head><body><article>"
             "<p>On May 15th, 2015, Rust was released to the world after five years.</p>"
             "</article></body></html>")
    article, _ = read(prose)
    assert article.published is None and len(article.body) == 1


# --- footnotes ------------------------------------------------------------------------------

FOOTNOTES = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Notes test</title></head><body><article>
<h1>Notes test</h1>
<p>The first claim is here.<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">1</a></sup> And a second claim follows in the same paragraph of the article text.<sup id="fnref:2"><a href="#fn:2" class="footnote">2</a></sup></p>
<p>Pandoc writes them so.<a href="#fn3" class="footnote-ref" id="fnref3" role="doc-noteref"><sup>3</sup></a> More words to make a proper paragraph with enough text for extraction.</p>
<div class="footnotes" role="doc-endnotes">
  <ol>
    <li id="fn:1" role="doc-endnote"><p>The source of the first claim. <a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a></p></li>
    <li id="fn:2"><p>Second note, <em>emphasised</em>. <a href="#fnref:2" class="reversefootnote">&#8617;&#xfe0e;</a></p></li>
  </ol>
</div>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr /><ol>
<li id="fn3"><p>Pandoc's note.<a href="#fnref3" class="footnote-back" role="doc-backlink">↩︎</a></p></li></ol></section>
</article></body></html>
"""


def test_footnotes_become_notes_where_the_text_refers_to_them():
    # kramdown's <sup><a href="#fn:1"> and pandoc's <a href="#fn3"><sup>, their lists at the end
    article, _ = read(FOOTNOTES)
    assert article.body == (
        Paragraph((Text("The first claim is here."),
                   Note((Paragraph((Text("The source of the first claim."),)),)),
                   Text(" And a second claim follows in the same paragraph of the article "
                        "text."),
                   Note((Paragraph((Text("Second note, "), Emphasis((Text("emphasised"),)),
                                    Text("."))),)))),
        Paragraph((Text("Pandoc writes them so."),
                   Note((Paragraph((Text("Pandoc's note."),)),)),
                   Text(" More words to make a proper paragraph with enough text for "
                        "extraction."))),
    )


def test_a_notes_list_nothing_refers_to_stays_a_list():
    page = FOOTNOTES.replace('href="#fn:1"', 'href="#elsewhere"').replace(
        'href="#fn:2"', 'href="#elsewhere"').replace('href="#fn3"', 'href="#elsewhere"')
    article, _ = read(page)
    assert not any(isinstance(n, Note) for b in article.body if isinstance(b, Paragraph)
                   for n in b.children)
    assert sum(isinstance(b, ListBlock) for b in article.body) == 2


def notes_in(inlines: tuple[Inline, ...]) -> list[Note]:
    """The notes in inline content, in reading order."""
    found: list[Note] = []
    for node in inlines:
        if isinstance(node, Note):
            found.append(node)
        elif isinstance(node, (Emphasis, Strong, Link, Quoted, Superscript, Subscript)):
            found += notes_in(node.children)
    return found


def test_wikipedia_references_become_notes():
    article, _ = read_file("readability__wikipedia.html")
    notes = [n for b in article.body if isinstance(b, Paragraph) for n in notes_in(b.children)]
    assert len(notes) == 76 and len(set(notes)) == 72  # a source cited twice is one note
    first = block_text(notes[0].children[0])
    assert first == "For exceptions, see Values section below"  # no "^" mark left
    # a whole citation (<cite class="citation">) is upright, as Wikipedia shows it
    assert not any(isinstance(n, Emphasis) for n in notes[1].children[0].children)
    text = text_of(article)
    assert "[1]" not in text and "^" not in text
    assert not any(isinstance(b, ListBlock) and "^" in block_text(b) for b in article.body)


def test_headings_over_nothing_are_dropped():
    page = ("<html><head><title>Page</title></head><body><article><h1>Page</h1><h2>Intro</h2>"
            "<p>" + "Words of the article. " * 20 +
            "</p><h2>Part</h2><h3>Sub</h3><p>Text under sub.</p><h2>See also</h2>"
            "<h2>References</h2><h3>Empty</h3></article></body></html>")
    article, _ = read(page)
    assert [(b.level, plain_text(b.children)) for b in article.body
            if isinstance(b, Heading)] == [(2, "Intro"), (2, "Part"), (3, "Sub")]


def test_superscript_and_subscript():
    page = ("<html><head><title>F</title></head><body><article><h1>F</h1><p>Water is H<sub>2</sub>O"
            " and E = mc<sup>2</sup>, cited.<sup>[3]</sup> " + "Words of the article. " * 20 +
            "</p></article></body></html>")
    article, _ = read(page)
    assert article.body[0].children[:5] == (
        Text("Water is H"), Subscript((Text("2"),)), Text("O and E = mc"),
        Superscript((Text("2"),)), Text(", cited. Words of the article. " + "Words of the "
                                        "article. " * 18 + "Words of the article."))
