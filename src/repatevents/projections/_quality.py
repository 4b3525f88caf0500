"""The data-quality projection: what a careful reader should check before trusting a figure.

Findings, by kind:

- ``breakdown-does-not-add-up``: parts that exceed their whole (women + children above the
  total) or a complete breakdown that falls short of it;
- ``reports-disagree``: reports of one operation whose ranges do not overlap (the handover
  count and the arrival count differ);
- ``split-disagrees``: reports of one operation that agree on the total but not on the split;
- ``likely-duplicate``: operations of one country, dated within a few days of each other with
  close totals, that nobody linked;
- ``decreasing-claims``: cumulative claims by one counter, for one country, window start and
  scope, that go down over time;
- ``no-source-address``: operations none of whose reports has an address;
- ``origin-unclear``: operations whose origin is only "Syria or Iraq";
- ``scope-mismatch``: observations of one place at overlapping dates that count different
  populations (they are kept apart, never subtracted from each other);
- ``syndicated``: several reports of one operation that started from one outlet (one claim);
- ``conflicting-countries``: reports grouped into one operation that name different countries;
- ``families-converted``: totals converted from families (3.6-3.9 people per family);
- ``dangling-reference``: links, corrections, retractions or adjudications naming a report the
  ledger does not hold;
- ``dated-after-publication``: reports dated after their source was published (a typo in the
  year, or a plan reported as done);
- ``ordinal-mismatch``: a report's ordinal with its scope ("the third operation this year",
  "the third operation", "the third of the Jusan operations") that the ledger's own count of
  the country's operations cannot give: operations are missing from the ledger, or the
  source counts differently. With fuzzy dates the ledger's count is a range (operations that
  may have come before or after); an ordinal inside it is no finding. An ordinal without a
  scope is not checked.

Cost: O(reports), plus O(operations x log operations) for likely duplicates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import cast

from ._aggregates import OpView
from ._clock import NO, POSSIBLE, SURE, happened_by, order_key
from ._compact import (
    FIELDS,
    ClaimRec,
    Fig,
    OpRec,
    Rec,
    StockRec,
    When,
    derived,
    to_fuzzy,
    uuid_of,
)
from ._figures import BASIS_FAMILIES, effective
from ._operations import operation_views
from ._policy import Policy
from ._results import FindingKind, QualityFinding
from ._state import KnowledgeState

__all__ = ["DUPLICATE_DAYS", "DUPLICATE_SHARE", "quality"]

#: Operations this many days apart or closer may be one operation reported twice.
DUPLICATE_DAYS = 7
#: ... when their totals differ by at most this share of the larger (or by 2 people).
DUPLICATE_SHARE = 0.05

_I = {name: i for i, name in enumerate(FIELDS)}
# (whole, parts, complete-when-all-but-unknown-present)
_CHECKS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("total", ("adults", "children", "unknown"), True),
    ("total", ("women", "men", "children", "unknown"), True),
    ("adults", ("women", "men"), True),
    ("children", ("girls", "boys"), True),
    ("children", ("orphans",), False),
)


def _text(fig: Fig) -> str:
    return fig[4] or str(fig[1])


def _breakdown(rec: Rec) -> Iterator[str]:
    figs = rec.people
    for whole_name, parts, can_complete in _CHECKS:
        whole = figs[_I[whole_name]]
        present = [(name, figs[_I[name]]) for name in parts if figs[_I[name]] is not None]
        if whole is None or not present:
            continue
        low = sum(f[0] for _, f in present if f is not None)
        highs = [f[2] for _, f in present if f is not None]
        high = None if None in highs else sum(h for h in highs if h is not None)
        complete = can_complete and all(figs[_I[n]] is not None for n in parts if n != "unknown")
        named = " + ".join(f"{n} {_text(f)}" for n, f in present if f is not None)
        if whole[2] is not None and low > whole[2]:
            # The projections count the parts, not the headline: the finding says so, so the
            # reader knows which figure the totals carry.
            counted = f"; the {whole_name} counts at least {low}" if whole_name == "total" else ""
            yield f"{named} exceed {whole_name} {_text(whole)}{counted}"
        elif complete and high is not None and high < whole[0]:
            yield f"{named} fall short of {whole_name} {_text(whole)}"


def _disjoint(figs: list[Fig]) -> bool:
    highs = [f[2] for f in figs if f[2] is not None]
    return bool(highs) and max(f[0] for f in figs) > min(highs)


def _operation_findings(state: KnowledgeState, view: OpView) -> Iterator[QualityFinding]:
    ops = [r for r in (state.reports[m] for m in state.members[view.gid]) if isinstance(r, OpRec)]
    ids = tuple(uuid_of(r.id) for r in ops)
    label = next(
        (r.key for r in ops if r.key and not derived(r.key)), f"operation {uuid_of(view.gid)}"
    )
    country = view.country
    if len(ops) > 1:
        totals = [(r, effective(r.people)[0][0]) for r in ops]
        figures = [f for _, f in totals if f is not None]
        if _disjoint(figures):
            said = ", ".join(f"{r.role} report {_text(f)}" for r, f in totals if f is not None)
            yield QualityFinding(
                FindingKind.REPORTS_DISAGREE,
                f"{label}: the reports disagree on the total ({said}).",
                ids,
                country,
            )
        else:
            for name in FIELDS[2:]:
                given = [(r, r.people[_I[name]]) for r in ops if r.people[_I[name]] is not None]
                split = [f for _, f in given if f is not None]
                if len(split) > 1 and _disjoint(split):
                    said = ", ".join(f"{r.role} report {_text(f)}" for r, f in given if f)
                    yield QualityFinding(
                        FindingKind.SPLIT_DISAGREES,
                        f"{label}: the reports agree on the total but not on {name} ({said}).",
                        ids,
                        country,
                    )
        outlets = Counter(state.sources[r.source].origin_outlet for r in ops)
        for outlet, count in sorted(outlets.items()):
            if count > 1:
                yield QualityFinding(
                    FindingKind.SYNDICATED,
                    f"{label}: {count} reports started from {outlet}; they are one claim.",
                    ids,
                    country,
                )
        countries = sorted({r.country for r in ops})
        if len(countries) > 1:
            yield QualityFinding(
                FindingKind.CONFLICTING_COUNTRIES,
                f"{label}: its reports name different receiving countries "
                f"({', '.join(countries)}); it is counted for {country}.",
                ids,
                country,
            )
    if all(state.sources[r.source].url is None for r in ops):
        yield QualityFinding(
            FindingKind.NO_ADDRESS,
            f"{label}: no report of this operation has a source address.",
            ids,
            country,
        )
    if view.origin == "syria-or-iraq":
        total = view.figs[0]
        assert total is not None
        yield QualityFinding(
            FindingKind.ORIGIN_UNCLEAR,
            f"{label}: the origin of {_text(total)} is given only as Syria or Iraq, so it can "
            "only possibly count in a Syria-only or Iraq-only total.",
            ids,
            country,
        )
    if view.basis == BASIS_FAMILIES:
        total = view.figs[0]
        assert total is not None
        yield QualityFinding(
            FindingKind.FAMILIES_CONVERTED,
            f"{label}: the total {total[0]}-{total[2]} people is converted from families at "
            "3.6-3.9 people per family.",
            ids,
            country,
        )


_SCOPE_WORDS = {"year": "this year", "all": "of all", "campaign": "of its campaign"}


def _year_of(when: When) -> int | None:
    """The calendar year a date surely falls in, or ``None`` when it may fall in two."""
    if when.earliest is None or when.latest is None:
        return None
    first, last = dt.date.fromordinal(when.earliest), dt.date.fromordinal(when.latest)
    return first.year if first.year == last.year else None


def _in_scope(
    scope: str,
    year: int | None,
    name: str | None,
    peer: OpView,
    peer_names: set[str],
) -> int:
    """Whether ``peer`` is among the operations the subject's ordinal counts (SURE, POSSIBLE,
    NO)."""
    if scope == "campaign":
        return SURE if name in peer_names else NO
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


def _ordinals(state: KnowledgeState, views: list[OpView]) -> Iterator[QualityFinding]:
    """Compare every scoped ordinal with the ledger's count (see the module docstring)."""
    by_country: dict[str, list[OpView]] = defaultdict(list)
    names: dict[int, set[str]] = {}
    claims: list[tuple[OpView, OpRec]] = []
    for view in views:
        by_country[view.country].append(view)
        # An operation's members are operation reports (only they are grouped).
        ops = [cast(OpRec, state.reports[m]) for m in state.members[view.gid]]
        names[view.gid] = {r.name for r in ops if r.name is not None}
        claims += [(view, r) for r in ops if r.ordinal is not None and r.ordinal_scope]
    for view, rec in claims:
        scope, ordinal = rec.ordinal_scope, rec.ordinal
        assert scope is not None
        assert ordinal is not None
        year = _year_of(view.date) if scope == "year" else None
        if scope == "year" and year is None:
            continue  # the operation may fall in either of two years: nothing to compare
        sure = possible = 0
        for peer in by_country[view.country]:
            if peer.gid == view.gid:
                continue
            member = _in_scope(scope, year, rec.name, peer, names[peer.gid])
            if member == NO:
                continue
            before_surely = (
                peer.date.latest is not None
                and view.date.earliest is not None
                and peer.date.latest < view.date.earliest
            )
            before_possibly = (
                peer.date.earliest is None
                or view.date.latest is None
                or peer.date.earliest <= view.date.latest
            )
            sure += member == SURE and before_surely
            possible += before_possibly
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


