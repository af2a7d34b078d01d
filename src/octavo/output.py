"""Writing outputs safely: temp file in the target folder, renamed into place on success."""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from octavo.errors import OutputError


_durable: contextvars.ContextVar[bool] = contextvars.ContextVar("octavo_durable", default=True)


@contextlib.contextmanager
def deferred_sync() -> Iterator[None]:
    """Within this block, outputs are not flushed to disk one by one (fsync costs about a
    millisecond a file, a sixth of a batch's time); the caller syncs once at the end with
    `sync_all()`. Each file still appears whole or not at all."""
    token = _durable.set(False)
    try:
        yield
    finally:
        _durable.reset(token)


def can_defer_sync() -> bool:
    return hasattr(os, "sync")


def sync_all(folders: Iterable[Path] = ()) -> None:
    """Flush what was written into `folders`: the file systems holding them, each once (Linux's
    syncfs, so a batch does not wait for other disks' writes); every file system (os.sync)
    where syncfs is missing or fails, or no folder is named."""
    folders = list(folders)
    syncfs = _syncfs() if folders else None
    if syncfs is not None and _sync_each(folders, syncfs):
        return
    if hasattr(os, "sync"):
        os.sync()


def _sync_each(folders: list[Path], syncfs: Callable[[int], int]) -> bool:
    """syncfs once per file system of the folders; False when one call fails."""
    synced: set[int] = set()
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue  # never created: no input got as far as writing there
        try:
            device = os.fstat(fd).st_dev
            if device not in synced:
                if syncfs(fd) != 0:
                    return False
                synced.add(device)
        finally:
            os.close(fd)
    return True


def _syncfs() -> Callable[[int], int] | None:
    """libc's syncfs(fd), where there is one (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


@contextlib.contextmanager
def atomic_write(target: Path) -> Iterator[BinaryIO]:
    """Yield a file to write; it replaces `target` whole on success and vanishes on failure."""
    folder = target.parent
    try:
        # A batch writes many files into one existing folder: one stat instead of a failing
        # mkdir (and its exception) per file.
        if not os.path.isdir(folder):
            folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"cannot create folder {folder}: a file of that name is in the way",
                          hint="choose another output folder with -o") from None
    except OSError as exc:
        raise OutputError(f"cannot create folder {folder}: {exc.strerror}",
                          hint="choose another output folder with -o") from None
    if target.is_dir():
        raise OutputError(f"{target} is a folder", hint="choose another output name")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror}",
                          hint="check the folder's permissions or choose another with -o") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if _durable.get():
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror}",
                          hint="free some disk space or choose another folder with -o") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_stem(name: str) -> str:
    """A file-name stem that cannot climb out of a folder or upset a file system."""
    stem = unicodedata.normalize("NFC", Path(name).name)
    stem = _UNSAFE.sub("-", stem).strip(".-_")[:120]
    return stem or "article"
