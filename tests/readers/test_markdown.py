"""The Markdown reader on real posts, front-matter traps, safe images and arbitrary input."""

from __future__ import annotations

import base64
import http.server
import io
import threading
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
from octavo.readers import _images
from octavo.readers.markdown import MarkdownReader
from octavo.serialize import to_json

DATA = Path(__file__).parent.parent / "data" / "markdown"


def read(text: str | bytes, name: str = "post.md", **options: object):
    data = text.encode("utf-8") if isinstance(text, str) else text
    with diagnostics.collecting() as warnings:
        article = MarkdownReader().read(Source(data, name), ReadOptions(**options))
    return article, warnings


def read_file(name: str, **options: object):
    path = DATA / name
    options.setdefault("base_dir", DATA)
    return read(path.read_bytes(), name, **options)


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def png(size: tuple[int, int] = (40, 30), mode: str = "RGB", fmt: str = "PNG") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, "red" if mode != "1" else 1).save(out, format=fmt)
    return out.getvalue()


# --- the corpus -----------------------------------------------------------------------------

# (file, title, authors, date, language, keywords) as written in each file's front matter
# (the date from the Jekyll-style file name when the front matter has none).
CORPUS = [
    ("jekyll__2014-05-06-jekyll-turns-2-0-0.markdown", "Jekyll turns 2.0.0", ("parkr",),
     date(2014, 5, 6), "en", ("release",)),
    ("jekyll__2016-10-06-jekyll-3-3-is-here.md",
     "Jekyll 3.3 is here with better theme support, new URL filters, and tons more", ("parkr",),
     date(2016, 10, 6), "en", ("release",)),
    ("jekyll__2017-10-19-diversity-open-source.markdown",
     "Diversity in Open Source, and Jekyll's role in it", ("oe",), date(2017, 10, 19), "en",
     ("community",)),
    ("jekyll__2018-08-01-jekyll-sponsoring.markdown", "Sponsoring Jekyll's development", ("oe",),
     date(2018, 8, 1), "en", ("community",)),
    ("jekyll__2019-08-19-jekyll-4-0-0-released.markdown", "Jekyll 4.0.0 Released", ("mattr-",),
     date(2019, 8, 20), "en", ("release",)),
    ("kubernetes-website__ja__2024-03-12-mid-cycle-1.30.md", "Kubernetes v1.30をそっと覗く",
     ("Amit Dsouza", "Frederick Kautz", "Kristin Martin", "Abigail McCarthy", "Natali Vlatko"),
     date(2024, 3, 12), "ja", ()),
    ("programminghistorian__2017-03-05-lanzamiento-PH-espanol.md",
     "¡Bienvenidos a The Programming Historian en español!", ("Maria José Afanador-Llach",),
     date(2017, 3, 5), "es", ("posts",)),
    ("programminghistorian__2019-04-08-bienvenue-ph-fr.md",
     "Bienvenue au Programming Historian en français!", ("Sofia Papastamkou",),
     date(2019, 4, 8), "fr", ("posts",)),
    ("rust-blog__2015-05-15-Rust-1.0.md", "Announcing Rust 1.0", ("The Rust Core Team",),
     date(2015, 5, 15), "en", ()),
    ("rust-blog__2016-05-16-rust-at-one-year.md", "One year of Rust", ("Aaron Turon",),
     date(2016, 5, 16), "en", ()),
    ("rust-blog__2018-12-06-Rust-1.31-and-rust-2018.md", "Announcing Rust 1.31 and Rust 2018",
     ("The Rust Core Team",), date(2018, 12, 6), "en", ()),
    ("rust-blog__2019-05-15-4-Years-Of-Rust.md", "4 years of Rust", ("The Rust Core Team",),
     date(2019, 5, 15), "en", ()),
    ("rust-blog__4-Years-Of-Rust.toml-front-matter.md", "4 years of Rust",
     ("The Rust Core Team",), None, "en", ()),
]


@pytest.mark.parametrize(("name", "title", "authors", "published", "language", "keywords"),
                         CORPUS, ids=[c[0] for c in CORPUS])
