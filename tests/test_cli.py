"""The command line: every command on the example ledger, and clean errors for bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from repatevents import Ledger, event_from_dict
from repatevents._tables import Column, ColumnType, Table
from repatevents.cli import main
from repatevents.cli._render import render_table
from repatevents.projections._checkpoint import SUMMARY_NAME, dumps_summary, loads_summary
from repatevents.store import SQLiteStore

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
    assert "recommended (default)" in result.output


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


def test_verify_finds_a_changed_summary_and_rebuild_replaces_it(ledger: Path) -> None:
    """A summary checkpoint whose KAZ total was raised tenfold (its hash left alone): verify
    exits 1 saying the cache does not match the log and that rebuild replaces it; after
    rebuild, totals say 274 again and verify passes."""
    run(ledger, "totals")
    with SQLiteStore(ledger) as store:
        saved = store.get_checkpoint(SUMMARY_NAME)
        assert saved is not None
        summary = loads_summary(saved[1], saved[0])
        assert summary is not None
        kaz = summary.countries["KAZ"].figs[0]
        kaz[:3] = [10 * figure for figure in kaz[:3]]
        store.put_checkpoint(SUMMARY_NAME, saved[0], dumps_summary(summary))
    refused = run(ledger, "verify")
    assert 1 == refused.exit_code
    assert refused.stderr.startswith(
        "error: the checkpoint 'projections-summary' saved at position 28 does not match the log"
    )
    assert "rebuild replaces it" in refused.stderr
    assert 0 == run(ledger, "rebuild").exit_code
    totals = stdout_json(run(ledger, "totals", "--json"))
    assert 274 == next(row for row in totals if row["country"] == "KAZ")["total_best"]
    assert "28 records verified" in run(ledger, "verify").output


def test_a_file_of_events_given_as_the_ledger_says_to_import_it(tmp_path: Path) -> None:
    """--ledger naming a file of events (the interchange format) says it is one, to import,
    rather than calling it damaged."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(EXAMPLE.read_bytes())
    result = run(events, "totals")
    assert 1 == result.exit_code
    assert (
        "this is a file of events to import (repatevents import FILE), not a ledger"
        in result.stderr
    )
    assert "damaged" not in result.stderr


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
    assert "the required column 'origin' is missing" in result.output
    assert "--map 'Their header=origin'" in result.output
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


# -- every command prints JSON for programs ---------------------------------------------------
def stdout_json(result: Result) -> Any:
    """The JSON document a command printed on stdout (notes and warnings go to stderr)."""
    assert 0 == result.exit_code, result.output
    return json.loads(result.stdout)


IMPORT_KEYS = ("file", "read", "recorded", "already_in_ledger", "position", "dry_run", "warnings")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["verify", "--json"], {"ledger", "verified", "intact", "head", "head_hash"}),
        (["rebuild", "--json"], {"ledger", "position"}),
        (["import", str(EXAMPLE), "--json"], set(IMPORT_KEYS)),
        (["import", str(EXAMPLE), "--dry-run", "--json"], set(IMPORT_KEYS)),
    ],
)
def test_ledger_commands_print_json(ledger: Path, args: list[str], expected: set[str]) -> None:
    """verify, rebuild and import print one JSON object with a stable set of keys."""
    assert expected == set(stdout_json(run(ledger, *args)))


def test_import_json_counts_what_was_recorded(tmp_path: Path) -> None:
    """import --json says how many events were read, recorded and already there."""
    path = tmp_path / "l.db"
    first = stdout_json(run(path, "import", str(EXAMPLE), "--json"))
    again = stdout_json(run(path, "import", str(EXAMPLE), "--json"))
    assert (str(EXAMPLE), 28, 28, 0, 28, False, []) == tuple(first[k] for k in IMPORT_KEYS)
    assert (28, 0, 28, 28) == (again["read"], again["recorded"], again["already_in_ledger"], 28)


def test_policies_json_marks_the_default(ledger: Path) -> None:
    """policies --json lists every policy with its description and which is the default."""
    policies = stdout_json(run(ledger, "policies", "--json"))
    assert [p["name"] for p in policies if p["default"]] == ["recommended"]
    assert all(set(p) == {"name", "description", "default"} for p in policies)


COMMANDS = [
    "import",
    "totals",
    "operations",
    "timeseries",
    "remaining",
    "reconcile",
    "quality",
    "events",
    "policies",
    "export",
    "verify",
    "rebuild",
    "repair",
    "plugins",
    "demo",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """`repatevents COMMAND --help` describes the command and exits 0."""
    result = CliRunner().invoke(main, [command, "--help"])
    assert 0 == result.exit_code, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"plugins", "demo"}))
