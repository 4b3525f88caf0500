"""People: a reported group as a total and a breakdown, each part an estimate or absent.

Absent means the source did not say; it is never read as zero. A breakdown that does not add up
is a fact about the source, kept as reported and shown by the data-quality projection.
"""

from __future__ import annotations

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


def _to_estimate(value: Estimate | int | str | None) -> Estimate | None:
    # Plain integers are accepted wherever an exact estimate is meant, and report words
    # ("over 600") wherever a qualified one is.
    if value is None or isinstance(value, Estimate):
        return value
    if isinstance(value, bool):
        raise TypeError(f"a count must be a whole number, got {value!r}")
    if isinstance(value, int):
        return Estimate.exact(value)
    if isinstance(value, str):
        return Estimate.parse(value)
    raise TypeError(f"a count must be a whole number, report text or Estimate, got {value!r}")


def _to_family_estimate(value: Estimate | int | str | None) -> Estimate | None:
    # A bare number in the families field counts families: that is what the field is for.
    # Words that name another unit ("700 people") stay people, for the validator to refuse.
    if isinstance(value, int) and not isinstance(value, bool):
        return Estimate.exact(value, Unit.FAMILIES)
    if isinstance(value, str):
        return Estimate.parse(value, default_unit=Unit.FAMILIES)
    return _to_estimate(value)


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
    (``People(families=174)``). At least one field must be given.

    Attributes:
        total: everyone in the group.
        families: households, as Iraq reports its batches (unit: families).
        adults, women, men, children, girls, boys, orphans, unknown: the breakdown.
    """

    total: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    families: Estimate | None = attrs.field(
        default=None, converter=_to_family_estimate, validator=_family_unit
    )
    adults: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    women: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    men: Estimate | None = attrs.field(default=None, converter=_to_estimate, validator=_people_unit)
    children: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    girls: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    boys: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    orphans: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )
    unknown: Estimate | None = attrs.field(
        default=None, converter=_to_estimate, validator=_people_unit
    )

    def __attrs_post_init__(self) -> None:
        if all(getattr(self, name) is None for name in ("total", "families", *CATEGORIES)):
            raise ValueError("a group of people needs at least one reported figure")

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
