"""The invariants catch real faults: each test breaks the projections or an exporter on purpose
(a monkeypatched fold, a broken ``Ledger`` subclass, a broken exporter) and shows that
``check_ledger`` names the fault, while the unbroken ledger passes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, BinaryIO

import attrs
import pytest

from _projection_events import ANALYST, CAMP, ledger_of, op, stock
from repatevents import (
    Estimate,
    Event,
    People,
    Qualifier,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    read_jsonl,
)
from repatevents._invariants import read_csv_export
from repatevents._ledger import Ledger
from repatevents.exporters import Exporter, ExportMetadata, Table, _builtin as builtin_exporters
from repatevents.exporters._csv import CSV_EXPORTER, write_csv
from repatevents.hookspecs import hookimpl
from repatevents.invariants import ViolationKind, check_export, check_ledger
from repatevents.projections import RemainingEstimate, TimeseriesPoint, _state as fold_module
from repatevents.store import Envelope
from repatevents.testing import registered_plugin

EXAMPLE = "examples/ledger.jsonl"


def _kinds(ledger: Ledger, **query: Any) -> set[ViolationKind]:
    return {v.kind for v in check_ledger(ledger, **query)}


def _rebuilt_as(cls: type[Ledger], ledger: Ledger) -> Ledger:
    """The same log behind a deliberately broken façade."""
    return cls(ledger.store, checkpoints=False)


# -- 1. a fold that drops retractions ---------------------------------------------------------
def _retracted_ledger() -> Ledger:
    wrong = op("KAZ", 10, "2023-05-01", operation_key="KAZ-1")
    right = op("KAZ", 20, "2023-06-01", operation_key="KAZ-2")
    return ledger_of(wrong, right, ReportRetracted(source=CAMP, retracts=wrong.id))


def test_a_fold_that_drops_retractions_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retracted reports still counting: retracted-report-counted, naming the report."""
    assert [] == check_ledger(_retracted_ledger())
    apply = fold_module.apply

    def dropping_retractions(
        state: fold_module.KnowledgeState, envelope: Envelope, **options: Any
    ) -> Any:
        event = envelope.event
        if isinstance(event, ReportRetracted):
            # The retraction is folded as one of a report nobody recorded: it changes nothing.
            nothing = attrs.evolve(event, retracts=uuid.UUID(int=event.retracts.int ^ 1))
            envelope = attrs.evolve(envelope, event=nothing)
        return apply(state, envelope, **options)

    monkeypatch.setattr(fold_module, "apply", dropping_retractions)
    ledger = _retracted_ledger()
    found = [v for v in check_ledger(ledger) if v.kind is ViolationKind.RETRACTED_COUNTED]
    retracted = next(e for e in ledger.store.read(0) if isinstance(e.event, ReportRetracted))
    assert isinstance(retracted.event, ReportRetracted)
    assert [("KAZ", "KAZ-1", (retracted.event.retracts,))] == [
        (v.country, v.operation, v.event_ids) for v in found
    ]


# -- 2. linked reports counted twice ------------------------------------------------------------
def _linked_ledger() -> Ledger:
    handover = op("KGZ", 95, "2023-08-30", source=CAMP)
    arrival = op("KGZ", 94, "2023-08-31")
    link = ReportsLinked(source=ANALYST, reports=(handover.id, arrival.id))
    return ledger_of(handover, arrival, link)


