"""The country table: lookups by code, name or alias, errors with suggestions, label points."""

# The project's tests assert `expected == actual`; ruff's SIM300 reads a literal on the left as
# a Yoda condition.

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import repatevents
from repatevents.errors import UnknownCountryError, ValidationError
from repatevents.events._countries import (
    Country,
    all_countries,
    lookup_country,
    to_country_code,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KGZ", "KGZ"),
        ("kgz", "KGZ"),
        ("KG", "KGZ"),
        ("417", "KGZ"),
        ("Kyrgyzstan", "KGZ"),
        ("kyrgyz republic", "KGZ"),
        ("Kirghizia", "KGZ"),
        ("KOSOVO", "XKX"),
        ("XK", "XKX"),
        ("Türkiye", "TUR"),
        ("turkey", "TUR"),
        ("turkiye", "TUR"),
        ("the Netherlands", "NLD"),
        ("Holland", "NLD"),
        ("USA", "USA"),
        ("United States of America", "USA"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("UK", "GBR"),
        ("Great Britain", "GBR"),
        ("Syrian Arab Republic", "SYR"),
        ("Iraq", "IRQ"),
        ("Kazakhstan", "KAZ"),
        ("Tajikistan", "TJK"),
        ("Uzbekistan", "UZB"),
        ("Azerbaijan", "AZE"),
        ("Bosnia", "BIH"),
        ("Macedonia", "MKD"),
        ("Czech Republic", "CZE"),
        ("Ivory Coast", "CIV"),
        ("DRC", "COD"),
        ("Congo-Brazzaville", "COG"),
        ("Swaziland", "SWZ"),
        ("Burma", "MMR"),
        ("East Timor", "TLS"),
        ("South Korea", "KOR"),
        ("Vietnam", "VNM"),
        ("Palestine", "PSE"),
        ("Vatican", "VAT"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
    ],
)
def test_lookup_finds_codes_names_and_aliases_in_any_case(query: str, expected: str) -> None:
    """A code, alpha-2, numeric code, name or alias in any case finds its country."""
    assert expected == lookup_country(query).code


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("  Kyrgyzstan\n", "KGZ"),
        ("Cote d'Ivoire", "CIV"),
        ("cote divoire", "CIV"),
        ("Côte d’Ivoire", "CIV"),
        ("Guinea Bissau", "GNB"),
        ("Trinidad & Tobago", "TTO"),
        ("The Gambia", "GMB"),
        ("Congo Kinshasa", "COD"),
    ],
)
def test_lookup_ignores_whitespace_accents_punctuation_and_a_leading_the(
    query: str, expected: str
) -> None:
    """Surrounding whitespace, accents, punctuation and a leading "the" do not matter."""
    assert expected == lookup_country(query).code


def test_to_country_code_returns_the_alpha3_code() -> None:
    """to_country_code is lookup_country(...).code."""
    assert "KGZ" == to_country_code("Kyrgyz Republic")


def test_lookup_returns_the_country_with_its_name_and_codes() -> None:
    """A lookup returns the whole record: short name, codes and aliases."""
    country = lookup_country("kyrgyz republic")
    assert ("KGZ", "Kyrgyzstan", "KG", "417") == (
        country.code,
        country.name,
        country.alpha2,
        country.numeric,
    )
    assert "Kyrgyz Republic" in country.aliases


def test_kosovo_has_the_conventional_user_assigned_codes() -> None:
    """Kosovo, with no ISO code, is XKX/XK with no numeric code."""
    kosovo = lookup_country("Kosovo")
    assert ("XKX", "XK", None, "Kosovo") == (
        kosovo.code,
        kosovo.alpha2,
        kosovo.numeric,
        kosovo.name,
    )


def test_an_unknown_country_is_an_error_that_suggests_close_names() -> None:
    """A misspelt name raises UnknownCountryError, a ValueError and LookupError, with hints."""
    with pytest.raises(UnknownCountryError) as caught:
        lookup_country("Kyrgystan")
    error = caught.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, ValueError)
    assert isinstance(error, LookupError)
    assert "'Kyrgystan'" in str(error)
    assert "'Kyrgyzstan'" in str(error)
    assert "Kyrgyzstan" == error.suggestions[0]
    assert ("country", "Kyrgystan") == (error.field, error.value)


def test_the_error_names_the_field_it_is_given() -> None:
    """The field passed to a lookup is the field the error reports."""
    with pytest.raises(UnknownCountryError) as caught:
        to_country_code("Atlantis", field="nationality")
    assert "nationality" == caught.value.field
    assert str(caught.value).startswith("nationality: 'Atlantis'")


def test_suggestions_are_display_names_at_most_three_and_distinct() -> None:
    """Suggestions are up to three distinct country names, never codes or aliases."""
    names = {c.name for c in all_countries()}
    for query in ["Kyrgystan", "Tajikstan", "Uzbekstan", "Congo Repblic", "Nethrelands"]:
        with pytest.raises(UnknownCountryError) as caught:
            lookup_country(query)
        suggestions = caught.value.suggestions
        assert len(suggestions) <= 3
        assert len(set(suggestions)) == len(suggestions)
        assert set(suggestions) <= names