def test_corpus_metadata(name, title, authors, published, language, keywords):
    article, warnings = read_file(name)
    assert article.title == title
    assert article.authors == authors
    assert article.published == published
    assert article.language == language
    assert article.keywords == keywords
    assert article.source == name
    assert "no-title" not in codes(warnings)
    assert len(article.body) >= 3
    # The front matter never leaks into the body.
    text = "\n".join(block_text(b) for b in article.body)
    assert not text.startswith(("title", "layout", "path", "---", "+++"))
    assert f"title: {title}" not in text and "layout: post\n" not in text


def test_every_corpus_file_is_covered():
    assert sorted(p.name for p in DATA.iterdir()) == sorted(c[0] for c in CORPUS)


def test_toml_and_yaml_versions_of_one_post_have_the_same_body():
    yaml_article, _ = read_file("rust-blog__2019-05-15-4-Years-Of-Rust.md")
    toml_article, _ = read_file("rust-blog__4-Years-Of-Rust.toml-front-matter.md")
    assert toml_article.body == yaml_article.body
    assert toml_article.title == yaml_article.title


def test_rust_post_structure():
    article, _ = read_file("rust-blog__2018-12-06-Rust-1.31-and-rust-2018.md")
    code = [b for b in article.body if isinstance(b, CodeBlock)]
    assert code[0] == CodeBlock("$ rustup update stable", "bash")
    headings = [plain_text(b.children) for b in article.body if isinstance(b, Heading)]
    assert "Rust 2018" in headings
    # "Rust 2018" in straight quotes in the first sentence is a quotation node.
    first = article.body[0]
    assert isinstance(first, Paragraph)
    assert Quoted((Text("Rust\n2018"),)) in first.children or any(
        isinstance(n, Quoted) and plain_text(n.children).split() == ["Rust", "2018"]
        for n in first.children)


def test_rust_one_year_description_and_refused_relative_image():
    article, warnings = read_file("rust-blog__2016-05-16-rust-at-one-year.md")
    assert article.description == "Rust's trajectory one year after 1.0"
    # <img src="../../../images/..."> leaves the input's folder: refused, with a warning.
    assert "image-refused" in codes(warnings)
    assert isinstance(article.body[1], ListBlock)


def test_kubernetes_japanese_soft_breaks_join_without_spaces():
    article, _ = read_file("kubernetes-website__ja__2024-03-12-mid-cycle-1.30.md")
    para = next(b for b in article.body if isinstance(b, Paragraph))
    text = plain_text(para.children)
    assert "リリースです。リリースサイクル" in text
    assert isinstance(article.body[0], Heading)


def test_programming_historian_html_figure_becomes_lead():
    article, warnings = read_file("programminghistorian__2017-03-05-lanzamiento-PH-espanol.md")
    assert article.lead is not None
    assert plain_text(article.lead.caption) == "Programming Historian lanza su sitio en español."
    assert article.lead.image is None  # "/images/..." is an absolute path: refused
    assert "image-refused" in codes(warnings)
    assert isinstance(article.body[0], Paragraph)


def test_programming_historian_caption_credit():
    article, _ = read_file("programminghistorian__2019-04-08-bienvenue-ph-fr.md")
    assert article.lead is not None
    assert article.lead.credit == "© Mundaneum"
    assert plain_text(article.lead.caption).startswith("Schéma de Paul Otlet")


# --- front matter ---------------------------------------------------------------------------


def test_yaml_norway_problem_and_scalars_stay_text():
    article, _ = read("---\ntitle: yes\nlang: no\ndate: 2024-03-12\nauthor: null\n---\n\n"
                      "Dette er en norsk tekst om noe som helt sikkert er norsk.\n")
    assert article.language == "no"
    assert article.title == "yes"
    assert article.published == date(2024, 3, 12)
    assert article.authors == ()