def test_a_fold_that_ignores_links_double_counts_and_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Linked handover and arrival reports counted as two operations: operations-grouped-wrongly
    for each half, with the report it left out."""
    assert [] == check_ledger(_linked_ledger())
    monkeypatch.setattr(fold_module, "_link", lambda state, ids: None)
    ledger = _linked_ledger()
    assert 189 == ledger.totals()[0].total.best  # 95 + 94: the double count
    found = [v for v in check_ledger(ledger) if v.kind is ViolationKind.GROUPING_DIFFERS]
    assert 2 == len(found)
    assert all(len(v.event_ids) == 2 and v.country == "KGZ" for v in found)


class SumsReports(Ledger):
    """Totals that add every report of an operation instead of the operation once."""

    def totals(self, *args: Any, **kwargs: Any) -> Any:
        rows = super().totals(*args, **kwargs)
        operations = self.operations(*args, **kwargs)
        broken = []
        # Every report's total, added up: a linked handover and arrival count twice.
        for row in rows:
            reports = [r for o in operations if o.country == row.country for r in o.reports]
            best = sum(r.people.total.best for r in reports if r.people.total is not None)
            total = Estimate.exact(best)
            broken.append(attrs.evolve(row, people=attrs.evolve(row.people, total=total)))
        return tuple(broken)


def test_totals_that_add_linked_reports_twice_are_caught() -> None:
    """A totals projection adding both reports of a linked operation: totals-differ."""
    ledger = _rebuilt_as(SumsReports, _linked_ledger())
    found = [v for v in check_ledger(ledger) if v.kind is ViolationKind.TOTALS_DIFFER]
    assert [("KGZ", "totals")] == [(v.country, v.projection) for v in found]
    assert "189" in found[0].message


# -- 3. known_at ignored ----------------------------------------------------------------------
def test_a_ledger_that_ignores_known_at_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answering "known at position 2" with everything recorded: known-at-differs."""
    first = op("KAZ", 10, "2023-05-01", operation_key="KAZ-1")
    fixed = attrs.evolve(first, people=People(total=12), id=uuid.uuid4())
    events: list[Event] = [
        first,
        op("KAZ", 20, "2023-06-01"),
        ReportCorrected(source=CAMP, supersedes=first.id, replacement=fixed),
    ]
    assert [] == check_ledger(ledger_of(*events), known_at=2)
    monkeypatch.setattr(Ledger, "state", lambda self, known_at=None: self._current())
    found = check_ledger(ledger_of(*events), known_at=2)
    kinds = {v.kind for v in found}
    assert ViolationKind.KNOWN_AT_DIFFERS in kinds
    assert ViolationKind.SUPERSEDED_COUNTED in kinds  # position 3 counted at position 2
    assert {"operations", "totals", "timeseries"} <= {
        v.projection for v in found if v.kind is ViolationKind.KNOWN_AT_DIFFERS
    }


# -- 4. remaining clamped at the wrong bound ----------------------------------------------------
def _emptied_camp() -> Ledger:
    """10 people in Roj; 8 and 5 repatriated since: 13 > 10, so the estimate clamps at zero."""
    return ledger_of(
        stock("roj", 10, "2023-01-01"),
        op("KAZ", 8, "2023-02-01", origin="roj"),
        op("UZB", 5, "2023-03-01", origin="roj"),
    )


def _unclamped(row: RemainingEstimate) -> tuple[int, int, int | None]:
    base, out = row.baseline, row.repatriated
    assert base is not None
    assert out is not None
    assert out.high is not None
    high = None if base.high is None else base.high - out.low
    return base.low - out.high, base.best - out.best, high


class ClampsAtOne(Ledger):
    """Remaining estimates clamped at one person instead of zero."""

    def remaining(self, *args: Any, **kwargs: Any) -> tuple[RemainingEstimate, ...]:
        rows = []
        for row in super().remaining(*args, **kwargs):
            if row.clamped:
                low, best, high = (max(1, b) for b in _unclamped(row) if b is not None)
                remaining = Estimate(best=best, low=low, high=high)
                row = attrs.evolve(row, remaining=remaining)
            rows.append(row)
        return tuple(rows)


