"""Places: lookup by id, name or alias, origin scopes, and coordinates only where public."""

from __future__ import annotations

import pytest

from repatevents.errors import UnknownPlaceError, ValidationError
from repatevents.events import Origin, PlaceKind, all_places, lookup_place


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("al-hol", "al-hol"),
        ("AL-HOL", "al-hol"),
        ("al-Hol camp", "al-hol"),
        ("al-Hawl", "al-hol"),
        ("  el   hol ", "al-hol"),
        ("Roj", "roj"),
        ("roj camp", "roj"),
        ("Ghwayran", "nes-prisons"),
        ("north-east Syria", "nes"),
        ("al-Jadaa", "al-jadaa"),
        ("Syria or Iraq", "syria-or-iraq"),
        ("Ain Issa", "ain-issa"),
        ("the al-Hol camp", "al-hol"),
        ("El-Hol", "al-hol"),
        ("Ghwayran prison", "nes-prisons"),
        ("al-Sina’a prison", "nes-prisons"),
        ("Jadaa camp", "al-jadaa"),
        ("Jeddah-1", "al-jadaa"),
        ("Hasakah", "nes"),  # the region; its prison is "Hasakah prison"
        ("Hasakah prison", "nes-prisons"),
        ("Northern Syria", "nes"),
        ("Mosul", "iraq"),
    ],
)
def test_lookup_place_accepts_ids_names_and_aliases(query: str, expected: str) -> None:
    """Places are found by id, name or alias, ignoring case, spaces, hyphens, apostrophes, the
    article and a trailing "camp" or "prison"."""
    assert expected == lookup_place(query).id


def test_unknown_place_suggests_the_closest_ids() -> None:
    """An unknown place is a ValidationError and LookupError naming the field and suggestions."""
    with pytest.raises(UnknownPlaceError) as caught:
        lookup_place("al-hool", field="origin")
    error = caught.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, LookupError)
    assert ("origin", "al-hool", ("al-hol",)) == (error.field, error.value, error.suggestions)
    assert "did you mean 'al-hol'?" in str(error)


def test_a_place_that_is_not_text_is_unknown_without_suggestions() -> None:
    """A number where a place id is expected is rejected without guessing."""
    with pytest.raises(UnknownPlaceError) as caught:
        lookup_place(5)  # type: ignore[arg-type]
    assert () == caught.value.suggestions


def test_place_ids_are_unique_and_lowercase() -> None:
    """Every place has its own lowercase id, so events can store the id alone."""
    ids = [p.id for p in all_places()]
    assert len(ids) == len(set(ids))
    assert [i.lower() for i in ids] == ids


def test_places_name_their_origin_scope() -> None:
    """Camps of north-east Syria are in Syria; al-Jadaa in Iraq; the vague place is either."""
    expected = {
        "al-hol": Origin.SYRIA,
        "roj": Origin.SYRIA,
        "nes": Origin.SYRIA,
        "al-jadaa": Origin.IRAQ,
        "iraq": Origin.IRAQ,
        "syria-or-iraq": Origin.SYRIA_OR_IRAQ,
        "other": Origin.OTHER,
    }
    assert expected == {i: lookup_place(i).origin for i in expected}


def test_only_fixed_sites_have_coordinates() -> None:
    """Camps and centres have a location in the region; vague places have none."""
    for place in all_places():
        if place.kind in (PlaceKind.CAMP, PlaceKind.CENTRE):
            assert place.lon is not None
            assert place.lat is not None
            assert 35 < place.lon < 45
            assert 33 < place.lat < 38
        else:
            assert (None, None) == (place.lon, place.lat)


@pytest.mark.parametrize(
    ("scope", "other", "covers", "may_cover"),
    [
        (Origin.SYRIA, Origin.SYRIA, True, True),
        (Origin.SYRIA, Origin.IRAQ, False, False),
        (Origin.SYRIA, Origin.SYRIA_OR_IRAQ, False, True),
        (Origin.SYRIA_OR_IRAQ, Origin.SYRIA, True, True),
        (Origin.SYRIA_OR_IRAQ, Origin.IRAQ, True, True),
        (Origin.SYRIA_OR_IRAQ, Origin.SYRIA_OR_IRAQ, True, True),
        (Origin.SYRIA_OR_IRAQ, Origin.OTHER, False, False),
        (Origin.OTHER, Origin.SYRIA_OR_IRAQ, False, False),
        (Origin.IRAQ, Origin.SYRIA, False, False),
    ],
)
def test_origin_scopes_cover_surely_or_possibly(
    scope: Origin, other: Origin, covers: bool, may_cover: bool
) -> None:
    """A "from Syria" total surely excludes Iraq and may include "Syria or Iraq" operations."""
    assert (covers, may_cover) == (scope.covers(other), scope.may_cover(other))
