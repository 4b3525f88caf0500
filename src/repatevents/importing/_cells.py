"""Cells of an operations sheet: what an analyst typed, as the event codec reads it.

Spreadsheets store whole numbers as floats, dates as dates, and people type "95.0", "1,234",
"third", "Camp administration" and "2023-08-30 14:05". Each reader here returns the cell in the
form the JSON Lines codec validates, or raises ``ValueError`` with the rule it breaks, so a
sheet and a JSON file are held to the same rules.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import uuid
from typing import Any

from ..events import TENS, Estimate, several_figures_rule

__all__ = ["MAX_COUNT", "clean", "count", "day", "event_id", "member", "ordinal", "split"]

# The largest count the log can store (a signed 64-bit integer in its JSON).
MAX_COUNT = 2**63 - 1
_WHOLE = re.compile(r"(-?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?")
_ORDINAL_UNITS = (
    *("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"),
    *("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth"),
    *("seventeenth", "eighteenth", "nineteenth"),
)
_ORDINAL_TENS = (
    *("twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth"),
    *("eightieth", "ninetieth"),
)
# "first" to "ninety-ninth": Iraq's batches go past twenty.
_ORDINAL_WORDS: dict[str, int] = {
    **{word: number for number, word in enumerate(_ORDINAL_UNITS, start=1)},
    **{word: 10 * tens for tens, word in enumerate(_ORDINAL_TENS, start=2)},
    **{
        f"{tens_word}-{unit_word}": 10 * tens + unit
        for tens, tens_word in enumerate(TENS, start=2)
        for unit, unit_word in enumerate(_ORDINAL_UNITS[:9], start=1)
    },
}
# The words that name one count column's group of people.
_GROUPS: dict[str, str] = {
    **dict.fromkeys(("adult", "adults"), "adults"),
    **dict.fromkeys(("woman", "women"), "women"),
    **dict.fromkeys(("man", "men"), "men"),
    **dict.fromkeys(("child", "children", "minor", "minors", "kids"), "children"),
    **dict.fromkeys(("girl", "girls"), "girls"),
    **dict.fromkeys(("boy", "boys"), "boys"),
    **dict.fromkeys(("orphan", "orphans", "orphaned"), "orphans"),
}
_ORDINAL_NUMBER = re.compile(r"(-?\d+)(?:st|nd|rd|th|\.0+)?")
_TIMESTAMP = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


def clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        # Spreadsheet programs store whole numbers as floats.
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def count(value: Any, column: str = "total") -> Any:
    """Return a count cell as the codec reads it: a whole number, or report words.

    Words that name one group of people other than the column's ("five orphans" under
    ``total``) are refused: the figure would count in the wrong column, the words kept only as
    the report's text.
    """
    if isinstance(value, str):
        number = _WHOLE.fullmatch(value)
        if number is None:
            try:
                estimate = Estimate.parse(value)
            except ValueError:
                several = several_figures_rule(value, "column")
                if several is not None:
                    raise ValueError(f"the cell {several}") from None
                return value  # the codec refuses it with its own rule
            if max(estimate.best, estimate.high or 0) > MAX_COUNT:
                raise ValueError(f"too large to be a count (at most {MAX_COUNT:,})")
            _refuse_other_group(value, column)
            return value
        # A signed whole number is a number, so that "-31" is refused as negative, not as words.
        value = int(number[1] + number[2].replace(",", ""))
    if isinstance(value, float):
        raise ValueError(f"{value!r} is not a whole number")
    if type(value) is int and value > MAX_COUNT:
        raise ValueError(f"too large to be a count (at most {MAX_COUNT:,})")
    return value


def _refuse_other_group(text: str, column: str) -> None:
    named = {_GROUPS[word] for word in re.findall(r"[a-z]+", text.lower()) if word in _GROUPS}
    if len(named) != 1 or column in named or column == "families":
        return
    (group,) = named
    if column == "orphans" and group in ("children", "girls", "boys"):
        return  # orphans are children: the words say which
    also = ""
    if column == "total":
        also = " (and in total too, if they are everyone the report counts)"
    raise ValueError(
        f"the words count {group}, not {column}: put the figure in the {group!r} column{also}"
    )


def ordinal(value: Any) -> int:
    if type(value) is int:
        found: int | None = value
    else:
        text = str(value).strip().lower()
        number = _ORDINAL_NUMBER.fullmatch(text)
        # "Twenty first" and "twenty_first" are "twenty-first".
        words = "-".join(re.split(r"[\s_-]+", text))
        found = int(number[1]) if number else _ORDINAL_WORDS.get(words)
    if found is None or not 1 <= found <= MAX_COUNT:
        raise ValueError(
            "an ordinal counts operations from 1: 3, '3rd' or 'third' (words from 'first' to "
            "'ninety-ninth')"
        )
    return found


def event_id(value: Any) -> uuid.UUID:
    """Return the id of a recorded event, as ``repatevents events`` prints it."""
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValueError(
            "the id of a recorded report: a UUID such as '9fb087d0-937b-5ce0-8427-2df27f4174eb' "
            "(`repatevents events` lists them)"
        ) from None


def member(value: Any, kind: type[enum.Enum]) -> str:
    text = "-".join(re.split(r"[\s_-]+", str(value).strip().lower()))
    allowed = [str(member.value) for member in kind]
    if text not in allowed:
        raise ValueError(f"one of {', '.join(allowed)}")
    return text


def day(value: Any) -> Any:
    """Return a timestamp ("2023-08-30T14:05:00Z") as the day it names, as written."""
    stamp = _TIMESTAMP.fullmatch(value) if isinstance(value, str) else None
    return stamp[1] if stamp else value


def split(value: Any) -> Any:
    return (
        [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, str)
        else value
    )