def test_every_command_but_plugins_and_demo_prints_json(command: str) -> None:
    """Every command that answers from a ledger (and policies) offers --json."""
    assert "--json" in CliRunner().invoke(main, [command, "--help"]).output


# -- --country and --ledger everywhere --------------------------------------------------------
def test_quality_country_filter(ledger: Path) -> None:
    """quality --country keeps only that country's findings."""
    records = stdout_json(run(ledger, "quality", "--country", "Kyrgyzstan", "--json"))
    assert records
    assert {"KGZ"} == {r["country"] for r in records}


def test_quality_check_and_skip_filter_by_kind(ledger: Path) -> None:
    """quality --check keeps only the checks named; --skip leaves them out; an unknown name
    is refused with the list of checks."""
    every = {r["check"] for r in stdout_json(run(ledger, "quality", "--json"))}
    assert {"no-source-address", "origin-unclear"} <= every
    only = stdout_json(run(ledger, "quality", "--check", "origin-unclear", "--json"))
    assert {"origin-unclear"} == {r["check"] for r in only}
    rest = stdout_json(
        run(ledger, "quality", "--skip", "no-source-address", "--skip", "origin-unclear", "--json")
    )
    assert every - {"no-source-address", "origin-unclear"} == {r["check"] for r in rest}
    refused = run(ledger, "quality", "--check", "no-address")
    assert 2 == refused.exit_code
    assert "'no-address' is not a check; the checks are breakdown-does-not-add-up" in refused.output


def test_ledger_option_after_the_subcommand(ledger: Path, tmp_path: Path) -> None:
    """--ledger after the subcommand works, and wins over the one before it and the env var."""
    runner = CliRunner(env={"REPATEVENTS_LEDGER": str(tmp_path / "absent.db")})
    after = runner.invoke(main, ["totals", "--ledger", str(ledger), "--json"])
    assert "KGZ" in {r["country"] for r in stdout_json(after)}
    both = runner.invoke(
        main, ["--ledger", str(tmp_path / "other.db"), "verify", "--ledger", str(ledger)]
    )
    assert "28 records verified" in both.stdout
    assert not (tmp_path / "other.db").exists()
    default = runner.invoke(main, ["verify"])
    assert "absent.db" in default.output
    assert 0 != default.exit_code


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


def test_open_ranges_read_as_infinite_bounds(ledger: Path) -> None:
    """An open bound reads '-∞' or '∞', and a negative range 'to', never '––' or '–-'."""
    out = run(ledger, "reconcile", "--country", "KGZ").stdout
    assert "-271 (-∞ to -271)" in out
    assert "-142 (-142 to -4)" in out
    assert "600 (600–∞)" in out
    assert "––" not in out
    assert "–-" not in out


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


# -- exporter options and reproducible exports ------------------------------------------------
def test_export_options_reach_the_exporter(ledger: Path, tmp_path: Path) -> None:
    """-O bom=true -O hxl=true give Excel's BOM and an HXL row; -O flows=true GeoJSON lines."""
    out = tmp_path / "totals.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "-O", "bom=true")
    assert 0 == result.exit_code, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "--option", "hxl=true")
    assert out.read_text("utf-8").splitlines()[1].startswith("#country")
    geo = tmp_path / "map.geojson"
    assert 0 == run(ledger, "export", "geojson", "-o", str(geo), "-O", "flows=true").exit_code
    features = json.loads(geo.read_text("utf-8"))["features"]
    kinds = {f["geometry"]["type"] for f in features if f["geometry"] is not None}
    assert "LineString" in kinds


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("bomb=true", "has no option 'bomb'; its options are bom, hxl, titles"),
        ("bom=maybe", "option 'bom' of 'csv' is true or false, not 'maybe'"),
    ],
)
def test_bad_export_option_is_one_clean_line(
    ledger: Path, tmp_path: Path, option: str, message: str
) -> None:
    """An option the exporter does not take, or a wrong value, is one line naming it."""
    out = tmp_path / "out.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "-O", option)
    assert 1 == result.exit_code
    assert 1 == len(result.stderr.splitlines())
    assert message in result.stderr
    assert not out.exists()


