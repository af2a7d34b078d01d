"""The `octavo` command: a thin Typer layer over octavo.api and octavo.batch."""

# No `from __future__ import annotations` here: Typer would then eval() every parameter's
# annotation string on each start (building the commands took ~12 ms instead of ~3 ms).
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer

from octavo import __version__
from octavo.errors import OctavoError, OptionError

app = typer.Typer(
    name="octavo",
    help="Turn articles (text, Markdown, HTML, JSON) into EPUB 3 and PDF books.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: Rich's help renderer imports a Markdown parser and costs ~150 ms at start-up.
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _fail(error: OctavoError) -> NoReturn:
    typer.echo(f"octavo: {error}", err=True)
    raise typer.Exit(error.exit_code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"octavo {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """Turn articles (text, Markdown, HTML, JSON) into EPUB 3 and PDF books."""


def _check_formats(*, writers: list[str], reader: str | None) -> None:
    """An unknown --to or --from is a usage mistake (exit 2), found before any work starts."""
    from octavo import plugins
    from octavo.errors import UnknownFormatError

    try:
        for name in writers:
            plugins.load_writer(name.lower())
        if reader:
            plugins.load_reader(reader)
    except UnknownFormatError as exc:
        raise OptionError(exc.message, hint=exc.hint) from None


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise OptionError(f"{value!r} is not a date", hint="write it as YYYY-MM-DD") from None


def _read_options(lang: str | None, encoding: str | None, allow: list[Path], fetch: bool):  # noqa: ANN202
    from octavo.options import ReadOptions

    return ReadOptions(language=lang, encoding=encoding,
                       allowed_dirs=tuple(p.resolve() for p in allow), fetch_remote=fetch)


ToOption = Annotated[list[str], typer.Option("--to", "-t", help="Output format: epub or pdf (repeatable).")]
LangOption = Annotated[Optional[str], typer.Option("--lang", help="Language as a BCP 47 tag (de, en-GB); detected if not given.")]
PageSizeOption = Annotated[str, typer.Option("--page-size", help="PDF page: a4, letter, a5 or ereader (6-inch).")]
EncodingOption = Annotated[Optional[str], typer.Option("--encoding", help="Input encoding; detected if not given.")]
AllowOption = Annotated[list[Path], typer.Option("--allow-dir", help="Also let images be read from this folder (repeatable).")]
FetchOption = Annotated[bool, typer.Option("--fetch-images", help="Download remote images (off: conversion stays offline).")]
CoverOption = Annotated[bool, typer.Option("--cover/--no-cover", help="Generate a cover image for EPUBs.")]


@app.command()
def convert(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (recursively) or glob patterns.", show_default=False)],
    to: ToOption = ["epub"],  # noqa: B006 (Typer reads the default)
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the outputs.")] = Path("output"),
    title: Annotated[Optional[str], typer.Option("--title", help="Use this title.")] = None,
    author: Annotated[list[str], typer.Option("--author", help="Author (repeatable).")] = [],  # noqa: B006
    lang: LangOption = None,
    date_: Annotated[Optional[str], typer.Option("--date", help="Publication date, YYYY-MM-DD.")] = None,
    publisher: Annotated[Optional[str], typer.Option("--publisher", help="Use this publisher.")] = None,
    page_size: PageSizeOption = "a4",
    from_: Annotated[Optional[str], typer.Option("--from", "-f", help="Input format; by extension if not given.")] = None,
    encoding: EncodingOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: CPU cores).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Write a JSON report of every input.")] = None,
    skip_existing: Annotated[bool, typer.Option("--skip-existing", help="Skip inputs whose outputs exist (resume).")] = False,
    allow_dir: AllowOption = [],  # noqa: B006
    fetch_images: FetchOption = False,
    cover: CoverOption = True,
) -> None:
    """Convert articles to EPUB and/or PDF, each named after its input in the output folder."""
    from octavo.api import Overrides
    from octavo.batch import convert_many
    from octavo.options import WriteOptions

    try:
        overrides = Overrides(title=title, authors=tuple(author), language=lang,
                              published=_parse_date(date_), publisher=publisher)
        write_options = WriteOptions(page_size=page_size.lower(), cover=cover)
        from octavo.options import PAGE_SIZES

        if write_options.page_size not in PAGE_SIZES:
            raise OptionError(f"unknown page size {page_size!r}", hint=f"choose one of {', '.join(PAGE_SIZES)}")
        read_options = _read_options(lang, encoding, allow_dir, fetch_images)
        _check_formats(writers=to, reader=from_)
    except OctavoError as exc:
        _fail(exc)

    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    try:
        with progress:
            result = convert_many(
                inputs, to=[t.lower() for t in to], output_dir=output, jobs=jobs,
                read_options=read_options, write_options=write_options, overrides=overrides,
                skip_existing=skip_existing, on_result=progress.advance, on_plan=progress.plan,
                **({"format": from_} if from_ else {}),
            )
    except KeyboardInterrupt:
        typer.echo("octavo: interrupted; finished outputs are kept, none is half-written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OctavoError as exc:
        _fail(exc)

    for note in result.notes:
        typer.echo(f"octavo: note: {note}", err=True)
    for item in result.items:
        if item.status == "failed":
            typer.echo(f"octavo: {item.input}: {item.error}", err=True)
        elif not quiet:
            for warning in item.warnings:
                typer.echo(f"octavo: {item.input}: warning: {warning}", err=True)
    if report is not None:
        import json  # only here: --help and a plain conversion need no JSON

        from octavo.output import atomic_write

        try:
            with atomic_write(report) as fh:
                fh.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False).encode())
        except OctavoError as exc:
            _fail(exc)
    if not quiet:
        typer.echo(
            f"octavo: {len(result.ok)} converted, {len(result.failed)} failed, "
            f"{result.warning_count} warnings in {result.duration:.1f} s"
            + (f" -> {output}/" if result.ok else ""),
            err=True,
        )
    if not result.items:
        typer.echo("octavo: no inputs found — give files, folders or patterns", err=True)
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_FAILED if result.failed else EXIT_OK)


class _Progress:
    """A Rich progress bar on a terminal; silent otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self._bar = Progress("[progress.description]{task.description}", BarColumn(),
                                 MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("converting", total=None)
        return self

    def plan(self, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=total)

    def advance(self, item: object) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


@app.command()
def bind(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns, in book order.", show_default=False)],
    output: Annotated[Path, typer.Option("--output", "-o", help="The book file to write (.epub or .pdf).")],
    title: Annotated[str, typer.Option("--title", help="The book's title.")],
    to: Annotated[Optional[str], typer.Option("--to", "-t", help="epub or pdf; by -o's extension if not given.")] = None,
    sort: Annotated[Optional[str], typer.Option("--sort", help="Order by date or title instead of as given.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="The book's language; the articles' most common if not given.")] = None,
    page_size: PageSizeOption = "a4",
    encoding: EncodingOption = None,
    allow_dir: AllowOption = [],  # noqa: B006
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings.")] = False,
    cover: CoverOption = True,
) -> None:
    """Bind many articles into one EPUB or PDF book, one chapter each."""
    from octavo.batch import bind as bind_book
    from octavo.options import WriteOptions

    try:
        if to:
            _check_formats(writers=[to], reader=None)
        path, warnings = bind_book(inputs, output, title=title, to=to, sort=sort, language=lang,
                                   read_options=_read_options(None, encoding, allow_dir, False),
                                   write_options=WriteOptions(page_size=page_size.lower(), cover=cover))
    except KeyboardInterrupt:
        typer.echo("octavo: interrupted; nothing was written", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OctavoError as exc:
        _fail(exc)
    if not quiet:
        for warning in warnings:
            typer.echo(f"octavo: warning: {warning}", err=True)
        typer.echo(f"octavo: wrote {path}", err=True)


@app.command()
def formats() -> None:
    """List the input and output formats with their file extensions."""
    from octavo import plugins

    try:
        typer.echo("Readers (input):")
        for info in plugins.reader_infos():
            typer.echo(f"  {info.name:<10} {' '.join(info.extensions):<28} {info.value}")
        typer.echo("Writers (output):")
        for info in plugins.writer_infos():
            typer.echo(f"  {info.name:<10} {' '.join(info.extensions):<28} {info.value}")
    except OctavoError as exc:
        _fail(exc)


@app.command()
def inspect(
    input: Annotated[Path, typer.Argument(help="The article to read.", show_default=False)],
    from_: Annotated[Optional[str], typer.Option("--from", "-f", help="Input format; by extension if not given.")] = None,
    lang: LangOption = None,
    encoding: EncodingOption = None,
) -> None:
    """Print the article model octavo reads from a file, as its versioned JSON."""
    from octavo import diagnostics
    from octavo.api import read
    from octavo.serialize import to_json

    try:
        with diagnostics.collecting() as warnings:
            article = read(input, format=from_, options=_read_options(lang, encoding, [], False))
    except OctavoError as exc:
        _fail(exc)
    for warning in warnings:
        typer.echo(f"octavo: {input}: warning: {warning}", err=True)
    typer.echo(to_json(article))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("octavo: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
