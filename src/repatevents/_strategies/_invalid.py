"""Strategies for invalid input: payloads the validator must reject, and the field to name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from ..events import CATEGORIES, OperationReported, event_to_dict
from ._events import operation_reported

__all__ = ["invalid_event_dicts"]

Mutation = Callable[[DrawFn, dict[str, Any]], tuple[dict[str, Any], str]]


def _negative_count(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    name = draw(st.sampled_from(("total", *CATEGORIES)))
    d["people"] = {**_as_group(d["people"]), name: -draw(st.integers(1, 1000))}
    return d, f"people.{name}"


def _as_group(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {"total": value}


def _low_above_high(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    high = draw(st.integers(0, 500))
    low = high + draw(st.integers(1, 100))
    d["people"] = {
        **_as_group(d["people"]),
        "total": {"best": low, "low": low, "high": high, "qualifier": "range"},
    }
    return d, "people.total"


def _unknown_country(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    d["country"] = draw(st.sampled_from(("Atlantis", "Narnia", "QQQ", "Kyrgyzstann", "Ruritania")))
    return d, "country"


def _unknown_place(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    d["origin"] = draw(st.sampled_from(("atlantis-camp", "al-holl", "camp 99", "")))
    return d, "origin"


def _impossible_date(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    d["date"] = draw(
        st.sampled_from(("2023-02-30", "2023-13", "2021-00", "2019-04-31", "2022-06-31/2022-07-02"))
    )
    return d, "date"


def _wrong_type(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    field, value = draw(
        st.sampled_from(
            (
                ("country", 417),
                ("notes", 5),
                ("ordinal", "3"),
                ("ordinal", True),
                ("date", 20230830),
                ("date_role", 1),
                ("operation_key", ["KGZ-2023"]),
                ("people", [95, 31]),
                ("people", True),
                ("source", "The New Arab"),
                ("id", 12345),
            )
        )
    )
    d[field] = value
    return d, field


def _unknown_type(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    d["type"] = draw(st.sampled_from(("operation-happened", "OperationReported", "", "report")))
    return d, "type"


def _unknown_field(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    name = draw(st.sampled_from(("colour", "counrty", "peopel", "as_of")))
    d[name] = "x"
    return d, name


def _missing_field(draw: DrawFn, d: dict[str, Any]) -> tuple[dict[str, Any], str]:
    name = draw(st.sampled_from(("source", "country", "people", "date", "origin")))
    del d[name]
    return d, name


_MUTATIONS: tuple[Mutation, ...] = (
    _negative_count,
    _low_above_high,
    _unknown_country,
    _unknown_place,
    _impossible_date,
    _wrong_type,
    _unknown_type,
    _unknown_field,
    _missing_field,
)


@st.composite
def _invalid_event_dicts(
    draw: DrawFn, valid: SearchStrategy[OperationReported]
) -> tuple[dict[str, Any], str]:
    mutate = draw(st.sampled_from(_MUTATIONS))
    return mutate(draw, event_to_dict(draw(valid)))


def invalid_event_dicts() -> SearchStrategy[tuple[dict[str, Any], str]]:
    """Draw interchange payloads the validator must reject, with the field it must name.

    Each payload is the dict form of a valid operation report with one thing broken: a
    negative count, low above high, an unknown country or place, an impossible date, a value
    of the wrong type, an unknown event type, an unknown field, or a missing required field.

    Returns:
        A strategy of ``(payload, field)`` pairs: ``event_from_dict(payload)`` raises a
        :class:`~repatevents.errors.ValidationError` one of whose problems has ``field`` as its
        dotted field path.
    """
    return _invalid_event_dicts(operation_reported(max_value=500))
