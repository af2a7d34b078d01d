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
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd))
    syncs: list[set[Path]] = []
    monkeypatch.setattr(output, "sync_all", lambda folders: syncs.append(set(folders)))
    monkeypatch.setattr("octavo.batch.sync_all", lambda folders: syncs.append(set(folders)))
    report = octavo.convert_many(sorted(tmp_path.glob("*.txt")), to=["epub"],
                                 output_dir=tmp_path / "out", jobs=1)
    assert len(report.ok) == 3
    assert fsyncs == [] and syncs == [{tmp_path / "out"}]  # the folder written to, once
    # One input: its file is fsynced as it is written, and nothing else is synced.
    report = octavo.convert_many([tmp_path / "a.txt"], to=["epub"], output_dir=tmp_path / "one",
                                 jobs=1)
    assert len(report.ok) == 1 and len(fsyncs) == 1 and len(syncs) == 1


def test_own_pool_sends_inputs_in_chunks_and_reports_each_in_order(tmp_path, monkeypatch):
    """Chunks cut the parent's per-input cost; each input still gets its own report, in order,
    and a broken one in the middle of a chunk fails alone."""
    import octavo
    from octavo import batch

    for i in range(20):
        (tmp_path / f"a{i:02}.txt").write_text(f"Title {i}\n\nSome text of article {i} that is "
                                               "long enough to read and to convert.\n")
    (tmp_path / "a05.txt").write_bytes(b"\x00\x01\x02" * 50)  # binary: fails
    sizes: list[int] = []
    real = batch._convert_chunk
    monkeypatch.setattr(batch, "_convert_chunk", lambda calls: sizes.append(len(calls)) or real(calls))
    from concurrent.futures import ThreadPoolExecutor

    class Pool(ThreadPoolExecutor):  # stands in for the process pool (so the spy is seen)
        def __init__(self, max_workers: int, initializer: object = None) -> None:
            super().__init__(max_workers)  # (workers' gc pace is not for this test process)

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Pool)
    report = octavo.convert_many([tmp_path], to=["epub"], output_dir=tmp_path / "out", jobs=2)
    assert [Path(i.input).name for i in report.items] == [f"a{i:02}.txt" for i in range(20)]
    assert [Path(i.input).name for i in report.failed] == ["a05.txt"]
    assert len(report.ok) == 19 and sum(sizes) == 20 and max(sizes) == 2  # 20 // (4 * 2)


def test_a_task_that_dies_fails_each_of_its_inputs(tmp_path):
    from concurrent.futures import Future

    from octavo import batch

    class Dying:
        def submit(self, fn, calls):
            future: Future = Future()
            if calls[0][0] == "c":
                future.set_exception(RuntimeError("killed"))
            else:
                future.set_result([batch.ItemReport(call[0], "ok") for call in calls])
            return future

    calls = [(name,) for name in "abcdefg"]
    seen: dict[int, batch.ItemReport] = {}
    batch._run_windowed(Dying(), calls, seen.__setitem__, window=2, chunk=2)
    assert [seen[i].input for i in range(7)] == list("abcdefg")
    assert [seen[i].status for i in range(7)] == ["ok", "ok", "failed", "failed", "ok", "ok", "ok"]
    assert "killed" in seen[2].error


def test_own_pool_workers_collect_garbage_less_often(tmp_path, monkeypatch):
    """octavo's own workers run the collector at their own pace (a tenth of a PDF's CPU went
    to full passes over long-lived caches); the pool is made with that start-up."""
    import gc
    from concurrent.futures import ProcessPoolExecutor

    import octavo
    from octavo import batch

    with ProcessPoolExecutor(1, initializer=batch._start_worker) as pool:
        assert pool.submit(gc.get_threshold).result() == batch._WORKER_GC
    assert batch._WORKER_GC[0] > gc.get_threshold()[0]  # this process keeps its own pace

    made: list[object] = []

    class Spy(ProcessPoolExecutor):
        def __init__(self, max_workers: int, initializer: object = None) -> None:
            made.append(initializer)
            super().__init__(max_workers, initializer=initializer)

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", Spy)
    for i in range(2):
        (tmp_path / f"a{i}.txt").write_text(f"Title {i}\n\nText of article {i}.\n")
    report = octavo.convert_many([tmp_path], to=["epub"], output_dir=tmp_path / "out", jobs=2)
    assert len(report.ok) == 2 and made == [batch._start_worker]
