"""The operations projection: reports grouped into operations, figures as ranges across them.

Cost: O(reports) (every operation is built with its reports). Under the default policy the
operations' figures come from the knowledge state, which keeps them up to date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..events import DateRole, SpeakerKind
from ._clock import happened_by
from ._compact import ClaimRec, OpRec, Rec, StockRec, derived, to_fuzzy, to_people, uuid_of
from ._policy import DEFAULT_POLICY, Policy
from ._results import Operation, ReportRef
from ._scope import origin_of
from ._state import KnowledgeState, OpView

__all__ = ["build_operation", "operation_views", "operations", "report_ref", "sort_key"]


def operation_views(
    state: KnowledgeState, as_of: int | None, policy: Policy, *, maintained: bool = True
) -> Iterator[OpView]:
    """Yield every operation under ``policy`` that had surely happened by ``as_of``.

    Under the default policy the views the state keeps are used (O(operations)); otherwise
    each operation is combined again from its reports (O(reports)). ``maintained=False``
    always recombines (tests compare the two).
    """
    if maintained and policy.name == DEFAULT_POLICY:
        views: Iterator[OpView | None] = iter(state.views.values())
    else:
        views = (state.view(gid, policy) for gid in state.members)
    for view in views:
        if view is not None and happened_by(view.date, as_of):
            yield view


def report_ref(state: KnowledgeState, rec: Rec) -> ReportRef:
    """Return the public reference to a report the state holds."""
    source = state.sources[rec.source]
    role: DateRole | None = None
    if isinstance(rec, OpRec):
        kind, date, role = "operation-reported", rec.date, DateRole(rec.role)
    elif isinstance(rec, ClaimRec):
        kind, date = "cumulative-total-reported", rec.until
    elif isinstance(rec, StockRec):
        kind, date = "stock-observed", rec.date
    else:
        kind = "outflow-reported" if rec.direction == "out" else "inflow-reported"
        date = rec.date
    people = to_people(rec.people)
    assert people is not None
    return ReportRef(
        id=uuid_of(rec.id),
        type=kind,
        position=rec.position,
        publisher=source.publisher,
        via=source.via,
        origin_outlet=source.origin_outlet,
        speaker_kind=SpeakerKind(source.speaker_kind),
        url=source.url,
        published=None if source.published is None else to_fuzzy(source.published),
        date=to_fuzzy(date),
        date_role=role,
        people=people,
        corrected=rec.id in state.corrected,
    )


def build_operation(state: KnowledgeState, view: OpView) -> Operation:
    """Return the public value of one operation view."""
    recs = [state.reports[m] for m in state.members[view.gid]]
    ops = [r for r in recs if isinstance(r, OpRec)]
    refs = tuple(report_ref(state, r) for r in ops)
    people = to_people(view.figs)
    assert people is not None
    adjudication = state.adjudication(view.gid)
    outlets = {ref.origin_outlet for ref in refs}
    return Operation(
        id=uuid_of(view.gid),
        keys=tuple(sorted({r.key for r in ops if r.key is not None and not derived(r.key)})),
        country=view.country,
        nationality=view.nationality,
        origin=view.origin,
        origin_scope=origin_of(view.origin),
        date=to_fuzzy(view.date, effective=True),
        people=people,
        total_basis=view.basis,
        reports=refs,
        independent_sources=len(outlets),
        facilitators=tuple(dict.fromkeys(f for r in ops for f in r.facilitators)),
        names=tuple(dict.fromkeys(r.name for r in ops if r.name is not None)),
        adjudicated=None if adjudication is None else to_people(adjudication[1]),
    )


def sort_key(view: OpView) -> tuple[str, int, int, int]:
    """Order operations by country, then date, then id."""
    end = view.date.latest if view.date.latest is not None else dt.date.max.toordinal()
    start = view.date.earliest if view.date.earliest is not None else 0
    return (view.country, end, start, view.gid)


def operations(state: KnowledgeState, as_of: int | None, policy: Policy) -> tuple[Operation, ...]:
    """Return every operation that had surely happened by ``as_of``, by country and date."""
    views = sorted(operation_views(state, as_of, policy), key=sort_key)
    return tuple(build_operation(state, view) for view in views)
