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
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..events import DateRole, lookup_place
from ._compact import Figs, OpRec, When, derived, to_fuzzy
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


def _join(items: Sequence[str | None]) -> str | None:
    if len(items) == 1:
        # Most list cells hold one item: nothing to keep apart or join.
        return items[0] or None
    kept = dict.fromkeys(filter(None, items))
    return "; ".join(kept) if kept else None


def _label(keys: list[str]) -> str:
    """Return an operation's label: its reports' keys, once each, sorted, joined by +."""
    # The reports of an operation mostly share one key: sorting is for when they do not.
    first = keys[0]
    if all(key == first for key in keys):
        return first
    return "+".join(sorted(set(keys)))


@lru_cache(maxsize=65536)
def _people_cells(figs: Figs, basis: str) -> tuple[Any, ...]:
    """Return the low, best and high cells of each category, then the total's basis and the
    people-per-family range it was converted with."""
    cells: list[Any] = []
    for fig in figs:
        cells += _NO_FIGURE if fig is None else fig[:3]
    families = basis == BASIS_FAMILIES
    return (*cells, basis, 3.6 if families else None, 3.9 if families else None)


def operation_rows(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> list[tuple[Any, ...]]:
    """Return the operations table's rows: every operation that had surely happened by
    ``as_of``, by country and date, in the columns of the operations table."""
    reports, members, sources, corrected = (
        state.reports,
        state.members,
        state.sources,
        state.corrected,
    )
    adjudications = state.adjudications
    body: list[tuple[Any, ...]] = []
    for view in sorted(operation_views(state, as_of, policy), key=sort_key):
        gid = view.gid
        group = members[gid]
        adjudicated = None
        # Few operations are adjudicated: most skip the look-up through their members.
        if adjudications and not adjudications.keys().isdisjoint(group):
            adjudication = state.adjudication(gid)
            if adjudication is not None and adjudication[1][0] is not None:
                adjudicated = adjudication[1][0][1]
        # One pass over the reports gathers every list cell (most operations have one to
        # three reports: a comprehension per cell would cost more than its items).
        keys: list[str] = []
        roles: list[str | None] = []
        role_dates: list[str] = []
        facilitators: list[str] = []
        names: list[str | None] = []
        publishers: list[str] = []
        urls: list[str | None] = []
        outlets: set[str] = set()
        corrections = 0
        for member in group:
            report = reports[member]
            # Only operation reports are grouped into operations.
            assert isinstance(report, OpRec)
            source = sources[report.source]
            key = report.key
            if key is not None and not derived(key):
                keys.append(key)
            roles.append(report.role)
            role_dates.append(_role_date(report.role, report.date))
            facilitators += report.facilitators
            names.append(report.name)
            publishers.append(source.publisher)
            urls.append(source.url)
            outlets.add(source.origin_outlet)
            corrections += report.id in corrected
        body.append(
            (
                _label(keys) if keys else f"op-{gid:032x}"[:11],
                _id_text(gid),
                view.country,
                _country_name(view.country),
                view.nationality,
                view.origin,
                *_origin_cells(view.origin),
                *_date_cells(view.date),
                *_people_cells(view.figs, view.basis),
                len(group),
                len(outlets),
                corrections,
                _join(roles),
                _join(role_dates),
                _join(facilitators),
                _join(names),
                adjudicated,
                _join(publishers),
                _join(urls),
            )
        )
    return body
