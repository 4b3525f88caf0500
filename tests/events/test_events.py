"""Events: stable type names, conversion of names to codes, rules, and content-derived ids."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import assume, given

from repatevents import strategies as rst
from repatevents.errors import UnknownCountryError, ValidationError
from repatevents.events import (
    EVENT_TYPES,
    CampStatus,
    CampStatusChanged,
    CumulativeTotalReported,
    DateRole,
    Event,
    FigureAdjudicated,
    FuzzyDate,
    InflowKind,
    InflowReported,
    OperationReported,
    OrdinalScope,
    Origin,
    OutflowKind,
    OutflowReported,
    People,
    PopulationScope,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    SpeakerKind,
    StockObserved,
    event_to_dict,
)

SOURCE = Source(publisher="The New Arab", via=("AFP",))
DAY = FuzzyDate.parse("2023-08-30")
A, B = uuid.UUID(int=1), uuid.UUID(int=2)


def _operation(**changes: Any) -> OperationReported:
    fields: dict[str, Any] = {
        "source": SOURCE,
        "country": "KGZ",
        "people": People(total=95, women=31, children=64),
        "date": DAY,
        "origin": "al-hol",
    }
    fields.update(changes)
    return OperationReported(**fields)


def test_type_names_are_stable() -> None:
    """The type names written in files never change (they are the tagged union's tags)."""
    expected = [
        "operation-reported",
        "cumulative-total-reported",
        "stock-observed",
        "outflow-reported",
        "inflow-reported",
        "reports-linked",
        "figure-adjudicated",
        "report-corrected",
        "report-retracted",
        "camp-status-changed",
    ]
    assert expected == list(EVENT_TYPES)
    assert all(cls.TYPE == name for name, cls in EVENT_TYPES.items())


def test_country_names_and_place_aliases_become_codes_and_ids() -> None:
    """Events store alpha-3 codes and place ids, whatever spelling they were given."""
    event = _operation(country="Kyrgyz Republic", nationality="kaz", origin="Al-Hawl")
    assert ("KGZ", "KAZ", "al-hol") == (event.country, event.nationality, event.origin)
    assert Origin.SYRIA is event.origin_scope


def test_a_plain_count_where_a_group_is_expected_is_the_total() -> None:
    """people=95 and people="over 600" mean the group's total."""
    expected = (People(total=95), People(total="over 600"))
    actual = (_operation(people=95).people, _operation(people="over 600").people)
    assert expected == actual


def test_unknown_country_suggests_the_closest_names() -> None:
    """A misspelt country is an UnknownCountryError naming the field and suggesting the name."""
    with pytest.raises(UnknownCountryError) as caught:
        _operation(nationality="Kyrgyzstn")
    assert "nationality" == caught.value.field
    assert "Kyrgyzstan" in caught.value.suggestions


def test_events_are_frozen() -> None:
    """An event cannot be changed in place; a change is a new event."""
    event = _operation()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.country = "KAZ"  # type: ignore[misc]


@pytest.mark.parametrize("ordinal", [0, -1, True, "3"])
def test_ordinals_count_from_one(ordinal: object) -> None:
    """An ordinal is a whole number from 1 ("the third operation" is 3)."""
    with pytest.raises(ValidationError) as caught:
        _operation(ordinal=ordinal)
    assert "ordinal" == caught.value.field


def test_a_stock_of_nationals_names_its_country_and_only_it_does() -> None:
    """scope nationals needs a country; any other scope must not have one."""
    common: dict[str, Any] = {"source": SOURCE, "place": "roj", "date": DAY, "people": 60}
    assert "KGZ" == StockObserved(scope=PopulationScope.NATIONALS, country="KGZ", **common).country
    for scope, country in ((PopulationScope.NATIONALS, None), (PopulationScope.ALL, "KGZ")):
        with pytest.raises(ValidationError) as caught:
            StockObserved(scope=scope, country=country, **common)
        assert "country" == caught.value.field


def test_counts_per_nationality_are_sorted_codes_with_estimates() -> None:
    """by_nationality converts names to codes and counts to estimates, sorted by code."""
    counts: dict[str, int | str] = {"Russia": 10, "Kazakhstan": "about 20"}
    stock = StockObserved(
        source=SOURCE, place="al-hol", date=DAY, people="more than 43,000", by_nationality=counts
    )
    assert ["KAZ", "RUS"] == [code for code, _ in stock.by_nationality]


@pytest.mark.parametrize("reports", [(A,), (A, A), (A, "not-a-uuid"), ()])
def test_a_link_names_two_or_more_different_reports(reports: tuple[Any, ...]) -> None:
    """A link of fewer than two distinct report ids is rejected, naming the field."""
    with pytest.raises(ValidationError) as caught:
        ReportsLinked(source=SOURCE, reports=reports)
    assert "reports" == caught.value.field


def test_a_correction_replaces_a_report_with_a_report() -> None:
    """The replacement of a correction is a report; a retraction is not one."""
    retraction = ReportRetracted(source=SOURCE, retracts=A)
    with pytest.raises(ValidationError) as caught:
        ReportCorrected(source=SOURCE, supersedes=A, replacement=retraction)  # type: ignore[arg-type]
    assert "replacement" == caught.value.field
    correction = ReportCorrected(source=SOURCE, supersedes=A, replacement=_operation(people=94))
    assert People(total=94) == correction.replacement.people


def test_a_cumulative_total_keeps_its_window() -> None:
    """A cumulative claim records the window's end and start and its origin scope."""
    claim = CumulativeTotalReported(
        source=SOURCE,
        country="KGZ",
        people="over 600",
        until=FuzzyDate.parse("2023"),
        since=FuzzyDate.parse("2019"),
        origin=Origin.SYRIA,
    )
    assert ("2019", "2023", Origin.SYRIA) == (
        claim.since.to_text() if claim.since else None,
        claim.until.to_text(),
        claim.origin,
    )


def test_dates_and_enum_members_may_be_given_as_text() -> None:
    """Dates as ISO / EDTF text or datetime.date, members by their value in any case, convert."""
    operation = _operation(date="2023-08-30", date_role="Handover")
    assert (DAY, DateRole.HANDOVER) == (operation.date, operation.date_role)
    assert _operation(date=DAY, date_role=DateRole.HANDOVER) == operation
    assert DAY == _operation(date=dt.date(2023, 8, 30)).date
    claim = CumulativeTotalReported(
        source=SOURCE, country="KGZ", people=600, until="2023", since="2019-03", origin="SYRIA"
    )
    assert ("2019-03", "2023", Origin.SYRIA) == (
        claim.since.to_text() if claim.since else None,
        claim.until.to_text(),
        claim.origin,
    )
    common: dict[str, Any] = {"source": SOURCE, "place": "al-hol", "date": "2023-05", "people": 3}
    assert PopulationScope.NON_SYRIANS is StockObserved(scope="non-syrians", **common).scope
    assert OutflowKind.ESCAPE is OutflowReported(kind="Escape", **common).kind
    assert InflowKind.BIRTH is InflowReported(kind="birth", **common).kind
    source = Source(publisher="Rudaw", speaker_kind="Camp administration", published="2021-06-01")
    assert (SpeakerKind.CAMP_ADMINISTRATION, FuzzyDate.parse("2021-06-01")) == (
        source.speaker_kind,
        source.published,
    )


def test_values_of_the_right_type_are_kept_as_they_are() -> None:
    """A date or member given as such is the very object stored (the converters add nothing)."""
    operation = _operation(date_role=DateRole.ARRIVAL)
    assert (DAY, DateRole.ARRIVAL) == (operation.date, operation.date_role)
    assert operation.date is DAY


_CUMULATIVE: dict[str, Any] = {"source": SOURCE, "country": "KGZ", "people": 600, "until": DAY}


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        (lambda: _operation(date="yesterday"), "date", "need the publication date"),
        (lambda: _operation(date="2023-13"), "date", "no month 13"),
        (lambda: _operation(date=20230830), "date", "a FuzzyDate, a datetime.date, or ISO"),
        (lambda: _operation(date=dt.datetime(2023, 8, 30)), "date", "not a datetime"),
        (
            lambda: _operation(date_role="landing"),
            "date_role",
            "values 'handover', 'departure', 'arrival'",
        ),
        (lambda: _operation(date_role=3), "date_role", "DateRole values"),
        (lambda: _operation(source="The New Arab"), "source", "a Source"),
        (lambda: CumulativeTotalReported(**_CUMULATIVE, origin="mars"), "origin", "'syria'"),
        (lambda: CumulativeTotalReported(**_CUMULATIVE, since="soon"), "since", "not a date"),
        (lambda: Source(publisher="AFP", published="June"), "published", "names its year"),
        (lambda: Source(publisher="AFP", speaker_kind="army"), "speaker_kind", "'un', 'ngo'"),
    ],
)
def test_wrong_dates_and_members_name_the_field(
    build: Callable[[], object], field: str, message: str
) -> None:
    """A value a date or enum field cannot take is a ValidationError naming field and value."""
    with pytest.raises(ValidationError, match=message) as caught:
        build()
    assert field == caught.value.field


