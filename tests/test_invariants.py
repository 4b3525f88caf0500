"""The invariant checks: nothing found on consistent ledgers, each finding located and readable."""

from __future__ import annotations

import datetime as dt
import inspect
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, strategies as st

from _projection_events import ledger_of, op
from repatevents import Event, People, ValidationError, read_jsonl, strategies as rst
from repatevents._invariants import LEDGER_CHECKS, check_log, read_csv_export
from repatevents._ledger import Ledger
from repatevents.invariants import (
    CSV_READER,
    ExportReader,
    Violation,
    ViolationKind,
    breakdown_is_consistent,
    check_export,
    check_ledger,
)
from repatevents.projections import POLICIES, FindingKind
from repatevents.testing import assert_ledger_consistent, describe_violations

EXAMPLE = Path("examples/ledger.jsonl")
LOGS = rst.event_logs(max_size=30)
AS_OF = st.none() | st.dates(dt.date(2018, 1, 1), dt.date(2026, 1, 1))
POLICY_NAMES = st.sampled_from(sorted(POLICIES))

check_breakdowns = LEDGER_CHECKS["check_breakdowns"]
check_rebuild = LEDGER_CHECKS["check_rebuild"]


def _ledger(events: Sequence[Event]) -> Ledger:
    ledger = Ledger.in_memory()
    if events:
        ledger.record_many(events)
    return ledger


def _projections(ledger: Ledger, **query: Any) -> tuple[object, ...]:
    return (
        ledger.operations(**query),
        ledger.totals(**query),
        ledger.timeseries(**query),
        ledger.remaining(**query),
        ledger.reconciliation(**query),
        ledger.quality(**query),
        ledger.sources(**query),
    )


# -- properties over generated ledgers ------------------------------------------------------------
@given(LOGS, AS_OF, POLICY_NAMES, st.data())
def test_generated_ledgers_keep_every_invariant(
    events: list[Event], as_of: dt.date | None, policy: str, data: st.DataObject
) -> None:
    """check_ledger finds nothing on any generated ledger, for any as_of, known_at and policy."""
    ledger = _ledger(events)
    known_at = data.draw(st.none() | st.integers(0, ledger.head), label="known_at")
    assert [] == check_ledger(ledger, as_of=as_of, known_at=known_at, policy=policy)