def _duplicates(views: list[OpView]) -> Iterator[QualityFinding]:
    by_country: dict[str, list[OpView]] = defaultdict(list)
    for view in views:
        by_country[view.country].append(view)
    for country, group in sorted(by_country.items()):
        group.sort(key=lambda v: (order_key(v.date), v.gid))
        # Each operation's day and total are read once, not once per neighbour: the more
        # operations a week holds, the more of its 49 neighbours each one is compared with.
        days = [order_key(v.date) for v in group]
        bests = [cast(Fig, v.figs[0])[1] for v in group]
        # An operation in a busy week is in many pairs: its id and total are written once.
        shown: dict[int, tuple[uuid.UUID, str]] = {}
        for i in range(len(group)):
            day, best = days[i], bests[i]
            end = bisect.bisect_right(days, day + DUPLICATE_DAYS, i + 1, min(i + 50, len(group)))
            # Up to 49 neighbours for each operation: the test is spelled out, without calls.
            for j, other in enumerate(bests[i + 1 : end], i + 1):
                gap, larger = (best - other, best) if best > other else (other - best, other)
                if gap <= 2 or gap <= DUPLICATE_SHARE * larger:
                    id_a, text_a = shown.get(i) or shown.setdefault(i, _shown(group[i]))
                    id_b, text_b = shown.get(j) or shown.setdefault(j, _shown(group[j]))
                    yield QualityFinding(
                        FindingKind.LIKELY_DUPLICATE,
                        f"{country}: two operations not linked, {days[j] - day} days apart, with "
                        f"totals {text_a} and {text_b}; are they one?",
                        (id_a, id_b),
                        country,
                    )


