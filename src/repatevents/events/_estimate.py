"""Estimates: a reported number with its range, qualifier, unit and the words it came from.

The model follows UCDP (low / best / high) and IDMC (a quantifier and a unit): "over 600" is not
600, and "185 families" is not 185 people.
"""

from __future__ import annotations

import enum
import itertools
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
        """Read a figure as a report words it.

        Read: a number (``"95"``, ``"43,000"``, ``"43 000"``, or words: ``"four"``,
        ``"twenty-one"``, ``"a dozen"``, ``"two hundred"``); a qualifier before it; a range
        (``"between 30 and 40"``, ``"30-40"``, ``"30 to 40"``, ``"around 30 to 40"``); and after
        it the words naming who is counted (``"95 women and children"``, ``"about 3,000
        Iraqis"``, ``"185 families"``, ``"50 Iraqi families"``).

        * "Over", "more than", "at least", "just over", "no fewer than", "not less than" and a
          trailing ``+`` (``"600+"``) give an estimate with no upper bound whose low and best
          are the stated number.
        * "Up to", "at most", "fewer than", "under", "just under", "as many as", "not more than"
          give low 0 and the number as best and high.
        * "Around", "about", "nearly", "some", "an estimated", ``"~40"`` keep the number as
          best, low and high (the qualifier records the vagueness; the projections read it by one
          rule, 10% either side, see ``docs/concepts.md``); with
          a range (``"about 30-40"``) the qualifier is ``RANGE``.
        * "A total of 95" and "95 in total" are the exact number.
        * The words after the number are plain words (no digits, no brackets). When they name
          families or households (``"50 Iraqi families"``) the unit is families; otherwise, when
          there are any, people (``"family members"`` are people). Words that change what the
          number means are refused rather than read: ``"100 or so"``, ``"5 thousand"``,
          ``"40 percent"``, ``"3 flights"``, ``"2 years"``.

        Nothing is guessed: "dozens", "several" and "many" name no number; ``"43.000"`` may be
        43 (a decimal point) or 43,000 (a separator); words that name both families and people
        (``"95 women from Iraqi families"``) are ambiguous; words with several figures
        (``"four women and 13 children"``) are not one estimate. Each is a ``ValueError`` naming
        the text and why. The original text is kept in ``raw``.

        Args:
            text: the report's words.
            unit: the unit, whatever the words say.
            default_unit: the unit when the words name none ("185" in a column of families).

        Raises:
            ValueError: the text holds no number this parser understands, or words that make
                the figure ambiguous.
            TypeError: ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise TypeError(f"an estimate text must be a string, got {text!r}")
        try:
            return cls._parse(text, unit, default_unit)
        except ValueError:
            # Whatever broke, words with several figures need each in its own field.
            several = several_figures_rule(text, "field")
            if several is None:
                raise
            raise ValueError(f"{text!r} {several}") from None

    @classmethod
    def _parse(cls, text: str, unit: Unit | None, default_unit: Unit) -> Estimate:
        words = " ".join(text.strip().lower().split())
        # "~40" is "~ 40"; "a total of 95" and "95 in total" are 95.
        words = _TILDE.sub("~ ", words)
        words = _TOTAL_SUFFIX.sub("", _TOTAL_PREFIX.sub("", words))
        qualifier, words = _qualifier_prefix(words)
        figure, noun = _split_noun(words)
        found_unit = default_unit if not noun else _noun_unit(text, noun, check=unit is None)
        if unit is not None:
            found_unit = unit
        range_match = _RANGE.fullmatch(figure)
        if range_match:
            if qualifier not in (None, Qualifier.ABOUT):
                raise ValueError(
                    f"{text!r} qualifies a range: it is unclear whether the bound is the low or "
                    "the high end; write the range, or one bound with its qualifier"
                )
            low, high = _read(text, range_match.group(1)), _read(text, range_match.group(2))
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
        if figure.endswith("+") and qualifier is None:
            # "600+" is how headlines write "over 600".
            n = _read(text, figure[:-1])
            return cls(n, n, None, Qualifier.AT_LEAST, found_unit, text)
        n = _read(text, figure)
        if qualifier is Qualifier.AT_LEAST:
            return cls(n, n, None, qualifier, found_unit, text)
        if qualifier is Qualifier.AT_MOST:
            return cls(n, 0, n, qualifier, found_unit, text)
        if qualifier is Qualifier.ABOUT:
            return cls(n, n, n, qualifier, found_unit, text)
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
            "not fewer than",
            "not less than",
            "just over",
            "just above",
            "just more than",
        ),
        Qualifier.AT_LEAST,
    ),
    (
        (
            "up to",
            "at most",
            "fewer than",
            "less than",
            "no more than",
            "not more than",
            "as many as",
            "under",
            "below",
            "just under",
            "just below",
            "just fewer than",
            "just less than",
        ),
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
# Longest first, so that "just over" is not read as "just" and "over".
_PREFIX_ORDER = sorted(
    ((prefix, qualifier) for prefixes, qualifier in _PREFIXES for prefix in prefixes),
    key=lambda item: -len(item[0]),
)
_TILDE = re.compile(r"^~\s*")
_TOTAL_PREFIX = re.compile(r"^a total of\s+")
_TOTAL_SUFFIX = re.compile(r"\s+in (?:total|all)$")
_RANGE = re.compile(r"(?:between\s+)?([\d,. ]+?)\s*(?:-|–|—|to|and)\s*([\d,. ]+)")
_NUMBER = re.compile(r"\d{1,3}(?:[, ]\d{3})+|\d+")
_DOTTED = re.compile(r"\d{1,3}(?:\.\d{3})+")
_HAS_DIGIT = re.compile(r"\d")
_PLAIN_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")


def _qualifier_prefix(words: str) -> tuple[Qualifier | None, str]:
    """Split "just over 600" into its qualifier and "600"; no qualifier gives None."""
    for prefix, qualifier in _PREFIX_ORDER:
        if words.startswith(prefix + " "):
            return qualifier, words[len(prefix) + 1 :]
    return None, words


def _split_noun(words: str) -> tuple[str, list[str]]:
    """Split "1,500 iraqi nationals" into the figure and the words after it.

    The figure ends at the last word with a digit; with none, it is the longest run of words
    that reads as a number in words ("two hundred and thirty women").
    """
    tokens = words.split()
    with_digits = [i for i, token in enumerate(tokens) if _HAS_DIGIT.search(token)]
    if with_digits:
        end = with_digits[-1] + 1
        return " ".join(tokens[:end]), tokens[end:]
    for end in range(len(tokens), 0, -1):
        if _number_words(" ".join(tokens[:end])) is not None:
            return " ".join(tokens[:end]), tokens[end:]
    return words, []


# Words after a number that say something about the number, not about who is counted.
_QUALIFYING_WORDS = frozenset({
    "or", "so", "more", "less", "fewer", "plus", "odd", "over", "under", "above", "below",
    "about", "around", "approximately", "roughly", "nearly", "almost", "least", "most", "max",
    "maximum", "min", "minimum", "estimated", "only", "exactly", "total", "each", "per",
    "apiece",
})  # fmt: skip
_SCALE_WORDS = frozenset({
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "billion", "dozen",
    "dozens", "k", "m",
})  # fmt: skip
# Nouns that count something other than people or families.
_OTHER_COUNTS = frozenset({
    "percent", "cent", "pc", "percentage", "year", "years", "month", "months", "week", "weeks",
    "day", "days", "hour", "hours", "minute", "minutes", "times", "flight", "flights", "plane",
    "planes", "aircraft", "bus", "buses", "convoy", "convoys", "batch", "batches", "operation",
    "operations", "trip", "trips", "rounds", "group", "groups", "dollars", "euros", "km",
    "kilometres", "kilometers", "miles",
})  # fmt: skip
_FAMILY_PREFIXES = ("famil", "household")
_MEMBER_WORDS = frozenset({"member", "members"})
_PERSON_WORDS = _MEMBER_WORDS | {
    "people", "persons", "person", "individuals", "individual", "women", "woman", "men", "man",
    "children", "child", "kids", "girls", "boys", "orphans", "minors", "adults", "relatives",
    "residents", "returnees", "citizens", "nationals",
}  # fmt: skip


def _noun_unit(text: str, noun: list[str], *, check: bool) -> Unit:
    """Return the unit that the words after the number name; refuse words that change it.

    ``check`` is False when the caller names the unit, so that families-and-people words are
    not an ambiguity.
    """
    words = [word.removesuffix(",") for word in noun]
    phrase = " ".join(noun)
    for word in words:
        if not _PLAIN_WORD.fullmatch(word):
            raise ValueError(
                f"{text!r}: the words after the number ({phrase!r}) are not plain words "
                "naming who is counted"
            )
        if word in _QUALIFYING_WORDS:
            raise ValueError(
                f"{text!r}: {word!r} after the number qualifies it, in a way this parser does "
                "not read; put the qualifier before the number ('about …', 'over …')"
            )
        if word in _SCALE_WORDS or word in _WORD_VALUES:
            raise ValueError(
                f"{text!r}: {word!r} after the number is part of a number; write the whole "
                "number in digits or in words"
            )
        if word in _OTHER_COUNTS:
            raise ValueError(
                f"{text!r}: {word!r} says the number counts something other than people or families"
            )
    if not any(word.startswith(_FAMILY_PREFIXES) for word in words):
        return Unit.PEOPLE
    persons = {word for word in words if word in _PERSON_WORDS}
    if persons and persons <= _MEMBER_WORDS:
        # "95 family members" counts people.
        return Unit.PEOPLE
    if persons and check:
        raise ValueError(
            f"{text!r} names both families and people ({phrase!r}); it is unclear which the "
            "number counts: pass the unit"
        )
    return Unit.FAMILIES


_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
#: The tens in words, as the parser reads them ("twenty" … "ninety"); the sheets' ordinal reader
#: builds on them.
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUES: dict[str, int] = dict(zip(_UNITS, range(20), strict=True)) | {
    word: 10 * tens for tens, word in enumerate(TENS, 2)
}
_WORD_SCALES: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1000}
# Quantities that name no number; they are refused, never turned into one.
_VAGUE_WORDS = frozenset({
    "dozens", "several", "many", "hundreds", "thousands", "scores", "few", "numerous",
    "countless",
})  # fmt: skip


def _read(text: str, figure: str) -> int:
    """Read the number of ``figure``; an error names the whole ``text`` when it differs."""
    try:
        return _number(figure)
    except ValueError as exc:
        if figure.strip() == " ".join(text.lower().split()):
            raise
        raise ValueError(f"{text!r}: {exc}") from None


def _number(text: str) -> int:
    text = text.strip()
    match = _NUMBER.fullmatch(text)
    if match:
        return int(text.replace(",", "").replace(" ", ""))
    words = _number_words(text)
    if words is None:
        if _DOTTED.fullmatch(text):
            raise ValueError(
                f"{text!r} is not a whole number this parser reads: the dot may be a decimal "
                "point or a thousands separator; write it with a comma or with no separator"
            )
        if _VAGUE_WORDS.intersection(text.split()):
            raise ValueError(f"{text!r} is not a whole number: it names no number to record")
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


# -- words that hold several figures --------------------------------------------------------------
# Words between two numbers that still make one figure: a range ("30 to 40") or a number in
# words ("two hundred and thirty").
_CONNECTORS = frozenset({"and", "to", "or", "between", "-", "–", "—"})
# Words that end the description of one figure rather than belong to it ("3 buses with 40").
_LINKING_WORDS = _CONNECTORS | {"with", "of", "from", "in", "including", "plus", "among"}
# The field of People a noun after a number belongs in.
_FIELD_OF_NOUN: dict[str, str] = {
    **dict.fromkeys(("people", "persons", "person", "individuals", "individual"), "total"),
    **dict.fromkeys(("families", "family", "households", "household"), "families"),
    **dict.fromkeys(("adults", "adult"), "adults"),
    **dict.fromkeys(("women", "woman"), "women"),
    **dict.fromkeys(("men", "man"), "men"),
    **dict.fromkeys(("children", "child", "kids", "minors"), "children"),
    **dict.fromkeys(("girls", "girl"), "girls"),
    **dict.fromkeys(("boys", "boy"), "boys"),
    **dict.fromkeys(("orphans", "orphan"), "orphans"),
}


def _number_token(token: str) -> bool:
    if _HAS_DIGIT.search(token):
        return True
    parts = token.split("-")
    return all(part in _WORD_VALUES or part in _WORD_SCALES for part in parts)


def _number_runs(tokens: list[str]) -> list[tuple[int, int]]:
    """Return the spans of ``tokens`` that are numbers: "13", "two hundred and thirty"."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        scale_next = i + 1 < len(tokens) and tokens[i + 1] in _WORD_SCALES
        if not (_number_token(tokens[i]) or (tokens[i] in ("a", "an") and scale_next)):
            i += 1
            continue
        end = i + 1
        while end < len(tokens):
            word_and_word = (
                tokens[end] == "and"
                and end + 1 < len(tokens)
                and not _HAS_DIGIT.search(tokens[end - 1] + tokens[end + 1])
                and _number_token(tokens[end + 1])
            )
            if not (_number_token(tokens[end]) or word_and_word):
                break
            end += 2 if word_and_word else 1
        runs.append((i, end))
        i = end
    return runs


