"""Reader and writer plugins, discovered through entry points (built-ins included).

A third party adds a format with an `octavo.readers` or `octavo.writers` entry point in its own
pyproject.toml; octavo needs no change. Only the plugin a conversion uses is imported.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path
from typing import BinaryIO, ClassVar, Protocol, runtime_checkable

from octavo.errors import PluginError, UnknownFormatError
from octavo.model import Article, Book
from octavo.options import ReadOptions, WriteOptions

READERS_GROUP = "octavo.readers"
WRITERS_GROUP = "octavo.writers"


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader gets: the bytes and a name, never an open file."""

    data: bytes
    name: str
    path: Path | None = None


@runtime_checkable
class Reader(Protocol):
    name: ClassVar[str]
    extensions: ClassVar[frozenset[str]]
    """Lower-case file extensions with the dot: {".md", ".markdown"}."""

    def read(self, source: Source, options: ReadOptions) -> Article: ...


@runtime_checkable
class Writer(Protocol):
    name: ClassVar[str]
    extension: ClassVar[str]
    """The extension of the files it writes, with the dot: ".epub"."""

    def write(self, book: Book, out: BinaryIO, options: WriteOptions) -> None: ...


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    value: str
    """The entry point's "module:attr"."""
    extensions: tuple[str, ...]
    """Extensions read or written, from the plugin class (loads it)."""


@functools.cache
def _all_entry_points() -> EntryPoints:
    """Every installed entry point, read once: each `entry_points(group=...)` call reads every
    distribution's metadata again, and a conversion needs both groups."""
    return entry_points()


def _discover(group: str) -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in _all_entry_points().select(group=group):
        seen = found.get(ep.name)
        # Editable installs can list one distribution twice: same value is the same plugin.
        if seen is not None and seen.value != ep.value:
            raise PluginError(
                f"two plugins claim the {group} name {ep.name!r}: {seen.value} and {ep.value}",
                hint="uninstall one of them",
            )
        found[ep.name] = ep
    return found


@functools.cache
def reader_entry_points() -> dict[str, EntryPoint]:
    found = _discover(READERS_GROUP)
    if not found:
        raise PluginError("no readers are registered", hint="install octavo with `pip install -e .`")
    return found


@functools.cache
def writer_entry_points() -> dict[str, EntryPoint]:
    found = _discover(WRITERS_GROUP)
    if not found:
        raise PluginError("no writers are registered", hint="install octavo with `pip install -e .`")
    return found


def _load(ep: EntryPoint, kind: str) -> type:
    try:
        cls = ep.load()
    except Exception as exc:  # a broken third-party plugin must not look like octavo's bug
        raise PluginError(f"{kind} {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
    if getattr(cls, "name", None) != ep.name:
        raise PluginError(f"{kind} {ep.value} is registered as {ep.name!r} but names itself "
                          f"{getattr(cls, 'name', None)!r}")
    return cls


@functools.cache
def load_reader(name: str) -> Reader:
    eps = reader_entry_points()
    if name not in eps:
        raise UnknownFormatError(
            f"unknown input format {name!r}", hint=f"octavo reads: {', '.join(sorted(eps))}"
        )
    return _load(eps[name], "reader")()


@functools.cache
def load_writer(name: str) -> Writer:
    eps = writer_entry_points()
    if name not in eps:
        raise UnknownFormatError(
            f"unknown output format {name!r}", hint=f"octavo writes: {', '.join(sorted(eps))}"
        )
    return _load(eps[name], "writer")()


# The built-in readers' extensions, kept here (the reader classes take theirs from this table) so
# that choosing a reader by extension does not import every reader module (the HTML reader alone
# costs ~40 ms at start-up). Used only for the entry point of exactly this name and value.
BUILTIN_EXTENSIONS: dict[str, frozenset[str]] = {
    "html": frozenset({".html", ".htm", ".xhtml"}),
    "json": frozenset({".json"}),
    "markdown": frozenset({".md", ".markdown", ".mdown", ".mkd"}),
    "text": frozenset({".txt", ".text"}),
}
_BUILTIN_READERS = {
    "html": "octavo.readers.html:HtmlReader", "json": "octavo.readers.json:JsonReader",
    "markdown": "octavo.readers.markdown:MarkdownReader", "text": "octavo.readers.text:TextReader",
}


def _extensions_of(name: str, ep: EntryPoint) -> frozenset[str]:
    if _BUILTIN_READERS.get(name) == ep.value:
        return BUILTIN_EXTENSIONS[name]
    return _load(ep, "reader").extensions


@functools.cache
def reader_extensions() -> dict[str, str]:
    """Map of extension -> reader name, built from the readers' own declarations (a
    third-party reader is imported to learn them)."""
    table: dict[str, str] = {}
    for name in sorted(reader_entry_points()):
        for ext in _extensions_of(name, reader_entry_points()[name]):
            table.setdefault(ext.lower(), name)
    return table


def reader_for(path: Path | str, data: bytes | None = None) -> str:
    """Choose a reader by extension, then by sniffing the content."""
    suffix = Path(path).suffix.lower()
    table = reader_extensions()
    if suffix in table:
        return table[suffix]
    if data is not None:
        head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(b"{") and "json" in reader_entry_points():
            return "json"
        if (head.startswith((b"<!doctype html", b"<html")) or b"<html" in head) and (
            "html" in reader_entry_points()
        ):
            return "html"
        if head.startswith((b"---\n", b"+++\n", b"---\r\n", b"+++\r\n", b"# ")) and (
            "markdown" in reader_entry_points()
        ):
            return "markdown"
        if "text" in reader_entry_points():
            return "text"
    raise UnknownFormatError(
        f"no reader for files ending in {suffix or '(no extension)'!r}",
        hint=f"octavo reads {', '.join(sorted(table))}; force one with --from",
    )


def reader_infos() -> list[PluginInfo]:
    return [
        PluginInfo(n, ep.value, tuple(sorted(_load(ep, "reader").extensions)))
        for n, ep in sorted(reader_entry_points().items())
    ]


def writer_infos() -> list[PluginInfo]:
    return [
        PluginInfo(n, ep.value, (_load(ep, "writer").extension,))
        for n, ep in sorted(writer_entry_points().items())
    ]


def clear_caches() -> None:
    for fn in (_all_entry_points, reader_entry_points, writer_entry_points, load_reader,
               load_writer, reader_extensions):
        fn.cache_clear()
