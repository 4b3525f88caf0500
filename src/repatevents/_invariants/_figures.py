"""Checks on the figures themselves: sums, bounds, series, remaining estimates, dates.

Every check reads the public results of the projections (``Operation``, ``CountryTotal`` …)
and recomputes what their documentation promises from other projections; none of them calls
the projections' private code, so a bug there cannot hide itself.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from ..events import CATEGORIES, Estimate, Origin
from ..projections import CountryTotal, Operation, RemainingEstimate, TimeseriesPoint
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind, bounds_text

__all__ = [
    "FIELDS",
    "check_as_of",
    "check_bounds",
    "check_remaining",
    "check_series",
    "check_totals",
    "sum_estimates",
]

#: Every figure of a group of people, in table order.
FIELDS: tuple[str, ...] = ("total", "families", *CATEGORIES)

Bounds = tuple[int, int, int | None]

_ORIGINS = (
    ("from_syria", Origin.SYRIA),
    ("from_iraq", Origin.IRAQ),
    ("from_syria_or_iraq", Origin.SYRIA_OR_IRAQ),
    ("from_elsewhere", Origin.OTHER),
)


def _bounds(estimate: Estimate | None) -> Bounds | None:
    return None if estimate is None else (estimate.low, estimate.best, estimate.high)


def sum_estimates(estimates: Iterable[Estimate]) -> Bounds | None:
    """Return the sum of estimates as (low, best, high); high ``None`` if any is unbounded."""
    items = list(estimates)
    if not items:
        return None
    highs = [e.high for e in items]
    high = None if None in highs else sum(h for h in highs if h is not None)
    return (sum(e.low for e in items), sum(e.best for e in items), high)


# -- totals -------------------------------------------------------------------------------------
# Who cannot be among a category: the people an operation puts on the other side of adults |
# children, and beside it on its own side (women are neither children nor men).
_ADULT_PARTS, _CHILD_PARTS = (
    (("adults",), ("women", "men")),
    (
        ("children",),
        ("girls", "boys"),
        ("orphans",),
    ),
)
_ELSEWHERE: dict[str, tuple[tuple[tuple[str, ...], ...], str | None]] = {
    "adults": (_CHILD_PARTS, None),
    "women": (_CHILD_PARTS, "men"),
    "men": (_CHILD_PARTS, "women"),
    "children": (_ADULT_PARTS, None),
    "girls": (_ADULT_PARTS, "boys"),
    "boys": (_ADULT_PARTS, "girls"),
    "orphans": (_ADULT_PARTS, None),
}


def _fewest(op: Operation, names: tuple[str, ...]) -> int:
    return sum(e.low for name in names if (e := op.people.category(name)) is not None)


def _room(op: Operation, name: str) -> int | None:
    """The most people ``name`` can hold in an operation that does not report it."""
    if op.total.high is None:
        return None
    taken = 0
    if name in _ELSEWHERE:
        other_side, beside = _ELSEWHERE[name]
        taken = max(_fewest(op, parts) for parts in other_side)
        if beside is not None:
            taken += _fewest(op, (beside,))
    return max(0, op.total.high - taken)


def _expected_category(name: str, ops: Sequence[Operation]) -> Bounds | None:
    """A category summed as ``CountryTotal`` documents: ``high`` also adds, for the operations
    that do not report the category, the most it can hold in each (their total's high less
    the people they surely put elsewhere: 84 people, all children, hold no women)."""
    reporting = [e for op in ops if (e := op.people.category(name)) is not None]
    summed = sum_estimates(reporting)
    if summed is None or name in ("total", "families"):
        return summed
    rooms = [_room(op, name) for op in ops if op.people.category(name) is None]
    low, best, high = summed
    if high is None or None in rooms:
        return (low, best, None)
    return (low, best, high + sum(r for r in rooms if r is not None))


def check_totals(snapshot: Snapshot) -> list[Violation]:
    """Check that every country's totals are the sums of its operations (every category,
    every origin scope, the count of operations)."""
    operations: tuple[Operation, ...] | None = snapshot.get("operations")
    totals: tuple[CountryTotal, ...] | None = snapshot.get("totals")
    if operations is None or totals is None:
        return []
    by_country: dict[str, list[Operation]] = defaultdict(list)
    for op in operations:
        by_country[op.country].append(op)
    found: list[Violation] = []
    shown = {t.country: t for t in totals}
    for country in sorted(set(by_country) | set(shown)):
        ops = by_country.get(country, [])
        ids = tuple(op.id for op in ops)
        total = shown.get(country)
        if total is None:
            found.append(
                Violation(
                    ViolationKind.TOTALS_DIFFER,
                    f"{country} has operations ({len(ops)}) but no row in the totals",
                    "totals",
                    country=country,
                    event_ids=ids,
                )
            )
            continue
        if total.operations != len(ops):
            found.append(
                Violation(
                    ViolationKind.TOTALS_DIFFER,
                    f"the totals count {total.operations} operations for {country}, the "
                    f"operations projection has {len(ops)}",
                    "totals",
                    country=country,
                    event_ids=ids,
                )
            )
        pairs = [(f"people.{name}", total.people.category(name), name) for name in FIELDS]
        for label, value, name in pairs:
            expected = _expected_category(name, ops)
            if _bounds(value) != expected:
                found.append(
                    Violation(
                        ViolationKind.TOTALS_DIFFER,
                        f"{country} {label} is {bounds_text(value)} (low/best/high) but the "
                        f"sum over its operations ({len(ops)}) is {bounds_text(expected)}",
                        "totals",
                        country=country,
                        event_ids=ids,
                    )
                )
        for attribute, origin in _ORIGINS:
            value = getattr(total, attribute)
            expected = sum_estimates(op.total for op in ops if op.origin_scope is origin)
            if _bounds(value) != expected:
                found.append(
                    Violation(
                        ViolationKind.TOTALS_DIFFER,
                        f"{country} {attribute} is {bounds_text(value)} but the operations "
                        f"from there add up to {bounds_text(expected)}",
                        "totals",
                        country=country,
                        event_ids=ids,
                    )
                )
    return found


# -- low <= best <= high --------------------------------------------------------------------------
def _estimates(snapshot: Snapshot) -> Iterator[tuple[str, Estimate, dict[str, object]]]:
    """Yield every estimate the projections show, with where it is."""
    for op in snapshot.get("operations") or ():
        where = {"country": op.country, "operation": op.label, "event_ids": (op.id,)}
        for name, value in op.people.reported().items():
            yield f"operations: {op.label} {name}", value, where
    for total in snapshot.get("totals") or ():
        where = {"country": total.country}
        for name, value in total.people.reported().items():
            yield f"totals: {total.country} {name}", value, where
        for attribute, _ in _ORIGINS:
            value = getattr(total, attribute)
            if value is not None:
                yield f"totals: {total.country} {attribute}", value, where
    for point in snapshot.get("timeseries") or ():
        where = {"country": point.country, "period": point.period}
        yield f"timeseries: {point.country} {point.period} cumulative", point.cumulative, where
        yield f"timeseries: {point.country} {point.period} in period", point.in_period, where
    for row in snapshot.get("remaining") or ():
        where = {"country": row.country, "place": row.place}
        for attribute in ("baseline", "repatriated", "other_outflows", "inflows", "remaining"):
            value = getattr(row, attribute)
            if value is not None:
                yield f"remaining: {row.place or row.country} {attribute}", value, where
    for claim in snapshot.get("reconciliation") or ():
        where = {"country": claim.country, "event_ids": (claim.claim_id,)}
        yield f"reconciliation: {claim.country} claimed", claim.claimed, where
        yield f"reconciliation: {claim.country} ledger", claim.ledger, where


def check_bounds(snapshot: Snapshot) -> list[Violation]:
    """Check that every estimate any projection shows has ``0 <= low <= best <= high``."""
    found = []
    for label, value, where in _estimates(snapshot):
        low, best, high = value.low, value.best, value.high
        if 0 <= low <= best and (high is None or best <= high):
            continue
        projection, _, what = label.partition(": ")
        found.append(
            Violation(
                ViolationKind.BOUNDS_OUT_OF_ORDER,
                f"{what} is {bounds_text(value)}; expected 0 <= low <= best <= high",
                projection,
                **where,  # type: ignore[arg-type]
            )
        )
    return found


# -- time series ----------------------------------------------------------------------------------
def _series_point_violation(point: TimeseriesPoint, message: str, kind: ViolationKind) -> Violation:
    return Violation(kind, message, "timeseries", country=point.country, period=point.period)


def check_series(snapshot: Snapshot) -> list[Violation]:
    """Check that cumulative series never decrease and that every point is the sum of the
    operations surely done by the end of its period (and, for ``in_period``, after its start)."""
    points: tuple[TimeseriesPoint, ...] | None = snapshot.get("timeseries")
    operations: tuple[Operation, ...] | None = snapshot.get("operations")
    if points is None:
        return []
    found: list[Violation] = []
    series: dict[tuple[str, str], list[TimeseriesPoint]] = defaultdict(list)
    for point in points:
        series[(point.country, point.granularity)].append(point)
    for (_, granularity), items in sorted(series.items()):
        items.sort(key=lambda p: p.start)
        for before, after in itertools.pairwise(items):
            b, a = before.cumulative, after.cumulative
            lower = (
                a.low < b.low
                or a.best < b.best
                or (a.high is not None and (b.high is None or a.high < b.high))
                or after.operations < before.operations
            )
            if lower:
                found.append(
                    _series_point_violation(
                        after,
                        f"the {granularity} series falls from {bounds_text(b)} "
                        f"({before.operations} operations, {before.period}) to "
                        f"{bounds_text(a)} ({after.operations} operations)",
                        ViolationKind.SERIES_DECREASES,
                    )
                )
    if operations is None:
        return found
    dated: dict[str, list[tuple[int, Operation]]] = defaultdict(list)
    for op in operations:
        if op.date.latest is not None:
            dated[op.country].append((op.date.latest.toordinal(), op))
    for (country, granularity), items in sorted(series.items()):
        ops = dated.get(country, [])
        for point in items:
            start, end = point.start.toordinal(), point.end.toordinal()
            done = [op.total for day, op in ops if day <= end]
            within = [op.total for day, op in ops if start <= day <= end]
            expected = sum_estimates(done)
            if (_bounds(point.cumulative), point.operations) != (expected, len(done)):
                found.append(
                    _series_point_violation(
                        point,
                        f"{country} {granularity} {point.period} is "
                        f"{bounds_text(point.cumulative)} from {point.operations} operations, "
                        f"but the {len(done)} operations done by {point.end} add up to "
                        f"{bounds_text(expected)}",
                        ViolationKind.SERIES_DIFFERS,
                    )
                )
            moved = sum_estimates(within) or (0, 0, 0)
            if _bounds(point.in_period) != moved:
                found.append(
                    _series_point_violation(
                        point,
                        f"{country} {granularity} {point.period} shows "
                        f"{bounds_text(point.in_period)} in the period, but the operations "
                        f"done in it add up to {bounds_text(moved)}",
                        ViolationKind.SERIES_DIFFERS,
                    )
                )
        if items and ops:
            last = max(items, key=lambda p: p.end)
            if last.operations != len(ops):
                found.append(
                    _series_point_violation(
                        last,
                        f"the {granularity} series of {country} ends with {last.operations} "
                        f"operations; {len(ops)} dated operations should be in it",
                        ViolationKind.SERIES_DIFFERS,
                    )
                )
    for country in sorted(set(dated) - {c for c, _ in series}):
        found.append(
            Violation(
                ViolationKind.SERIES_DIFFERS,
                f"{country} has {len(dated[country])} dated operations but no time series",
                "timeseries",
                country=country,
            )
        )
    return found


# -- remaining ------------------------------------------------------------------------------------
def _carried(row: RemainingEstimate) -> tuple[float, int, int | None]:
    """The baseline carried forward by the flows, before clamping (see RemainingEstimate)."""
    base = row.baseline
    assert base is not None
    low: float = base.low
    best: int = base.best
    high: int | None = base.high
    for out in (row.repatriated, row.other_outflows):
        if out is not None:
            low = float("-inf") if out.high is None else low - out.high
            best -= out.best
            high = None if high is None else high - out.low
    if row.inflows is not None:
        low += row.inflows.low
        best += row.inflows.best
        high = None if high is None or row.inflows.high is None else high + row.inflows.high
    return low, best, high


def _remaining_violation(row: RemainingEstimate, kind: ViolationKind, message: str) -> Violation:
    ids = () if row.baseline_id is None else (row.baseline_id,)
    return Violation(
        kind, message, "remaining", country=row.country, place=row.place, event_ids=ids
    )


def _joint_violations(rows: tuple[RemainingEstimate, ...]) -> list[Violation]:
    """Check each bound from a joint count: its place is one of the set's sites, and it never
    exceeds the set's own estimate (a camp never holds more than it and its neighbours)."""
    from ..events import lookup_place

    estimates = {(r.place, r.scope, r.country): r.remaining for r in rows}
    found = []
    for row in rows:
        bound = row.joint_bound
        if bound is None:
            continue
        joint = estimates.get((row.joint_place, row.scope, row.country))
        members = lookup_place(row.joint_place).members if row.joint_place else ()
        over = (
            joint is not None
            and joint.high is not None
            and not (bound.high is not None and bound.high <= joint.high)
        )
        if joint is None or row.place not in members or over:
            found.append(
                _remaining_violation(
                    row,
                    ViolationKind.REMAINING_DIFFERS,
                    f"{row.place} ({row.scope.value}) has a bound {bounds_text(bound)} from "
                    f"{row.joint_place!r}, whose own estimate is "
                    f"{'missing' if joint is None else bounds_text(joint)}",
                )
            )
    return found


