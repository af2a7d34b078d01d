"""The `octavo` console script and `python -m octavo`: the command's process, set up before
the command's own imports.

The collector's passes over a heap that only grows while Typer, Click, reportlab, Pillow and
lxml are imported free nothing: they cost `--help` ~6 ms and a cold conversion 15-35 ms. The
command's process collects far less often (octavo's pool workers set their own pace, see
batch.py); library users' processes are left alone.
"""

import gc

COMMAND_GC = (100_000, 20, 10)
"""Collector thresholds (see gc.set_threshold) for the command's own process."""


def main() -> None:
    gc.set_threshold(*COMMAND_GC)
    from octavo.cli import main as command

    command()
