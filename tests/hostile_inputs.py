"""Generators for hostile and huge inputs (issue 6), shared by tests/test_hostile.py and the
measurement run that fills docs/limits.md. Everything is built at run time: nothing big is
stored in the repository."""

from __future__ import annotations

import base64
import random
import struct
import zlib
from pathlib import Path

DEEP = 50_000
"""Nesting depth of the deep-nesting cases."""
WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when "
         "who will more no if out so said what up its about than into them can only other new "
         "some could time these two may then do first any my now such like our over man me even "
         "most made after also did many before must through back years where much your way well "
         "down should because each just those people how too little state good very make world "
         "still own see men work long get here between both life being under never day same "
         "another know while last might us great old year off come since against go came right "
         "used take three").split()


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (its data is a stub)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 301)) + chunk(b"IEND", b""))


def gif_header(width: int, height: int) -> bytes:
    """A tiny GIF whose screen and image descriptor claim width x height pixels."""
    size = struct.pack("<HH", width, height)
    return (b"GIF89a" + size + b"\x00\x00\x00" + b",\x00\x00\x00\x00" + size
            + b"\x00\x02\x02D\x01\x00;")


def prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


INTRO_MD = "# Deep\n\nAn article whose body nests far deeper than any reader could follow.\n\n"
INTRO_HTML = ("<html><head><title>Deep</title></head><body><article><h1>Deep</h1>"
              "<p>An article whose body nests far deeper than any reader could follow.</p>")


def markdown_deep(kind: str, depth: int = DEEP) -> str:
    if kind == "quote":
        return INTRO_MD + ">" * depth + " the deepest words\n"
    if kind == "list":  # list markers on one line: "- - - - x"
        return INTRO_MD + "- " * depth + "the deepest words\n"
    if kind == "indent":  # nesting by indentation grows quadratically: 3,000 levels = 9 MB
        return INTRO_MD + "".join("  " * i + "- item\n" for i in range(min(depth, 3000)))
    if kind == "emphasis":  # one delimiter run: 25,000 nested em/strong pairs
        return INTRO_MD + "*" * depth + "the deepest words" + "*" * depth + "\n"
    if kind == "emphasis-words":  # separate delimiters: 50,000 nested emphases
        return INTRO_MD + "*a " * depth + "the deepest words" + " b*" * depth + "\n"
    raise ValueError(kind)


def html_deep(kind: str, depth: int = DEEP) -> str:
    opening, closing = {
        "div": ("<div>", "</div>"),
        "blockquote": ("<blockquote><p>level</p>", "</blockquote>"),
        "list": ("<ul><li>item ", "</li></ul>"),
        "emphasis": ("<em>a ", "</em>"),
    }[kind]
    return (INTRO_HTML + opening * depth + "the deepest words" + closing * depth
            + "<p>After.</p></article></body></html>")


def billion_laughs() -> str:
    entities = "".join(
        f'<!ENTITY lol{i} "' + ("&lol;" if i == 1 else f"&lol{i - 1};") * 10 + '">\n'
        for i in range(1, 10))
    return ('<?xml version="1.0"?>\n<!DOCTYPE html [\n<!ENTITY lol "lol">\n' + entities
            + ']>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Laughs</title></head>'
            "<body><p>&lol9;</p><p>Some body text for the article, long enough to be one.</p>"
            "</body></html>\n")


def external_entity(target: str) -> str:
    return ('<?xml version="1.0"?>\n'
            f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "{target}">]>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>XXE</title></head>'
            "<body><p>before &xxe; after</p><p>Body text of the article goes here, in full.</p>"
            "</body></html>\n")


def huge_image_inputs(folder: Path) -> tuple[Path, Path]:
    """A Markdown and an HTML file each referencing a 30,000 x 30,000 PNG, a GIF and a data:
    URI PNG, with captions."""
    (folder / "big.png").write_bytes(png_header(30_000, 30_000))
    (folder / "big.gif").write_bytes(gif_header(30_000, 30_000))
    uri = "data:image/png;base64," + base64.b64encode(png_header(30_000, 30_000)).decode()
    md = folder / "images.md"
    md.write_text("# Images\n\nText before the pictures.\n\n![PNG caption](big.png)\n\n"
                  "![GIF caption](big.gif)\n\n"
                  f"![Data caption]({uri})\n\nText after the pictures.\n", encoding="utf-8")
    html = folder / "images.html"
    html.write_text(
        "<html><head><title>Images</title></head><body><article>"
        "<p>Text before the pictures, long enough to be an article of its own.</p>"
        '<figure><img src="big.png" alt="png"><figcaption>PNG caption</figcaption></figure>'
        '<figure><img src="big.gif" alt="gif"><figcaption>GIF caption</figcaption></figure>'
        f'<figure><img src="{uri}" alt="data"><figcaption>Data caption</figcaption></figure>'
        "<p>Text after the pictures.</p></article></body></html>", encoding="utf-8")
    return md, html


def long_paragraph(chars: int = 400_000, seed: int = 1) -> str:
    """One paragraph of `chars` characters without a newline."""
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars].rstrip() + "."


def write_huge_text(path: Path, megabytes: int = 50, seed: int = 3) -> int:
    """~megabytes of ordinary paragraphs (a third with quotations, as real prose has) in text
    layout: 4 MB of random prose, repeated with a numbered sentence so no two are equal."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < 4 * 1024 * 1024:
        para = prose(rng, rng.randint(60, 160))
        if rng.random() < 0.3:
            para += f' "{prose(rng, 8)}" he said.'
        paragraphs.append(para)
        size += len(para) + 2
    chunk = "\n\n".join(paragraphs)
    target = megabytes * 1024 * 1024
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("A very long article\n\n")
        part = 0
        while written < target:
            part += 1
            text = f"Part {part} begins here.\n\n{chunk}\n\n"
            fh.write(text)
            written += len(text.encode("utf-8"))
    return path.stat().st_size


def yaml_bomb() -> str:
    """Front matter whose aliases would expand to 9^9 strings if anything copied them."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    refs = "\n".join(f"{key}: *a8" for key in ("tags", "authors", "description", "keywords"))
    return "---\ntitle: Bomb\n" + "\n".join(lines) + f"\n{refs}\n---\n\nBody text.\n"
