"""Strategies for whole ledgers: lists of events whose references all resolve."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from ..events import (
    CampStatusChanged,
    CumulativeTotalReported,
    DateRole,
    Estimate,
    Event,
    FigureAdjudicated,
    FuzzyDate,
    OperationReported,
    OrdinalScope,
    People,
    PlaceKind,
    Qualifier,
    Report,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    SpeakerKind,
    all_places,
)
from ._events import (
    analyst_sources,
    camp_status_changed,
    cumulative_total_reported,
    inflow_reported,
    outflow_reported,
    stock_observed,
)
from ._values import (
    CAMP_ADMINISTRATION,
    DEFAULT_MAX_DATE,
    DEFAULT_MIN_DATE,
    FACILITATORS,
    OUTLETS,
    PUBLISHERS,
    REASONS,
    check_dates,
    check_range,
    countries,
    optional,
    people,
    places,
)

__all__ = ["event_logs"]

R = TypeVar("R", bound=Report)
_OPERATION_SIZE = 300


def _shift_down(estimate: Estimate | None) -> Estimate | None:
    """One fewer person, keeping the estimate's invariants (``None`` when that is impossible)."""
    if estimate is None or estimate.best < 1:
        return None
    low = 0 if estimate.qualifier is Qualifier.AT_MOST else max(estimate.low - 1, 0)
    high = None if estimate.high is None else estimate.high - 1
    return attrs.evolve(estimate, best=estimate.best - 1, low=low, high=high, raw=None)


def _one_fewer_woman(group: People) -> People:
    """The same group counted on arrival with one woman fewer (and so one adult, one total)."""
    women = _shift_down(group.women)
    if women is None:
        return group
    changes: dict[str, Estimate | None] = {"women": women}
    for name in ("adults", "total"):
        value = getattr(group, name)
        if value is not None:
            changes[name] = _shift_down(value) or value
    return attrs.evolve(group, **changes)


def _rebuild(report: R, **changes: Any) -> R:
    """A new report like ``report`` with ``changes``, and an id derived from its own content."""
    cls = type(report)
    values = {a.name: getattr(report, a.name) for a in attrs.fields(cls) if a.name != "id"}
    values.update(changes)
    return cls(**values)


def _clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return max(low, min(day, high))


def _published_after(when: FuzzyDate, days: int, max_date: dt.date) -> FuzzyDate:
    base = when.latest or when.earliest
    assert base is not None
    return FuzzyDate.day(min(base + dt.timedelta(days=days), max(max_date, base)))


