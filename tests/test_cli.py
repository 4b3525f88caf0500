"""The command line: every command on the example ledger, and clean errors for bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from repatevents import Ledger
from repatevents.cli import main

EXAMPLE = Path(__file__).parent.parent / "src" / "repatevents" / "data" / "example_ledger.jsonl"

HEADER = "country,date,origin,publisher,total,women,children,published\n"


def run(ledger: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--ledger", str(ledger), *args], catch_exceptions=False)


def fingerprint(path: Path) -> tuple[int, str]:
    """The head position and the last record's hash: what 'unchanged' means for a ledger."""
    with Ledger.open(path) as ledger:
        head = ledger.head
        last = list(ledger.store.read(after=head - 1)) if head else []
    return head, last[0].hash if last else ""


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    result = run(path, "import", str(EXAMPLE))
    assert 0 == result.exit_code, result.output
    return path


def write_sheet(tmp_path: Path, rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "sheet.csv"
    path.write_text(header + rows, encoding="utf-8")
    return path


def test_import_records_every_example_event_and_reimport_records_nothing(ledger: Path) -> None:
    """Importing the example file records its 28 events; importing it again records none."""
    assert 28 == fingerprint(ledger)[0]
    again = run(ledger, "import", str(EXAMPLE))
    assert 0 == again.exit_code
    assert "0 recorded, 28 already in the ledger" in again.output
    assert 28 == fingerprint(ledger)[0]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("totals", "Kyrgyzstan"),
        ("operations", "KGZ"),
        ("timeseries", "2023-12"),
        ("remaining", "al-Hol"),
        ("reconcile", "333"),
        ("quality", ""),
    ],
)
def test_every_query_command_prints_a_table(ledger: Path, command: str, expected: str) -> None:
    """Each projection command prints a titled table on the example ledger."""
    result = run(ledger, command)
    assert 0 == result.exit_code, result.output
    assert expected in result.output


@pytest.mark.parametrize(
    "command", ["totals", "operations", "timeseries", "remaining", "reconcile", "quality"]
)
def test_every_query_command_prints_json_records(ledger: Path, command: str) -> None:
    """--json prints a JSON list of records for programs."""
    result = run(ledger, command, "--json")
    assert 0 == result.exit_code, result.output
    assert isinstance(json.loads(result.output), list)


def test_country_filter_keeps_only_that_country(ledger: Path) -> None:
    """--country takes a name and keeps only that country's rows."""
    records = json.loads(run(ledger, "totals", "--country", "Kyrgyz Republic", "--json").output)
    assert {"KGZ"} == {r["country"] for r in records}


def test_as_of_excludes_later_operations(ledger: Path) -> None:
    """--as-of 2019-12-31 counts only the 2019 operations: Kazakhstan's and Sweden's."""
    records = json.loads(run(ledger, "totals", "--as-of", "2019-12-31", "--json").output)
    assert {"KAZ", "SWE"} == {r["country"] for r in records}


def test_known_at_position_zero_sees_an_empty_ledger(ledger: Path) -> None:
    """--known-at 0 answers as the ledger stood before anything was recorded."""
    assert [] == json.loads(run(ledger, "totals", "--known-at", "0", "--json").output)


def test_policies_lists_the_default(ledger: Path) -> None:
    """`policies` names every policy and marks the default."""
    result = run(ledger, "policies")
    assert "conservative (default)" in result.output