def several_figures_rule(text: str, place: str) -> str | None:
    """Return why ``text`` is not one figure when it holds several, or None when it does not.

    "four women and 13 children" holds two figures, women and children, each for its own
    ``place`` (a field of People, a column of a sheet); "30 to 40" and "two hundred and thirty"
    are one figure each. The rule reads after the text: "'…' holds more than one number …".
    """
    shown = [token.strip(",;:()") for token in text.split()]
    shown = [token for token in shown if token]
    tokens = [token.lower() for token in shown]
    runs = _number_runs(tokens)
    gaps = [tokens[end:start] for (_, end), (start, _) in itertools.pairwise(runs)]
    if not any(set(gap) - _CONNECTORS for gap in gaps):
        return None
    labels, fields = [], []
    for index, (start, end) in enumerate(runs):
        stop = runs[index + 1][0] if index + 1 < len(runs) else len(tokens)
        words = list(range(end, stop))
        while words and tokens[words[-1]] in _LINKING_WORDS:
            words.pop()
        labels.append(" ".join(shown[start : words[-1] + 1 if words else end]))
        field = next((_FIELD_OF_NOUN[tokens[i]] for i in words if tokens[i] in _FIELD_OF_NOUN), "")
        fields.append(field)
    named = f" ({', '.join(fields)})" if all(fields) and len(set(fields)) == len(fields) else ""
    return (
        f"holds more than one number ({', '.join(labels)}); an estimate is one figure: give "
        f"each figure its own {place}{named}"
    )
