"""The operations table's rows, made straight from the knowledge state.

The operations projection builds public values (an ``Operation`` with a ``ReportRef`` per
report, each with validated estimates, dates and ids) that the table would only take apart into
cells again: three trips for one figure. The table's cells come from the compact records
instead, with the same values as ``_to_tables.operation_cells`` gives from the public
operations (a property test compares them): ids as text, figures as they are kept.

A ledger repeats its places, dates, figures, sources and date roles: the cells of each are made
once per call and kept in dictionaries that live as long as the call (nothing is added to the
state). Dates and figures are looked up by identity, which the state shares between the records
that hold equal ones: hashing a date or ten figures again for every row would cost more than
the rest of the row. A row is then one tuple of ready cells.

Cost: O(reports), with no value built per report or per cell.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, cast

from ..events import DateRole, lookup_place
from ._aggregates import OpView
from ._compact import DERIVED_KEY, Figs, OpRec, When, to_fuzzy
from ._figures import BASIS_FAMILIES
from ._operations import operation_views
from ._policy import Policy
from ._state import KnowledgeState
from ._totals import country_name

__all__ = ["operation_rows"]

_NO_FIGURE = (None, None, None)
# Days (ordinals up to date.max's, 3,652,059) and ids (UUIDs) in the sort key.
_DAY_BITS, _ID_BITS = 22, 128
_UNKNOWN_ROLE = DateRole.UNKNOWN.value


@lru_cache(maxsize=1024)
def _country_name(code: str) -> str:
    return country_name(code)


@lru_cache(maxsize=4096)
def _origin_cells(place: str) -> tuple[str | None, str, float | None, float | None]:
    """Return a place's cells: name, origin scope, latitude and longitude."""
    found = lookup_place(place)
    return found.name, found.origin.value, found.lat, found.lon


def _place_cells(key: tuple[str, str | None, str]) -> tuple[Any, ...]:
    """Return the cells from the country to the longitude: country code and name,
    nationality, origin id, name and scope, latitude and longitude."""
    country, nationality, origin = key
    return (country, _country_name(country), nationality, origin, *_origin_cells(origin))


@lru_cache(maxsize=8192)
def _date_cells(when: When) -> tuple[dt.date | None, dt.date | None, str, str]:
    """Return an operation date's cells: start, end, EDTF text and precision."""
    date = to_fuzzy(when, effective=True)
    return date.earliest, date.latest, date.to_text(), date.precision.value


@lru_cache(maxsize=8192)
def _date_text(when: When) -> str:
    """Return a report's date as EDTF text."""
    return to_fuzzy(when).to_text()


@lru_cache(maxsize=65536)
def _figure_cells(figs: Figs) -> tuple[int | None, ...]:
    """Return the low, best and high cells of each category."""
    cells: list[int | None] = []
    for fig in figs:
        cells += _NO_FIGURE if fig is None else fig[:3]
    return tuple(cells)


def _basis_cells(basis: str) -> tuple[str, float | None, float | None]:
    """Return the total's basis and the people-per-family range it was converted with."""
    families = basis == BASIS_FAMILIES
    return basis, 3.6 if families else None, 3.9 if families else None


def _join(items: Iterable[str | None]) -> str | None:
    """Return a list cell: its items, once each and in order, joined by ``; ``; ``None`` when
    there are none."""
    kept = dict.fromkeys(filter(None, items))
    return "; ".join(kept) if kept else None


def _list_cells(
    signature: tuple[str | int, ...], sources: Sequence[tuple[str | None, str | None, str]]
) -> tuple[int, str | None, str | None, str | None]:
    """Return the independent sources, date roles, publishers and addresses of an operation
    whose reports have the ``signature`` (each one's role, then its source's index)."""
    roles = cast(tuple[str, ...], signature[0::2])
    cited = [sources[cast(int, i)] for i in signature[1::2]]
    return (
        len({outlet for _, _, outlet in cited}),
        _join(roles),
        _join([publisher for publisher, _, _ in cited]),
        _join([url for _, url, _ in cited]),
    )


def _label(keys: list[str]) -> str:
    """Return an operation's label: its reports' keys, once each, sorted, joined by ``+``."""
    # The reports of an operation mostly share one key: sorting is for when they do not.
    first = keys[0]
    if all(key == first for key in keys):
        return first
    return "+".join(sorted(set(keys)))


