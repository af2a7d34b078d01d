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
