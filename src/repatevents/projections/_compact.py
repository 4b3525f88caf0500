"""Compact records: what the fold keeps of each report, in plain tuples that pickle fast.

The knowledge state of a ledger with a million events is checkpointed and read back on every
cold start, so it holds no attrs values: dates are ordinals, estimates are tuples, strings are
interned so that a checkpoint stores each country code once. The public result types are
built from these records when a projection is asked for.

A record is made from a report (:func:`record_of`) or, without building the event, from the
checked form of its stored JSON (:func:`form_record_of`); the two give equal records, which a
property in ``tests/projections/test_state.py`` pins. Values that recur (groups of people,
dates, sources, combined figures) are made once and shared by the records that hold them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import uuid
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias, TypeVar

from ..events import (
    CATEGORIES,
    CumulativeTotalReported,
    Estimate,
    FuzzyDate,
    InflowReported,
    OperationReported,
    OutflowReported,
    People,
    Precision,
    Qualifier,
    Report,
    Source,
    StockObserved,
    Unit,
    stored_by_nationality,
    stored_date,
    stored_people,
    stored_source,
)

__all__ = [
    "DERIVED_KEY",
    "FIELDS",
    "NO_EXTRA",
    "ClaimRec",
    "Extra",
    "Fig",
    "Figs",
    "FlowRec",
    "OpRec",
    "Rec",
    "SourceRec",
    "StockRec",
    "When",
    "Where",
    "derived",
    "extra_of",
    "fig_of",
    "figs_of",
    "form_figs",
    "form_record_of",
    "form_source_rec",
    "form_when",
    "record_of",
    "shared",
    "source_rec_of",
    "to_estimate",
    "to_fuzzy",
    "to_people",
    "when_of",
    "where_of",
]

#: The figures of a group of people, in the order records keep them.
FIELDS: tuple[str, ...] = ("total", "families", *CATEGORIES)
TOTAL, FAMILIES = 0, 1

#: An estimate as (low, best, high or None, qualifier value, raw words or None).
Fig: TypeAlias = tuple[int, int, int | None, str, str | None]
#: A group of people: one ``Fig`` or ``None`` per name in :data:`FIELDS`.
Figs: TypeAlias = tuple[Fig | None, ...]


class When(NamedTuple):
    """A fuzzy date as ordinals.

    ``latest`` is the effective latest day: the date's own, or, when the date is open at the
    end ("recently", "2021/.."), the last day the source can have been published (a report
    cannot describe what had not happened when it was written). ``given_latest`` is the date's
    own latest day, kept to show the date as the source gave it.
    """

    earliest: int | None
    latest: int | None
    given_latest: int | None
    precision: str
    raw: str | None


class SourceRec(NamedTuple):
    """A source, kept once in the state's source table and referred to by index."""

    publisher: str
    via: tuple[str, ...]
    speaker: str | None
    speaker_kind: str
    url: str | None
    published: When | None

    @property
    def origin_outlet(self) -> str:
        """The outlet the report started from, as :attr:`Source.origin_outlet` says."""
        return self.via[-1] if self.via else self.publisher


#: What few operation reports give: (facilitators, name, ordinal, ordinal scope).
Extra: TypeAlias = tuple[tuple[str, ...], str | None, int | None, str | None]
#: The extra of a report that gives none of it, held once by every such record.
NO_EXTRA: Extra = ((), None, None, None)


def extra_of(
    facilitators: tuple[str, ...], name: str | None, ordinal: int | None, scope: str | None
) -> Extra:
    """Return an operation report's :data:`Extra` (:data:`NO_EXTRA` when it gives none)."""
    if not facilitators and name is None and ordinal is None and scope is None:
        return NO_EXTRA
    return (facilitators, name, ordinal, scope)


#: Where an operation report places it: (receiving country, nationality, origin, date role).
Where: TypeAlias = tuple[str, str | None, str, str]
_wheres: dict[Where, Where] = {}


def where_of(country: str, nationality: str | None, origin: str, role: str) -> Where:
    """Return the :data:`Where` of these values, one shared value for equal ones (a few hundred
    combinations recur across a ledger)."""
    key = (country, nationality, origin, role)
    found = _wheres.get(key)
    if found is None:
        if len(_wheres) >= _CACHE_LIMIT:
            _wheres.clear()
        found = _wheres[key] = (_intern(country), _opt_intern(nationality), _intern(origin), role)
    return found


