"""Reader and writer plugins, discovered through entry points (built-ins included).

A third party adds a format with an `octavo.readers` or `octavo.writers` entry point in its own
pyproject.toml; octavo needs no change. Only the plugin a conversion uses is imported.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar, Protocol, runtime_checkable

from octavo.errors import PluginError, UnknownFormatError

if TYPE_CHECKING:  # only for the protocols' signatures: the model is not needed to find a plugin
    from octavo.model import Article, Book
    from octavo.options import ReadOptions, WriteOptions

READERS_GROUP = "octavo.readers"
WRITERS_GROUP = "octavo.writers"
GROUPS = (READERS_GROUP, WRITERS_GROUP)


@dataclass(frozen=True, slots=True)
class Source:
    """What a reader gets: the bytes and a name, never an open file."""

    data: bytes
    name: str
    path: Path | None = None


@runtime_checkable
class Reader(Protocol):
    """A format's reader. It may also say `uses_base_dir = False` (a class attribute) when it
    never finds files next to its input, sparing the resolution of the input's folder."""

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
    """A registered plugin as `octavo formats` lists it."""

    name: str
    value: str
    """The entry point's "module:attr"."""
    extensions: tuple[str, ...]
    """Extensions read or written, from the plugin class (loads it)."""


class PluginEntry:
    """One `octavo.readers` / `octavo.writers` entry point: its name, "module:attr" value and
    group. Loads like importlib.metadata's EntryPoint, but costs no importlib.metadata import
    when it comes from the disk cache."""

    __slots__ = ("group", "name", "value")

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name, self.value, self.group = name, value, group

    def load(self) -> object:
        """The object named by the value (the module itself when there is no ":attr")."""
        import importlib
        import re

        # importlib.metadata.EntryPoint.pattern: "module[:attr.attr] [extras]".
        match = re.match(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$",
                         self.value)
        if match is None:
            raise ValueError(f"{self.value!r} is not a module:attribute reference")
        obj: object = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PluginEntry) and (self.name, self.value, self.group) == (
            other.name, other.value, other.group)

    def __hash__(self) -> int:
        return hash((self.name, self.value, self.group))

    def __repr__(self) -> str:
        return f"PluginEntry(name={self.name!r}, value={self.value!r}, group={self.group!r})"


@functools.cache
def _all_entry_points() -> tuple[PluginEntry, ...]:
    """octavo's entry points of every installed distribution, read once per process.

    Scanning every distribution's metadata with importlib.metadata costs ~30 ms of a ~150 ms
    conversion, so the result is kept in octavo's disk cache and reused while no distribution
    was installed, removed or changed (see _cache_key); anything unusual falls back to the scan.
    """
    found = _cached_scan()
    if found is None:
        key = _cache_key()  # taken before the scan: a change during the scan invalidates it
        found = _scan()
        if key is not None:
            _store_scan(key, found)
    return tuple(PluginEntry(name, value, group) for group, name, value in found)


def _scan() -> list[tuple[str, str, str]]:
    """(group, name, value) of octavo's groups, in importlib.metadata's order."""
    from importlib.metadata import entry_points

    every = entry_points()  # one read of every distribution: a per-group call reads them again
    return [(ep.group, ep.name, ep.value) for group in GROUPS for ep in every.select(group=group)]


# --- the disk cache of the scan -------------------------------------------------------------
#
# importlib.metadata finds distributions as *.dist-info / *.egg-info entries of the sys.path
# folders (and EGG-INFO inside *.egg). Installing or removing one changes its folder's mtime;
# reinstalling rewrites the metadata folder (its mtime) or entry_points.txt in place (its mtime
# and size). The key records all of these, so a hit costs only a stat per sys.path entry and two
# per distribution (~1 ms), against ~30 ms for the scan.

