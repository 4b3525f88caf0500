"""Checkpoints: the knowledge state saved beside the log, so a cold start need not replay it.

A checkpoint is a cache, never part of the log. It is written with ``pickle`` and trusted only
after three checks: its format version, its position (not past the log's head), and the hash
of the record at that position, which must match the log's. One that cannot be read (torn, of
an older layout) means "fold from zero". One the log does not bear out is evidence, and the
ledger refuses to go on (see ``Ledger._checkpoint``): past the head, records were lost
(``LostRecordsError``); at a record with another hash, the log was changed.

Ledger files are passed between people, so the bytes of a checkpoint are never trusted to be
ours: they are read by an unpickler that builds builtin values and the few plain-data classes
of :data:`ALLOWED` and nothing else. A pickle naming anything else (``os.system``, a class
with a ``__reduce__``) is refused before that object exists, with a warning, and the state is
folded from the log instead; so no bytes in a ledger file can make the library run code. The
hash chain does not cover a checkpoint's content, though: ``Ledger.verify`` folds the log from
zero and compares (see :func:`differences`).

Loading speed is the point of a checkpoint, so the many small records of the state (one per
report, operation and flow) are written column by column as plain tuples, which unpickle
several times faster than named tuples, and rebuilt in bulk.
"""

from __future__ import annotations

import copyreg
import gc
import io
import pickle
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Final, TypeVar, cast

from ..errors import RepateventsWarning
from ._aggregates import CountryAgg, Flow, OpView, StockAgg
from ._compact import ClaimRec, FlowRec, OpRec, Rec, SourceRec, StockRec, When
from ._figures import Sum
from ._state import KnowledgeState

__all__ = [
    "ALLOWED",
    "CHECKPOINT_NAME",
    "FORMAT",
    "SUMMARY_NAME",
    "differences",
    "dumps_state",
    "dumps_summary",
    "loads_state",
    "loads_summary",
]

#: The name checkpoints are stored under.
CHECKPOINT_NAME = "projections"
#: The name of the summary saved beside each checkpoint: only what the default totals, time
#: series and remaining estimates and the sources of every report in force read, so a cold start
#: answers them (and an export's metadata) without loading every report.
SUMMARY_NAME = "projections-summary"
_SUMMARY = (
    "position",
    "head_hash",
    "times",
    "positions",
    "countries",
    "stocks",
    "stock_index",
    "statuses",
    # The sources table and an export's list of sources, for every report in force.
    "sources",
    "source_reports",
)
#: The version of the checkpoint's layout; bump it whenever the knowledge state changes shape
#: or the figures its kept views hold are computed by another rule (6: a report's parts bound
#: its own total; 7: camp statuses; 8: ordinal scopes; 9: an operation whose reports name
#: different sites comes from their set, so the flow sums kept per camp change; 10: the flows
#: kept are the reported ones, an operation's being its view's; 11: the reports in force per
#: source, in the summary too; 12: a smaller state: flows by place in sorted lists, group_of
#: without what _group finds, operation records and views with shared tuples of the values
#: that recur together, derived keys as digests; 13: each country's total per month, for the
#: time series), so that old checkpoints are folded again.
FORMAT = 13

T = TypeVar("T", bound=tuple[Any, ...])
# (record class, indices of its When fields, indices of its Figs fields); optional When fields
# (a claim's ``since``) are kept as ``None`` or a date index like the others.
_LAYOUTS: tuple[tuple[type[Any], tuple[int, ...], tuple[int, ...]], ...] = (
    (OpRec, (4, 4), (5,)),
    (ClaimRec, (6, 7), (5,)),
    (StockRec, (4, 4), (5,)),
    (FlowRec, (5, 5), (6,)),
    (OpView, (2, 2), (3,)),
    (Flow, (3, 3), ()),
)
#: The layouts of the report records (the rest are of kept views and flows).
_REPORT_LAYOUTS = _LAYOUTS[:4]
_BULK = ("reports", "early", "views", "flows", "stocks", "group_of")

#: The only classes a checkpoint may name, by (module, name): the plain-data classes a state
#: holds besides builtin values. Building one runs no code of the file's choosing (a named
#: tuple's ``__new__``, a ``__setstate__`` that assigns slots).
ALLOWED: Final[dict[tuple[str, str], type[Any]]] = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (CountryAgg, StockAgg, Sum, SourceRec, StockRec, When)
}
# The records' module was projections._records before format 10: a checkpoint saved then names
# the same classes there. They are read, so that it is found outdated and folded again quietly,
# not reported as naming something no checkpoint holds.
ALLOWED.update(
    {
        ("repatevents.projections._records", cls.__qualname__): cls
        for cls in (SourceRec, StockRec, When)
    }
)