class OpRec(NamedTuple):
    """An operation report.

    Values that recur together are kept as one shared tuple (``where``), and the fields most
    reports leave empty together in ``extra`` (one shared value when all are empty): seven
    slots fewer in a record the state holds for nearly every event.
    """

    id: int
    position: int
    source: int
    where: Where
    date: When
    people: Figs
    key: str | None
    extra: Extra = NO_EXTRA

    @property
    def country(self) -> str:
        """The receiving country (ISO code)."""
        return self.where[0]

    @property
    def nationality(self) -> str | None:
        """The nationality of the people, where it is not the receiving country's."""
        return self.where[1]

    @property
    def origin(self) -> str:
        """Where the people came from (a place id)."""
        return self.where[2]

    @property
    def role(self) -> str:
        """What the date is the date of (``DateRole`` value)."""
        return self.where[3]

    @property
    def facilitators(self) -> tuple[str, ...]:
        """The facilitators the report names."""
        return self.extra[0]

    @property
    def name(self) -> str | None:
        """The operation's name, if the report gives one."""
        return self.extra[1]

    @property
    def ordinal(self) -> int | None:
        """The operation's ordinal ("the fourth"), if the report gives one."""
        return self.extra[2]

    @property
    def ordinal_scope(self) -> str | None:
        """What the ordinal counts (``OrdinalScope`` value)."""
        return self.extra[3]


class ClaimRec(NamedTuple):
    """A cumulative total claimed by a source."""

    id: int
    position: int
    source: int
    #: ``None`` for a claim about every receiving country together
    country: str | None
    nationality: str | None
    people: Figs
    until: When
    since: When | None
    origin: str
    counter: str | None


class StockRec(NamedTuple):
    """A population observed at a place."""

    id: int
    position: int
    source: int
    place: str
    date: When
    people: Figs
    scope: str
    country: str | None
    by_nationality: tuple[tuple[str, Fig], ...]


class FlowRec(NamedTuple):
    """An outflow (``direction`` "out") or inflow ("in") other than a repatriation."""

    id: int
    position: int
    source: int
    direction: str
    place: str
    date: When
    people: Figs
    kind: str
    nationality: str | None


Rec: TypeAlias = OpRec | ClaimRec | StockRec | FlowRec

_intern = sys.intern


def _opt_intern(text: str | None) -> str | None:
    return None if text is None else _intern(text)


def fig_of(estimate: Estimate) -> Fig:
    """Return the compact form of an estimate (its unit is implied by where it is kept)."""
    # ``_value_`` is what ``.value`` returns, without the enum property's cost (millions of
    # calls in a rebuild).
    return (estimate.low, estimate.best, estimate.high, estimate.qualifier._value_, estimate.raw)


def figs_of(people: People) -> Figs:
    """Return the compact form of a group of people."""
    return tuple(
        None if (value := getattr(people, name)) is None else fig_of(value) for name in FIELDS
    )


# Day ordinals are ints past the small ones Python shares: each date of a million records would
# hold its own. A few thousand days recur; one int each is kept.
_days: dict[int, int] = {}


def _day(ordinal: int) -> int:
    return _days.setdefault(ordinal, ordinal)


def when_of(date: FuzzyDate, published_latest: int | None = None) -> When:
    """Return the compact form of a date; ``published_latest`` bounds its end.

    A report cannot describe what had not happened when it was published: an operation "in
    February" in a report of 20 February happened by 20 February, and an open end ("2021/..")
    ends at publication. A date that starts after publication (a mistake, or a plan) keeps its
    own end.
    """
    earliest = None if date.earliest is None else _day(date.earliest.toordinal())
    given = None if date.latest is None else _day(date.latest.toordinal())
    latest = given
    if published_latest is not None and (earliest is None or earliest <= published_latest):
        if latest is None or latest > published_latest:
            latest = published_latest
    elif latest is None and published_latest is not None:
        # An open end never ends before the date's own start.
        latest = max(published_latest, earliest) if earliest is not None else published_latest
    return When(earliest, latest, given, date.precision._value_, date.raw)


def to_fuzzy(when: When, *, effective: bool = False) -> FuzzyDate:
    """Return the date a ``When`` was made from (with ``effective``, its effective end)."""
    earliest = None if when.earliest is None else dt.date.fromordinal(when.earliest)
    end = when.latest if effective else when.given_latest
    latest = None if end is None else dt.date.fromordinal(end)
    precision = Precision(when.precision)
    if effective and end != when.given_latest:
        return FuzzyDate.between(earliest, latest, when.raw)
    return FuzzyDate(earliest, latest, precision, when.raw)