def check_remaining(snapshot: Snapshot) -> list[Violation]:
    """Check that no remaining estimate is below zero and that each is its baseline minus the
    outflows plus the inflows since, in interval arithmetic, clamped at zero; or exactly zero
    when its camp was surely closed or emptied after the baseline; and that a bound from a
    joint count of several sites never exceeds that count."""
    rows: tuple[RemainingEstimate, ...] | None = snapshot.get("remaining")
    found: list[Violation] = _joint_violations(rows or ())
    for row in rows or ():
        label = f"{row.place or 'nationals anywhere'} ({row.scope.value}"
        label += f", {row.country})" if row.country else ")"
        value = row.remaining
        if _ended(row):
            if value is None or _bounds(value) != (0, 0, 0):
                found.append(
                    _remaining_violation(
                        row,
                        ViolationKind.REMAINING_DIFFERS,
                        f"{label} was {row.camp_status} after its baseline, but its remaining "
                        f"is {'unknown' if value is None else bounds_text(value)}, not 0",
                    )
                )
            continue
        if value is None:
            if row.baseline is not None:
                found.append(
                    _remaining_violation(
                        row,
                        ViolationKind.REMAINING_DIFFERS,
                        f"{label} has a baseline {bounds_text(row.baseline)} but no estimate",
                    )
                )
            continue
        if value.low < 0 or value.best < 0 or (value.high is not None and value.high < 0):
            found.append(
                _remaining_violation(
                    row,
                    ViolationKind.REMAINING_NEGATIVE,
                    f"{label} remaining is {bounds_text(value)}, below zero",
                )
            )
        if row.baseline is None:
            found.append(
                _remaining_violation(
                    row,
                    ViolationKind.REMAINING_DIFFERS,
                    f"{label} has an estimate {bounds_text(value)} without a baseline",
                )
            )
            continue
        low, best, high = _carried(row)
        expected = (int(max(low, 0)), max(best, 0), None if high is None else max(high, 0))
        if _bounds(value) != expected or row.clamped != (low < 0):
            flows = ", ".join(
                f"{name} {bounds_text(getattr(row, name))}"
                for name in ("repatriated", "other_outflows", "inflows")
            )
            found.append(
                _remaining_violation(
                    row,
                    ViolationKind.REMAINING_DIFFERS,
                    f"{label} remaining is {bounds_text(value)} (clamped: {row.clamped}), but "
                    f"baseline {bounds_text(row.baseline)} with {flows} gives "
                    f"{bounds_text(expected)} (clamped: {low < 0})",
                )
            )
    return found


def _ended(row: RemainingEstimate) -> bool:
    """Whether the row's camp was surely closed or emptied after its baseline."""
    if row.camp_status not in ("closed", "emptied") or row.camp_status_date is None:
        return False
    base = row.baseline_date
    start = row.camp_status_date.earliest
    if base is None:
        return True
    return start is not None and base.latest is not None and start > base.latest


# -- as of ----------------------------------------------------------------------------------------
def check_as_of(snapshot: Snapshot) -> list[Violation]:
    """Check that every operation counted "as of" a day had surely happened by that day."""
    if snapshot.as_of is None:
        return []
    found = []
    for op in snapshot.get("operations") or ():
        latest = op.date.latest
        if latest is None or latest > snapshot.as_of:
            found.append(
                Violation(
                    ViolationKind.COUNTED_TOO_EARLY,
                    f"{op.label} ({op.date.to_text()}) is counted as of "
                    f"{snapshot.as_of.isoformat()}, before it surely happened",
                    "operations",
                    country=op.country,
                    operation=op.label,
                    event_ids=tuple(r.id for r in op.reports),
                )
            )
    return found
