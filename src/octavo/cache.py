"""The per-user disk cache: data that is slow to build on every start and safe to rebuild.

Four things live here (in $XDG_CACHE_HOME/octavo, else ~/.cache/octavo): the unpacked language
model, parsed hyphenation patterns, parsed font tables and the cover's encoded blank pages (named
after octavo's and Pillow's versions and the page design instead of a source file). Each entry is named after its source
file's fingerprint (size and a hash of its first and last 64 KB), not its path or time, so a
reinstall or a second virtualenv with the same files reuses the entry instead of adding a copy,
and a changed file gets a new one. Writing an entry removes the older entries of the same source
name. Every reader of the cache falls back to building the data when the cache cannot be read or
written.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

_EDGE = 64 * 1024


def folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "octavo"


def fingerprint(path: Path) -> str:
    """Size plus a hash of both ends: stable across copies, different for a changed file."""
    size = path.stat().st_size
    digest = hashlib.blake2b(str(size).encode(), digest_size=8)
    with open(path, "rb") as src:
        digest.update(src.read(_EDGE))
        if size > 2 * _EDGE:
            src.seek(-_EDGE, os.SEEK_END)
            digest.update(src.read(_EDGE))
    return digest.hexdigest()


def entry(prefix: str, source: Path, suffix: str = "") -> Path:
    """The cache path for `source`: `<prefix><fingerprint><suffix>`; `prefix` names the source
    (e.g. "hyph-de_DE-") and is what stale entries are recognised by."""
    return folder() / f"{prefix}{fingerprint(source)}{suffix}"


def write_file(target: Path, data: bytes, prefix: str) -> None:
    """Write an entry whole or not at all (a racing process may win), then prune stale ones."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    prune(prefix, keep=target)


def publish_folder(staging: Path, target: Path, prefix: str) -> None:
    """Move a fully written folder into place (or drop it if another process won)."""
    try:
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return
    prune(prefix, keep=target)


def prune(prefix: str, keep: Path) -> None:
    """Remove entries of the same source other than `keep`: outdated versions of it."""
    try:
        siblings = list(keep.parent.glob(f"{prefix}*"))
    except OSError:
        return
    for old in siblings:
        if old == keep or old.name.startswith("."):
            continue
        try:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
        except OSError:
            pass
