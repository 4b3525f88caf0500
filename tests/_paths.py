"""Where the tests find the project's files, however deep in tests/ a test module sits."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
# Inputs the tests read: schemas and old-schema logs (data), logs written by old releases (golden).
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
DOCS = ROOT / "docs"
SRC = ROOT / "src"
EXAMPLE = SRC / "repatevents" / "data" / "example_ledger.jsonl"
