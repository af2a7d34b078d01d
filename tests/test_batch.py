"""Batch planning: inputs expand predictably and never share an output file."""

from __future__ import annotations

from pathlib import Path

from octavo.batch import expand_inputs, plan_outputs


def test_expand_files_folders_and_globs(tmp_path):
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/b.txt", "d/sub/a.txt", "d/skip.bin", "d/.hidden.txt", "x.txt", "y.json"):
        (tmp_path / name).write_text("t")
    found = expand_inputs([tmp_path / "x.txt", tmp_path / "d", str(tmp_path / "*.json"),
                           tmp_path / "x.txt", tmp_path / "missing.txt"])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["x.txt", "d/b.txt", "d/sub/a.txt", "y.json", "missing.txt"]


def test_collisions_get_distinct_names_deterministically(tmp_path):
    inputs = [Path("in/a.txt"), Path("in/a.json"), Path("other/a.txt"), Path("b.txt")]
    plans, notes = plan_outputs(inputs, ("epub", "pdf"), tmp_path)
    epubs = [p["epub"].name for p in plans]
    assert epubs == ["a.epub", "a-json.epub", "a-txt.epub", "b.epub"]
    assert len({p["pdf"] for p in plans}) == 4
    assert len(notes) == 4 and "a.epub" in notes[0]
    assert plan_outputs(inputs, ("epub", "pdf"), tmp_path) == (plans, notes)


def test_a_local_batch_syncs_once_instead_of_per_file(tmp_path, monkeypatch):
    import os

    import octavo
    from octavo import output

    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(f"Title {name}\n\nSome text of article {name} "
                                              "that is long enough to read.\n")
    fsyncs: list[int] = []
    syncs: list[bool] = []
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd))
    monkeypatch.setattr(output, "sync_all", lambda: syncs.append(True))
    monkeypatch.setattr("octavo.batch.sync_all", lambda: syncs.append(True))
    report = octavo.convert_many(sorted(tmp_path.glob("*.txt")), to=["epub"],
                                 output_dir=tmp_path / "out", jobs=1)
    assert len(report.ok) == 3
    assert fsyncs == [] and syncs == [True]
    # One input: its file is fsynced as it is written, and nothing else is synced.
    report = octavo.convert_many([tmp_path / "a.txt"], to=["epub"], output_dir=tmp_path / "one",
                                 jobs=1)
    assert len(report.ok) == 1 and len(fsyncs) == 1 and syncs == [True]
