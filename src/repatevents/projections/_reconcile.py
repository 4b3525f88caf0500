"""The reconciliation projection: every cumulative claim beside the ledger's own sum.

A claim is compared only within its own window, origin scope and receiving country (DOMAIN
items 1 and 2: "over 600 since 2019" and "333 this year" can both be right). Each operation
of the country is surely, possibly or not inside the claim:

- window: the claim covers its dates' whole periods ("as of December 2023" counts operations
  up to 31 December 2023); an operation whose date straddles an edge is possibly inside;
- origin: a "from Syria" claim surely covers operations from Syrian places and possibly those
  whose origin is only "Syria or Iraq"; it never covers operations from Iraq;
- nationality: a claim about nationals of another country counts the operations that carried
  them;
- country: a claim about every receiving country together (``all_countries``, "950 foreigners
  repatriated in 2019") is compared with the operations of every country, each counted once.

The ledger's sum is ``low`` and ``best`` over the operations surely inside, and ``high`` adds
those possibly inside: operations of uncertain scope widen the range. A claim that names one
category alone ("169 children", no total) is compared with that category of the operations; an
operation whose reports do not give it counts from none to all of its people. A qualified claim
is an interval: "over 600" is 600 or more, "about 60" is 54 to 66 by the one rule every
projection reads vague words with (see ``_figures``), "up to 50" is 0 to 50. The status
compares the two intervals: consistent (they overlap using only operations surely inside),
scope cannot be matched (they overlap only if operations of uncertain scope count), ledger
lower (operations missing) or ledger higher.

Cost: O((operations + claims) x log operations) for the sums (``_window_index``); a row's
operations are listed when first read (O(operations inside)).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from typing import NamedTuple

from ..events import Origin
from ._aggregates import OpView
from ._clock import SURE, happened_by
from ._compact import (
    AT_MOST,
    FAMILIES,
    FIELDS,
    TOTAL,
    ClaimRec,
    Fig,
    to_estimate,
    to_fuzzy,
    uuid_of,
)
from ._figures import BASIS_PARTS, effective, qualified
from ._operations import operation_views, sort_key
from ._policy import Policy
from ._results import ListedLater, Reconciliation, ReconciliationStatus
from ._state import KnowledgeState
from ._window_index import (
    NOTHING,
    Counted,
    OperationIndex,
    members_of,
    part,
    plus,
    window_bounds,
)

__all__ = [
    "LISTED",
    "ClaimComparison",
    "Compared",
    "compare",
    "comparisons",
    "listed",
    "reconcile",
]

#: An explanation names each operation's figure when a claim covers at most this many (surely
#: and possibly); beyond, it gives their number and sum (a list of thousands reads as noise).
LISTED = 20


def _claim_interval(fig: tuple[int, int, int | None, str, str | None]) -> tuple[int, int | None]:
    low, _, high, qualifier, _ = fig
    if qualifier == AT_MOST:
        return (0, high)
    return (low, high)


def _overlaps(low: int, high: int | None, c_low: int, c_high: int | None) -> bool:
    return (high is None or high >= c_low) and (c_high is None or low <= c_high)


def _claimed(claim: ClaimRec) -> tuple[int, Fig]:
    """Return what a claim counts (the index in FIELDS) and its figure.

    A claim with a total (or families) is a claim about everyone; a claim that names one
    category alone ("169 children") is about that category, and is compared with it.
    """
    figs = effective(claim.people)[0]
    if claim.people[TOTAL] is None and figs[FAMILIES] is None:
        named = [i for i in range(FAMILIES + 1, len(FIELDS)) if figs[i] is not None]
        if len(named) == 1:
            fig = figs[named[0]]
            assert fig is not None
            return named[0], fig
    total = figs[TOTAL]
    assert total is not None
    return TOTAL, total


def _figure(view: OpView, category: int) -> str:
    """Return an operation's figure as an explanation names it, saying when it is disputed.

    A figure whose reports disagree shows its range beside the best ("95 (95 to 96)"), and a
    total raised to the parts its report names says so: a reader must not take either for a
    figure every source agrees on.
    """
    fig, given = part(view, category)
    if not given:
        return "?"
    low, best, high = fig[0], fig[1], fig[2]
    text = str(best)
    notes = []
    if high is None:
        notes.append(f"at least {low}")
    elif low != high:
        notes.append(f"{low} to {high}")
    if category == TOTAL and view.basis == BASIS_PARTS:
        notes.append("the sum of the parts a report names, above its headline total")
    return f"{text} ({'; '.join(notes)})" if notes else text


def _figures(views: list[OpView] | None, counted: Counted, category: int) -> str:
    if views is None:
        return f"{counted.operations} operations summing to {counted.best}"
    parts = [_figure(v, category) for v in views]
    return " + ".join(parts) if parts else "nothing"


class Compared(NamedTuple):
    """What a claim is compared with: the sums of the operations surely and possibly inside
    it, why some only possibly, and the operations themselves (by country and date) when they
    were listed."""

    sure: Counted
    possible: Counted
    reasons: set[str]
    sure_views: list[OpView] | None
    possible_views: list[OpView] | None


def _total(views: list[OpView], category: int) -> Counted:
    counted = NOTHING
    for view in views:
        fig, given = part(view, category)
        counted = plus(counted, Counted(fig[0], fig[1], fig[2] or 0, fig[2] is None, 1, not given))
    return counted


def listed(index: OperationIndex, claim: ClaimRec, category: int) -> Compared:
    """Compare a claim with the operations inside it, listing them."""
    sure, possible, reasons = members_of(
        index, claim.country, claim.nationality, Origin(claim.origin), claim.since, claim.until
    )
    sure.sort(key=sort_key)
    possible.sort(key=sort_key)
    return Compared(_total(sure, category), _total(possible, category), reasons, sure, possible)


def compare(
    index: OperationIndex, claim: ClaimRec, category: int, *, limit: int = LISTED
) -> Compared:
    """Compare a claim with the operations inside its window and scope.

    The sums are taken from the index (O(log operations) per group); the operations are
    listed only when there are at most ``limit`` (the explanation names each one's figure).
    """
    start, end = window_bounds(claim.since, claim.until)
    if start > end:
        return listed(index, claim, category)
    sure = possible = NOTHING
    reasons: set[str] = set()
    scope = Origin(claim.origin)
    for origin, member, group in index.groups(claim.country, claim.nationality, scope):
        inside, straddling = group.window(start, end, category)
        if straddling.operations:
            reasons.add("date may fall outside the window")
        if member == SURE:
            sure, possible = plus(sure, inside), plus(possible, straddling)
        else:
            possible = plus(possible, plus(inside, straddling))
            if inside.operations or straddling.operations:
                reasons.add(f"origin given as {origin.value}")
    if sure.operations + possible.operations <= limit:
        return listed(index, claim, category)
    return Compared(sure, possible, reasons, None, None)


class ClaimComparison(NamedTuple):
    """A reconciliation row without the operations' ids: what the table shows."""

    reconciliation: Reconciliation
    sure_count: int
    possible_count: int


class _Listing:
    """The operations a claim covers, listed once, when either of its rows' lists is read."""

    __slots__ = ("_category", "_claim", "_ids", "_index")

    def __init__(self, index: OperationIndex, claim: ClaimRec, category: int) -> None:
        self._index: OperationIndex | None = index
        self._claim, self._category = claim, category
        self._ids: tuple[tuple[uuid.UUID, ...], tuple[uuid.UUID, ...]] | None = None

    def ids(self, which: int) -> tuple[uuid.UUID, ...]:
        if self._ids is None:
            assert self._index is not None
            found = listed(self._index, self._claim, self._category)
            self._ids = (
                tuple(uuid_of(v.gid) for v in found.sure_views or ()),
                tuple(uuid_of(v.gid) for v in found.possible_views or ()),
            )
            self._index = None
        return self._ids[which]


def _reconcile_one(
    state: KnowledgeState, claim: ClaimRec, compared: Compared, listing: _Listing | None
) -> ClaimComparison:
    category, claimed = _claimed(claim)
    sure_sum, possible_sum = compared.sure, compared.possible
    missing = sure_sum.missing + possible_sum.missing
    unbounded = sure_sum.unbounded or possible_sum.unbounded
    high = None if unbounded else sure_sum.high + possible_sum.high
    ledger = qualified(sure_sum.low, sure_sum.best, high)
    c_low, c_high = _claim_interval(claimed)
    sure_high = None if sure_sum.unbounded else sure_sum.high
    if high is not None and high < c_low:
        status = ReconciliationStatus.LEDGER_LOWER
    elif c_high is not None and ledger[0] > c_high:
        status = ReconciliationStatus.LEDGER_HIGHER
    elif _overlaps(sure_sum.low, sure_high, c_low, c_high):
        status = ReconciliationStatus.CONSISTENT
    else:
        status = ReconciliationStatus.SCOPE_UNMATCHED
    name = FIELDS[category]
    claim_text = claimed[4] or str(claimed[1])
    if category != TOTAL and name not in claim_text.lower():
        claim_text += f" {name}"
    high_text = "no upper bound" if high is None else str(high)
    # Listed or not, a row reads the same: figures one by one only up to LISTED operations.
    shown = sure_sum.operations + possible_sum.operations <= LISTED
    explanation = (
        f"The ledger holds {ledger[0]} to {high_text}"
        f"{'' if category == TOTAL else ' ' + name} against the claimed {claim_text}: "
        f"{_figures(compared.sure_views if shown else None, sure_sum, category)} surely "
        "inside the claim's "
        "window and scope"
    )
    if possible_sum.operations:
        explanation += (
            f", and {_figures(compared.possible_views if shown else None, possible_sum, category)}"
            " possibly "
            f"({', '.join(sorted(compared.reasons))})"
        )
    explanation += "."
    if missing:
        explanation += (
            f" {missing} operation{'s' if missing > 1 else ''} (?) give no count of {name}: "
            f"from none to all of {'their' if missing > 1 else 'its'} people."
        )
    source = state.sources[claim.source]
    row = Reconciliation(
        claim_id=uuid_of(claim.id),
        country=claim.country,
        counter=claim.counter,
        publisher=source.publisher,
        url=source.url,
        origin=Origin(claim.origin),
        since=None if claim.since is None else to_fuzzy(claim.since),
        until=to_fuzzy(claim.until),
        claimed=to_estimate(claimed),
        ledger=to_estimate(ledger),
        sure_operations=() if listing is None else ListedLater(partial(listing.ids, 0)),
        possible_operations=() if listing is None else ListedLater(partial(listing.ids, 1)),
        gap_low=None if claimed[2] is None else ledger[0] - claimed[2],
        gap_best=ledger[1] - claimed[1],
        gap_high=None if high is None else high - claimed[0],
        status=status,
        explanation=explanation,
        category=name,
    )
    return ClaimComparison(row, sure_sum.operations, possible_sum.operations)


def _comparisons(
    state: KnowledgeState, as_of: int | None, policy: Policy, *, ids: bool
) -> Iterator[ClaimComparison]:
    index = OperationIndex(operation_views(state, as_of, policy))
    claims = [
        rec
        for rec in state.reports.values()
        if isinstance(rec, ClaimRec) and happened_by(rec.until, as_of)
    ]
    claims.sort(
        key=lambda c: (
            c.country or "",
            c.until.latest if c.until.latest is not None else 10**7,
            c.id,
        )
    )
    for claim in claims:
        category = _claimed(claim)[0]
        # The sums come from the index; the operations' ids are listed only when read.
        compared = compare(index, claim, category)
        listing = _Listing(index, claim, category) if ids else None
        yield _reconcile_one(state, claim, compared, listing)


def comparisons(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> tuple[ClaimComparison, ...]:
    """Return every claim made by ``as_of`` beside the ledger's sum, without the operations'
    ids (their counts instead): the reconciliation table. Cost: O((operations + claims) x
    log operations), however many operations each claim covers.

    Rows are ordered as :func:`reconcile` orders them; a row's ``reconciliation`` has empty
    ``sure_operations`` and ``possible_operations``.
    """
    return tuple(_comparisons(state, as_of, policy, ids=False))


def reconcile(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> tuple[Reconciliation, ...]:
    """Return every cumulative claim made by ``as_of`` beside the ledger's sum for it.

    Rows are ordered by country, then by the claim's end date, then by claim id.
    """
    return tuple(c.reconciliation for c in _comparisons(state, as_of, policy, ids=True))
