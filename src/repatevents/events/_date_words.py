"""Report words as fuzzy dates: "7 December", "in March", "last week", "10.01.2024".

:meth:`FuzzyDate.parse <repatevents.events.FuzzyDate.parse>` reads ISO / EDTF text itself and
hands everything else here, with the day the source was published (the anchor) when there is
one. Every rule is the reading a careful analyst would make of a news report; what cannot be
read without a guess (a season, a day counted from the story, a slashed date that could be day
or month first) is refused with the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import attrs

from ._dates import FuzzyDate, Precision, _make_date, _use_word_reader
from ._estimate import _number

__all__ = ["read_words"]

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}


def read_words(text: str, day: dt.date | None) -> FuzzyDate:
    """Return the fuzzy date of a report's words (already stripped), anchored on ``day``.

    Raises:
        ValueError: the words are not a date this module reads; the message says why when
            it can (a season, a day counted from the story, relative words and no anchor).
    """
    numeric = _parse_numeric(text)
    if numeric is not None:
        return attrs.evolve(numeric, raw=text)
    words = " ".join(text.lower().replace(",", " ").split())
    words = _MONTH_DOT.sub(r"\1", words)
    words = _ORDINAL_SUFFIX.sub(r"\1", words)
    words = _DAY_OF_MONTH.sub(r"\1 ", words)
    since = words.startswith("since ")
    words = _LEADING_WORDS.sub("", words.removeprefix("since "))
    value = _parse_span(words, day) or _parse_words(words, day)
    if value is not None and since and value.earliest is not None:
        # "since March 2019" runs from March 2019 until the report (or on, unanchored).
        value = FuzzyDate.between(value.earliest, day)
    if value is None:
        if _SEASON.search(words):
            hint = " (a season is not a date: spring in one hemisphere is autumn in the other)"
        elif _STORY_DAY.search(words):
            hint = " (it counts from a day in the story, not from the publication date)"
        elif _NO_SUCH_PART.search(words):
            hint = " (a year has quarters Q1 to Q4 and halves H1 and H2)"
        elif day is None and _readable_with_anchor(words):
            hint = " (relative words need the publication date)"
        else:
            hint = ""
        raise ValueError(f"{text!r} is not a date this library can read{hint}")
    return attrs.evolve(value, raw=text)


_NO_SUCH_PART = re.compile(r"\b(?:q(?:0|[5-9]|\d\d+)|h(?:0|[3-9]|\d\d+))\b")


def _readable_with_anchor(words: str) -> bool:
    """Whether the words read as a date given some publication date (so they are relative)."""
    anchor = dt.date(2000, 6, 15)
    try:
        return (_parse_span(words, anchor) or _parse_words(words, anchor)) is not None
    except ValueError:
        return True


_NUMERIC = re.compile(r"(\d{1,2})([./])(\d{1,2})\2(\d{4})|(\d{4})/(\d{1,2})/(\d{1,2})")


def _parse_numeric(text: str) -> FuzzyDate | None:
    """Read "2024/01/10", "10.01.2024" (day first, as dotted dates are written) and "14/03/2024".

    A slashed date is read day first only when it cannot be month first (a part above 12, or
    both the same): "03/04/2024" is 3 April in Europe and 4 March in the United States, and
    guessing would move an operation by a month.
    """
    m = _NUMERIC.fullmatch(text)
    if m is None:
        return None
    if m.group(5):
        year, month, day = int(m.group(5)), int(m.group(6)), int(m.group(7))
    else:
        first, separator, second, year = (
            int(m.group(1)),
            m.group(2),
            int(m.group(3)),
            int(m.group(4)),
        )
        if separator == "/" and first != second and first <= 12 and second <= 12:
            raise ValueError(
                f"{text!r} is ambiguous: day first it is {year}-{second:02d}-{first:02d}, month "
                f"first {year}-{first:02d}-{second:02d}; write the date as YYYY-MM-DD"
            )
        day, month = (second, first) if separator == "/" and second > 12 else (first, second)
    return FuzzyDate.day(_make_date(year, month, day, text))


# "7th december" is "7 december"; "on", "in", "mid-", "the end of" … say nothing a fuzzy date keeps.
_ORDINAL_SUFFIX = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
# "the 10 of january" is "10 january".
_DAY_OF_MONTH = re.compile(r"\b(?:the\s+)?(\d{1,2})\s+of\s+")
# "dec. 2021" is "dec 2021" ("dec. 7" already reads).
_MONTH_DOT = re.compile(r"\b(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.")
# Words the parser refuses, with the reason: seasons, and days counted from the story.
_SEASON = re.compile(
    r"\b(?:spring|summer|autumn|winter)\b|^(?:last |this |next |the )?fall(?: \d{4})?$"
)
_STORY_DAY = re.compile(
    r"\b(?:previous|following|next|same) (?:day|night|week|month)\b"
    r"|\b(?:day|night|week) (?:before|after)\b"
)
_LEADING_WORDS = re.compile(
    r"^(?:(?:on|in|during|around|about|early|mid|late|"
    r"(?:the\s+)?(?:start|beginning|middle|end)\s+of)(?:\s+|-))+"
)
_SPAN = re.compile(r"(?:between\s+(.+?)\s+and|from\s+(.+?)\s+(?:to|until|till))\s+(.+)")
_DAY_NUMBER = re.compile(r"\d{1,2}")
_DAY_PAIR = re.compile(r"\b(\d{1,2})\s+(?:and|&)\s+(\d{1,2})\b")
_ENDS_WITH_YEAR = re.compile(r"\b\d{4}$")


def _parse_span(words: str, anchor: dt.date | None) -> FuzzyDate | None:
    """Read "between 7 and 9 may", "between may 7 and may 9", "from 28 december to 3 january".

    The end is read first: it usually carries the month and the year that the start leaves out.
    """
    m = _SPAN.fullmatch(words)
    if m is None:
        return None
    start_words, end_words = (m.group(1) or m.group(2)), m.group(3)
    if _DAY_NUMBER.fullmatch(start_words) or _DAY_NUMBER.fullmatch(end_words):
        # "between 7 and 9 may 2019" is "7-9 may 2019"; "may 7 and 9" is "may 7-9".
        return _parse_words(f"{start_words}-{end_words}", anchor)
    end = _parse_words(end_words, anchor)
    if end is None or end.earliest is None or end.latest is None:
        return None
    start = None
    if not _ENDS_WITH_YEAR.search(start_words):
        start = _parse_words(f"{start_words} {end.earliest.year}", anchor)
        if start is not None and start.earliest is not None and start.earliest > end.latest:
            if start.earliest.month == end.latest.month:
                raise ValueError(f"{words!r} ends before it starts")
            # "28 december to 3 january 2024" starts in the year before.
            start = _parse_words(f"{start_words} {end.earliest.year - 1}", anchor)
    if start is None:
        start = _parse_words(start_words, anchor)
    if start is None or start.earliest is None:
        return None
    if start.earliest > end.latest:
        raise ValueError(f"{words!r} ends before it starts")
    return FuzzyDate.between(start.earliest, end.latest)


_AGO = re.compile(r"(.+?)\s+(days?|weeks?)\s+ago")
_QUARTER = re.compile(
    r"(?:q([1-4])|(first|second|third|fourth)\s+quarter(?:\s+of)?)(?:\s+(\d{4}))?"
)
_HALF = re.compile(r"(?:h([12])|(first|second)\s+half(?:\s+of)?)(?:\s+(\d{4}))?")
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4}


def _count(words: str) -> int | None:
    """Read "3", "three", "a" or "an" (as in "a week ago"), or return None."""
    if words in ("a", "an"):
        return 1
    try:
        return _number(words)
    except ValueError:
        return None


def _part_of_year(words: str, anchor: dt.date | None) -> FuzzyDate | None:
    """Read "q1 2024", "the first quarter of 2024", "h2 2023", "the second half of 2023"; without
    a year, the part of the anchor's year (a report speaks of the current year)."""
    words = words.removeprefix("the ")
    for pattern, months in ((_QUARTER, 3), (_HALF, 6)):
        m = pattern.fullmatch(words)
        if m is None:
            continue
        index = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2)]
        first_month = (index - 1) * months + 1
        if m.group(3):
            year = int(m.group(3))
        elif anchor is not None:
            # The latest such part that has begun by the report, as for a month without a year.
            year = anchor.year if first_month <= anchor.month else anchor.year - 1
        else:
            return None
        last_month = first_month + months - 1
        start = dt.date(year, first_month, 1)
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return FuzzyDate.between(start, end)
    return None