@attrs.define
class _LogState:
    """What a ledger being drawn holds so far, so that every reference resolves."""

    events: list[Event] = attrs.Factory(list)
    ids: set[uuid.UUID] = attrs.Factory(set)
    reports: dict[uuid.UUID, Report] = attrs.Factory(dict)
    operations: list[uuid.UUID] = attrs.Factory(list)
    retracted: set[uuid.UUID] = attrs.Factory(set)
    corrected: set[uuid.UUID] = attrs.Factory(set)
    links: list[tuple[uuid.UUID, ...]] = attrs.Factory(list)
    keys: int = 0

    def add(self, event: Event) -> bool:
        # Equal content means an equal derived id: the same claim twice is one event.
        if event.id in self.ids:
            return False
        self.events.append(event)
        self.ids.add(event.id)
        return True

    def live(self, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        return [i for i in ids if i not in self.retracted]


@attrs.frozen
class _LogStrategies:
    """Everything a ledger draws from, built once per :func:`event_logs` call."""

    min_date: dt.date
    max_date: dt.date
    countries: SearchStrategy[str]
    days: SearchStrategy[dt.date]
    operation_people: SearchStrategy[People]
    correction_people: SearchStrategy[People]
    total_people: SearchStrategy[People]
    origins: SearchStrategy[str]
    facilitators: SearchStrategy[list[str]]
    ordinals: SearchStrategy[int | None]
    ordinal_scopes: SearchStrategy[OrdinalScope | None]
    publishers: SearchStrategy[str]
    via: SearchStrategy[list[str]]
    other_reports: SearchStrategy[Report]
    analysts: SearchStrategy[Source]
    reasons: SearchStrategy[str | None]
    statuses: SearchStrategy[CampStatusChanged]


def _log_strategies(
    country_codes: Sequence[str] | None, min_date: dt.date, max_date: dt.date, consistent: bool
) -> _LogStrategies:
    dates: dict[str, Any] = {
        "min_date": min_date,
        "max_date": max_date,
        "consistent_people": consistent,
    }
    return _LogStrategies(
        min_date=min_date,
        max_date=max_date,
        countries=countries(country_codes),
        days=st.dates(min_date, max_date),
        operation_people=people(max_value=_OPERATION_SIZE, consistent=consistent),
        correction_people=people(max_value=_OPERATION_SIZE, consistent=consistent),
        total_people=people(
            required=("total",), max_value=_OPERATION_SIZE * 10, consistent=consistent
        ),
        origins=places(),
        facilitators=st.lists(st.sampled_from(FACILITATORS), max_size=2, unique=True),
        ordinals=optional(st.integers(1, 12)),
        ordinal_scopes=optional(st.sampled_from((OrdinalScope.YEAR, OrdinalScope.ALL))),
        publishers=st.sampled_from(PUBLISHERS),
        via=st.lists(st.sampled_from(OUTLETS), max_size=1),
        other_reports=st.one_of(
            cumulative_total_reported(countries=country_codes, **dates),
            stock_observed(**dates),
            outflow_reported(max_value=100, **dates),
            inflow_reported(max_value=100, **dates),
        ),
        analysts=analyst_sources(),
        reasons=optional(st.sampled_from(REASONS)),
        statuses=camp_status_changed(
            places=[p.id for p in all_places() if p.kind is PlaceKind.CAMP],
            min_date=min_date,
            max_date=max_date,
        ),
    )


def _pick(draw: DrawFn, items: Sequence[uuid.UUID]) -> uuid.UUID:
    # An index into a list that grows as the ledger does; cheaper than a new sampled_from.
    return items[draw(st.integers(0, len(items) - 1))]


def _log_source(
    draw: DrawFn, kind: SpeakerKind, speaker: str | None, when: FuzzyDate, s: _LogStrategies
) -> Source:
    return Source(
        publisher=draw(s.publishers),
        via=tuple(draw(s.via)),
        speaker=speaker,
        speaker_kind=kind,
        published=_published_after(when, draw(st.integers(0, 3)), s.max_date),
    )


def _draw_operation(draw: DrawFn, state: _LogState, s: _LogStrategies, room: int) -> None:
    country = draw(s.countries)
    handover = draw(s.days)
    group = draw(s.operation_people)
    size = draw(st.integers(1, min(3, room)))
    key = None
    if size > 1 or draw(st.booleans()):
        state.keys += 1
        key = f"{country}-{handover.year}-{state.keys}"
    when = FuzzyDate.day(handover)
    first = OperationReported(
        source=_log_source(draw, SpeakerKind.CAMP_ADMINISTRATION, CAMP_ADMINISTRATION, when, s),
        country=country,
        people=group,
        date=when,
        date_role=DateRole.HANDOVER,
        origin=draw(s.origins),
        facilitators=tuple(draw(s.facilitators)),
        ordinal=(ordinal := draw(s.ordinals)),
        ordinal_scope=None if ordinal is None else draw(s.ordinal_scopes),
        operation_key=key,
    )
    batch = [first]
    if size >= 2:
        # The government counts on arrival, a few days later, sometimes one woman fewer.
        arrival = _clamp(
            handover + dt.timedelta(days=draw(st.integers(0, 5))), handover, s.max_date
        )
        arrived = _one_fewer_woman(group) if draw(st.booleans()) else group
        when = FuzzyDate.day(arrival)
        source = _log_source(
            draw, SpeakerKind.RECEIVING_GOVERNMENT, "Ministry of Foreign Affairs", when, s
        )
        batch.append(
            _rebuild(
                first,
                source=source,
                people=arrived,
                date=when,
                date_role=DateRole.ARRIVAL,
                facilitators=(),
            )
        )
    if size >= 3:
        month = FuzzyDate.month(handover.year, handover.month, raw="earlier this month")
        batch.append(
            _rebuild(
                first,
                source=_log_source(draw, SpeakerKind.MEDIA, None, month, s),
                date=month,
                date_role=DateRole.OPERATION,
                people=People(total=group.total) if group.total is not None else group,
                ordinal=None,
                ordinal_scope=None,
            )
        )
    for report in batch:
        if report.id in state.ids:
            # Two articles can carry the same figures; their addresses tell them apart.
            url = f"https://news.example/report-{len(state.events)}"
            report = _rebuild(report, source=attrs.evolve(report.source, url=url))
        if state.add(report):
            state.reports[report.id] = report
            state.operations.append(report.id)


def _draw_other_report(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    report = draw(s.other_reports)
    if state.add(report):
        state.reports[report.id] = report


def _draw_link(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    if state.links and draw(st.integers(0, 3)) == 0:
        # An analyst takes back an earlier link: the same reports, linked false.
        link = state.links[draw(st.integers(0, len(state.links) - 1))]
        unlink = ReportsLinked(
            source=draw(s.analysts), reports=link, linked=False, reason=draw(s.reasons)
        )
        if state.add(unlink):
            state.links.remove(link)
        return
    live = state.live(state.operations)
    if len(live) < 2:
        return
    first = _pick(draw, live)
    second = _pick(draw, [i for i in live if i != first])
    chosen: tuple[uuid.UUID, ...] = (first, second)
    if len(live) > 2 and draw(st.booleans()):
        chosen += (_pick(draw, [i for i in live if i not in chosen]),)
    link_event = ReportsLinked(source=draw(s.analysts), reports=chosen, reason=draw(s.reasons))
    if state.add(link_event):
        state.links.append(chosen)


def _draw_correction(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    candidates = [i for i in state.live(list(state.reports)) if i not in state.corrected]
    if not candidates:
        return
    target_id = _pick(draw, candidates)
    target = state.reports[target_id]
    # The replacement is a report of the same type with new figures; nothing else changes.
    is_total = isinstance(target, CumulativeTotalReported)
    group = draw(s.total_people if is_total else s.correction_people)
    event = ReportCorrected(
        source=target.source,
        supersedes=target_id,
        replacement=_rebuild(target, people=group, notes="corrected figure"),
        reason=draw(s.reasons),
    )
    if state.add(event):
        state.corrected.add(target_id)


def _draw_retraction(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    candidates = state.live(list(state.reports))
    if not candidates:
        return
    target_id = _pick(draw, candidates)
    event = ReportRetracted(
        source=state.reports[target_id].source, retracts=target_id, reason=draw(s.reasons)
    )
    if state.add(event):
        state.retracted.add(target_id)


def _draw_adjudication(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    candidates = state.live(state.operations)
    if not candidates:
        return
    target_id = _pick(draw, candidates)
    target = state.reports[target_id]
    assert isinstance(target, OperationReported)
    chosen = target.people if draw(st.booleans()) else draw(s.correction_people)
    state.add(
        FigureAdjudicated(
            source=draw(s.analysts), report=target_id, people=chosen, rationale=draw(s.reasons)
        )
    )


def _draw_status(draw: DrawFn, state: _LogState, s: _LogStrategies) -> None:
    state.add(draw(s.statuses))


_STEPS = ("operation", "other", "link", "correction", "retraction", "adjudication", "status")
# Reports are drawn more often than statements about them, so that there is something to link.
_STEP_CHOICE = st.sampled_from(_STEPS[:2] * 3 + _STEPS)


@st.composite
def _event_logs(draw: DrawFn, s: _LogStrategies, min_size: int, max_size: int) -> list[Event]:
    state = _LogState()
    target = draw(st.integers(min_size, max_size))
    # A step adds at most as many events as there is room for. A step that cannot apply (no
    # report to link yet) or repeats an earlier claim adds nothing; an operation, which always
    # adds something, takes its place, so the ledger reaches its size.
    while len(state.events) < target:
        room = target - len(state.events)
        step = draw(_STEP_CHOICE) if state.reports else "operation"
        before = len(state.events)
        if step == "other":
            _draw_other_report(draw, state, s)
        elif step == "link":
            _draw_link(draw, state, s)
        elif step == "correction":
            _draw_correction(draw, state, s)
        elif step == "retraction":
            _draw_retraction(draw, state, s)
        elif step == "adjudication":
            _draw_adjudication(draw, state, s)
        elif step == "status":
            _draw_status(draw, state, s)
        if len(state.events) == before:
            _draw_operation(draw, state, s, room)
    return state.events


def event_logs(
    *,
    countries: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    min_size: int = 0,
    max_size: int = 50,
    consistent_people: bool = False,
) -> SearchStrategy[list[Event]]:
    """Draw whole, consistent ledgers: a list of events in log order.

    A ledger holds operations reported by one to three sources under a shared
    ``operation_key`` (a handover report by the camp administration, an arrival report by the
    receiving government up to five days later that sometimes counts one woman fewer, and a
    media report of the month); cumulative claims, stock observations, outflows and inflows;
    links between operation reports and some unlinks of earlier links; corrections whose
    ``replacement`` is a report of the same type as the one it ``supersedes``; retractions;
    adjudications of operation reports; and changes of a camp's status.

    Guarantees: every id is unique; every reference (link, unlink, correction, retraction,
    adjudication) names a report earlier in the list that was not retracted before; links and
    adjudications name operation reports; a report is corrected at most once and retracted at
    most once; an unlink repeats the reports of an earlier link still in force.

    Args:
        countries: receiving countries of operations and cumulative claims; ``None`` for all.
        min_date: the earliest day an event's date may mention.
        max_date: the latest day an event's date may mention.
        min_size: the fewest events.
        max_size: the most events.
        consistent_people: whether every group of people is internally consistent.

    Returns:
        A strategy of lists of events.

    Raises:
        ValueError: the sizes or dates are the wrong way round, or a size is negative.
    """
    check_dates(min_date, max_date)
    if min_size < 0:
        raise ValueError(f"min_size ({min_size}) must not be negative")
    check_range(min_size, max_size, "event_logs sizes")
    strategies = _log_strategies(countries, min_date, max_date, consistent_people)
    return _event_logs(strategies, min_size, max_size)
