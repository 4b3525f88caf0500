"""Estimates: invariants, qualifiers, units, and reading a report's words."""

from __future__ import annotations

import pytest
from hypothesis import given

from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import Estimate, Qualifier, Unit

AT_LEAST, AT_MOST, ABOUT, RANGE, EXACT = (
    Qualifier.AT_LEAST,
    Qualifier.AT_MOST,
    Qualifier.ABOUT,
    Qualifier.RANGE,
    Qualifier.EXACT,
)
PEOPLE, FAMILIES = Unit.PEOPLE, Unit.FAMILIES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("95", (95, 95, 95, EXACT, PEOPLE)),
        ("1,000", (1000, 1000, 1000, EXACT, PEOPLE)),
        ("43 000", (43000, 43000, 43000, EXACT, PEOPLE)),
        ("over 600", (600, 600, None, AT_LEAST, PEOPLE)),
        ("Over 600", (600, 600, None, AT_LEAST, PEOPLE)),
        ("more than 43,000", (43000, 43000, None, AT_LEAST, PEOPLE)),
        ("more than 600 people", (600, 600, None, AT_LEAST, PEOPLE)),
        ("at least 1 000", (1000, 1000, None, AT_LEAST, PEOPLE)),
        ("600+", (600, 600, None, AT_LEAST, PEOPLE)),
        ("around 60", (60, 60, 60, ABOUT, PEOPLE)),
        ("  around   60 ", (60, 60, 60, ABOUT, PEOPLE)),
        ("nearly 300", (300, 300, 300, ABOUT, PEOPLE)),
        ("some 2,500 people", (2500, 2500, 2500, ABOUT, PEOPLE)),
        ("an estimated 10,000", (10000, 10000, 10000, ABOUT, PEOPLE)),
        ("up to 50", (50, 0, 50, AT_MOST, PEOPLE)),
        ("fewer than 20", (20, 0, 20, AT_MOST, PEOPLE)),
        ("between 30 and 40", (35, 30, 40, RANGE, PEOPLE)),
        ("30-40", (35, 30, 40, RANGE, PEOPLE)),
        ("30 to 40", (35, 30, 40, RANGE, PEOPLE)),
        ("2,500-3,000", (2750, 2500, 3000, RANGE, PEOPLE)),
        ("185 families", (185, 185, 185, EXACT, FAMILIES)),
        ("about 45 households", (45, 45, 45, ABOUT, FAMILIES)),
        ("more than 1,000 families", (1000, 1000, None, AT_LEAST, FAMILIES)),
        ("between 30 and 40 families", (35, 30, 40, RANGE, FAMILIES)),
        ("four", (4, 4, 4, EXACT, PEOPLE)),
        ("Thirteen", (13, 13, 13, EXACT, PEOPLE)),
        ("twenty-one", (21, 21, 21, EXACT, PEOPLE)),
        ("a dozen", (12, 12, 12, EXACT, PEOPLE)),
        ("two dozen", (24, 24, 24, EXACT, PEOPLE)),
        ("two hundred and thirty", (230, 230, 230, EXACT, PEOPLE)),
        ("one thousand two hundred", (1200, 1200, 1200, EXACT, PEOPLE)),
        ("more than a hundred", (100, 100, None, AT_LEAST, PEOPLE)),
        ("about fifty families", (50, 50, 50, ABOUT, FAMILIES)),
        ("four women", (4, 4, 4, EXACT, PEOPLE)),
        ("95 women and children", (95, 95, 95, EXACT, PEOPLE)),
        ("25 children", (25, 25, 25, EXACT, PEOPLE)),
        ("at least 16 children", (16, 16, None, AT_LEAST, PEOPLE)),
        ("about 3,000 Iraqis", (3000, 3000, 3000, ABOUT, PEOPLE)),
        ("nearly 10,000 foreigners", (10000, 10000, 10000, ABOUT, PEOPLE)),
        ("95 Kyrgyz citizens", (95, 95, 95, EXACT, PEOPLE)),
        ("some 1,500 Iraqi nationals", (1500, 1500, 1500, ABOUT, PEOPLE)),
        ("50 Iraqi families", (50, 50, 50, EXACT, FAMILIES)),
        ("130 returnees", (130, 130, 130, EXACT, PEOPLE)),
        ("95 women, children and men", (95, 95, 95, EXACT, PEOPLE)),
        ("95 family members", (95, 95, 95, EXACT, PEOPLE)),
        ("600+ people", (600, 600, None, AT_LEAST, PEOPLE)),
        ("two hundred and thirty people", (230, 230, 230, EXACT, PEOPLE)),
        ("just over 600", (600, 600, None, AT_LEAST, PEOPLE)),
        ("just under 600", (600, 0, 600, AT_MOST, PEOPLE)),
        ("as many as 300", (300, 0, 300, AT_MOST, PEOPLE)),
        ("not more than 40", (40, 0, 40, AT_MOST, PEOPLE)),
        ("not less than 40", (40, 40, None, AT_LEAST, PEOPLE)),
        ("a total of 95", (95, 95, 95, EXACT, PEOPLE)),
        ("95 in total", (95, 95, 95, EXACT, PEOPLE)),
        ("a total of 95 women and children", (95, 95, 95, EXACT, PEOPLE)),
        ("~40", (40, 40, 40, ABOUT, PEOPLE)),
        ("around 30 to 40", (35, 30, 40, RANGE, PEOPLE)),
        ("about 30-40", (35, 30, 40, RANGE, PEOPLE)),
        ("about 30-40 families", (35, 30, 40, RANGE, FAMILIES)),
    ],
)
def test_parse_reads_report_words(
    text: str, expected: tuple[int, int, int | None, Qualifier, Unit]
) -> None:
    """Estimate.parse keeps the number, the qualifier, the unit and the words of a report."""
    estimate = Estimate.parse(text)
    assert expected == (
        estimate.best,
        estimate.low,
        estimate.high,
        estimate.qualifier,
        estimate.unit,
    )
    assert text == estimate.raw


