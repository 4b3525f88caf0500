"""Scopes: which places hold which (surely, possibly, not), and whom a population count counts."""

from __future__ import annotations

import pytest

from repatevents import PopulationScope
from repatevents.projections._clock import NO, POSSIBLE, SURE
from repatevents.projections._scope import contains, scope_includes, specificity


@pytest.mark.parametrize(
    ("outer", "inner", "answer"),
    [
        ("al-hol", "al-hol", SURE),
        # A site holds only itself: al-Hol's people are not Roj's.
        ("al-hol", "roj", NO),
        # The table's Syrian sites are all in the north-east.
        ("nes", "al-hol", SURE),
        ("syria-or-iraq", "al-hol", SURE),
        ("syria", "nes", SURE),
        ("syria-or-iraq", "syria", SURE),
        # "north-east Syria" may mean al-Hol; "Syria" may mean only the north-east.
        ("al-hol", "nes", POSSIBLE),
        ("nes", "syria", POSSIBLE),
        ("syria", "syria-or-iraq", POSSIBLE),
        ("al-hol", "syria-or-iraq", POSSIBLE),
        # Iraq's places and Syria's never hold each other's people.
        ("iraq", "al-hol", NO),
        ("al-jadaa", "syria", NO),
    ],
)
def test_a_place_holds_another_surely_possibly_or_not(outer: str, inner: str, answer: int) -> None:
    """Reports name places at different precision; containment is three-valued."""
    assert answer == contains(outer, inner)


def test_sites_are_more_specific_than_regions_than_countries() -> None:
    """Specificity orders a camp before the north-east, Syria, and "Syria or Iraq"."""
    ranks = [specificity(place) for place in ("al-hol", "nes", "syria", "syria-or-iraq")]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)


@pytest.mark.parametrize(
    ("scope", "country", "nationality", "answer"),
    [
        (PopulationScope.ALL, None, "SYR", SURE),
        (PopulationScope.NATIONALS, "KAZ", None, POSSIBLE),
        (PopulationScope.NATIONALS, "KAZ", "KAZ", SURE),
        (PopulationScope.NATIONALS, "KAZ", "KGZ", NO),
        (PopulationScope.NON_SYRIANS, None, "SYR", NO),
        (PopulationScope.NON_SYRIANS, None, "IRQ", SURE),
        (PopulationScope.FOREIGNERS, None, "IRQ", NO),
        (PopulationScope.FOREIGNERS, None, "KAZ", SURE),
    ],
)
def test_a_population_count_includes_people_by_its_scope(
    scope: PopulationScope, country: str | None, nationality: str | None, answer: int
) -> None:
    """Foreigners are neither Syrian nor Iraqi; a flow of unstated nationality possibly counts."""
    assert answer == scope_includes(scope.value, country, nationality)