def _adjudicated(state: KnowledgeState, gid: int) -> int | None:
    """Return the best total an adjudication of operation ``gid`` settled on, if any."""
    adjudication = state.adjudication(gid)
    if adjudication is None or adjudication[1][0] is None:
        return None
    return adjudication[1][0][1]


def _in_order(views: Iterable[OpView]) -> list[OpView]:
    """Return ``views`` in the order of ``_operations.sort_key``: by country, latest day,
    earliest day, then id.

    The four are packed into one integer per view, which sorts in a third less time than
    tuples (a property test compares the rows with the operations in ``sort_key`` order).
    """
    chosen = list(views)
    rank = {code: i for i, code in enumerate(sorted({view.country for view in chosen}))}
    last = dt.date.max.toordinal()

    def key(view: OpView) -> int:
        date = view.date
        end = last if date.latest is None else date.latest
        start = 0 if date.earliest is None else date.earliest
        return ((rank[view.country] << _DAY_BITS | end) << _DAY_BITS | start) << _ID_BITS | view.gid

    return sorted(chosen, key=key)


def operation_rows(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> list[tuple[Any, ...]]:
    """Return the operations table's rows: every operation that had surely happened by
    ``as_of``, by country and date, in the columns of the operations table."""
    # Only operation reports are grouped into operations.
    reports = cast(dict[int, OpRec], state.reports)
    members, corrected = state.members, state.corrected.keys()
    adjudicated = state.adjudications.keys()
    # What a source gives a row: publisher and address (empty text is not reported), outlet.
    sources = [(s.publisher or None, s.url or None, s.origin_outlet) for s in state.sources]
    # Cells by the identity of what they were made from. ``held`` keeps every such value alive
    # for the call, so no other value can take its identity while the dictionaries hold it.
    held: list[Any] = []
    places: dict[tuple[str, str | None, str], tuple[Any, ...]] = {}
    dates: dict[int, tuple[Any, ...]] = {}
    figures: dict[tuple[int, str], tuple[Any, ...]] = {}
    role_dates: defaultdict[str, dict[int, str]] = defaultdict(dict)
    # By the roles and sources of an operation's reports, one after the other.
    lists: dict[tuple[str | int, ...], tuple[Any, ...]] = {}
    body: list[tuple[Any, ...]] = []
    append = body.append
    for view in _in_order(operation_views(state, as_of, policy)):
        gid = view.gid
        group = members[gid]
        key = (view.country, view.nationality, view.origin)
        place = places.get(key)
        if place is None:
            place = places[key] = _place_cells(key)
        when = view.date
        date = dates.get(id(when))
        if date is None:
            held.append(when)
            date = dates[id(when)] = _date_cells(when)
        figs = view.figs
        by = (id(figs), view.basis)
        people = figures.get(by)
        if people is None:
            held.append(figs)
            people = figures[by] = _figure_cells(figs) + _basis_cells(view.basis)
        # One pass over the reports gathers every list cell (most operations have one to
        # three reports).
        keys: list[str] = []
        cited: list[str | int] = []
        dated: list[str] = []
        facilitators: list[str] = []
        names: list[str] = []
        for member in group:
            report = reports[member]
            own = report.key
            if own is not None and not own.startswith(DERIVED_KEY):
                keys.append(own)
            role, when = report.role, report.date
            cited += (role, report.source)
            texts = role_dates[role]
            text = texts.get(id(when))
            if text is None:
                held.append(when)
                text = texts[id(when)] = f"{role or _UNKNOWN_ROLE} {_date_text(when)}"
            dated.append(text)
            if report.facilitators:
                facilitators += report.facilitators
            if report.name:
                names.append(report.name)
        signature = tuple(cited)
        listed = lists.get(signature)
        if listed is None:
            listed = lists[signature] = _list_cells(signature, sources)
        h = f"{gid:032x}"
        append(
            (
                (keys[0] if keys.count(keys[0]) == len(keys) else _label(keys))
                if keys
                else f"op-{h[:8]}",
                f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}",
                *place,
                *date,
                *people,
                len(group),
                listed[0],
                # A group holds its reports' ids, which few corrections name.
                0 if corrected.isdisjoint(group) else sum(map(corrected.__contains__, group)),
                listed[1],
                # Never empty: each text holds its role.
                dated[0] if len(dated) == 1 else "; ".join(dict.fromkeys(dated)),
                _join(facilitators) if facilitators else None,
                _join(names) if names else None,
                None if adjudicated.isdisjoint(group) else _adjudicated(state, gid),
                listed[2],
                listed[3],
            )
        )
    return body
