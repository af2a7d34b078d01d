"""What `octavo inspect` prints reads back to an equal Article, for every reader's real output."""

from __future__ import annotations

from pathlib import Path

import pytest

import octavo
from octavo import serialize

DATA = Path(__file__).parent / "data"
SAMPLES = sorted(p for sub in ("text", "markdown", "html", "udhr") for p in (DATA / sub).iterdir()
                 if p.is_file())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_model_json_round_trips(path, tmp_path):
    article = octavo.read(path)
    dumped = tmp_path / "model.json"
    dumped.write_text(serialize.to_json(article), encoding="utf-8")
    again = octavo.read(dumped)
    assert again == article
