"""The codec: one converter, the interchange form, upcasting old schemas, and validation."""

from __future__ import annotations

import json
import uuid
from typing import Any

import cattrs
import orjson
import pytest
from hypothesis import given, strategies as st

from _bad_inputs import BAD_INPUTS, KNOWN_GAPS, OPERATION, BadInput, change
from _paths import DATA
from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    CumulativeTotalReported,
    Estimate,
    Event,
    FuzzyDate,
    OperationReported,
    People,
    Qualifier,
    Unit,
    dumps_event,
    event_from_dict,
    event_to_dict,
    make_converter,
    read_jsonl,
)
from repatevents.events._codec import canonical_content
from repatevents.events._events import ID_NAMESPACE

EVENT_STRATEGIES = [
    pytest.param(strategy, id=name)
    for name, strategy in [
        ("operation-reported", rst.operation_reported()),
        ("cumulative-total-reported", rst.cumulative_total_reported()),
        ("stock-observed", rst.stock_observed()),
        ("outflow-reported", rst.outflow_reported()),
        ("inflow-reported", rst.inflow_reported()),
        ("reports-linked", rst.reports_linked()),
        ("figure-adjudicated", rst.figure_adjudicated()),
        ("report-corrected", rst.report_corrected()),
        ("report-retracted", rst.report_retracted()),
        ("camp-status-changed", rst.camp_status_changed()),
    ]
]
CONVERTER = make_converter()


def test_there_is_a_round_trip_case_for_every_event_type() -> None:
    """The round-trip properties below cover every registered event type."""
    assert list(EVENT_TYPES) == [p.id for p in EVENT_STRATEGIES]


@pytest.mark.parametrize("strategy", EVENT_STRATEGIES)
@given(data=st.data())
def test_dict_form_round_trips(strategy: st.SearchStrategy[Event], data: st.DataObject) -> None:
    """event_from_dict(event_to_dict(e)) == e for every event type."""
    event = data.draw(strategy)
    assert event == event_from_dict(event_to_dict(event))


@pytest.mark.parametrize("strategy", EVENT_STRATEGIES)
@given(data=st.data())
def test_converter_round_trips(strategy: st.SearchStrategy[Event], data: st.DataObject) -> None:
    """structure(unstructure(e)) == e with the converter from make_converter()."""
    event = data.draw(strategy)
    assert event == CONVERTER.structure(CONVERTER.unstructure(event), type(event))


@given(rst.events())
def test_dict_form_survives_json_text(event: Event) -> None:
    """The dict form written as JSON text and read back is the same event."""
    data = orjson.loads(orjson.dumps(event_to_dict(event)))
    assert event.TYPE == data["type"]
    assert event == event_from_dict(data)


def test_dict_form_is_plain_json_for_the_standard_library() -> None:
    """json.dumps accepts the dict form: it holds only str, int, list, dict and None."""
    assert isinstance(json.dumps(event_to_dict(event_from_dict(OPERATION))), str)


def test_each_converter_is_new_and_never_the_global_one() -> None:
    """make_converter() builds a fresh converter; the library never touches cattrs' global."""
    first, second = make_converter(), make_converter()
    assert first is not second
    assert first is not cattrs.global_converter


def test_interchange_form_leaves_out_defaults_and_derived_ids() -> None:
    """Defaults are omitted, exact counts are integers, dates are ISO text, ids only if given."""
    event = event_from_dict(OPERATION)
    expected = {
        "type": "operation-reported",
        "source": {"publisher": "The New Arab", "speaker_kind": "receiving-government"},
        "country": "KGZ",
        "people": {"total": 95, "women": 31, "children": 64},
        "date": "2023-08-30",
        "origin": "al-hol",
    }
    assert expected == orjson.loads(orjson.dumps(event_to_dict(event)))
    given_id = uuid.UUID(int=7)
    with_id = event_from_dict(change(OPERATION, id=str(given_id)))
    assert (given_id, str(given_id)) == (with_id.id, event_to_dict(with_id)["id"])


def test_a_derived_id_is_uuid5_of_the_canonical_content() -> None:
    """Anyone can recompute an id: uuid5(namespace, sorted-key JSON of the content without id)."""
    event = event_from_dict(OPERATION)
    content = dict(event_to_dict(event))
    assert orjson.dumps(content, option=orjson.OPT_SORT_KEYS) == canonical_content(event)
    assert uuid.uuid5(ID_NAMESPACE, canonical_content(event).decode()) == event.id
    assert uuid.UUID("5c1f0a52-6d0e-4f5e-9a57-2f7b0e3c9d41") == ID_NAMESPACE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (95, Estimate.exact(95)),
        ("over 600", Estimate(600, 600, None, Qualifier.AT_LEAST, Unit.PEOPLE, "over 600")),
        (
            {"best": 600, "qualifier": "at-least", "raw": "over 600"},
            Estimate(600, 600, None, Qualifier.AT_LEAST, Unit.PEOPLE, "over 600"),
        ),
        (
            {"best": 50, "qualifier": "at-most"},
            Estimate(50, 0, 50, Qualifier.AT_MOST, Unit.PEOPLE),
        ),
        (
            {"best": 35, "low": 30, "high": 40, "qualifier": "range"},
            Estimate(35, 30, 40, Qualifier.RANGE),
        ),
        ({"raw": "around 60"}, Estimate(60, 60, 60, Qualifier.ABOUT, Unit.PEOPLE, "around 60")),
        (
            {"raw": "60", "qualifier": "about"},
            Estimate(60, 60, 60, Qualifier.ABOUT, Unit.PEOPLE, "60"),
        ),
    ],
)
def test_estimates_are_read_from_counts_words_and_objects(value: Any, expected: Estimate) -> None:
    """A figure may be an integer, report words or an estimate object with defaults."""
    event = event_from_dict(change(OPERATION, people={"total": value}))
    assert isinstance(event, OperationReported)
    assert expected == event.people.total


