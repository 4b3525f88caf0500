"""The events of the ledger: each one a claim by a source, never edited once recorded.

A correction or a retraction is an event of its own that points at the event it supersedes.
Every event has an ``id``; when none is given it is derived from the content, so recording the
same report twice (importing the same file again) records nothing new.

Fields are converted from the obvious input: country names to codes, place names to ids, counts
and report words to groups of people, ISO / EDTF text (``"2021-03-01"``) or a ``datetime.date``
to a fuzzy date, an enum's value as text, in any case (``"Handover"``), to its member, and
an id as text (``"9fb087d0-937b-5ce0-8427-2df27f4174eb"``, as ``repatevents events`` prints it)
to a UUID. Anything else is a :class:`~repatevents.errors.ValidationError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, NoReturn, TypeAlias

import attrs

from ..errors import FieldProblem, ValidationError
from ._countries import to_country_code
from ._dates import FuzzyDate, _fuzzy_date_of
from ._estimate import Estimate
from ._people import People
from ._places import Origin, lookup_place
from ._source import Source, _member_of

__all__ = [
    "EVENT_TYPES",
    "CampStatus",
    "CampStatusChanged",
    "CumulativeTotalReported",
    "DateRole",
    "Event",
    "FigureAdjudicated",
    "InflowKind",
    "InflowReported",
    "OperationReported",
    "OrdinalScope",
    "OutflowKind",
    "OutflowReported",
    "PopulationScope",
    "Report",
    "ReportCorrected",
    "ReportRetracted",
    "ReportsLinked",
    "StockObserved",
]

#: Namespace of ids derived from content (uuid5). Never change it: ids of recorded events use it.
ID_NAMESPACE = uuid.UUID("5c1f0a52-6d0e-4f5e-9a57-2f7b0e3c9d41")


class DateRole(enum.Enum):
    """What the date of an operation report marks."""

    HANDOVER = "handover"
    DEPARTURE = "departure"
    ARRIVAL = "arrival"
    OPERATION = "operation"
    ANNOUNCED = "announced"
    UNKNOWN = "unknown"


class OrdinalScope(enum.Enum):
    """What a source's ordinal counts: "the third operation this year", "the third operation"
    (since the country's first), or "the third operation of this campaign" (its name)."""

    YEAR = "year"
    ALL = "all"
    CAMPAIGN = "campaign"


class PopulationScope(enum.Enum):
    """Who a stock observation counts."""

    ALL = "all"
    FOREIGNERS = "foreigners"
    NON_SYRIANS = "non-syrians"
    NATIONALS = "nationals"


class OutflowKind(enum.Enum):
    """Ways people leave a camp other than a repatriation operation."""

    RELEASE = "release"
    TRANSFER = "transfer"
    ESCAPE = "escape"
    DEATH = "death"
    OTHER = "other"


class CampStatus(enum.Enum):
    """What happened to a camp: the statuses a ``camp-status-changed`` event records."""

    OPENED = "opened"
    CLOSED = "closed"
    EMPTIED = "emptied"
    TRANSFERRED = "transferred"


class InflowKind(enum.Enum):
    """Ways people arrive in a camp."""

    BIRTH = "birth"
    ARRIVAL = "arrival"
    TRANSFER = "transfer"
    OTHER = "other"


# -- field helpers ----------------------------------------------------------------------------
# Named converters (not factories) so that type checkers see what each field accepts; each
# names its own field in the error it raises.
def _to_country(value: str) -> str:
    return to_country_code(value, field="country")


def _to_optional_country(value: str | None) -> str | None:
    return None if value is None else to_country_code(value, field="country")


def _to_nationality(value: str | None) -> str | None:
    return None if value is None else to_country_code(value, field="nationality")


def _to_origin(value: str) -> str:
    return lookup_place(value, field="origin").id


def _to_place(value: str) -> str:
    return lookup_place(value, field="place").id


# Dates and enum members are also accepted as text ("2021-03-01", "handover", in any case).
# Each converter checks the type first and returns a value that already has it: events built
# by the store's reader, and every attrs.evolve, pass through at the cost of that check.
def _to_date(value: FuzzyDate | dt.date | str) -> FuzzyDate:
    return value if type(value) is FuzzyDate else _fuzzy_date_of(value, "date")


def _to_until(value: FuzzyDate | dt.date | str) -> FuzzyDate:
    return value if type(value) is FuzzyDate else _fuzzy_date_of(value, "until")


def _to_since(value: FuzzyDate | dt.date | str | None) -> FuzzyDate | None:
    if value is None or type(value) is FuzzyDate:
        return value
    return _fuzzy_date_of(value, "since")


def _to_ordinal_scope(value: OrdinalScope | str | None) -> OrdinalScope | None:
    if value is None or type(value) is OrdinalScope:
        return value
    return _member_of(OrdinalScope, value, "ordinal_scope")


def _to_date_role(value: DateRole | str) -> DateRole:
    return value if type(value) is DateRole else _member_of(DateRole, value, "date_role")


def _to_origin_scope(value: Origin | str) -> Origin:
    return value if type(value) is Origin else _member_of(Origin, value, "origin")


def _to_scope(value: PopulationScope | str) -> PopulationScope:
    if type(value) is PopulationScope:
        return value
    return _member_of(PopulationScope, value, "scope")


def _to_outflow_kind(value: OutflowKind | str) -> OutflowKind:
    return value if type(value) is OutflowKind else _member_of(OutflowKind, value, "kind")


def _to_camp_status(value: CampStatus | str) -> CampStatus:
    return value if type(value) is CampStatus else _member_of(CampStatus, value, "status")


def _to_inflow_kind(value: InflowKind | str) -> InflowKind:
    return value if type(value) is InflowKind else _member_of(InflowKind, value, "kind")


def _to_source(value: Source) -> Source:
    # Only a check, made as a converter so that it runs before the id is derived from the
    # content (a validator would run after, too late for a clear error).
    if isinstance(value, Source):
        return value
    raise ValidationError(
        FieldProblem("source", value, "a Source, such as Source(publisher='The New Arab')")
    )


def _of(kind: type) -> Any:
    return attrs.validators.instance_of(kind)


def _opt(kind: type) -> Any:
    return attrs.validators.optional(attrs.validators.instance_of(kind))


def _to_people(value: People | Estimate | int | str) -> People:
    return value if isinstance(value, People) else _group_of(value, "people")


def _group_of(value: object, field: str) -> People:
    """Return a count or report words as a group (their total), naming ``field`` in errors."""
    if isinstance(value, (int, str, Estimate)) and not isinstance(value, bool):
        try:
            return People(total=value)
        except ValidationError as exc:  # it names People's field (total), not this one
            raise ValidationError([attrs.evolve(p, field=field) for p in exc.problems]) from None
    rule = "a group of people: People, a count or report words ('over 600')"
    raise ValidationError(FieldProblem(field, value, rule))


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"expected a list, got {value!r}")
    return tuple(value)