def _year_word(word: str) -> int | None:
    return int(word) if re.fullmatch(r"\d{4}", word) else None


def _last_on_or_before(anchor: dt.date, month: int, day: int | None) -> FuzzyDate:
    """The latest (day of) ``month`` that is on or before the anchor."""
    year = anchor.year
    if day is None:
        if month > anchor.month:
            year -= 1
        return FuzzyDate.month(year, month)
    if (month, day) > (anchor.month, anchor.day):
        year -= 1
    return FuzzyDate.day(_make_date(year, month, day, f"{day} {calendar.month_name[month]}"))


_YEAR_SPAN = re.compile(r"(\d{4})\s*(?:-|–|—|\s(?:to|until|till)\s)\s*(\d{4})")
_MONTH_PAIR = re.compile(r"([a-z]+)(?:\s*(?:-|–)\s*|\s+(?:and|&|to)\s+)([a-z]+)(?:\s+(\d{4}))?")
_DAY_ONLY = re.compile(r"the (\d{1,2})")
_OVERNIGHT = re.compile(r"overnight (?:into|to) ([a-z]+day)")
_PARTS_OF_DAY = frozenset({"morning", "afternoon", "evening", "night"})
_TODAY = frozenset(
    {"today", "this morning", "this afternoon", "this evening", "tonight", "earlier today"}
)
_WEEKEND = frozenset(
    {
        "weekend",
        "the weekend",
        "this weekend",
        "last weekend",
        "over the weekend",
        "at the weekend",
        "this past weekend",
        "the past weekend",
    }
)


