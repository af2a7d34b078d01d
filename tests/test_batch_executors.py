"""convert_many runs on any concurrent.futures.Executor: a process pool here, a Dask cluster there."""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from octavo.batch import convert_many

TEXT = Path(__file__).parent / "data" / "text"
SAMPLES = ["gum_news_stampede.txt", "frwikinews-44355.txt", "ruwikinews-26281.txt",
           "klexikon-Wolfgang_Petry.txt", "inaugural-1793-Washington.txt"]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SAMPLES:
        shutil.copy(TEXT / name, folder / name)
    (folder / "broken.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    return folder


def _check(report, out: Path) -> None:
    assert len(report.ok) == len(SAMPLES)
    [bad] = report.failed
    assert bad.input.endswith("broken.txt") and "binary" in bad.error
    assert sorted(p.name for p in out.iterdir()) == sorted(Path(n).stem + ".epub" for n in SAMPLES)
    json.dumps(report.to_dict())  # the report is plain data


def test_process_pool_default(inputs, tmp_path):
    out = tmp_path / "out"
    report = convert_many([inputs], to=["epub"], output_dir=out, jobs=2)
    _check(report, out)
    # Results come back in input order whatever order they finished in.
    assert [Path(i.input).name for i in report.items] == sorted(SAMPLES + ["broken.txt"])


def test_any_executor(inputs, tmp_path):
    out = tmp_path / "out"
    with ThreadPoolExecutor(2) as pool:
        report = convert_many([inputs], to=["epub"], output_dir=out, executor=pool)
    _check(report, out)


def test_dask_distributed_executor(inputs, tmp_path):
    if os.environ.get("CI") == "true":
        import distributed  # CI installs the test extra: a missing Dask must fail, not skip
    else:
        distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        report = convert_many([inputs], to=["epub"], output_dir=out,
                              executor=client.get_executor())
    _check(report, out)