def test_generated_at_makes_exports_byte_identical(ledger: Path, tmp_path: Path) -> None:
    """Two exports with the same --generated-at write the same bytes, metadata included."""
    written = []
    for name in ("a", "b"):
        folder = tmp_path / name
        args = ["export", "csv", "-o", str(folder), "--generated-at", "2024-03-01T12:00:00Z"]
        assert 0 == run(ledger, *args).exit_code
        written.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert written[0] == written[1]
    assert b"2024-03-01T12:00:00" in written[0]["metadata.csv"]


# -- --known-at -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "٣", "3x"])
def test_known_at_takes_only_ascii_digits_as_a_position(ledger: Path, value: str) -> None:
    """'²' and '٣' are not positions: a clean usage error, not a traceback or position 3."""
    result = run(ledger, "totals", "--known-at", value, "--json")
    assert 2 == result.exit_code
    assert "is neither a log position" in result.output
    assert "Traceback" not in result.output


def test_known_at_a_day_includes_that_day(ledger: Path) -> None:
    """--known-at DAY means the end of that day (UTC): what was recorded that day counts."""
    with Ledger.open(ledger) as opened:
        day = next(iter(opened.store.read())).recorded_at.date().isoformat()
    records = stdout_json(run(ledger, "totals", "--known-at", day, "--json"))
    assert "KGZ" in {r["country"] for r in records}


def test_known_at_before_the_first_event_says_so(ledger: Path) -> None:
    """A time before anything was recorded prints the empty answer and a note on stderr."""
    result = run(ledger, "totals", "--known-at", "2001-03-01", "--json")
    assert [] == stdout_json(result)
    assert result.stderr.startswith("note: the ledger held no events at the end of 2001-03-01")
    assert "its first event was recorded at" in result.stderr
    assert "" == run(ledger, "totals", "--known-at", "0", "--json").stderr


def test_known_at_help_says_it_is_the_recording_clock() -> None:
    """The option's help says known-at is when events were recorded, not published."""
    text = " ".join(CliRunner().invoke(main, ["totals", "--help"]).output.split())
    assert "when events were recorded in this ledger, not when reports were published" in text


# -- --country messages -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("unknown", "'unknown' is not a known ISO 3166-1 country code"),
        ("Kyrgystan", "'Kyrgystan' is not a known ISO 3166-1 country code, name or alias; did you"),
    ],
)
def test_unknown_country_names_the_value_and_suggestions(
    ledger: Path, value: str, message: str
) -> None:
    """An unknown --country shows the value typed and, when there are any, suggestions."""
    result = run(ledger, "totals", "--country", value)
    assert 2 == result.exit_code
    assert message in " ".join(result.output.split())
    if value == "Kyrgystan":
        assert "'Kyrgyzstan'" in result.output


# -- import: references, conflicts, JSON documents --------------------------------------------
GHOST = "00000000-0000-4000-8000-000000000001"
ANALYST = {"publisher": "Analyst"}


def write_jsonl(tmp_path: Path, *records: dict[str, Any] | str, name: str = "e.jsonl") -> Path:
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_warns_about_references_to_unknown_events(ledger: Path, tmp_path: Path) -> None:
    """A retraction naming an id neither ledger nor file holds is recorded, with a warning."""
    with Ledger.open(ledger) as opened:
        known = str(next(iter(opened.store.read(4, upto=5))).event.id)
    retraction = {"type": "report-retracted", "version": 2, "source": ANALYST, "retracts": GHOST}
    link = {"type": "reports-linked", "version": 2, "source": ANALYST, "reports": [known, GHOST]}
    file = write_jsonl(tmp_path, "", retraction, link)
    for args in (["--dry-run"], []):
        result = run(ledger, "import", str(file), *args)
        assert 0 == result.exit_code, result.output
        warnings_ = result.stderr.splitlines()
        assert 2 == len(warnings_)
        assert warnings_[0].startswith(f"warning: line 2: retracts names event '{GHOST}'")
        assert warnings_[1].startswith(f"warning: line 3: reports names event '{GHOST}'")
    assert 30 == fingerprint(ledger)[0]


def test_import_references_resolved_within_the_file_need_no_warning(tmp_path: Path) -> None:
    """A retraction of a report later in the same file is not dangling."""
    lines = EXAMPLE.read_text("utf-8").splitlines()
    target = changed_copy_of_line(5)["id"]
    retraction = {"type": "report-retracted", "version": 2, "source": ANALYST, "retracts": target}
    file = write_jsonl(tmp_path, retraction, *lines)
    result = run(tmp_path / "fresh.db", "import", str(file))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr


def changed_copy_of_line(number: int) -> dict[str, Any]:
    """The example's event on line ``number`` with its id kept and its total changed."""
    with Ledger.open(None) as scratch:
        scratch.import_jsonl(EXAMPLE)
        event = next(iter(scratch.store.read(number - 1, upto=number))).event
    record: dict[str, Any] = json.loads(EXAMPLE.read_text("utf-8").splitlines()[number - 1])
    record["id"] = str(event.id)
    record["people"] = {"total": 1234}
    return record


def test_dry_run_refuses_what_the_import_would_refuse(ledger: Path, tmp_path: Path) -> None:
    """An id stored with other content fails the dry run and the import alike, naming the line."""
    file = write_jsonl(tmp_path, json.loads(EXAMPLE.read_text("utf-8").splitlines()[0]), "")
    file.write_text(
        file.read_text("utf-8") + json.dumps(changed_copy_of_line(5)) + "\n", encoding="utf-8"
    )
    before = fingerprint(ledger)
    for args in (["--dry-run"], []):
        result = run(ledger, "import", str(file), *args)
        assert 1 == result.exit_code
        assert result.stderr.startswith("error: line 3: id: ")
        assert "already stored at position 5 with other content" in result.stderr
        assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_same_id_twice_in_a_file_names_both_lines(tmp_path: Path) -> None:
    """A file giving one id two contents is refused before anything is recorded."""
    original = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    with_id = dict(original, id=changed_copy_of_line(5)["id"])
    file = write_jsonl(tmp_path, with_id, changed_copy_of_line(5))
    result = run(tmp_path / "l.db", "import", str(file), "--dry-run")
    assert 1 == result.exit_code
    assert "line 2: id:" in result.stderr
    assert "line 1 of this file gives this id to other content" in result.stderr


@pytest.mark.parametrize("indent", [2, None])
def test_json_document_is_refused_with_one_line(tmp_path: Path, indent: int | None) -> None:
    """A pretty-printed JSON array (or object) is one error saying 'one JSON object per line'."""
    records = [json.loads(line) for line in EXAMPLE.read_text("utf-8").splitlines()]
    document = records if indent is None else records[0]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(document, indent=2 if indent is None else indent), "utf-8")
    result = run(tmp_path / "l.db", "import", str(path))
    assert 1 == result.exit_code
    assert 1 == len(result.stderr.splitlines())
    assert "one JSON object per line (JSON Lines)" in result.stderr
    assert not (tmp_path / "l.db").exists()


def test_ignore_unknown_columns(tmp_path: Path) -> None:
    """--ignore-unknown-columns imports a sheet with a column the importer does not know."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,31,64,,ours\n",
        header=HEADER.strip() + ",analyst_comment\n",
    )
    refused = run(tmp_path / "l.db", "import", str(sheet))
    assert 1 == refused.exit_code
    result = run(tmp_path / "l.db", "import", str(sheet), "--ignore-unknown-columns")
    assert 0 == result.exit_code, result.output
    assert "1 recorded" in result.stdout


def test_ignore_unknown_columns_names_what_it_left_out(tmp_path: Path) -> None:
    """The columns left out are listed on stderr, a misspelt one with the column it may mean."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,,64,,31,ours\n",
        header=HEADER.strip() + ",womens,analyst_comment\n",
    )
    for args in (["--dry-run"], [], ["--json"]):
        result = run(tmp_path / "l.db", "import", str(sheet), "--ignore-unknown-columns", *args)
        assert 0 == result.exit_code, result.output
        assert (
            "warning: --ignore-unknown-columns left out 2 columns, which no event holds: 'womens' "
            "(did you mean 'women'?), 'analyst_comment' (did you mean 'notes'?); rename a "
            "misspelt one with --map\n"
        ) == result.stderr