def _names_a_day(tokens: list[str]) -> bool:
    """Whether the words name one day a part of day can follow ("sunday", "last sunday")."""
    if tokens in (["yesterday"], ["today"]):
        return True
    if tokens and tokens[0] == "last":
        tokens = tokens[1:]
    return len(tokens) == 1 and tokens[0] in _WEEKDAYS


def _last_weekday(anchor: dt.date, weekday: int) -> dt.date:
    """The latest day with this weekday on or before the anchor."""
    return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)


def _month_pair(
    first: int, last: int, year: int | None, anchor: dt.date | None
) -> FuzzyDate | None:
    """Read "january and february 2023" (or, with an anchor, without the year) as one span.

    The year, given or the latest one whose ``last`` month has begun by the anchor, is the
    year of the last month; "december and january 2024" starts in the year before.
    """
    if year is None:
        if anchor is None:
            return None
        year = anchor.year if last <= anchor.month else anchor.year - 1
    start_year = year if first <= last else year - 1
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    return FuzzyDate.between(dt.date(start_year, first, 1), end)


def _day_of_recent_month(day: int, anchor: dt.date, words: str) -> FuzzyDate:
    """Read "the 30th": that day of the anchor's month if it has come, else of the month
    before. A month without that day is an error: the report does not say which it means."""
    if not 1 <= day <= 31:
        raise ValueError(f"{words!r}: no month has a day {day}")
    year, month = anchor.year, anchor.month
    if day > anchor.day:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    if day > calendar.monthrange(year, month)[1]:
        raise ValueError(
            f"{words!r}: the latest such day on or before {anchor.isoformat()} would be in "
            f"{calendar.month_name[month]} {year}, which has no day {day}; the report must name "
            "the month"
        )
    return FuzzyDate.day(dt.date(year, month, day))


