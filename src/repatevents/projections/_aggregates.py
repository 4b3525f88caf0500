"""Aggregates: per-country sums of operations and per-population flow sums, add and subtract.

The same classes serve both paths of every projection: the knowledge state keeps one set up
to date under the default query (every date, the default policy) one change at a time, and a
query with another ``as_of`` or policy builds a fresh set from every operation. Sums are exact
integers, so both paths give equal results.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, NamedTuple, TypeAlias

from ._clock import NO, POSSIBLE, SURE, after, order_key
from ._compact import FIELDS, Fig, Figs, StockRec, When
from ._figures import BASIS_FAMILIES, BASIS_REPORTED, Sum, qualified
from ._scope import contains, origin_of, scope_includes

__all__ = [
    "CountryAgg",
    "Flow",
    "OpView",
    "Route",
    "StockAgg",
    "StockKey",
    "classify",
    "fig_of",
    "month_index",
    "route_of",
]

_N = len(FIELDS)


#: Where an operation's people went and came from: (receiving country, nationality, origin).
Route: TypeAlias = tuple[str, str | None, str]
_routes: dict[Route, Route] = {}


def route_of(country: str, nationality: str | None, origin: str) -> Route:
    """Return the :data:`Route` of these values, one shared value for equal ones."""
    key = (country, nationality, origin)
    found = _routes.get(key)
    if found is None:
        if len(_routes) >= 1 << 14:
            _routes.clear()
        found = _routes[key] = key
    return found


class OpView(NamedTuple):
    """One operation under a policy: its place, date and figures (the total always set).

    A state keeps one for every operation: the values that recur together are one shared
    tuple (``route``), read through the properties.
    """

    gid: int
    route: Route
    date: When
    figs: Figs
    basis: str

    @property
    def country(self) -> str:
        """The receiving country (ISO code)."""
        return self.route[0]

    @property
    def nationality(self) -> str | None:
        """The nationality of the people, where it is not the receiving country's."""
        return self.route[1]

    @property
    def origin(self) -> str:
        """Where the people came from (a place id)."""
        return self.route[2]


class Flow(NamedTuple):
    """People leaving ("op" repatriations, "out") or entering ("in") a place, with a date."""

    kind: str
    place: str
    nationality: str | None
    date: When
    fig: Fig


_FAMILIES = FIELDS.index("families")
_I = {name: i for i, name in enumerate(FIELDS)}
# What a category cannot share people with, on the other side of adults | children, and
# beside it on its own side: women are not children, and not men.
_OTHER_SIDE = {
    "adults": "children",
    "women": "children",
    "men": "children",
    "children": "adults",
    "girls": "adults",
    "boys": "adults",
    "orphans": "adults",
}
_BESIDE = {"women": "men", "men": "women", "girls": "boys", "boys": "girls"}


def _low(figs: Figs, name: str) -> int:
    fig = figs[_I[name]]
    return 0 if fig is None else fig[0]


def _side(figs: Figs, side: str) -> int:
    """The fewest people an operation's reports put among the adults (or the children)."""
    if side == "adults":
        return max(_low(figs, "adults"), _low(figs, "women") + _low(figs, "men"))
    parts = _low(figs, "girls") + _low(figs, "boys")
    return max(_low(figs, "children"), parts, _low(figs, "orphans"))


def room_for(figs: Figs, i: int) -> int | None:
    """Return the most people category ``i`` can hold in an operation that does not report it.

    It is the total's ``high`` less the people the operation surely puts elsewhere: 84 people
    of whom 84 are children hold no women. ``None`` when the total has no upper bound;
    ``unknown`` holds up to the whole total.
    """
    total = figs[0]
    assert total is not None
    if total[2] is None:
        return None
    name = FIELDS[i]
    taken = 0
    if name in _OTHER_SIDE:
        taken = _side(figs, _OTHER_SIDE[name])
        if name in _BESIDE:
            taken += _low(figs, _BESIDE[name])
    return max(0, total[2] - taken)