class _Refused(pickle.UnpicklingError):
    """A checkpoint named something a checkpoint never holds."""


class _Unpickler(pickle.Unpickler):
    """Build builtin values and :data:`ALLOWED` classes; refuse every other global."""

    def find_class(self, module: str, name: str) -> Any:
        found = ALLOWED.get((module, name))
        if found is None:
            raise _Refused(f"{module}.{name}")
        return found


def _unpickle(data: bytes) -> Any:
    """Return the value in checkpoint bytes, built only from what :data:`ALLOWED` permits.

    Raises:
        _Refused: the bytes name a global that is not allowed.
        Exception: whatever else a torn or foreign pickle makes the unpickler raise.
    """
    # An extension code (the EXT opcodes) is resolved through copyreg's cache, which skips
    # find_class for a code some other unpickler has looked up: none may name anything else.
    for module, name in list(copyreg._extension_registry):  # type: ignore[attr-defined]
        if (module, name) not in ALLOWED:
            raise _Refused(f"{module}.{name} (registered as a pickle extension code)")
    return _Unpickler(io.BytesIO(data)).load()


def _warn_refused(name: str, refused: _Refused) -> None:
    warnings.warn(
        f"the checkpoint {name!r} names {refused}, which no checkpoint holds (it would run "
        "code): it was not loaded, the state is folded from the log, and the next checkpoint "
        "saved replaces it",
        RepateventsWarning,
        stacklevel=4,
    )


class _Table:
    """Equal values stored once: columns hold indices into it (dates and groups repeat)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}

    def ref(self, value: Any) -> int | None:
        if value is None:
            return None
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.index)
        return found

    def values(self) -> list[Any]:
        return list(self.index)


def _columns(
    rows: Sequence[tuple[Any, ...]],
    fields: tuple[tuple[int, ...], tuple[int, ...]],
    tables: tuple[_Table, _Table],
) -> list[Any]:
    if not rows:
        return []
    columns: list[Any] = [list(c) for c in zip(*rows, strict=True)]
    for table, indices in zip(tables, fields, strict=True):
        for i in set(indices):
            columns[i] = [table.ref(v) for v in columns[i]]
    return columns


def _rows(
    cls: type[T],
    columns: list[Any],
    fields: tuple[tuple[int, ...], tuple[int, ...]],
    tables: tuple[list[Any], list[Any]],
) -> Iterable[T]:
    if not columns:
        return []
    for table, indices in zip(tables, fields, strict=True):
        for i in set(indices):
            get = table.__getitem__
            column = columns[i]
            columns[i] = (
                map(get, column)
                if None not in column
                else [None if v is None else get(v) for v in column]
            )
    return map(cls._make, zip(*columns, strict=True))  # type: ignore[attr-defined]


def _flatten(state: KnowledgeState) -> dict[str, Any]:
    flat = {name: getattr(state, name) for name in state.__slots__ if name not in _BULK}
    by_type: dict[type[Any], list[tuple[Any, ...]]] = {cls: [] for cls, _, _ in _LAYOUTS}
    for rec in state.reports.values():
        by_type[type(rec)].append(rec)
    by_type[OpView] = list(state.views.values())
    flow_ids = list(state.flows)
    by_type[Flow] = [state.flows[f] for f in flow_ids]
    tables = (_Table(), _Table())
    flat["columns"] = [_columns(by_type[cls], (d, f), tables) for cls, d, f in _LAYOUTS]
    early: dict[type[Any], list[tuple[Any, ...]]] = {cls: [] for cls, _, _ in _REPORT_LAYOUTS}
    for rec in state.early.values():
        early[type(rec)].append(rec)
    flat["early"] = [_columns(early[cls], (d, f), tables) for cls, d, f in _REPORT_LAYOUTS]
    flat["dates"] = [tuple(w) for w in tables[0].values()]
    flat["figs"] = tables[1].values()
    flat["flow_ids"] = flow_ids
    flat["stocks"] = {
        key: ({i: fig for i, (_, fig) in agg.entries.items()}, agg.baseline, agg.flows)
        for key, agg in state.stocks.items()
    }
    return flat


def _inflate(flat: dict[str, Any]) -> KnowledgeState:
    state = KnowledgeState()
    tables = (list(map(When._make, flat.pop("dates"))), flat.pop("figs"))
    built = [
        list(_rows(cls, cols, (d, f), tables))
        for (cls, d, f), cols in zip(_LAYOUTS, flat.pop("columns"), strict=True)
    ]
    reports: dict[int, Rec] = {}
    for records in built[: len(_REPORT_LAYOUTS)]:
        reports.update(zip([r.id for r in records], records, strict=True))
    state.reports = reports
    early = (
        _rows(cls, cols, (d, f), tables)
        for (cls, d, f), cols in zip(_REPORT_LAYOUTS, flat.pop("early"), strict=True)
    )
    state.early = {rec.id: rec for records in early for rec in records}
    state.views = dict(zip([v.gid for v in built[4]], built[4], strict=True))
    state.flows = dict(zip(flat.pop("flow_ids"), built[5], strict=True))
    stocks: dict[Any, StockAgg] = {}
    for key, (entries, baseline, flows) in flat.pop("stocks").items():
        agg = StockAgg()
        agg.entries = {i: (cast(StockRec, reports[i]), fig) for i, fig in entries.items()}
        agg.baseline = baseline
        agg.flows = flows
        stocks[key] = agg
    state.stocks = stocks
    # Every report's operation, from the operations' reports: cheaper than storing both. An
    # operation of one key holds that key's tuple (the same object once unpickled), and
    # group_of leaves out its reports and every operation's own id, as the fold does.
    by_key = flat["by_key"]
    state.group_of = {
        m: gid
        for gid, members in flat["members"].items()
        if members is not by_key.get(cast(OpRec, reports[gid]).key)
        for m in members
        if m != gid
    }
    for name, value in flat.items():
        setattr(state, name, value)
    return state


def dumps_state(state: KnowledgeState) -> bytes:
    """Return the checkpoint bytes of a state."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.dumps((FORMAT, state.position, state.head_hash, _flatten(state)), protocol=5)
    finally:
        if enabled:
            gc.enable()