def test_parse_takes_the_unit_it_is_given() -> None:
    """A unit passed to parse overrides the unit the words imply (the column says families)."""
    assert Unit.FAMILIES is Estimate.parse("185", unit=Unit.FAMILIES).unit


def test_parse_default_unit_applies_only_when_the_words_name_none() -> None:
    """default_unit is the unit of "185"; "185 people" stays people whatever the default."""
    assert (Unit.FAMILIES, Unit.PEOPLE) == (
        Estimate.parse("185", default_unit=Unit.FAMILIES).unit,
        Estimate.parse("185 people", default_unit=Unit.FAMILIES).unit,
    )


@pytest.mark.parametrize(
    "text",
    [
        *("", "over", "-5", "1.000", "43.000", "12,34", "a", "hundred", "some children"),
        *("dozens", "several", "many", "dozens of women", "about 43.000 people"),
    ],
)
def test_parse_rejects_text_without_a_number_it_understands(text: str) -> None:
    """Words with no readable whole number are a ValueError, not a guess."""
    with pytest.raises(ValueError, match="whole number"):
        Estimate.parse(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("100 or so", "'or' after the number qualifies it"),
        ("600 plus", "'plus' after the number qualifies it"),
        ("5 thousand", "'thousand' after the number is part of a number"),
        ("between 30 and forty", "'forty' after the number is part of a number"),
        ("40 percent", "counts something other than people or families"),
        ("3 flights", "counts something other than people or families"),
        ("2 years", "counts something other than people or families"),
        ("95 (women)", "not plain words naming who is counted"),
        ("95 women from Iraqi families", "names both families and people"),
        ("over 30-40", "qualifies a range"),
        ("up to 30 to 40", "qualifies a range"),
    ],
)
def test_parse_refuses_words_that_make_the_figure_ambiguous(text: str, message: str) -> None:
    """Trailing qualifiers, other units, families mixed with people are errors, not guesses."""
    with pytest.raises(ValueError, match=message) as caught:
        Estimate.parse(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    ("text", "figures", "fields"),
    [
        ("four women and 13 children", "four women, 13 children", " (women, children)"),
        ("13 women and four children", "13 women, four children", " (women, children)"),
        ("about 150 families, 600 people", "150 families, 600 people", " (families, total)"),
        (
            "Two hundred and thirty women, 95 boys",
            "Two hundred and thirty women, 95 boys",
            " (women, boys)",
        ),
        ("3 buses with 40", "3 buses, 40", ""),
    ],
)
def test_parse_says_when_the_words_hold_more_than_one_number(
    text: str, figures: str, fields: str
) -> None:
    """Words with several figures say so and suggest a field for each, not 'not a number'."""
    with pytest.raises(ValueError, match="more than one number") as caught:
        Estimate.parse(text)
    assert (
        f"{text!r} holds more than one number ({figures}); an estimate is one figure: give each "
        f"figure its own field{fields}"
    ) == str(caught.value)