def test_yaml_full_metadata():
    article, warnings = read(
        "---\n"
        "title: \"Ein Titel\"\nsubtitle: Mit Untertitel\n"
        "authors:\n  - Anna Beispiel\n  - name: Bert Muster\n"
        "site_name: Beispiel-Zeitung\ndate: 2025-07-13T10:00:00+02:00\nlanguage: de\n"
        "tags: [Politik, Ukraine]\ncanonical_url: https://example.org/a\n"
        "excerpt: Kurz gesagt.\n---\n\nDer Text beginnt hier.\n")
    assert article.title == "Ein Titel"
    assert article.subtitle == "Mit Untertitel"
    assert article.authors == ("Anna Beispiel", "Bert Muster")
    assert article.publisher == "Beispiel-Zeitung"
    assert article.published == date(2025, 7, 13)
    assert article.language == "de"
    assert article.keywords == ("Politik", "Ukraine")
    assert article.url == "https://example.org/a"
    assert article.description == "Kurz gesagt."
    assert warnings == []


def test_author_string_with_commas_and_by():
    article, _ = read("---\ntitle: T\nby: Ann Lee, Bo Chen and Cy Diaz\n---\n\nSome text here.\n")
    assert article.authors == ("Ann Lee", "Bo Chen", "Cy Diaz")


def test_toml_front_matter():
    article, _ = read('+++\ntitle = "Zola post"\ndate = 2023-01-02\nauthors = ["A. Writer"]\n'
                      '[taxonomies]\ntags = ["rust", "web"]\n[extra]\nlang = "en-GB"\n+++\n\n'
                      "Body text of the post.\n")
    assert article.title == "Zola post"
    assert article.published == date(2023, 1, 2)
    assert article.authors == ("A. Writer",)
    assert article.keywords == ("rust", "web")
    assert article.language == "en-GB"


def test_broken_front_matter_warns_and_is_dropped():
    article, warnings = read("---\ntitle: [unclosed\n---\n\n# Heading\n\nText here.\n")
    assert "front-matter-invalid" in codes(warnings)
    assert article.title == "Heading"


def test_invalid_language_tag_warns_and_detects():
    article, warnings = read("---\ntitle: T\nlang: english please\n---\n\n"
                             "This is clearly an English sentence about the weather today.\n")
    assert article.language == "en"
    assert "language-invalid" in codes(warnings)


def test_option_language_wins():
    article, _ = read("---\ntitle: T\nlang: de\n---\n\nText.\n", language="fr")
    assert article.language == "fr"


def test_dashes_around_plain_text_are_markdown_not_front_matter():
    article, _ = read("---\nJust a line\n---\n\nMore text.\n")
    assert "Just a line" in "\n".join(block_text(b) for b in article.body) + article.title


# --- titles ---------------------------------------------------------------------------------


def test_h1_repeating_the_title_is_dropped():
    article, _ = read("---\ntitle: Hello World\n---\n\n# Hello world\n\nBody.\n")
    assert article.title == "Hello World"
    assert article.body == (Paragraph((Text("Body."),)),)


def test_leading_h1_becomes_title_without_warning():
    article, warnings = read("# The Title\n\nFirst paragraph.\n\n## Part\n\nMore.\n")
    assert article.title == "The Title"
    assert isinstance(article.body[0], Paragraph)
    assert "no-title" not in codes(warnings)


def test_no_title_derives_first_sentence_and_warns():
    long = "word " * 40
    article, warnings = read(f"This is the first sentence. And a second one.\n\n{long}\n")
    assert article.title == "This is the first sentence"
    assert codes(warnings).count("no-title") == 1
    assert "--title" in warnings[0].message
    article, _ = read(f"{long.strip()}.\n")
    assert len(article.title) <= 80 and article.title.endswith("…")


def test_no_title_from_first_heading():
    article, warnings = read("## Only a subheading\n\nText follows.\n")
    assert article.title == "Only a subheading"
    assert "no-title" in codes(warnings)


# --- body -----------------------------------------------------------------------------------


