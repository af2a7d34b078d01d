"""DAISY Ace on octavo's EPUBs: no critical and no serious accessibility violations.

Ace needs Node and a Chromium; `.ci/run` installs both. Locally the test is skipped when
`ace-cli` is not on PATH, and it fails instead under CI=true.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import octavo

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
INPUTS = [
    ROOT / "seeds" / "000_5cae9f183acdf008.txt",
    DATA / "html" / "udhr-arb.html",
    DATA / "html" / "udhr-jpn.html",
    DATA / "markdown" / "programminghistorian__2019-04-08-bienvenue-ph-fr.md",
    DATA / "html" / "readability__002.html",
]


def _ace() -> tuple[str, dict[str, str]]:
    ace = shutil.which("ace-cli") or shutil.which("ace")
    chrome = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")
    if not ace or not chrome:
        if os.environ.get("CI") == "true":
            pytest.fail("DAISY Ace (ace-cli) and Chromium are required under CI")
        pytest.skip("DAISY Ace is not installed (npm install -g @daisy/ace-cli)")
    return ace, {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chrome}


def violations(report: dict) -> collections.Counter[tuple[str, str]]:
    found: collections.Counter[tuple[str, str]] = collections.Counter()
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
                test = assertion.get("earl:test", {})
                found[(test.get("earl:impact", "?"), test.get("dct:title", "?"))] += 1
    return found


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.name)
def test_no_critical_or_serious_violations(source, tmp_path):
    ace, env = _ace()
    result = octavo.convert(source, to=["epub"], output_dir=tmp_path)
    epub = result.outputs[0]
    out = tmp_path / "ace"
    subprocess.run([ace, "-s", "-f", "-o", str(out), "-t", str(tmp_path / "t"), str(epub)],
                   env=env, capture_output=True, text=True, timeout=300)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    bad = {k: n for k, n in violations(report).items() if k[0] in ("critical", "serious")}
    assert bad == {}
