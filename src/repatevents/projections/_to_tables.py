"""Tables: every projection as typed, titled columns with an HXL tag each, for the exporters.

The tables carry aggregates and public sources only: no names of people, no speakers' names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .._tables import Column, ColumnType, Table, typed_table
from ..errors import FieldProblem, UnknownCountryError, ValidationError
from ..events import (
    Estimate,
    FuzzyDate,
    People,
    PopulationScope,
    Precision,
    lookup_country,
    lookup_place,
)
from ._compact import FIELDS
from ._policy import Policy
from ._reconcile import ClaimComparison
from ._results import (
    CountryTotal,
    Operation,
    QualityFinding,
    RemainingEstimate,
    SourceSummary,
    TimeseriesPoint,
)
from ._totals import country_name

__all__ = ["TABLE_NAMES", "build_table", "operation_cells", "table_names"]

#: The tables an export holds, in order.
TABLE_NAMES = (
    "operations",
    "totals",
    "nationality_totals",
    "timeseries",
    "remaining",
    "reconciliation",
    "quality",
    "sources",
)

T, INT, N, D, B = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.NUMBER,
    ColumnType.DATE,
    ColumnType.BOOLEAN,
)

_HXL = {
    "total": "#affected+total",
    "families": "#affected+hh",
    "adults": "#affected+adults",
    "women": "#affected+f+adults",
    "men": "#affected+m+adults",
    "children": "#affected+children",
    "girls": "#affected+children+f",
    "boys": "#affected+children+m",
    "orphans": "#affected+children+orphans",
    "unknown": "#affected+unknown",
}
_BOUNDS = ("low", "best", "high")
_SCOPE_RANK = {
    PopulationScope.ALL: 0,
    PopulationScope.NON_SYRIANS: 1,
    PopulationScope.FOREIGNERS: 2,
    PopulationScope.NATIONALS: 3,
}

Getter = Callable[[Any], Any]


def _col(
    name: str, title: str, kind: ColumnType, hxl: str, description: str = "", separator: str = ""
) -> Column:
    return Column(name, title, kind, hxl, description, separator)


def _range_columns(name: str, title: str, hxl: str, what: str) -> list[Column]:
    return [
        _col(
            f"{name}_{bound}",
            f"{title} ({bound})",
            INT,
            f"{hxl}+{bound}",
            f"{what}: the {bound} estimate; "
            + (
                "empty when there is no upper bound ('over 600') or nothing was reported."
                if bound == "high"
                else "empty when not reported (never zero)."
            ),
        )
        for bound in _BOUNDS
    ]


def _gap_columns() -> list[Column]:
    low, best, high = _range_columns(
        "gap", "Gap (ledger - claim)", "#affected+total+gap", "the gap"
    )
    # A claim with no upper bound ("over 600") leaves the gap with no lower bound.
    low = _col(
        low.name,
        low.title,
        INT,
        low.hxl,
        "the gap: the low estimate; empty when the claim has no upper bound ('over 600'): the "
        "gap then has no lower bound.",
    )
    return [low, best, high]


def _bounds(estimate: Estimate | None) -> list[int | None]:
    if estimate is None:
        return [None, None, None]
    return [estimate.low, estimate.best, estimate.high]


def _people_columns(what: str) -> list[Column]:
    columns: list[Column] = []
    for name in FIELDS:
        columns += _range_columns(name, name.capitalize(), _HXL[name], f"{name} {what}")
    return columns


def _people_cells(people: People | None) -> list[int | None]:
    cells: list[int | None] = []
    for name in FIELDS:
        cells += _bounds(None if people is None else people.category(name))
    return cells


def _place(place_id: str | None) -> tuple[str | None, float | None, float | None]:
    if place_id is None:
        return None, None, None
    place = lookup_place(place_id)
    return place.name, place.lat, place.lon


def _country_point(code: str | None) -> tuple[float | None, float | None]:
    if code is None:
        return None, None
    try:
        point = lookup_country(code).label_point
    except UnknownCountryError:
        return None, None
    return (None, None) if point is None else (point[1], point[0])


# A date open at one end ("../2024-05-10", "2021/..") has no day there: the cell stays empty
# rather than repeating the other end, which would claim a precision the report never gave.
def _start(date: FuzzyDate | None) -> dt.date | None:
    return None if date is None else date.earliest


def _end(date: FuzzyDate | None) -> dt.date | None:
    return None if date is None else date.latest


def _edge_text(date: FuzzyDate | None, end: bool) -> str:
    """Return one end of a window as EDTF text: the date itself when it is one day, month or
    year, else its first (or last) day; ``..`` when open there."""
    if date is None:
        return ".."
    if date.precision is not Precision.DAYS:
        return date.to_text()
    day = date.latest if end else date.earliest
    return ".." if day is None else day.isoformat()


LIST = "; "
"""How the items of a list cell are joined (``Column.separator``)."""


def _join(items: Iterable[str | None]) -> str | None:
    kept = [i for i in dict.fromkeys(items) if i]
    return LIST.join(kept) if kept else None


def _lat_lon() -> list[Column]:
    return [
        _col("lat", "Latitude", N, "#geo+lat", "Approximate public location (WGS 84)."),
        _col("lon", "Longitude", N, "#geo+lon", "Approximate public location (WGS 84)."),
    ]


def _country_columns() -> list[Column]:
    return [
        _col(
            "country", "Country code", T, "#country+code", "Receiving country, ISO 3166-1 alpha-3."
        ),
        _col("country_name", "Country", T, "#country+name"),
    ]


def _operation_columns() -> list[Column]:
    return [
        _col("operation", "Operation", T, "#activity+code", "The operation key, or op-<id>."),
        _col("operation_id", "Operation id", T, "#activity+id"),
        *_country_columns(),
        _col("nationality", "Nationality", T, "#country+code+nationality"),
        _col("origin", "From (place id)", T, "#loc+code"),
        _col("origin_name", "From", T, "#loc+name"),
        _col("origin_scope", "Origin scope", T, "#loc+scope", "syria, iraq or syria-or-iraq."),
        *_lat_lon(),
        _col("date_start", "Earliest date", D, "#date+start", "Empty: no earliest day given."),
        _col(
            "date_end",
            "Latest date",
            D,
            "#date+end",
            "The day by which it surely happened; empty: no latest day given.",
        ),
        _col("date_text", "Date", T, "#meta+date", "EDTF text, as precise as the sources."),
        _col("date_precision", "Date precision", T, "#meta+date+precision"),
        *_people_columns("across the operation's reports"),
        _col(
            "total_basis",
            "Total from",
            T,
            "#meta+basis",
            "reported, parts (raised to the sum of its parts), families or breakdown.",
        ),
        _col("people_per_family_low", "People per family (low)", N, "#meta+ratio+low"),
        _col("people_per_family_high", "People per family (high)", N, "#meta+ratio+high"),
        _col("reports", "Reports", INT, "#meta+count"),
        _col("independent_sources", "Independent sources", INT, "#meta+count+independent"),
        _col(
            "corrected_reports",
            "Corrected reports",
            INT,
            "#meta+count+corrected",
            "Reports a later correction replaced (the corrected figures are shown).",
        ),
        _col("date_roles", "Dates mark", T, "#meta+roles", "handover, arrival, …", separator=LIST),
        _col(
            "role_dates",
            "Dates by role",
            T,
            "#meta+date+roles",
            "Each report's date with what it marks (handover 2023-12-07; arrival 2023-12-09).",
            separator=LIST,
        ),
        _col("facilitators", "Facilitators", T, "#org+facilitator", separator=LIST),
        _col("names", "Operation name", T, "#activity+name", separator=LIST),
        _col("adjudicated_best", "Adjudicated total", INT, "#affected+total+adjudicated"),
        _col("sources", "Sources", T, "#meta+source", separator=LIST),
        _col("urls", "Addresses", T, "#meta+url", separator=LIST),
    ]


def operation_cells(rows: Sequence[Operation]) -> list[list[Any]]:
    """Return the operations table's rows made from the public operations.

    The plain reference for :func:`operation_rows`, which makes the same cells straight from
    the knowledge state (tests compare the two).
    """
    body: list[list[Any]] = []
    for op in rows:
        name, lat, lon = _place(op.origin)
        families = op.total_basis == "families"
        adjudicated = None if op.adjudicated is None else op.adjudicated.total
        body.append(
            [
                op.label,
                str(op.id),
                op.country,
                country_name(op.country),
                op.nationality,
                op.origin,
                name,
                op.origin_scope.value,
                lat,
                lon,
                _start(op.date),
                _end(op.date),
                op.date.to_text(),
                op.date.precision.value,
                *_people_cells(op.people),
                op.total_basis,
                3.6 if families else None,
                3.9 if families else None,
                len(op.reports),
                op.independent_sources,
                sum(r.corrected for r in op.reports),
                _join(r.date_role.value for r in op.reports if r.date_role is not None),
                _join(f"{role.value} {date.to_text()}" for role, date in op.role_dates),
                _join(op.facilitators),
                _join(op.names),
                None if adjudicated is None else adjudicated.best,
                _join(r.publisher for r in op.reports),
                _join(r.url for r in op.reports),
            ]
        )
    return body


def _operations(body: Sequence[tuple[Any, ...]], policy: Policy) -> Table:
    columns = _operation_columns()
    # The operations rows are the longest table; their builder's tests check every cell's type.
    return typed_table(
        "operations",
        "Operations",
        columns,
        body,
        "Reports grouped into operations, corrections and retractions applied; each figure "
        f"spans the reports (low, high) and 'best' follows the policy {policy.name!r}.",
    )


def _nationality_columns() -> list[Column]:
    return [
        _col(
            "nationality",
            "Nationality code",
            T,
            "#country+code+nationality",
            "The people's nationality, ISO 3166-1 alpha-3: a report's nationality where it "
            "differs from the receiving country, else that country.",
        ),
        _col("nationality_name", "Nationality", T, "#country+name+nationality"),
    ]


def _totals(rows: Sequence[CountryTotal], policy: Policy, by: str = "country") -> Table:
    origins = (
        ("from_syria", "From Syria", "#affected+total+syria", "from Syrian camps and prisons"),
        ("from_iraq", "From Iraq", "#affected+total+iraq", "from Iraq"),
        (
            "from_syria_or_iraq",
            "From Syria or Iraq",
            "#affected+total+syria_or_iraq",
            "from Syria or Iraq (the sources do not say which)",
        ),
        ("from_elsewhere", "From elsewhere", "#affected+total+elsewhere", "from elsewhere"),
    )
    by_nationality = by == "nationality"
    columns = [
        *(_nationality_columns() if by_nationality else _country_columns()),
        *_lat_lon(),
        _col("operations", "Operations", INT, "#activity+num"),
        *_people_columns("summed over the country's operations"),
    ]
    for name, title, hxl, what in origins:
        columns += _range_columns(name, title, hxl, f"people {what}")
    columns += [
        _col("first_date", "First operation", D, "#date+start"),
        _col("last_date", "Last operation", D, "#date+end"),
        _col(
            "converted_operations",
            "Operations with a derived total",
            INT,
            "#meta+count+converted",
            "Operations whose total was converted from families, added up from a breakdown or "
            "raised to the sum of its parts.",
        ),
        _col("people_per_family_low", "People per family (low)", N, "#meta+ratio+low"),
        _col("people_per_family_high", "People per family (high)", N, "#meta+ratio+high"),
        _col(
            "receiving_countries",
            "Receiving countries",
            T,
            "#country+code+receiving",
            separator=LIST,
        )
        if by_nationality
        else _col(
            "nationalities", "Other nationalities", T, "#country+code+nationality", separator=LIST
        ),
    ]
    body = []
    for row in rows:
        lat, lon = _country_point(row.country)
        ratio = row.people_per_family or (None, None)
        body.append(
            [
                row.country,
                row.name,
                lat,
                lon,
                row.operations,
                *_people_cells(row.people),
                *_bounds(row.from_syria),
                *_bounds(row.from_iraq),
                *_bounds(row.from_syria_or_iraq),
                *_bounds(row.from_elsewhere),
                row.first_date,
                row.last_date,
                row.converted_operations,
                ratio[0],
                ratio[1],
                _join(row.receiving_countries if by_nationality else row.nationalities),
            ]
        )
    if by_nationality:
        return Table(
            "nationality_totals",
            "Totals by nationality",
            columns,
            body,
            "Cumulative totals per nationality of the people (low / best / high, policy "
            f"{policy.name!r}): a report's nationality where it differs from the receiving "
            "country, else that country. Empty cells as in the totals table.",
        )
    return Table(
        "totals",
        "Totals by receiving country",
        columns,
        body,
        "Cumulative totals per receiving country (low / best / high, policy "
        f"{policy.name!r}); a category's high adds the room operations that do not report it "
        "leave for it. An empty high has no upper bound; other empty cells were not reported.",
    )


def _timeseries(rows: Sequence[TimeseriesPoint]) -> Table:
    columns = [
        *_country_columns(),
        _col("granularity", "Granularity", T, "#meta+granularity", "month or year."),
        _col("period", "Period", T, "#meta+period"),
        _col("period_start", "Period start", D, "#date+start"),
        _col("period_end", "Period end", D, "#date+end"),
        _col("operations", "Operations (cumulative)", INT, "#meta+count"),
        *_range_columns("cumulative", "Cumulative", "#affected+total+cumulative", "people"),
        *_range_columns("in_period", "In the period", "#affected+total+period", "people"),
    ]
    body = [
        [
            p.country,
            country_name(p.country),
            p.granularity,
            p.period,
            p.start,
            p.end,
            p.operations,
            *_bounds(p.cumulative),
            *_bounds(p.in_period),
        ]
        for p in rows
    ]
    return Table(
        "timeseries",
        "Cumulative totals by month and year",
        columns,
        body,
        "Operations count from the period their latest possible day falls in.",
    )


def _table_rows(rows: Sequence[RemainingEstimate]) -> list[RemainingEstimate]:
    """Choose one row per place (its broadest population) and one per country."""
    places: dict[str, RemainingEstimate] = {}
    countries: dict[str, tuple[tuple[int, int], RemainingEstimate]] = {}
    for row in rows:
        if row.scope is not PopulationScope.NATIONALS and row.place is not None:
            kept = places.get(row.place)
            if kept is None or _SCOPE_RANK[row.scope] < _SCOPE_RANK[kept.scope]:
                places[row.place] = row
        elif row.country is not None:
            from ._scope import specificity

            breadth = -1 if row.place is None else specificity(row.place)
            known = 0 if row.baseline_date is None else 1
            rank = (breadth, known)
            kept_country = countries.get(row.country)
            if kept_country is None or rank > kept_country[0]:
                countries[row.country] = (rank, row)
    return [places[p] for p in sorted(places)] + [countries[c][1] for c in sorted(countries)]


def _remaining(rows: Sequence[RemainingEstimate]) -> Table:
    columns = [
        _col("place", "Camp or place (id)", T, "#loc+code"),
        _col("place_name", "Camp or place", T, "#loc+name"),
        _col(
            "scope", "Who is counted", T, "#meta+scope", "all, foreigners, non-syrians, nationals."
        ),
        *_country_columns(),
        _col("counted_at", "Nationals counted at", T, "#loc+code+counted"),
        *_lat_lon(),
        _col(
            "baseline_date",
            "Baseline date",
            D,
            "#date+baseline",
            "Its latest possible day; empty: open-ended (see the baseline's text).",
        ),
        _col("baseline_text", "Baseline date (as given)", T, "#meta+date+baseline"),
        *_range_columns("baseline", "Baseline", "#population+baseline", "the observation"),
        _col("baseline_age_days", "Baseline age (days)", INT, "#meta+age"),
        *_range_columns("repatriated", "Repatriated since", "#affected+repatriated", "people"),
        *_range_columns("other_outflows", "Other outflows", "#affected+outflow", "people"),
        *_range_columns("inflows", "Inflows", "#affected+inflow", "people"),
        *_range_columns("remaining", "Remaining", "#population+remaining", "people"),
        _col("clamped", "Clamped at zero", B, "#status+clamped"),
        _col("other_flows_recorded", "Other flows recorded", B, "#meta+flows"),
        _col("later_date", "Next observation", D, "#date+later"),
        _col("later_best", "Next observation (best)", INT, "#population+later+best"),
        _col("residual", "Unexplained residual", INT, "#population+residual"),
        _col(
            "status",
            "Status",
            T,
            "#status",
            "estimated or unknown (unknown is never zero; zero only for a camp closed or emptied).",
        ),
        _col(
            "camp_status",
            "Camp status",
            T,
            "#status+camp",
            "The camp's latest recorded change: opened, closed, emptied or transferred.",
        ),
        _col(
            "camp_status_date",
            "Camp status date",
            T,
            "#meta+date+status",
            "EDTF text of when the status changed.",
        ),
        _col("camp_authority", "Transferred to", T, "#org+authority"),
        _col(
            "joint_place",
            "Counted together with (id)",
            T,
            "#loc+code+joint",
            "A set of sites holding this place that was counted as one (al-hol+roj).",
        ),
        *_range_columns(
            "joint_bound",
            "Bound from the joint count",
            "#population+joint",
            "what the joint count leaves for this place alone (never added to remaining)",
        ),
    ]
    body = []
    for row in _table_rows(rows):
        nationals = row.scope is PopulationScope.NATIONALS
        place_id = None if nationals else row.place
        name, lat, lon = _place(place_id)
        if nationals:
            lat, lon = _country_point(row.country)
        body.append(
            [
                place_id,
                name,
                row.scope.value,
                row.country,
                None if row.country is None else country_name(row.country),
                row.place if nationals else None,
                lat,
                lon,
                _end(row.baseline_date),
                None if row.baseline_date is None else row.baseline_date.to_text(),
                *_bounds(row.baseline),
                row.age_days,
                *_bounds(row.repatriated),
                *_bounds(row.other_outflows),
                *_bounds(row.inflows),
                *_bounds(row.remaining),
                row.clamped,
                row.other_flows_recorded,
                _end(row.later_date),
                None if row.later_observation is None else row.later_observation.best,
                row.residual,
                "unknown" if row.unknown else "estimated",
                row.camp_status,
                None if row.camp_status_date is None else row.camp_status_date.to_text(),
                row.camp_authority,
                row.joint_place,
                *_bounds(row.joint_bound),
            ]
        )
    return Table(
        "remaining",
        "Remaining in camps",
        columns,
        body,
        "Latest observation minus outflows plus inflows since, in interval arithmetic, never "
        "below zero; one row per place (its broadest population) and per country (its "
        "nationals). No observation means unknown, not zero.",
    )


def _reconciliation(comparisons: Sequence[ClaimComparison]) -> Table:
    columns = [
        _col("claim_id", "Claim id", T, "#meta+id"),
        *_country_columns(),
        _col("counter", "Counted by", T, "#org+counter"),
        _col("publisher", "Publisher", T, "#meta+source"),
        _col("url", "Address", T, "#meta+url"),
        _col("origin_scope", "Origin scope", T, "#loc+scope"),
        _col("window_start", "Window start", D, "#date+start", "Empty: from the beginning."),
        _col("window_end", "Window end", D, "#date+end", "Empty: open-ended."),
        _col("window_text", "Window", T, "#meta+date"),
        _col("claimed_text", "Claimed (as worded)", T, "#description+claimed"),
        *_range_columns("claimed", "Claimed", "#affected+total+claimed", "the claim"),
        *_range_columns("ledger", "Ledger", "#affected+total+ledger", "the ledger's sum"),
        _col("operations_sure", "Operations surely inside", INT, "#meta+count+sure"),
        _col("operations_possible", "Operations possibly inside", INT, "#meta+count+possible"),
        *_gap_columns(),
        _col("category", "Compared", T, "#meta+category", "total, or the one category claimed."),
        _col("status", "Status", T, "#status"),
        _col("explanation", "Explanation", T, "#description"),
    ]
    body = []
    for row, sure_count, possible_count in comparisons:
        body.append(
            [
                str(row.claim_id),
                row.country,
                None if row.country is None else country_name(row.country),
                row.counter,
                row.publisher,
                row.url,
                row.origin.value,
                _start(row.since),
                row.until.latest,
                f"{_edge_text(row.since, False)}/{_edge_text(row.until, True)}",
                row.claimed.raw or str(row.claimed),
                *_bounds(row.claimed),
                *_bounds(row.ledger),
                sure_count,
                possible_count,
                row.gap_low,
                row.gap_best,
                row.gap_high,
                row.category,
                row.status.value,
                row.explanation,
            ]
        )
    return Table(
        "reconciliation",
        "Cumulative claims against the ledger",
        columns,
        body,
        "Every cumulative claim beside the ledger's sum over the same window, origin scope and "
        "receiving country; operations of uncertain scope widen the ledger's range. An empty "
        "high has no upper bound, and an empty gap low no lower bound (the claim has no upper "
        "one); other empty cells were not reported.",
    )


def _quality(rows: Sequence[QualityFinding]) -> Table:
    columns = [
        _col("check", "Check", T, "#meta+check"),
        _col("country", "Country code", T, "#country+code"),
        _col("message", "Finding", T, "#description"),
        _col("events", "Reports involved", T, "#meta+id", separator=" "),
        _col("event_count", "Reports involved (count)", INT, "#meta+count"),
    ]
    body = [
        [f.kind.value, f.country, f.message, " ".join(map(str, f.event_ids)), len(f.event_ids)]
        for f in rows
    ]
    return Table("quality", "Data quality findings", columns, body)


def _sources(rows: Sequence[SourceSummary]) -> Table:
    columns = [
        _col("publisher", "Publisher", T, "#meta+source"),
        _col("via", "Via", T, "#meta+via", separator=LIST),
        _col("speaker_kind", "Kind of speaker", T, "#meta+speaker"),
        _col("url", "Address", T, "#meta+url"),
        _col("published", "Published", T, "#meta+date+published", "EDTF text."),
        _col("reports", "Reports", INT, "#meta+count"),
    ]
    body = [
        [
            s.publisher,
            _join(s.via),
            s.speaker_kind.value,
            s.url,
            None if s.published is None else s.published.to_text(),
            s.reports,
        ]
        for s in rows
    ]
    return Table("sources", "Sources", columns, body, "The sources of the reports in force.")


def build_table(name: str, rows: Sequence[Any], policy: Policy) -> Table:
    """Return the table ``name`` (one of :data:`TABLE_NAMES`) made of its projection's rows.

    Each table is built on its own, so a caller asks only for the tables it writes. The
    operations table takes its cells (``operation_rows``), and the reconciliation table
    ``comparisons`` rows (counts of operations, not their ids).
    """
    if name == "operations":
        return _operations(rows, policy)
    if name == "totals":
        return _totals(rows, policy)
    if name == "nationality_totals":
        return _totals(rows, policy, "nationality")
    return _PLAIN[name](rows)


_PLAIN: dict[str, Callable[[Sequence[Any]], Table]] = {
    "timeseries": _timeseries,
    "remaining": _remaining,
    "reconciliation": _reconciliation,
    "quality": _quality,
    "sources": _sources,
}


def table_names(names: Sequence[str] | None, field: str) -> tuple[str, ...]:
    """Return the tables chosen, in order, once each (all of them for ``None``).

    Args:
        names: the names a caller asked for.
        field: the caller's name for them, for the error.

    Raises:
        ValidationError: ``names`` is empty, or names a table there is not.
    """
    if names is None:
        return TABLE_NAMES
    if isinstance(names, str):
        names = [names]
    problems = [
        FieldProblem(field, name, f"not a table; the tables are {', '.join(TABLE_NAMES)}")
        for name in names
        if name not in TABLE_NAMES
    ]
    if not names:
        problems.append(FieldProblem(field, [], "choose at least one table"))
    if problems:
        raise ValidationError(problems)
    return tuple(dict.fromkeys(names))