# -- ids -----------------------------------------------------------------------------------------
def test_content_ids_are_stable() -> None:
    """The id derived from content never changes between versions: recorded ids rely on it."""
    event = _operation(date_role=DateRole.ANNOUNCED, facilitators=("United States", "UNICEF"))
    assert uuid.UUID("862fcc2a-85dd-5d9c-98fd-9d1cce162e45") == event.id
    assert 5 == event.id.version


def test_equal_content_gives_equal_ids() -> None:
    """Recording the same report twice (importing a file again) gives the same id."""
    assert _operation().id == _operation().id
    assert _operation(country="Kyrgyzstan").id == _operation(country="KGZ").id


@given(rst.events(), rst.events())
def test_different_content_gives_different_ids(first: Event, second: Event) -> None:
    """Two events with different content and derived ids have different ids."""
    first_content = {k: v for k, v in event_to_dict(first).items() if k != "id"}
    second_content = {k: v for k, v in event_to_dict(second).items() if k != "id"}
    assume(first_content != second_content)
    first = attrs.evolve(first, id=_derived(first))
    second = attrs.evolve(second, id=_derived(second))
    assert first.id != second.id


def _derived(event: Event) -> uuid.UUID:
    values = {a.name: getattr(event, a.name) for a in attrs.fields(type(event)) if a.name != "id"}
    rebuilt: Event = type(event)(**values)
    return rebuilt.id


