"""The CLI tests' fixture: a ledger holding the example events, made with the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from _paths import EXAMPLE

from ._helpers import run


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    result = run(path, "import", str(EXAMPLE))
    assert 0 == result.exit_code, result.output
    return path
