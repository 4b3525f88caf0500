"""Violations: what an invariant check found, with enough context to find it in the ledger."""

from __future__ import annotations

import enum
import uuid

import attrs

from ..events import Estimate

__all__ = ["Violation", "ViolationKind", "bounds_text"]


class ViolationKind(enum.Enum):
    """The invariants a ledger's projections must keep; each violation names one."""

    #: The log does not verify: a record was changed, lost or garbled after it was written.
    LOG_FAILS_VERIFICATION = "log-fails-verification"
    #: A projection raised instead of answering.
    PROJECTION_FAILED = "projection-failed"
    #: A country's total (or a category of it) is not the sum of its operations.
    TOTALS_DIFFER = "totals-differ-from-operations"
    #: An estimate with ``low > best``, ``best > high`` or a bound below zero.
    BOUNDS_OUT_OF_ORDER = "bounds-out-of-order"
    #: A cumulative time series that goes down from one period to the next.
    SERIES_DECREASES = "cumulative-series-decreases"
    #: A time-series point that is not the sum of the operations done by its period's end.
    SERIES_DIFFERS = "series-differs-from-operations"
    #: A remaining estimate below zero.
    REMAINING_NEGATIVE = "remaining-below-zero"
    #: A remaining estimate that is not its baseline minus outflows plus inflows, clamped at 0.
    REMAINING_DIFFERS = "remaining-differs-from-flows"
    #: Breakdown categories outside their whole, in a figure whose reports are consistent.
    BREAKDOWN_OUTSIDE = "breakdown-outside-whole"
    #: A claim's ledger figure or gap that does not follow from the operations it names.
    RECONCILIATION_DIFFERS = "reconciliation-differs-from-operations"
    #: An operation counted "as of" a day before it surely happened.
    COUNTED_TOO_EARLY = "counted-before-it-happened"
    #: A retracted report still behind a figure.
    RETRACTED_COUNTED = "retracted-report-counted"
    #: A report counted with figures a later correction replaced.
    SUPERSEDED_COUNTED = "superseded-report-counted"
    #: A figure resting on a report the log does not hold (or not at that ``known_at``).
    UNKNOWN_REPORT = "unknown-report-counted"
    #: One report counted in two operations.
    REPORT_COUNTED_TWICE = "report-counted-twice"
    #: Reports grouped into operations otherwise than their keys and links say.
    GROUPING_DIFFERS = "operations-grouped-wrongly"
    #: A projection that differs once the log is folded again from zero.
    REBUILD_DIFFERS = "rebuild-differs"
    #: A projection "known at" a position that differs from a ledger holding only that much.
    KNOWN_AT_DIFFERS = "known-at-differs"
    #: A table whose cells differ from the projection it was built from.
    TABLE_DIFFERS = "table-differs-from-projection"
    #: An export that does not read back to the table it was written from.
    EXPORT_DIFFERS = "export-differs"


@attrs.frozen
class Violation:
    """One broken invariant, located.

    Attributes:
        kind: which invariant.
        message: a sentence naming the figures involved.
        projection: the projection (or table, or exporter) where it was found.
        country: the receiving country concerned, if one is.
        operation: the operation's label (its key, or ``op-<id>``), if one is concerned.
        event_ids: the reports (or events) involved.
        period: the time-series period (``"2023-12"``), if one is concerned.
        place: the camp or place id, if one is concerned.
        position: the log position concerned (the first record that fails verification).
    """

    kind: ViolationKind
    message: str
    projection: str
    country: str | None = None
    operation: str | None = None
    event_ids: tuple[uuid.UUID, ...] = ()
    period: str | None = None
    place: str | None = None
    position: int | None = None

    def __str__(self) -> str:
        where = [
            f"{name}={value}"
            for name, value in (
                ("country", self.country),
                ("operation", self.operation),
                ("period", self.period),
                ("place", self.place),
                ("position", self.position),
            )
            if value is not None
        ]
        if self.event_ids:
            where.append("events=" + ",".join(str(i) for i in self.event_ids))
        context = f" ({'; '.join(where)})" if where else ""
        return f"[{self.kind.value}] {self.projection}: {self.message}{context}"


def bounds_text(value: Estimate | tuple[int, int, int | None] | None) -> str:
    """Return an estimate's bounds as ``low/best/high`` text (``…`` for no upper bound)."""
    if value is None:
        return "not reported"
    low, best, high = (value.low, value.best, value.high) if isinstance(value, Estimate) else value
    return f"{low}/{best}/{'…' if high is None else high}"