def _parse_words(words: str, anchor: dt.date | None) -> FuzzyDate | None:
    # "3 and 4 april" is "3-4 april" (a span here: "between 3 and 4 april" is read before this).
    words = _DAY_PAIR.sub(r"\1-\2", words)
    tokens = words.split()
    if len(tokens) > 1 and tokens[-1] in _PARTS_OF_DAY and _names_a_day(tokens[:-1]):
        # "sunday night", "yesterday morning": the day, whatever part of it.
        tokens = tokens[:-1]
        words = " ".join(tokens)
    if len(tokens) > 1 and tokens[0] in _WEEKDAYS:
        # "thursday 7 december": the day names the date; the weekday must agree with it.
        value = _parse_words(" ".join(tokens[1:]), anchor)
        if value is not None and value.precision is Precision.DAY:
            assert value.earliest is not None
            if value.earliest.weekday() != _WEEKDAYS[tokens[0]]:
                actual = calendar.day_name[value.earliest.weekday()]
                raise ValueError(
                    f"{words!r}: {value.earliest.isoformat()} is a {actual}, not a "
                    f"{tokens[0].capitalize()}"
                )
        return value
    # "7 december 2023", "7-9 may 2019", "december 7 2023", "march 2021", with or without year.
    m = re.fullmatch(r"(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?\s+([a-z]+)\.?(?:\s+(\d{4}))?", words)
    if m is None:
        m2 = re.fullmatch(
            r"([a-z]+)\.?\s+(\d{1,2})(?:\s*(?:-|–|to)\s*(\d{1,2}))?(?:\s+(\d{4}))?", words
        )
        if m2 and m2.group(1) in _MONTHS:
            m = m2
            first, last, month_word, year_word = m2.group(2), m2.group(3), m2.group(1), m2.group(4)
        else:
            first = last = month_word = year_word = None
    else:
        first, last, month_word, year_word = m.group(1), m.group(2), m.group(3), m.group(4)
    if m is not None and month_word in _MONTHS:
        month = _MONTHS[month_word]
        d1 = int(first) if first else None
        if year_word is not None:
            year = int(year_word)
        elif anchor is not None:
            year = _last_on_or_before(anchor, month, d1).earliest.year  # type: ignore[union-attr]
        else:
            return None
        assert d1 is not None
        start = _make_date(year, month, d1, words)
        if last is None:
            return FuzzyDate.day(start)
        end = _make_date(year, month, int(last), words)
        if end < start:
            raise ValueError(f"{words!r} ends before it starts")
        return FuzzyDate.between(start, end)
    if (m := _MONTH_PAIR.fullmatch(words)) and {m.group(1), m.group(2)} <= _MONTHS.keys():
        return _month_pair(
            _MONTHS[m.group(1)], _MONTHS[m.group(2)], _year_word(m.group(3) or ""), anchor
        )
    # "march 2021", "march", "february this year", "february last year"
    if tokens and tokens[0] in _MONTHS and len(tokens) <= 3:
        month = _MONTHS[tokens[0]]
        rest = tokens[1:]
        if len(rest) == 1 and (month_year := _year_word(rest[0])) is not None:
            return FuzzyDate.month(month_year, month)
        if anchor is None:
            return None
        if not rest:
            return _last_on_or_before(anchor, month, None)
        if rest == ["this", "year"]:
            return FuzzyDate.month(anchor.year, month)
        if rest == ["last", "year"]:
            return FuzzyDate.month(anchor.year - 1, month)
        return None
    if len(tokens) == 1 and (only_year := _year_word(tokens[0])) is not None:
        return FuzzyDate.year(only_year)
    if m := _YEAR_SPAN.fullmatch(words):
        # "2019-2021", "2019 to 2021": from the start of the one to the end of the other.
        first_year, last_year = int(m.group(1)), int(m.group(2))
        if last_year < first_year:
            raise ValueError(f"{words!r} ends before it starts")
        return FuzzyDate.between(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    part = _part_of_year(words, anchor)
    if part is not None:
        return part
    if anchor is None:
        return None
    if (m := _AGO.fullmatch(words)) and (count := _count(m.group(1))) is not None:
        if m.group(2).startswith("week"):
            # "two weeks ago" is a week, not one day: the calendar week (Monday to Sunday)
            # ``count`` weeks before the anchor's, as "last week" is the one before it.
            monday = anchor - dt.timedelta(days=anchor.weekday() + 7 * count)
            return FuzzyDate.between(monday, monday + dt.timedelta(days=6))
        return FuzzyDate.day(anchor - dt.timedelta(days=count))
    if m := _DAY_ONLY.fullmatch(words):
        return _day_of_recent_month(int(m.group(1)), anchor, words)
    if m := _OVERNIGHT.fullmatch(words):
        # The night before that day: the day before and the day itself.
        day = _last_weekday(anchor, _WEEKDAYS[m.group(1)])
        return FuzzyDate.between(day - dt.timedelta(days=1), day)
    if words in _WEEKEND:
        # The latest Saturday and Sunday up to the anchor: "the weekend" of a Monday's report
        # is the two days before it; of a Sunday's report, that Saturday and the Sunday itself.
        saturday = anchor - dt.timedelta(days=(anchor.weekday() - 5) % 7)
        if words == "last weekend" and anchor.weekday() >= 5:
            saturday -= dt.timedelta(days=7)
        return FuzzyDate.between(saturday, min(saturday + dt.timedelta(days=1), anchor))
    if words in _WEEKDAYS or (words.startswith("last ") and words[5:] in _WEEKDAYS):
        weekday = _WEEKDAYS[words.removeprefix("last ")]
        back = (anchor.weekday() - weekday) % 7
        if words.startswith("last ") and back == 0:
            back = 7
        return FuzzyDate.day(anchor - dt.timedelta(days=back))
    if words in _TODAY:
        return FuzzyDate.day(anchor)
    if words in ("yesterday", "last night"):
        return FuzzyDate.day(anchor - dt.timedelta(days=1))
    if words in ("this year", "earlier this year"):
        return FuzzyDate.between(dt.date(anchor.year, 1, 1), anchor)
    if words == "last year":
        return FuzzyDate.year(anchor.year - 1)
    if words in ("this month", "earlier this month"):
        return FuzzyDate.between(anchor.replace(day=1), anchor)
    if words == "last week":
        # The calendar week (Monday to Sunday) before the anchor's.
        monday = anchor - dt.timedelta(days=anchor.weekday() + 7)
        return FuzzyDate.between(monday, monday + dt.timedelta(days=6))
    if words in ("this week", "earlier this week"):
        return FuzzyDate.between(anchor - dt.timedelta(days=anchor.weekday()), anchor)
    if words == "last month":
        first = anchor.replace(day=1) - dt.timedelta(days=1)
        return FuzzyDate.month(first.year, first.month)
    if words in ("recently", "lately", "earlier", "recent days", "recent weeks", "recent months"):
        return FuzzyDate.between(None, anchor)
    return None


_use_word_reader(read_words)
