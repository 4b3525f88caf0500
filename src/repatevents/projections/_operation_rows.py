"""The operations table's rows, made straight from the knowledge state.

The operations projection builds public values (an ``Operation`` with a ``ReportRef`` per
report, each with validated estimates, dates and ids) that the table would only take apart into
cells again: three trips for one figure. The table's cells come from the compact records
instead, with the same values as ``_to_tables.operation_cells`` gives from the public
operations (a property test compares them): ids as text, dates through a cache (a ledger
repeats a few thousand dates), figures as they are kept.

Cost: O(reports), with no value built per report.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..events import DateRole, lookup_place
from ._compact import OpRec, When, derived, to_fuzzy
from ._figures import BASIS_FAMILIES
from ._operations import operation_views, sort_key
from ._policy import Policy
from ._state import KnowledgeState
from ._totals import country_name

__all__ = ["operation_rows"]

_NO_FIGURE = (None, None, None)


@lru_cache(maxsize=8192)
def _date_cells(when: When) -> tuple[dt.date | None, dt.date | None, str, str]:
    """Return an operation date's cells: start, end, EDTF text and precision."""
    date = to_fuzzy(when, effective=True)
    return date.earliest, date.latest, date.to_text(), date.precision.value


@lru_cache(maxsize=8192)
def _role_date(role: str | None, when: When) -> str:
    """Return a report's date with what it marks, as the role_dates cell lists it."""
    return f"{role or DateRole.UNKNOWN.value} {to_fuzzy(when).to_text()}"


@lru_cache(maxsize=4096)
def _origin_cells(place: str) -> tuple[str | None, str, float | None, float | None]:
    """Return a place's cells: name, origin scope, latitude and longitude."""
    found = lookup_place(place)
    return found.name, found.origin.value, found.lat, found.lon


@lru_cache(maxsize=1024)
def _country_name(code: str) -> str:
    return country_name(code)


def _id_text(rid: int) -> str:
    """Return a record id as the text of its UUID (``str(uuid.UUID(int=rid))``)."""
    h = f"{rid:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _join(items: list[str]) -> str | None:
    kept = [i for i in dict.fromkeys(items) if i]
    return "; ".join(kept) if kept else None


def operation_rows(state: KnowledgeState, as_of: int | None, policy: Policy) -> list[list[Any]]:
    """Return the operations table's rows: every operation that had surely happened by
    ``as_of``, by country and date, in the columns of the operations table."""
    reports, members, sources, corrected = (
        state.reports,
        state.members,
        state.sources,
        state.corrected,
    )
    body: list[list[Any]] = []
    for view in sorted(operation_views(state, as_of, policy), key=sort_key):
        ops = [r for r in (reports[m] for m in members[view.gid]) if isinstance(r, OpRec)]
        keys = sorted({r.key for r in ops if r.key is not None and not derived(r.key)})
        label = "+".join(keys) if keys else f"op-{view.gid:032x}"[:11]
        name, scope, lat, lon = _origin_cells(view.origin)
        start, end, text, precision = _date_cells(view.date)
        people: list[int | None] = []
        for fig in view.figs:
            people += _NO_FIGURE if fig is None else (fig[0], fig[1], fig[2])
        families = view.basis == BASIS_FAMILIES
        adjudication = state.adjudication(view.gid)
        adjudicated = None if adjudication is None else adjudication[1][0]
        op_sources = [sources[r.source] for r in ops]
        body.append(
            [
                label,
                _id_text(view.gid),
                view.country,
                _country_name(view.country),
                view.nationality,
                view.origin,
                name,
                scope,
                lat,
                lon,
                start,
                end,
                text,
                precision,
                *people,
                view.basis,
                3.6 if families else None,
                3.9 if families else None,
                len(ops),
                len({s.origin_outlet for s in op_sources}),
                sum(r.id in corrected for r in ops),
                _join([r.role for r in ops]),
                _join([_role_date(r.role, r.date) for r in ops]),
                _join([f for r in ops for f in r.facilitators]),
                _join([r.name for r in ops if r.name is not None]),
                None if adjudicated is None else adjudicated[1],
                _join([s.publisher for s in op_sources]),
                _join([s.url for s in op_sources if s.url is not None]),
            ]
        )
    return body