def test_body_elements():
    md = (
        "---\ntitle: T\nlang: en\n---\n\n"
        "Some *emphasis*, **strong**, `code` and a [link](https://example.org).  \n"
        "After a hard break.\n\n"
        "> Quoted block\n\n"
        "3. three\n4. four\n\n"
        "- a\n- b\n\n"
        "```python\nprint(1)\n```\n\n"
        "***\n\n"
        "| h1 | h2 |\n|----|----|\n| c1 | c2 |\n| c3 |\n\n"
        "~~gone~~ stays as text\n"
    )
    article, _ = read(md)
    body = article.body
    first = body[0]
    assert isinstance(first, Paragraph)
    assert Emphasis((Text("emphasis"),)) in first.children
    assert Strong((Text("strong"),)) in first.children
    assert Code("code") in first.children
    assert Link((Text("link"),), "https://example.org") in first.children
    assert LineBreak() in first.children
    assert body[1] == BlockQuote((Paragraph((Text("Quoted block"),)),))
    assert body[2] == ListBlock(((Paragraph((Text("three"),)),), (Paragraph((Text("four"),)),)),
                                ordered=True, start=3)
    assert body[3] == ListBlock(((Paragraph((Text("a"),)),), (Paragraph((Text("b"),)),)))
    assert body[4] == CodeBlock("print(1)", "python")
    assert body[5] == SectionBreak()
    assert body[6] == Table(header=((Text("h1"),), (Text("h2"),)),
                            rows=(((Text("c1"),), (Text("c2"),)), ((Text("c3"),), ())))
    assert body[7] == Paragraph((Text("gone stays as text"),))


def test_quotes_become_quoted_nodes():
    article, _ = read("---\ntitle: T\nlang: en\n---\n\nHe said \"yes\" and 'no'.\n")
    children = article.body[0].children
    assert Quoted((Text("yes"),), True) in children
    assert Quoted((Text("no"),), False) in children


def test_relative_links_without_page_url_become_text():
    article, _ = read("---\ntitle: T\nlang: en\n---\n\nSee [the docs](/docs/) and [this](#anchor).\n")
    assert article.body[0] == Paragraph((Text("See the docs and this."),))


def test_relative_links_resolve_against_front_matter_url():
    article, _ = read("---\ntitle: T\nurl: https://ex.org/blog/post/\n---\n\n[docs](../docs/)\n")
    assert article.body[0] == Paragraph((Link((Text("docs"),), "https://ex.org/blog/docs/"),))


def test_hostile_markdown_keeps_nothing_active():
    md = (
        "---\ntitle: Hostile\nlang: en\n---\n\n"
        "<script>alert('block-script')</script>\n\n"
        "<style>body { color: red }</style>\n\n"
        "Text <script>alert('inline-script')</script> after <span onclick=\"evil()\">span</span>.\n\n"
        "[click](javascript:alert('md-link')) and <a href=\"javascript:alert(3)\">raw</a>\n\n"
        "<iframe src=\"https://evil.example/\">frame text</iframe>\n\n"
        "<div onmouseover=\"evil2()\"><p>Kept <b>words</b></p><img src=x onerror=\"alert(4)\"></div>\n\n"
        "![pixel](https://www.google-analytics.com/collect?v=1)\n"
    )
    article, _ = read(md)
    dump = to_json(article)
    for bad in ("alert", "evil", "javascript", "onclick", "onerror", "onmouseover", "<script", "block-script",
                "inline-script", "frame text", "color: red", "google-analytics"):
        assert bad not in dump, bad
    text = "\n".join(block_text(b) for b in article.body)
    assert "Text after span." in text
    assert "Kept words" in text
    assert "click and raw" in text


# --- images ---------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """doc/ is the input's folder; secret.png lies outside it; doc/link.png points out."""
    doc = tmp_path / "doc"
    doc.mkdir()
    (doc / "pic.png").write_bytes(png())
    (doc / "photo.jpg").write_bytes(png((3000, 1500), fmt="JPEG"))
    (doc / "scan.bmp").write_bytes(png((50, 40), fmt="BMP"))
    (doc / "pixel.gif").write_bytes(png((1, 1), fmt="GIF"))
    (doc / "notes.txt").write_bytes(b"not an image at all")
    (tmp_path / "secret.png").write_bytes(png())
    (doc / "link.png").symlink_to(tmp_path / "secret.png")
    return doc


