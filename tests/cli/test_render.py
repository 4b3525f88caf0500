"""What the table commands print with --json: typed values, and lists as JSON arrays."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from _paths import EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents._tables import Column, ColumnType, Table
from repatevents.cli import main
from repatevents.cli._render import json_chunks, json_records, render_table

from ._helpers import run


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
    assert [{"a": ["x", "y"], "b": "x; y"}, {"a": [], "b": None}] == list(json_records(table))


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    st.lists(_JSON_VALUES, max_size=8),
    st.integers(1, 4),
)
def test_json_chunks_join_into_the_whole_document(records: list[Any], batch: int) -> None:
    """The pieces printed row by row are, joined, the document json.dumps gives for the list."""
    expected = json.dumps(records, ensure_ascii=False, indent=2)
    assert expected == "".join(json_chunks(iter(records), batch))


@pytest.mark.parametrize(
    "record",
    [
        {"id": "a", "n": 3, "ok": True, "none": None, "lat": 36.4, "names": ["x", "y"], "e": []},
        {"text": 'tab\there, line\nbreak, \x1f, "quoted" \\ Ḥasakah \u2028'},
        {"large": 1e16, "small": 1e-05, "neg": -0.0},
        {"nan": float("nan"), "inf": float("inf")},
        {"big": 2**70, "negative": -(2**63) - 1},
        {"nested": {"a": 1}, "tuple": (1, 2)},
    ],
)
def test_a_record_is_written_as_json_writes_it(record: dict[str, Any]) -> None:
    """Whichever encoder writes a record, the document is json.dumps's byte for byte: control
    characters, exponents, nan, integers past 64 bits, nested values."""
    expected = json.dumps([record], ensure_ascii=False, indent=2)
    assert expected == "".join(json_chunks([record]))


@pytest.mark.parametrize(
    "command",
    ["totals", "operations", "timeseries", "remaining", "reconcile", "quality", "sources"],
)
def test_table_json_is_the_document_printed_whole(ledger: Path, command: str) -> None:
    """--json, printed row by row, is byte for byte the indented document it always was."""
    result = CliRunner().invoke(main, ["--ledger", str(ledger), command, "--json"])
    assert 0 == result.exit_code, result.output
    whole = json.dumps(json.loads(result.stdout), ensure_ascii=False, indent=2) + "\n"
    assert whole == result.stdout


# -- tables people can read -------------------------------------------------------------------
def test_findings_and_explanations_are_not_cut(ledger: Path) -> None:
    """Quality messages and reconciliation explanations are printed whole, without a terminal."""
    with Ledger.open(ledger) as opened:
        messages = [f.message for f in opened.quality()]
        explanations = [r.explanation for r in opened.reconciliation()]
    quality = run(ledger, "quality").stdout
    reconcile = run(ledger, "reconcile").stdout
    assert all(m in quality for m in messages)
    assert all(e in reconcile for e in explanations)


def wide_table() -> Table:
    columns = [
        Column("name", "Name", ColumnType.TEXT),
        Column("place", "Place", ColumnType.TEXT),
        Column("count", "Count", ColumnType.INTEGER),
        Column("note", "Note", ColumnType.TEXT),
    ]
    rows = [("n" * 60, "p" * 60, 12_345, "the last column " * 6)]
    return Table("t", "A table", columns, rows)


def test_render_fits_the_terminal_and_never_cuts_the_last_column() -> None:
    """With a known width, the shortenable columns are cut to fit; the last column never is."""
    text = render_table(wide_table(), width=100)
    row = text.splitlines()[4]
    assert ("the last column " * 6).strip() in row
    assert "12,345" in row
    assert "…" in row
    assert len(row) - len(("the last column " * 6).strip()) <= 100
    assert render_table(wide_table(), width=100, wide=True).count("n" * 60) == 1
    assert render_table(wide_table(), width=1000).count("p" * 60) == 1


def test_wide_never_cuts(ledger: Path) -> None:
    """--wide prints every cell whole (addresses included)."""
    with Ledger.open(ledger) as opened:
        urls = [r.url for r in opened.reconciliation() if r.url]
    out = run(ledger, "reconcile", "--wide").stdout
    assert all(url in out for url in urls)
    assert not all(url in run(ledger, "reconcile").stdout for url in urls)


def test_terminal_width_is_honoured(ledger: Path) -> None:
    """With COLUMNS set, a table whose cuts can fit the terminal is no wider than it."""
    result = CliRunner(env={"COLUMNS": "150"}).invoke(
        main, ["--ledger", str(ledger), "events", "--type", "stock-observed"]
    )
    assert 0 == result.exit_code, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 150


def test_json_chunks_leave_no_garbage_for_the_paused_collector() -> None:
    """Printing records leaves no reference cycles: table commands print with the collector off."""
    records = [{"check": "syndicated", "events": ["a", "b"], "event_count": 2}] * 50
    enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        assert "".join(json_chunks(iter(records)))
        assert 0 == gc.collect()
    finally:
        if enabled:
            gc.enable()