def test_import_json_prints_the_problems_of_a_refused_file(tmp_path: Path) -> None:
    """import --json on a refused file prints its problems as JSON on stdout, and exits 1."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,31,64,\nKyrgystan,2023-08-30,nes,X,95,31,64,\n"
        "KGZ,2023-08-31,nes,X,95,-31,64,\n",
    )
    for args in (["--json"], ["--json", "--dry-run"]):
        result = run(tmp_path / "l.db", "import", str(sheet), *args)
        assert 1 == result.exit_code
        document = json.loads(result.stdout)
        assert (str(sheet), "--dry-run" in args, 0) == (
            document["file"],
            document["dry_run"],
            document["recorded"],
        )
        assert [(3, "country", "Kyrgystan"), (4, "women", -31)] == [
            (e["line"], e["field"], e["value"]) for e in document["errors"]
        ]
        assert all(set(e) == {"line", "field", "value", "rule"} for e in document["errors"])
        assert "did you mean 'Kyrgyzstan'" in document["errors"][0]["rule"]
        assert "error: line 3: country:" in result.stderr
    assert not (tmp_path / "l.db").exists()


# -- import: a row edited in a sheet --------------------------------------------------------
KAZ = "KAZ,2023-02-10,al-hol,Kazinform,{total},,,2023-02-11\n"


def recorded_ids(path: Path) -> list[str]:
    with Ledger.open(path) as opened:
        return [str(envelope.event.id) for envelope in opened.store.read()]


def test_an_edited_row_is_recorded_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    """A row edited in the sheet is a new report: the import says it looks like an edit."""
    path = tmp_path / "l.db"
    first = "KGZ,2023-08-30,nes,X,95,31,64,\n"
    original = write_sheet(tmp_path, first + KAZ.format(total=615))
    assert 0 == run(path, "import", str(original)).exit_code
    kaz = recorded_ids(path)[1]
    edited = write_sheet(tmp_path, first + KAZ.format(total=853))
    expected = (
        f"warning: line 3: looks like an edit of the report at position 2 (id {kaz}): it has the "
        "same publisher, country and date but differs in people.total; record it as a "
        "correction with a supersedes column, or it counts as another operation\n"
    )
    for args in (["--dry-run"], []):
        result = run(path, "import", str(edited), *args)
        assert 0 == result.exit_code, result.output
        assert expected == result.stderr
    assert 3 == fingerprint(path)[0]
    again = run(path, "import", str(edited))
    assert ("", "0 recorded") == (again.stderr, again.stdout.split(", ")[1])


def test_a_supersedes_column_records_the_edit_as_a_correction(tmp_path: Path) -> None:
    """With the recorded report's id in supersedes, the edited row corrects it: 853, not 1,468."""
    path = tmp_path / "l.db"
    assert 0 == run(path, "import", str(write_sheet(tmp_path, KAZ.format(total=615)))).exit_code
    (kaz,) = recorded_ids(path)
    header = HEADER.strip() + ",supersedes\n"
    edited = write_sheet(tmp_path, KAZ.format(total=853).strip() + f",{kaz}\n", header=header)
    result = run(path, "import", str(edited))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr
    (record,) = stdout_json(run(path, "events", "--type", "report-corrected", "--json"))
    assert ([kaz], 853) == (record["refers_to"], record["total_best"])
    with Ledger.open(path) as opened:
        assert [853] == [t.people.total.best for t in opened.totals() if t.people.total]
    assert "0 recorded" in run(path, "import", str(edited)).stdout


def test_a_supersedes_naming_no_recorded_report_warns_at_its_row(tmp_path: Path) -> None:
    """A supersedes id the ledger does not hold is recorded with a warning naming the row."""
    header = HEADER.strip() + ",supersedes\n"
    sheet = write_sheet(tmp_path, KAZ.format(total=853).strip() + f",{GHOST}\n", header=header)
    result = run(tmp_path / "l.db", "import", str(sheet))
    assert 0 == result.exit_code, result.output
    assert result.stderr.startswith(f"warning: line 2: supersedes names event '{GHOST}'")


def test_an_edited_json_line_is_recorded_with_a_warning(ledger: Path, tmp_path: Path) -> None:
    """A JSON Lines report like one recorded, but for its figures, is warned of by its line."""
    with Ledger.open(ledger) as opened:
        target = next(iter(opened.store.read(4, upto=5))).event
    record = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    record["people"] = {"total": 1234}
    result = run(ledger, "import", str(write_jsonl(tmp_path, "", record)), "--dry-run")
    assert 0 == result.exit_code, result.output
    assert result.stderr.startswith(
        f"warning: line 2: looks like an edit of the report at position 5 (id {target.id})"
    )
    assert f'(a report-corrected event with "supersedes": "{target.id}")' in result.stderr


