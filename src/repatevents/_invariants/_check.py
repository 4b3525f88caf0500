"""``check_ledger`` and the public form of every check: a ledger and a query in, violations out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..errors import CorruptLogError, IntegrityError
from ..projections import DEFAULT_POLICY, Policy
from ._breakdown import check_breakdowns
from ._exports import check_exports, check_tables
from ._figures import check_as_of, check_bounds, check_remaining, check_series, check_totals
from ._log import check_reports_in_force
from ._rebuild import check_known_at, check_rebuild
from ._reconcile import check_reconciliation
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = ["CHECKS", "LEDGER_CHECKS", "LedgerCheck", "check_ledger", "check_log", "public_check"]


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
    Every violation found, in the order found (an empty list when there is none). A log that
    fails verification is one ``log-fails-verification`` violation at the first bad record,
    not an error.

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
        try:
            snapshot = Snapshot(ledger, as_of, known_at, policy)
            found = check(snapshot)
        except (IntegrityError, CorruptLogError) as error:
            return [log_violation(error)]
        return snapshot.failures + found

    # Not functools.wraps: its __wrapped__ would show the snapshot's signature, not this one.
    run.__name__ = run.__qualname__ = check.__name__
    run.__module__ = "repatevents.invariants"
    run.__doc__ = f"{(check.__doc__ or '').strip()}\n{_ARGS}"
    return run


def log_violation(error: IntegrityError | CorruptLogError) -> Violation:
    """Return the violation for a log that failed verification, at its first bad record."""
    return Violation(
        ViolationKind.LOG_FAILS_VERIFICATION,
        f"{error}; no projection of this log can be trusted, so nothing else was checked",
        "log",
        position=error.position,
    )


def check_log(ledger: Ledger) -> list[Violation]:
    """Check the log's hash chain from the first record to the last (``EventStore.verify``).

    A record changed, lost or garbled after it was written (a ledger file edited by hand) is
    reported at its position instead of raised, as every other finding is.

    Args:
        ledger: the ledger whose log to check.

    Returns:
        One ``log-fails-verification`` violation naming the first record that fails, or an
        empty list.
    """
    try:
        ledger.store.verify()
    except (IntegrityError, CorruptLogError) as error:
        return [log_violation(error)]
    return []


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

# Each check in the form repatevents.invariants served until 0.1 (a ledger and a query), by its
# old public name: that module keeps them behind a DeprecationWarning until 0.3.
LEDGER_CHECKS: dict[str, LedgerCheck] = {
    f"check_{name}": public_check(check) for name, check in CHECKS.items()
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

    First checks the log's hash chain: a log that fails verification (a record changed, lost or
    garbled since it was written) is reported as one ``log-fails-verification`` violation at the
    first bad record, and nothing else is checked, as every projection folds that log.

    Then runs, for one query: totals equal the sum of the operations; ``low <= best <= high``
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
        Every violation found (an empty list when there is none). Failures are returned, not
        raised: a log that fails verification is a ``log-fails-verification`` violation, a
        projection that raises a ``projection-failed`` one.

    Raises:
        ValidationError: ``as_of``, ``known_at`` or ``policy`` is not one the ledger accepts.
    """
    broken = check_log(ledger)
    if broken:
        return broken
    snapshot = Snapshot(ledger, as_of, known_at, policy)
    found: list[Violation] = []
    try:
        for name, check in CHECKS.items():
            if name == "exports" and not exports:
                continue
            found += check(snapshot)
    except (IntegrityError, CorruptLogError) as error:  # the log changed while it was checked
        return [log_violation(error)]
    return snapshot.failures + found
