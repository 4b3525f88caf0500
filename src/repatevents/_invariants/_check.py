"""``check_ledger`` and the public form of every check: a ledger and a query in, violations out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..projections import DEFAULT_POLICY, Policy
from ._breakdown import check_breakdowns
from ._exports import check_exports, check_tables
from ._figures import check_as_of, check_bounds, check_remaining, check_series, check_totals
from ._log import check_reports_in_force
from ._rebuild import check_known_at, check_rebuild
from ._reconcile import check_reconciliation
from ._snapshot import Snapshot
from ._violations import Violation

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = ["CHECKS", "LedgerCheck", "check_ledger", "public_check"]


class LedgerCheck(Protocol):
    """A check of a ledger's projections for one query."""

    def __call__(
        self,
        ledger: Ledger,
        *,
        as_of: dt.date | None = None,
        known_at: dt.datetime | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> list[Violation]: ...


_ARGS = """
Args:
    ledger: the ledger to check.
    as_of: the day of the query (``None``: every date), as for the projections.
    known_at: the log position or UTC time of the query (``None``: everything recorded).
    policy: the policy of the query, by name or value.

Returns:
    Every violation found, in the order found (an empty list when there is none).

Raises:
    ValidationError: ``as_of``, ``known_at`` or ``policy`` is not one the ledger accepts.
"""


def public_check(check: Callable[[Snapshot], list[Violation]]) -> LedgerCheck:
    """Return the public form of a snapshot check: it takes a ledger and a query."""

    def run(
        ledger: Ledger,
        *,
        as_of: dt.date | None = None,
        known_at: dt.datetime | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> list[Violation]:
        snapshot = Snapshot(ledger, as_of, known_at, policy)
        found = check(snapshot)
        return snapshot.failures + found

    # Not functools.wraps: its __wrapped__ would show the snapshot's signature, not this one.
    run.__name__ = run.__qualname__ = check.__name__
    run.__module__ = "repatevents.invariants"
    run.__doc__ = f"{(check.__doc__ or '').strip()}\n{_ARGS}"
    return run


#: Every check ``check_ledger`` runs, in order, by name.
CHECKS: dict[str, Callable[[Snapshot], list[Violation]]] = {
    "totals": check_totals,
    "bounds": check_bounds,
    "series": check_series,
    "remaining": check_remaining,
    "breakdowns": check_breakdowns,
    "reconciliation": check_reconciliation,
    "as_of": check_as_of,
    "reports_in_force": check_reports_in_force,
    "rebuild": check_rebuild,
    "known_at": check_known_at,
    "tables": check_tables,
    "exports": check_exports,
}


def check_ledger(
    ledger: Ledger,
    *,
    as_of: dt.date | None = None,
    known_at: dt.datetime | int | None = None,
    policy: str | Policy = DEFAULT_POLICY,
    exports: bool = True,
) -> list[Violation]:
    """Check a ledger's projections against every invariant and return every violation.

    Runs, for one query: totals equal the sum of the operations; ``low <= best <= high``
    everywhere; cumulative series never decrease and match the operations; remaining
    estimates are never below zero and follow from their baseline and flows; each claim's
    ledger figure sums the operations it names; breakdowns lie
    within their wholes wherever the reports behind them are consistent; nothing is counted
    before it happened; only reports in force count, once each, grouped as keys and links say;
    folding the log again from zero (and, with ``known_at``, a ledger holding only that much)
    gives the same projections; the tables hold the projections' numbers; and (unless
    ``exports`` is false) the CSV and GeoJSON exports read back to the tables.

    The ledger is only read: nothing is recorded and no checkpoint is written. Exports go to
    a temporary folder, removed afterwards.

    Args:
        ledger: the ledger to check.
        as_of: the day of the query (``None``: every date), as for the projections.
        known_at: the log position or UTC time of the query (``None``: everything recorded).
        policy: the policy of the query, by name or value.
        exports: whether to write and read back the CSV and GeoJSON exports.

    Returns:
        Every violation found (an empty list when there is none). A projection that raises is
        reported as a ``projection-failed`` violation, not raised.

    Raises:
        ValidationError: ``as_of``, ``known_at`` or ``policy`` is not one the ledger accepts.
    """
    snapshot = Snapshot(ledger, as_of, known_at, policy)
    found: list[Violation] = []
    for name, check in CHECKS.items():
        if name == "exports" and not exports:
            continue
        found += check(snapshot)
    return snapshot.failures + found
