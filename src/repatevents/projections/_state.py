"""The fold: the knowledge state of a ledger, and ``apply(state, envelope)``.

The knowledge state is what the ledger holds at a log position, independent of any ``as_of``
date or policy: the reports in force (corrections applied, retractions removed), how they group
into operations, the adjudications, and the aggregates the default query reads, kept up to date
one change at a time. Projections read it; nothing in it depends on the clock of the machine.

Costs per event, with ``g`` the size of the operations it touches and ``k`` the populations
observed at the places it may change: a report, correction or retraction of an operation is
O(g); a link is O(g); a flow is O(k); a stock observation that becomes a population's new
baseline re-sums the flows at the places it covers (O(flows there)); everything else is O(1).

Rules:

- Reports group into one operation when they share an ``operation_key`` or when a link in
  force connects them (transitively). ``ReportsLinked(linked=False)`` withdraws every earlier
  link whose reports are all among the ones it names; it does not split reports that share an
  operation key (correct the key for that).
- A report without an operation key is keyed by what makes copies of one story one claim: the
  outlet it started from (the last of ``via``, or the publisher), the receiving country, the
  date and the figures. Ten outlets carrying one wire story are one operation, not ten; two
  reports that must stay apart get operation keys of their own.
- A correction replaces the report it supersedes from its position on; the report keeps its
  id, so links, adjudications and later corrections that name it still apply. An event that
  names the replacement's own id means the report it replaced.
- A retraction removes a report from its position on. A report whose retraction was recorded
  before it (an odd log, but a possible one: files imported out of order) never counts.
- Likewise a correction recorded before its report is kept and applies once the report is
  recorded: from then on the report reads as the (latest such) replacement.
- References to reports the ledger does not hold are kept as dangling references, which the
  data-quality projection lists.
- A camp's status changes (opened, closed, emptied, transferred) are kept per camp, in log
  order; remaining-in-camp reads them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from ..events import (
    SCHEMA_VERSION,
    CampStatusChanged,
    CumulativeTotalReported,
    FigureAdjudicated,
    InflowReported,
    OperationReported,
    OutflowReported,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    StockObserved,
    decode_stored_form,
    lookup_place,
    stored_form_type,
)
from ._aggregates import CountryAgg, Flow, OpView, StockAgg, StockKey, route_of
from ._clock import NO
from ._compact import (
    Fig,
    Figs,
    FlowRec,
    OpRec,
    Rec,
    SourceRec,
    StockRec,
    When,
    figs_of,
    form_figs,
    form_record_of,
    form_source_rec,
    form_when,
    record_of,
    shared,
    source_rec_of,
    when_of,
)
from ._figures import combine, effective
from ._policy import DEFAULT_POLICY, POLICIES, Policy, PolicyRule
from ._scope import contains, specificity

if TYPE_CHECKING:
    # The fold reads envelopes but needs no store backend: a hint only, so that loading the
    # projections does not load SQLite, JSON Lines and PostgreSQL.
    from ..events import Event
    from ..store import Envelope, RawRecord

__all__ = [
    "KnowledgeState",
    "OpView",
    "apply",
    "fold",
    "fold_stored",
    "op_flow",
    "settle",
    "stock_entries",
]

_REPORTS = (
    OperationReported,
    CumulativeTotalReported,
    StockObserved,
    OutflowReported,
    InflowReported,
)
_DEFAULT = POLICIES[DEFAULT_POLICY]
_V = TypeVar("_V", When, Figs)
# Fields that only speed things up: a high-water mark depends on how the log was cut into
# folds, not on what it holds, so equality leaves it out.
_CACHES = frozenset({"last_flow_day"})


class KnowledgeState:
    """What the ledger holds at ``position``: the fold's state (see the module docstring).

    Mutable, and owned by whoever folds into it: :func:`apply` changes it in place. Two
    states folded from the same log are equal however they were built (whole, in parts, or
    from a checkpoint); :meth:`same_knowledge` compares states of logs recorded apart.
    """

    __slots__ = (
        "adjacency",
        "adjudications",
        "aliases",
        "by_key",
        "corrected",
        "countries",
        "dangling",
        "dirty",
        "early",
        "flows",
        "flows_by_place",
        "group_of",
        "head_hash",
        "last_flow_day",
        "links",
        "members",
        "position",
        "positions",
        "reports",
        "retracted",
        "source_ids",
        "source_reports",
        "sources",
        "statuses",
        "stock_index",
        "stocks",
        "times",
        "views",
    )

    def __init__(self) -> None:
        self.position = 0
        self.head_hash = ""
        # When each position was recorded: a running maximum per batch, for ``known_at``.
        self.times: list[float] = []
        self.positions: list[int] = []
        self.sources: list[SourceRec] = []
        self.source_ids: dict[SourceRec, int] = {}
        #: source index -> how many reports in force it gave (what the sources table and an
        #: export's list of sources count, kept so the summary can answer them)
        self.source_reports: dict[int, int] = {}
        #: the reports in force, by id (the UUID's integer)
        self.reports: dict[int, Rec] = {}
        self.aliases: dict[int, int] = {}
        self.retracted: dict[int, int] = {}
        self.corrected: dict[int, int] = {}
        #: corrections recorded before their report: report id -> the replacement's record,
        #: which the report takes when it is recorded
        self.early: dict[int, Rec] = {}
        #: (position, event id, missing report id, event type) of references to nothing
        self.dangling: list[tuple[int, int, int, str]] = []
        #: operation key -> the ids of the reports in force that carry it, in log order
        #: (tuples: most keys have one to three reports, and tuples load fast from a
        #: checkpoint); the order of an operation's members, so that an operation of one key
        #: holds this tuple as its members, not a copy
        self.by_key: dict[str, tuple[int, ...]] = {}
        #: report id -> the links in force that name it
        self.links: dict[int, set[frozenset[int]]] = {}
        self.adjacency: dict[int, dict[int, int]] = {}
        #: report id -> its operation's id, for the reports of operations that are not the
        #: reports of one key, but for the operation's own id (_group finds the others)
        self.group_of: dict[int, int] = {}
        #: operation id (its smallest report id) -> its report ids, in log order
        self.members: dict[int, tuple[int, ...]] = {}
        self.adjudications: dict[int, tuple[int, Figs, int]] = {}
        # What the default query reads, kept up to date.
        #: operations changed since the kept views and sums were last brought up to date
        self.dirty: set[int] = set()
        self.views: dict[int, OpView] = {}
        self.countries: dict[str, CountryAgg] = {}
        self.stocks: dict[StockKey, StockAgg] = {}
        self.stock_index: dict[str, dict[str | None, set[StockKey]]] = {}
        #: the outflows and inflows reported, by report id (an operation's flow out of its camp
        #: is its kept view's, op_flow: not kept twice)
        self.flows: dict[int, Flow] = {}
        #: place -> the latest day of each flow there (None: open) -> flow ids, sorted (a
        #: list: most days hold a few flows, and a set of one costs 216 bytes, a list 64)
        self.flows_by_place: dict[str, dict[int | None, list[int]]] = {}
        #: the latest day any flow ever had (bounds the days a new baseline looks at)
        self.last_flow_day = 0
        #: place -> its status changes in log order: (position, date, status, authority)
        self.statuses: dict[str, tuple[tuple[int, When, str, str | None], ...]] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KnowledgeState) and self._compare(other, _CACHES)

    def same_knowledge(self, other: KnowledgeState) -> bool:
        """Return whether two states hold the same knowledge, even if the logs they were folded from
        were recorded at other times (``==`` also compares recording times and the hash)."""
        return self._compare(other, _CACHES | {"head_hash", "times", "positions"})

    def _compare(self, other: KnowledgeState, skip: frozenset[str] | set[str]) -> bool:
        return all(
            getattr(self, name) == getattr(other, name)
            for name in self.__slots__
            if name not in skip
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)

    def __repr__(self) -> str:
        return (
            f"<KnowledgeState position={self.position} reports={len(self.reports)} "
            f"operations={len(self.members)}>"
        )

    # -- reading ------------------------------------------------------------------------------
    def adjudication(self, gid: int) -> tuple[int, Figs, int] | None:
        """Return the latest adjudication of any report of operation ``gid``."""
        found = [self.adjudications[m] for m in self.members[gid] if m in self.adjudications]
        return max(found, key=lambda a: a[0]) if found else None

    def view(self, gid: int, policy: Policy) -> OpView | None:
        """Return operation ``gid`` under ``policy`` (``None`` when the policy leaves it out)."""
        reports = self.reports
        # An operation's members are operation reports (only they are grouped).
        ops = cast(list[OpRec], [reports[m] for m in self.members[gid]])
        first = ops[0]
        adjudicated = self.adjudication(gid) if policy.rule.reads_adjudications else None
        if len(ops) == 1 and adjudicated is None and policy.rule is not PolicyRule.ADJUDICATED:
            figs, basis = effective(first.people)
            where = first.where
            return OpView(gid, route_of(where[0], where[1], where[2]), first.date, figs, basis)
        combined = combine(
            [(r, self.sources[r.source]) for r in ops],
            policy,
            None if adjudicated is None else adjudicated[1],
        )
        if combined is None:
            return None
        nationality = next((r.nationality for r in ops if r.nationality is not None), None)
        origin = _merged_origin(ops)
        # Combined anew at each change: kept as a report's own where equal to it (reports of
        # one operation often agree), else once where equal to another operation's.
        return OpView(
            gid,
            route_of(first.country, nationality, origin),
            _reused(_span(ops), [r.date for r in ops]),
            _reused(combined.figs, [effective(r.people)[0] for r in ops]),
            combined.basis,
        )


def _reused(value: _V, owned: list[_V]) -> _V:
    """Return the first of ``owned`` equal to ``value``, or the kept value equal to it."""
    for own in owned:
        if own == value:
            return own
    return shared(value)


def _merged_origin(ops: list[OpRec]) -> str:
    """Return where a merged operation's people came from: the most precise place its reports
    name, and where they name different sites ("al-Hol"; "Roj and al-Hol"), those sites
    together, so that no camp is certain to have lost people a report placed elsewhere."""
    origin = min(ops, key=lambda r: (specificity(r.origin), r.position)).origin
    if specificity(origin) == 0:
        sites = tuple(dict.fromkeys(r.origin for r in ops if specificity(r.origin) == 0))
        if len(sites) > 1:
            return lookup_place("+".join(sites)).id
    return origin


def _span(ops: list[OpRec]) -> When:
    """Return an operation's date: it surely happened once any report's date is past."""
    if len(ops) == 1:
        return ops[0].date
    earliests = [r.date.earliest for r in ops]
    earliest = None if None in earliests else min(e for e in earliests if e is not None)
    latests = [r.date.latest for r in ops if r.date.latest is not None]
    latest = min(latests) if latests else None
    precision = "day" if earliest is not None and earliest == latest else "days"
    return When(earliest, latest, latest, precision, None)


def fold(envelopes: Iterable[Envelope], state: KnowledgeState | None = None) -> KnowledgeState:
    """Fold envelopes into ``state`` (a new initial state when ``None``) and return it.

    The kept sums are brought up to date once, at the end (see :func:`settle`).
    """
    state = KnowledgeState() if state is None else state
    for envelope in envelopes:
        apply(state, envelope, settled=False)
    return settle(state)


def fold_stored(
    records: Iterable[RawRecord],
    read_event: Callable[[RawRecord], Event],
    state: KnowledgeState | None = None,
) -> KnowledgeState:
    """Fold records as the store keeps them into ``state`` and return it, as :func:`fold`.

    The stored JSON of each record is read straight into the fold's records
    (``events.decode_stored_form``): no event is built. A record in another shape (an older
    schema, a payload the store did not write) is read by ``read_event``, the store's full
    decoder, and folded as its event: both ways give the same state.

    Args:
        records: the records, in log order, their hashes checked by the store that read them.
        read_event: returns the event of a record that is not read as a form.
        state: the state to fold into (a new initial state when ``None``).

    Raises:
        ValueError: a record is not the one after the state's position.
        CorruptLogError: from ``read_event``, for a record it cannot decode.
    """
    state = KnowledgeState() if state is None else state
    decode, current = decode_stored_form, SCHEMA_VERSION
    moment, stamp = None, 0.0
    for record in records:
        position, recorded_at, schema_version, record_hash, payload = record
        _check_next(state, position)
        form = decode(payload) if schema_version == current else None
        if form is not None:
            _apply(state, position, form, _FORMS)
        else:
            _apply(state, position, read_event(record), _EVENTS)
        if recorded_at is not moment:  # a batch shares one time
            moment, stamp = recorded_at, recorded_at.timestamp()
        _stamp(state, position, record_hash, stamp)
    return settle(state)


def apply(state: KnowledgeState, envelope: Envelope, *, settled: bool = True) -> KnowledgeState:
    """Fold one envelope into the state (in place) and return the state.

    Args:
        state: the state, at the position before the envelope's.
        envelope: the next envelope of the log.
        settled: bring the kept sums up to date now; ``False`` leaves that to a later
            :func:`settle` (``fold`` does so once for many events).

    Raises:
        ValueError: the envelope is not the one after the state's position.
    """
    position = envelope.position
    _check_next(state, position)
    _apply(state, position, envelope.event, _EVENTS)
    _stamp(state, position, envelope.hash, envelope.recorded_at.timestamp())
    return settle(state) if settled else state


def _check_next(state: KnowledgeState, position: int) -> None:
    if position != state.position + 1:
        raise ValueError(
            f"cannot fold the event at position {position} into a state at position "
            f"{state.position}; events must be folded in log order without gaps"
        )


def _stamp(state: KnowledgeState, position: int, record_hash: str, moment: float) -> None:
    """Move the state to ``position``, recorded at ``moment`` with ``record_hash``."""
    state.position = position
    state.head_hash = record_hash
    if state.times and moment <= state.times[-1]:
        state.positions[-1] = position
    else:
        state.times.append(moment)
        state.positions.append(position)


class _Reader(NamedTuple):
    """How the fold reads an event, or the checked form of its stored JSON.

    The two have the same field names, ids, enum members and tuples; they differ in the nested
    values (people, dates, sources) and in how a report becomes a record, which this says.
    """

    kind: Callable[[Any], str]
    source: Callable[[Any], SourceRec]
    #: (report, type name, record id, position, source index, source table) -> record
    record: Callable[[Any, str, int, int, int, list[SourceRec]], Rec]
    figs: Callable[[Any], Figs]
    when: Callable[[Any, int | None], When]


def _event_record(
    report: Any, kind: str, rid: int, position: int, source: int, sources: list[SourceRec]
) -> Rec:
    published = sources[source].published
    return record_of(report, rid, position, source, None if published is None else published.latest)


_EVENTS = _Reader(attrgetter("TYPE"), source_rec_of, _event_record, figs_of, when_of)
_FORMS = _Reader(stored_form_type, form_source_rec, form_record_of, form_figs, form_when)
_REPORT_TYPES = frozenset(cls.TYPE for cls in _REPORTS)


def _apply(state: KnowledgeState, position: int, event: Any, read: _Reader) -> None:
    """Fold the event (or form) at ``position`` into the state, but for its stamp."""
    kind = read.kind(event)
    if kind in _REPORT_TYPES:
        rid = event.id.int
        if rid not in state.retracted and rid not in state.reports:
            # A correction recorded before the report: the report is in force as it has it
            # (a record keeps the position of the event that brought its version).
            early = state.early.pop(rid, None)
            if early is None:
                early = _record(state, read, event, kind, rid, position)
            _add(state, early)
    elif kind == ReportCorrected.TYPE:
        target = _resolve(state, event.supersedes.int)
        held = target in state.reports
        if held:
            _remove(state, target)
        else:
            _dangle(state, position, event.id.int, target, kind)
        if held or target not in state.retracted:
            state.corrected[target] = position
            replacement = event.replacement
            if replacement.id.int != target:
                state.aliases[replacement.id.int] = target
            record = _record(state, read, replacement, read.kind(replacement), target, position)
            if held:
                _add(state, record)
            else:
                # Recorded before its report: the report takes it when it is recorded.
                state.early[target] = record
    elif kind == ReportRetracted.TYPE:
        target = _resolve(state, event.retracts.int)
        if target in state.reports:
            _remove(state, target)
        elif target not in state.retracted:
            _dangle(state, position, event.id.int, target, kind)
        state.early.pop(target, None)
        state.retracted.setdefault(target, position)
    elif kind == ReportsLinked.TYPE:
        ids = frozenset(_resolve(state, u.int) for u in event.reports)
        for rid in sorted(ids):
            if rid not in state.reports and rid not in state.retracted:
                _dangle(state, position, event.id.int, rid, kind)
        _link(state, ids) if event.linked else _unlink(state, ids)
    elif kind == CampStatusChanged.TYPE:
        # Like a report's date, a status's date ends at its source's publication at the latest.
        published = read.source(event.source).published
        when = read.when(event.date, None if published is None else published.latest)
        change = (position, when, event.status._value_, event.authority)
        state.statuses[event.place] = (*state.statuses.get(event.place, ()), change)
    else:
        assert kind == FigureAdjudicated.TYPE
        target = _resolve(state, event.report.int)
        if target not in state.reports and target not in state.retracted:
            _dangle(state, position, event.id.int, target, kind)
        state.adjudications[target] = (
            position,
            read.figs(event.people),
            _source(state, read.source(event.source)),
        )
        if _group(state, target) is not None:
            _regroup(state, (target,))


# -- reports ----------------------------------------------------------------------------------
def _resolve(state: KnowledgeState, rid: int) -> int:
    return state.aliases.get(rid, rid)


def _dangle(state: KnowledgeState, position: int, event_id: int, missing: int, kind: str) -> None:
    state.dangling.append((position, event_id, missing, kind))


def _source(state: KnowledgeState, rec: SourceRec) -> int:
    index = state.source_ids.get(rec)
    if index is None:
        index = state.source_ids[rec] = len(state.sources)
        state.sources.append(rec)
    return index


def _record(
    state: KnowledgeState, read: _Reader, report: Any, kind: str, rid: int, position: int
) -> Rec:
    index = _source(state, read.source(report.source))
    return read.record(report, kind, rid, position, index, state.sources)


def _add(state: KnowledgeState, rec: Rec) -> None:
    state.reports[rec.id] = rec
    counts = state.source_reports
    counts[rec.source] = counts.get(rec.source, 0) + 1
    if isinstance(rec, OpRec):
        if rec.key is not None:
            peers = state.by_key.get(rec.key, ())
            state.by_key[rec.key] = _in_log_order(state, (*peers, rec.id)) if peers else (rec.id,)
        _regroup(state, (rec.id,))
    elif isinstance(rec, StockRec):
        for key, fig in stock_entries(rec):
            agg = state.stocks.get(key)
            if agg is None:
                agg = state.stocks[key] = StockAgg()
                place, scope, country = key
                index = state.stock_index.setdefault(place, {})
                index.setdefault(country if scope == "nationals" else None, set()).add(key)
            agg.entries[rec.id] = (rec, fig)
            current = agg.baseline
            if current is None or _later(agg, rec.id, current):
                _rebase(state, key, agg, rec.id)
    elif isinstance(rec, FlowRec):
        total = effective(rec.people)[0][0]
        assert total is not None
        _add_flow(state, rec.id, Flow(rec.direction, rec.place, rec.nationality, rec.date, total))


def _remove(state: KnowledgeState, rid: int) -> None:
    # Found while the report is in force: its operation may be one _group finds by its key.
    gid = _group(state, rid)
    rec = state.reports.pop(rid)
    counts = state.source_reports
    left = counts[rec.source] - 1
    if left:
        counts[rec.source] = left
    else:
        del counts[rec.source]
    if isinstance(rec, OpRec):
        if rec.key is not None:
            peers = tuple(p for p in state.by_key[rec.key] if p != rid)
            if peers:
                state.by_key[rec.key] = peers
            else:
                del state.by_key[rec.key]
        _regroup(state, (rid,) if gid is None else (rid, gid))
    elif isinstance(rec, StockRec):
        for key, _ in stock_entries(rec):
            agg = state.stocks[key]
            del agg.entries[rid]
            if agg.entries:
                _rebase(state, key, agg, agg.choose_baseline())
            else:
                del state.stocks[key]
                place, scope, country = key
                index = state.stock_index[place]
                keys = index[country if scope == "nationals" else None]
                keys.discard(key)
                if not keys:
                    del index[country if scope == "nationals" else None]
                if not index:
                    del state.stock_index[place]
    elif isinstance(rec, FlowRec):
        _remove_flow(state, rid)


def _later(agg: StockAgg, new: int, current: int) -> bool:
    return agg.order(new) > agg.order(current)


def stock_entries(rec: StockRec) -> list[tuple[StockKey, Fig]]:
    """Return the populations an observation counts: its own, and one per nationality given."""
    total = effective(rec.people)[0][0]
    assert total is not None
    own: StockKey = (rec.place, rec.scope, rec.country)
    entries = [(own, total)]
    for code, fig in rec.by_nationality:
        key: StockKey = (rec.place, "nationals", code)
        if key != own:
            entries.append((key, fig))
    return entries


# -- flows and populations --------------------------------------------------------------------
def _keys_for(state: KnowledgeState, flow: Flow) -> Iterable[tuple[StockKey, StockAgg]]:
    for place, index in state.stock_index.items():
        if contains(place, flow.place) == NO:
            continue
        if flow.nationality is None:
            groups: Iterable[set[StockKey]] = index.values()
        else:
            groups = (index.get(None, set()), index.get(flow.nationality, set()))
        for keys in groups:
            for key in keys:
                yield key, state.stocks[key]


def _flow(state: KnowledgeState, fid: int) -> Flow:
    """Return flow ``fid``: a reported one, or the flow out of a camp an operation is."""
    flow = state.flows.get(fid)
    return flow if flow is not None else op_flow(state.views[fid])


def _add_flow(state: KnowledgeState, fid: int, flow: Flow) -> None:
    if flow.kind != "op":
        # An operation's flow is its kept view's (op_flow): kept once, not twice.
        state.flows[fid] = flow
    day = flow.date.latest
    ids = state.flows_by_place.setdefault(flow.place, {}).setdefault(day, [])
    at = bisect_left(ids, fid)
    if at == len(ids) or ids[at] != fid:
        ids.insert(at, fid)
    if day is not None and day > state.last_flow_day:
        state.last_flow_day = day
    if state.stock_index:
        for key, agg in _keys_for(state, flow):
            agg.add_flow(key, flow)


def _remove_flow(state: KnowledgeState, fid: int, flow: Flow | None = None) -> None:
    """Take flow ``fid`` away (``flow``: an operation's, from the view it had)."""
    if flow is None:
        flow = state.flows.pop(fid)
    days = state.flows_by_place[flow.place]
    ids = days[flow.date.latest]
    at = bisect_left(ids, fid)
    if at < len(ids) and ids[at] == fid:
        del ids[at]
    if not ids:
        del days[flow.date.latest]
        if not days:
            del state.flows_by_place[flow.place]
    for key, agg in _keys_for(state, flow):
        agg.add_flow(key, flow, -1)


def _flows_after(state: KnowledgeState, place: str, day: int | None) -> Iterable[int]:
    """Yield the flows at ``place`` that may have happened after ``day`` (all when None).

    A flow whose latest day is on or before ``day`` cannot be after an observation that
    starts on ``day``; skipping them keeps a new baseline's cost to the flows since it.
    """
    days = state.flows_by_place[place]
    if day is None:
        for ids in days.values():
            yield from ids
        return
    yield from days.get(None, ())
    if state.last_flow_day - day < len(days):
        for next_day in range(day + 1, state.last_flow_day + 1):
            yield from days.get(next_day, ())
    else:
        for later, ids in days.items():
            if later is not None and later > day:
                yield from ids


def _rebase(state: KnowledgeState, key: StockKey, agg: StockAgg, baseline: int | None) -> None:
    """Make ``baseline`` the population's baseline and sum the flows since it again."""
    if baseline == agg.baseline:
        return
    agg.baseline = baseline
    agg.flows = {}
    if baseline is None:
        return
    start = agg.entries[baseline][0].date.earliest
    for place in state.flows_by_place:
        if contains(key[0], place) != NO:
            for fid in _flows_after(state, place, start):
                agg.add_flow(key, _flow(state, fid))


# -- links and operations ---------------------------------------------------------------------
def _link(state: KnowledgeState, ids: frozenset[int]) -> None:
    if ids in state.links.get(next(iter(ids)), ()):
        return
    for rid in ids:
        state.links.setdefault(rid, set()).add(ids)
        edges = state.adjacency.setdefault(rid, {})
        for other in ids:
            if other != rid:
                edges[other] = edges.get(other, 0) + 1
    _regroup(state, ids)


def _unlink(state: KnowledgeState, ids: frozenset[int]) -> None:
    withdrawn = {link for rid in ids for link in state.links.get(rid, ()) if link <= ids}
    touched = set(ids)
    for link in withdrawn:
        touched |= link
        for rid in link:
            held = state.links[rid]
            held.discard(link)
            if not held:
                del state.links[rid]
            edges = state.adjacency[rid]
            for other in link:
                if other != rid:
                    edges[other] -= 1
                    if not edges[other]:
                        del edges[other]
            if not edges:
                del state.adjacency[rid]
    if withdrawn:
        _regroup(state, touched)


def _neighbours(state: KnowledgeState, rid: int) -> Iterable[int]:
    rec = state.reports[rid]
    assert isinstance(rec, OpRec)
    if rec.key is not None:
        yield from state.by_key[rec.key]
    yield from state.adjacency.get(rid, ())


def _component(state: KnowledgeState, start: int) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        for other in _neighbours(state, todo.pop()):
            if other not in seen and isinstance(state.reports.get(other), OpRec):
                seen.add(other)
                todo.append(other)
    return seen


def _regroup(state: KnowledgeState, seeds: Iterable[int]) -> None:
    """Recompute the operations that contain ``seeds`` (as they were and as they are now)."""
    pending = set(seeds)
    if len(pending) == 1:
        rid = next(iter(pending))
        rec = state.reports.get(rid)
        alone = (
            isinstance(rec, OpRec)
            and _group(state, rid) is None
            and rid not in state.adjacency
            and (rec.key is None or len(state.by_key[rec.key]) == 1)
        )
        if alone:
            # A new report of an operation nobody else reported: the common case.
            _make_group(state, {rid})
            return
    old: set[int] = set()
    visited: set[int] = set()
    components: list[set[int]] = []
    while pending:
        rid = pending.pop()
        if rid in visited:
            continue
        visited.add(rid)
        gid = _group(state, rid)
        if gid is not None and gid not in old:
            old.add(gid)
            pending.update(state.members[gid])
        if not isinstance(state.reports.get(rid), OpRec):
            continue
        component = _component(state, rid)
        components.append(component)
        visited |= component
        for member in component:
            gid = _group(state, member)
            if gid is not None and gid not in old:
                old.add(gid)
                pending.update(state.members[gid])
    for gid in old:
        _drop_group(state, gid)
    for component in components:
        _make_group(state, component)


def _group(state: KnowledgeState, rid: int) -> int | None:
    """Return the id of the operation report ``rid`` belongs to (``None``: none).

    group_of leaves out what this finds: an operation's own id (its smallest report id, which
    no other operation can have, since operations share no report), and the reports of an
    operation that is the reports of one key (it holds that key's tuple as its members).
    """
    gid = state.group_of.get(rid)
    if gid is not None:
        return gid
    if rid in state.members:
        return rid
    rec = state.reports.get(rid)
    key = rec.key if isinstance(rec, OpRec) else None
    peers = None if key is None else state.by_key.get(key)
    if peers is not None:
        first = min(peers)
        if state.members.get(first) is peers:
            return first
    return None


def _drop_group(state: KnowledgeState, gid: int) -> None:
    for member in state.members.pop(gid):
        if member != gid and state.group_of.get(member) == gid:
            del state.group_of[member]
    state.dirty.add(gid)


def _in_log_order(state: KnowledgeState, ids: Iterable[int]) -> tuple[int, ...]:
    reports = state.reports
    return tuple(sorted(ids, key=lambda r: reports[r].position))


def _make_group(state: KnowledgeState, component: set[int]) -> None:
    gid = min(component)
    key = cast(OpRec, state.reports[gid]).key
    # Most operations are the reports of one key: such an operation holds that key's tuple
    # (in the same order) rather than a copy of it.
    members = state.by_key.get(key) if key is not None else None
    if members is None or len(members) != len(component) or not component.issuperset(members):
        members = _in_log_order(state, component)
    state.members[gid] = members
    if key is None or members is not state.by_key.get(key):
        group_of = state.group_of
        for member in members:
            if member != gid:
                group_of[member] = gid
    state.dirty.add(gid)


def settle(state: KnowledgeState) -> KnowledgeState:
    """Bring the kept views and sums up to date with the operations changed since last time.

    Folding marks the operations it changes and settles once at the end, so that an operation
    reported three times in one batch is summed once, not three times over.
    """
    dirty = state.dirty
    if not dirty:
        return state
    views, countries = state.views, state.countries
    for gid in dirty:
        old = views.pop(gid, None)
        if old is not None:
            agg = countries[old.country]
            agg.add(old, -1)
            if agg.ops == 0:
                del countries[old.country]
            _remove_flow(state, gid, op_flow(old))
    for gid in dirty:
        if gid not in state.members:
            continue
        view = state.view(gid, _DEFAULT)
        assert view is not None
        views[gid] = view
        kept = countries.get(view.country)
        if kept is None:
            kept = countries[view.country] = CountryAgg()
        kept.add(view)
        _add_flow(state, gid, op_flow(view))
    dirty.clear()
    return state


def op_flow(view: OpView) -> Flow:
    """Return the flow out of a camp that a repatriation operation is."""
    total = view.figs[0]
    assert total is not None
    return Flow("op", view.origin, view.nationality or view.country, view.date, total)
