"""The values projections return: frozen, comparable, and built from the knowledge state."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import attrs

from ..events import DateRole, Estimate, FuzzyDate, Origin, People, PopulationScope, SpeakerKind

__all__ = [
    "CountryTotal",
    "FindingKind",
    "Operation",
    "QualityFinding",
    "Reconciliation",
    "ReconciliationStatus",
    "RemainingEstimate",
    "ReportRef",
    "SourceSummary",
    "TimeseriesPoint",
]


class ListedLater(Sequence[uuid.UUID]):
    """Ids listed by ``make`` when first read, then kept; equal to the tuple of them.

    A projection's rows hold them where listing every id would cost more than the row's own
    figures (a reconciliation row over every operation of a country).
    """

    __slots__ = ("_ids", "_make")

    def __init__(self, make: Callable[[], tuple[uuid.UUID, ...]]) -> None:
        self._make: Callable[[], tuple[uuid.UUID, ...]] | None = make
        self._ids: tuple[uuid.UUID, ...] | None = None

    def _listed(self) -> tuple[uuid.UUID, ...]:
        if self._ids is None:
            assert self._make is not None
            self._ids, self._make = self._make(), None
        return self._ids

    @overload
    def __getitem__(self, index: int) -> uuid.UUID: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[uuid.UUID, ...]: ...
    def __getitem__(self, index: int | slice) -> uuid.UUID | tuple[uuid.UUID, ...]:
        return self._listed()[index]

    def __len__(self) -> int:
        return len(self._listed())

    def __iter__(self) -> Iterator[uuid.UUID]:
        return iter(self._listed())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ListedLater):
            return self._listed() == other._listed()
        if isinstance(other, tuple):
            return self._listed() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._listed())

    def __repr__(self) -> str:
        return repr(self._listed())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as the ids themselves: what lists them stays behind.
        return (tuple, (self._listed(),))


@attrs.frozen
class ReportRef:
    """One report behind a figure, as the ledger holds it now (corrections applied).

    Attributes:
        id: the report's id (a corrected report keeps the id of the report it corrects).
        type: the event type (``"operation-reported"`` …).
        position: the log position of the event that brought this version of the report.
        publisher: the outlet whose report was read.
        via: the outlets it came through, nearest first.
        origin_outlet: the outlet the claim started from (syndicated copies share it).
        speaker_kind: the kind of body that gave the figure.
        url: the report's address, if recorded.
        published: when the source was published, if known.
        date: the date the report gives.
        date_role: what the date marks (operations only).
        people: the figures as reported.
        corrected: whether a correction replaced the original report.
    """

    id: uuid.UUID
    type: str
    position: int
    publisher: str
    via: tuple[str, ...]
    origin_outlet: str
    speaker_kind: SpeakerKind
    url: str | None
    published: FuzzyDate | None
    date: FuzzyDate
    date_role: DateRole | None
    people: People
    corrected: bool


@attrs.frozen
class Operation:
    """Reports of one repatriation operation merged: figures as ranges across the reports.

    Attributes:
        id: the operation's id: the smallest id among its reports.
        keys: the operation keys its reports carry.
        country: the receiving state (of the first report recorded).
        nationality: the people's nationality where a report says it differs.
        origin: the most precise place any report names; where reports name different
            sites, the set of them (``"al-hol+roj"``).
        origin_scope: the origin scope of that place (Syria, Iraq, or either).
        date: the date the operation counts by: from the earliest day any report's date
            allows to the first day by which some report's date is past (it surely happened
            by then). :attr:`role_dates` keeps each report's own date with what it marks.
        people: each category's low / best / high across the reports (``best`` chosen by the
            policy); the total is always set.
        total_basis: ``"reported"``, ``"parts"`` (a reported total raised to the sum of the
            parts a report names, which exceed it), ``"families"`` (converted at 3.6-3.9
            people per family) or ``"breakdown"`` (at least the people the breakdown names).
        reports: the reports behind it, in log order.
        independent_sources: how many distinct outlets the reports started from.
        facilitators: who helped, as any report names them.
        names: the operation's own names (``"Jusan"``).
        adjudicated: the latest adjudicated figure of any of its reports, if any.
    """

    id: uuid.UUID
    keys: tuple[str, ...]
    country: str
    nationality: str | None
    origin: str
    origin_scope: Origin
    date: FuzzyDate
    people: People
    total_basis: str
    reports: tuple[ReportRef, ...]
    independent_sources: int
    facilitators: tuple[str, ...]
    names: tuple[str, ...]
    adjudicated: People | None

    @property
    def role_dates(self) -> tuple[tuple[DateRole, FuzzyDate], ...]:
        """Each date its reports give, with what it marks, in log order (without repeats).

        ``date`` merges them into the window the operation counts by (it surely happened once
        any report's date is past); these keep which report said what: a handover on
        7 December and an arrival on 9 December stay two dates, and an arrival on a day beside
        a statement naming only the month keeps both.
        """
        found = ((ref.date_role or DateRole.UNKNOWN, ref.date) for ref in self.reports)
        return tuple(dict.fromkeys(found))

    @property
    def label(self) -> str:
        """A short name: the operation key, or the start of the id."""
        return "+".join(self.keys) if self.keys else f"op-{self.id.hex[:8]}"

    @property
    def total(self) -> Estimate:
        """Return the operation's total."""
        assert self.people.total is not None
        return self.people.total


@attrs.frozen
class CountryTotal:
    """One receiving country's operations summed, as of a date (or one nationality's).

    Every category's ``low`` and ``best`` add what the operations report; its ``high`` also
    adds, for the operations that do not report it, the most it can hold in each: their
    total's high less the people they surely put elsewhere (84 people, all children, hold no
    women). A category no operation reports is ``None``, never zero.

    Totals by nationality (``Ledger.totals(by="nationality")``) sum the operations by the
    people's nationality instead: the nationality a report gives where it differs from the
    receiving country, else the receiving country. Their ``country`` is the nationality and
    ``receiving_countries`` names the other states that received its nationals.

    Attributes:
        country: ISO 3166-1 alpha-3 code: the receiving country, or the nationality.
        name: the country's name.
        operations: how many operations.
        people: the total (always set) and the breakdown.
        from_syria, from_iraq, from_syria_or_iraq, from_elsewhere: the total by origin scope
            (``None`` where no operation came from there).
        first_date: the first day the first operation can have happened.
        last_date: the day by which the last operation surely happened.
        converted_operations: operations whose total was not reported as a total (or was
            raised to the sum of its report's parts).
        people_per_family: the range used to convert families, when any total was converted
            from families.
        nationalities: the nationalities of the people where they differ from the country
            (by receiving country; empty by nationality).
        receiving_countries: by nationality, the receiving countries of its nationals other
            than the nationality itself (a Kazakh group on a Kyrgyz flight names KGZ); empty
            by receiving country.
    """

    country: str
    name: str
    operations: int
    people: People
    from_syria: Estimate | None
    from_iraq: Estimate | None
    from_syria_or_iraq: Estimate | None
    from_elsewhere: Estimate | None
    first_date: dt.date | None
    last_date: dt.date | None
    converted_operations: int
    people_per_family: tuple[float, float] | None
    nationalities: tuple[str, ...]
    receiving_countries: tuple[str, ...] = ()

    @property
    def total(self) -> Estimate:
        """Return the country's total."""
        assert self.people.total is not None
        return self.people.total


@attrs.frozen
class TimeseriesPoint:
    """A country's cumulative total at the end of a month or a year.

    Attributes:
        country: ISO 3166-1 alpha-3 code.
        granularity: ``"month"`` or ``"year"``.
        period: ``"2023-12"`` or ``"2023"``.
        start, end: the period's first and last day.
        operations: operations surely done by ``end``.
        cumulative: their total.
        in_period: the total of the operations that surely happened by ``end`` but not by the
            period's start (exactly 0 when there were none).
    """

    country: str
    granularity: str
    period: str
    start: dt.date
    end: dt.date
    operations: int
    cumulative: Estimate
    in_period: Estimate


@attrs.frozen
class RemainingEstimate:
    """How many people remain in a population: the latest observation, minus outflows plus
    inflows since, in interval arithmetic, never below zero.

    ``low`` = baseline low - outflows high (including flows that only possibly came after the
    baseline) + inflows low; ``best`` counts only flows surely after the baseline;
    ``high`` = baseline high - outflows low + inflows high (including possible ones).

    Attributes:
        place: the place id observed, or ``None`` for a country's nationals anywhere.
        scope: who is counted.
        country: whose nationals, for scope ``nationals``.
        baseline: the latest observation, or ``None``: then ``remaining`` is unknown.
        baseline_date: its date.
        baseline_id: the observation's report id.
        age_days: days from the baseline's last possible day to ``as_of`` (or today).
        repatriated: repatriation operations since the baseline.
        other_outflows: releases, transfers, escapes and deaths since the baseline.
        inflows: births, arrivals and transfers in since the baseline.
        remaining: the estimate, or ``None`` for unknown (no baseline: never zero).
        clamped: whether a bound came out negative and was raised to zero.
        other_flows_recorded: whether any flow other than repatriations was counted; when not,
            the estimate ignores releases, escapes, deaths and births, which the ledger lacks.
        later_date: the date of the next observation after ``as_of``, if any.
        later_observation: that observation.
        residual: the later observation's best minus this estimate carried forward to its
            date: what the recorded flows do not explain.
        camp_status: the camp's latest status change by ``as_of`` (``CampStatus`` value:
            ``opened``, ``closed``, ``emptied``, ``transferred``), if any was recorded. A
            camp surely closed or emptied after its baseline holds no one: ``remaining`` is
            then exactly 0.
        camp_status_date: the date of that change.
        camp_authority: for a camp transferred to another authority, the new one.
        joint_place: a set of sites holding this place whose population was counted together
            ("al-hol+roj"), if any: the tightest one.
        joint_bound: what that joint estimate says of this population alone: at most the
            joint figure, or, where every other site of the set has an estimate, the joint
            figure minus theirs (a range). Never added to ``remaining``, which comes from this
            population's own count.
    """

    place: str | None
    scope: PopulationScope
    country: str | None
    baseline: Estimate | None
    baseline_date: FuzzyDate | None
    baseline_id: uuid.UUID | None
    age_days: int | None
    repatriated: Estimate | None
    other_outflows: Estimate | None
    inflows: Estimate | None
    remaining: Estimate | None
    clamped: bool
    other_flows_recorded: bool
    later_date: FuzzyDate | None = None
    later_observation: Estimate | None = None
    residual: int | None = None
    camp_status: str | None = None
    camp_status_date: FuzzyDate | None = None
    camp_authority: str | None = None
    joint_place: str | None = None
    joint_bound: Estimate | None = None

    @property
    def unknown(self) -> bool:
        """Return whether there is no estimate (no observation to start from)."""
        return self.remaining is None


class ReconciliationStatus(enum.Enum):
    """How a cumulative claim compares with the ledger's own sum."""

    CONSISTENT = "consistent"
    LEDGER_LOWER = "ledger-lower"
    LEDGER_HIGHER = "ledger-higher"
    SCOPE_UNMATCHED = "scope-cannot-be-matched"


@attrs.frozen
class Reconciliation:
    """A cumulative claim beside the ledger's sum over the same window, origin and country.

    Attributes:
        claim_id: the claim's report id.
        country: the receiving country; ``None`` for a claim about every receiving
            country together (its sum counts the operations of every country).
        counter: whose count it is, when the report says.
        publisher, url: where the claim was read.
        origin: the origin scope the claim covers.
        since, until: the claim's window (``since`` ``None``: from the first operation).
        claimed: the claimed total.
        ledger: the ledger's sum: ``low`` and ``best`` over operations surely in the window and
            scope, ``high`` adding those only possibly in it.
        sure_operations, possible_operations: the operations summed, by id (a sequence
            listed when first read: a claim over years of operations names thousands, and
            rows read only for their sums need not list them).
        gap_low, gap_best, gap_high: ledger minus claim (negative: the ledger holds fewer);
            a bound is ``None`` when unbounded.
        status: consistent within the claim's qualifier; ledger lower (operations missing);
            ledger higher; or scope cannot be matched (the two agree only if operations of
            uncertain origin or date count).
        explanation: a sentence saying why.
        category: what is compared: ``"total"``, or the one category a claim gives without a
            total ("169 children" is compared with the operations' children).
    """

    claim_id: uuid.UUID
    country: str | None
    counter: str | None
    publisher: str
    url: str | None
    origin: Origin
    since: FuzzyDate | None
    until: FuzzyDate
    claimed: Estimate
    ledger: Estimate
    sure_operations: Sequence[uuid.UUID]
    possible_operations: Sequence[uuid.UUID]
    gap_low: int | None
    gap_best: int
    gap_high: int | None
    status: ReconciliationStatus
    explanation: str
    category: str = "total"


class FindingKind(enum.Enum):
    """The kinds of data-quality finding."""

    BREAKDOWN = "breakdown-does-not-add-up"
    REPORTS_DISAGREE = "reports-disagree"
    SPLIT_DISAGREES = "split-disagrees"
    LIKELY_DUPLICATE = "likely-duplicate"
    DECREASING_CLAIMS = "decreasing-claims"
    NO_ADDRESS = "no-source-address"
    ORIGIN_UNCLEAR = "origin-unclear"
    SCOPE_MISMATCH = "scope-mismatch"
    SYNDICATED = "syndicated"
    CONFLICTING_COUNTRIES = "conflicting-countries"
    DANGLING_REFERENCE = "dangling-reference"
    FAMILIES_CONVERTED = "families-converted"
    AFTER_PUBLICATION = "dated-after-publication"
    ORDINAL_MISMATCH = "ordinal-mismatch"


@attrs.frozen
class QualityFinding:
    """Something in the ledger a careful reader should look at.

    Attributes:
        kind: what kind of problem.
        message: a sentence naming the figures involved.
        event_ids: the reports (or events) involved.
        country: the country concerned, if one is.
    """

    kind: FindingKind
    message: str
    event_ids: tuple[uuid.UUID, ...]
    country: str | None = None


@attrs.frozen
class SourceSummary:
    """A source and how many of the reports in force came from it.

    Attributes:
        publisher: the outlet.
        via: the outlets the report came through.
        speaker_kind: the kind of body that gave the figures.
        url: the address.
        published: when it was published.
        reports: how many reports in force it gave.
    """

    publisher: str
    via: tuple[str, ...]
    speaker_kind: SpeakerKind
    url: str | None
    published: FuzzyDate | None
    reports: int
