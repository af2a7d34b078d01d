"""The Python API: read, write, convert. The CLI and batch jobs are thin layers over these."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from octavo import diagnostics, limits, plugins
from octavo.diagnostics import Diagnostic
from octavo.errors import InputError, OctavoError, OptionError
from octavo.model import Article, Book, is_language_tag
from octavo.options import PAGE_SIZES, ReadOptions, WriteOptions
from octavo.output import atomic_write, safe_stem

DEFAULT_OUTPUT_DIR = Path("output")


@dataclass(frozen=True, slots=True, kw_only=True)
class Overrides:
    """Metadata the user sets over what the reader found (--title, --author, --lang, --date)."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    published: date | None = None
    publisher: str | None = None

    def __post_init__(self) -> None:
        if self.language is not None and not is_language_tag(self.language):
            raise OptionError(f"{self.language!r} is not a language tag",
                              hint="use a BCP 47 tag such as de, en-GB or pt-BR")
        if self.title is not None and not self.title.strip():
            raise OptionError("the title is empty", hint="give --title some text")

    def apply(self, article: Article) -> Article:
        changes: dict[str, object] = {}
        if self.title:
            changes["title"] = self.title.strip()
        if self.authors:
            changes["authors"] = self.authors
        if self.language:
            changes["language"] = self.language
        if self.published:
            changes["published"] = self.published
        if self.publisher:
            changes["publisher"] = self.publisher
        return dataclasses.replace(article, **changes) if changes else article


@dataclass(frozen=True, slots=True)
class ConversionResult:
    """What convert() wrote for one input, and the warnings it met."""

    input: str
    outputs: tuple[Path, ...]
    warnings: tuple[Diagnostic, ...] = field(default=())


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, checked against the size limit: one open and one fstat (a batch reads
    thousands of files; a stat for "is it a folder", another for its size and pathlib's
    buffered reading cost three times the system calls)."""
    try:
        with open(path, "rb", buffering=0) as fh:
            size = os.fstat(fh.fileno()).st_size
            limit = limits.current().max_input_bytes
            if size > limit:
                raise InputError(
                    f"the file is {size / 2**20:.0f} MB, over the {limit / 2**20:.0f} MB limit",
                    hint="split it, or raise the limit with OCTAVO_MAX_INPUT_MB")
            return fh.read()
    except IsADirectoryError:
        raise InputError(_FOLDER, hint=_FOLDER_HINT) from None
    except FileNotFoundError:
        raise InputError("no such file", hint="check the path") from None
    except PermissionError:
        if path.is_dir():  # Windows refuses to open a folder with "permission denied"
            raise InputError(_FOLDER, hint=_FOLDER_HINT) from None
        raise InputError("permission denied", hint="check the file's permissions") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}") from None


_FOLDER = "this is a folder"
_FOLDER_HINT = "give a file, or convert the folder's files"


def read(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    format: str | None = None,
    options: ReadOptions | None = None,
    overrides: Overrides | None = None,
) -> Article:
    """Read an article from a path, or from bytes (then give `name` or `format`)."""
    options = options or ReadOptions()
    overrides = overrides or Overrides()
    if isinstance(source, bytes):
        data, path, label = source, None, name or "<bytes>"
        if len(data) > limits.current().max_input_bytes:
            raise InputError("the input is over the size limit", source=label,
                             hint="split it, or raise the limit with OCTAVO_MAX_INPUT_MB")
    else:
        path = Path(source)
        label = str(source)
        data = _read_bytes(path)
    if overrides.language and not options.language:
        options = dataclasses.replace(options, language=overrides.language)
    try:
        reader_name = format or plugins.reader_for(name or label, data)
        reader = plugins.load_reader(reader_name)
        if path is not None and options.base_dir is None and getattr(
                reader, "uses_base_dir", True):
            # Resolving the input's folder walks every component of its path (~50 µs): only
            # for readers that find files through it (images), which is any reader that does
            # not say otherwise.
            options = dataclasses.replace(options, base_dir=path.resolve().parent)
        base_name = (path if path is not None else Path(label)).name
        article = reader.read(plugins.Source(data=data, name=base_name, path=path), options)
        return overrides.apply(article)
    except OctavoError as exc:
        exc.with_source(label)
        raise
    except RecursionError:
        raise InputError("the input is nested too deeply to read",
                         source=label, hint="simplify the file") from None


def write(
    content: Article | Book,
    target: str | Path,
    *,
    to: str | None = None,
    options: WriteOptions | None = None,
) -> Path:
    """Write an article or book to `target` atomically; the format is `to` or the extension."""
    options = options or WriteOptions()
    if options.page_size not in PAGE_SIZES:
        raise OptionError(f"unknown page size {options.page_size!r}",
                          hint=f"choose one of {', '.join(PAGE_SIZES)}")
    target = Path(target)
    writer_name = to or target.suffix.lstrip(".").lower()
    if not writer_name:
        raise OptionError(f"cannot tell the output format of {target}", hint="give --to")
    writer = plugins.load_writer(writer_name)
    book = content if isinstance(content, Book) else Book.of(content)
    book = _typeset(book, options)
    with atomic_write(target) as out:
        writer.write(book, out, options)
    return target


def _typeset(book: Book, options: WriteOptions) -> Book:
    if not options.typography:
        return book
    from octavo.typography import typeset_article  # noqa: PLC0415 (keeps start-up light)
    from octavo.typography.punctuation import typeset_text

    return dataclasses.replace(
        book,
        title=typeset_text(book.title, book.language),
        subtitle=book.subtitle and typeset_text(book.subtitle, book.language),
        articles=tuple(typeset_article(a) for a in book.articles),
    )


def output_path(input_name: str, writer_name: str, output_dir: Path) -> Path:
    extension = plugins.load_writer(writer_name).extension
    return output_dir / (safe_stem(Path(input_name).stem) + extension)


def convert(
    source: str | Path,
    *,
    to: Sequence[str] = ("epub",),
    output_dir: str | Path = DEFAULT_OUTPUT_DIR,
    targets: dict[str, Path] | None = None,
    format: str | None = None,
    read_options: ReadOptions | None = None,
    write_options: WriteOptions | None = None,
    overrides: Overrides | None = None,
) -> ConversionResult:
    """Read one input and write it in every format of `to`; warnings come back in the result.

    Outputs are named after the input's stem in `output_dir`, unless `targets` maps a format to
    an explicit path (batch planning uses this to keep two inputs out of one file).
    """
    if not to:
        raise OptionError("no output format given", hint="add --to epub or --to pdf")
    with diagnostics.collecting() as warnings:
        article = read(source, format=format, options=read_options, overrides=overrides)
        written: list[Path] = []
        for fmt in dict.fromkeys(to):
            target = (targets or {}).get(fmt) or output_path(str(source), fmt, Path(output_dir))
            try:
                written.append(write(article, target, to=fmt, options=write_options))
            except OctavoError as exc:
                exc.with_source(str(source))
                raise
    return ConversionResult(str(source), tuple(written), tuple(warnings))
