"""Estimates: a reported number with its range, qualifier, unit and the words it came from.

The model follows UCDP (low / best / high) and IDMC (a quantifier and a unit): "over 600" is not
600, and "185 families" is not 185 people.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

from ..errors import FieldProblem, ValidationError

__all__ = ["Estimate", "Qualifier", "Unit"]


class Qualifier(enum.Enum):
    """How the source qualified its number."""

    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at-least"
    AT_MOST = "at-most"
    RANGE = "range"


class Unit(enum.Enum):
    """What the number counts."""

    PEOPLE = "people"
    FAMILIES = "families"


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is None:
        return
    # bool is an int subclass; True as a count is always a mistake.
    if type(value) is not int:
        raise ValidationError(FieldProblem(attribute.name, value, "a whole number"))
    if value < 0:
        raise ValidationError(FieldProblem(attribute.name, value, "counts are never below zero"))


@attrs.frozen
class Estimate:
    """A reported count: ``best`` within ``low`` .. ``high``, as the source qualified it.

    Invariants: ``0 <= low <= best <= high``; ``high`` is ``None`` when the source gave no upper
    bound ("at least 600"). Build one with :meth:`exact` or :meth:`parse` rather than by hand.

    Attributes:
        best: the number to use when one number is wanted.
        low: the smallest value consistent with the report.
        high: the largest value consistent with the report, or ``None`` for no upper bound.
        qualifier: exact, about, at least, at most, or a range.
        unit: people or families.
        raw: the words of the report, such as ``"over 600"``, when they matter.
    """

    best: int = attrs.field(validator=_non_negative)
    low: int = attrs.field(validator=_non_negative)
    high: int | None = attrs.field(validator=_non_negative)
    qualifier: Qualifier = attrs.field(
        default=Qualifier.EXACT, validator=attrs.validators.instance_of(Qualifier)
    )
    unit: Unit = attrs.field(default=Unit.PEOPLE, validator=attrs.validators.instance_of(Unit))
    raw: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )

    def __attrs_post_init__(self) -> None:
        if self.low > self.best:
            raise ValueError(f"low ({self.low}) must not exceed best ({self.best})")
        if self.high is not None and self.best > self.high:
            raise ValueError(f"best ({self.best}) must not exceed high ({self.high})")
        if self.qualifier is Qualifier.EXACT and not (self.low == self.best == self.high):
            raise ValueError(
                f"an exact estimate has low == best == high, got {self.low}/{self.best}/{self.high}"
            )
        if self.qualifier is Qualifier.AT_LEAST and self.high is not None:
            raise ValueError("an 'at least' estimate has no upper bound (high must be None)")

    @classmethod
    def exact(cls, n: int, unit: Unit = Unit.PEOPLE) -> Estimate:
        """Return the estimate of a number reported without qualification.

        Raises:
            ValueError: ``n`` is negative.
            TypeError: ``n`` is not an int.
        """
        return cls(best=n, low=n, high=n, unit=unit)

    @classmethod
    def parse(
        cls, text: str, unit: Unit | None = None, *, default_unit: Unit = Unit.PEOPLE
    ) -> Estimate:
        """Read a figure as a report words it: ``"95"``, ``"over 600"``, ``"around 60"``,
        ``"up to 50"``, ``"between 30 and 40"``, ``"30-40"``, ``"185 families"``, ``"43,000"``,
        ``"600+"``, ``"four"``, ``"twenty-one"``, ``"a dozen"``, ``"two hundred"``.

        "Over", "more than" and "at least" give an estimate with no upper bound whose low and best
        are the stated number; "around", "about", "nearly", "some" keep the number as best, low and
        high (the qualifier records the vagueness; no margin is invented); "up to", "fewer than"
        and "at most" give low 0. Numbers may be written in English words, as reports write small
        ones. The original text is kept in ``raw``.

        Args:
            text: the report's words.
            unit: the unit, whatever the words say.
            default_unit: the unit when the words name none ("185" in a column of families).

        Raises:
            ValueError: the text holds no number this parser understands.
        """
        if not isinstance(text, str):
            raise TypeError(f"an estimate text must be a string, got {text!r}")
        words = " ".join(text.strip().lower().split())
        found_unit = default_unit
        unit_match = _UNIT_SUFFIX.search(words)
        if unit_match:
            named = unit_match.group(1)
            found_unit = Unit.FAMILIES if named.startswith(("famil", "household")) else Unit.PEOPLE
            words = words[: unit_match.start()].strip()
        if unit is not None:
            found_unit = unit
        range_match = _RANGE.fullmatch(words)
        if range_match:
            low, high = _number(range_match.group(1)), _number(range_match.group(2))
            if low > high:
                raise ValueError(f"range {text!r} has its bounds the wrong way round")
            return cls(
                best=(low + high) // 2,
                low=low,
                high=high,
                qualifier=Qualifier.RANGE,
                unit=found_unit,
                raw=text,
            )
        if words.endswith("+"):
            # "600+" is how headlines write "over 600".
            n = _number(words[:-1])
            return cls(n, n, None, Qualifier.AT_LEAST, found_unit, text)
        for prefixes, qualifier in _PREFIXES:
            for prefix in prefixes:
                if words.startswith(prefix + " "):
                    n = _number(words[len(prefix) + 1 :])
                    if qualifier is Qualifier.AT_LEAST:
                        return cls(n, n, None, qualifier, found_unit, text)
                    if qualifier is Qualifier.AT_MOST:
                        return cls(n, 0, n, qualifier, found_unit, text)
                    return cls(n, n, n, qualifier, found_unit, text)
        n = _number(words)
        return cls(n, n, n, Qualifier.EXACT, found_unit, text)

    @property
    def bounded(self) -> bool:
        """Whether the estimate has an upper bound."""
        return self.high is not None

    def __str__(self) -> str:
        if self.raw:
            return self.raw
        if self.qualifier is Qualifier.EXACT:
            text = str(self.best)
        elif self.qualifier is Qualifier.AT_LEAST:
            text = f"at least {self.low}"
        elif self.qualifier is Qualifier.AT_MOST:
            text = f"at most {self.high}"
        elif self.qualifier is Qualifier.ABOUT:
            text = f"about {self.best}"
        else:
            text = f"{self.low}-{self.high}"
        return text if self.unit is Unit.PEOPLE else f"{text} families"


_PREFIXES: tuple[tuple[tuple[str, ...], Qualifier], ...] = (
    (
        (
            "more than",
            "over",
            "at least",
            "in excess of",
            "upwards of",
            "no fewer than",
            "no less than",
        ),
        Qualifier.AT_LEAST,
    ),
    (
        ("up to", "at most", "fewer than", "less than", "no more than", "under", "below"),
        Qualifier.AT_MOST,
    ),
    (
        (
            "around",
            "about",
            "approximately",
            "roughly",
            "nearly",
            "almost",
            "some",
            "an estimated",
            "estimated",
            "close to",
            "approx.",
            "approx",
            "~",
            "c.",
            "circa",
        ),
        Qualifier.ABOUT,
    ),
)
_UNIT_SUFFIX = re.compile(
    r"\s*\b(families|family|households|household|people|persons|individuals|citizens|nationals)$"
)
_RANGE = re.compile(r"(?:between\s+)?([\d,. ]+?)\s*(?:-|–|—|to|and)\s*([\d,. ]+)")
_NUMBER = re.compile(r"\d{1,3}(?:[, ]\d{3})+|\d+")


_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUES: dict[str, int] = dict(zip(_UNITS, range(20), strict=True)) | {
    word: 10 * tens for tens, word in enumerate(_TENS, 2)
}
_WORD_SCALES: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1000}


def _number(text: str) -> int:
    text = text.strip()
    match = _NUMBER.fullmatch(text)
    if match:
        return int(text.replace(",", "").replace(" ", ""))
    words = _number_words(text)
    if words is None:
        raise ValueError(f"{text!r} is not a whole number")
    return words


def _number_words(text: str) -> int | None:
    """Read "four", "twenty-one", "a dozen", "two hundred and thirty", or return None."""
    tokens = [token for token in re.split(r"[\s-]+", text) if token and token != "and"]
    if len(tokens) > 1 and tokens[0] in ("a", "an") and tokens[1] in _WORD_SCALES:
        tokens[0] = "one"
    if not tokens:
        return None
    total = current = 0
    seen_number = False
    for token in tokens:
        if token in _WORD_VALUES:
            current += _WORD_VALUES[token]
            seen_number = True
        elif token in _WORD_SCALES and seen_number:
            scale = _WORD_SCALES[token]
            if scale == 1000:
                total += max(current, 1) * scale
                current = 0
            else:
                current = max(current, 1) * scale
        else:
            return None
    return total + current
