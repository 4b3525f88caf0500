"""Rebuilding: the ledger's answers equal those of the log folded again from zero, and what it
says "known at" a position equals what a ledger holding only that much says."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ._snapshot import PROJECTIONS, Snapshot
from ._violations import Violation, ViolationKind

__all__ = ["check_known_at", "check_rebuild", "compare_snapshots"]

_KEYS: dict[str, Callable[[Any], Hashable]] = {
    "operations": lambda o: o.id,
    "totals": lambda t: t.country,
    "timeseries": lambda p: (p.country, p.granularity, p.period),
    "remaining": lambda r: (r.place, r.scope.value, r.country),
    "reconciliation": lambda c: c.claim_id,
    "quality": lambda f: (f.kind.value, f.event_ids, f.message),
    "sources": lambda s: (s.publisher, s.via, s.url, s.speaker_kind.value),
}


def _context(name: str, item: Any) -> dict[str, Any]:
    context: dict[str, Any] = {}
    country = getattr(item, "country", None)
    if isinstance(country, str):
        context["country"] = country
    if name == "operations":
        context["operation"] = item.label
        context["event_ids"] = tuple(r.id for r in item.reports)
    elif name == "timeseries":
        context["period"] = item.period
    elif name == "remaining":
        context["place"] = item.place
    elif name == "reconciliation":
        context["event_ids"] = (item.claim_id,)
    elif name == "quality":
        context["event_ids"] = tuple(i for i in item.event_ids if isinstance(i, uuid.UUID))
    return context


def compare_snapshots(
    kind: ViolationKind, checked: Snapshot, reference: Snapshot, what: str
) -> list[Violation]:
    """Return a violation of ``kind`` for every item one snapshot shows and the other does not
    show, or shows otherwise.

    Args:
        kind: the kind of the violations.
        checked: the ledger's own answers.
        reference: the answers to compare with.
        what: how the reference was made, for messages ("folded again from zero").
    """
    found: list[Violation] = []
    for name in PROJECTIONS:
        ours: Sequence[Any] | None = checked.get(name)
        theirs: Sequence[Any] | None = reference.get(name)
        if ours is None or theirs is None or ours == theirs:
            continue
        found += _differences(kind, name, ours, theirs, what)
    return found


def _differences(
    kind: ViolationKind, name: str, ours: Sequence[Any], theirs: Sequence[Any], what: str
) -> list[Violation]:
    key = _KEYS[name]
    mine = {key(item): item for item in ours}
    other = {key(item): item for item in theirs}
    found = []
    for k in sorted(set(mine) | set(other), key=repr):
        a, b = mine.get(k), other.get(k)
        if a == b:
            continue
        item = a if a is not None else b
        if a is None:
            message = f"{k!r} appears only when {what}"
        elif b is None:
            message = f"{k!r} disappears when {what}"
        else:
            changed = [f for f in _fields(a) if getattr(a, f) != getattr(b, f)]
            message = f"{k!r} changes when {what} ({', '.join(changed)})"
        found.append(Violation(kind, message, name, **_context(name, item)))
    if not found:
        # The same items in another order (or repeated): the order is part of the answer.
        found.append(Violation(kind, f"the order of the items changes when {what}", name))
    return found


def _fields(item: Any) -> list[str]:
    import attrs

    return [a.name for a in attrs.fields(type(item))]


def _same_kind(ledger: Any, store: Any) -> Any:
    """A façade of the ledger's own class over ``store``, without checkpoints.

    A subclass that changes how projections are answered is compared with itself: a rebuild
    checks the fold, not the subclass.
    """
    from .._ledger import Ledger

    try:
        return type(ledger)(store, checkpoints=False)
    except TypeError:
        return Ledger(store, checkpoints=False)


def _fresh_ledger(snapshot: Snapshot) -> Any:
    from ..store import MemoryStore

    ledger = _same_kind(snapshot.ledger, MemoryStore())
    events = [e.event for e in snapshot.ledger.store.read(0, upto=snapshot.position)]
    if events:
        ledger.record_many(events)
    return ledger


def check_rebuild(snapshot: Snapshot) -> list[Violation]:
    """Check that folding the ledger's log again from zero gives the same projections."""
    # A second façade over the same store, without checkpoints: it folds from position 0
    # and changes nothing in the store.
    rebuilt = _same_kind(snapshot.ledger, snapshot.ledger.store)
    reference = Snapshot(rebuilt, snapshot.as_of, snapshot.known_at, snapshot.policy)
    return compare_snapshots(
        ViolationKind.REBUILD_DIFFERS, snapshot, reference, "the log is folded again from zero"
    )


def check_known_at(snapshot: Snapshot) -> list[Violation]:
    """Check that the projections known at a position equal those of a new ledger holding only
    the events up to it (nothing to check when ``known_at`` is ``None``)."""
    if snapshot.known_at is None:
        return []
    prefix = _fresh_ledger(snapshot)
    reference = Snapshot(prefix, snapshot.as_of, None, snapshot.policy)
    what = f"only the first {snapshot.position} events are recorded"
    return compare_snapshots(ViolationKind.KNOWN_AT_DIFFERS, snapshot, reference, what)