def test_edit_warnings_compare_with_the_reports_in_force_whatever_the_order(
    tmp_path: Path,
) -> None:
    """Reports in force are the fold's: a report whose correction was imported before it is
    compared in its corrected form, and one retracted before it was imported is not in force,
    so a row like it is not taken for an edit of it."""
    report = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    report_id = str(event_from_dict(report).id)
    corrected = {**report, "people": {"total": 1234}, "notes": "recount"}
    del corrected["version"]  # a replacement is read in its correction's version
    correction = {
        "type": "report-corrected",
        "version": 2,
        "source": ANALYST,
        "supersedes": report_id,
        "replacement": corrected,
    }
    edited = {**report, "people": {"total": 1300}}
    path = tmp_path / "l.db"
    assert (
        0 == run(path, "import", str(write_jsonl(tmp_path, correction, name="c.jsonl"))).exit_code
    )
    assert 0 == run(path, "import", str(write_jsonl(tmp_path, report, name="r.jsonl"))).exit_code
    result = run(path, "import", str(write_jsonl(tmp_path, edited)), "--dry-run")
    assert f"looks like an edit of the report at position 1 (id {report_id})" in result.stderr
    assert "differs in people.total, notes" in result.stderr  # against 1,234 and its note
    retracted = tmp_path / "retracted.db"
    retraction = {
        "type": "report-retracted",
        "version": 2,
        "source": ANALYST,
        "retracts": report_id,
    }
    batch = write_jsonl(tmp_path, retraction, report, name="both.jsonl")
    assert 0 == run(retracted, "import", str(batch)).exit_code
    result = run(retracted, "import", str(write_jsonl(tmp_path, edited)), "--dry-run")
    assert (0, "") == (result.exit_code, result.stderr)


# -- repair -----------------------------------------------------------------------------------
@pytest.fixture
def torn(tmp_path: Path) -> Path:
    """A JSON Lines ledger of the example whose last batch was cut off mid-write."""
    path = tmp_path / "ledger.jsonl"
    assert 0 == run(path, "import", str(EXAMPLE)).exit_code
    with open(path, "ab") as stream:
        stream.write(b'{"position":29,"recorded_at":"2026-')
    return path


def test_torn_tail_error_points_to_the_repair_command(torn: Path) -> None:
    """The torn-tail error names the CLI command, not a Python call."""
    result = run(torn, "totals")
    assert 1 == result.exit_code
    assert f"`repatevents --ledger {torn} repair` removes them" in result.stderr
    assert "JsonLinesStore" not in result.stderr


def test_repair_asks_then_cuts_only_the_torn_tail(torn: Path) -> None:
    """repair shows the bytes, cuts nothing when refused, and cuts them when confirmed."""
    size = torn.stat().st_size
    refused = CliRunner().invoke(main, ["--ledger", str(torn), "repair"], input="n\n")
    assert 1 == refused.exit_code
    assert '{"position":29,"recorded_at":"2026-' in refused.stderr
    assert size == torn.stat().st_size
    confirmed = CliRunner().invoke(main, ["--ledger", str(torn), "repair"], input="y\n")
    assert 0 == confirmed.exit_code, confirmed.output
    assert "cut 35 bytes; the log ends at position 28" in confirmed.stdout
    assert 28 == fingerprint(torn)[0]
    again = stdout_json(run(torn, "repair", "--yes", "--json"))
    assert {"ledger": str(torn), "removed_bytes": 0, "position": 28} == again


def test_repair_yes_does_not_ask(torn: Path) -> None:
    """--yes cuts at once."""
    result = run(torn, "repair", "--yes")
    assert 0 == result.exit_code, result.output
    assert 28 == fingerprint(torn)[0]


def test_repair_refuses_a_sqlite_ledger(ledger: Path) -> None:
    """A SQLite ledger is refused with a clear reason, and left alone."""
    before = fingerprint(ledger)
    result = run(ledger, "repair", "--yes")
    assert 1 == result.exit_code
    assert "is a SQLite ledger, which needs no repair" in result.stderr
    assert before == fingerprint(ledger)


# -- events -----------------------------------------------------------------------------------
def test_events_show_the_publisher_and_via(tmp_path: Path) -> None:
    """Three outlets carrying one wire story are three rows that say who published each."""
    rows = "".join(
        f"KGZ,2023-08-30,nes,{outlet},95,31,64,,AFP\n" for outlet in ("Outlet A", "Outlet B", "C")
    )
    path = tmp_path / "l.db"
    result = run(path, "import", str(write_sheet(tmp_path, rows, HEADER.strip() + ",via\n")))
    assert 0 == result.exit_code, result.output
    records = stdout_json(run(path, "events", "--json"))
    assert [("Outlet A", ["AFP"]), ("Outlet B", ["AFP"]), ("C", ["AFP"])] == [
        (r["publisher"], r["via"]) for r in records
    ]
    lines = run(path, "events", "--wide").stdout.splitlines()
    publisher, via = lines[2].index("Publisher"), lines[2].index("Via")
    assert [("Outlet A", "AFP"), ("Outlet B", "AFP"), ("C", "AFP")] == [
        (row[publisher:via].strip(), row[via:].split()[0]) for row in lines[4:]
    ]