def test_families_are_an_estimate_object_with_their_unit() -> None:
    """Households are written as an estimate object with unit families."""
    payload = change(
        OPERATION, people={"total": 680, "families": {"best": 185, "unit": "families"}}
    )
    event = event_from_dict(payload)
    assert isinstance(event, OperationReported)
    assert Estimate.exact(185, Unit.FAMILIES) == event.people.families
    assert payload["people"] == event_to_dict(event)["people"]


@pytest.mark.parametrize(
    ("families", "expected"),
    [
        (185, Estimate.exact(185, Unit.FAMILIES)),
        ({"best": 185}, Estimate.exact(185, Unit.FAMILIES)),
        ("185", Estimate.parse("185", Unit.FAMILIES)),
        ({"raw": "about 185"}, Estimate.parse("about 185", Unit.FAMILIES)),
    ],
)
def test_families_without_a_unit_count_families(families: object, expected: Estimate) -> None:
    """In "families" a count that names no unit counts families, as the field says."""
    event = event_from_dict(change(OPERATION, people={"families": families}))
    assert isinstance(event, OperationReported)
    assert expected == event.people.families


def test_families_that_name_people_are_refused() -> None:
    """An explicit unit of people in "families" is an error naming the field, not a guess."""
    with pytest.raises(ValidationError, match=r"people\.families: .*counts families"):
        event_from_dict(change(OPERATION, people={"families": {"best": 5, "unit": "people"}}))


def test_dates_keep_their_words_in_an_object() -> None:
    """A date with report words is {"value": ISO text, "raw": words} and reads back so."""
    payload = change(OPERATION, date={"value": "2023-08-30", "raw": "Wednesday"})
    event = event_from_dict(payload)
    assert isinstance(event, OperationReported)
    assert FuzzyDate.day(event.date.earliest, "Wednesday") == event.date  # type: ignore[arg-type]
    assert payload["date"] == event_to_dict(event)["date"]


# -- upcasting -------------------------------------------------------------------------------------
def test_schema_1_payloads_read_as_schema_2() -> None:
    """Golden file: schema-1 qualifier names and as_of read as the schema-2 events."""
    old = read_jsonl(DATA / "schema-1.jsonl")
    new = read_jsonl(DATA / "schema-1.upcast.jsonl")
    assert new == old
    expected_lines = (DATA / "schema-1.upcast.jsonl").read_bytes().splitlines()
    assert expected_lines == [dumps_event(e) for e in old]


def test_schema_1_more_than_and_as_of_become_at_least_and_until() -> None:
    """A v1 cumulative claim "more-than 600 as_of 2023-08-30" is at least 600 until that day."""
    payload = {
        "type": "cumulative-total-reported",
        "version": 1,
        "source": {"publisher": "AKIpress"},
        "country": "KGZ",
        "people": {"total": {"best": 600, "qualifier": "more-than"}},
        "as_of": "2023-08-30",
    }
    event = event_from_dict(payload)
    assert isinstance(event, CumulativeTotalReported)
    expected = (People(total=Estimate(600, 600, None, Qualifier.AT_LEAST)), "2023-08-30")
    assert expected == (event.people, event.until.to_text())


def test_schema_2_rejects_the_schema_1_names() -> None:
    """Without version 1, as_of is an unknown field and more-than an unknown qualifier."""
    with pytest.raises(ValidationError) as caught:
        event_from_dict(
            {
                "type": "cumulative-total-reported",
                "source": {"publisher": "AKIpress"},
                "country": "KGZ",
                "people": {"total": {"best": 600, "qualifier": "more-than"}},
                "as_of": "2023-08-30",
            }
        )
    fields = {p.field for p in caught.value.problems}
    assert {"as_of"} <= fields or {"people.total"} <= fields


def test_the_schema_version_is_2() -> None:
    """The library writes schema 2; bumping it needs an upcaster and a golden file."""
    assert 2 == SCHEMA_VERSION


# -- validation ------------------------------------------------------------------------------------
def test_the_table_of_bad_inputs_is_large() -> None:
    """At least 30 kinds of bad input are pinned."""
    assert len(BAD_INPUTS) >= 30


@pytest.mark.parametrize("case", BAD_INPUTS + KNOWN_GAPS)
def test_bad_input_is_rejected_naming_the_field(case: BadInput) -> None:
    """Each bad payload raises ValidationError whose problem names the field and the rule."""
    with pytest.raises(ValidationError) as caught:
        event_from_dict(case.payload)
    problems = {p.field: p for p in caught.value.problems}
    assert case.field in problems, str(caught.value)
    assert case.rule in problems[case.field].rule
    if case.field:
        assert f"{case.field}:" in str(caught.value)


def test_a_line_number_is_named_when_given() -> None:
    """event_from_dict(..., line=7) locates every problem at line 7."""
    with pytest.raises(ValidationError) as caught:
        event_from_dict(change(OPERATION, country="Atlantis", ordinal=0), line=7)
    assert {7} == {p.line for p in caught.value.problems}
    assert str(caught.value).startswith("line 7: ")


def test_every_problem_of_a_payload_is_reported() -> None:
    """Several bad fields in one payload are all reported, not only the first."""
    payload = change(OPERATION, date_role="landing", ordinal="3", notes=5, colour="red")
    with pytest.raises(ValidationError) as caught:
        event_from_dict(payload)
    assert {"date_role", "ordinal", "notes", "colour"} <= {p.field for p in caught.value.problems}
