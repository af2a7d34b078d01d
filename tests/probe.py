"""Run code in a fresh interpreter: for what only a new process shows (imports, start-up)."""

from __future__ import annotations

import subprocess
import sys


def fresh_python_words(code: str, *, timeout: float = 120) -> list[str]:
    """The words a fresh interpreter running `code` prints (it must exit 0)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=timeout)
    return done.stdout.split()
