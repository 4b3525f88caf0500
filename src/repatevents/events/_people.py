"""People: a reported group as a total and a breakdown, each part an estimate or absent.

Absent means the source did not say; it is never read as zero. A breakdown that does not add up
is a fact about the source, kept as reported and shown by the data-quality projection.
"""

from __future__ import annotations

import operator
from typing import Any

import attrs

from ..errors import FieldProblem, ValidationError
from ._estimate import Estimate, Unit

__all__ = ["CATEGORIES", "People"]

#: The breakdown categories, in the order tables show them.
CATEGORIES: tuple[str, ...] = (
    "adults",
    "women",
    "men",
    "children",
    "girls",
    "boys",
    "orphans",
    "unknown",
)


def _estimate_of(value: object, field: str, unit: Unit = Unit.PEOPLE) -> Estimate | None:
    """Return a count as an estimate; a count that cannot be one is refused naming ``field``.

    Plain integers are an exact estimate and report words (``"over 600"``) a qualified one, in
    ``unit`` unless the words name another ("700 people" in ``families`` stays people, for the
    field's validator to refuse).
    """
    if value is None or isinstance(value, Estimate):
        return value
    if isinstance(value, bool):
        raise _refusal(field, value, "a count is a whole number, not true or false")
    if isinstance(value, int):
        try:
            return Estimate.exact(value, unit)
        except ValidationError as exc:  # it names Estimate's field (best), not this one
            raise _refusal(field, value, exc.rule) from None
    if isinstance(value, str):
        try:
            return Estimate.parse(value, default_unit=unit)
        except ValueError as exc:
            raise _refusal(field, value, str(exc)) from None
    if isinstance(value, float) and value.is_integer():
        raise _refusal(
            field, value, f"a count is a whole number: write {int(value)}, not {value!r}"
        )
    raise _refusal(
        field, value, "a count is a whole number, report words ('over 600') or an Estimate"
    )


def _refusal(field: str, value: object, rule: str) -> ValidationError:
    return ValidationError(FieldProblem(field, value, rule))


# One converter per field, so that an error names the field it was given as. Each returns an
# Estimate (or None) at once: stored groups and every attrs.evolve pass through.
def _to_total(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "total")


def _to_families(value: Estimate | int | str | None) -> Estimate | None:
    # A bare number in the families field counts families: that is what the field is for.
    return _estimate_of(value, "families", Unit.FAMILIES)


def _to_adults(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "adults")


def _to_women(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "women")


def _to_men(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "men")


def _to_children(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "children")


def _to_girls(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "girls")


def _to_boys(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "boys")


def _to_orphans(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "orphans")


def _to_unknown(value: Estimate | int | str | None) -> Estimate | None:
    return _estimate_of(value, "unknown")


def _people_unit(instance: Any, attribute: attrs.Attribute[Any], value: Estimate | None) -> None:
    if value is not None and value.unit is not Unit.PEOPLE:
        rule = "counts people; put a count of families in 'families'"
        raise ValidationError(FieldProblem(attribute.name, str(value), rule))


def _family_unit(instance: Any, attribute: attrs.Attribute[Any], value: Estimate | None) -> None:
    if value is not None and value.unit is not Unit.FAMILIES:
        rule = "counts families; put a count of people in 'total' or a breakdown category"
        raise ValidationError(FieldProblem(attribute.name, str(value), rule))


@attrs.frozen
class People:
    """A group of people as reported: a total, a count of families, and a breakdown.

    Every field is an :class:`Estimate` or ``None`` (not reported). Integers and report words
    are converted: ``People(total=95, women=31, children=64)``,
    ``People(total="over 600")``; in ``families`` they count families
    (``People(families=174)``). At least one field must be given. Anything else (a float, a
    negative number, words that name no number, no field at all) is a
    :class:`~repatevents.errors.ValidationError` naming the field as given (``total``).

    Attributes:
        total: everyone in the group.
        families: households, as Iraq reports its batches (unit: families).
        adults, women, men, children, girls, boys, orphans, unknown: the breakdown.
    """

    total: Estimate | None = attrs.field(default=None, converter=_to_total, validator=_people_unit)
    families: Estimate | None = attrs.field(
        default=None, converter=_to_families, validator=_family_unit
    )
    adults: Estimate | None = attrs.field(
        default=None, converter=_to_adults, validator=_people_unit
    )
    women: Estimate | None = attrs.field(default=None, converter=_to_women, validator=_people_unit)
    men: Estimate | None = attrs.field(default=None, converter=_to_men, validator=_people_unit)
    children: Estimate | None = attrs.field(
        default=None, converter=_to_children, validator=_people_unit
    )
    girls: Estimate | None = attrs.field(default=None, converter=_to_girls, validator=_people_unit)
    boys: Estimate | None = attrs.field(default=None, converter=_to_boys, validator=_people_unit)
    orphans: Estimate | None = attrs.field(
        default=None, converter=_to_orphans, validator=_people_unit
    )
    unknown: Estimate | None = attrs.field(
        default=None, converter=_to_unknown, validator=_people_unit
    )

    def __attrs_post_init__(self) -> None:
        if _figures(self) == _NONE_GIVEN:
            rule = (
                "a group of people needs at least one reported figure: a total, families or "
                f"one of {', '.join(CATEGORIES)}"
            )
            raise ValidationError(FieldProblem("", None, rule))

    def category(self, name: str) -> Estimate | None:
        """Return the estimate for ``total``, ``families`` or a breakdown category."""
        if name not in _FIELDS:
            raise KeyError(f"{name!r} is not a category; expected one of {', '.join(_FIELDS)}")
        value: Estimate | None = getattr(self, name)
        return value

    def reported(self) -> dict[str, Estimate]:
        """Return the figures the source gave, by category name, in table order."""
        return {name: value for name in _FIELDS if (value := getattr(self, name)) is not None}


_FIELDS: tuple[str, ...] = ("total", "families", *CATEGORIES)
# Every group of people is checked for a figure as it is built, a million times in a replay:
# one C call fetches them all.
_figures = operator.attrgetter(*_FIELDS)
_NONE_GIVEN = (None,) * len(_FIELDS)
