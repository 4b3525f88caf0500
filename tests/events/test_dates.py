"""Fuzzy dates: ISO / EDTF text, report words resolved against an anchor, and their order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given

from repatevents import strategies as rst
from repatevents.events import FuzzyDate, Precision

D = dt.date
DAY, DAYS, MONTH, YEAR = Precision.DAY, Precision.DAYS, Precision.MONTH, Precision.YEAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-12-07", (D(2023, 12, 7), D(2023, 12, 7), DAY)),
        ("2021-03", (D(2021, 3, 1), D(2021, 3, 31), MONTH)),
        ("2024-02", (D(2024, 2, 1), D(2024, 2, 29), MONTH)),
        ("2019", (D(2019, 1, 1), D(2019, 12, 31), YEAR)),
        ("2019-05-07/2019-05-09", (D(2019, 5, 7), D(2019, 5, 9), DAYS)),
        ("2019-05/2019-06", (D(2019, 5, 1), D(2019, 6, 30), DAYS)),
        ("2019/2020", (D(2019, 1, 1), D(2020, 12, 31), DAYS)),
        ("../2024-05-10", (None, D(2024, 5, 10), DAYS)),
        ("2021/..", (D(2021, 1, 1), None, DAYS)),
        (" 2023-12-07 ", (D(2023, 12, 7), D(2023, 12, 7), DAY)),
    ],
)
def test_parse_reads_iso_and_edtf_text(
    text: str, expected: tuple[dt.date | None, dt.date | None, Precision]
) -> None:
    """ISO days, months, years, intervals and open intervals read with their precision."""
    date = FuzzyDate.parse(text)
    assert expected == (date.earliest, date.latest, date.precision)
    assert date.raw is None


WEDNESDAY = D(2023, 8, 30)
FRIDAY = D(2023, 12, 8)


@pytest.mark.parametrize(
    ("text", "anchor", "expected"),
    [
        ("Wednesday", WEDNESDAY, "2023-08-30"),
        ("on Wednesday", WEDNESDAY, "2023-08-30"),
        ("Thursday", FRIDAY, "2023-12-07"),
        ("last Thursday", FRIDAY, "2023-12-07"),
        ("last Wednesday", WEDNESDAY, "2023-08-23"),
        ("7 December", FRIDAY, "2023-12-07"),
        ("on 7 December", FRIDAY, "2023-12-07"),
        ("Thursday, 7 December", FRIDAY, "2023-12-07"),
        ("on Thursday 7 December", FRIDAY, "2023-12-07"),
        ("9 December", FRIDAY, "2022-12-09"),
        ("December 7", FRIDAY, "2023-12-07"),
        ("1st May", WEDNESDAY, "2023-05-01"),
        ("February this year", WEDNESDAY, "2023-02"),
        ("February last year", WEDNESDAY, "2022-02"),
        ("March", WEDNESDAY, "2023-03"),
        ("in March", WEDNESDAY, "2023-03"),
        ("September", WEDNESDAY, "2022-09"),
        ("in the middle of March", WEDNESDAY, "2023-03"),
        ("between May 7 and May 9", WEDNESDAY, "2023-05-07/2023-05-09"),
        ("between May 7 and 9", WEDNESDAY, "2023-05-07/2023-05-09"),
        ("7 to 9 May", WEDNESDAY, "2023-05-07/2023-05-09"),
        ("from March to May", WEDNESDAY, "2023-03-01/2023-05-31"),
        ("from 28 December to 3 January", D(2024, 1, 5), "2023-12-28/2024-01-03"),
        ("yesterday", WEDNESDAY, "2023-08-29"),
        ("today", WEDNESDAY, "2023-08-30"),
        ("last week", WEDNESDAY, "2023-08-21/2023-08-27"),
        ("this week", WEDNESDAY, "2023-08-28/2023-08-30"),
        ("last month", WEDNESDAY, "2023-07"),
        ("this month", WEDNESDAY, "2023-08-01/2023-08-30"),
        ("earlier this month", WEDNESDAY, "2023-08-01/2023-08-30"),
        ("this year", WEDNESDAY, "2023-01-01/2023-08-30"),
        ("last year", WEDNESDAY, "2022"),
        ("recently", WEDNESDAY, "../2023-08-30"),
        ("since March", WEDNESDAY, "2023-03-01/2023-08-30"),
        ("since March 2019", D(2023, 12, 31), "2019-03-01/2023-12-31"),
        ("two days ago", WEDNESDAY, "2023-08-28"),
        ("3 days ago", WEDNESDAY, "2023-08-27"),
        ("a week ago", WEDNESDAY, "2023-08-21/2023-08-27"),  # last week, not one day
        ("two weeks ago", WEDNESDAY, "2023-08-14/2023-08-20"),
        ("3 weeks ago", WEDNESDAY, "2023-08-07/2023-08-13"),
        ("in January and February", WEDNESDAY, "2023-01-01/2023-02-28"),
        ("November and December", WEDNESDAY, "2022-11-01/2022-12-31"),
        ("December and January", D(2024, 2, 1), "2023-12-01/2024-01-31"),
        ("on the 30th", WEDNESDAY, "2023-08-30"),
        ("on the 31st", WEDNESDAY, "2023-07-31"),  # not yet come in August: July's
        ("the 5th", D(2024, 1, 3), "2023-12-05"),
        ("last night", WEDNESDAY, "2023-08-29"),
        ("this morning", WEDNESDAY, "2023-08-30"),
        ("earlier today", WEDNESDAY, "2023-08-30"),
        ("tonight", WEDNESDAY, "2023-08-30"),
        ("on Sunday night", WEDNESDAY, "2023-08-27"),
        ("Sunday morning", WEDNESDAY, "2023-08-27"),
        ("Wednesday evening", WEDNESDAY, "2023-08-30"),
        ("yesterday afternoon", WEDNESDAY, "2023-08-29"),
        ("overnight into Saturday", WEDNESDAY, "2023-08-25/2023-08-26"),
        ("overnight into Wednesday", WEDNESDAY, "2023-08-29/2023-08-30"),
        ("at the weekend", WEDNESDAY, "2023-08-26/2023-08-27"),
        ("this past weekend", WEDNESDAY, "2023-08-26/2023-08-27"),
        ("in recent days", WEDNESDAY, "../2023-08-30"),
        ("in recent weeks", WEDNESDAY, "../2023-08-30"),
        ("over the weekend", WEDNESDAY, "2023-08-26/2023-08-27"),
        ("the weekend", D(2023, 8, 27), "2023-08-26/2023-08-27"),  # a Sunday's report
        ("last weekend", D(2023, 8, 27), "2023-08-19/2023-08-20"),
        ("the 10th of August", WEDNESDAY, "2023-08-10"),
        ("on 3 and 4 April", WEDNESDAY, "2023-04-03/2023-04-04"),
        ("April 3 and 4", WEDNESDAY, "2023-04-03/2023-04-04"),
        ("in the first quarter", WEDNESDAY, "2023-01-01/2023-03-31"),
        ("the second half", D(2023, 3, 1), "2022-07-01/2022-12-31"),  # not begun: last year's
    ],
)
def test_parse_resolves_relative_words_against_the_anchor(
    text: str, anchor: dt.date, expected: str
) -> None:
    """Report words resolve against the publication date; the words are kept in raw."""
    date = FuzzyDate.parse(text, anchor)
    assert expected == date.to_text()
    assert text == date.raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in March 2021", "2021-03"),
        ("March 2021", "2021-03"),
        ("Sept 2022", "2022-09"),
        ("7 December 2023", "2023-12-07"),
        ("7th December 2023", "2023-12-07"),
        ("December 7, 2023", "2023-12-07"),
        ("Dec. 7, 2023", "2023-12-07"),
        ("7-9 May 2019", "2019-05-07/2019-05-09"),
        ("May 7-9, 2019", "2019-05-07/2019-05-09"),
        ("between 7 and 9 May 2019", "2019-05-07/2019-05-09"),
        ("between March and May 2021", "2021-03-01/2021-05-31"),
        ("between 2019 and 2021", "2019-01-01/2021-12-31"),
        ("from 28 December to 3 January 2024", "2023-12-28/2024-01-03"),
        ("between 28 December 2023 and 3 January 2024", "2023-12-28/2024-01-03"),
        ("late 2019", "2019"),
        ("mid-2021", "2021"),
        ("the end of 2022", "2022"),
        ("since March 2019", "2019-03-01/.."),
        ("since 2021", "2021-01-01/.."),
        ("2024/01/10", "2024-01-10"),
        ("10.01.2024", "2024-01-10"),  # dotted dates are day first
        ("14/03/2024", "2024-03-14"),  # day first: there is no month 14
        ("03/14/2024", "2024-03-14"),  # month first, for the same reason
        ("05/05/2024", "2024-05-05"),
        ("10th of January 2023", "2023-01-10"),
        ("3 & 4 April 2023", "2023-04-03/2023-04-04"),
        ("Q1 2024", "2024-01-01/2024-03-31"),
        ("the third quarter of 2022", "2022-07-01/2022-09-30"),
        ("H2 2023", "2023-07-01/2023-12-31"),
        ("the first half of 2023", "2023-01-01/2023-06-30"),
        ("Dec. 2021", "2021-12"),
        ("Sept. 2022", "2022-09"),
        ("2019-2021", "2019-01-01/2021-12-31"),
        ("2019 to 2021", "2019-01-01/2021-12-31"),
        ("January and February 2023", "2023-01-01/2023-02-28"),
        ("December and January 2024", "2023-12-01/2024-01-31"),
    ],
)
def test_parse_reads_absolute_words_without_an_anchor(text: str, expected: str) -> None:
    """Dates written out in words need no anchor when they name their year."""
    assert expected == FuzzyDate.parse(text).to_text()


@pytest.mark.parametrize(
    ("text", "anchor", "message"),
    [
        ("2023-02-30", None, "not a day of the calendar"),
        ("2023-13", None, "no month 13"),
        ("2021-00", None, "no month 0"),
        ("2023-05-09/2023-05-07", None, "ends before it starts"),
        ("../..", None, "open at both ends"),
        ("Thursday", None, "need the publication date"),
        ("7 December", None, "need the publication date"),
        ("Friday, 7 December", FRIDAY, "is a Thursday, not a Friday"),
        ("between 9 May and 7 May", WEDNESDAY, "ends before it starts"),
        ("9-7 May 2019", None, "ends before it starts"),
        ("31 February 2023", None, "not a day of the calendar"),
        ("the day after", WEDNESDAY, "not a date this library can read"),
        ("2023-8-30", None, "not a date this library can read"),
        ("03/04/2024", None, "ambiguous: day first it is 2024-04-03, month first 2024-03-04"),
        ("31.02.2024", None, "not a day of the calendar"),
        ("Q5 2024", None, "read \\(a year has quarters Q1 to Q4 and halves H1 and H2\\)$"),
        ("q0 2024", WEDNESDAY, "quarters Q1 to Q4"),
        ("H3 2023", None, "halves H1 and H2"),
        ("the 2023 thing", None, "not a date this library can read$"),  # no hint that misleads
        ("first quarter", None, "need the publication date"),
        ("two days ago", None, "need the publication date"),
        ("2021-2019", None, "ends before it starts"),
        ("January and February", None, "need the publication date"),
        ("on the 30th", None, "need the publication date"),
        ("on the 32nd", WEDNESDAY, "no month has a day 32"),
        ("on the 30th", D(2023, 3, 15), "February 2023, which has no day 30"),
        ("spring 2021", None, "not a date this library can read .*hemisphere"),
        ("last autumn", WEDNESDAY, "not a date this library can read .*hemisphere"),
        ("the previous day", WEDNESDAY, "not a date this library can read .*in the story"),
        ("the day before", WEDNESDAY, "not a date this library can read .*in the story"),
    ],
)
def test_parse_rejects_impossible_and_unreadable_dates(
    text: str, anchor: dt.date | None, message: str
) -> None:
    """Impossible days, reversed spans and unanchored relative words are ValueErrors."""
    with pytest.raises(ValueError, match=message):
        FuzzyDate.parse(text, anchor)


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (FuzzyDate.parse("2023-08-30"), "2023-08-29"),
        (FuzzyDate.parse("../2023-08-30"), "2023-08-29"),
        (FuzzyDate.parse("2023-08-30/.."), "2023-08-29"),
        (FuzzyDate.parse("2023-08"), "2023-07-31/2023-08-30"),  # read against both ends
    ],
)
def test_parse_takes_a_fuzzy_date_as_anchor(anchor: FuzzyDate, expected: str) -> None:
    """A source's published date anchors relative words: the day it has when open at one end,
    both ends when it spans days."""
    assert expected == FuzzyDate.parse("yesterday", anchor).to_text()


@pytest.mark.parametrize(
    ("anchor", "message"),
    [
        (dt.datetime(2023, 8, 30, 9, 0), r"not a datetime: pass .*\.date\(\)"),
        ("2023-08-30", "a datetime.date or a FuzzyDate"),
    ],
)
def test_parse_rejects_an_anchor_that_is_not_a_date(anchor: object, message: str) -> None:
    """A datetime or text as anchor is a TypeError that says to pass a date."""
    with pytest.raises(TypeError, match=message):
        FuzzyDate.parse("yesterday", anchor)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, None, DAYS), "at least one bound"),
        ((D(2023, 1, 2), D(2023, 1, 1), DAYS), "after latest"),
        ((D(2023, 1, 1), D(2023, 1, 2), DAY), "earliest == latest"),
    ],
)
def test_impossible_fuzzy_dates_are_rejected(args: tuple[object, ...], message: str) -> None:
    """No bound, earliest after latest, and a 'day' spanning two days are errors."""
    with pytest.raises(ValueError, match=message):
        FuzzyDate(*args)  # type: ignore[arg-type]


def test_a_datetime_is_not_a_date() -> None:
    """A datetime where a date is expected is a TypeError (it would compare wrongly)."""
    with pytest.raises(TypeError, match=r"datetime\.date"):
        FuzzyDate.day(dt.datetime(2023, 1, 1, 12, 0))


@given(rst.fuzzy_dates(raw=False))
def test_text_form_reads_back_as_the_same_date(date: FuzzyDate) -> None:
    """to_text() and parse() are inverse for every precision and open interval."""
    assert date == FuzzyDate.parse(date.to_text())


def test_between_one_day_is_a_day() -> None:
    """between(d, d) is the day d, with day precision."""
    assert FuzzyDate.day(D(2023, 1, 1)) == FuzzyDate.between(D(2023, 1, 1), D(2023, 1, 1))


def test_surely_by_and_possibly_by_look_at_opposite_ends() -> None:
    """A month is surely over by its last day, possibly begun from its first."""
    march = FuzzyDate.month(2021, 3)
    expected = (False, True, True, False)
    actual = (
        march.surely_by(D(2021, 3, 30)),
        march.surely_by(D(2021, 3, 31)),
        march.possibly_by(D(2021, 3, 1)),
        march.possibly_by(D(2021, 2, 28)),
    )
    assert expected == actual


def test_open_dates_are_never_surely_past_and_always_possibly_begun() -> None:
    """An on-or-after date is never surely by any day; an on-or-before one is always possible."""
    after = FuzzyDate.parse("2021/..")
    before = FuzzyDate.parse("../2021-06-30")
    expected = (False, True, True)
    actual = (
        after.surely_by(D(2030, 1, 1)),
        before.possibly_by(D(1990, 1, 1)),
        before.surely_by(D(2021, 6, 30)),
    )
    assert expected == actual


def test_sort_key_orders_by_latest_then_earliest_with_open_ends_last() -> None:
    """Dates sort by when they are surely over; an open end sorts after every bounded date."""
    dates = [FuzzyDate.parse(t) for t in ("2021/..", "2021", "2021-03", "../2021-03-31")]
    ordered = [d.to_text() for d in sorted(dates, key=lambda d: d.sort_key)]
    assert ["../2021-03-31", "2021-03", "2021", "2021-01-01/.."] == ordered


def test_relative_words_against_a_month_span_both_readings() -> None:
    """A report published "in March 2021": "yesterday" is some day from 28 February to 30
    March, not a falsely precise 30 March; absolute dates are read as they are."""
    march = FuzzyDate.parse("2021-03")
    assert "2021-02-28/2021-03-30" == FuzzyDate.parse("yesterday", march).to_text()
    assert "2021-03-05" == FuzzyDate.parse("5 March 2021", march).to_text()
    assert "yesterday" == FuzzyDate.parse("yesterday", march).raw
