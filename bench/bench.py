#!/usr/bin/env python3
"""octavo's benchmark: throughput, cold latency and memory, as ratios against baselines in one run.

    .venv/bin/python bench/bench.py [--corpus DIR] [--quick]

Measures on this machine, in one run:
- batch throughput for EPUB and PDF (articles/s) over the corpus (default: ../shared/corpus/news-txt
  plus the seed), with `octavo.convert_many` and the default worker count;
- pandoc's process-per-file loop over the same files (when pandoc is installed) as the baseline,
  and the ratio octavo / pandoc;
- cold single-file latency (fresh process, median of 5): `octavo --help`, one seed EPUB, one seed PDF,
  each beside its floor: a fresh process importing only the libraries that command cannot do
  without (Typer; and ebooklib and Pillow for an EPUB with its cover, reportlab's platypus for
  a PDF), run alternately with octavo's, so both see the machine in the same state;
- peak memory (max RSS of any process) of a 100-article and a 10,000-article EPUB batch of the same
  article mix (the 10,000 cycle over the 100), and the ratio.
Targets (issue 4, 2-core machine) are printed beside each figure. Never a pass/fail test: the
figures vary by machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5cae9f183acdf008.txt"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "news-txt"
PY = sys.executable
OCTAVO = [PY, "-m", "octavo"]
# Measure as a user runs it: with bytecode caches (some sandboxes set PYTHONDONTWRITEBYTECODE,
# which recompiles octavo's own modules on every start).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def corpus_files(corpus: Path, limit: int | None = None) -> list[Path]:
    files = sorted(corpus.rglob("*.txt")) + [SEED]
    return files[:limit] if limit else files


def timed(cmd: list[str], **kw: object) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def median_of(n: int, cmd: list[str], env: dict[str, str] | None = None) -> float:
    timed(cmd, env=env)  # warm the page cache, as libraries.md's figures do
    return statistics.median(timed(cmd, env=env) for _ in range(n))


def paired_medians(n: int, cmd: list[str], floor: list[str]) -> tuple[float, float]:
    """Medians of `cmd` and of `floor`, run alternately (the machine's speed drifts)."""
    timed(cmd)
    timed(floor)
    times: list[float] = []
    floors: list[float] = []
    for _ in range(n):
        times.append(timed(cmd))
        floors.append(timed(floor))
    return statistics.median(times), statistics.median(floors)


# What each cold command cannot do without, imported in a bare process: the CLI framework
# the project is built on, and the libraries that write the format. Their import time is a
# floor no change in octavo can go below on this machine.
_CLI_FLOOR = "import typer"
_EPUB_FLOOR = _CLI_FLOOR + ", ebooklib.epub, PIL.Image, PIL.ImageDraw, PIL.ImageFont"
_PDF_FLOOR = _CLI_FLOOR + ", reportlab.platypus, reportlab.pdfbase.ttfonts"


def batch_rate(files: list[Path], fmt: str, out: Path, cover: bool = True) -> tuple[float, int]:
    """Articles per second of one convert_many call in a fresh process (start-up included)."""
    listing = out.parent / f"{fmt}-inputs.txt"
    listing.write_text("\n".join(map(str, files)))
    code = (
        "import sys, octavo\n"
        "from octavo.options import WriteOptions\n"
        f"paths = open({str(listing)!r}).read().split('\\n')\n"
        f"r = octavo.convert_many(paths, to=[{fmt!r}], output_dir={str(out)!r},"
        f" write_options=WriteOptions(cover={cover!r}))\n"
        "print(len(r.ok), len(r.failed))\n"
    )
    start = time.perf_counter()
    result = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    ok, failed = map(int, result.stdout.split())
    return ok / elapsed, failed


def pandoc_rate(files: list[Path], out: Path) -> float | None:
    pandoc = shutil.which("pandoc")
    if not pandoc:
        return None
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for i, path in enumerate(files):
        title = path.read_text(encoding="utf-8").split("\n", 1)[0] or path.stem
        subprocess.run([pandoc, "-f", "markdown", "-t", "epub3", "-o", str(out / f"{i}.epub"),
                        "--metadata", f"title={title}", str(path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return len(files) / (time.perf_counter() - start)


def peak_rss_mib(files: list[Path], out: Path) -> float:
    """Max RSS (MiB) of the batch process or any of its workers, as the kernel counts it."""
    listing = out.parent / f"mem-{len(files)}.txt"
    listing.write_text("\n".join(map(str, files)))
    code = (
        "import resource, octavo\n"
        f"paths = open({str(listing)!r}).read().split('\\n')\n"
        f"octavo.convert_many(paths, to=['epub'], output_dir={str(out)!r})\n"
        "print(max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    result = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    return int(result.stdout.strip()) / 1024


def spread_sample(files: list[Path], n: int) -> list[Path]:
    """n files spread evenly over the list, the largest one included."""
    largest = max(files, key=lambda f: f.stat().st_size)
    picked = files[:: max(1, len(files) // n)][: n - 1]
    return picked if largest in picked else [*picked, largest]


def copies(files: list[Path], n: int, folder: Path) -> list[Path]:
    """n distinct input files cycling over `files` (hard links where possible: no disk cost)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i in range(n):
        src = files[i % len(files)]
        dst = folder / f"{i:05}-{src.name}"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy(src, dst)
        made.append(dst)
    return made


def line(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<44} {value:>14}   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="smaller samples (a smoke run)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"bench: corpus folder {args.corpus} not found (give --corpus)")

    files = corpus_files(args.corpus, 200 if args.quick else None)
    pandoc_files = files[:: max(1, len(files) // (50 if args.quick else 200))]
    print(f"octavo benchmark — {platform.node()}: {os.cpu_count()} cores, "
          f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print(f"corpus: {args.corpus} ({len(files)} articles)\n")

    with tempfile.TemporaryDirectory(prefix="octavo-bench-") as tmp_name:
        tmp = Path(tmp_name)
        print("Batch throughput (one convert_many call, fresh process, default --jobs):")
        epub_rate, epub_failed = batch_rate(files, "epub", tmp / "epub")
        line("octavo EPUB, articles/s", f"{epub_rate:.1f}", "target ≥ 250")
        bare_rate, _ = batch_rate(files, "epub", tmp / "epub-bare", cover=False)
        line("octavo EPUB without cover (--no-cover)", f"{bare_rate:.1f}")
        pdf_rate, pdf_failed = batch_rate(files, "pdf", tmp / "pdf")
        line("octavo PDF, articles/s", f"{pdf_rate:.1f}", "target ≥ 100")
        if epub_failed or pdf_failed:
            line("failed inputs (epub / pdf)", f"{epub_failed} / {pdf_failed}")
        base = pandoc_rate(pandoc_files, tmp / "pandoc")
        if base:
            line(f"pandoc EPUB, process per file ({len(pandoc_files)} files)", f"{base:.1f}")
            line("ratio octavo EPUB / pandoc", f"{epub_rate / base:.1f}×", "target ≥ 10×")
        else:
            line("pandoc", "not installed", "(no baseline ratio)")

        print("\nCold latency (fresh process, median of 5):")
        out = tmp / "cold"
        python_start = median_of(5, [PY, "-c", "pass"])
        line("python -c pass (floor)", f"{python_start * 1000:.0f} ms")
        help_time, floor = paired_medians(5, [*OCTAVO, "--help"], [PY, "-c", _CLI_FLOOR])
        line("octavo --help", f"{help_time * 1000:.0f} ms", "target ≤ 100 ms")
        line("  floor: import typer", f"{floor * 1000:.0f} ms")
        for fmt, target, needs, named in (("epub", 150, _EPUB_FLOOR, "typer + ebooklib + Pillow"),
                                          ("pdf", 300, _PDF_FLOOR, "typer + reportlab platypus")):
            t, floor = paired_medians(
                5, [*OCTAVO, "convert", str(SEED), "--to", fmt, "-o", str(out), "-q"],
                [PY, "-c", needs])
            line(f"one seed {fmt.upper()}", f"{t * 1000:.0f} ms", f"target ≤ {target} ms")
            line(f"  floor: import {named}", f"{floor * 1000:.0f} ms")
            t = median_of(5, [*OCTAVO, "convert", str(SEED), "--to", fmt, "-o", str(out), "-q",
                              "--lang", "de"])
            line(f"one seed {fmt.upper()} with --lang de", f"{t * 1000:.0f} ms")

        print("\nPeak memory (max RSS of any process, EPUB batch):")
        # The same 100-article mix in both batches (a spread over the corpus plus its largest
        # file), so the ratio shows growth with batch length, not with the largest article.
        mix = spread_sample(files, 100)
        small = copies(mix, 100, tmp / "m100")
        large = copies(mix, 1000 if args.quick else 10000, tmp / "mlarge")
        rss_small = peak_rss_mib(small, tmp / "m100-out")
        rss_large = peak_rss_mib(large, tmp / "mlarge-out")
        line("100 articles", f"{rss_small:.0f} MiB")
        line(f"{len(large):,} articles", f"{rss_large:.0f} MiB")
        line("ratio", f"{rss_large / rss_small:.2f}×", "target ≤ 1.5×")


if __name__ == "__main__":
    main()
