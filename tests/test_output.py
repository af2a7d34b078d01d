"""Outputs are replaced whole or not at all, and names cannot climb out of their folder."""

from __future__ import annotations

import os
import sys

import pytest

from octavo.errors import OutputError
from octavo.output import atomic_write, safe_stem


def test_success_replaces_target_whole(tmp_path):
    target = tmp_path / "a.epub"
    target.write_bytes(b"old")
    with atomic_write(target) as fh:
        fh.write(b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.epub"]


def test_failure_keeps_old_output_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.epub"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write(b"half")
            raise RuntimeError("writer crashed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.epub"]


def test_interrupt_leaves_nothing(tmp_path):
    target = tmp_path / "b.pdf"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as fh:
            fh.write(b"half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_created(tmp_path):
    target = tmp_path / "new" / "deeper" / "a.epub"
    with atomic_write(target) as fh:
        fh.write(b"x")
    assert target.read_bytes() == b"x"


def test_an_existing_folder_is_not_created_again(tmp_path, monkeypatch):
    """A batch writes into one folder: only a missing one costs a mkdir."""
    from pathlib import Path

    made = []
    real_mkdir = Path.mkdir
    monkeypatch.setattr(Path, "mkdir", lambda self, *a, **k: (made.append(self),
                                                              real_mkdir(self, *a, **k)))
    with atomic_write(tmp_path / "a.epub") as fh:
        fh.write(b"x")
    assert made == []
    with atomic_write(tmp_path / "sub" / "a.epub") as fh:
        fh.write(b"y")
    assert made == [tmp_path / "sub"]
    assert (tmp_path / "sub" / "a.epub").read_bytes() == b"y"


def test_path_through_a_file_is_an_output_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError) as info:
        with atomic_write(tmp_path / "file" / "a.epub") as fh:
            fh.write(b"x")
    assert "-o" in str(info.value)


def test_full_disk_is_an_output_error_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError) as info:
        with atomic_write(target) as fh:
            fh.write(b"new")
    assert "No space left on device" in str(info.value) and "disk space" in str(info.value)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_unwritable_folder_is_an_output_error(tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(OutputError) as info:
        with atomic_write(tmp_path / "a.epub") as fh:
            fh.write(b"x")
    assert "Permission denied" in str(info.value) and "-o" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_an_output_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError):
            with atomic_write(folder / "a.epub") as fh:
                fh.write(b"x")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize(
    ("name", "stem"),
    [("../../etc/passwd", "passwd"), ("a b/c?.txt", "c-.txt"), ("...", "article"), ("Über", "Über"),
     ("/abs/x", "x"), ("", "article")],
)
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


def test_deferred_sync_skips_fsync_but_still_replaces_whole(tmp_path, monkeypatch):
    from octavo.output import deferred_sync

    calls: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd))
    with atomic_write(tmp_path / "a.epub") as fh:
        fh.write(b"one")
    assert len(calls) == 1
    with deferred_sync():
        with atomic_write(tmp_path / "b.epub") as fh:
            fh.write(b"two")
    assert len(calls) == 1
    assert (tmp_path / "b.epub").read_bytes() == b"two"
    with atomic_write(tmp_path / "c.epub") as fh:  # outside the block: durable again
        fh.write(b"three")
    assert len(calls) == 2


def test_a_batch_sync_flushes_each_file_system_of_its_folders_once(tmp_path, monkeypatch):
    from octavo import output

    calls: list[int] = []
    synced_all: list[bool] = []
    monkeypatch.setattr(os, "sync", lambda: synced_all.append(True))
    monkeypatch.setattr(output, "_syncfs", lambda: lambda fd: calls.append(fd) or 0)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    output.sync_all([tmp_path / "a", tmp_path / "b", tmp_path / "never-made"])
    assert len(calls) == 1 and synced_all == []  # a and b share a file system
    # syncfs failing, or missing, or no folder named: everything is synced.
    monkeypatch.setattr(output, "_syncfs", lambda: lambda fd: -1)
    output.sync_all([tmp_path / "a"])
    monkeypatch.setattr(output, "_syncfs", lambda: None)
    output.sync_all([tmp_path / "a"])
    output.sync_all([])
    assert synced_all == [True, True, True]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is Linux's")
def test_syncfs_is_found_and_works_on_linux(tmp_path):
    from octavo import output

    syncfs = output._syncfs()
    assert syncfs is not None
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        assert syncfs(fd) == 0
    finally:
        os.close(fd)
