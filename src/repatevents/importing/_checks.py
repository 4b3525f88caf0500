"""Check a batch read for import against itself and against the ledger, as recording would.

Refused (every one listed, at its line): an id given to other content, earlier in the file or in
the ledger. Recorded with a warning naming the line: a reference to an event neither the file
nor the ledger holds (the report may come later), and a new operation report that shares its
publisher, receiving country and date with one in force in the ledger (ids derive from content,
so a row edited in a sheet is a new report, and would count as another operation unless
recorded as a correction).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from ..errors import FieldProblem, ValidationError
from ..events import (
    Event,
    FigureAdjudicated,
    OperationReported,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    event_to_dict,
)

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = [
    "NOTHING",
    "LedgerView",
    "check_batch",
    "dangling",
    "id_taken",
    "likely_edits",
    "referable_ids",
    "scan_ledger",
]

_CHANGE_IS_A_CORRECTION = "a change to a recorded event must be a new report-corrected event"
# What a report is known by to an analyst scanning a sheet: publisher, receiving country, date.
_EditKey = tuple[str, str, str]


class LedgerView(NamedTuple):
    """What an import needs to know of a ledger: some of its events, which ids it holds, and
    the operation reports in force with the keys asked for (the latest of each: the position
    of its version in force, the id it was first recorded under, and that version)."""

    events: dict[uuid.UUID, tuple[int, Event]]
    known: frozenset[uuid.UUID]
    similar: Mapping[_EditKey, tuple[int, uuid.UUID, OperationReported]]


NOTHING = LedgerView({}, frozenset(), {})


def _operations(events: Sequence[Event]) -> list[OperationReported]:
    """The operation reports of a batch itself (not those a correction carries)."""
    return [event for event in events if isinstance(event, OperationReported)]


def _edit_key(report: OperationReported) -> _EditKey:
    publisher = " ".join(report.source.publisher.casefold().split())
    return publisher, report.country, report.date.to_text()


def likely_edits(
    events: Sequence[Event], lines: Sequence[int | None], view: LedgerView
) -> list[tuple[int | None, int, str, list[str]]]:
    """Return (line, position, id, fields that differ) for each new operation report that
    shares its publisher, country and date with a report in force in the ledger."""
    found = []
    for event, line in zip(events, lines, strict=True):
        if event.id in view.known or not isinstance(event, OperationReported):
            continue
        match = view.similar.get(_edit_key(event))
        if match is not None:
            position, event_id, report = match
            found.append((line, position, str(event_id), _differences(event, report)))
    return found


def _differences(new: Event, old: Event) -> list[str]:
    """Return the fields in which two events differ: ``people.total``, ``notes`` …"""
    ours, theirs = event_to_dict(new), event_to_dict(old)
    names: list[str] = []
    for key in [*ours, *(key for key in theirs if key not in ours)]:
        mine, other = ours.get(key), theirs.get(key)
        if key == "id" or mine == other:
            continue
        if isinstance(mine, dict) and isinstance(other, dict):
            keys = [*mine, *(k for k in other if k not in mine)]
            names.extend(f"{key}.{k}" for k in keys if mine.get(k) != other.get(k))
        else:
            names.append(key)
    return names


def _referable(event: Event) -> Iterator[uuid.UUID]:
    """Yield the ids an event can be referred to by: its own, and a correction's replacement's."""
    yield event.id
    if isinstance(event, ReportCorrected):
        yield event.replacement.id


def referable_ids(events: Sequence[Event]) -> set[uuid.UUID]:
    """The ids events can be referred to by."""
    return {ref for event in events for ref in _referable(event)}


def _references_of(event: Event) -> list[tuple[str, uuid.UUID]]:
    if isinstance(event, ReportCorrected):
        return [("supersedes", event.supersedes)]
    if isinstance(event, ReportRetracted):
        return [("retracts", event.retracts)]
    if isinstance(event, FigureAdjudicated):
        return [("report", event.report)]
    if isinstance(event, ReportsLinked):
        return [("reports", report) for report in event.reports]
    return []


def scan_ledger(ledger: Ledger, events: Sequence[Event]) -> LedgerView:
    """Read the ledger once for what a batch needs: the events stored under its ids and the
    ids it refers to, which of those the ledger holds, and the operation reports in force
    that share a batch report's publisher, country and date.

    Which reports are in force is the fold's answer (corrections applied, retractions removed,
    whatever the order they were recorded in); this reads the versions in force to compare
    their fields. A report is known by the id it was first recorded under, which a correction
    supersedes, and the position of its version in force. Costs a read of the whole log
    (O(events)); skipped when the ledger is empty.
    """
    from ..projections import OpRec, uuid_of

    if not events or ledger.head == 0:
        return NOTHING
    wanted = {e.id for e in events} | {ref for e in events for _, ref in _references_of(e)}
    keys = {_edit_key(event) for event in _operations(events)}
    found: dict[uuid.UUID, tuple[int, Event]] = {}
    known: set[uuid.UUID] = set()
    # The position of each operation report's version in force, and the report's own id.
    in_force: dict[int, int] = {}
    if keys:
        in_force = {
            rec.position: rec.id
            for rec in ledger.state().reports.values()
            if isinstance(rec, OpRec)
        }
    similar: dict[_EditKey, tuple[int, uuid.UUID, OperationReported]] = {}
    for envelope in ledger.store.read():
        event = envelope.event
        if event.id in wanted:
            found[event.id] = (envelope.position, event)
        known.update(ref for ref in _referable(event) if ref in wanted)
        report_id = in_force.get(envelope.position)
        if report_id is None:
            continue
        report = event.replacement if isinstance(event, ReportCorrected) else event
        if isinstance(report, OperationReported):
            key = _edit_key(report)
            if key in keys and (key not in similar or similar[key][0] < envelope.position):
                similar[key] = (envelope.position, uuid_of(report_id), report)
    return LedgerView(found, frozenset(known), similar)


def id_taken(event_id: object, rule: str, line: int | None) -> FieldProblem:
    """The problem of an id given to other content; a change must be a correction."""
    return FieldProblem("id", str(event_id), f"{rule}; {_CHANGE_IS_A_CORRECTION}", line)


def check_batch(events: Sequence[Event], lines: Sequence[int | None], view: LedgerView) -> None:
    """Refuse ids given other content: earlier in the file, or in the ledger (as the store would).

    Raises:
        ValidationError: one problem per such event, at its line.
    """
    problems: list[FieldProblem] = []
    first: dict[uuid.UUID, tuple[int | None, Event]] = {}
    for event, line in zip(events, lines, strict=True):
        stored = view.events.get(event.id)
        earlier = first.setdefault(event.id, (line, event))
        if stored is not None and stored[1] != event:
            rule = f"already stored at position {stored[0]} with other content"
        elif earlier[1] != event:
            where = f"line {earlier[0]}" if earlier[0] is not None else "an earlier row"
            rule = f"{where} of this file gives this id to other content"
        else:
            continue
        problems.append(id_taken(event.id, rule, line))
    if problems:
        raise ValidationError(problems)


def dangling(
    events: Sequence[Event], lines: Sequence[int | None], view: LedgerView
) -> list[tuple[int | None, str, str]]:
    """Return (line, field, id) for each reference to an event neither file nor ledger holds."""
    resolvable = referable_ids(events) | view.known
    return [
        (line, field, str(ref))
        for event, line in zip(events, lines, strict=True)
        for field, ref in _references_of(event)
        if ref not in resolvable
    ]
