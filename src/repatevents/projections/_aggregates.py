"""Aggregates: per-country sums of operations and per-population flow sums, add and subtract.

The same classes serve both paths of every projection: the knowledge state keeps one set up
to date under the default query (every date, the default policy) one change at a time, and a
query with another ``as_of`` or policy builds a fresh set from every operation. Sums are exact
integers, so both paths give equal results.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from ._clock import NO, POSSIBLE, SURE, after, order_key
from ._figures import BASIS_REPORTED, Sum, qualified
from ._records import FIELDS, Fig, Figs, StockRec, When
from ._scope import contains, origin_of, scope_includes

__all__ = ["CountryAgg", "Flow", "OpView", "StockAgg", "StockKey", "classify"]

_N = len(FIELDS)


class OpView(NamedTuple):
    """One operation under a policy: its place, date and figures (the total always set)."""

    gid: int
    country: str
    nationality: str | None
    origin: str
    date: When
    figs: Figs
    basis: str


class Flow(NamedTuple):
    """People leaving ("op" repatriations, "out") or entering ("in") a place, with a date."""

    kind: str
    place: str
    nationality: str | None
    date: When
    fig: Fig


def _dec(counter: Counter[Any], key: Any) -> None:
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]


class CountryAgg:
    """The operations of one receiving country, summed: what the totals projection shows.

    ``figs[i]`` sums category ``FIELDS[i]`` over the operations that report it, and
    ``totals_of[i]`` sums those same operations' totals, so that the total of the operations
    that do not report a category (the most it can hold) is a subtraction away.
    """

    __slots__ = ("bases", "figs", "firsts", "lasts", "nationalities", "ops", "origins", "totals_of")

    def __init__(self) -> None:
        self.ops = 0
        self.figs = [Sum() for _ in range(_N)]
        self.totals_of = [Sum() for _ in range(_N)]
        self.origins: dict[str, Sum] = {}
        self.bases: Counter[str] = Counter()
        self.firsts: Counter[int] = Counter()
        self.lasts: Counter[int] = Counter()
        self.nationalities: Counter[str] = Counter()

    def add(self, view: OpView, sign: int = 1) -> None:
        """Add an operation (or take it away, with ``sign=-1``)."""
        self.ops += sign
        total = view.figs[0]
        assert total is not None
        for i, fig in enumerate(view.figs):
            if fig is not None:
                self.figs[i].add(fig, sign)
                self.totals_of[i].add(total, sign)
        scope = origin_of(view.origin).value
        origin = self.origins.get(scope)
        if origin is None:
            origin = self.origins[scope] = Sum()
        origin.add(total, sign)
        if origin.count == 0:
            del self.origins[scope]
        first = view.date.earliest if view.date.earliest is not None else order_key(view.date)
        last = order_key(view.date)
        if sign > 0:
            self.bases[view.basis] += 1
            self.firsts[first] += 1
            self.lasts[last] += 1
            if view.nationality is not None:
                self.nationalities[view.nationality] += 1
        else:
            _dec(self.bases, view.basis)
            _dec(self.firsts, first)
            _dec(self.lasts, last)
            if view.nationality is not None:
                _dec(self.nationalities, view.nationality)

    def category(self, i: int) -> Fig | None:
        """Return category ``i`` over all operations, or ``None`` when none reports it.

        ``low`` and ``best`` add what was reported; ``high`` adds, for the operations that do
        not report the category, their whole total: nobody said how many of them it holds.
        """
        part = self.figs[i]
        if part.count == 0:
            return None
        if i <= 1:
            # The total is every operation's; families are not people, so nothing widens them.
            return part.fig()
        whole, within = self.figs[0], self.totals_of[i]
        unbounded = part.unbounded or (whole.unbounded - within.unbounded) > 0
        high = None if unbounded else part.high + whole.high - within.high
        return qualified(part.low, part.best, high)

    def converted(self) -> int:
        """Return how many operations have a total that was not reported as such."""
        return sum(n for basis, n in self.bases.items() if basis != BASIS_REPORTED)

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
    """Whether ``flow`` changed the population ``key`` after the observation dated ``base``."""
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

    def choose_baseline(self) -> int | None:
        """Return the id of the latest observation: by date, then the one recorded last."""
        if not self.entries:
            return None
        return max(
            self.entries,
            key=lambda i: (
                order_key(self.entries[i][0].date),
                self.entries[i][0].date.earliest or 0,
                self.entries[i][0].position,
            ),
        )

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