@pytest.mark.parametrize(
    "change",
    [
        {"people": 94},
        {"date": FuzzyDate.parse("2023-08-31")},
        {"date": attrs.evolve(DAY, raw="Wednesday")},
        {"source": Source(publisher="AFP")},
        {"notes": "a note"},
        {"date_role": DateRole.ARRIVAL},
    ],
)
def test_any_change_of_content_changes_the_id(change: dict[str, Any]) -> None:
    """People, date, the date's words, source, notes and role are all part of the content."""
    assert _operation().id != _operation(**change).id


def test_a_given_id_is_kept() -> None:
    """An id given by the writer is used as it is, not derived."""
    assert A == _operation(id=A).id


def test_an_adjudication_names_a_report_by_uuid() -> None:
    """An adjudication's report that is not a UUID is a ValidationError naming the field."""
    with pytest.raises(ValidationError) as caught:
        FigureAdjudicated(source=SOURCE, report="x", people=95)
    assert ("report", "x") == (caught.value.field, caught.value.value)


# Every field that names an event, with a builder that puts ``value`` in it.
ID_FIELDS: dict[str, Callable[[Any], Event]] = {
    "id": lambda value: _operation(id=value),
    "retracts": lambda value: ReportRetracted(source=SOURCE, retracts=value),
    "supersedes": lambda value: ReportCorrected(
        source=SOURCE, supersedes=value, replacement=_operation()
    ),
    "report": lambda value: FigureAdjudicated(source=SOURCE, report=value, people=95),
    "reports": lambda value: ReportsLinked(source=SOURCE, reports=[B, value]),
}


