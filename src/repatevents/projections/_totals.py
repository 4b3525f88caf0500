"""The totals projection: each receiving country's operations summed, as of a date.

By nationality, the same sums are grouped by the people's nationality: a report's
``nationality`` where it differs from the receiving country, else that country. A plane of one
country that also carries a few nationals of another is recorded as one report per nationality
(each with its own operation key), so both countries' nationals are counted, once each.

Cost: the default query (every date, the default policy, by receiving country) reads the
per-country sums the knowledge state keeps, so it is O(countries), not O(reports); any other
query sums every operation again, O(reports).
"""

from __future__ import annotations

import datetime as dt

import attrs

from ..errors import FieldProblem, UnknownCountryError, ValidationError
from ..events import Estimate, Origin, lookup_country
from ._aggregates import CountryAgg
from ._compact import FIELDS, to_estimate, to_people
from ._figures import PEOPLE_PER_FAMILY
from ._operations import operation_views
from ._policy import DEFAULT_POLICY, Policy
from ._results import CountryTotal
from ._state import KnowledgeState

__all__ = [
    "GROUPINGS",
    "check_grouping",
    "country_aggregates",
    "country_name",
    "country_total",
    "nationality_totals",
    "totals",
]

#: What totals can be grouped by: the receiving country, or the people's nationality.
GROUPINGS = ("country", "nationality")


def country_name(code: str) -> str:
    """Return a country's name, or its code when the table does not know it."""
    try:
        return lookup_country(code).name
    except UnknownCountryError:
        return code


def country_aggregates(
    state: KnowledgeState, as_of: int | None, policy: Policy, *, maintained: bool = True
) -> dict[str, CountryAgg]:
    """Return the per-country sums for a query: kept ones for the default, else new ones."""
    if maintained and as_of is None and policy.name == DEFAULT_POLICY:
        return state.countries
    aggregates: dict[str, CountryAgg] = {}
    for view in operation_views(state, as_of, policy, maintained=maintained):
        agg = aggregates.get(view.country)
        if agg is None:
            agg = aggregates[view.country] = CountryAgg()
        agg.add(view)
    return aggregates


def _origin(agg: CountryAgg, origin: Origin) -> Estimate | None:
    fig = agg.origin(origin.value)
    return None if fig is None else to_estimate(fig)


def country_total(code: str, agg: CountryAgg) -> CountryTotal:
    """Return the public value of one country's sums."""
    people = to_people(tuple(agg.category(i) for i in range(len(FIELDS))))
    assert people is not None
    return CountryTotal(
        country=code,
        name=country_name(code),
        operations=agg.ops,
        people=people,
        from_syria=_origin(agg, Origin.SYRIA),
        from_iraq=_origin(agg, Origin.IRAQ),
        from_syria_or_iraq=_origin(agg, Origin.SYRIA_OR_IRAQ),
        from_elsewhere=_origin(agg, Origin.OTHER),
        first_date=None if agg.first is None else dt.date.fromordinal(agg.first),
        last_date=None if agg.last is None else dt.date.fromordinal(agg.last),
        converted_operations=agg.converted,
        people_per_family=PEOPLE_PER_FAMILY if agg.from_families else None,
        nationalities=tuple(sorted(agg.nationalities)),
    )


def check_grouping(by: str) -> str:
    """Return ``by`` if totals can be grouped by it.

    Raises:
        ValidationError: ``by`` is not one of :data:`GROUPINGS`.
    """
    if by not in GROUPINGS:
        raise ValidationError(FieldProblem("by", by, f"one of {', '.join(GROUPINGS)}"))
    return by


def nationality_totals(
    state: KnowledgeState, as_of: int | None, policy: Policy
) -> tuple[CountryTotal, ...]:
    """Return each nationality's totals, by code (see the module docstring)."""
    aggregates: dict[str, CountryAgg] = {}
    receivers: dict[str, set[str]] = {}
    for view in operation_views(state, as_of, policy):
        code = view.nationality or view.country
        agg = aggregates.get(code)
        if agg is None:
            agg = aggregates[code] = CountryAgg()
            receivers[code] = set()
        agg.add(view)
        if view.country != code:
            receivers[code].add(view.country)
    return tuple(
        attrs.evolve(
            country_total(code, aggregates[code]),
            nationalities=(),
            receiving_countries=tuple(sorted(receivers[code])),
        )
        for code in sorted(aggregates)
    )


def totals(
    state: KnowledgeState, as_of: int | None, policy: Policy, by: str = "country"
) -> tuple[CountryTotal, ...]:
    """Return each receiving country's totals (or each nationality's), by code."""
    if check_grouping(by) == "nationality":
        return nationality_totals(state, as_of, policy)
    aggregates = country_aggregates(state, as_of, policy)
    return tuple(country_total(code, aggregates[code]) for code in sorted(aggregates))