@functools.cache
def month_index(day: int) -> int:
    """Return the month a day (an ordinal) falls in, counted from year 1: 12 x year + month - 1."""
    date = dt.date.fromordinal(day)
    return date.year * 12 + date.month - 1


def _count(counter: dict[Any, int], key: Any, sign: int) -> None:
    left = counter.get(key, 0) + sign
    if left:
        counter[key] = left
    else:
        del counter[key]


def _add_total(
    sums: dict[Any, list[int]], key: Any, low: int, best: int, high: int | None, sign: int
) -> None:
    """Add an operation's total (already times ``sign``) to the sum kept under ``key``, and
    drop that sum when no operation is left in it."""
    part = sums.get(key)
    if part is None:
        part = sums[key] = [0, 0, 0, 0, 0]
    part[0] += low
    part[1] += best
    if high is None:
        part[3] += sign
    else:
        part[2] += high
    part[4] += sign
    if part[4] == 0:
        del sums[key]


def fig_of(part: list[int]) -> Fig | None:
    low, best, high, unbounded, count = part
    return None if count == 0 else qualified(low, best, None if unbounded else high)


class CountryAgg:
    """The operations of one receiving country, summed: what the totals projection shows.

    ``figs[i]`` sums category ``FIELDS[i]`` over the operations that report it, and
    ``room[i]`` sums, over the operations that do not, the most the category can hold in each
    (:func:`room_for`). Each sum is ``[low, best, high, unbounded highs, operations]``: plain
    integers, updated in place, since this runs for every operation a fold touches.
    """

    __slots__ = (
        "converted",
        "figs",
        "first",
        "firsts",
        "from_families",
        "last",
        "lasts",
        "months",
        "nationalities",
        "ops",
        "origins",
        "room",
    )

    def __init__(self) -> None:
        self.ops = 0
        #: operations whose total was not reported as such, and those converted from families
        self.converted = 0
        self.from_families = 0
        self.figs = [[0, 0, 0, 0, 0] for _ in range(_N)]
        self.room = [[0, 0, 0, 0, 0] for _ in range(_N)]
        self.origins: dict[str, list[int]] = {}
        #: how many operations start (end) on each day: their minimum (maximum) is the first
        #: (last) operation date, and stays right when an operation is taken away
        self.firsts: dict[int, int] = {}
        self.lasts: dict[int, int] = {}
        #: the first and last operation days (ordinals), kept so reading them is O(1)
        self.first: int | None = None
        self.last: int | None = None
        self.nationalities: dict[str, int] = {}
        #: the total of the operations whose latest possible day falls in each month (the
        #: month's index, :func:`month_index`): the time series adds these up, so the default
        #: one needs no operation loaded
        self.months: dict[int, list[int]] = {}

    def add(self, view: OpView, sign: int = 1) -> None:
        """Add an operation (or take it away, with ``sign=-1``)."""
        self.ops += sign
        total = view.figs[0]
        assert total is not None
        t_low, t_best, t_high = total[0] * sign, total[1] * sign, total[2]
        t_high = None if t_high is None else t_high * sign
        figs, rooms = self.figs, self.room
        for i, fig in enumerate(view.figs):
            if fig is None:
                if i > _FAMILIES:
                    # Not reported: the category holds from none to the most it can.
                    room = rooms[i]
                    most = room_for(view.figs, i)
                    if most is None:
                        room[3] += sign
                    else:
                        room[2] += sign * most
                    room[4] += sign
                continue
            part = figs[i]
            part[0] += sign * fig[0]
            part[1] += sign * fig[1]
            if fig[2] is None:
                part[3] += sign
            else:
                part[2] += sign * fig[2]
            part[4] += sign
        _add_total(self.origins, origin_of(view.origin).value, t_low, t_best, t_high, sign)
        date = view.date
        if date.latest is not None:
            _add_total(self.months, month_index(date.latest), t_low, t_best, t_high, sign)
        last = order_key(date)
        first = date.earliest if date.earliest is not None else last
        _count(self.firsts, first, sign)
        _count(self.lasts, last, sign)
        if sign > 0:
            self.first = first if self.first is None else min(self.first, first)
            self.last = last if self.last is None else max(self.last, last)
        else:
            # Only taking away the first (last) day itself needs a look at the others.
            if first == self.first and first not in self.firsts:
                self.first = min(self.firsts) if self.firsts else None
            if last == self.last and last not in self.lasts:
                self.last = max(self.lasts) if self.lasts else None
        if view.nationality is not None:
            _count(self.nationalities, view.nationality, sign)
        if view.basis != BASIS_REPORTED:
            self.converted += sign
            if view.basis == BASIS_FAMILIES:
                self.from_families += sign

    def origin(self, scope: str) -> Fig | None:
        """Return the total of the operations from origin scope ``scope``, if any."""
        part = self.origins.get(scope)
        return None if part is None else fig_of(part)

    def category(self, i: int) -> Fig | None:
        """Return category ``i`` over all operations, or ``None`` when none reports it.

        ``low`` and ``best`` add what was reported; ``high`` adds, for the operations that do
        not report the category, the most it can hold in each (:func:`room_for`).
        """
        part = self.figs[i]
        if part[4] == 0:
            return None
        if i <= _FAMILIES:
            # The total is every operation's; families are not people, so nothing widens them.
            return fig_of(part)
        room = self.room[i]
        unbounded = part[3] or room[3] > 0
        high = None if unbounded else part[2] + room[2]
        return qualified(part[0], part[1], high)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountryAgg) and self.__getstate__() == other.__getstate__()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


