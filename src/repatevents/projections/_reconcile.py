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

Cost: O(operations + claims).
"""

from __future__ import annotations

from collections import defaultdict

from ..events import Origin
from ._aggregates import OpView
from ._clock import NO, POSSIBLE, SURE, happened_by, in_window
from ._figures import BASIS_PARTS, Sum, effective, qualified
from ._operations import operation_views, sort_key
from ._policy import Policy
from ._records import (
    AT_MOST,
    FAMILIES,
    FIELDS,
    RANGE,
    TOTAL,
    ClaimRec,
    Fig,
    to_estimate,
    to_fuzzy,
    uuid_of,
)
from ._results import Reconciliation, ReconciliationStatus
from ._scope import origin_of
from ._state import KnowledgeState

__all__ = ["reconcile"]


def _origin_member(claim: Origin, operation: Origin) -> int:
    if claim.covers(operation):
        return SURE
    return POSSIBLE if claim.may_cover(operation) else NO


def _claim_interval(fig: tuple[int, int, int | None, str, str | None]) -> tuple[int, int | None]:
    low, _, high, qualifier, _ = fig
    if qualifier == AT_MOST:
        return (0, high)
    return (low, high)


def _overlaps(low: int, high: int | None, c_low: int, c_high: int | None) -> bool:
    return (high is None or high >= c_low) and (c_high is None or low <= c_high)


def _members(claim: ClaimRec, views: list[OpView]) -> tuple[list[OpView], list[OpView], set[str]]:
    sure: list[OpView] = []
    possible: list[OpView] = []
    reasons: set[str] = set()
    scope = Origin(claim.origin)
    for view in views:
        if claim.nationality is not None and (view.nationality or view.country) != (
            claim.nationality
        ):
            continue
        window = in_window(view.date, claim.since, claim.until)
        origin = _origin_member(scope, origin_of(view.origin))
        where = min(window, origin)
        if where == SURE:
            sure.append(view)
        elif where == POSSIBLE:
            possible.append(view)
            if origin == POSSIBLE:
                reasons.add(f"origin given as {origin_of(view.origin).value}")
            if window == POSSIBLE:
                reasons.add("date may fall outside the window")
    return sure, possible, reasons


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


def _part(view: OpView, category: int) -> tuple[Fig, bool]:
    """Return an operation's figure for ``category``, and whether the reports gave it.

    An operation whose reports do not give the category held from none to all of its people.
    """
    total = view.figs[TOTAL]
    assert total is not None  # an operation always has a total
    fig = view.figs[category]
    if fig is not None:
        return fig, True
    return (0, 0, total[2], RANGE, None), False


def _figure(view: OpView, category: int) -> str:
    """Return an operation's figure as an explanation names it, saying when it is disputed.

    A figure whose reports disagree shows its range beside the best ("95 (95 to 96)"), and a
    total raised to the parts its report names says so: a reader must not take either for a
    figure every source agrees on.
    """
    fig, given = _part(view, category)
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


def _figures(views: list[OpView], category: int) -> str:
    parts = [_figure(v, category) for v in views]
    return " + ".join(parts) if parts else "nothing"


def _reconcile_one(state: KnowledgeState, claim: ClaimRec, views: list[OpView]) -> Reconciliation:
    sure, possible, reasons = _members(claim, views)
    category, claimed = _claimed(claim)
    sure_sum, possible_sum = Sum(), Sum()
    missing = 0
    for views, total in ((sure, sure_sum), (possible, possible_sum)):
        for view in views:
            fig, given = _part(view, category)
            missing += not given
            total.add(fig)
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
    explanation = (
        f"The ledger holds {ledger[0]} to {high_text}"
        f"{'' if category == TOTAL else ' ' + name} against the claimed {claim_text}: "
        f"{_figures(sure, category)} surely inside the claim's window and scope"
    )
    if possible:
        explanation += (
            f", and {_figures(possible, category)} possibly ({', '.join(sorted(reasons))})"
        )
    explanation += "."
    if missing:
        explanation += (
            f" {missing} operation{'s' if missing > 1 else ''} (?) give no count of {name}: "
            f"from none to all of {'their' if missing > 1 else 'its'} people."
        )
    source = state.sources[claim.source]
    return Reconciliation(
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
        sure_operations=tuple(uuid_of(v.gid) for v in sure),
        possible_operations=tuple(uuid_of(v.gid) for v in possible),
        gap_low=None if claimed[2] is None else ledger[0] - claimed[2],
        gap_best=ledger[1] - claimed[1],
        gap_high=None if high is None else high - claimed[0],
        status=status,
        explanation=explanation,
        category=name,
    )


def reconcile(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> tuple[Reconciliation, ...]:
    """Return every cumulative claim made by ``as_of`` beside the ledger's sum for it.

    Rows are ordered by country, then by the claim's end date, then by claim id.
    """
    by_country: dict[str, list[OpView]] = defaultdict(list)
    for view in sorted(operation_views(state, as_of, policy), key=sort_key):
        by_country[view.country].append(view)
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
    every = [view for views in by_country.values() for view in views]
    return tuple(
        _reconcile_one(state, c, every if c.country is None else by_country.get(c.country, []))
        for c in claims
    )