def test_export_csv_writes_a_readable_totals_file(ledger: Path, tmp_path: Path) -> None:
    """`export csv --table totals` writes one CSV the csv module reads back."""
    out = tmp_path / "totals.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals")
    assert 0 == result.exit_code, result.output
    with open(out, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert "KGZ" in {row["country"] for row in rows}


def test_export_every_registered_format(ledger: Path, tmp_path: Path) -> None:
    """Every exporter the plugins command lists can export the example ledger."""
    report = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    formats = {name for p in report["plugins"] for name in p.get("exporters", [])}
    assert {"csv", "geojson", "xlsx"} <= formats
    for name in sorted(formats):
        target = tmp_path / f"out-{name}"
        result = run(ledger, "export", name, "-o", str(target))
        assert 0 == result.exit_code, (name, result.output)
        assert "wrote" in result.output


def test_verify_and_rebuild(ledger: Path) -> None:
    """`verify` checks every record; `rebuild` folds from zero to the head."""
    assert "28 records verified" in run(ledger, "verify").output
    assert "up to position 28" in run(ledger, "rebuild").output


def test_demo_writes_every_export_and_prints_totals(tmp_path: Path) -> None:
    """`demo DIR` builds the example ledger, writes every export and prints the totals."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")], catch_exceptions=False)
    assert 0 == result.exit_code, result.output
    assert "recorded 28 example events" in result.output
    assert (tmp_path / "demo" / "repatriations.geojson").exists()
    assert (tmp_path / "demo" / "repatriations.xlsx").exists()
    assert "Kyrgyzstan" in result.output


def test_import_sheet_with_map_and_relative_date(tmp_path: Path) -> None:
    """A sheet with other column names imports through --map; report words resolve dates."""
    sheet = write_sheet(
        tmp_path,
        "Kyrgyzstan,Wednesday,nes,The New Arab,95,31,64,2023-08-30\n",
        header="Nation,When,origin,Outlet,total,women,children,published\n",
    )
    path = tmp_path / "l.db"
    result = run(path, "import", str(sheet), "--map", "Nation=country,When=date,Outlet=publisher")
    assert 0 == result.exit_code, result.output
    with Ledger.open(path) as opened:
        (operation,) = opened.operations()
    assert ("KGZ", "2023-08-30", "Wednesday") == (
        operation.country,
        operation.date.to_text(),
        operation.date.raw,
    )


def test_dry_run_records_nothing(tmp_path: Path) -> None:
    """--dry-run validates the whole file and leaves the ledger as it was."""
    path = tmp_path / "l.db"
    result = run(path, "import", str(EXAMPLE), "--dry-run")
    assert 0 == result.exit_code
    assert "nothing recorded" in result.output
    assert not path.exists()


BAD_INPUTS = [
    ("unknown country", "Kyrgystan,2023-08-30,nes,X,95,31,64,\n", "did you mean 'Kyrgyzstan'"),
    ("impossible date", "KGZ,2023-02-30,nes,X,95,31,64,\n", "not a day of the calendar"),
    ("negative count", "KGZ,2023-08-30,nes,X,95,-31,64,\n", "must not be negative"),
    ("unknown place", "KGZ,2023-08-30,al-hool,X,95,31,64,\n", "did you mean 'al-hol'"),
    ("relative date without publication", "KGZ,Wednesday,nes,X,95,31,64,\n", "publication date"),
]


@pytest.mark.parametrize(("case", "row", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_sheet_rows_fail_cleanly_and_change_nothing(
    ledger: Path, tmp_path: Path, case: str, row: str, message: str
) -> None:
    """A bad row gives a one-line error naming the problem, exit 1, and an unchanged ledger."""
    before = fingerprint(ledger)
    good = "KGZ,2023-10-22,nes,X,83,21,62,\n"
    result = run(ledger, "import", str(write_sheet(tmp_path, good + row)))
    assert 1 == result.exit_code
    assert message in result.output
    assert "line 3" in result.output
    assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_missing_column_is_named(ledger: Path, tmp_path: Path) -> None:
    """A sheet without a required column is refused naming the column."""
    before = fingerprint(ledger)
    sheet = write_sheet(tmp_path, "KGZ,2023-08-30,95\n", header="country,date,total\n")
    result = run(ledger, "import", str(sheet))
    assert 1 == result.exit_code
    assert "origin" in result.output
    assert "required column is missing" in result.output
    assert before == fingerprint(ledger)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "no-such-file.jsonl"], "no such file"),
        (["import", "notes.txt"], "expected a .jsonl, .csv or .xlsx file"),
        (["export", "pdf", "-o", "x.pdf"], "no exporter is named 'pdf'"),
        (["totals", "--as-of", "31/12/2023"], "is not a date"),
        (["totals", "--policy", "loudest"], "is not a policy"),
        (["totals", "--country", "Atlantis"], "not a known ISO 3166-1 country"),
    ],
)
def test_bad_arguments_fail_cleanly(
    ledger: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    """Mistyped arguments end with a message and a non-zero exit, never a traceback."""
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    before = fingerprint(ledger)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = run(ledger, *args)
    finally:
        os.chdir(old)
    assert 0 != result.exit_code
    assert message in result.output
    assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_unwritable_output_path_fails_cleanly(ledger: Path, tmp_path: Path) -> None:
    """Exporting into a folder that cannot be created gives one clean error line."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run(ledger, "export", "geojson", "-o", str(blocker / "sub" / "out.geojson"))
    assert 1 == result.exit_code
    assert 1 == len(result.output.strip().splitlines())
    assert "Traceback" not in result.output


def test_query_on_a_missing_ledger_says_how_to_start(tmp_path: Path) -> None:
    """Asking an absent ledger for totals explains how to create one instead of creating it."""
    path = tmp_path / "absent.db"
    result = run(path, "totals")
    assert 0 != result.exit_code
    assert "import a file first" in result.output
    assert not path.exists()


def test_real_subprocess_runs_the_console_script(ledger: Path) -> None:
    """The installed `repatevents` script runs, and a user error exits 1 without a traceback."""
    script = Path(sys.executable).parent / "repatevents"
    env = {**os.environ, "REPATEVENTS_LEDGER": str(ledger)}
    ok = subprocess.run(
        [str(script), "totals", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert 0 == ok.returncode, ok.stderr
    assert "KGZ" in ok.stdout
    bad = subprocess.run(
        [str(script), "totals", "--country", "Narnia"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert 2 == bad.returncode
    assert "Traceback" not in bad.stderr
