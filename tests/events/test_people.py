"""People: a total and a breakdown, each an estimate or absent, never zero by default."""

from __future__ import annotations

import pytest
from hypothesis import given

from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import (
    CATEGORIES,
    Estimate,
    OperationReported,
    People,
    Qualifier,
    Source,
    Unit,
    event_from_dict,
)


def test_integers_are_exact_and_words_are_parsed() -> None:
    """People(total=95, women="over 30") holds an exact 95 and an at-least 30."""
    group = People(total=95, women="over 30")
    assert Estimate.exact(95) == group.total
    assert group.women is not None
    assert (30, None, Qualifier.AT_LEAST) == (
        group.women.low,
        group.women.high,
        group.women.qualifier,
    )


def test_absent_means_not_reported_never_zero() -> None:
    """Fields not given are None and left out of reported(); zero is a reported figure."""
    group = People(total=95, orphans=0)
    assert group.men is None
    assert {"total": Estimate.exact(95), "orphans": Estimate.exact(0)} == group.reported()


def test_reported_lists_figures_in_table_order() -> None:
    """reported() orders total, families, then the breakdown categories as tables show them."""
    group = People(boys=1, total=5, families=Estimate.parse("2 families"), women=2)
    assert ["total", "families", "women", "boys"] == list(group.reported())


def test_category_returns_a_figure_or_none() -> None:
    """category() returns any field by name, None when not reported."""
    group = People(children=64)
    expected = (Estimate.exact(64), None)
    assert expected == (group.category("children"), group.category("girls"))


def test_category_rejects_an_unknown_name() -> None:
    """category() with a name that is not a category is a KeyError listing the real ones."""
    with pytest.raises(KeyError, match="grandparents"):
        People(total=1).category("grandparents")


def test_a_group_needs_at_least_one_figure() -> None:
    """An empty group says nothing and is a ValidationError saying what a group needs."""
    with pytest.raises(ValidationError, match="at least one reported figure") as caught:
        People()
    assert ("", None) == (caught.value.field, caught.value.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"women": Estimate.exact(3, Unit.FAMILIES)}, "families"),
        ({"families": Estimate.exact(3)}, "families"),
        ({"families": "700 people"}, "counts families"),
        ({"total": True}, "whole number"),
        ({"total": 9.5}, "whole number"),
        ({"total": 5.0}, "write 5, not 5.0"),
        ({"total": -5}, "below zero"),
        ({"families": -5}, "below zero"),
        ({"children": [5]}, "whole number"),
        ({"total": "many"}, "whole number"),
    ],
)
def test_wrong_figures_name_the_field_as_given(kwargs: dict[str, object], message: str) -> None:
    """Wrong units, booleans, floats, negative numbers and unreadable words are ValidationErrors
    naming the field as given (total, not the estimate's best) and the value."""
    with pytest.raises(ValidationError, match=message) as caught:
        People(**kwargs)  # type: ignore[arg-type]
    ((field, value),) = kwargs.items()
    assert (field, str(value) if isinstance(value, Estimate) else value) == (
        caught.value.field,
        caught.value.value,
    )


@pytest.mark.parametrize(
    ("people", "field"),
    [(-5, "people"), (5.0, "people"), ("many", "people"), (True, "people")],
)
def test_a_count_for_a_group_names_the_events_field(people: object, field: str) -> None:
    """A bad count given where an event expects a group names the event's field, people."""
    with pytest.raises(ValidationError) as caught:
        OperationReported(
            source=Source(publisher="X"),
            country="KGZ",
            people=people,  # type: ignore[arg-type]
            date="2023-08-30",
            origin="nes",
        )
    assert (field, people) == (caught.value.field, caught.value.value)


def test_families_take_a_family_estimate() -> None:
    """Households are counted in the families field with the families unit."""
    group = People(total=3800, families="1,000 families")
    assert group.families is not None
    assert (1000, Unit.FAMILIES) == (group.families.best, group.families.unit)


@pytest.mark.parametrize("families", [174, "174", "174 families", "174 households"])
def test_a_bare_number_of_families_counts_families(families: int | str) -> None:
    """A count in the families field that names no unit counts families, as the field says."""
    group = People(families=families)
    assert group.families is not None
    assert (174, Unit.FAMILIES) == (group.families.best, group.families.unit)


def test_families_in_words_keep_their_qualifier() -> None:
    """'about 150' in the families field is about 150 families."""
    group = People(families="about 150")
    assert group.families is not None
    assert (150, Qualifier.ABOUT, Unit.FAMILIES) == (
        group.families.best,
        group.families.qualifier,
        group.families.unit,
    )


@pytest.mark.parametrize(
    "people",
    [
        {"total": 95, "women": 40, "children": 64},
        {"total": 95, "children": 64, "girls": 40, "boys": 30},
        {"children": 64, "girls": 10, "boys": 10},
        {"total": 10, "adults": 4, "women": 5, "men": 5},
    ],
)
def test_a_source_that_contradicts_itself_is_accepted(people: dict[str, int]) -> None:
    """Breakdowns above the total, or girls + boys not children, load: a quality finding."""
    payload = {
        "type": "operation-reported",
        "source": {"publisher": "Example"},
        "country": "KGZ",
        "people": people,
        "date": "2023-08-30",
        "origin": "al-hol",
    }
    event = event_from_dict(payload)
    assert {k: Estimate.exact(v) for k, v in people.items()} == event.people.reported()  # type: ignore[union-attr]


@given(rst.people())
def test_every_group_reports_something(group: People) -> None:
    """Every group drawn by the strategies reports at least one known field."""
    assert group.reported()
    assert set(group.reported()) <= {"total", "families", *CATEGORIES}
