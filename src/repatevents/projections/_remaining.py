"""The remaining-in-camp projection: the latest observation, carried forward by the flows since.

A population is a place, a scope (everyone, foreigners, non-Syrians, one country's nationals)
and, for nationals, the country; observations of different populations are never mixed (al-Hol
"foreigners" is not al-Hol "everyone"). A stock observation with counts per nationality also
observes each of those nationalities' populations at the place.

Flows are repatriation operations, other outflows (releases, transfers, escapes, deaths) and
inflows (births, arrivals, transfers in). A flow changes a population when its place lies in
the population's place, its people are in the population's scope, and it happened after the
observation; each of the three can be sure or only possible (an operation "from north-east
Syria" may or may not have left al-Hol), and possible flows widen the range but do not move
``best``. So does a flow whose dates straddle the query day: it may or may not have happened by
then.

A camp's status changes (``camp-status-changed``) end an estimate for a reason: a camp surely
closed or emptied after its latest count holds no one, so the estimate is exactly 0 and its
``camp_status`` says why. A closure that may have come before the count changes nothing (the
count is the later word), and a camp that is counted again after it closed starts again from
that count. A transfer to another authority, or an opening, is shown beside the estimate.

A population counted at a set of sites ("about 45,000 in al-Hol and Roj") is a population of
its own and never adds to either camp's estimate; beside each camp's row it is a bound
(``joint_bound``): the camp holds at most the joint figure, and exactly the joint figure minus
the other sites' estimates (as a range) when every other site has one.

Cost: the default query (every date, the default policy) reads the flow sums the knowledge
state keeps, O(populations); any other query re-sums the flows, O(flows x populations
per place).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..events import Estimate, PlaceKind, PopulationScope, Qualifier, all_places, lookup_place
from ._aggregates import Flow, StockKey, classify
from ._clock import NO, POSSIBLE, SURE, happened_by, order_key
from ._compact import ABOUT, Fig, StockRec, When, to_estimate, to_fuzzy, uuid_of
from ._figures import Sum, qualified
from ._operations import operation_views
from ._policy import DEFAULT_POLICY, Policy
from ._results import RemainingEstimate
from ._scope import contains
from ._state import KnowledgeState, op_flow

__all__ = ["remaining"]

_FlowIndex = dict[str, dict[str | None, list[Flow]]]


def _flow_estimate(sure: Sum | None, possible: Sum | None) -> tuple[int, int, int | None] | None:
    """Return the flows of one kind as (low, best, high); high adds the possible ones."""
    if sure is None and possible is None:
        return None
    low = best = high = 0
    unbounded = False
    if sure is not None:
        low, best, high = sure.low, sure.best, sure.high
        unbounded = sure.unbounded > 0
    if possible is not None:
        high += possible.high
        unbounded = unbounded or possible.unbounded > 0
    return (low, best, None if unbounded else high)


def _as_estimate(bounds: tuple[int, int, int | None] | None) -> Estimate | None:
    return None if bounds is None else to_estimate(qualified(*bounds))


def _estimate(
    key: StockKey,
    base: StockRec,
    fig: Fig,
    flows: dict[str, Sum],
    reference: int,
) -> RemainingEstimate:
    """Carry the baseline forward by the summed flows (see :class:`RemainingEstimate`)."""
    repatriated = _flow_estimate(flows.get(f"op-{SURE}"), flows.get(f"op-{POSSIBLE}"))
    others = _flow_estimate(flows.get(f"out-{SURE}"), flows.get(f"out-{POSSIBLE}"))
    inflows = _flow_estimate(flows.get(f"in-{SURE}"), flows.get(f"in-{POSSIBLE}"))
    low, best, high = fig[0], fig[1], fig[2]
    # An outflow with no upper bound ("over 50 released") leaves no floor at all.
    floorless = False
    for out in (repatriated, others):
        if out is not None:
            floorless = floorless or out[2] is None
            low -= out[2] or 0
            best -= out[1]
            high = None if high is None else high - out[0]
    if inflows is not None:
        low += inflows[0]
        best += inflows[1]
        high = None if high is None or inflows[2] is None else high + inflows[2]
    clamped = floorless or low < 0
    if repatriated is None and others is None and inflows is None:
        result = to_estimate(fig)
    else:
        bounds = qualified(
            0 if floorless else max(0, low), max(0, best), None if high is None else max(0, high)
        )
        if fig[3] == ABOUT and bounds[0] == bounds[1] == bounds[2]:
            bounds = (bounds[0], bounds[1], bounds[2], ABOUT, None)
        result = to_estimate(bounds)
    anchor = base.date.latest
    place, scope, country = key
    return RemainingEstimate(
        place=place,
        scope=PopulationScope(scope),
        country=country,
        baseline=to_estimate(fig),
        baseline_date=to_fuzzy(base.date),
        baseline_id=uuid_of(base.id),
        age_days=None if anchor is None else reference - anchor,
        repatriated=_as_estimate(repatriated),
        other_outflows=_as_estimate(others),
        inflows=_as_estimate(inflows),
        remaining=result,
        clamped=clamped,
        other_flows_recorded=others is not None or inflows is not None,
    )


def _unknown(place: str | None, scope: str, country: str | None) -> RemainingEstimate:
    return RemainingEstimate(
        place=place,
        scope=PopulationScope(scope),
        country=country,
        baseline=None,
        baseline_date=None,
        baseline_id=None,
        age_days=None,
        repatriated=None,
        other_outflows=None,
        inflows=None,
        remaining=None,
        clamped=False,
        other_flows_recorded=False,
    )


def _index(flows: list[Flow]) -> _FlowIndex:
    index: _FlowIndex = defaultdict(lambda: defaultdict(list))
    for flow in flows:
        index[flow.place][flow.nationality].append(flow)
    return index


def _by(when: When, day: int | None) -> int:
    """Return whether a flow had happened by ``day``: ``SURE``, ``POSSIBLE`` (its dates straddle
    the day, so it widens the range) or ``NO``."""
    if happened_by(when, day):
        return SURE
    assert day is not None
    return POSSIBLE if when.earliest is None or when.earliest <= day else NO


def _sum(key: StockKey, base: StockRec, index: _FlowIndex, upto: int | None) -> dict[str, Sum]:
    """Sum the flows that changed population ``key`` after ``base`` and by the day ``upto``."""
    sums: dict[str, Sum] = {}
    place, scope, country = key
    for flow_place, by_nationality in index.items():
        if contains(place, flow_place) == NO:
            continue
        if scope == PopulationScope.NATIONALS.value:
            groups = [by_nationality.get(country, []), by_nationality.get(None, [])]
        else:
            groups = list(by_nationality.values())
        for flows in groups:
            for flow in flows:
                when = _by(flow.date, upto)
                if when == NO:
                    continue
                where = min(when, classify(key, base.date, flow))
                if where != NO:
                    total = sums.setdefault(f"{flow.kind}-{where}", Sum())
                    total.add(flow.fig)
    return sums


def _general(
    state: KnowledgeState, as_of: int | None, policy: Policy, reference: int
) -> list[RemainingEstimate]:
    # Every operation, whatever its date: _sum decides for each query day what had surely or
    # possibly happened by then, so the estimate at ``as_of`` and the residual at a later
    # observation are summed from one index.
    flows = [op_flow(v) for v in operation_views(state, None, policy)]
    flows += [f for fid, f in state.flows.items() if f.kind != "op"]
    index = _index(flows)
    results = []
    for key in sorted(state.stocks, key=_key_order):
        entries = state.stocks[key].entries
        ordered = sorted(
            entries.values(),
            key=lambda e: (order_key(e[0].date), e[0].date.earliest or 0, e[0].position),
        )
        known = [e for e in ordered if happened_by(e[0].date, as_of)]
        if not known:
            results.append(_unknown(*key))
            continue
        base, fig = known[-1]
        estimate = _estimate(key, base, fig, _sum(key, base, index, as_of), reference)
        # The next observation: one that came after the baseline but after ``as_of`` too.
        later = next(
            (
                e
                for e in ordered
                if not happened_by(e[0].date, as_of) and order_key(e[0].date) > order_key(base.date)
            ),
            None,
        )
        if later is not None and later[0].date.earliest is not None:
            upto = later[0].date.earliest
            carried = _estimate(key, base, fig, _sum(key, base, index, upto), upto)
            assert carried.remaining is not None
            estimate = _with_later(estimate, later, later[1][1] - carried.remaining.best)
        elif later is not None:
            estimate = _with_later(estimate, later, None)
        results.append(estimate)
    return results


def _with_later(
    estimate: RemainingEstimate, later: tuple[StockRec, Fig], residual: int | None
) -> RemainingEstimate:
    import attrs

    return attrs.evolve(
        estimate,
        later_date=to_fuzzy(later[0].date),
        later_observation=to_estimate(later[1]),
        residual=residual,
    )


_ENDS = frozenset({"closed", "emptied"})


def _with_status(
    state: KnowledgeState, estimate: RemainingEstimate, as_of: int | None
) -> RemainingEstimate:
    """Return ``estimate`` with its camp's latest status by ``as_of`` (see the module
    docstring): exactly 0 when the camp was surely closed or emptied after the baseline."""
    changes = state.statuses.get(estimate.place or "")
    if not changes:
        return estimate
    known = [c for c in changes if happened_by(c[1], as_of)]
    if not known:
        return estimate
    _, when, status, authority = max(known, key=lambda c: (order_key(c[1]), c[0]))
    import attrs

    status_date = to_fuzzy(when)
    base = estimate.baseline_date
    after_base = base is None or (
        when.earliest is not None
        and base.latest is not None
        and when.earliest > base.latest.toordinal()
    )
    if status in _ENDS and after_base:
        return attrs.evolve(
            estimate,
            remaining=Estimate.exact(0),
            clamped=False,
            camp_status=status,
            camp_status_date=status_date,
        )
    return attrs.evolve(
        estimate, camp_status=status, camp_status_date=status_date, camp_authority=authority
    )


def _joint_bound(
    joint: RemainingEstimate, place: str, known: dict[tuple[str | None, str, str | None], Estimate]
) -> Estimate | None:
    """Return what ``joint`` (a set of sites' estimate) says of its site ``place`` alone."""
    value = joint.remaining
    assert value is not None
    others = [
        known.get((member, joint.scope.value, joint.country))
        for member in lookup_place(joint.place or "").members
        if member != place
    ]
    if any(o is None for o in others):
        # The other sites may hold anyone from none to all of the joint figure.
        if value.high is None:
            return None
        return Estimate(best=value.high, low=0, high=value.high, qualifier=Qualifier.AT_MOST)
    sure = [o for o in others if o is not None]
    highs = [o.high for o in sure]
    low = 0 if None in highs else max(0, value.low - sum(h or 0 for h in highs))
    high = None if value.high is None else max(0, value.high - sum(o.low for o in sure))
    best = max(low, value.best - sum(o.best for o in sure))
    return to_estimate(qualified(low, best if high is None else min(best, high), high))


def _with_joint(results: list[RemainingEstimate]) -> list[RemainingEstimate]:
    """Return ``results`` with each site's tightest bound from a count of sites together."""
    joints = [
        r
        for r in results
        if r.remaining is not None
        and r.place is not None
        and lookup_place(r.place).kind is PlaceKind.SET
    ]
    if not joints:
        return results
    import attrs

    known = {(r.place, r.scope.value, r.country): r.remaining for r in results if r.remaining}
    bounded = []
    for row in results:
        found: list[tuple[tuple[int, int], str, Estimate]] = []
        for joint in joints:
            assert joint.place is not None
            same = (joint.scope, joint.country) == (row.scope, row.country)
            if row.place is None or not same or row.place not in lookup_place(joint.place).members:
                continue
            bound = _joint_bound(joint, row.place, known)
            if bound is not None:
                width = (bound.high if bound.high is not None else 1 << 62) - bound.low
                found.append(((width, bound.high or 0), joint.place, bound))
        if found:
            _, place, bound = min(found, key=lambda f: (f[0], f[1]))
            row = attrs.evolve(row, joint_place=place, joint_bound=bound)
        bounded.append(row)
    return bounded


def _key_order(key: StockKey) -> tuple[str, str, str]:
    return (key[0], key[1], key[2] or "")


def remaining(
    state: KnowledgeState,
    as_of: int | None,
    policy: Policy,
    today: dt.date,
    *,
    maintained: bool = True,
) -> tuple[RemainingEstimate, ...]:
    """Return the remaining-population estimates, with unknown rows for camps and countries
    that have no observation.

    Args:
        state: the knowledge state.
        as_of: the day (ordinal) of the query, or ``None`` for every date.
        policy: the policy for operation figures.
        today: the day ages are counted to when ``as_of`` is ``None``.
        maintained: read the flow sums the state keeps for the default query (``False``
            always sums again; tests compare the two).

    Returns:
        One estimate per observed population (by place, scope and country); then camps with
        no observation of everyone in them; then countries with operations but no
        observation of their nationals (``place`` ``None``): all unknown.
    """
    reference = as_of if as_of is not None else today.toordinal()
    if maintained and as_of is None and policy.name == DEFAULT_POLICY:
        results = []
        for key in sorted(state.stocks, key=_key_order):
            agg = state.stocks[key]
            assert agg.baseline is not None
            base, fig = agg.entries[agg.baseline]
            results.append(_estimate(key, base, fig, agg.flows, reference))
        countries = set(state.countries)
    else:
        results = _general(state, as_of, policy, reference)
        countries = {v.country for v in operation_views(state, as_of, policy)}
    observed = {(r.place, r.scope.value, r.country) for r in results}
    for place in all_places():
        if place.kind is PlaceKind.CAMP and (place.id, "all", None) not in observed:
            results.append(_unknown(place.id, "all", None))
    if state.statuses:
        results = [_with_status(state, r, as_of) for r in results]
    results = _with_joint(results)
    with_nationals = {r.country for r in results if r.scope is PopulationScope.NATIONALS}
    for country in sorted(countries - with_nationals):
        results.append(_unknown(None, "nationals", country))
    return tuple(results)