def _shown(view: OpView) -> tuple[uuid.UUID, str]:
    total = view.figs[0]
    assert total is not None
    return uuid_of(view.gid), _text(total)


def _claims(claims: list[ClaimRec], state: KnowledgeState) -> Iterator[QualityFinding]:
    series: dict[tuple[str, str | None, str, str | None, int | None], list[ClaimRec]] = defaultdict(
        list
    )
    for claim in claims:
        counter = claim.counter or state.sources[claim.source].publisher
        since = None if claim.since is None else claim.since.earliest
        series[(counter, claim.country, claim.origin, claim.nationality, since)].append(claim)
    for (counter, country, *_), group in sorted(series.items(), key=lambda i: repr(i[0])):
        group.sort(key=lambda c: (order_key(c.until), c.position))
        for earlier, later in itertools.pairwise(group):
            e, la = effective(earlier.people)[0][0], effective(later.people)[0][0]
            assert e is not None
            assert la is not None
            later_day = order_key(later.until) > order_key(earlier.until)
            if later_day and la[2] is not None and la[2] < e[0]:
                yield QualityFinding(
                    FindingKind.DECREASING_CLAIMS,
                    f"{country or 'all countries'}: {counter} claimed {_text(e)} and later "
                    f"{_text(la)}; a cumulative total cannot go down.",
                    (uuid_of(earlier.id), uuid_of(later.id)),
                    country,
                )


