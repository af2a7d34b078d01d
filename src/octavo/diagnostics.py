"""Warnings: recoverable problems that readers and writers report instead of raising.

A collector lives in a ContextVar that the API sets up per conversion, so warnings stay with the
file they belong to, across threads and processes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    """A stable short name such as "no-title" or "image-missing", for scripts and --strict."""
    message: str

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


_collector: ContextVar[list[Diagnostic] | None] = ContextVar("octavo_diagnostics", default=None)


def warn(code: str, message: str) -> None:
    sink = _collector.get()
    if sink is not None and not any(d.code == code and d.message == message for d in sink):
        sink.append(Diagnostic(code, message))


@contextlib.contextmanager
def collecting() -> Iterator[list[Diagnostic]]:
    """Collect the warnings raised inside the block into the yielded list."""
    sink: list[Diagnostic] = []
    token = _collector.set(sink)
    try:
        yield sink
    finally:
        _collector.reset(token)
