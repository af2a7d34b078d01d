"""The command line: outputs, one-line errors, exit codes, reports; never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from octavo import serialize

ROOT = Path(__file__).parent.parent
SEED = ROOT / "seeds" / "000_5cae9f183acdf008.txt"
TEXT = Path(__file__).parent / "data" / "text"


def octavo(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "octavo", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr


def test_version_and_formats():
    assert octavo("--version").stdout.strip().startswith("octavo ")
    out = octavo("formats").stdout
    for line in ("text", ".txt", "json", "epub", ".epub", "pdf", ".pdf"):
        assert line in out


def test_convert_seed_to_epub_and_pdf(tmp_path):
    result = octavo("convert", str(SEED), "--to", "epub", "--to", "pdf", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "000_5cae9f183acdf008.epub", "000_5cae9f183acdf008.pdf"]
    assert "--title" in result.stderr  # the derived-title warning names the override
    assert "1 converted, 0 failed" in result.stderr


def test_missing_file_is_one_line_and_writes_nothing(tmp_path):
    result = octavo("convert", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "out"))
    assert_clean_error(result, 1)
    assert f"octavo: {tmp_path / 'nope.txt'}: no such file — check the path" in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "docx"], "unknown output format 'docx'"),
        (["--page-size", "b5", "--to", "pdf"], "unknown page size"),
        (["--lang", "not a tag"], "is not a language tag"),
        (["--date", "13.07.2025"], "is not a date"),
        (["--from", "rtf"], "unknown input format 'rtf'"),
    ],
)
def test_usage_mistakes_exit_2_with_a_hint(tmp_path, args, message):
    result = octavo("convert", str(SEED), "-o", str(tmp_path), *args)
    assert_clean_error(result, 2)
    assert message in result.stderr and " — " in result.stderr
    assert not any(tmp_path.iterdir())


def test_batch_goes_on_past_a_bad_file_and_reports(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("gum_news_stampede.txt", "frwikinews-44355.txt"):
        shutil.copy(TEXT / name, inputs / name)
    (inputs / "empty.txt").write_bytes(b"")
    report = tmp_path / "report.json"
    result = octavo("convert", str(inputs), "-o", str(tmp_path / "out"), "--report", str(report))
    assert_clean_error(result, 1)
    assert f"octavo: {inputs / 'empty.txt'}: the file is empty" in result.stderr
    data = json.loads(report.read_text())
    assert (data["converted"], data["failed"]) == (2, 1)
    failed = [i for i in data["items"] if i["status"] == "failed"]
    assert failed[0]["input"].endswith("empty.txt") and failed[0]["outputs"] == []
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "frwikinews-44355.epub", "gum_news_stampede.epub"]


def test_same_stem_inputs_do_not_share_an_output(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(TEXT / "gum_news_stampede.txt", tmp_path / "a" / "x.txt")
    shutil.copy(TEXT / "frwikinews-44355.txt", tmp_path / "b" / "x.txt")
    result = octavo("convert", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "would both write x.epub" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["x-txt.epub", "x.epub"]


def test_overrides_reach_the_model(tmp_path):
    result = octavo("inspect", str(SEED), "--lang", "de-AT")
    article = serialize.from_json(result.stdout)
    assert article.language == "de-AT" and article.authors == ("Thomas Mackintosh",)


def test_inspect_round_trips_through_the_json_reader(tmp_path):
    dumped = tmp_path / "seed.json"
    dumped.write_text(octavo("inspect", str(SEED)).stdout, encoding="utf-8")
    again = octavo("inspect", str(dumped))
    assert again.returncode == 0, again.stderr
    assert serialize.from_json(again.stdout) == serialize.from_json(dumped.read_text("utf-8"))


def test_skip_existing_resumes(tmp_path):
    out = tmp_path / "out"
    octavo("convert", str(TEXT / "gum_news_stampede.txt"), "-o", str(out))
    first = (out / "gum_news_stampede.epub").stat().st_mtime_ns
    result = octavo("convert", str(TEXT / "gum_news_stampede.txt"), "-o", str(out), "--skip-existing")
    assert result.returncode == 0
    assert (out / "gum_news_stampede.epub").stat().st_mtime_ns == first


_AS_ON_A_TERMINAL = (
    "import os, signal, sys\n"
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})\n"
    "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])\n"
)
"""Run a command with Ctrl-C delivered and handled by default, as a shell starts one. A child
inherits ignored and blocked signals, and in full test runs in a fresh clone the command
ignored Ctrl-C (it converted all 240 inputs and exited 0)."""


def test_interrupted_batch_leaves_no_partial_file(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    # Enough inputs that the batch is still running when Ctrl-C comes, however fast it goes.
    for i in range(240):
        shutil.copy(TEXT / "dewiki-Abitur.txt", inputs / f"a{i:03}.txt")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", _AS_ON_A_TERMINAL, "-m", "octavo", "convert",
                             str(inputs), "-o", str(out), "--to", "pdf", "-j", "2", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not (out.exists() and any(out.glob("*.pdf"))):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, as on a terminal
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (stderr, len(list(out.glob("*.pdf"))))
    assert "Traceback" not in stderr
    leftovers = [p.name for p in out.iterdir() if not p.name.endswith(".pdf") or p.name.startswith(".")]
    assert leftovers == []
    finished = list(out.glob("*.pdf"))
    assert 0 < len(finished) < 240
    for pdf in finished:
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


def test_source_date_epoch_gives_identical_bytes(tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1752400000"}
    outputs = []
    for run in ("a", "b"):
        subprocess.run([sys.executable, "-m", "octavo", "convert", str(SEED), "--to", "epub",
                        "--to", "pdf", "-o", str(tmp_path / run), "-q"], env=env, check=True,
                       capture_output=True, timeout=300)
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / run).iterdir()})
    assert outputs[0].keys() == {"000_5cae9f183acdf008.epub", "000_5cae9f183acdf008.pdf"}
    assert outputs[0] == outputs[1]



def test_the_command_runs_the_collector_at_its_own_pace():
    """A cold start made ~30 (--help) to ~130 (a PDF) collections that freed nothing: the
    console script and `python -m octavo` raise the thresholds before the command's imports,
    and importing octavo (a library user's process) leaves them alone."""
    from importlib.metadata import entry_points

    script = entry_points(group="console_scripts")["octavo"]
    assert script.value == "octavo._console:main"
    probe = """if True:
        import gc, sys
        before = gc.get_threshold()
        import octavo, octavo.api, octavo.cli
        assert gc.get_threshold() == before, "a library import changed the collector"
        from octavo import _console
        sys.argv = ["octavo", "--version"]
        try:
            _console.main()
        except SystemExit:
            pass
        print(gc.get_threshold() == _console.COMMAND_GC != before)
    """
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True"), result.stdout
