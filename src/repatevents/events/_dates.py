"""Fuzzy dates: when something happened, as precisely as the source said it.

A report says "on Thursday", "in March", "7-9 May" or "February this year". A fuzzy date keeps the
earliest and latest day it can mean, the precision, and the words. Relative words are resolved
against the publication date of the source (the anchor). The text form is ISO 8601 / EDTF-style:
``2023-12-07``, ``2021-03``, ``2019``, ``2019-05-07/2019-05-09``, and open intervals
``../2024-05-10`` (on or before) and ``2021/..`` (on or after).
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from collections.abc import Callable
from typing import Any

import attrs

from ..errors import FieldProblem, ValidationError

__all__ = ["FuzzyDate", "Precision"]


class Precision(enum.Enum):
    """How precisely a date is known."""

    DAY = "day"
    DAYS = "days"
    MONTH = "month"
    YEAR = "year"


def _optional_date(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not dt.date):
        raise TypeError(f"{attribute.name} must be a datetime.date or None, got {value!r}")


@attrs.frozen
class FuzzyDate:
    """A date known to lie between ``earliest`` and ``latest`` (both inclusive).

    ``earliest`` is ``None`` for "on or before ``latest``" and ``latest`` is ``None`` for "on or
    after ``earliest``"; one of them is always set. Build one with :meth:`parse`, :meth:`day`,
    :meth:`month`, :meth:`year` or :meth:`between`.

    Attributes:
        earliest: the first day the date can be, or ``None`` when unbounded.
        latest: the last day the date can be, or ``None`` when unbounded.
        precision: day, days (a span), month or year.
        raw: the report's own words ("February this year"), when they differ from the value.
    """

    earliest: dt.date | None = attrs.field(validator=_optional_date)
    latest: dt.date | None = attrs.field(validator=_optional_date)
    precision: Precision = attrs.field(validator=attrs.validators.instance_of(Precision))
    raw: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )

    def __attrs_post_init__(self) -> None:
        if self.earliest is None and self.latest is None:
            raise ValueError("a date needs at least one bound (earliest or latest)")
        if self.earliest is not None and self.latest is not None and self.earliest > self.latest:
            raise ValueError(f"earliest ({self.earliest}) is after latest ({self.latest})")
        if self.precision is Precision.DAY and self.earliest != self.latest:
            raise ValueError("a date with day precision has earliest == latest")

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def day(cls, value: dt.date, raw: str | None = None) -> FuzzyDate:
        """Return the fuzzy date of one known day."""
        return cls(value, value, Precision.DAY, raw)

    @classmethod
    def month(cls, year: int, month: int, raw: str | None = None) -> FuzzyDate:
        """Return the fuzzy date "some day in ``month`` of ``year``".

        Raises:
            ValueError: the month is not 1..12.
        """
        last = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last), Precision.MONTH, raw)

    @classmethod
    def year(cls, year: int, raw: str | None = None) -> FuzzyDate:
        """Return the fuzzy date "some day in ``year``"."""
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), Precision.YEAR, raw)

    @classmethod
    def between(
        cls, earliest: dt.date | None, latest: dt.date | None, raw: str | None = None
    ) -> FuzzyDate:
        """Return a span of days, or an open interval when one bound is ``None``."""
        if earliest is not None and earliest == latest:
            return cls.day(earliest, raw)
        return cls(earliest, latest, Precision.DAYS, raw)

    @classmethod
    def parse(cls, text: str, anchor: dt.date | FuzzyDate | None = None) -> FuzzyDate:
        """Read a date from ISO / EDTF-style text, or from a report's words given an anchor.

        Understood without an anchor: ``2023-12-07``, ``2021-03``, ``2019``,
        ``2019-05-07/2019-05-09`` (either side may be a month or a year), ``../2024-05-10``,
        ``2021/..``, ``7 December 2023``, ``7th December 2023``, ``Dec. 7, 2023``, ``March
        2021``, ``Dec. 2021``, ``Sept. 2022``, ``mid-2021``, ``since March 2019`` (from then
        on), ``7-9 May 2019``, ``between 7 and 9 May 2019``, ``from 28 December 2023 to 3
        January 2024``, ``3 and 4 April 2023``, ``January and February 2023`` (one span),
        ``2019-2021`` and ``2019 to 2021`` (from the start of the one year to the end of the
        other), ``Q1 2024``, ``the first half of 2023``, and numeric days that cannot be
        misread: ``2024/01/10``, ``10.01.2024`` (dotted dates are day first) and ``14/03/2024``
        (a slashed date whose day and month could be swapped, such as ``03/04/2024``, is an
        error rather than a guess).

        With ``anchor`` (the date the source was published) also:

        * days: ``Thursday`` or ``on Thursday`` (the last such day on or before the anchor),
          ``Sunday night``, ``on Sunday morning`` (the day, whatever the part of it),
          ``7 December``, ``Thursday, 7 December`` (the weekday must agree), ``on the 30th``
          (the 30th of the anchor's month, or of the month before when it has not come; a
          month without that day is an error), ``yesterday``, ``last night`` (the day before
          the anchor), ``today``, ``this morning``, ``earlier today``, ``tonight`` (the
          anchor), ``two days ago``;
        * spans: ``overnight into Saturday`` (that Saturday, the last on or before the anchor,
          and the Friday before it), ``the weekend``, ``at the weekend``, ``this past
          weekend`` (the latest Saturday and Sunday up to the anchor), ``last week`` (Monday
          to Sunday), ``a week ago`` and ``two weeks ago`` (the calendar week, Monday to
          Sunday, that many weeks before the anchor's), ``this week``, ``between May 7 and May
          9``, ``since March`` (from then until the anchor);
        * months and years: ``March`` (the last such month on or before the anchor), ``in
          January and February`` (one span), ``February this year``, ``last month``, ``this
          month``, ``last year``, ``the first quarter`` (of the anchor's year, or the year
          before when it has not begun);
        * open spans: ``recently``, ``in recent days``, ``in recent weeks`` (on or before the
          anchor).

        Refused, whatever the anchor: seasons (``spring 2021``, ``last autumn``: spring in one
        hemisphere is autumn in the other) and days counted from the story rather than the
        publication (``the previous day``, ``the day after``). When the words are not plain
        ISO text they are kept in ``raw``.

        Args:
            text: the words or ISO / EDTF text.
            anchor: the day the source was published, as a date or as a :class:`FuzzyDate`
                (a source's ``published``). Relative words are read against each end of a
                fuzzy anchor and span both readings: "yesterday" in a report of March 2021 is
                some day from 28 February to 30 March. An anchor open at one end counts from
                the day it has.

        Raises:
            ValueError: the text is not a date this parser understands, names an impossible day
                ("2023-02-30"), or is relative and no anchor was given.
            TypeError: the text is not a string, or the anchor is a datetime (pass its date) or
                neither a date nor a fuzzy date.
        """
        if not isinstance(text, str):
            raise TypeError(f"a date must be text such as '2023-12-07', got {text!r}")
        if (
            isinstance(anchor, FuzzyDate)
            and anchor.earliest is not None
            and anchor.latest is not None
            and anchor.earliest != anchor.latest
        ):
            # Published "in March 2021": "yesterday" is any day from 28 February to 30 March.
            first = cls.parse(text, anchor.earliest)
            last = cls.parse(text, anchor.latest)
            if first == last:
                return first
            starts, ends = (first.earliest, last.earliest), (first.latest, last.latest)
            earliest = None if None in starts else min(d for d in starts if d is not None)
            latest = None if None in ends else max(d for d in ends if d is not None)
            return cls.between(earliest, latest, first.raw)
        day = _anchor_day(anchor)
        stripped = text.strip()
        iso = _parse_iso(stripped)
        if iso is not None:
            return iso
        return _word_reader[0](stripped, day)

    # -- derived ------------------------------------------------------------------------------
    def to_text(self) -> str:
        """Return the ISO 8601 / EDTF-style text of the value (without the raw words)."""
        if self.precision is Precision.DAY:
            assert self.earliest is not None
            return self.earliest.isoformat()
        if self.precision is Precision.MONTH:
            assert self.earliest is not None
            return self.earliest.isoformat()[:7]
        if self.precision is Precision.YEAR:
            assert self.earliest is not None
            return str(self.earliest.year)
        start = self.earliest.isoformat() if self.earliest else ".."
        end = self.latest.isoformat() if self.latest else ".."
        return f"{start}/{end}"

    def __str__(self) -> str:
        return self.to_text()

    def surely_by(self, day: dt.date) -> bool:
        """Whether the date has certainly happened by ``day`` (its latest day is on or before)."""
        return self.latest is not None and self.latest <= day

    def possibly_by(self, day: dt.date) -> bool:
        """Whether the date may have happened by ``day`` (its earliest day is on or before)."""
        return self.earliest is None or self.earliest <= day

    @property
    def sort_key(self) -> tuple[dt.date, dt.date]:
        """A key that orders dates by their latest, then earliest, possible day."""
        return (self.latest or dt.date.max, self.earliest or dt.date.min)


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_YEAR = re.compile(r"(\d{4})")


def _fuzzy_date_of(
    value: object,
    field: str,
    *,
    relative: str = (
        "relative words need the publication date: pass FuzzyDate.parse(text, source.published)"
    ),
) -> FuzzyDate:
    """Return the fuzzy date a field was given: a FuzzyDate, a date, or ISO / EDTF text.

    Text is read as :meth:`FuzzyDate.parse` reads it without an anchor, so relative words
    ("yesterday") are refused, with ``relative`` as the reason: they need the publication date.

    Raises:
        ValidationError: the value is none of these, or text that is not such a date; the
            error names ``field``.
    """
    if isinstance(value, FuzzyDate):
        return value
    if isinstance(value, str):
        try:
            return FuzzyDate.parse(value)
        except ValueError as exc:
            rule = str(exc)
            try:
                FuzzyDate.parse(value, dt.date(2000, 1, 1))
            except ValueError:
                pass
            else:
                rule = relative
            raise ValidationError(FieldProblem(field, value, rule)) from None
    if isinstance(value, dt.datetime):
        raise ValidationError(
            FieldProblem(field, value, "a date, not a datetime: pass its .date()")
        )
    if isinstance(value, dt.date):
        return FuzzyDate.day(value)
    raise ValidationError(
        FieldProblem(
            field, value, "a FuzzyDate, a datetime.date, or ISO / EDTF text such as '2023-12-07'"
        )
    )


def _anchor_day(anchor: object) -> dt.date | None:
    """Return the day relative words count from: a date, or a fuzzy date's latest day (its
    earliest when it is open at the end), as a source's ``published`` is."""
    if anchor is None:
        return None
    if isinstance(anchor, FuzzyDate):
        day = anchor.latest if anchor.latest is not None else anchor.earliest
        assert day is not None
        return day
    if isinstance(anchor, dt.datetime):
        # A datetime is a date too, but compares with dates wrongly and says more than a day.
        raise TypeError(
            f"the anchor must be a date (the day the source was published), not a datetime: "
            f"pass {anchor!r}.date()"
        )
    if not isinstance(anchor, dt.date):
        raise TypeError(
            f"the anchor must be a datetime.date or a FuzzyDate (the source's publication "
            f"date), got {anchor!r}"
        )
    return anchor


def _iso_part(text: str) -> FuzzyDate | None:
    """Parse one side of an ISO interval; raise ValueError for an impossible calendar date."""
    if m := _ISO_DAY.fullmatch(text):
        y, mo, d = (int(g) for g in m.groups())
        return FuzzyDate.day(_make_date(y, mo, d, text))
    if m := _ISO_MONTH.fullmatch(text):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"{text!r} has no month {mo} (months run from 01 to 12)")
        return FuzzyDate.month(y, mo)
    if _ISO_YEAR.fullmatch(text):
        return FuzzyDate.year(int(text))
    return None


# The report's words are read by their own module, which builds on this one: it hands its reader
# down here when it loads (``repatevents.events`` loads it), so the dependency points one way.
_word_reader: list[Callable[[str, dt.date | None], FuzzyDate]] = []


def _use_word_reader(read_words: Callable[[str, dt.date | None], FuzzyDate]) -> None:
    _word_reader[:] = [read_words]


def _make_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None


def _parse_iso(text: str) -> FuzzyDate | None:
    if "/" not in text:
        return _iso_part(text)
    start_text, _, end_text = text.partition("/")
    start = None if start_text == ".." else _iso_part(start_text)
    end = None if end_text == ".." else _iso_part(end_text)
    if (start is None and start_text != "..") or (end is None and end_text != ".."):
        return None
    if start is None and end is None:
        raise ValueError(f"{text!r} is open at both ends; a date needs at least one bound")
    earliest = start.earliest if start else None
    latest = end.latest if end else None
    if earliest is not None and latest is not None and earliest > latest:
        raise ValueError(f"{text!r} ends before it starts")
    return FuzzyDate(earliest, latest, Precision.DAYS)
