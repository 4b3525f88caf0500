"""An index of operations by date, for the claims of reconciliation: sums over a window fast.

A cumulative claim covers the operations of its country whose dates fall inside its window
(``_clock.in_window``). Scanning every operation for every claim costs claims x operations,
and a ledger gains both as it grows. The index keeps a country's operations in groups of one
nationality, origin and date width, each ordered by its latest day (and by its earliest),
with running sums of every figure a claim compares. A window's sums are then a difference of
two running sums, less the few operations that straddle its start (only those within the
group's date width of it are looked at), in O(log operations) per group.

Dates are ordinals; an open end is taken as minus or plus infinity, which is what
``in_window`` does with it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from ..events import Origin
from ._aggregates import OpView
from ._clock import NO, POSSIBLE, SURE, in_window
from ._compact import RANGE, TOTAL, Fig, When
from ._scope import origin_of

__all__ = [
    "NOTHING",
    "Counted",
    "OperationIndex",
    "members_of",
    "minus",
    "part",
    "plus",
    "window_bounds",
]

# Date widths (days from earliest to latest) that share a group: a group is scanned only this
# far past a window's start, so a year-wide date does not slow down the day-wide ones.
_WIDTHS = (0, 7, 31, 92, 366)


def part(view: OpView, category: int) -> tuple[Fig, bool]:
    """Return an operation's figure for ``category``, and whether the reports gave it.

    An operation whose reports do not give the category held from none to all of its people.
    """
    total = view.figs[TOTAL]
    assert total is not None  # an operation always has a total
    fig = view.figs[category]
    if fig is not None:
        return fig, True
    return (0, 0, total[2], RANGE, None), False


class Counted(NamedTuple):
    """Sums over a set of operations: low, best, high (bounded ones), unbounded, count, and
    how many do not give the category compared."""

    low: int
    best: int
    high: int
    unbounded: int
    operations: int
    missing: int


NOTHING = Counted(0, 0, 0, 0, 0, 0)


def plus(a: Counted, b: Counted) -> Counted:
    """Return the sums of two sets of operations taken together."""
    return Counted(a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5])


def minus(a: Counted, b: Counted) -> Counted:
    """Return the sums of ``a`` without the operations of ``b`` (a subset of it)."""
    return Counted(a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3], a[4] - b[4], a[5] - b[5])


def _counted(view: OpView, category: int) -> Counted:
    fig, given = part(view, category)
    high = fig[2]
    return Counted(fig[0], fig[1], high or 0, high is None, 1, not given)


def _running(values: Iterable[Counted]) -> list[Counted]:
    return list(itertools.accumulate(values, plus, initial=NOTHING))


def _ends(when: When) -> tuple[float, float]:
    return (
        -math.inf if when.earliest is None else when.earliest,
        math.inf if when.latest is None else when.latest,
    )


class _Group:
    """Operations of one country, nationality, origin and date width."""

    def __init__(self, views: list[OpView], width: float) -> None:
        self.width = width
        self.by_latest = sorted(views, key=lambda v: _ends(v.date)[1])
        self.latest = [_ends(v.date)[1] for v in self.by_latest]
        by_earliest = sorted(views, key=lambda v: _ends(v.date)[0])
        self.earliest = [_ends(v.date)[0] for v in by_earliest]
        self._by_earliest = by_earliest
        self._sums: dict[int, tuple[list[Counted], list[Counted]]] = {}

    def sums(self, category: int) -> tuple[list[Counted], list[Counted]]:
        """Return the running sums in latest-day order and in earliest-day order."""
        found = self._sums.get(category)
        if found is None:
            found = (
                _running(_counted(v, category) for v in self.by_latest),
                _running(_counted(v, category) for v in self._by_earliest),
            )
            self._sums[category] = found
        return found

    def window(self, since: float, until: float, category: int) -> tuple[Counted, Counted]:
        """Return the sums of the operations surely and possibly inside ``[since, until]``."""
        by_latest, by_earliest = self.sums(category)
        ends = bisect.bisect_right(self.latest, until)
        starts = bisect.bisect_left(self.latest, since)
        # Operations ending inside the window but starting before it straddle its start: only
        # those ending less than the group's width after the start can.
        straddle = NOTHING
        if since > -math.inf:
            stop = ends
            if not math.isinf(self.width):
                stop = min(ends, bisect.bisect_left(self.latest, since + self.width))
            for view in self.by_latest[starts:stop]:
                if _ends(view.date)[0] < since:
                    straddle = plus(straddle, _counted(view, category))
        sure = minus(minus(by_latest[ends], by_latest[starts]), straddle)
        after = bisect.bisect_right(self.earliest, until)
        outside = plus(by_latest[starts], minus(by_earliest[-1], by_earliest[after]))
        return sure, minus(minus(by_latest[-1], sure), outside)

    def members(self, since: float, until: float) -> Iterator[tuple[OpView, int]]:
        """Yield the operations inside or straddling ``[since, until]``, with ``in_window``'s
        answer for each."""
        starts = bisect.bisect_left(self.latest, since)
        stop = bisect.bisect_right(self.latest, until + self.width)
        for view in self.by_latest[starts:stop]:
            earliest, latest = _ends(view.date)
            if earliest > until:
                continue
            yield view, (SURE if since <= earliest and latest <= until else POSSIBLE)


def _width(when: When) -> float:
    earliest, latest = _ends(when)
    span = latest - earliest
    return next((w for w in _WIDTHS if span <= w), math.inf)


class OperationIndex:
    """The operations of every country, grouped for window sums (see the module docstring)."""

    def __init__(self, views: Iterable[OpView]) -> None:
        grouped: dict[tuple[str, str, Origin, float], list[OpView]] = defaultdict(list)
        for view in views:
            key = (view.country, view.nationality or view.country, origin_of(view.origin))
            grouped[(*key, _width(view.date))].append(view)
        self._groups: dict[str, list[tuple[str, Origin, _Group]]] = defaultdict(list)
        for (country, nationality, origin, width), members in grouped.items():
            self._groups[country].append((nationality, origin, _Group(members, width)))

    def groups(
        self, country: str | None, nationality: str | None, scope: Origin
    ) -> Iterator[tuple[Origin, int, _Group]]:
        """Yield the groups a claim may count: each group's origin, whether the claim's
        scope covers it (``SURE``) or may (``POSSIBLE``), and the group.

        A claim about every receiving country together (``country`` None) counts the groups of
        every country, each once.
        """
        chosen = (
            [g for groups in self._groups.values() for g in groups]
            if country is None
            else self._groups.get(country, ())
        )
        for group_nationality, origin, group in chosen:
            if nationality is not None and group_nationality != nationality:
                continue
            member = SURE if scope.covers(origin) else POSSIBLE if scope.may_cover(origin) else NO
            if member != NO:
                yield origin, member, group


def window_bounds(since: When | None, until: When) -> tuple[float, float]:
    """Return a claim's window as ordinals, open ends as infinities (as ``in_window`` reads
    them)."""
    start = -math.inf if since is None or since.earliest is None else since.earliest
    end = math.inf if until.latest is None else until.latest
    return start, end


def members_of(
    index: OperationIndex,
    country: str | None,
    nationality: str | None,
    scope: Origin,
    since: When | None,
    until: When,
) -> tuple[list[OpView], list[OpView], set[str]]:
    """Return the operations surely and possibly inside a claim, and why some only possibly."""
    start, end = window_bounds(since, until)
    sure: list[OpView] = []
    possible: list[OpView] = []
    reasons: set[str] = set()
    for origin, member, group in index.groups(country, nationality, scope):
        candidates: Sequence[tuple[OpView, int]]
        if start > end:
            # An empty window (its start after its end): too odd to index; ask each operation.
            candidates = [(v, in_window(v.date, since, until)) for v in group.by_latest]
        else:
            candidates = list(group.members(start, end))
        for view, window in candidates:
            where = min(window, member)
            if where == SURE:
                sure.append(view)
            elif where == POSSIBLE:
                possible.append(view)
                if member == POSSIBLE:
                    reasons.add(f"origin given as {origin.value}")
                if window == POSSIBLE:
                    reasons.add("date may fall outside the window")
    return sure, possible, reasons