def to_estimate(fig: Fig, unit: Unit = Unit.PEOPLE) -> Estimate:
    """Return the estimate a ``Fig`` stands for."""
    low, best, high, qualifier, raw = fig
    return Estimate(best, low, high, Qualifier(qualifier), unit, raw)


def to_people(figs: Figs) -> People | None:
    """Return the group of people ``figs`` stands for, or ``None`` when nothing was given."""
    values = {
        name: to_estimate(fig, Unit.FAMILIES if i == FAMILIES else Unit.PEOPLE)
        for i, (name, fig) in enumerate(zip(FIELDS, figs, strict=True))
        if fig is not None
    }
    return People(**values) if values else None


@lru_cache(maxsize=4096)
def source_rec_of(source: Source) -> SourceRec:
    """Return the compact form of a source (a few sources give most reports: cached)."""
    published = None if source.published is None else when_of(source.published)
    return SourceRec(
        _intern(source.publisher),
        tuple(_intern(v) for v in source.via),
        _opt_intern(source.speaker),
        _intern(source.speaker_kind.value),
        source.url,
        published,
    )


#: Keys the fold derives start with this (a control character no key a person types holds).
DERIVED_KEY = "\x1f"


def _wire_key(report: OperationReported, figs: Figs) -> str:
    """Return the key that groups copies of one report.

    A wire story republished by ten outlets is one claim, not ten (DOMAIN item 10): reports
    that started from the same outlet (the last of ``via``, or the publisher) and give the same
    receiving country, date and figures are one operation. A report with an operation key of
    its own is grouped by that key instead.
    """
    outlet = report.source.origin_outlet.casefold()
    return _derived_key(f"{outlet}|{report.country}|{report.date.to_text()}|{figs!r}")


def _derived_key(text: str) -> str:
    """Return the key derived from ``text``: a digest, since the fold keeps one per report
    (the text, with the figures' repr, is some 200 bytes; a ledger without operation keys
    would hold one for each of its events). 96 bits: no two of a ledger's texts share one."""
    digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
    # Copies of a wire story share their key: held once.
    return _intern(DERIVED_KEY + digest)


def derived(key: str) -> bool:
    """Return whether an operation key was derived by the fold rather than reported."""
    return key.startswith(DERIVED_KEY)


def record_of(report: Report, rid: int, position: int, source: int, published: int | None) -> Rec:
    """Return the record the fold keeps of ``report``.

    Args:
        report: the report (or a correction's replacement).
        rid: the id the record is kept under (a replacement keeps the id it corrects).
        position: the log position of the event that brought this version of the report.
        source: the index of its source in the state's source table.
        published: the latest day the source can have been published (ordinal), if known.
    """
    if isinstance(report, OperationReported):
        figs = figs_of(report.people)
        key = report.operation_key
        return OpRec(
            rid,
            position,
            source,
            where_of(report.country, report.nationality, report.origin, report.date_role._value_),
            when_of(report.date, published),
            figs,
            _intern(key) if key is not None else _wire_key(report, figs),
            extra_of(
                tuple(_intern(f) for f in report.facilitators),
                report.operation_name,
                report.ordinal,
                None if report.ordinal_scope is None else report.ordinal_scope._value_,
            ),
        )
    if isinstance(report, CumulativeTotalReported):
        return ClaimRec(
            rid,
            position,
            source,
            _opt_intern(report.country),
            _opt_intern(report.nationality),
            figs_of(report.people),
            when_of(report.until, published),
            None if report.since is None else when_of(report.since, published),
            _intern(report.origin.value),
            _opt_intern(report.counter),
        )
    if isinstance(report, StockObserved):
        return StockRec(
            rid,
            position,
            source,
            _intern(report.place),
            when_of(report.date, published),
            figs_of(report.people),
            _intern(report.scope.value),
            _opt_intern(report.country),
            tuple((_intern(code), fig_of(value)) for code, value in report.by_nationality),
        )
    direction = "out" if isinstance(report, OutflowReported) else "in"
    assert isinstance(report, (OutflowReported, InflowReported))
    return FlowRec(
        rid,
        position,
        source,
        _intern(direction),
        _intern(report.place),
        when_of(report.date, published),
        figs_of(report.people),
        _intern(report.kind.value),
        _opt_intern(report.nationality),
    )


# -- records from stored forms ------------------------------------------------------------------
# The fold reads the stored JSON as checked forms (``events.decode_stored_form``) and makes its
# records from them without building events. Values that recur across a log are made once per
# distinct form and shared by every record that holds them, which is also what keeps a state of
# a million reports small. Bounded: a full cache is emptied (a few values made again).
_CACHE_LIMIT = 1 << 14
_V = TypeVar("_V")
_form_figs: dict[Any, Figs] = {}
_form_whens: dict[tuple[Any, int | None], When] = {}
_form_sources: dict[Any, SourceRec] = {}
_form_texts: dict[Any, str] = {}


