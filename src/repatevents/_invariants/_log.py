"""Checks against the log itself: only reports in force count, grouped as keys and links say.

The log is read again here with the rules the fold documents (corrections replace, retractions
remove, links group, unlinks withdraw), kept as simple as they can be: only which reports are in
force, in which version, and which belong together. The projections must agree with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import attrs

from ..events import (
    CumulativeTotalReported,
    Event,
    InflowReported,
    OperationReported,
    OutflowReported,
    People,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    StockObserved,
)
from ..projections import Operation
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind

__all__ = ["LogFacts", "check_reports_in_force", "read_log"]

_REPORTS = (
    OperationReported,
    CumulativeTotalReported,
    StockObserved,
    OutflowReported,
    InflowReported,
)


@attrs.define
class LogFacts:
    """What the log up to a position says about its reports.

    Attributes:
        versions: each report in force by id: the position and content of its current version.
        retracted: the ids of retracted reports, with the retraction's position.
        links: the links in force, each a set of report ids.
    """

    versions: dict[uuid.UUID, tuple[int, object]] = attrs.Factory(dict)
    retracted: dict[uuid.UUID, int] = attrs.Factory(dict)
    links: set[frozenset[uuid.UUID]] = attrs.Factory(set)

    def groups(self) -> list[frozenset[uuid.UUID]]:
        """Return the operation reports in force grouped by shared key (or, without one, as
        copies of one story) and links in force."""
        nodes = {i for i, (_, r) in self.versions.items() if isinstance(r, OperationReported)}
        parent = {i: i for i in nodes}

        def find(i: uuid.UUID) -> uuid.UUID:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(items: Iterable[uuid.UUID]) -> None:
            roots = sorted({find(i) for i in items if i in nodes})
            for root in roots[1:]:
                parent[root] = roots[0]

        by_key: dict[object, list[uuid.UUID]] = {}
        for i in nodes:
            report = self.versions[i][1]
            assert isinstance(report, OperationReported)
            if report.operation_key is not None:
                by_key.setdefault(report.operation_key, []).append(i)
            else:
                # Copies of one story: the same first outlet, country, date and figures.
                outlet = report.source.origin_outlet.casefold()
                copy = (outlet, report.country, report.date.to_text(), report.people)
                by_key.setdefault(copy, []).append(i)
        for members in by_key.values():
            union(members)
        for link in self.links:
            union(link)
        grouped: dict[uuid.UUID, set[uuid.UUID]] = {}
        for i in nodes:
            grouped.setdefault(find(i), set()).add(i)
        return [frozenset(g) for g in grouped.values()]


def read_log(events: Iterable[tuple[int, Event]]) -> LogFacts:
    """Read (position, event) pairs in log order into :class:`LogFacts`."""
    facts = LogFacts()
    aliases: dict[uuid.UUID, uuid.UUID] = {}
    # Corrections recorded before their report: (their position, the replacement).
    early: dict[uuid.UUID, tuple[int, Event]] = {}
    for position, event in events:
        if isinstance(event, _REPORTS):
            if event.id not in facts.retracted and event.id not in facts.versions:
                facts.versions[event.id] = early.pop(event.id, (position, event))
        elif isinstance(event, ReportCorrected):
            target = aliases.get(event.supersedes, event.supersedes)
            if target in facts.versions:
                facts.versions[target] = (position, event.replacement)
            elif target not in facts.retracted:
                early[target] = (position, event.replacement)
            else:
                continue
            if event.replacement.id != target:
                aliases[event.replacement.id] = target
        elif isinstance(event, ReportRetracted):
            target = aliases.get(event.retracts, event.retracts)
            facts.versions.pop(target, None)
            early.pop(target, None)
            facts.retracted.setdefault(target, position)
        elif isinstance(event, ReportsLinked):
            ids = frozenset(aliases.get(i, i) for i in event.reports)
            if event.linked:
                facts.links.add(ids)
            else:
                facts.links = {link for link in facts.links if not link <= ids}
    return facts


def _not_in_force(
    facts: LogFacts, report_id: uuid.UUID, where: str, **context: object
) -> Violation | None:
    if report_id in facts.versions:
        return None
    if report_id in facts.retracted:
        kind = ViolationKind.RETRACTED_COUNTED
        why = f"was retracted at position {facts.retracted[report_id]}"
    else:
        kind = ViolationKind.UNKNOWN_REPORT
        why = "is not in the log up to this position"
    return Violation(
        kind,
        f"{where} rests on report {report_id}, which {why}",
        str(context.pop("projection")),
        event_ids=(report_id,),
        **context,  # type: ignore[arg-type]
    )


def _version_check(facts: LogFacts, op: Operation) -> list[Violation]:
    found = []
    for ref in op.reports:
        if ref.id not in facts.versions:
            continue
        position, report = facts.versions[ref.id]
        people: People = report.people  # type: ignore[attr-defined]
        if (ref.position, ref.people) != (position, people):
            found.append(
                Violation(
                    ViolationKind.SUPERSEDED_COUNTED,
                    f"{op.label} counts report {ref.id} as recorded at position "
                    f"{ref.position}, but its version in force was recorded at position "
                    f"{position}",
                    "operations",
                    country=op.country,
                    operation=op.label,
                    event_ids=(ref.id,),
                )
            )
    return found


def check_reports_in_force(snapshot: Snapshot) -> list[Violation]:
    """Check that only reports in force (in their latest version) count, each once, grouped
    into operations exactly as shared operation keys and the links in force say."""
    store = snapshot.ledger.store
    facts = read_log((e.position, e.event) for e in store.read(0, upto=snapshot.position))
    found: list[Violation] = []
    operations: tuple[Operation, ...] | None = snapshot.get("operations")
    seen: dict[uuid.UUID, Operation] = {}
    for op in operations or ():
        for ref in op.reports:
            context = {"projection": "operations", "country": op.country, "operation": op.label}
            problem = _not_in_force(facts, ref.id, op.label, **context)
            if problem is not None:
                found.append(problem)
            if ref.id in seen:
                found.append(
                    Violation(
                        ViolationKind.REPORT_COUNTED_TWICE,
                        f"report {ref.id} counts in both {seen[ref.id].label} and {op.label}",
                        "operations",
                        country=op.country,
                        operation=op.label,
                        event_ids=(ref.id, seen[ref.id].id, op.id),
                    )
                )
            seen[ref.id] = op
        found += _version_check(facts, op)
    if operations is not None:
        found += _grouping(facts, operations)
    for row in snapshot.get("remaining") or ():
        if row.baseline_id is not None:
            context = {"projection": "remaining", "country": row.country, "place": row.place}
            where = f"the remaining estimate of {row.place or row.country}"
            problem = _not_in_force(facts, row.baseline_id, where, **context)
            if problem is not None:
                found.append(problem)
    for claim in snapshot.get("reconciliation") or ():
        context = {"projection": "reconciliation", "country": claim.country}
        problem = _not_in_force(facts, claim.claim_id, f"a claim for {claim.country}", **context)
        if problem is not None:
            found.append(problem)
    return found


def _reports(count: int) -> str:
    return f"{count} report" if count == 1 else f"{count} reports"


def _grouping(facts: LogFacts, operations: tuple[Operation, ...]) -> list[Violation]:
    group_of = {i: group for group in facts.groups() for i in group}
    found = []
    for op in operations:
        ids = frozenset(ref.id for ref in op.reports)
        groups = {group_of[i] for i in ids if i in group_of}
        if not groups or (len(groups) == 1 and ids == next(iter(groups))):
            # No group at all: reports not in force, which the checks above name.
            continue
        if len(groups) > 1:
            message = (
                f"{op.label} merges {len(groups)} groups of reports that neither a shared "
                "operation key nor a link in force holds together"
            )
            apart: list[uuid.UUID] = []
        else:
            expected = frozenset().union(*groups)
            apart = sorted(expected - ids)
            message = (
                f"{op.label} holds {_reports(len(ids))}; {len(apart)} more share its key or "
                "a link in force and are not in it (they count as an operation of their own)"
            )
        found.append(
            Violation(
                ViolationKind.GROUPING_DIFFERS,
                message,
                "operations",
                country=op.country,
                operation=op.label,
                event_ids=tuple(sorted(ids)) + tuple(apart),
            )
        )
    return found
