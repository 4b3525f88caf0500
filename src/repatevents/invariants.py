"""Invariant checks: what must hold of every ledger's projections, and what breaks it.

Each check asks a ledger's projections for one query (``as_of``, ``known_at``, policy) and
returns every :class:`Violation` it finds, each with a kind, a readable message and where to
look: the country, the operation, the reports' event ids, the period, the place, the log
position. An empty list means the check found nothing; a check reports, it does not raise
(only a query the ledger does not accept is a ``ValidationError``). :func:`check_ledger` runs
them all:

- ``log-fails-verification``: the log's hash chain holds (as ``EventStore.verify`` checks); a
  ledger file changed by hand is reported at its first bad record, and nothing else is checked;
- ``totals-differ-from-operations``: each country's totals are the sums of its operations
  (every category, low / best / high; a category's ``high`` also adds, for the operations
  that do not report it, the most it can hold in each), by origin scope too, with the count
  of operations;
- ``bounds-out-of-order``: ``0 <= low <= best <= high`` in every estimate shown;
- ``cumulative-series-decreases`` and ``series-differs-from-operations``: a cumulative series
  never goes down, and each point is the sum of the operations done by its period's end;
- ``remaining-below-zero`` and ``remaining-differs-from-flows``: a remaining estimate is its
  baseline minus outflows plus inflows since, in interval arithmetic, clamped at zero;
- ``breakdown-outside-whole``: women, men, children … within the total and girls + boys within
  the children, wherever every report behind the figure is itself consistent. A source that
  contradicts itself is a data-quality finding (``Ledger.quality()`` lists it as
  ``breakdown-does-not-add-up``), not a violation: see :func:`breakdown_is_consistent`;
- ``reconciliation-differs-from-operations``: each cumulative claim's ledger figure sums the
  operations it names (``high`` adding those only possibly inside), and its gaps are the
  ledger's figure minus the claim's;
- ``counted-before-it-happened``: "as of" a day, only operations surely done by then count;
- ``retracted-report-counted``, ``superseded-report-counted``, ``unknown-report-counted``,
  ``report-counted-twice``, ``operations-grouped-wrongly``: the log, read again, agrees with
  which reports count, in which version, and how they group into operations;
- ``rebuild-differs`` and ``known-at-differs``: folding the log again from zero gives the same
  projections, and "known at" a position equals a ledger holding only the events up to it;
- ``table-differs-from-projection`` and ``export-differs``: the tables hold the projections'
  numbers, and the CSV and GeoJSON exports read back to the tables (:func:`check_export`
  does the same for any exporter whose files a reader function can parse);
- ``projection-failed``: a projection raised instead of answering.

This module needs nothing beyond repatevents itself (neither pytest nor hypothesis). Run it on
a real ledger file::

    from repatevents import Ledger
    from repatevents.invariants import check_ledger

    with Ledger.open("mine.db") as ledger:
        for violation in check_ledger(ledger):
            print(violation)

and on a query of your own, ``check_ledger(ledger, as_of=date(2023, 12, 31), known_at=120,
policy="latest")``. The ledger is only read: nothing is recorded, no checkpoint is written.
"""

from __future__ import annotations

from collections.abc import Callable

from . import _invariants
from ._deprecated import deprecated_names
from ._invariants import (
    CSV_READER,
    GEOJSON_READER,
    ExportReader,
    ReadBack,
    Violation,
    ViolationKind,
    check_export,
    check_ledger,
    report_consistent as breakdown_is_consistent,
)

__all__ = [
    "CSV_READER",
    "GEOJSON_READER",
    "ExportReader",
    "ReadBack",
    "Violation",
    "ViolationKind",
    "breakdown_is_consistent",
    "check_export",
    "check_ledger",
]

_USE_CHECK_LEDGER = "use check_ledger(ledger), which runs every check"
_SINGLE_CHECKS = (
    "check_as_of",
    "check_bounds",
    "check_breakdowns",
    "check_exports",
    "check_known_at",
    "check_rebuild",
    "check_reconciliation",
    "check_remaining",
    "check_reports_in_force",
    "check_series",
    "check_tables",
    "check_totals",
)


def _single_check(name: str) -> tuple[Callable[[], object], str]:
    return (lambda: _invariants.LEDGER_CHECKS[name], _USE_CHECK_LEDGER)


# Public in 0.1, private since: served here behind a DeprecationWarning until 0.3.
__getattr__ = deprecated_names(
    __name__,
    {
        **{name: _single_check(name) for name in _SINGLE_CHECKS},
        "BREAKDOWN_RELATIONS": (
            lambda: _invariants.RELATIONS,
            "breakdown_is_consistent describes the relations it checks",
        ),
        "check_log": (
            lambda: _invariants.check_log,
            "use check_ledger(ledger) or EventStore.verify()",
        ),
        "read_csv_export": (
            lambda: _invariants.read_csv_export,
            "use check_export(ledger, 'csv', CSV_READER)",
        ),
        "read_geojson_export": (
            lambda: _invariants.read_geojson_export,
            "use check_export(ledger, 'geojson', GEOJSON_READER)",
        ),
    },
)
