"""The table commands, `events` and `policies`: what they print, as tables and JSON, and filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _paths import EXAMPLE
from repatevents import Ledger

from ._helpers import ANALYST, HEADER, run, stdout_json, write_jsonl, write_sheet


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("totals", "Kyrgyzstan"),
        ("operations", "KGZ"),
        ("timeseries", "2023-12"),
        ("remaining", "al-Hol"),
        ("reconcile", "333"),
        ("quality", ""),
        ("sources", "Reports"),
    ],
)
def test_every_query_command_prints_a_table(ledger: Path, command: str, expected: str) -> None:
    """Each projection command prints a titled table on the example ledger."""
    result = run(ledger, command)
    assert 0 == result.exit_code, result.output
    assert expected in result.output


@pytest.mark.parametrize(
    "command",
    ["totals", "operations", "timeseries", "remaining", "reconcile", "quality", "sources"],
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


def test_policies_json_marks_the_default(ledger: Path) -> None:
    """policies --json lists every policy with its description and which is the default."""
    policies = stdout_json(run(ledger, "policies", "--json"))
    assert [p["name"] for p in policies if p["default"]] == ["recommended"]
    assert all(set(p) == {"name", "description", "default"} for p in policies)


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


def test_open_ranges_read_as_infinite_bounds(ledger: Path) -> None:
    """An open bound reads '-∞' or '∞', and a negative range 'to', never '––' or '–-'."""
    out = run(ledger, "reconcile", "--country", "KGZ").stdout
    assert "-271 (-∞ to -271)" in out
    assert "-142 (-142 to -4)" in out
    assert "600 (600–∞)" in out
    assert "––" not in out
    assert "–-" not in out


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


def test_sources_lists_each_source_with_its_report_count(ledger: Path) -> None:
    """`sources --json` gives each source's publisher and how many reports in force it gave,
    as Ledger.sources() does."""
    records = json.loads(run(ledger, "sources", "--json").output)
    with Ledger.open(ledger) as opened:
        expected = sorted((s.publisher, s.reports) for s in opened.sources())
    assert expected == sorted((r["publisher"], r["reports"]) for r in records)
    assert expected