_CACHE_FORMAT = 1
_CACHE_KEEP = 64
"""Entries kept (one per distinct sys.path, e.g. per working folder for `python -m octavo`)."""
_SETTLED_NS = 2_000_000_000
"""A key is stored only when its newest stat is at least this old (see _store_scan)."""


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _search_path() -> tuple[str, ...] | None:
    """The folders importlib.metadata searches, or None when something besides the standard path
    finder can contribute distributions (then only the full scan is right)."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is PathFinder or not hasattr(finder, "find_distributions"):
            continue
        # The importlib_metadata backport (a dask dependency) adds a finder that searches the
        # same sys.path folders the same way: the scan's result is no different.
        kind = type(finder)
        if (kind.__module__, kind.__qualname__) != ("importlib_metadata", "MetadataPathFinder"):
            return None
    return tuple(os.path.abspath(entry or ".") for entry in sys.path if isinstance(entry, str))


def _metadata_stats(folder: str) -> list[tuple[str, tuple[int, int] | None]]:
    """The stats that change when a distribution in `folder` is reinstalled or edited."""
    out: list[tuple[str, tuple[int, int] | None]] = []
    base_is_egg = folder.lower().endswith(".egg")
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # a file (zip) or missing folder: its own stat is in the key
        return out
    for name in names:
        low = name.lower()
        if low.endswith((".dist-info", ".egg-info")) or (base_is_egg and low == "egg-info"):
            meta = os.path.join(folder, name)
            out.append((meta, _stat(meta)))
            entry_file = os.path.join(meta, "entry_points.txt")
            out.append((entry_file, _stat(entry_file)))
    return out


def _cache_key() -> tuple[object, ...] | None:
    """Everything the scan's result depends on, as plain values; None if not cacheable."""
    folders = _search_path()
    if folders is None:
        return None
    stats: list[tuple[str, tuple[int, int] | None]] = []
    for folder in folders:
        stats.append((folder, _stat(folder)))
        stats.extend(_metadata_stats(folder))
    return (_CACHE_FORMAT, sys.hexversion, folders, tuple(stats))


def _cache_file(folders: tuple[str, ...]) -> Path:
    import zlib

    from octavo.cache import folder

    tag = zlib.crc32("\0".join(folders).encode("utf-8", "surrogatepass"))
    return folder() / f"entry-points-{tag:08x}.marshal"


def _cached_scan() -> list[tuple[str, str, str]] | None:
    """The stored scan if its key still holds, else None."""
    import marshal

    folders = _search_path()
    if folders is None:
        return None
    try:
        data = marshal.loads(_cache_file(folders).read_bytes())
        fmt, version, stored_folders, stats, found = data
    except (OSError, ValueError, EOFError, TypeError):  # missing, damaged, other format: scan
        return None
    if (fmt, version, stored_folders) != (_CACHE_FORMAT, sys.hexversion, folders):
        return None
    # A new or removed distribution changes its folder's stat; a changed one its own stats.
    for path, stat in stats:
        if _stat(path) != stat:
            return None
    return [tuple(item) for item in found]  # type: ignore[misc]


def _store_scan(key: tuple[object, ...], found: list[tuple[str, str, str]]) -> None:
    import marshal

    from octavo import cache

    fmt, version, folders, stats = key
    # Racy: a change within the file system's timestamp granularity of the key's stat can leave
    # the stat unchanged. Store only a key whose stats are all older than that (as git does).
    newest = max((stat[0] for _, stat in stats if stat), default=0)  # type: ignore[attr-defined]
    if time.time_ns() - newest < _SETTLED_NS:
        return
    target = _cache_file(folders)  # type: ignore[arg-type]
    try:
        cache.write_file(target, marshal.dumps((fmt, version, folders, stats, found)),
                         prefix=target.name)
        older = sorted(target.parent.glob("entry-points-*.marshal"),
                       key=lambda p: p.stat().st_mtime_ns, reverse=True)[_CACHE_KEEP:]
        for path in older:
            path.unlink(missing_ok=True)
    except OSError:  # a read-only or full cache folder only costs the next start the scan
        pass


def _discover(group: str) -> dict[str, PluginEntry]:
    found: dict[str, PluginEntry] = {}
    for ep in (ep for ep in _all_entry_points() if ep.group == group):
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
def reader_entry_points() -> dict[str, PluginEntry]:
    found = _discover(READERS_GROUP)
    if not found:
        raise PluginError("no readers are registered", hint="install octavo with `pip install -e .`")
    return found


@functools.cache
def writer_entry_points() -> dict[str, PluginEntry]:
    found = _discover(WRITERS_GROUP)
    if not found:
        raise PluginError("no writers are registered", hint="install octavo with `pip install -e .`")
    return found


def _load(ep: PluginEntry, kind: str) -> type:
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


def _extensions_of(name: str, ep: PluginEntry) -> frozenset[str]:
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