@given(LOGS, st.data())
def test_rebuilding_from_zero_equals_the_incremental_state(
    events: list[Event], data: st.DataObject
) -> None:
    """A ledger folded batch by batch, questions in between, answers as one rebuilt from zero."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(events)), max_size=3), label="cuts"))
    ledger = Ledger.in_memory()
    start = 0
    for cut in [*cuts, len(events)]:
        if events[start:cut]:
            ledger.record_many(events[start:cut])
        ledger.totals()  # fold what is there now; the next batch folds incrementally
        start = cut
    assert [] == check_rebuild(ledger)
    incremental = _projections(ledger)
    assert ledger.head == ledger.rebuild()
    assert incremental == _projections(ledger)


@given(LOGS, AS_OF, st.data())
def test_folding_in_two_parts_equals_folding_the_whole(
    events: list[Event], as_of: dt.date | None, data: st.DataObject
) -> None:
    """A ledger given its log in two parts answers as one given it whole, and keeps every
    invariant."""
    cut = data.draw(st.integers(0, len(events)), label="cut")
    continued = _ledger(events[:cut])
    continued.totals()
    if events[cut:]:
        continued.record_many(events[cut:])
    whole = _ledger(events)
    assert _projections(whole, as_of=as_of) == _projections(continued, as_of=as_of)
    assert [] == check_ledger(continued, as_of=as_of, exports=False)


@given(LOGS, AS_OF, st.randoms(use_true_random=False))
def test_ledgers_recorded_out_of_order_keep_every_invariant(
    events: list[Event], as_of: dt.date | None, random: Any
) -> None:
    """Files imported out of order put corrections, retractions and links before the reports
    they name: the fold and the invariants' own reading of the log still agree, and folding in
    parts equals folding the whole."""
    shuffled = list(events)
    random.shuffle(shuffled)
    ledger = _ledger(shuffled)
    assert [] == check_ledger(ledger, as_of=as_of, exports=False)
    assert [] == check_rebuild(ledger)


@given(rst.event_logs(max_size=20, consistent_people=True), AS_OF)
def test_breakdowns_of_consistent_reports_lie_within_their_wholes(
    events: list[Event], as_of: dt.date | None
) -> None:
    """Where every report is consistent, every operation's and country's breakdown fits."""
    assert [] == check_breakdowns(_ledger(events), as_of=as_of)


# -- real ledgers ---------------------------------------------------------------------------------
@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_the_example_ledger_keeps_every_invariant(policy: str) -> None:
    """The five articles of the example ledger break no invariant, whatever the query."""
    ledger = _ledger(read_jsonl(EXAMPLE))
    assert [] == check_ledger(ledger, policy=policy)
    assert [] == check_ledger(ledger, as_of=dt.date(2023, 6, 30), known_at=20, policy=policy)


def test_a_ledger_file_is_checked_without_being_changed(tmp_path: Path) -> None:
    """check_ledger on a SQLite ledger file finds nothing and records nothing."""
    path = tmp_path / "mine.db"
    with Ledger.open(path) as ledger:
        ledger.import_jsonl(EXAMPLE)
    with Ledger.open(path) as ledger:
        head = ledger.head
        assert [] == check_ledger(ledger)
        assert head == ledger.head


def test_known_at_a_time_checks_the_prefix_recorded_by_then() -> None:
    """A known_at time is read from the log's recording times, like the ledger reads it."""
    ledger = _ledger(read_jsonl(EXAMPLE)[:10])
    moment = dt.datetime.now(dt.UTC)
    ledger.record_many(read_jsonl(EXAMPLE)[10:])
    assert 10 == ledger.state(moment).position
    assert [] == check_ledger(ledger, known_at=moment)


def test_a_query_the_ledger_rejects_is_raised_not_reported() -> None:
    """A bad as_of, known_at or policy is the caller's mistake: ValidationError, as the ledger."""
    ledger = _ledger(read_jsonl(EXAMPLE))
    with pytest.raises(ValidationError):
        check_ledger(ledger, known_at=ledger.head + 1)
    with pytest.raises(ValidationError):
        check_ledger(ledger, policy="generous")
    with pytest.raises(ValidationError):
        check_ledger(ledger, as_of=dt.datetime(2023, 1, 1))


# -- self-contradicting sources are data quality, not violations ----------------------------------
def test_a_report_that_contradicts_itself_is_a_quality_finding_not_a_violation() -> None:
    """40 women and 60 children in a group of 95: quality lists it; no invariant is broken."""
    report = op("KAZ", People(total=95, women=40, children=60), "2023-05-01")
    ledger = ledger_of(report)
    assert [] == check_ledger(ledger)
    assert [FindingKind.BREAKDOWN] == [
        f.kind for f in ledger.quality() if f.kind is FindingKind.BREAKDOWN
    ]
    assert breakdown_is_consistent(report.people) is False


def test_reports_that_split_one_operation_differently_are_not_held_to_the_rule() -> None:
    """Each report fits, together they do not (girls from one, boys from the other): skipped."""
    handover = op("KAZ", People(children=6, girls=5), "2023-05-01", operation_key="k")
    arrival = op("KAZ", People(children=6, boys=5), "2023-05-02", operation_key="k")
    assert breakdown_is_consistent(handover.people)
    assert breakdown_is_consistent(arrival.people)
    assert [] == check_breakdowns(ledger_of(handover, arrival))