class ClampsOnlyTheHigh(Ledger):
    """Remaining estimates whose high is clamped at zero and whose low is left below it."""

    def remaining(self, *args: Any, **kwargs: Any) -> tuple[RemainingEstimate, ...]:
        rows = []
        for row in super().remaining(*args, **kwargs):
            if row.clamped:
                low, best, high = _unclamped(row)
                high = None if high is None else max(0, high)
                remaining = Estimate(best=max(low, best), low=low, high=high)
                row = attrs.evolve(row, remaining=remaining)
            rows.append(row)
        return tuple(rows)


def test_remaining_clamped_at_one_instead_of_zero_is_caught() -> None:
    """A camp emptied by repatriations shown with one person left: remaining-differs-from-flows."""
    assert [] == check_ledger(_emptied_camp())
    found = check_ledger(_rebuilt_as(ClampsAtOne, _emptied_camp()))
    assert [(ViolationKind.REMAINING_DIFFERS, "roj")] == [
        (v.kind, v.place) for v in found if v.projection == "remaining"
    ]


def test_remaining_clamping_the_high_instead_of_the_low_is_caught() -> None:
    """A low left below zero cannot even be an estimate: the projection fails, and check_ledger
    reports it instead of raising."""
    found = check_ledger(_rebuilt_as(ClampsOnlyTheHigh, _emptied_camp()))
    failed = [v for v in found if v.kind is ViolationKind.PROJECTION_FAILED]
    assert ["remaining"] == [v.projection for v in failed]
    assert "never below zero" in failed[0].message


# -- 5. an exporter that drops a row ------------------------------------------------------------
def _drop_last_row(
    tables: Mapping[str, Table], metadata: ExportMetadata, stream: BinaryIO, /, **options: Any
) -> None:
    shortened = {n: attrs.evolve(t, rows=t.rows[:-1]) for n, t in tables.items()}
    write_csv(shortened, metadata, stream, **options)


def test_the_built_in_csv_exporter_dropping_a_row_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every CSV file one row short: export-differs, naming the rows and countries lost."""
    ledger = ledger_of(*read_jsonl(EXAMPLE))
    broken = attrs.evolve(CSV_EXPORTER, write=_drop_last_row)
    monkeypatch.setattr(builtin_exporters, "CSV_EXPORTER", broken)
    found = [v for v in check_ledger(ledger) if v.kind is ViolationKind.EXPORT_DIFFERS]
    lost_totals = [v for v in found if v.projection == "csv export of totals"]
    assert [("SWE", None)] == [(v.country, v.place) for v in lost_totals]
    assert {"csv export of operations", "csv export of remaining"} <= {v.projection for v in found}


class _DroppingPlugin:
    """A plugin whose TSV-like exporter loses the last row of every table."""

    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(
            Exporter(
                name="lossy",
                extension="csv",
                media_type="text/csv",
                description="CSV that loses a row",
                write=_drop_last_row,
                one_file_per_table=True,
            )
        )


def test_a_plugin_exporter_dropping_a_row_is_caught() -> None:
    """check_export with the CSV reader finds the row a plugin's exporter lost."""
    ledger = ledger_of(*read_jsonl(EXAMPLE))
    with registered_plugin(_DroppingPlugin()) as manager:
        found = check_export(ledger, "lossy", read_csv_export, plugin_manager=manager)
        assert [] == check_export(ledger, "csv", read_csv_export, plugin_manager=manager)
    assert {"lossy export of totals", "lossy export of operations"} <= {v.projection for v in found}
    assert {ViolationKind.EXPORT_DIFFERS} == {v.kind for v in found}


# -- more faults --------------------------------------------------------------------------------
class ResetsEveryYear(Ledger):
    """A "cumulative" series that starts again from zero each January."""

    def timeseries(self, *args: Any, **kwargs: Any) -> tuple[TimeseriesPoint, ...]:
        points = super().timeseries(*args, **kwargs)
        broken = []
        for point in points:
            if point.granularity == "month" and point.start.month == 1:
                point = attrs.evolve(point, cumulative=point.in_period)
            broken.append(point)
        return tuple(broken)