def _keep(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


_shared: dict[Any, Any] = {}


def shared(value: _V) -> _V:
    """Return the kept value equal to ``value`` (a date or figures: immutable tuples), or keep
    this one: equal values made apart (dates bounded by different publications, an
    operation's combined figures) are held once."""
    found: _V | None = _shared.get(value)
    if found is None:
        return _keep(_shared, value, value)  # type: ignore[no-any-return]
    # A named tuple equals a plain one of the same values: only one of its own class will do.
    return found if found.__class__ is value.__class__ else value


def form_figs(form: Any) -> Figs:
    """Return the compact form of a checked people form (``figs_of`` of its people)."""
    found = _form_figs.get(form)
    return found if found is not None else _keep(_form_figs, form, figs_of(stored_people(form)))


def form_when(form: Any, published_latest: int | None = None) -> When:
    """Return the compact form of a checked date form (``when_of`` of its date)."""
    key = (form, published_latest)
    found = _form_whens.get(key)
    if found is None:
        found = _keep(_form_whens, key, shared(when_of(stored_date(form), published_latest)))
    return found


def form_source_rec(form: Any) -> SourceRec:
    """Return the compact form of a checked source form (``source_rec_of`` of its source)."""
    found = _form_sources.get(form)
    if found is None:
        found = _keep(_form_sources, form, source_rec_of(stored_source(form)))
    return found


def _form_wire_key(form: Any, source: SourceRec, figs: Figs) -> str:
    """Return :func:`_wire_key` of the report a checked form holds."""
    text = _form_texts.get(form.date)
    if text is None:
        text = _keep(_form_texts, form.date, stored_date(form.date).to_text())
    return _derived_key(f"{source.origin_outlet.casefold()}|{form.country}|{text}|{figs!r}")


def form_record_of(
    form: Any, kind: str, rid: int, position: int, source: int, sources: list[SourceRec]
) -> Rec:
    """Return :func:`record_of` of the report a checked form of type ``kind`` holds.

    Args:
        form: the report's form (``events.decode_stored_form``, or a correction's replacement).
        kind: its type name.
        rid, position, source: as :func:`record_of` takes them.
        sources: the state's source table, which ``source`` indexes.
    """
    source_rec = sources[source]
    published = None if source_rec.published is None else source_rec.published.latest
    if kind == OperationReported.TYPE:
        figs = form_figs(form.people)
        key = form.operation_key
        scope = form.ordinal_scope
        return OpRec(
            rid,
            position,
            source,
            where_of(form.country, form.nationality, form.origin, form.date_role._value_),
            form_when(form.date, published),
            figs,
            _intern(key) if key is not None else _form_wire_key(form, source_rec, figs),
            extra_of(
                tuple(_intern(f) for f in form.facilitators),
                form.operation_name,
                form.ordinal,
                None if scope is None else scope._value_,
            ),
        )
    if kind == CumulativeTotalReported.TYPE:
        return ClaimRec(
            rid,
            position,
            source,
            _opt_intern(form.country),
            _opt_intern(form.nationality),
            form_figs(form.people),
            form_when(form.until, published),
            None if form.since is None else form_when(form.since, published),
            _intern(form.origin._value_),
            _opt_intern(form.counter),
        )
    if kind == StockObserved.TYPE:
        return StockRec(
            rid,
            position,
            source,
            _intern(form.place),
            form_when(form.date, published),
            form_figs(form.people),
            _intern(form.scope._value_),
            _opt_intern(form.country),
            tuple(
                (_intern(code), fig_of(value))
                for code, value in stored_by_nationality(form.by_nationality)
            ),
        )
    return FlowRec(
        rid,
        position,
        source,
        _intern("out" if kind == OutflowReported.TYPE else "in"),
        _intern(form.place),
        form_when(form.date, published),
        form_figs(form.people),
        _intern(form.kind._value_),
        _opt_intern(form.nationality),
    )


def uuid_of(rid: int) -> uuid.UUID:
    """Return the UUID a record id (the UUID's integer) stands for."""
    return uuid.UUID(int=rid)


# Qualifier values, for the estimates the projections build.
EXACT = Qualifier.EXACT.value
ABOUT = Qualifier.ABOUT.value
AT_LEAST = Qualifier.AT_LEAST.value
AT_MOST = Qualifier.AT_MOST.value
RANGE = Qualifier.RANGE.value