def _ids_of(event: Event, field: str) -> Any:
    value = getattr(event, field)
    return value[1] if field == "reports" else value


@pytest.mark.parametrize("field", ID_FIELDS)
@pytest.mark.parametrize(
    "text",
    [
        str(A),
        str(A).upper(),
        f"  {A}\n",  # as copied from a terminal
    ],
)
def test_id_fields_take_uuid_text(field: str, text: str) -> None:
    """Every id field takes a UUID as the text `repatevents events --json` prints."""
    assert ID_FIELDS[field](A) == ID_FIELDS[field](text)
    assert A == _ids_of(ID_FIELDS[field](text), field)


@pytest.mark.parametrize("field", ID_FIELDS)
@pytest.mark.parametrize("value", ["949a3238-…", "", 5, None])
def test_id_fields_refuse_what_is_not_a_uuid_naming_the_field(field: str, value: Any) -> None:
    """Text that is not a UUID (a cut id), a number or None is an error naming the field."""
    with pytest.raises(ValidationError) as caught:
        ID_FIELDS[field](value)
    assert (field, value) == (caught.value.field, caught.value.value)
    assert "UUID" in caught.value.rule


def test_an_id_field_keeps_a_uuid_it_is_given() -> None:
    """A UUID given to an id field is kept as the very object (stored events pass through)."""
    assert ReportRetracted(source=SOURCE, retracts=A).retracts is A


def test_a_link_given_text_for_its_reports_names_the_field() -> None:
    """A link's reports given as one text (not a list) is a ValidationError naming reports."""
    with pytest.raises(ValidationError) as caught:
        ReportsLinked(source=SOURCE, reports=str(A))
    assert "reports" == caught.value.field


def test_only_a_transferred_camp_names_an_authority() -> None:
    """A closure naming an authority is refused naming the field, the value and the rule."""
    source = Source(publisher="Camp Press")
    with pytest.raises(ValidationError) as raised:
        CampStatusChanged(
            source=source, place="roj", date="2025-06", status="closed", authority="Damascus"
        )
    assert ("authority", "Damascus") == (
        raised.value.problems[0].field,
        raised.value.problems[0].value,
    )
    assert "'Damascus'" in str(raised.value)
    assert "only a camp transferred" in str(raised.value)
    moved = CampStatusChanged(
        source=source, place="al-hol", date="2025-06", status="Transferred", authority="Damascus"
    )
    assert (CampStatus.TRANSFERRED, "Damascus") == (moved.status, moved.authority)


def test_an_unknown_camp_status_is_refused_with_the_choices() -> None:
    """status="demolished" names the field and the statuses there are."""
    with pytest.raises(ValidationError) as raised:
        CampStatusChanged(
            source=Source(publisher="Camp Press"), place="roj", date="2025", status="demolished"
        )
    assert "'demolished'" in str(raised.value)
    assert "emptied" in str(raised.value)


def test_an_ordinal_scope_needs_its_ordinal_and_a_campaign_its_name() -> None:
    """A scope without an ordinal, or a campaign without an operation name, is refused."""
    fields: dict[str, Any] = {
        "source": SOURCE,
        "country": "KAZ",
        "people": 10,
        "date": "2019",
        "origin": "al-hol",
    }
    with pytest.raises(ValidationError, match="needs the ordinal"):
        OperationReported(**fields, ordinal_scope="year")
    with pytest.raises(ValidationError, match="operation_name"):
        OperationReported(**fields, ordinal=2, ordinal_scope="campaign")
    with pytest.raises(ValidationError, match="'this year'"):
        OperationReported(**fields, ordinal=2, ordinal_scope="this year")
    named = OperationReported(**fields, ordinal=2, ordinal_scope="Campaign", operation_name="Jusan")
    assert OrdinalScope.CAMPAIGN == named.ordinal_scope