# Ids are also accepted as text, as `repatevents events --json` prints them. A UUID is returned
# at once: stored events and every attrs.evolve pass through at the cost of that check.
_UUID_RULE = (
    "a UUID, such as '9fb087d0-937b-5ce0-8427-2df27f4174eb' (`repatevents events` lists them)"
)


def _uuid_of(value: object, field: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    raise ValidationError(FieldProblem(field, value, _UUID_RULE))


def _to_id(value: uuid.UUID | str) -> uuid.UUID:
    return value if type(value) is uuid.UUID else _uuid_of(value, "id")


def _to_supersedes(value: uuid.UUID | str) -> uuid.UUID:
    return value if type(value) is uuid.UUID else _uuid_of(value, "supersedes")


def _to_retracts(value: uuid.UUID | str) -> uuid.UUID:
    return value if type(value) is uuid.UUID else _uuid_of(value, "retracts")


def _to_report(value: uuid.UUID | str) -> uuid.UUID:
    return value if type(value) is uuid.UUID else _uuid_of(value, "report")


def _to_reports(value: Iterable[uuid.UUID | str]) -> tuple[uuid.UUID, ...]:
    if type(value) is tuple and all(type(item) is uuid.UUID for item in value):
        return value
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        _reject("reports", value, "a list of report ids (UUIDs)")
    return tuple(_uuid_of(item, "reports") for item in value)


def _reject(field: str, value: Any, rule: str) -> NoReturn:
    raise ValidationError(FieldProblem(field, value, rule))


def _positive_ordinal(instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (type(value) is not int or value < 1):
        _reject(attribute.name, value, "an ordinal counts operations from 1 ('third' is 3)")


def _to_by_nationality(
    value: Mapping[str, Estimate | int | str] | Iterable[tuple[str, Estimate | int | str]],
) -> tuple[tuple[str, Estimate], ...]:
    items: Iterable[tuple[str, Estimate | int | str]] = (
        value.items() if isinstance(value, Mapping) else value
    )
    out = []
    for code, count in items:
        field = f"by_nationality.{code}"
        estimate = _group_of(count, field).total
        assert estimate is not None
        out.append((to_country_code(code, field=field), estimate))
    return tuple(sorted(out))


# The canonical content an id is derived from is the codec's to define, and the codec is built
# from these classes: it hands its function down here when it loads (``repatevents.events``
# loads it before any event can be made), so the dependency points one way, codec -> events.
_content_of: list[Callable[[Any], bytes]] = []


def _use_canonical_content(content_of: Callable[[Any], bytes]) -> None:
    _content_of[:] = [content_of]


def _derive_id(event: Any) -> uuid.UUID:
    return uuid.uuid5(ID_NAMESPACE, _content_of[0](event).decode("utf-8"))


def _id_field() -> Any:
    # The converter also sees the derived id, a UUID it returns at once.
    return attrs.field(
        default=attrs.Factory(_derive_id, takes_self=True), converter=_to_id, eq=True
    )


def _source_field() -> Any:
    return attrs.field(converter=_to_source)


def _notes_field() -> Any:
    return attrs.field(default=None, validator=_opt(str))


# -- reports: claims about people and numbers --------------------------------------------------
@attrs.frozen(kw_only=True)
class OperationReported:
    """A report of one repatriation operation: a group of people taken from a place to a country.

    Attributes:
        country: the receiving state (ISO 3166-1 alpha-3; names and aliases are converted).
        people: who was taken, as reported.
        date: when, as precisely as the report says; ``date_role`` says what the date marks.
        origin: the place id they were taken from (``"al-hol"``, ``"syria-or-iraq"`` …).
        date_role: handover, arrival, the whole operation, the announcement, or unknown.
        nationality: the people's nationality where it differs from the receiving state.
        facilitators: states and agencies that helped (``"United States"``, ``"UNICEF"``).
        operation_name: the operation's own name (``"Jusan"``, ``"Aikol-2"``).
        ordinal: the source's count of this country's operations ("the third operation" is 3).
        ordinal_scope: what the ordinal counts: ``year`` ("the third operation this year"),
            ``all`` ("the third operation") or ``campaign`` ("the third of the Jusan
            operations": those with this ``operation_name``); ``None`` when the source does
            not say. The data-quality projection compares it with the ledger's own count.
        operation_key: a key shared by every report of the same operation.
        source, notes, id: as for every event.
    """

    TYPE: ClassVar[str] = "operation-reported"

    source: Source = _source_field()
    country: str = attrs.field(converter=_to_country)
    people: People = attrs.field(converter=_to_people)
    date: FuzzyDate = attrs.field(converter=_to_date)
    origin: str = attrs.field(converter=_to_origin)
    date_role: DateRole = attrs.field(default=DateRole.UNKNOWN, converter=_to_date_role)
    nationality: str | None = attrs.field(default=None, converter=_to_nationality)
    facilitators: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple)
    operation_name: str | None = attrs.field(default=None, validator=_opt(str))
    ordinal: int | None = attrs.field(default=None, validator=_positive_ordinal)
    ordinal_scope: OrdinalScope | None = attrs.field(default=None, converter=_to_ordinal_scope)
    operation_key: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()

    def __attrs_post_init__(self) -> None:
        if self.ordinal_scope is not None and self.ordinal is None:
            _reject(
                "ordinal_scope", self.ordinal_scope.value, "an ordinal's scope needs the ordinal"
            )
        if self.ordinal_scope is OrdinalScope.CAMPAIGN and self.operation_name is None:
            _reject(
                "ordinal_scope",
                self.ordinal_scope.value,
                "an ordinal counted within a campaign needs the campaign's operation_name",
            )

    @property
    def origin_scope(self) -> Origin:
        """The origin scope (Syria, Iraq, either) of the place the people were taken from."""
        return lookup_place(self.origin).origin


@attrs.frozen(kw_only=True)
class CumulativeTotalReported:
    """A claim about a sum: how many a country has taken back over a window.

    A claim about every receiving country together ("950 foreigners repatriated in 2019", a
    camp administration's count) gives ``country=None, all_countries=True``.

    Attributes:
        country: the receiving state; ``None`` exactly when ``all_countries``.
        all_countries: the claim counts every receiving country together.
        people: the total claimed, with any breakdown.
        until: the end of the window (the date the total is "as of").
        since: the start of the window, or ``None`` for "since the first operation".
        origin: the origin scope the total covers (Syria, Iraq, either, other).
        counter: whose count it is (``"AANES"``, ``"Kyrgyz government"``), when it differs from
            the speaker; non-monotonic claims are checked per counter.
        nationality: the people's nationality where it differs from the receiving state.
    """

    TYPE: ClassVar[str] = "cumulative-total-reported"

    source: Source = _source_field()
    # Required even for a claim about every country (``country=None``): saying so is explicit.
    country: str | None = attrs.field(converter=_to_optional_country)
    people: People = attrs.field(converter=_to_people)
    until: FuzzyDate = attrs.field(converter=_to_until)
    since: FuzzyDate | None = attrs.field(default=None, converter=_to_since)
    origin: Origin = attrs.field(default=Origin.SYRIA_OR_IRAQ, converter=_to_origin_scope)
    counter: str | None = attrs.field(default=None, validator=_opt(str))
    nationality: str | None = attrs.field(default=None, converter=_to_nationality)
    all_countries: bool = attrs.field(default=False, validator=_of(bool))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()

    def __attrs_post_init__(self) -> None:
        if (self.country is None) != self.all_countries:
            _reject(
                "country",
                self.country,
                "a cumulative claim names its receiving country, or says all_countries=true "
                "for every receiving country together (not both)",
            )


@attrs.frozen(kw_only=True)
class StockObserved:
    """A population at a date: a camp's residents, or a country's nationals still held.

    Attributes:
        place: the place id observed (a camp, the prisons, or a vaguer place).
        date: when the population was observed.
        people: the population, with households in ``people.families`` where given.
        scope: everyone, foreigners (neither Syrian nor Iraqi), non-Syrians, or the nationals of
            ``country``.
        country: whose nationals are counted, when ``scope`` is ``nationals``.
        by_nationality: counts per nationality (alpha-3 code to estimate), where given.
    """

    TYPE: ClassVar[str] = "stock-observed"

    source: Source = _source_field()
    place: str = attrs.field(converter=_to_place)
    date: FuzzyDate = attrs.field(converter=_to_date)
    people: People = attrs.field(converter=_to_people)
    scope: PopulationScope = attrs.field(default=PopulationScope.ALL, converter=_to_scope)
    country: str | None = attrs.field(default=None, converter=_to_optional_country)
    by_nationality: tuple[tuple[str, Estimate], ...] = attrs.field(
        default=(), converter=_to_by_nationality
    )
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()

    def __attrs_post_init__(self) -> None:
        if (self.scope is PopulationScope.NATIONALS) != (self.country is not None):
            _reject(
                "country",
                self.country,
                "a stock with scope 'nationals' names the country, and only such a stock does",
            )


@attrs.frozen(kw_only=True)
class OutflowReported:
    """People leaving a camp other than by a repatriation operation: release, escape, death …"""

    TYPE: ClassVar[str] = "outflow-reported"

    source: Source = _source_field()
    place: str = attrs.field(converter=_to_place)
    date: FuzzyDate = attrs.field(converter=_to_date)
    people: People = attrs.field(converter=_to_people)
    kind: OutflowKind = attrs.field(converter=_to_outflow_kind)
    nationality: str | None = attrs.field(default=None, converter=_to_nationality)
    destination: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


@attrs.frozen(kw_only=True)
class InflowReported:
    """People arriving in a camp: births, new arrivals, transfers in."""

    TYPE: ClassVar[str] = "inflow-reported"

    source: Source = _source_field()
    place: str = attrs.field(converter=_to_place)
    date: FuzzyDate = attrs.field(converter=_to_date)
    people: People = attrs.field(converter=_to_people)
    kind: InflowKind = attrs.field(converter=_to_inflow_kind)
    nationality: str | None = attrs.field(default=None, converter=_to_nationality)
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


@attrs.frozen(kw_only=True)
class CampStatusChanged:
    """A camp opened, closed, emptied, or transferred to another authority, on a date.

    Remaining-in-camp estimates read it: a camp surely closed or emptied after its latest
    count holds no one from that date on, and the estimate says why; a transfer to another
    authority is shown beside the estimate (``authority`` names the new one). A status later
    found wrong is answered by a later status of the same camp.
    """

    TYPE: ClassVar[str] = "camp-status-changed"

    source: Source = _source_field()
    place: str = attrs.field(converter=_to_place)
    date: FuzzyDate = attrs.field(converter=_to_date)
    status: CampStatus = attrs.field(converter=_to_camp_status)
    authority: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()

    def __attrs_post_init__(self) -> None:
        if self.authority is not None and self.status is not CampStatus.TRANSFERRED:
            _reject(
                "authority",
                self.authority,
                "only a camp transferred to another authority names the authority",
            )


Report: TypeAlias = (
    OperationReported | CumulativeTotalReported | StockObserved | OutflowReported | InflowReported
)
_REPORT_CLASSES = (
    OperationReported,
    CumulativeTotalReported,
    StockObserved,
    OutflowReported,
    InflowReported,
)


# -- analyst events: statements about other events ---------------------------------------------
def _at_least_two(instance: Any, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if len(value) < 2 or len(set(value)) != len(value):
        _reject(
            attribute.name, [str(v) for v in value], "a link names two or more different reports"
        )


@attrs.frozen(kw_only=True)
class ReportsLinked:
    """An assertion that reports describe the same operation, or (``linked=False``) that an
    earlier assertion no longer holds. Links are reversible; nothing is merged in the log."""

    TYPE: ClassVar[str] = "reports-linked"

    source: Source = _source_field()
    reports: tuple[uuid.UUID, ...] = attrs.field(converter=_to_reports, validator=_at_least_two)
    linked: bool = attrs.field(default=True, validator=_of(bool))
    reason: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


@attrs.frozen(kw_only=True)
class FigureAdjudicated:
    """An analyst's choice of the recommended figure for the operation a report belongs to."""

    TYPE: ClassVar[str] = "figure-adjudicated"

    source: Source = _source_field()
    report: uuid.UUID = attrs.field(converter=_to_report)
    people: People = attrs.field(converter=_to_people)
    rationale: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


def _report_instance(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, _REPORT_CLASSES):
        _reject(attribute.name, type(value).__name__, "a correction's replacement is a report")


@attrs.frozen(kw_only=True)
class ReportCorrected:
    """A correction: ``replacement`` supersedes the report ``supersedes`` from now on.

    The replacement is a complete report of the same type; the original stays in the log and
    is still what the ledger knew before the correction was recorded.
    """

    TYPE: ClassVar[str] = "report-corrected"

    source: Source = _source_field()
    supersedes: uuid.UUID = attrs.field(converter=_to_supersedes)
    replacement: Report = attrs.field(validator=_report_instance)
    reason: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


@attrs.frozen(kw_only=True)
class ReportRetracted:
    """A retraction: the report ``retracts`` no longer counts from now on."""

    TYPE: ClassVar[str] = "report-retracted"

    source: Source = _source_field()
    retracts: uuid.UUID = attrs.field(converter=_to_retracts)
    reason: str | None = attrs.field(default=None, validator=_opt(str))
    notes: str | None = _notes_field()
    id: uuid.UUID = _id_field()


Event: TypeAlias = (
    OperationReported
    | CumulativeTotalReported
    | StockObserved
    | OutflowReported
    | InflowReported
    | ReportsLinked
    | FigureAdjudicated
    | ReportCorrected
    | ReportRetracted
    | CampStatusChanged
)

#: Every event class by its stable type name.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        OperationReported,
        CumulativeTotalReported,
        StockObserved,
        OutflowReported,
        InflowReported,
        ReportsLinked,
        FigureAdjudicated,
        ReportCorrected,
        ReportRetracted,
        CampStatusChanged,
    )
}
