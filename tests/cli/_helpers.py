"""What the CLI's tests share: running a command on a ledger, and what it left there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from repatevents import Ledger
from repatevents.cli import main

HEADER = "country,date,origin,publisher,total,women,children,published\n"


def run(ledger: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--ledger", str(ledger), *args], catch_exceptions=False)


def fingerprint(path: Path) -> tuple[int, str]:
    """The head position and the last record's hash: what 'unchanged' means for a ledger."""
    with Ledger.open(path) as ledger:
        head = ledger.head
        last = list(ledger.store.read(after=head - 1)) if head else []
    return head, last[0].hash if last else ""


def write_sheet(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


# -- every command prints JSON for programs ---------------------------------------------------
def stdout_json(result: Result) -> Any:
    """The JSON document a command printed on stdout (notes and warnings go to stderr)."""
    assert 0 == result.exit_code, result.output
    return json.loads(result.stdout)


IMPORT_KEYS = ("file", "read", "recorded", "already_in_ledger", "position", "dry_run", "warnings")


ANALYST = {"publisher": "Analyst"}


def write_jsonl(tmp_path: Path, *records: dict[str, Any] | str, name: str = "e.jsonl") -> Path:
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