@pytest.mark.parametrize("query", ["Chechnya", "Kurdistan", "Rojava", "", "   ", "XXX", "999"])
def test_regions_and_non_countries_are_unknown(query: str) -> None:
    """Sub-national regions, empty text and unassigned codes are not countries."""
    with pytest.raises(UnknownCountryError):
        lookup_country(query)


@pytest.mark.parametrize("query", [None, 417, 4.5, b"KGZ", ["KGZ"]])
def test_a_query_that_is_not_text_is_an_unknown_country_error(query: object) -> None:
    """A non-str query raises UnknownCountryError showing the value, not AttributeError."""
    with pytest.raises(UnknownCountryError) as caught:
        lookup_country(query)  # type: ignore[arg-type]
    assert repr(query) in str(caught.value)


def test_every_country_has_a_unique_code() -> None:
    """No code appears twice in the table."""
    codes = [c.code for c in all_countries()]
    assert len(set(codes)) == len(codes)


def test_codes_are_three_uppercase_letters_and_sorted() -> None:
    """Every code is three uppercase letters, and all_countries() is sorted by code."""
    codes = [c.code for c in all_countries()]
    assert [] == [c for c in codes if not re.fullmatch(r"[A-Z]{3}", c)]
    assert sorted(codes) == codes


def test_the_table_has_every_iso_country_and_kosovo() -> None:
    """The table holds the 249 ISO 3166-1 countries and Kosovo."""
    countries = all_countries()
    assert 250 == len(countries)
    assert all(isinstance(c, Country) for c in countries)
    assert "XKX" in {c.code for c in countries}


def test_label_points_are_valid_longitudes_and_latitudes() -> None:
    """Every label point lies within [-180, 180] x [-90, 90]."""
    points = [c.label_point for c in all_countries() if c.label_point is not None]
    assert [] == [p for p in points if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)]
    assert len(points) > 200


@pytest.mark.parametrize(
    ("code", "box"),
    [
        # (west, east, south, north): rough boxes of each country's main landmass.
        ("FRA", (-5.2, 9.6, 41.3, 51.1)),
        ("USA", (-125.0, -66.9, 24.5, 49.4)),
        ("NOR", (4.5, 31.2, 57.9, 71.2)),
        ("RUS", (27.0, 180.0, 41.0, 78.0)),
        ("KGZ", (69.2, 80.3, 39.1, 43.3)),
        ("KAZ", (46.4, 87.4, 40.5, 55.5)),
        ("IRQ", (38.7, 48.6, 29.0, 37.4)),
        ("SYR", (35.7, 42.4, 32.3, 37.4)),
        ("TUR", (26.0, 45.0, 35.8, 42.1)),
        ("XKX", (20.0, 21.8, 41.8, 43.3)),
        ("FJI", (177.0, 180.0, -19.0, -16.0)),
    ],
)
def test_label_points_fall_in_the_country_s_main_landmass(
    code: str, box: tuple[float, float, float, float]
) -> None:
    """A label point is on the main landmass: France in Europe, the US in the lower 48."""
    point = lookup_country(code).label_point
    assert point is not None
    west, east, south, north = box
    lon, lat = point
    assert (True, True) == (west <= lon <= east, south <= lat <= north), point


@given(st.sampled_from(all_countries()))
def test_every_name_code_and_alias_finds_its_own_country(country: Country) -> None:
    """Lookup by a country's name, codes or any alias returns that country: none is ambiguous."""
    keys = [country.name, country.code, *country.aliases]
    keys += [k for k in (country.alpha2, country.numeric) if k is not None]
    assert [country] * len(keys) == [lookup_country(k) for k in keys]


@given(st.sampled_from(all_countries()), st.data())
def test_case_and_surrounding_whitespace_never_change_a_lookup(
    country: Country, data: st.DataObject
) -> None:
    """Any mix of case and surrounding whitespace in a name still finds the country."""
    name = data.draw(st.sampled_from([country.name, *country.aliases]))
    flips = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    mixed = "".join(ch.upper() if up else ch.lower() for ch, up in zip(name, flips, strict=True))
    padding = data.draw(st.sampled_from(["", " ", "\t", "  \n"]))
    assert country == lookup_country(f"{padding}{mixed}{padding}")


def test_the_table_is_small() -> None:
    """The shipped JSON stays well under 100 KB."""
    table = files("repatevents.data") / "countries.json"
    assert len(table.read_bytes()) < 100_000


def test_importing_the_module_does_not_read_the_table() -> None:
    """The JSON is read on the first lookup, not when the module is imported."""
    src = str(Path(repatevents.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import repatevents.events._countries as m\n"
        "before = m._load.cache_info().currsize\n"
        "m.to_country_code('KGZ')\n"
        "print(before, m._load.cache_info().currsize)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert "0 1" == result.stdout.strip()