def test_local_image_is_read_and_verified(site: Path):
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText first.\n\n![A red box](pic.png \"Caption\")\n",
                             base_dir=site)
    figure = article.body[1]
    assert isinstance(figure, Figure)
    assert figure.image is not None and figure.image.media_type == "image/png"
    assert figure.image.alt == "A red box"
    assert figure.image.data == (site / "pic.png").read_bytes()
    assert plain_text(figure.caption) == "Caption"
    assert warnings == []


@pytest.mark.parametrize("ref", ["../secret.png", "link.png", "/etc/passwd",
                                 "file:///etc/passwd", "%2E%2E/secret.png"])
def test_escapes_are_refused_with_a_warning(site: Path, ref: str):
    article, warnings = read(f"---\ntitle: T\nlang: en\n---\n\nText.\n\n![alt words]({ref})\n",
                             base_dir=site)
    assert "image-refused" in codes(warnings)
    figure = article.body[1]
    assert figure == Figure(image=None, caption=(Text("alt words"),))


def test_allowed_dir_lets_an_outside_image_in(site: Path):
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![x](../secret.png)\n",
                             base_dir=site, allowed_dirs=(site.parent,))
    assert article.body[1].image is not None
    assert warnings == []


def test_missing_and_invalid_images_warn(site: Path):
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![gone](nothere.png)\n\n"
                             "![bad](notes.txt)\n", base_dir=site)
    assert codes(warnings) == ["image-missing", "image-invalid"]
    assert [b.caption for b in article.body[1:]] == [(Text("gone"),), (Text("bad"),)]


def test_large_image_is_scaled_and_bmp_converted(site: Path):
    article, _ = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![big](photo.jpg)\n\n![bmp](scan.bmp)\n",
                      base_dir=site)
    from PIL import Image

    big, bmp = article.body[1].image, article.body[2].image
    assert big.media_type == "image/jpeg"
    assert Image.open(io.BytesIO(big.data)).size == (1600, 800)
    assert bmp.media_type in ("image/png", "image/jpeg")
    assert Image.open(io.BytesIO(bmp.data)).format in ("PNG", "JPEG")


def test_tracking_pixel_is_dropped(site: Path):
    article, _ = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![](pixel.gif)\n", base_dir=site)
    assert article.body == (Paragraph((Text("Text."),)),)


def test_too_many_pixels_is_refused(site: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_images, "MAX_PIXELS", 1000)
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![box](pic.png)\n", base_dir=site)
    assert "image-too-large" in codes(warnings)
    assert article.body[1] == Figure(image=None, caption=(Text("box"),))


def test_data_uri_images():
    good = base64.b64encode(png()).decode()
    article, warnings = read(f"---\ntitle: T\nlang: en\n---\n\nText.\n\n![inline](data:image/png;base64,{good})"
                             "\n\n![html](data:image/png;base64,PHNjcmlwdD4=)\n")
    assert article.body[1].image is not None and article.body[1].image.media_type == "image/png"
    assert article.body[2] == Figure(image=None, caption=(Text("html"),))
    assert "image-invalid" in codes(warnings)
    assert "PHNjcmlwdD4" not in to_json(article)