def _scopes(stocks: list[StockRec]) -> Iterator[QualityFinding]:
    by_place: dict[str, list[StockRec]] = defaultdict(list)
    for stock in stocks:
        by_place[stock.place].append(stock)
    for place, group in sorted(by_place.items()):
        seen: set[tuple[str, str]] = set()
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pair = (min(a.scope, b.scope), max(a.scope, b.scope))
                if a.scope == b.scope or pair in seen or not _overlap(a, b):
                    continue
                seen.add(pair)
                fa, fb = effective(a.people)[0][0], effective(b.people)[0][0]
                assert fa is not None
                assert fb is not None
                yield QualityFinding(
                    FindingKind.SCOPE_MISMATCH,
                    f"{place}: {_text(fa)} ({a.scope}) and {_text(fb)} ({b.scope}) count "
                    "different populations at overlapping dates; they are kept apart.",
                    (uuid_of(a.id), uuid_of(b.id)),
                )


def _overlap(a: StockRec, b: StockRec) -> bool:
    lo = max(a.date.earliest or 0, b.date.earliest or 0)
    hi = min(a.date.latest or 10**7, b.date.latest or 10**7)
    return lo <= hi


def _date_of(rec: Rec) -> When:
    return rec.until if isinstance(rec, ClaimRec) else rec.date


def _after_publication(state: KnowledgeState, rec: Rec) -> QualityFinding | None:
    published = state.sources[rec.source].published
    when = _date_of(rec)
    if published is None or published.latest is None or when.earliest is None:
        return None
    if when.earliest <= published.latest:
        return None
    return QualityFinding(
        FindingKind.AFTER_PUBLICATION,
        f"the report at position {rec.position} is dated {to_fuzzy(when)}, after its source was "
        f"published ({to_fuzzy(published)}): a typo, or something planned reported as done?",
        (uuid_of(rec.id),),
        getattr(rec, "country", None),
    )


def quality(state: KnowledgeState, as_of: int | None, policy: Policy) -> tuple[QualityFinding, ...]:
    """Return every finding about what the ledger held by ``as_of``, grouped by kind."""
    findings: list[QualityFinding] = []
    reports = [r for r in state.reports.values() if happened_by(_date_of(r), as_of)]
    for rec in sorted(reports, key=lambda r: r.position):
        finding = _after_publication(state, rec)
        if finding is not None:
            findings.append(finding)
        for problem in _breakdown(rec):
            findings.append(
                QualityFinding(
                    FindingKind.BREAKDOWN,
                    f"{problem} (report at position {rec.position}).",
                    (uuid_of(rec.id),),
                    getattr(rec, "country", None),
                )
            )
    views = sorted(operation_views(state, as_of, policy), key=lambda v: (v.country, v.gid))
    for view in views:
        findings.extend(_operation_findings(state, view))
    findings.extend(_duplicates(views))
    findings.extend(_ordinals(state, views))
    findings.extend(_claims([r for r in reports if isinstance(r, ClaimRec)], state))
    findings.extend(_scopes([r for r in reports if isinstance(r, StockRec)]))
    for position, event_id, missing, kind in state.dangling:
        findings.append(
            QualityFinding(
                FindingKind.DANGLING_REFERENCE,
                f"the {kind} event at position {position} names report {uuid_of(missing)}, "
                "which the ledger did not hold then.",
                (uuid_of(event_id), uuid_of(missing)),
            )
        )
    order = {kind: i for i, kind in enumerate(FindingKind)}
    return tuple(sorted(findings, key=lambda f: order[f.kind]))