def test_events_lists_ids_for_corrections(ledger: Path) -> None:
    """events shows every record's position, id and type; --json gives them to programs."""
    with Ledger.open(ledger) as opened:
        ids = [str(e.event.id) for e in opened.store.read()]
    out = run(ledger, "events").stdout
    assert all(event_id in out for event_id in ids)
    records = stdout_json(run(ledger, "events", "--json"))
    assert list(range(1, 29)) == [r["position"] for r in records]
    assert ids == [r["id"] for r in records]
    assert {
        "position",
        "id",
        "type",
        "recorded_at",
        "publisher",
        "via",
        "country",
        "place",
        "date",
        "total_low",
        "total_best",
        "total_high",
        "refers_to",
    } == set(records[0])


def test_events_filters_by_type_and_country(ledger: Path) -> None:
    """--type and --country keep only the matching events."""
    args = ["events", "--type", "operation-reported", "--country", "Kyrgyzstan", "--json"]
    records = stdout_json(run(ledger, *args))
    assert 4 == len(records)
    assert {("operation-reported", "KGZ")} == {(r["type"], r["country"]) for r in records}
    bad = run(ledger, "events", "--type", "operation")
    assert 2 == bad.exit_code
    assert "'operation' is not an event type" in bad.output


def test_events_show_what_a_correction_refers_to(tmp_path: Path) -> None:
    """A correction's row shows its replacement's figures and the id it supersedes."""
    path = tmp_path / "l.db"
    run(path, "import", str(EXAMPLE))
    with Ledger.open(path) as opened:
        target = next(iter(opened.store.read(4, upto=5))).event
    replacement = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    replacement.pop("version")
    replacement.pop("type")
    correction = {
        "type": "report-corrected",
        "version": 2,
        "source": ANALYST,
        "supersedes": str(target.id),
        "replacement": {"type": "operation-reported", **replacement, "people": {"total": 90}},
    }
    assert 0 == run(path, "import", str(write_jsonl(tmp_path, correction))).exit_code
    (record,) = stdout_json(run(path, "events", "--type", "report-corrected", "--json"))
    assert ([str(target.id)], 90, "KGZ") == (
        record["refers_to"],
        record["total_best"],
        record["country"],
    )


# -- plugin failures --------------------------------------------------------------------------
def test_broken_plugin_is_one_warning_line(ledger: Path, tmp_path: Path) -> None:
    """A plugin that fails to import is one 'warning: plugin NAME: …' line; the rest works."""
    site = tmp_path / "site"
    info = site / "broken_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-dist\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[repatevents]\nbroken = fake_broken_plugin\n")
    (site / "fake_broken_plugin.py").write_text("raise ImportError('no module named yaml')\n")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("REPATEVENTS_DISABLE_PLUGINS", None)
    script = Path(sys.executable).parent / "repatevents"
    out = tmp_path / "totals.csv"
    for args in (["plugins"], ["--ledger", str(ledger), "export", "csv", "-o", str(out)]):
        done = subprocess.run(
            [str(script), *args], capture_output=True, text=True, env=env, check=False
        )
        assert 0 == done.returncode, done.stderr
        assert [
            "warning: plugin broken (from broken-dist 1.0): importing 'fake_broken_plugin' "
            "raised ImportError: no module named yaml; it is not used"
        ] == done.stderr.splitlines()


def test_a_damaged_checkpoint_file_is_one_warning_line(tmp_path: Path) -> None:
    """The console script prints the library's warning about an unreadable checkpoint file as
    one line, and answers from the log."""
    path = tmp_path / "ledger.jsonl"
    assert 0 == run(path, "import", str(EXAMPLE)).exit_code
    Path(f"{path}.checkpoints").write_text('{"garbage')
    script = Path(sys.executable).parent / "repatevents"
    done = subprocess.run(
        [str(script), "--ledger", str(path), "totals"], capture_output=True, text=True, check=False
    )
    assert 0 == done.returncode, done.stderr
    lines = done.stderr.splitlines()
    assert 1 == len(lines), lines
    assert lines[0].startswith("warning: ")
    assert "KGZ" in done.stdout


def test_plugins_lists_each_exporter_with_its_options() -> None:
    """`repatevents plugins` shows where a plugin comes from, what each exporter writes and the
    -O options it takes, so a user can find `-O bom=true` without reading the docs."""
    result = CliRunner().invoke(main, ["plugins"])
    assert 0 == result.exit_code, result.output
    assert "builtin (loaded) from repatevents" in result.output
    assert "exporter csv (.csv): " in result.output
    assert "-O bom=…  bool, default false" in result.output