def test_svg_is_not_embedded(site: Path):
    (site / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![vector](x.svg)\n", base_dir=site)
    assert article.body[1].image is None
    assert "alert" not in to_json(article)
    assert "image-refused" in codes(warnings)


def test_remote_images_are_not_fetched_by_default():
    article, warnings = read("---\ntitle: T\nlang: en\n---\n\nText.\n\n![remote](https://example.org/a.png)\n")
    assert article.body[1] == Figure(image=None, caption=(Text("remote"),))
    assert codes(warnings) == ["image-remote"]
    assert "--fetch-images" in warnings[0].message


@pytest.fixture
def server():
    payloads = {"/ok.png": ("image/png", png()), "/page.html": ("text/html", b"<html></html>")}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path not in payloads:
                self.send_error(404)
                return
            ctype, body = payloads[self.path]
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_remote_fetch_when_asked(server: str):
    article, warnings = read(f"---\ntitle: T\nlang: en\n---\n\nText.\n\n![ok]({server}/ok.png)\n\n"
                             f"![page]({server}/page.html)\n\n![gone]({server}/404.png)\n",
                             fetch_remote=True)
    assert article.body[1].image is not None
    assert article.body[2] == Figure(image=None, caption=(Text("page"),))
    assert article.body[3] == Figure(image=None, caption=(Text("gone"),))
    assert codes(warnings) == ["image-invalid", "image-fetch-failed"]


def test_lead_image_with_emphasis_caption_and_credit(site: Path):
    article, _ = read("---\ntitle: T\nlang: en\n---\n\n![A box](pic.png)\n\n*The red box at dawn. Photo: Jane Doe*\n\n"
                      "First paragraph.\n", base_dir=site)
    assert article.lead is not None and article.lead.image is not None
    assert plain_text(article.lead.caption) == "The red box at dawn."
    assert article.lead.credit == "Jane Doe"
    assert article.body == (Paragraph((Text("First paragraph."),)),)


def test_lead_image_title_caption_and_front_matter_image(site: Path):
    article, _ = read('![A box](pic.png "Harbour, © Max Muster")\n\n# Title after image\n\nText.\n',
                      base_dir=site)
    assert article.title == "Title after image"
    assert plain_text(article.lead.caption) == "Harbour"
    assert article.lead.credit == "© Max Muster"
    article, _ = read("---\ntitle: T\nimage: pic.png\nimage_caption: 'A caption'\n---\n\nText.\n",
                      base_dir=site)
    assert article.lead.image is not None
    assert plain_text(article.lead.caption) == "A caption"


def test_image_inside_text_goes_after_the_paragraph(site: Path):
    article, _ = read("---\ntitle: T\nlang: en\n---\n\nBefore ![box](pic.png) after.\n", base_dir=site)
    assert article.body[0] == Paragraph((Text("Before after."),))
    assert isinstance(article.body[1], Figure) and article.body[1].image is not None


# --- errors and arbitrary input -------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02binary\x00" * 10])
def test_empty_and_binary_input_raise_input_error(data: bytes):
    with pytest.raises(InputError):
        read(data)


def test_front_matter_only_raises_input_error():
    with pytest.raises(InputError):
        read("---\nlayout: post\n---\n")


MD_PIECES = st.sampled_from([
    "# ", "## ", "---\n", "+++\n", "title: x\n", "lang: no\n", "date: 2020-01-01\n", "*", "_",
    "**", "`", "```", "![a](b.png)", "![](../x.png)", "[l](javascript:x)", "\n", "\n\n", "> ",
    "- ", "1. ", "| a | b |\n|---|---|\n", "<script>", "</script>", "<div>", "<img src=x>",
    "<figure><figcaption>c</figcaption></figure>", "text", "\"q\"", "'", "«", "&amp;", "    ",
    "<!--", "-->", "title = \"t\"\n", "\\", "[x]: /y\n", "<br>", "===\n",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MD_PIECES, max_size=30).map("".join))
def test_markdown_like_input_gives_article_or_input_error(text: str):
    try:
        article, _ = read(text)
    except InputError:
        return
    assert article.title.strip()
    to_json(article)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_arbitrary_input_gives_article_or_input_error(data):
    try:
        article, _ = read(data)
    except InputError:
        return
    assert article.title.strip()


# --- Liquid tags in Jekyll posts ----------------------------------------------------------------

JEKYLL_POST = """---
title: Liquid
---
We [released 1.0][one] a year ago; read [the docs]({{ "/docs/" | relative_url }}#top).

{% raw %}
```liquid
{{ "/docs/" | relative_url }} {% raw %}
```
{% endraw %}

{% highlight ruby linenos %}
puts "```"
{% endhighlight %}

{%- comment -%}
Not for readers.
{%- endcomment -%}
Inline {% raw %}{{ page.title }}{% endraw %} stays.

[one]: {% post_url 2013-05-06-jekyll-1-0-0-released %}
"""


def test_jekyll_display_tags_are_done_as_jekyll_does():
    article, _ = read(JEKYLL_POST)
    assert [type(b).__name__ for b in article.body] == [
        "Paragraph", "CodeBlock", "CodeBlock", "Paragraph"]
    first, raw_code, highlighted, last = article.body
    # A link to a page of the site (unknown here) is its plain words, not "[text][ref]".
    assert plain_text(first.children) == "We released 1.0 a year ago; read the docs."
    assert not any(isinstance(i, Link) for i in first.children)
    # Inside code, Liquid is what the author shows: kept as written.
    assert raw_code == CodeBlock('{{ "/docs/" | relative_url }} {% raw %}', "liquid")
    assert highlighted == CodeBlock('puts "```"', "ruby")
    assert plain_text(last.children) == "Inline {{ page.title }} stays."
    assert "{%" not in to_json(article).replace('relative_url }} {% raw %}', "")


def test_liquid_is_left_alone_without_front_matter():
    article, _ = read("Text with {% raw %} as written.\n\n{% highlight ruby %}\nx\n"
                      "{% endhighlight %}\n", name="plain.md")
    assert "{% raw %}" in plain_text(article.body[0].children)
    assert not any(isinstance(b, CodeBlock) for b in article.body)


def test_an_unclosed_liquid_block_stays_as_written():
    article, _ = read("---\ntitle: T\n---\nBefore.\n\n{% highlight ruby %}\nputs 1\n")
    assert "{% highlight ruby %}" in "\n".join(block_text(b) for b in article.body)


# --- footnotes ----------------------------------------------------------------------------


def test_footnotes_stand_where_they_are_referred_to():
    article, warnings = read(
        "# Notes\n\nA claim.[^src] Another[^2] and an inline one.^[Said *inline*.]\n\n"
        "[^src]: The source, with a [link](https://example.org).\n\n"
        "[^2]: First paragraph.\n\n    Second paragraph of the note.\n")
    assert not warnings
    assert article.body == (Paragraph((
        Text("A claim."),
        Note((Paragraph((Text("The source, with a "),
                         Link((Text("link"),), "https://example.org"), Text("."))),)),
        Text(" Another"),
        Note((Paragraph((Text("First paragraph."),)),
              Paragraph((Text("Second paragraph of the note."),)))),
        Text(" and an inline one."),
        Note((Paragraph((Text("Said "), Emphasis((Text("inline"),)), Text("."))),)),
    )),)


def test_footnote_edge_cases():
    article, _ = read(
        "# T\n\nTwice[^a] and again[^a]; undefined[^zz]; a note citing a note[^b].\n\n"
        "[^a]: Note A.\n[^b]: See[^a] there.\n")
    note_a = Note((Paragraph((Text("Note A."),)),))
    assert article.body == (Paragraph((
        Text("Twice"), note_a, Text(" and again"), note_a,
        Text("; undefined[^zz]; a note citing a note"),  # no definition: the text as written
        Note((Paragraph((Text("See there."),)),)),  # no notes inside notes
        Text("."),
    )),)


def test_footnote_syntax_is_only_read_where_it_occurs():
    plain, _ = read("# T\n\nA [link][x] and x^2 and [^] here.\n\n[x]: https://example.org\n")
    assert plain.body == (Paragraph((Text("A "), Link((Text("link"),), "https://example.org"),
                                     Text(" and x^2 and [^] here."))),)


def test_sup_and_sub_written_in_a_line():
    article, _ = read("# T\n\nx<sup>2</sup> and H<sub>2</sub>O, *e<sup>i</sup>*, "
                      "<sup>unclosed and </sub> stray.\n")
    assert article.body == (Paragraph((
        Text("x"), Superscript((Text("2"),)), Text(" and H"), Subscript((Text("2"),)),
        Text("O, "), Emphasis((Text("e"), Superscript((Text("i"),)))),
        Text(", unclosed and stray."))),)
