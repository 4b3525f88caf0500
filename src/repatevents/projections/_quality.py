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

Cost: O(reports), plus O(operations x log operations) for likely duplicates and ordinals and
O(observations x log observations) for scope mismatches (sorted sweeps in ``_quality_sweeps``,
not pairs: the groups they compare within, a country's operations and a camp's counts, grow
with the log).
"""

from __future__ import annotations

import bisect
import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import cast

from ._aggregates import OpView
from ._clock import happened_by, order_key
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
from ._quality_sweeps import ordinal_findings, scope_findings
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


_SPLIT_AT = tuple((name, _I[name]) for name in FIELDS[2:])


def _text(fig: Fig) -> str:
    return fig[4] or str(fig[1])


# Each check with its figures' places in a record: (whole's name, whole's index, the parts'
# names and indices, the indices that must all be given for the parts to be complete or ())
_CHECK_AT = tuple(
    (
        whole,
        _I[whole],
        tuple((name, _I[name]) for name in parts),
        tuple(_I[name] for name in parts if name != "unknown") if can_complete else (),
        can_complete,
    )
    for whole, parts, can_complete in _CHECKS
)


def _breakdown(rec: Rec) -> Iterator[str]:
    figs = rec.people
    # Most reports add up: the sums are taken first, the words only for a finding.
    high: int | None
    for whole_name, at, parts, needed, can_complete in _CHECK_AT:
        whole = figs[at]
        if whole is None:
            continue
        present = [(name, fig) for name, i in parts if (fig := figs[i]) is not None]
        if not present:
            continue
        low, high = 0, 0
        for _, fig in present:
            low += fig[0]
            if high is not None:
                high = None if fig[2] is None else high + fig[2]
        if whole[2] is not None and low > whole[2]:
            named = " + ".join(f"{n} {_text(f)}" for n, f in present)
            # The projections count the parts, not the headline: the finding says so, so the
            # reader knows which figure the totals carry.
            counted = f"; the {whole_name} counts at least {low}" if whole_name == "total" else ""
            yield f"{named} exceed {whole_name} {_text(whole)}{counted}"
        elif (
            can_complete
            and high is not None
            and high < whole[0]
            and all(figs[i] is not None for i in needed)
        ):
            named = " + ".join(f"{n} {_text(f)}" for n, f in present)
            yield f"{named} fall short of {whole_name} {_text(whole)}"


def _disjoint(figs: list[Fig]) -> bool:
    highs = [f[2] for f in figs if f[2] is not None]
    return bool(highs) and max(f[0] for f in figs) > min(highs)


def _operation_findings(state: KnowledgeState, view: OpView) -> Iterator[QualityFinding]:
    ops = [r for r in (state.reports[m] for m in state.members[view.gid]) if isinstance(r, OpRec)]
    sources = state.sources
    # Most operations have no finding: their label and ids are made only for one that does.
    found: list[tuple[FindingKind, str]] = []
    if len(ops) > 1:
        totals = [(r, effective(r.people)[0][0]) for r in ops]
        figures = [f for _, f in totals if f is not None]
        if _disjoint(figures):
            said = ", ".join(f"{r.role} report {_text(f)}" for r, f in totals if f is not None)
            found.append(
                (FindingKind.REPORTS_DISAGREE, f"the reports disagree on the total ({said}).")
            )
        else:
            for name, i in _SPLIT_AT:
                given = [(r, f) for r in ops if (f := r.people[i]) is not None]
                if len(given) > 1 and _disjoint([f for _, f in given]):
                    said = ", ".join(f"{r.role} report {_text(f)}" for r, f in given)
                    found.append(
                        (
                            FindingKind.SPLIT_DISAGREES,
                            f"the reports agree on the total but not on {name} ({said}).",
                        )
                    )
        outlets = [sources[r.source].origin_outlet for r in ops]
        if len(set(outlets)) < len(outlets):
            for outlet, count in sorted(Counter(outlets).items()):
                if count > 1:
                    found.append(
                        (
                            FindingKind.SYNDICATED,
                            f"{count} reports started from {outlet}; they are one claim.",
                        )
                    )
        countries = sorted({r.country for r in ops})
        if len(countries) > 1:
            found.append(
                (
                    FindingKind.CONFLICTING_COUNTRIES,
                    f"its reports name different receiving countries ({', '.join(countries)}); "
                    f"it is counted for {view.country}.",
                )
            )
    if all(sources[r.source].url is None for r in ops):
        found.append((FindingKind.NO_ADDRESS, "no report of this operation has a source address."))
    if view.origin == "syria-or-iraq":
        total = view.figs[0]
        assert total is not None
        found.append(
            (
                FindingKind.ORIGIN_UNCLEAR,
                f"the origin of {_text(total)} is given only as Syria or Iraq, so it can only "
                "possibly count in a Syria-only or Iraq-only total.",
            )
        )
    if view.basis == BASIS_FAMILIES:
        total = view.figs[0]
        assert total is not None
        found.append(
            (
                FindingKind.FAMILIES_CONVERTED,
                f"the total {total[0]}-{total[2]} people is converted from families at "
                "3.6-3.9 people per family.",
            )
        )
    if not found:
        return
    ids = tuple(uuid_of(r.id) for r in ops)
    label = next(
        (r.key for r in ops if r.key and not derived(r.key)), f"operation {uuid_of(view.gid)}"
    )
    for kind, said in found:
        yield QualityFinding(kind, f"{label}: {said}", ids, view.country)


def _ordinals(state: KnowledgeState, views: list[OpView]) -> Iterator[QualityFinding]:
    """Compare every scoped ordinal with the ledger's count (see the module docstring and
    ``_quality_sweeps``)."""
    reports, members = state.reports, state.members
    # An operation's members are operation reports (only they are grouped).
    claims = [
        (view, rec)
        for view in views
        for rec in (cast(OpRec, reports[m]) for m in members[view.gid])
        if rec.ordinal is not None and rec.ordinal_scope
    ]
    if not claims:
        return  # most ledgers: no operation's names need reading
    names = {
        view.gid: {
            name for m in members[view.gid] if (name := cast(OpRec, reports[m]).name) is not None
        }
        for view in views
    }
    yield from ordinal_findings(views, names, claims)


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


def _date_of(rec: Rec) -> When:
    return rec.until if isinstance(rec, ClaimRec) else rec.date


def _after_publication(
    state: KnowledgeState, rec: Rec, shown: dict[When, str]
) -> QualityFinding | None:
    published = state.sources[rec.source].published
    when = _date_of(rec)
    if published is None or published.latest is None or when.earliest is None:
        return None
    if when.earliest <= published.latest:
        return None
    # A few thousand days are written again and again: each is written once (``shown``).
    said = shown.get(when) or shown.setdefault(when, str(to_fuzzy(when)))
    then = shown.get(published) or shown.setdefault(published, str(to_fuzzy(published)))
    return QualityFinding(
        FindingKind.AFTER_PUBLICATION,
        f"the report at position {rec.position} is dated {said}, after its source was "
        f"published ({then}): a typo, or something planned reported as done?",
        (uuid_of(rec.id),),
        getattr(rec, "country", None),
    )


def quality(state: KnowledgeState, as_of: int | None, policy: Policy) -> tuple[QualityFinding, ...]:
    """Return every finding about what the ledger held by ``as_of``, grouped by kind."""
    findings: list[QualityFinding] = []
    reports = [r for r in state.reports.values() if happened_by(_date_of(r), as_of)]
    shown: dict[When, str] = {}
    for rec in sorted(reports, key=lambda r: r.position):
        finding = _after_publication(state, rec, shown)
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
    findings.extend(scope_findings([r for r in reports if isinstance(r, StockRec)]))
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