def dumps_summary(state: KnowledgeState) -> bytes:
    """Return the summary bytes of a state (see :data:`SUMMARY_NAME`)."""
    fields = {name: getattr(state, name) for name in _SUMMARY}
    return pickle.dumps((FORMAT, state.position, state.head_hash, fields), protocol=5)


def loads_summary(data: bytes, position: int) -> KnowledgeState | None:
    """Return a state holding only the summary's fields, or ``None`` when it is not trusted.

    Such a state answers the default totals and remaining estimates and nothing else; the
    ledger never folds into it.

    Warns:
        RepateventsWarning: the bytes name a class that is not allowed (``None``).
    """
    try:
        version, saved_position, _, fields = _unpickle(data)
        if version != FORMAT or saved_position != position or set(fields) != set(_SUMMARY):
            return None
        state = KnowledgeState()
        for name, value in fields.items():
            setattr(state, name, value)
    except _Refused as refused:
        _warn_refused(SUMMARY_NAME, refused)
        return None
    except Exception:  # a torn, foreign or outdated cache is ignored, whatever broke
        return None
    return state if state.position == position else None


def differences(saved: KnowledgeState, state: KnowledgeState, *, summary: bool) -> list[str]:
    """Return the fields in which a loaded checkpoint differs from a state folded from the log.

    Args:
        saved: what :func:`loads_state` (or, with ``summary``, :func:`loads_summary`) gave.
        state: the log folded from zero to the same position.
        summary: compare only the summary's fields.
    """
    names = _SUMMARY if summary else tuple(n for n in state.__slots__ if n != "last_flow_day")
    found = [name for name in names if _differ(getattr(saved, name), getattr(state, name))]
    # A high-water mark: one folded in parts saw every flow a fold from zero sees, and maybe
    # more, never fewer (lower, it would hide flows from a new baseline).
    if not summary:
        day = saved.last_flow_day
        if type(day) is not int or day < state.last_flow_day:
            found.append("last_flow_day")
    return found


def _differ(saved: Any, folded: Any) -> bool:
    try:
        return bool(saved != folded)
    except Exception:  # a value of the wrong shape (an object missing its fields) differs
        return True


def loads_state(data: bytes, position: int) -> KnowledgeState | None:
    """Return the state in checkpoint bytes, or ``None`` when they cannot be trusted.

    Args:
        data: the checkpoint bytes.
        position: the position the store says the checkpoint is at.

    Warns:
        RepateventsWarning: the bytes name a class that is not allowed (``None``).
    """
    # Millions of new objects would set the cyclic collector off again and again, for nothing:
    # none of them is garbage yet. Collection resumes afterwards.
    enabled = gc.isenabled()
    gc.disable()
    try:
        version, saved_position, _, flat = _unpickle(data)
        if version != FORMAT or saved_position != position:
            return None
        state = _inflate(flat)
    except _Refused as refused:
        _warn_refused(CHECKPOINT_NAME, refused)
        return None
    except Exception:  # a torn, foreign or outdated cache is rebuilt, whatever broke
        return None
    finally:
        if enabled:
            gc.enable()
    return state if state.position == position else None