#: A population whose remaining size is estimated: (place, scope, country or None).
StockKey = tuple[str, str, str | None]


def classify(key: StockKey, base: When, flow: Flow) -> int:
    """Return whether ``flow`` changed population ``key`` after the observation at ``base``."""
    place, scope, country = key
    inside = contains(place, flow.place)
    if inside == NO:
        return NO
    return min(inside, scope_includes(scope, country, flow.nationality), after(flow.date, base))


class StockAgg:
    """One population: its observations, the latest of them (the baseline), and the flows
    since the baseline, summed apart by direction and by certainty."""

    __slots__ = ("baseline", "entries", "flows")

    def __init__(self) -> None:
        #: observation id -> (its record, the figure it gives for this population)
        self.entries: dict[int, tuple[StockRec, Fig]] = {}
        self.baseline: int | None = None
        #: "op-2", "op-1", "out-2", "out-1", "in-2", "in-1" (2: surely, 1: possibly after)
        self.flows: dict[str, Sum] = {}

    def order(self, entry: int) -> tuple[int, int, int]:
        """Return what orders observations: date, then earliest day, then log position."""
        rec = self.entries[entry][0]
        return (order_key(rec.date), rec.date.earliest or 0, rec.position)

    def choose_baseline(self) -> int | None:
        """Return the id of the latest observation (see :meth:`order`)."""
        if not self.entries:
            return None
        return max(self.entries, key=self.order)

    def add_flow(self, key: StockKey, flow: Flow, sign: int = 1) -> None:
        """Count a flow if it happened after the baseline (or take it away)."""
        if self.baseline is None:
            return
        where = classify(key, self.entries[self.baseline][0].date, flow)
        if where == NO:
            return
        name = f"{flow.kind}-{SURE if where == SURE else POSSIBLE}"
        total = self.flows.get(name)
        if total is None:
            total = self.flows[name] = Sum()
        total.add(flow.fig, sign)
        if total.count == 0:
            del self.flows[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StockAgg) and self.__getstate__() == other.__getstate__()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[object, ...]:
        return (self.entries, self.baseline, self.flows)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        self.entries, self.baseline, self.flows = state  # type: ignore[assignment]