@pytest.mark.parametrize(
    ("people", "consistent"),
    [
        (People(total=95, women=31, children=64), True),
        (People(total=95, women=31, men=2, children=64), False),  # 97 > 95
        (People(total=95, women=31, men=2, children=10), False),  # complete, 43 < 95
        (People(total=95, women=31, men=2, children=10, unknown="up to 60"), True),
        (People(children=10, girls=4, boys=7), False),
        (People(families="10 families", children=39), True),  # 10 families hold up to 39 people
        (People(families="10 families", children=40), False),
        (People(total="over 600", women=700), True),  # no upper bound
    ],
)
def test_which_reports_are_consistent(people: People, consistent: bool) -> None:
    """Parts within their whole; a complete breakdown reaches it; families hold 3.6-3.9 each."""
    assert consistent == breakdown_is_consistent(people)


# -- exports --------------------------------------------------------------------------------------
def test_an_export_reads_back_through_a_plain_reader_function() -> None:
    """check_export with a plain function: every table and row must read back."""
    ledger = _ledger(read_jsonl(EXAMPLE))
    assert [] == check_export(ledger, "csv", read_csv_export)


def test_an_export_missing_a_row_is_found_and_located() -> None:
    """A reader that loses one totals row: export-differs, naming the country of the row."""

    def lossy(paths: Sequence[Path]) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        tables = dict(read_csv_export(paths))
        tables["totals"] = [r for r in tables["totals"] if r["country"] != "SWE"]
        return tables

    ledger = _ledger(read_jsonl(EXAMPLE))
    found = check_export(ledger, "csv", ExportReader(lossy), tables=["totals"])
    assert [(ViolationKind.EXPORT_DIFFERS, "SWE")] == [(v.kind, v.country) for v in found]


def test_a_text_cell_protected_against_formulas_reads_back_as_written(tmp_path: Path) -> None:
    """The CSV reader drops the quote the exporter puts before "=", "+", "-", "@"."""
    path = tmp_path / "sources.csv"
    path.write_text("publisher,url\r\n'=cmd,'-x\r\n'plain,\r\n", encoding="utf-8")
    assert {
        "sources": [{"publisher": "=cmd", "url": "-x"}, {"publisher": "'plain", "url": ""}]
    } == (read_csv_export([path]))
    assert CSV_READER.tables is None


# -- what a violation says ------------------------------------------------------------------------
def test_a_violation_reads_as_one_line_with_where_to_look() -> None:
    """str(violation): kind, projection, message, then country, operation, period, place, ids."""
    violation = Violation(
        ViolationKind.TOTALS_DIFFER,
        "KAZ people.total is 10/10/10 but the sum over its operations (2) is 12/12/12",
        "totals",
        country="KAZ",
        period="2023-12",
    )
    assert (
        "[totals-differ-from-operations] totals: KAZ people.total is 10/10/10 but the sum over "
        "its operations (2) is 12/12/12 (country=KAZ; period=2023-12)"
    ) == str(violation)


def test_assert_ledger_consistent_lists_every_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The assertion's message numbers the violations, one per line, after the query."""
    found = [
        Violation(ViolationKind.SERIES_DECREASES, "falls", "timeseries", country="KGZ"),
        Violation(ViolationKind.REMAINING_NEGATIVE, "below zero", "remaining", place="al-hol"),
    ]
    monkeypatch.setattr("repatevents._invariants._assert.check_ledger", lambda *a, **k: found)
    with pytest.raises(AssertionError) as raised:
        assert_ledger_consistent(Ledger.in_memory(), known_at=0)
    assert (
        "the ledger has 2 invariant violations (as of every date, known at 0, policy "
        "'recommended'):\n"
        "  1. [cumulative-series-decreases] timeseries: falls (country=KGZ)\n"
        "  2. [remaining-below-zero] remaining: below zero (place=al-hol)"
    ) == str(raised.value)
    assert describe_violations(found[:1]).startswith("the ledger has 1 invariant violation:")


def test_assert_ledger_consistent_passes_a_consistent_ledger() -> None:
    """No violation, no assertion error."""
    assert_ledger_consistent(_ledger(read_jsonl(EXAMPLE)), exports=False)