def test_a_series_that_restarts_each_year_is_caught() -> None:
    """A January point below December's: cumulative-series-decreases, with country and month."""
    ledger = ledger_of(op("KAZ", 10, "2022-11-01"), op("KAZ", 3, "2023-01-15"))
    found = check_ledger(_rebuilt_as(ResetsEveryYear, ledger))
    decreases = [v for v in found if v.kind is ViolationKind.SERIES_DECREASES]
    assert [("KAZ", "2023-01")] == [(v.country, v.period) for v in decreases]


class IgnoresAsOf(Ledger):
    """Operations counted whatever their date."""

    def operations(self, as_of: dt.date | None = None, *args: Any, **kwargs: Any) -> Any:
        return super().operations(None, *args, **kwargs)


def test_operations_counted_before_they_happened_are_caught() -> None:
    """As of June 2023, a December operation: counted-before-it-happened."""
    ledger = ledger_of(op("KAZ", 10, "2023-05-01"), op("KAZ", 3, "2023-12-07"))
    found = check_ledger(_rebuilt_as(IgnoresAsOf, ledger), as_of=dt.date(2023, 6, 30))
    early = [v for v in found if v.kind is ViolationKind.COUNTED_TOO_EARLY]
    assert [("KAZ", "2023-12-07")] == [
        (v.country, str(v.message).split("(")[1][:10]) for v in early
    ]


class CountsGirlsTwice(Ledger):
    """Operations whose children also count the girls again."""

    def operations(self, *args: Any, **kwargs: Any) -> Any:
        broken = []
        for operation in super().operations(*args, **kwargs):
            people = operation.people
            if people.children is not None and people.girls is not None:
                best = people.children.best + people.girls.best
                children = Estimate(best=best, low=best, high=best)
                operation = attrs.evolve(operation, people=attrs.evolve(people, children=children))
            broken.append(operation)
        return tuple(broken)


def test_a_breakdown_pushed_outside_its_total_is_caught() -> None:
    """A consistent report (95 = 31 women + 64 children, 30 of them girls) shown with 94
    children: breakdown-outside-whole, on the operation and not on a self-contradiction."""
    report = op("KGZ", People(total=95, women=31, children=64, girls=30), "2023-08-30")
    ledger = ledger_of(report)
    assert [] == check_ledger(ledger)
    found = check_ledger(_rebuilt_as(CountsGirlsTwice, ledger), exports=False)
    outside = [v for v in found if v.kind is ViolationKind.BREAKDOWN_OUTSIDE]
    assert {("operations", (report.id,))} == {(v.projection, v.event_ids) for v in outside}


class ForgetsPossibleOperations(Ledger):
    """Claims compared with the operations surely inside only: the range loses its high end."""

    def reconciliation(self, *args: Any, **kwargs: Any) -> Any:
        broken = []
        for claim in super().reconciliation(*args, **kwargs):
            if claim.possible_operations and claim.ledger.high is not None:
                low, best = claim.ledger.low, claim.ledger.best
                ledger = Estimate(best=best, low=low, high=best, qualifier=Qualifier.RANGE)
                claim = attrs.evolve(claim, ledger=ledger)
            broken.append(claim)
        return tuple(broken)


def test_a_reconciliation_that_forgets_possible_operations_is_caught() -> None:
    """KGZ's 333 from Syria: the ledger holds 191 to 329, not 191 to 191 (and so for RUS)."""
    ledger = _rebuilt_as(ForgetsPossibleOperations, ledger_of(*read_jsonl(EXAMPLE)))
    found = check_ledger(ledger, exports=False)
    wrong = [v for v in found if v.kind is ViolationKind.RECONCILIATION_DIFFERS]
    assert {"KGZ", "RUS"} == {v.country for v in wrong}
    assert any("191/191/191" in v.message and "191/191/329" in v.message for v in wrong)