def test_a_given_unit_settles_words_that_name_families_and_people() -> None:
    """With unit given, "95 women from Iraqi families" is not ambiguous: it is that unit."""
    assert Unit.PEOPLE is Estimate.parse("95 women from Iraqi families", unit=Unit.PEOPLE).unit


def test_parse_default_unit_yields_to_any_words_after_the_number() -> None:
    """Words naming who is counted set the unit: "130 returnees" is people whatever the default."""
    assert (Unit.PEOPLE, Unit.FAMILIES) == (
        Estimate.parse("130 returnees", default_unit=Unit.FAMILIES).unit,
        Estimate.parse("50 Iraqi families").unit,
    )


def test_parse_rejects_a_range_the_wrong_way_round() -> None:
    """ "between 40 and 30" is an error naming the wrong-way range."""
    with pytest.raises(ValueError, match="wrong way round"):
        Estimate.parse("between 40 and 30")


def test_parse_rejects_what_is_not_text() -> None:
    """A number given to parse is a TypeError (use Estimate.exact)."""
    with pytest.raises(TypeError):
        Estimate.parse(95)  # type: ignore[arg-type]


def test_exact_is_one_point() -> None:
    """Estimate.exact(n) is low == best == high == n, people, no words."""
    expected = Estimate(95, 95, 95, Qualifier.EXACT, Unit.PEOPLE, None)
    assert expected == Estimate.exact(95)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"best": 5, "low": 6, "high": 9}, "low"),
        ({"best": 10, "low": 5, "high": 9, "qualifier": RANGE}, "best"),
        ({"best": 5, "low": 4, "high": 5}, "exact"),
        ({"best": 5, "low": 5, "high": 6, "qualifier": AT_LEAST}, "at least"),
        ({"best": -1, "low": -1, "high": -1}, "below zero"),
        ({"best": True, "low": 1, "high": 1}, "whole number"),
        ({"best": 1.5, "low": 1, "high": 2, "qualifier": ABOUT}, "whole number"),
    ],
)
def test_impossible_estimates_are_rejected(kwargs: dict[str, object], message: str) -> None:
    """Negative counts, low > best, best > high, inexact 'exact', bounded 'at least' are errors."""
    with pytest.raises(ValueError, match=message):
        Estimate(**kwargs)  # type: ignore[arg-type]


def test_negative_count_error_names_the_field() -> None:
    """A negative count is a ValidationError naming the field and the value."""
    with pytest.raises(ValidationError) as caught:
        Estimate(best=-3, low=-3, high=-3)
    assert ("best", -3) == (caught.value.field, caught.value.value)


@given(rst.estimates(unit=None))
def test_str_of_an_estimate_reads_back_as_it(estimate: Estimate) -> None:
    """str() of an estimate (its words, or words made for it) parses to the same figure."""
    text = str(estimate)
    parsed = Estimate.parse(text)
    assert (estimate.qualifier, estimate.unit) == (parsed.qualifier, parsed.unit)
    if estimate.qualifier in (Qualifier.EXACT, Qualifier.AT_LEAST):
        assert (estimate.low, estimate.high) == (parsed.low, parsed.high)


def test_bounded_says_whether_there_is_an_upper_bound() -> None:
    """'over 600' is unbounded; 'up to 50' is bounded."""
    assert (False, True) == (Estimate.parse("over 600").bounded, Estimate.parse("up to 50").bounded)
