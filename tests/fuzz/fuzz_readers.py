"""Mutation fuzzer for the readers: every input must give an Article or an octavo error.

    python tests/fuzz/fuzz_readers.py --seconds 600            # ten minutes, random seed
    python tests/fuzz/fuzz_readers.py --seconds 5 --seed 1     # the CI smoke run

Seeds are the sample files in tests/data (plain text, Markdown, HTML, and the model JSON of a
few of them) plus small hostile snippets; each round picks a reader and a seed, mutates the
bytes (flips, splices, repeats, truncations, inserted markup and quote marks) and reads the
result. Every few rounds the article is also written as EPUB. Any exception that is not an
octavo error, and any single read slower than --max-input-seconds, stops the run with exit
status 1 after saving the input under --crashes (default tests/fuzz/crashes/).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "data"
sys.path.insert(0, str(HERE.parent.parent / "src"))

from octavo import api, diagnostics, plugins  # noqa: E402
from octavo.errors import OctavoError  # noqa: E402
from octavo.model import Book  # noqa: E402
from octavo.options import WriteOptions  # noqa: E402

READERS = {"text": (".txt",), "markdown": (".md", ".markdown"), "html": (".html", ".xhtml"),
           "json": (".json",)}
TOKENS = [
    b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"]]>", b"<!--", b"-->", b"<![CDATA[",
    b"<!DOCTYPE html [<!ENTITY a \"&a;&a;\">]>", b"<div>", b"</div>", b"<blockquote>",
    b"<ul><li>", b"<em>", b"<a href=\"javascript:x\">", b"<img src=\"data:image/png;base64,AAAA\">",
    b"<img src=\"../../../etc/passwd\">", b"<table><tr><td>", b"<script>", b"<svg onload=x>",
    b"\"", b"'", b"\xe2\x80\x9c", b"\xe2\x80\x9d", b"\xc2\xab", b"\xc2\xbb", b"\x00", b"\r",
    b"\n\n", b"\n---\n", b"+++\n", b"> ", b"- ", b"1. ", b"* ", b"**", b"_", b"`", b"```\n",
    b"|a|b|\n|-|-|\n", b"[x](", b"![y](big.png \"Photo: A\")", b"# ", b"\t", b"\xff\xfe",
    b"\xef\xbb\xbf", b"\xed\xa0\x80", b"{", b"}", b"[", b"]", b"\"t\": \"BlockQuote\"",
    b"\"children\": [", b"\"value\": ", b"null", b"1e999", b"title: ", b"lang: no\n",
    b"date: 2024-13-45\n", b"&#1;", b"&#xFFFE;", b"http://[x]/", b"<html lang=\"x\">\n", b"\u202e".decode("unicode_escape").encode(),
]


def seeds() -> dict[str, list[bytes]]:
    pools: dict[str, list[bytes]] = {name: [] for name in READERS}
    for path in sorted(DATA.rglob("*")):
        if not path.is_file():
            continue
        for name, suffixes in READERS.items():
            if path.suffix.lower() in suffixes:
                pools[name].append(path.read_bytes()[:60_000])
    with diagnostics.collecting():
        for data in pools["markdown"][:4] + pools["text"][:4]:
            kind = "markdown" if data.lstrip().startswith((b"---", b"+++", b"#")) else "text"
            try:
                article = api.read(data, format=kind)
            except OctavoError:
                continue
            from octavo.serialize import to_json

            pools["json"].append(to_json(article).encode())
    pools["text"].append(b"Title\n\n" + b"word " * 200)
    pools["markdown"].append(b"# T\n\n" + b"> " * 60 + b"x\n\n" + b"*" * 200 + b"y" + b"*" * 200)
    pools["html"].append(b"<html><body>" + b"<div><blockquote>" * 80 + b"x</body></html>")
    return pools


def mutate(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        pos = rng.randint(0, len(buf)) if buf else 0
        if choice < 0.25 and buf:  # flip bytes
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(buf))
                buf[i] = rng.randrange(256)
        elif choice < 0.55:  # insert a token, sometimes many times
            token = rng.choice(TOKENS)
            buf[pos:pos] = token * (rng.choice((1, 1, 1, 2, 10, 300)))
        elif choice < 0.65 and buf:  # truncate
            del buf[rng.randint(0, len(buf)):]
        elif choice < 0.8 and len(buf) > 2:  # repeat a slice
            a = rng.randrange(len(buf))
            b = min(len(buf), a + rng.randint(1, 200))
            buf[b:b] = buf[a:b] * rng.randint(1, 20)
        elif choice < 0.9 and others:  # splice in part of another seed
            other = rng.choice(others)
            a = rng.randint(0, len(other))
            buf[pos:pos] = other[a:a + rng.randint(1, 2000)]
        elif buf:  # delete a slice
            a = rng.randrange(len(buf))
            del buf[a:a + rng.randint(1, 100)]
    return bytes(buf[:400_000])


def run(seconds: float, seed: int, crashes: Path, max_input_seconds: float,
        write_every: int) -> int:
    rng = random.Random(seed)
    pools = seeds()
    everything = [d for pool in pools.values() for d in pool]
    epub = plugins.load_writer("epub")
    deadline = time.monotonic() + seconds
    count = articles = refused = 0
    while time.monotonic() < deadline:
        reader = rng.choice(list(READERS))
        data = mutate(rng.choice(pools[reader] or [b""]), rng, everything)
        count += 1
        started = time.monotonic()
        try:
            with diagnostics.collecting():
                article = api.read(data, format=reader, name=f"fuzz{READERS[reader][0]}")
                articles += 1
                if write_every and count % write_every == 0:
                    epub.write(Book.of(article), io.BytesIO(), WriteOptions(cover=False))
        except OctavoError:
            refused += 1
        except Exception:  # noqa: BLE001 (the point: anything else is a bug)
            return crash(crashes, reader, data, traceback.format_exc(), count)
        took = time.monotonic() - started
        if took > max_input_seconds:
            return crash(crashes, reader, data, f"slow input: {took:.1f} s", count)
    print(f"fuzz_readers: {count} inputs ({articles} articles, {refused} octavo errors), "
          f"seed {seed}, no crash")
    return 0


def crash(folder: Path, reader: str, data: bytes, why: str, count: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"crash-{reader}-{int(time.time())}{READERS[reader][0]}"
    path.write_bytes(data)
    print(f"fuzz_readers: input {count} broke the {reader} reader; saved to {path}\n{why}")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--crashes", type=Path, default=HERE / "crashes")
    parser.add_argument("--max-input-seconds", type=float, default=20)
    parser.add_argument("--write-every", type=int, default=10,
                        help="also write every Nth article as EPUB (0: never)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    return run(args.seconds, seed, args.crashes, args.max_input_seconds, args.write_every)


if __name__ == "__main__":
    sys.exit(main())
