"""What the table commands print with --json: typed values, and lists as JSON arrays."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from repatevents import Ledger, read_jsonl
from repatevents._tables import Column, ColumnType, Table
from repatevents.cli import main
from repatevents.cli._render import json_records

EXAMPLE = Path(__file__).parent.parent / "src" / "repatevents" / "data" / "example_ledger.jsonl"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    with Ledger.open(path) as opened:
        opened.record_many(read_jsonl(EXAMPLE))
    return path


def _json(ledger: Path, command: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, ["--ledger", str(ledger), command, "--json"])
    assert 0 == result.exit_code, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_operations_json_gives_facilitators_and_sources_as_arrays(ledger: Path) -> None:
    """An operation's facilitators, sources and addresses are arrays, not joined text."""
    rows = {row["operation"]: row for row in _json(ledger, "operations")}
    assert ["United States", "UNICEF", "ICRC"] == rows["KGZ-2023-08"]["facilitators"]
    assert all(isinstance(row[key], list) for row in rows.values() for key in ("sources", "urls"))
    assert [] == rows["KAZ-2019-01"]["facilitators"]


def test_quality_json_gives_the_reports_involved_as_an_array(ledger: Path) -> None:
    """A finding's report ids are an array of ids, as many as its count."""
    rows = _json(ledger, "quality")
    assert rows
    for row in rows:
        assert isinstance(row["events"], list)
        assert row["event_count"] == len(row["events"])


def test_totals_json_gives_other_nationalities_as_an_array(ledger: Path) -> None:
    """The totals' other nationalities are an array (empty when there are none)."""
    assert all(isinstance(row["nationalities"], list) for row in _json(ledger, "totals"))


def test_json_records_split_only_list_columns() -> None:
    """Only a column with a separator becomes an array; others keep their cell as it is."""
    table = Table(
        "t",
        "T",
        [Column("a", "A", ColumnType.TEXT, separator="; "), Column("b", "B", ColumnType.TEXT)],
        [("x; y", "x; y"), (None, None)],
    )
    assert [{"a": ["x", "y"], "b": "x; y"}, {"a": [], "b": None}] == json_records(table)
