"""Scopes: which places hold which, and which flows a population count includes.

Reports name places at different precision: "al-Hol", "north-east Syria", "Syria or Iraq".
Whether a flow from one place changes the population observed at another is three-valued,
like everything here: surely, possibly, or not.

A set of sites ("al-Hol and Roj") holds what any of its sites holds, and is inside a place
only as far as all of its sites are: 100 people taken from al-Hol and Roj surely left the pair
and possibly left each camp (0 to 100 of them, never 100 from each).
"""

from __future__ import annotations

from functools import cache

from ..events import Origin, PlaceKind, PopulationScope, lookup_place
from ._clock import NO, POSSIBLE, SURE

__all__ = ["contains", "origin_of", "scope_includes", "specificity"]

_SITES = (PlaceKind.CAMP, PlaceKind.PRISON, PlaceKind.CENTRE)


@cache
def origin_of(place: str) -> Origin:
    """Return the origin scope of a place id."""
    return lookup_place(place).origin


@cache
def specificity(place: str) -> int:
    """Return how precisely a place id locates people: lower is more precise."""
    found = lookup_place(place)
    if found.kind in _SITES or found.kind is PlaceKind.SET:
        return 0
    if found.kind is PlaceKind.REGION:
        return 1
    # "north-east Syria" is narrower than "Syria", which is narrower than "Syria or Iraq".
    if found.origin is Origin.SYRIA_OR_IRAQ:
        return 4
    return 3 if found.id == "syria" else 2


@cache
def contains(outer: str, inner: str) -> int:
    """Return whether people at place ``inner`` are among those at place ``outer``.

    A site (camp, prison, centre) holds only itself. An unspecified place holds every site
    of its origin scope for sure (the table's Syrian sites are all in the north-east), a
    narrower unspecified place for sure, and an equally vague one possibly. A site is possibly
    inside an unspecified place that may cover it ("north-east Syria" may mean al-Hol).
    """
    if outer == inner:
        return SURE
    a, b = lookup_place(outer), lookup_place(inner)
    if a.kind is PlaceKind.SET or b.kind is PlaceKind.SET:
        # Each of the inner sites is in the outer place as surely as it is in one of the
        # outer sites; the whole inner place only as surely as its least certain site.
        each = {max(contains(o, i) for o in a.members or (outer,)) for i in b.members or (inner,)}
        if each == {SURE}:
            return SURE
        return NO if each == {NO} else POSSIBLE
    if a.kind in _SITES:
        if b.kind in _SITES:
            return NO
        return POSSIBLE if b.origin.may_cover(a.origin) else NO
    if b.kind in _SITES:
        if a.origin.covers(b.origin):
            return SURE
        return POSSIBLE if a.origin.may_cover(b.origin) else NO
    if a.origin.covers(b.origin) and specificity(outer) > specificity(inner):
        return SURE
    if a.origin.may_cover(b.origin) or b.origin.may_cover(a.origin):
        return POSSIBLE
    return NO


def scope_includes(scope: str, country: str | None, nationality: str | None) -> int:
    """Return whether a population count of ``scope`` includes people of ``nationality``.

    Args:
        scope: a ``PopulationScope`` value.
        country: the country whose nationals a ``nationals`` count counts.
        nationality: the people's nationality (an operation's nationality, or else its
            receiving country), or ``None`` when a flow does not say.
    """
    if scope == PopulationScope.ALL.value:
        return SURE
    if nationality is None:
        return POSSIBLE
    if scope == PopulationScope.NATIONALS.value:
        return SURE if nationality == country else NO
    if scope == PopulationScope.NON_SYRIANS.value:
        return NO if nationality == "SYR" else SURE
    # Foreigners: neither Syrian nor Iraqi.
    return NO if nationality in ("SYR", "IRQ") else SURE
