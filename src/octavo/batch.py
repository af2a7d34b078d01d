"""Batch conversion and bound books: many inputs, one report; many articles, one book."""

from __future__ import annotations

import datetime as _dt
import gc
import glob
import itertools
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from octavo import diagnostics, plugins
from octavo.api import DEFAULT_OUTPUT_DIR, Overrides, convert, output_path, read, write
from octavo.errors import InputError, OctavoError, OptionError
from octavo.model import Book
from octavo.options import ReadOptions, WriteOptions
from octavo.output import can_defer_sync, deferred_sync, safe_stem, sync_all

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future


@dataclass(frozen=True, slots=True)
class ItemReport:
    input: str
    status: str
    """"ok" or "failed"."""
    outputs: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    duration: float = 0.0


@dataclass(slots=True)
class BatchReport:
    items: list[ItemReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Batch-level remarks, such as output names changed to avoid a collision."""
    duration: float = 0.0

    @property
    def ok(self) -> list[ItemReport]:
        return [i for i in self.items if i.status == "ok"]

    @property
    def failed(self) -> list[ItemReport]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def warning_count(self) -> int:
        return sum(len(i.warnings) for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "converted": len(self.ok),
            "failed": len(self.failed),
            "warnings": self.warning_count,
            "duration": round(self.duration, 3),
            "notes": list(self.notes),
            "items": [asdict(i) for i in self.items],
        }


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files as given, folders recursively (files a reader knows), glob patterns expanded.

    The order is stable: as given, with each folder's and pattern's files sorted. A path that
    matches nothing is kept, so the conversion reports it as missing instead of losing it.
    """
    known: set[str] | None = None  # loaded only when a folder is walked: it imports every reader
    seen: set[Path] = set()
    result: list[Path] = []

    def add(path: Path) -> None:
        key = Path(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            result.append(path)

    for item in inputs:
        path = Path(item)
        if path.is_dir():
            if known is None:
                known = set(plugins.reader_extensions())
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in known and not child.name.startswith("."):
                    add(child)
        elif not path.exists() and glob.has_magic(str(item)):
            for match in sorted(glob.glob(str(item), recursive=True)):
                if Path(match).is_file():
                    add(Path(match))
        else:
            add(path)
    return result


def plan_outputs(
    inputs: Sequence[Path], to: Sequence[str], output_dir: Path
) -> tuple[list[dict[str, Path]], list[str]]:
    """Give every input its own output per format; collisions get a suffix, decided by order."""
    taken: dict[Path, str] = {}
    plans: list[dict[str, Path]] = []
    notes: list[str] = []
    for path in inputs:
        plan: dict[str, Path] = {}
        for fmt in dict.fromkeys(to):
            target = output_path(path.name, fmt, output_dir)
            if target in taken:
                base, ext = target.stem, target.suffix
                variant = f"{base}-{safe_stem(path.suffix.lstrip('.')) or 'file'}"
                candidate = output_dir / f"{variant}{ext}"
                n = 2
                while candidate in taken:
                    candidate = output_dir / f"{variant}-{n}{ext}"
                    n += 1
                notes.append(f"{path} and {taken[target]} would both write {target.name}; "
                             f"{path} writes {candidate.name}")
                target = candidate
            taken[target] = str(path)
            plan[fmt] = target
        plans.append(plan)
    return plans, notes


def _convert_one(
    source: str,
    to: tuple[str, ...],
    targets: dict[str, str],
    read_options: ReadOptions | None,
    write_options: WriteOptions | None,
    overrides: Overrides | None,
    skip_existing: bool = False,
    format: str | None = None,
    durable: bool = True,
) -> ItemReport:
    """One input, in whatever process runs it; only plain data crosses the boundary.

    With durable=False the output is not fsynced here: the batch syncs once when it ends."""
    if not durable:
        with deferred_sync():
            return _convert_one(source, to, targets, read_options, write_options, overrides,
                                skip_existing, format)
    started = time.perf_counter()
    paths = {fmt: Path(p) for fmt, p in targets.items()}
    if skip_existing and all(p.exists() for p in paths.values()):
        return ItemReport(source, "ok", tuple(str(p) for p in paths.values()),
                          ("skipped: outputs exist",), None, 0.0)
    try:
        result = convert(source, to=to, targets=paths, format=format, read_options=read_options,
                         write_options=write_options, overrides=overrides)
        return ItemReport(source, "ok", tuple(str(p) for p in result.outputs),
                          tuple(str(w) for w in result.warnings), None,
                          time.perf_counter() - started)
    except OctavoError as exc:
        message = exc.message + (f" — {exc.hint}" if exc.hint else "")
        return ItemReport(source, "failed", (), (), message, time.perf_counter() - started)
    except Exception as exc:  # one broken input must not stop the batch; report it as our bug
        return ItemReport(source, "failed", (), (),
                          f"internal error ({type(exc).__name__}: {exc}); please report it",
                          time.perf_counter() - started)


def convert_many(
    inputs: Iterable[str | Path],
    *,
    to: Sequence[str] = ("epub",),
    output_dir: str | Path = DEFAULT_OUTPUT_DIR,
    jobs: int | None = None,
    executor: Executor | None = None,
    read_options: ReadOptions | None = None,
    write_options: WriteOptions | None = None,
    overrides: Overrides | None = None,
    skip_existing: bool = False,
    format: str | None = None,
    on_result: Callable[[ItemReport], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> BatchReport:
    """Convert many inputs; failures are reported per input and never stop the batch.

    `executor` may be any concurrent.futures.Executor (a dask.distributed client's
    `get_executor()` included); otherwise `jobs` worker processes (default: the CPU count).
    Work is sent as paths, results come back as they finish.
    """
    if not to:
        raise OptionError("no output format given", hint="add --to epub or --to pdf")
    for fmt in to:
        plugins.load_writer(fmt)  # an unknown format is a usage error before any work starts
    started = time.perf_counter()
    paths = expand_inputs(inputs)
    plans, notes = plan_outputs(paths, tuple(to), Path(output_dir))
    report = BatchReport(notes=notes)
    if on_plan:
        on_plan(len(paths))
    workers = jobs or os.cpu_count() or 1
    # Many files: one sync at the end instead of one fsync per file. Not with a user's
    # executor, whose workers may write on other machines.
    durable = not (executor is None and len(paths) > 1 and can_defer_sync())
    calls = [
        (str(path), tuple(to), {f: str(t) for f, t in plan.items()}, read_options,
         write_options, overrides, skip_existing, format, durable)
        for path, plan in zip(paths, plans, strict=True)
    ]
    results: dict[int, ItemReport] = {}

    def record(index: int, item: ItemReport) -> None:
        results[index] = item
        if on_result:
            on_result(item)

    own_pool: Executor | None = None
    if executor is None and workers > 1 and len(calls) > 1:
        # Imported here: multiprocessing costs ~10 ms at start-up, and one input needs no pool.
        from concurrent.futures import ProcessPoolExecutor

        own_pool = executor = ProcessPoolExecutor(max_workers=min(workers, len(calls)),
                                                  initializer=_start_worker)
    try:
        if executor is None:
            for index, call in enumerate(calls):
                record(index, _convert_one(*call))
        elif own_pool is not None:
            # Inputs go to the workers a few at a time: one task per input cost the parent
            # ~1 ms of pickling and wake-ups each, a sixth of a worker's time per article.
            size = max(1, min(_CHUNK, len(calls) // (4 * workers)))
            _run_windowed(executor, calls, record, window=4 * workers, chunk=size)
        else:
            # A user's executor may be a whole cluster: keep many more inputs in flight for it.
            _run_windowed(executor, calls, record, window=max(256, 4 * workers), chunk=1)
    finally:
        if own_pool is not None:
            own_pool.shutdown(wait=True, cancel_futures=True)
        if not durable:
            # once for the whole batch, before anyone reads the report
            sync_all({t.parent for plan in plans for t in plan.values()})
    report.items = [results[i] for i in sorted(results)]
    report.duration = time.perf_counter() - started
    return report


_CHUNK = 8
"""Inputs per task for octavo's own pool: small, so progress stays smooth and the last tasks
do not leave a worker idle."""


_WORKER_GC = (10_000, 10, 10)
"""Collector thresholds (see gc.set_threshold) for octavo's own pool workers."""


def _start_worker() -> None:
    """A worker converts article after article: its collector runs ~14 times less often than
    Python's default. Its full passes walked the long-lived caches (fonts, word widths,
    hyphenation) again and again, 10-15% of a PDF's CPU; what they free, a conversion's
    cycles, waits at most a few articles longer."""
    gc.set_threshold(*_WORKER_GC)


def _convert_chunk(calls: Sequence[tuple[Any, ...]]) -> list[ItemReport]:
    return [_convert_one(*call) for call in calls]


def _run_windowed(executor: Executor, calls: list[tuple[Any, ...]],
                  record: Callable[[int, ItemReport], None], window: int, chunk: int) -> None:
    """Keep at most `window` tasks of `chunk` inputs in flight: memory stays flat however long
    the batch is."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: dict[Future[list[ItemReport]], int] = {}  # task -> index of its first input
    starts = iter(range(0, len(calls), chunk))

    def top_up() -> None:
        for start in itertools.islice(starts, window - len(pending)):
            pending[executor.submit(_convert_chunk, calls[start:start + chunk])] = start

    try:
        top_up()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                start = pending.pop(future)
                try:
                    items = future.result()
                except Exception as exc:  # a worker died (killed, out of memory)
                    items = [ItemReport(call[0], "failed", (), (),
                                        f"worker failed: {type(exc).__name__}: {exc}")
                             for call in calls[start:start + chunk]]
                for index, item in enumerate(items, start):
                    record(index, item)
            top_up()
    except BaseException:
        for future in pending:
            future.cancel()
        raise


def _binding_date() -> _dt.date:
    """A bound book is dated the day it is bound (SOURCE_DATE_EPOCH for reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    return _dt.date.today()


def bind(
    inputs: Iterable[str | Path],
    target: str | Path,
    *,
    title: str,
    to: str | None = None,
    sort: str | None = None,
    language: str | None = None,
    read_options: ReadOptions | None = None,
    write_options: WriteOptions | None = None,
) -> tuple[Path, list[str]]:
    """Bind many articles into one book; returns the path and the warnings (per input)."""
    if sort not in (None, "date", "title"):
        raise OptionError(f"cannot sort by {sort!r}", hint="use --sort date or --sort title")
    if not title.strip():
        raise OptionError("a bound book needs a title", hint="give --title")
    paths = expand_inputs(inputs)
    if not paths:
        raise InputError("no inputs to bind", hint="give files, folders or patterns")
    articles = []
    warnings: list[str] = []
    for path in paths:
        with diagnostics.collecting() as found:
            articles.append(read(path, options=read_options))
        warnings.extend(f"{path}: {w}" for w in found)
    if sort == "date":
        articles.sort(key=lambda a: a.published or _dt.date.max)
    elif sort == "title":
        articles.sort(key=lambda a: a.title.casefold())
    languages = [a.language for a in articles]
    book_language = language or max(sorted(set(languages)), key=languages.count)
    book = Book(
        title=title.strip(),
        language=book_language,
        articles=tuple(articles),
        published=_binding_date(),
    )
    with diagnostics.collecting() as found:
        written = write(book, target, to=to, options=write_options)
    warnings.extend(str(w) for w in found)
    return written, warnings
