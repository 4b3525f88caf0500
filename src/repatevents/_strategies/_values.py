"""Strategies for the value types: countries, places, estimates, dates, people, sources."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from ..events import (
    CATEGORIES,
    Estimate,
    FuzzyDate,
    People,
    Precision,
    Qualifier,
    Source,
    SpeakerKind,
    Unit,
    all_countries,
    all_places,
    lookup_place,
    to_country_code,
)
from ..projections import FAMILY_TO_PEOPLE

__all__ = [
    "DEFAULT_MAX_DATE",
    "DEFAULT_MIN_DATE",
    "PEOPLE_FIELDS",
    "countries",
    "estimates",
    "fuzzy_dates",
    "people",
    "places",
    "sources",
]

T = TypeVar("T")

#: The first day dates are drawn from by default (the camps' story starts around then).
DEFAULT_MIN_DATE = dt.date(2014, 1, 1)
#: The last day dates are drawn from by default.
DEFAULT_MAX_DATE = dt.date(2026, 12, 31)
#: The fields of :class:`People`, in table order: ``total``, ``families`` and the breakdown.
PEOPLE_FIELDS: tuple[str, ...] = ("total", "families", *CATEGORIES)

PUBLISHERS = (
    "The New Arab",
    "Shafaq News",
    "Rudaw",
    "Kurdistan24",
    "AKIpress",
    "Reuters",
    "Agence France-Presse",
    "Hawar News Agency",
    "Kun.uz",
    "North Press Agency",
)
OUTLETS = ("AFP", "Reuters", "AP", "AKIpress", "Kazinform", "Xinhua", "ANHA")
SPEAKERS = (
    "Ministry of Foreign Affairs",
    "Department of Foreign Relations of the AANES",
    "Security Council",
    "UNICEF spokesperson",
    "camp director",
    "an official (unnamed)",
)
FACILITATORS = ("United States", "UNICEF", "ICRC", "Iraq", "Kuwait", "Qatar", "UNOCT")
OPERATION_NAMES = ("Jusan", "Aikol", "Aikol-2", "Mehr", "Mehr-2", "Zhusan-5")
COUNTERS = ("AANES", "Ministry of Foreign Affairs", "Ministry of Migration", "UNICEF", "HRW")
REASONS = (
    "same date, same people, two sides of one handover",
    "handover and arrival of one flight",
    "a different flight after all",
    "the ministry published a revised figure",
    "the outlet withdrew the report",
    "the receiving government's count is the one made on arrival",
)
DATE_WORDS = (
    "Thursday",
    "on Wednesday",
    "in March",
    "February this year",
    "last week",
    "7-9 May",
    "early 2021",
    "since the start of the year",
)
CAMP_ADMINISTRATION = "Department of Foreign Relations of the AANES"

SMALL_TEXT = st.text(max_size=30)
NAME_TEXT = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=12
)


# -- small helpers ---------------------------------------------------------------------------
def optional(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
    return st.none() | strategy


def check_range(min_value: int, max_value: int, what: str) -> None:
    if min_value > max_value:
        raise ValueError(f"{what}: min ({min_value}) must not exceed max ({max_value})")


def check_dates(min_date: dt.date, max_date: dt.date) -> None:
    if min_date > max_date:
        raise ValueError(f"min_date ({min_date}) must not be after max_date ({max_date})")
    if min_date.year < 1000:
        # The interchange form writes years with four digits; earlier years cannot be read back.
        raise ValueError(f"min_date ({min_date}) must be in year 1000 or later")


def sampled(values: Sequence[T], what: str) -> SearchStrategy[T]:
    if not values:
        raise ValueError(f"{what} must not be empty")
    return st.sampled_from(tuple(values))


# -- values ----------------------------------------------------------------------------------
def countries(codes: Sequence[str] | None = None) -> SearchStrategy[str]:
    """Draw ISO 3166-1 alpha-3 country codes.

    Args:
        codes: the countries to draw from, as codes, names or aliases (converted to codes);
            ``None`` draws from the whole country table, Kosovo (``XKX``) included.

    Returns:
        A strategy of alpha-3 codes such as ``"KGZ"``.

    Raises:
        ValueError: ``codes`` is empty.
        UnknownCountryError: a given name or code is not in the country table.
    """
    if codes is None:
        return sampled([c.code for c in all_countries()], "the country table")
    return sampled(list(dict.fromkeys(to_country_code(c, field="codes") for c in codes)), "codes")


# Sets of sites reports name together: two camps, a camp and a prison, Syria's and Iraq's.
_PLACE_SETS = ("al-hol+roj", "roj+nes-prisons", "al-hol+al-jadaa")


def places(ids: Sequence[str] | None = None) -> SearchStrategy[str]:
    """Draw place ids (``"al-hol"``, ``"roj"``, ``"iraq"``, ``"al-hol+roj"`` …).

    Args:
        ids: the places to draw from, as ids, names or aliases (converted to ids; "al-Hol and
            Roj" is the set ``"al-hol+roj"``); ``None`` draws from the whole place table and a
            few sets of its sites.

    Returns:
        A strategy of place ids as events store them.

    Raises:
        ValueError: ``ids`` is empty.
        UnknownPlaceError: a given place is not in the place table.
    """
    if ids is None:
        return sampled([p.id for p in all_places()] + list(_PLACE_SETS), "the place table")
    return sampled(list(dict.fromkeys(lookup_place(i, field="ids").id for i in ids)), "ids")


def _estimate_words(estimate: Estimate) -> str:
    """Words a report could have used for ``estimate`` ("over 600", "up to 50" …)."""
    q = estimate.qualifier
    if q is Qualifier.EXACT:
        text = f"{estimate.best:,}"
    elif q is Qualifier.AT_LEAST:
        text = f"over {estimate.low:,}"
    elif q is Qualifier.AT_MOST:
        text = f"up to {estimate.high:,}"
    elif q is Qualifier.ABOUT:
        text = f"around {estimate.best:,}"
    else:
        text = f"between {estimate.low:,} and {estimate.high:,}"
    return text if estimate.unit is Unit.PEOPLE else f"{text} families"


@st.composite
def _estimates(
    draw: DrawFn,
    units: SearchStrategy[Unit],
    qualifiers: SearchStrategy[Qualifier],
    numbers: SearchStrategy[int],
    raw: bool,
) -> Estimate:
    unit = draw(units)
    qualifier = draw(qualifiers)
    # Three sorted draws give low <= best <= high without any filtering.
    a, b, c = sorted(draw(numbers) for _ in range(3))
    if qualifier is Qualifier.EXACT:
        estimate = Estimate(b, b, b, qualifier, unit)
    elif qualifier is Qualifier.AT_LEAST:
        estimate = Estimate(b, a, None, qualifier, unit)
    elif qualifier is Qualifier.AT_MOST:
        estimate = Estimate(b, 0, c, qualifier, unit)
    else:
        estimate = Estimate(b, a, c, qualifier, unit)
    if raw and draw(st.booleans()):
        estimate = attrs.evolve(estimate, raw=_estimate_words(estimate))
    return estimate


def estimates(
    *,
    unit: Unit | None = Unit.PEOPLE,
    qualifiers: Sequence[Qualifier] | None = None,
    min_value: int = 0,
    max_value: int = 1000,
    raw: bool = True,
) -> SearchStrategy[Estimate]:
    """Draw estimates of every qualifier, respecting the invariants of each.

    ``low <= best <= high`` always; "at least" has ``high`` None; "at most" has ``low`` 0; an
    exact estimate has ``low == best == high``; "about" and ranges have a finite ``high``.

    Args:
        unit: the unit of every estimate, or ``None`` for people and families alike.
        qualifiers: the qualifiers to draw from; ``None`` for all of them.
        min_value: the smallest number drawn (for "at most", ``low`` is still 0).
        max_value: the largest number drawn.
        raw: whether some estimates carry report words consistent with them ("over 600").

    Returns:
        A strategy of :class:`~repatevents.Estimate`.

    Raises:
        ValueError: the bounds are negative or the wrong way round, or ``qualifiers`` is empty.
    """
    if min_value < 0:
        raise ValueError(f"min_value ({min_value}) must not be negative: counts never are")
    check_range(min_value, max_value, "estimates")
    units = tuple(Unit) if unit is None else (unit,)
    chosen = tuple(Qualifier) if qualifiers is None else tuple(qualifiers)
    if not chosen:
        raise ValueError("qualifiers must not be empty")
    return _estimates(
        st.sampled_from(units), st.sampled_from(chosen), st.integers(min_value, max_value), raw
    )


def _span(days: tuple[dt.date, dt.date]) -> FuzzyDate:
    earliest, latest = sorted(days)
    return FuzzyDate(earliest, latest, Precision.DAYS)


def _months_within(min_date: dt.date, max_date: dt.date) -> list[tuple[int, int]]:
    months = []
    year, month = min_date.year, min_date.month
    while (year, month) <= (max_date.year, max_date.month):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        if min_date <= first and last <= max_date:
            months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def fuzzy_dates(
    *,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    precisions: Sequence[Precision] | None = None,
    open_ended: bool = True,
    raw: bool = True,
) -> SearchStrategy[FuzzyDate]:
    """Draw fuzzy dates of every precision, with every known day between the bounds.

    Days, spans of days, whole months and whole years lie inside ``min_date .. max_date``
    (a month or a year only when it fits entirely); open intervals ("on or before",
    "on or after") have their one bound inside it.

    Args:
        min_date: the earliest day a date may mention.
        max_date: the latest day a date may mention.
        precisions: the precisions to draw from; ``None`` for all. ``Precision.DAYS`` covers
            spans and, with ``open_ended``, open intervals.
        open_ended: whether to draw open intervals (``../2024-05-10``, ``2021/..``).
        raw: whether some dates carry report words ("Thursday", "February this year").

    Returns:
        A strategy of :class:`~repatevents.FuzzyDate`.

    Raises:
        ValueError: the bounds are the wrong way round or before year 1000, or no precision
            fits between them.
    """
    check_dates(min_date, max_date)
    chosen = tuple(Precision) if precisions is None else tuple(precisions)
    days = st.dates(min_value=min_date, max_value=max_date)
    options: list[SearchStrategy[FuzzyDate]] = []
    if Precision.DAY in chosen:
        options.append(days.map(FuzzyDate.day))
    if Precision.DAYS in chosen:
        options.append(st.tuples(days, days).map(_span))
        if open_ended:
            options.append(days.map(lambda d: FuzzyDate(None, d, Precision.DAYS)))
            options.append(days.map(lambda d: FuzzyDate(d, None, Precision.DAYS)))
    months = _months_within(min_date, max_date)
    if Precision.MONTH in chosen and months:
        options.append(st.sampled_from(months).map(lambda ym: FuzzyDate.month(*ym)))
    first_year = min_date.year if min_date == dt.date(min_date.year, 1, 1) else min_date.year + 1
    last_year = max_date.year if max_date == dt.date(max_date.year, 12, 31) else max_date.year - 1
    if Precision.YEAR in chosen and first_year <= last_year:
        options.append(st.integers(first_year, last_year).map(FuzzyDate.year))
    if not options:
        raise ValueError(f"no date of precisions {chosen} fits between {min_date} and {max_date}")
    values = st.one_of(options)
    if not raw:
        return values
    words = optional(st.sampled_from(DATE_WORDS))
    return st.tuples(values, words).map(lambda vw: attrs.evolve(vw[0], raw=vw[1]))


def _point(n: int, qualifier: Qualifier = Qualifier.EXACT, unit: Unit = Unit.PEOPLE) -> Estimate:
    return Estimate(n, n, n, qualifier, unit)


_POINT_QUALIFIERS = st.sampled_from((Qualifier.EXACT, Qualifier.ABOUT))
_TOTAL_QUALIFIERS = st.sampled_from((Qualifier.EXACT, Qualifier.AT_LEAST, Qualifier.ABOUT))


def _chosen_fields(
    fields: tuple[str, ...], required: tuple[str, ...]
) -> SearchStrategy[frozenset[str]]:
    """The names a group reports: every required one, and at least one in all."""
    optional = [f for f in fields if f not in required]
    if not optional:
        return st.just(frozenset(required))
    if required:
        return st.sets(st.sampled_from(optional)).map(lambda s: frozenset(s | set(required)))
    return st.sets(st.sampled_from(optional), min_size=1).map(frozenset)


@st.composite
def _consistent_people(
    draw: DrawFn, chosen_fields: SearchStrategy[frozenset[str]], max_value: int
) -> People:
    # Build the group from disjoint parts, so that every reported figure is a sum of the parts
    # it covers: breakdowns fit in the total and girls + boys fit in children, however the
    # estimates are compared (by low, best or high).
    names = draw(chosen_fields)
    part_max = max_value // 6
    parts = st.integers(0, part_max)
    women, men, girls, boys = (draw(parts) for _ in range(4))
    # Unreported people are no one: a breakdown that names every other part must reach the
    # whole, so a group that does not report ``unknown`` has none.
    unknown = draw(parts) if "unknown" in names else 0
    orphans = draw(st.integers(0, girls + boys))
    values = {
        "women": women,
        "men": men,
        "adults": women + men,
        "girls": girls,
        "boys": boys,
        "children": girls + boys,
        "orphans": orphans,
        "unknown": unknown,
    }
    total = women + men + girls + boys + unknown
    reported: dict[str, Estimate] = {}
    for name in sorted(names):
        if name == "total":
            # A total may be vaguer than its parts, but never below their sum.
            qualifier = draw(_TOTAL_QUALIFIERS)
            if qualifier is Qualifier.EXACT:
                reported[name] = _point(total)
            elif qualifier is Qualifier.AT_LEAST:
                reported[name] = Estimate(total, total, None, qualifier)
            else:
                best = total + draw(parts)
                high = best + draw(parts)
                reported[name] = Estimate(best, total, high, qualifier)
        elif name == "families":
            reported[name] = draw(_families_of(total))
        else:
            reported[name] = _point(values[name], draw(_POINT_QUALIFIERS))
    return People(**reported)


def _families_of(people: int) -> SearchStrategy[Estimate]:
    """Draw a count of families that converts to a range holding ``people``.

    The projections convert families at 3.6 to 3.9 people each (``FAMILY_TO_PEOPLE``):
    ``low`` families make at least ``low * 3.6`` people and ``high`` at most ``high * 3.9``, so
    ``low * 3.6 <= people <= high * 3.9`` keeps the group consistent whether its whole is the
    total or, without one, the converted families. Exact where a whole number of families
    fits; a range, or "at least" its low, always.
    """
    low_ratio, high_ratio = (round(r * 10) for r in FAMILY_TO_PEOPLE)
    low = people * 10 // high_ratio  # low * 3.9 <= people, so low * 3.6 is too
    high = -(-people * 10 // low_ratio)  # high * 3.6 >= people, so high * 3.9 is too
    exact = [n for n in range(low, high + 1) if n * low_ratio <= people * 10 <= n * high_ratio]
    options: list[SearchStrategy[Estimate]] = [
        st.integers(low, high).map(
            lambda best: Estimate(best, low, high, Qualifier.RANGE, Unit.FAMILIES)
        ),
        st.integers(low, high).map(
            lambda best: Estimate(best, low, None, Qualifier.AT_LEAST, Unit.FAMILIES)
        ),
    ]
    if exact:
        options.insert(0, st.sampled_from(exact).map(lambda n: _point(n, unit=Unit.FAMILIES)))
    return st.one_of(options).map(lambda e: attrs.evolve(e, raw=_estimate_words(e)))


@st.composite
def _any_people(
    draw: DrawFn,
    chosen_fields: SearchStrategy[frozenset[str]],
    families: SearchStrategy[Estimate],
    persons: SearchStrategy[Estimate],
) -> People:
    reported = {
        name: draw(families if name == "families" else persons)
        for name in sorted(draw(chosen_fields))
    }
    return People(**reported)


def people(
    *,
    fields: Sequence[str] | None = None,
    required: Sequence[str] = (),
    max_value: int = 1000,
    consistent: bool = False,
) -> SearchStrategy[People]:
    """Draw reported groups of people: any non-empty subset of the fields, each an estimate.

    By default a group may contradict itself (women + children above the total, girls + boys
    not children), because a source can; the validator accepts that and the data-quality
    report shows it. With ``consistent=True`` every breakdown lies within the total (the sum of
    disjoint parts never exceeds it), adults are women + men, children are girls + boys and
    orphans are at most the children; breakdown figures are then exact or "about" a point, and
    the total is exact, "at least" or "about" a number no smaller than the sum of its parts.
    Families then convert (at 3.6 to 3.9 people each, as the projections do) to a range that
    holds the people the parts add up to, and a group that does not report ``unknown`` has
    none, so that a breakdown naming every other part reaches its whole: ``Ledger.quality()``
    finds no ``breakdown-does-not-add-up`` and ``breakdown_is_consistent`` holds.

    Args:
        fields: the fields that may be reported, from :data:`PEOPLE_FIELDS`; ``None`` for all.
        required: fields every group reports (for example ``("total",)``).
        max_value: the largest number drawn (with ``consistent``, the largest exact total).
        consistent: whether the group must be internally consistent.

    Returns:
        A strategy of :class:`~repatevents.People`.

    Raises:
        ValueError: a field is not a field of People, or ``fields`` is empty.
    """
    chosen = PEOPLE_FIELDS if fields is None else tuple(dict.fromkeys(fields))
    required_t = tuple(dict.fromkeys(required))
    unknown = [f for f in (*chosen, *required_t) if f not in PEOPLE_FIELDS]
    if unknown:
        raise ValueError(f"not fields of People: {unknown}; expected some of {PEOPLE_FIELDS}")
    if not chosen and not required_t:
        raise ValueError("fields must not be empty: a group reports at least one figure")
    chosen = tuple(dict.fromkeys((*chosen, *required_t)))
    if max_value < 0:
        raise ValueError(f"max_value ({max_value}) must not be negative")
    chosen_fields = _chosen_fields(chosen, required_t)
    if consistent:
        return _consistent_people(chosen_fields, max_value)
    return _any_people(
        chosen_fields,
        estimates(unit=Unit.FAMILIES, max_value=max_value),
        estimates(max_value=max_value),
    )


def sources(
    *,
    publishers: Sequence[str] | None = None,
    speaker_kinds: Sequence[SpeakerKind] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
) -> SearchStrategy[Source]:
    """Draw sources: a publisher, the outlets it came through, the speaker and their kind.

    Args:
        publishers: the publishers to draw from; ``None`` mixes well-known outlets with
            arbitrary non-empty names in any script.
        speaker_kinds: the kinds of speaker to draw from; ``None`` for all.
        min_date: the earliest publication date.
        max_date: the latest publication date.

    Returns:
        A strategy of :class:`~repatevents.Source`.

    Raises:
        ValueError: ``publishers`` or ``speaker_kinds`` is empty, or the dates are reversed.
    """
    check_dates(min_date, max_date)
    publisher = (
        st.sampled_from(PUBLISHERS) | NAME_TEXT
        if publishers is None
        else sampled(publishers, "publishers")
    )
    kinds = (
        st.sampled_from(SpeakerKind)
        if speaker_kinds is None
        else sampled(speaker_kinds, "speaker_kinds")
    )
    published = fuzzy_dates(
        min_date=min_date,
        max_date=max_date,
        precisions=(Precision.DAY, Precision.MONTH),
        open_ended=False,
        raw=False,
    )
    return st.builds(
        Source,
        publisher=publisher,
        via=st.lists(st.sampled_from(OUTLETS), max_size=2, unique=True).map(tuple),
        speaker=optional(st.sampled_from(SPEAKERS)),
        speaker_kind=kinds,
        url=optional(NAME_TEXT.map(lambda s: f"https://news.example/{s}")),
        published=optional(published),
    )