def test_import_dash_reads_standard_input_in_the_format_its_bytes_show(tmp_path: Path) -> None:
    """`import -` reads a sheet or JSON Lines piped in, with or without --format."""
    sheet = (HEADER + "KGZ,2023-08-30,nes,X,95,,,\n").encode()
    path = tmp_path / "l.db"
    runner = CliRunner()
    piped = runner.invoke(main, ["--ledger", str(path), "import", "-"], input=sheet)
    assert 0 == piped.exit_code, piped.output
    assert "<stdin>: 1 events read, 1 recorded" in piped.stdout
    events = EXAMPLE.read_bytes()
    as_jsonl = runner.invoke(
        main, ["--ledger", str(path), "import", "-", "--format", "jsonl"], input=events
    )
    assert 0 == as_jsonl.exit_code, as_jsonl.output
    assert "28 recorded" in as_jsonl.stdout


def test_import_help_lists_the_columns_and_their_aliases() -> None:
    """`import --help` shows every sheet column, with the other headers accepted for it."""
    from repatevents.importing._columns import COLUMNS

    shown = CliRunner().invoke(main, ["import", "--help"]).output
    assert all(column in shown for column in COLUMNS)
    assert "publisher (required; also: source, outlet, reported_by)" in shown
    assert "url (also: link, address)" in shown


def test_import_shows_no_progress_off_a_terminal(tmp_path: Path) -> None:
    """Piped or captured, import prints its result and no progress lines."""
    rows = "".join(f"KGZ,2023-08-{d:02d},nes,Outlet {n},95,,,\n" for n in range(300) for d in (1,))
    result = run(tmp_path / "l.db", "import", str(write_sheet(tmp_path, rows)))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr


def test_a_refused_file_does_not_create_the_ledger(tmp_path: Path) -> None:
    """A first import that is refused leaves no ledger file behind."""
    sheet = write_sheet(tmp_path, "KGZ,2023-08-30,nes,X,lots,,,\n")
    result = run(tmp_path / "new.db", "import", str(sheet))
    assert 1 == result.exit_code
    assert not (tmp_path / "new.db").exists()


def test_import_progress_on_a_terminal_names_each_stage_and_clears_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal, progress says reading, checking and saving, then leaves the line clean."""
    import io

    from repatevents.cli._importing import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with _progress(enabled=True) as show:
        for stage, done, total in [("reading", 500, None), ("checking", 5, 5), ("saving", 5, 5)]:
            show(stage, done, total)
    shown = screen.getvalue()
    assert "reading 500 rows…" in shown
    assert "saving 5 of 5 events…" in shown
    assert shown.endswith("\r")
    with _progress(enabled=False) as silent:
        assert silent is None


def test_totals_by_nationality(ledger: Path) -> None:
    """totals --by nationality prints the nationality table; its people match the totals'."""
    by_country = stdout_json(run(ledger, "totals", "--json"))
    by_nationality = stdout_json(run(ledger, "totals", "--by", "nationality", "--json"))
    assert all("nationality" in r and "country" not in r for r in by_nationality)
    assert sum(r["total_best"] for r in by_country) == sum(r["total_best"] for r in by_nationality)


def test_totals_by_an_unknown_grouping_is_a_clean_error(ledger: Path) -> None:
    """totals --by speaker names the choices and exits non-zero, without a traceback."""
    result = run(ledger, "totals", "--by", "speaker")
    assert 0 != result.exit_code
    assert "'speaker' is not one of 'country', 'nationality'" in result.output
    assert "Traceback" not in result.output


def test_long_work_shows_progress_only_on_a_terminal(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rebuild shows how far the fold got on a terminal's stderr; nothing with --json or
    when stderr is not a terminal."""
    from repatevents import _ledger
    from repatevents.cli import _context

    monkeypatch.setattr(_ledger, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(_context.TerminalProgress, "delay", 0.0)
    monkeypatch.setattr(_context.TerminalProgress, "interval", 0.0)
    assert "folding" not in run(ledger, "rebuild").stderr
    monkeypatch.setattr(_context, "on_terminal", lambda: True)
    shown = run(ledger, "rebuild")
    assert "folding: 20 of 28 events (71%)" in shown.stderr
    assert shown.stderr.endswith("folding: 28 of 28 events (100%)\n")
    quiet = run(ledger, "rebuild", "--json")
    assert "" == quiet.stderr
    assert 28 == json.loads(quiet.stdout)["position"]
