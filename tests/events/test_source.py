"""Sources: speaker kinds in any spelling, publication dates, the outlet a claim started from."""

from __future__ import annotations

import datetime as dt

import pytest

from repatevents import FuzzyDate, Source, SpeakerKind, ValidationError


@pytest.mark.parametrize(
    "spelling",
    ["camp-administration", "Camp administration", "CAMP_ADMINISTRATION", " camp administration "],
)
def test_a_speaker_kind_is_read_in_any_spelling(spelling: str) -> None:
    """What a spreadsheet user types names the kind, whatever its case and separators."""
    assert (
        SpeakerKind.CAMP_ADMINISTRATION == Source("Camp Press", speaker_kind=spelling).speaker_kind
    )


def test_an_unknown_speaker_kind_names_the_field_the_value_and_the_kinds() -> None:
    """The error lists the allowed values, so the fix is in the message."""
    with pytest.raises(ValidationError) as raised:
        Source("Camp Press", speaker_kind="journalist")
    assert ("speaker_kind", "journalist") == (raised.value.field, raised.value.value)
    assert "'camp-administration'" in raised.value.rule


def test_a_publication_date_is_converted_and_must_name_its_year() -> None:
    """A date or ISO text becomes a fuzzy date; words without a year cannot anchor anything."""
    published = FuzzyDate.day(dt.date(2021, 6, 1))
    assert published == Source("AFP", published=dt.date(2021, 6, 1)).published
    assert published == Source("AFP", published="2021-06-01").published
    with pytest.raises(ValidationError) as raised:
        Source("AFP", published="last week")
    assert "published" == raised.value.field


def test_a_claim_starts_from_the_last_outlet_it_came_through() -> None:
    """Ten outlets carrying one wire story share its origin outlet; a lone outlet is its own."""
    assert "AFP" == Source("The New Arab", via=("Anadolu", "AFP")).origin_outlet
    assert "AFP" == Source("The New Arab", via="AFP").origin_outlet
    assert "The New Arab" == Source("The New Arab").origin_outlet


@pytest.mark.parametrize("publisher", ["", "   "])
def test_a_source_names_its_publisher(publisher: str) -> None:
    """An empty publisher is refused: a figure nobody published cannot be traced."""
    with pytest.raises(ValidationError, match="must be non-empty text"):
        Source(publisher)
