"""The quality checks that compare a report with a group that grows with the log, by sorted
sweeps instead of pairs.

- ``ordinal-mismatch``: each scoped ordinal is compared with how many operations of its country
  surely and possibly came before it. The operations an ordinal counts (the country's, its
  year's, its campaign's) are kept as two sorted lists of days, built once per country and
  scope, and each ordinal bisects them: O(operations x log operations), plus one pass over a
  country's operations per calendar year some ordinal names.
- ``scope-mismatch``: the first overlapping pair of each two scopes observed at a place, in the
  order the reports were recorded. A backward sweep with a prefix maximum over the start days
  finds the first report that overlaps a later one of the other scope:
  O(observations x log observations x scope pairs); there are four scopes.

Both give exactly the findings of the pairwise comparisons they replace (a property in
``tests/projections/test_quality.py`` holds them to a plain pairwise version).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from ._aggregates import OpView
from ._clock import NO, POSSIBLE, SURE
from ._compact import Fig, OpRec, StockRec, When, uuid_of
from ._figures import effective
from ._results import FindingKind, QualityFinding

__all__ = ["ordinal_findings", "scope_findings"]

_SCOPE_WORDS = {"year": "this year", "all": "of all", "campaign": "of its campaign"}
# An open end of a stock's date, as the first pairwise check read it.
_OPEN_START, _OPEN_END = 0, 10**7


def _text(fig: Fig) -> str:
    return fig[4] or str(fig[1])


def _year_of(when: When) -> int | None:
    """The calendar year a date surely falls in, or ``None`` when it may fall in two."""
    if when.earliest is None or when.latest is None:
        return None
    first, last = dt.date.fromordinal(when.earliest), dt.date.fromordinal(when.latest)
    return first.year if first.year == last.year else None


def _in_scope(scope: str, year: int | None, name: str | None, peer: OpView, names: set[str]) -> int:
    """Whether ``peer`` is among the operations the subject's ordinal counts (SURE, POSSIBLE,
    NO)."""
    if scope == "campaign":
        return SURE if name in names else NO
    if scope == "all":
        return SURE
    assert year is not None
    start, end = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    earliest, latest = peer.date.earliest, peer.date.latest
    if earliest is not None and latest is not None and start <= earliest and latest <= end:
        return SURE
    if (latest is not None and latest < start) or (earliest is not None and earliest > end):
        return NO
    return POSSIBLE


def _before(peer: When, subject: When) -> tuple[bool, bool]:
    """Whether ``peer`` surely, and whether it possibly, came before ``subject``."""
    surely = (
        peer.latest is not None and subject.earliest is not None and peer.latest < subject.earliest
    )
    possibly = peer.earliest is None or subject.latest is None or peer.earliest <= subject.latest
    return surely, possibly


class _Before:
    """How many operations of a group surely, and possibly, came before a date.

    ``sure`` are the operations surely counted by an ordinal, ``possible`` those it may count;
    each is kept as the sorted days a count bisects.
    """

    __slots__ = ("earliests", "latests", "open_start", "size")

    def __init__(self, sure: Iterable[OpView], possible: Iterable[OpView]) -> None:
        self.latests = sorted(v.date.latest for v in sure if v.date.latest is not None)
        starts = [v.date.earliest for v in possible]
        self.size = len(starts)
        self.earliests = sorted(day for day in starts if day is not None)
        self.open_start = self.size - len(self.earliests)

    def count(self, date: When) -> tuple[int, int]:
        """Return how many surely and how many possibly came before ``date``."""
        sure = 0 if date.earliest is None else bisect.bisect_left(self.latests, date.earliest)
        if date.latest is None:
            return sure, self.size
        return sure, self.open_start + bisect.bisect_right(self.earliests, date.latest)


def ordinal_findings(
    views: Sequence[OpView],
    names: dict[int, set[str]],
    claims: Sequence[tuple[OpView, OpRec]],
) -> Iterator[QualityFinding]:
    """Compare every scoped ordinal with the ledger's count (see ``_quality``'s docstring).

    Args:
        views: every operation held.
        names: each operation's names (of its reports), by the operation's id.
        claims: each report with a scoped ordinal, with its operation, in the findings' order.
    """
    by_country: dict[str, list[OpView]] = defaultdict(list)
    for view in views:
        by_country[view.country].append(view)
    groups: dict[tuple[str, str, object], _Before] = {}
    named: dict[str, dict[str, list[OpView]]] = {}

    def group(scope: str, country: str, year: int | None, name: str | None) -> _Before:
        key = (country, scope, year if scope != "campaign" else name)
        found = groups.get(key)
        if found is not None:
            return found
        peers = by_country[country]
        if scope == "all":
            found = _Before(peers, peers)
        elif scope == "campaign":
            if country not in named:
                index: dict[str, list[OpView]] = defaultdict(list)
                for peer in peers:
                    for each in names[peer.gid]:
                        index[each].append(peer)
                named[country] = index
            members = named[country].get(name, []) if name is not None else []
            found = _Before(members, members)
        else:
            member = [_in_scope(scope, year, name, peer, names[peer.gid]) for peer in peers]
            found = _Before(
                (p for p, m in zip(peers, member, strict=True) if m == SURE),
                (p for p, m in zip(peers, member, strict=True) if m != NO),
            )
        groups[key] = found
        return found

    for view, rec in claims:
        scope, ordinal = rec.ordinal_scope, rec.ordinal
        assert scope is not None
        assert ordinal is not None
        year = _year_of(view.date) if scope == "year" else None
        if scope == "year" and year is None:
            continue  # the operation may fall in either of two years: nothing to compare
        sure, possible = group(scope, view.country, year, rec.name).count(view.date)
        # The operation itself is in its own group when its scope takes it in: it does not
        # come before itself.
        member = _in_scope(scope, year, rec.name, view, names[view.gid])
        surely, possibly = _before(view.date, view.date)
        sure -= member == SURE and surely
        possible -= member != NO and possibly
        low, high = sure + 1, possible + 1
        if low <= ordinal <= high:
            continue
        words = _SCOPE_WORDS[scope] + (f" ({year})" if year is not None else "")
        if scope == "campaign":
            words = f"of the {rec.name} operations"
        held = f"no. {low}" if low == high else f"no. {low} to {high}"
        yield QualityFinding(
            FindingKind.ORDINAL_MISMATCH,
            f"{view.country}: a report calls an operation no. {ordinal} {words}; the ledger "
            f"counts it as {held} (operations are missing, or the source counts differently).",
            (uuid_of(rec.id),),
            view.country,
        )


class _PrefixMax:
    """The largest value added at a rank up to a given one (a Fenwick tree of maxima)."""

    __slots__ = ("tree",)

    def __init__(self, size: int) -> None:
        self.tree = [-1] * (size + 1)

    def add(self, rank: int, value: int) -> None:
        """Add ``value`` at ``rank`` (from 1)."""
        tree = self.tree
        while rank < len(tree):
            if tree[rank] < value:
                tree[rank] = value
            rank += rank & -rank

    def upto(self, rank: int) -> int:
        """Return the largest value added at ranks 1 to ``rank`` (-1 when none)."""
        tree, best = self.tree, -1
        while rank > 0:
            if tree[rank] > best:
                best = tree[rank]
            rank -= rank & -rank
        return best


def _span(stock: StockRec) -> tuple[int, int]:
    return stock.date.earliest or _OPEN_START, stock.date.latest or _OPEN_END


def _first_overlap(group: Sequence[StockRec], one: str, other: str) -> tuple[int, int] | None:
    """Return the first pair ``(i, j)``, ``i < j``, of observations of the scopes ``one`` and
    ``other`` (either way round) whose dates overlap, in the order of ``group``."""
    chosen = [i for i, stock in enumerate(group) if stock.scope in (one, other)]
    spans = {i: _span(group[i]) for i in chosen}
    starts = sorted({start for start, _ in spans.values()})
    # For each scope, the latest end among the later observations, by their start day.
    ends = {one: _PrefixMax(len(starts)), other: _PrefixMax(len(starts))}
    first: int | None = None
    for i in reversed(chosen):
        start, end = spans[i]
        if start > end:
            continue  # an empty span overlaps nothing
        scope = group[i].scope
        partner = ends[other if scope == one else one]
        # A later span of the other scope that starts by this end and ends from this start on.
        if partner.upto(bisect.bisect_right(starts, end)) >= start:
            first = i
        ends[scope].add(bisect.bisect_left(starts, start) + 1, end)
    if first is None:
        return None
    start, end = spans[first]
    wanted = other if group[first].scope == one else one
    for j in chosen:
        if j > first and group[j].scope == wanted:
            other_start, other_end = spans[j]
            if max(start, other_start) <= min(end, other_end):
                return first, j
    raise AssertionError("the sweep found a pair the scan does not")  # pragma: no cover


def scope_findings(stocks: Sequence[StockRec]) -> Iterator[QualityFinding]:
    """Yield, for each place and two scopes, the first two observations at overlapping dates."""
    by_place: dict[str, list[StockRec]] = defaultdict(list)
    for stock in stocks:
        by_place[stock.place].append(stock)
    for place, group in sorted(by_place.items()):
        scopes = sorted({stock.scope for stock in group})
        pairs = (_first_overlap(group, a, b) for a, b in itertools.combinations(scopes, 2))
        for i, j in sorted(pair for pair in pairs if pair is not None):
            a, b = group[i], group[j]
            fa, fb = effective(a.people)[0][0], effective(b.people)[0][0]
            assert fa is not None
            assert fb is not None
            yield QualityFinding(
                FindingKind.SCOPE_MISMATCH,
                f"{place}: {_text(fa)} ({a.scope}) and {_text(fb)} ({b.scope}) count "
                "different populations at overlapping dates; they are kept apart.",
                (uuid_of(a.id), uuid_of(b.id)),
            )