# -- the public namespace -------------------------------------------------------------------------
def test_importing_the_checks_imports_neither_pytest_nor_hypothesis() -> None:
    """repatevents.invariants runs on a user's ledger without the test extras."""
    code = (
        "import sys, repatevents, repatevents.invariants\n"
        "print(sorted(m for m in ('pytest', 'hypothesis') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "[]" == result.stdout.strip()


def test_every_public_check_is_sorted_and_documented() -> None:
    """__all__ is sorted (constants, classes, functions); every function has Args and Returns."""
    from repatevents import invariants

    def order(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sorted(invariants.__all__, key=order) == invariants.__all__
    for name in invariants.__all__:
        obj = getattr(invariants, name)
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            assert "Args:" in doc, name
            assert "Returns:" in doc, name
            assert "ledger" in inspect.signature(obj).parameters or name.startswith(
                ("read_", "breakdown_")
            ), name


# -- a broken log -------------------------------------------------------------------------------
def _edited_log(tmp_path: Path) -> Path:
    """A JSON Lines ledger whose sixth record was changed by hand (79 children became 80)."""
    path = tmp_path / "ledger.jsonl"
    with Ledger.open(path) as ledger:
        ledger.import_jsonl(EXAMPLE)
        assert [] == check_log(ledger)
    lines = path.read_text(encoding="utf-8").splitlines()
    edited = lines[5].replace('"children":79,"total":79', '"children":80,"total":80')
    assert edited != lines[5]
    lines[5] = edited
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_check_ledger_reports_an_edited_log_at_its_first_bad_record(tmp_path: Path) -> None:
    """A ledger file changed by hand is one located violation, returned, not an IntegrityError."""
    with Ledger.open(_edited_log(tmp_path)) as ledger:
        found = check_ledger(ledger)
    assert [(ViolationKind.LOG_FAILS_VERIFICATION, "log", 6)] == [
        (v.kind, v.projection, v.position) for v in found
    ]
    assert str(found[0]).startswith(
        "[log-fails-verification] log: record at position 6 fails verification: its hash "
    )
    assert str(found[0]).endswith("nothing else was checked (position=6)")


def test_a_single_check_reports_an_edited_log_too(tmp_path: Path) -> None:
    """check_log and each check run alone return the violation instead of raising."""
    with Ledger.open(_edited_log(tmp_path)) as ledger:
        for check in (check_log, check_rebuild):
            found = check(ledger)
            assert [(ViolationKind.LOG_FAILS_VERIFICATION, 6)] == [
                (v.kind, v.position) for v in found
            ]


def test_check_log_finds_nothing_in_a_log_that_verifies() -> None:
    """An untouched log gives no violation."""
    assert [] == check_log(_ledger(read_jsonl(EXAMPLE)))


def test_an_export_cell_that_reads_back_otherwise_names_the_column_and_both_values() -> None:
    """A row that lost one figure names the column, what was written and what was read back."""

    def misread(paths: Sequence[Path]) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        tables = {
            name: [dict(row) for row in rows] for name, rows in read_csv_export(paths).items()
        }
        kazakhstan = next(row for row in tables["totals"] if row["country"] == "KAZ")
        kazakhstan["children_best"] = "12"
        return tables

    ledger = _ledger(read_jsonl(EXAMPLE))
    written = next(t for t in ledger.totals() if t.country == "KAZ").people.children
    assert written is not None
    (found,) = check_export(ledger, "csv", misread, tables=["totals"])
    assert (ViolationKind.EXPORT_DIFFERS, "KAZ") == (found.kind, found.country)
    assert found.message.startswith("the row {country='KAZ', ")
    assert found.message.endswith(
        f"does not read back as written: children_best written {written.best!r}, read back 12"
    )


def test_an_export_row_read_back_nowhere_is_missing() -> None:
    """A row with nothing left to compare it with is missing from the export."""

    def lossy(paths: Sequence[Path]) -> Mapping[str, Sequence[Mapping[str, Any]]]:
        tables = dict(read_csv_export(paths))
        tables["totals"] = [r for r in tables["totals"] if r["country"] != "SWE"]
        return tables

    (found,) = check_export(_ledger(read_jsonl(EXAMPLE)), "csv", lossy, tables=["totals"])
    assert found.message.startswith("the row {country='SWE'")
    assert found.message.endswith("is missing from the export")
