"""Serialisation of events: one cattrs converter, a tagged union, upcasters and clear errors.

The interchange form of an event is a JSON object whose ``type`` is the event's stable type name
(``operation-reported``) and whose other keys are its fields; defaults are left out, plain exact
counts are plain integers, dates are ISO / EDTF text. ``version`` says which schema the payload
was written in; older payloads go through the upcaster chain before they are structured.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ..errors import FieldProblem, ValidationError
from ._dates import FuzzyDate
from ._estimate import Estimate, Qualifier, Unit
from ._events import _REPORT_CLASSES, EVENT_TYPES, Event, Report, _use_canonical_content
from ._people import People
from ._source import Source

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "SCHEMA_VERSION",
    "canonical_content",
    "event_from_dict",
    "event_to_dict",
    "make_converter",
]

#: The schema version this library writes. See ``docs/format.md`` for the history.
SCHEMA_VERSION = 2

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


# -- upcasters: old payloads to new ------------------------------------------------------------
_V1_QUALIFIERS = {"approximately": "about", "more-than": "at-least", "less-than": "at-most"}


def _v1_estimate(value: Any) -> Any:
    if isinstance(value, dict) and value.get("qualifier") in _V1_QUALIFIERS:
        return {**value, "qualifier": _V1_QUALIFIERS[value["qualifier"]]}
    return value


def _v1_people(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _v1_estimate(v) for key, v in value.items()}
    return _v1_estimate(value)


def _upcast_1_to_2(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 used IDMC's quantifier words and called a cumulative total's end ``as_of``."""
    out = dict(payload)
    if "people" in out:
        out["people"] = _v1_people(out["people"])
    if out.get("type") == "cumulative-total-reported" and "as_of" in out:
        out["until"] = out.pop("as_of")
    if out.get("type") == "report-corrected" and isinstance(out.get("replacement"), dict):
        out["replacement"] = _upcast_1_to_2(out["replacement"])
    return out


#: ``UPCASTERS[v]`` turns a payload of schema ``v`` into one of schema ``v + 1``.
UPCASTERS: dict[int, Upcaster] = {1: _upcast_1_to_2}


def upcast(payload: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring a payload written in schema ``version`` up to :data:`SCHEMA_VERSION`.

    Raises:
        ValidationError: the version is not a known schema version.
    """
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        raise ValidationError(
            FieldProblem("version", version, f"a schema version from 1 to {SCHEMA_VERSION}")
        )
    while version < SCHEMA_VERSION:
        payload = UPCASTERS[version](payload)
        version += 1
    return payload


# -- the converter ----------------------------------------------------------------------------
def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    # cattrs' default would turn 5 into "5" and "5" into 5; a ledger must not guess.
    def structure(value: Any, _: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {name}, got {type(value).__name__}")
        return value

    return structure


def _reject_text_for(conv: cattrs.Converter, list_type: Any) -> None:
    """Make ``list_type`` refuse text, which cattrs would otherwise split into characters."""
    items = conv.get_structure_hook(list_type)

    def structure(value: Any, cls: Any) -> Any:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        return items(value, cls)

    conv.register_structure_hook_func(lambda t: t == list_type, structure)


def _structure_uuid(value: Any, _: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a UUID as text, got {type(value).__name__}")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError("expected a UUID such as '0b7e…-…'") from None


def _structure_estimate(value: Any, _: Any, unit: Unit = Unit.PEOPLE) -> Estimate:
    # ``unit`` is what a count means when it names no unit: people, except in ``families``.
    if type(value) is int:
        if value < 0:
            raise ValueError("a count must not be negative")
        return Estimate.exact(value, unit)
    if isinstance(value, str):
        return Estimate.parse(value, default_unit=unit)
    if isinstance(value, dict):
        return _estimate_from_dict(value, unit)
    raise TypeError(f"expected a count, report text or estimate object, got {type(value).__name__}")


def _structure_families(value: Any, _: Any) -> Estimate:
    return _structure_estimate(value, _, Unit.FAMILIES)


_ESTIMATE_KEYS = frozenset({"best", "low", "high", "qualifier", "unit", "raw"})


def _estimate_from_dict(value: dict[str, Any], default_unit: Unit = Unit.PEOPLE) -> Estimate:
    extra = set(value) - _ESTIMATE_KEYS
    if extra:
        raise ValueError(
            f"unknown estimate keys {sorted(extra)}; allowed: {sorted(_ESTIMATE_KEYS)}"
        )
    for key in ("best", "low", "high"):
        item = value.get(key)
        if item is not None and type(item) is not int:
            raise TypeError(f"estimate {key} must be a whole number, got {item!r}")
    qualifier = Qualifier(value.get("qualifier", "exact"))
    named_unit = Unit(value["unit"]) if "unit" in value else None
    unit = named_unit or default_unit
    raw = value.get("raw")
    if "best" not in value:
        if raw is None:
            raise ValueError("an estimate object needs 'best' (or 'raw' text to read it from)")
        parsed = Estimate.parse(raw, named_unit, default_unit=default_unit)
        return attrs.evolve(parsed, qualifier=Qualifier(value.get("qualifier", parsed.qualifier)))
    best = value["best"]
    low = value.get("low", 0 if qualifier is Qualifier.AT_MOST else best)
    # An "at least" figure has no upper bound unless the source gave one explicitly.
    high = value.get("high") if qualifier is Qualifier.AT_LEAST else value.get("high", best)
    return Estimate(best=best, low=low, high=high, qualifier=qualifier, unit=unit, raw=raw)


def _unstructure_estimate(value: Estimate) -> Any:
    if value.qualifier is Qualifier.EXACT and value.unit is Unit.PEOPLE and value.raw is None:
        return value.best
    out: dict[str, Any] = {"best": value.best}
    default_low = 0 if value.qualifier is Qualifier.AT_MOST else value.best
    default_high = None if value.qualifier is Qualifier.AT_LEAST else value.best
    if value.low != default_low:
        out["low"] = value.low
    if value.high != default_high:
        out["high"] = value.high
    # ``_value_`` is the member's value as a plain attribute; ``.value`` is a Python-level
    # property on Python 3.11, and this runs for every estimate of every import.
    if value.qualifier is not Qualifier.EXACT:
        out["qualifier"] = value.qualifier._value_
    if value.unit is not Unit.PEOPLE:
        out["unit"] = value.unit._value_
    if value.raw is not None:
        out["raw"] = value.raw
    return out


def _structure_fuzzy_date(value: Any, _: Any) -> FuzzyDate:
    if isinstance(value, str):
        return FuzzyDate.parse(value)
    if isinstance(value, dict):
        extra = set(value) - {"value", "raw"}
        if extra or "value" not in value:
            raise ValueError(
                "a date object has 'value' (ISO text) and optionally 'raw' (the words)"
            )
        parsed = FuzzyDate.parse(value["value"])
        raw = value.get("raw")
        if raw is not None and not isinstance(raw, str):
            raise TypeError("a date's raw words must be text")
        return attrs.evolve(parsed, raw=raw)
    raise TypeError(f"expected a date as text such as '2023-12-07', got {type(value).__name__}")


def _unstructure_fuzzy_date(value: FuzzyDate) -> Any:
    if value.raw is None:
        return value.to_text()
    return {"value": value.to_text(), "raw": value.raw}


def _structure_date(value: Any, _: Any) -> dt.date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date as text such as '2023-12-07', got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar (YYYY-MM-DD)") from None


def _by_nationality_structure(value: Any, _: Any) -> tuple[tuple[str, Estimate], ...]:
    if not isinstance(value, dict):
        raise TypeError("by_nationality maps country codes to counts")
    out = []
    for key, count in value.items():
        try:
            out.append((key, _structure_estimate(count, None)))
        except (ValueError, TypeError) as exc:
            raise ValidationError(FieldProblem(str(key), count, str(exc))) from None
    return tuple(out)


def make_converter() -> cattrs.Converter:
    """Build the converter that turns events into JSON-ready data and back.

    Each call builds a new converter; the library never touches cattrs' global one.
    """
    # cattrs is imported here, not at module level, to keep `import repatevents` light.
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
    from cattrs.preconf.orjson import make_converter as _make_orjson_converter

    conv = _make_orjson_converter(forbid_extra_keys=True, omit_if_default=True)
    conv.register_structure_hook(str, _strict(str, "text"))
    conv.register_structure_hook(int, _strict(int, "a whole number"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(uuid.UUID, _structure_uuid)
    conv.register_unstructure_hook(uuid.UUID, str)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(Estimate, _structure_estimate)
    conv.register_unstructure_hook(Estimate, _unstructure_estimate)
    conv.register_structure_hook(FuzzyDate, _structure_fuzzy_date)
    conv.register_unstructure_hook(FuzzyDate, _unstructure_fuzzy_date)
    conv.register_unstructure_hook(tuple, lambda v: [conv.unstructure(i) for i in v])
    # The dict form is plain JSON data for any JSON library, not only for orjson.
    conv.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum), lambda v: v.value
    )
    # A list field given as text would otherwise be split into its characters.
    for list_type in (tuple[str, ...], tuple[uuid.UUID, ...]):
        _reject_text_for(conv, list_type)

    structure_people = make_dict_structure_fn(
        People, conv, families=override(struct_hook=_structure_families)
    )

    def people_hook(value: Any, _: Any) -> People:
        # A plain count or report words where a group is expected is the group's total.
        if isinstance(value, dict):
            return structure_people(value, People)
        if (type(value) is int) or isinstance(value, str):
            return People(total=_structure_estimate(value, None))
        raise TypeError(f"expected a group (object), a count or report text, got {value!r}")

    conv.register_structure_hook(People, people_hook)
    structure_source = make_dict_structure_fn(Source, conv)

    def source_hook(value: Any, _: Any) -> Source:
        if not isinstance(value, dict):
            raise TypeError(f"expected a source object with a 'publisher', got {value!r}")
        return structure_source(value, Source)

    conv.register_structure_hook(Source, source_hook)
    for value_class in (People, Source):
        conv.register_unstructure_hook(
            value_class, make_dict_unstructure_fn(value_class, conv, _cattrs_omit_if_default=True)
        )

    def structure_report(value: Any, _: Any) -> Report:
        if not isinstance(value, dict):
            raise TypeError("a replacement is a report object with a 'type'")
        cls = EVENT_TYPES.get(value.get("type", ""))
        if cls not in _REPORT_CLASSES:
            allowed = ", ".join(c.TYPE for c in _REPORT_CLASSES)
            raise ValueError(f"a replacement's type must be one of {allowed}")
        report: Report = conv.structure({k: v for k, v in value.items() if k != "type"}, cls)
        return report

    conv.register_structure_hook(Report, structure_report)
    conv.register_unstructure_hook(Report, lambda v: _tagged(conv, v))

    for cls in EVENT_TYPES.values():
        overrides: dict[str, Any] = {}
        fields = attrs.fields_dict(cls)
        if "by_nationality" in fields:
            overrides["by_nationality"] = override(
                struct_hook=_by_nationality_structure,
                unstruct_hook=lambda v: {k: _unstructure_estimate(e) for k, e in v},
            )
        if "replacement" in fields:
            overrides["replacement"] = override(
                struct_hook=structure_report, unstruct_hook=lambda v: _tagged(conv, v)
            )
        conv.register_structure_hook(cls, make_dict_structure_fn(cls, conv, **overrides))
        conv.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True, **overrides)
        )
        # The content of an event, without its id, is what a derived id is computed from; it
        # must not touch ``id``, which does not exist yet while the id is being derived.
        _CONTENT_FNS[(id(conv), cls)] = make_dict_unstructure_fn(
            cls, conv, _cattrs_omit_if_default=True, id=override(omit=True), **overrides
        )
    return conv


_CONTENT_FNS: dict[tuple[int, type], Callable[[Any], dict[str, Any]]] = {}


def _tagged(conv: cattrs.Converter, event: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": event.TYPE}
    data.update(conv.unstructure(event, type(event)))
    return data


@cache
def _converter() -> cattrs.Converter:
    return make_converter()


# -- the public codec -------------------------------------------------------------------------
def event_to_dict(event: Event) -> dict[str, Any]:
    """Return the interchange form of an event: ``type`` first, then its fields (no version)."""
    return _tagged(_converter(), event)


def canonical_content(event: Event) -> bytes:
    """Return the canonical JSON of an event's content, without its id (for content ids)."""
    conv = _converter()
    data: dict[str, Any] = {"type": event.TYPE}
    data.update(_CONTENT_FNS[(id(conv), type(event))](event))
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


_use_canonical_content(canonical_content)


def event_from_dict(data: Mapping[str, Any], *, line: int | None = None) -> Event:
    """Build an event from its interchange form, upcasting old schema versions first.

    Args:
        data: the decoded JSON object, with ``type`` and optionally ``version``.
        line: where the object came from, to name in errors.

    Raises:
        ValidationError: the object is not a valid event; each problem names the field, the
            value and the rule (and the line, when given).
    """
    if not isinstance(data, Mapping):
        raise _located(ValidationError(FieldProblem("", data, "an event is a JSON object")), line)
    type_name = data.get("type")
    cls = EVENT_TYPES.get(type_name) if isinstance(type_name, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_TYPES))
        raise _located(
            ValidationError(FieldProblem("type", type_name, f"one of the event types: {known}")),
            line,
        )
    payload = dict(data)
    try:
        version = payload.pop("version", SCHEMA_VERSION)
        payload = upcast(payload, version)
        payload.pop("type")
        event: Event = _converter().structure(payload, cls)
    except ValidationError as exc:
        raise _located(exc, line) from None
    except (ValueError, TypeError, KeyError, ExceptionGroup) as exc:
        problems = _problems(exc, "", payload)
        raise _located(ValidationError(problems), line) from None
    return event


def _located(exc: ValidationError, line: int | None) -> ValidationError:
    return exc if line is None else exc.at_line(line)


_MISSING = object()


def _value_at(data: Any, path: str) -> Any:
    for part in path.split(".") if path else ():
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, (list, tuple)) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return _MISSING
    return data


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path and name else path or name


def _problems(exc: BaseException, path: str, data: Any) -> list[FieldProblem]:
    """Flatten cattrs' exception groups into one problem per failing field."""
    from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

    if isinstance(exc, ValidationError):
        return [attrs.evolve(p, field=_join(path, p.field)) for p in exc.problems]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            FieldProblem(
                _join(path, key),
                _value_at(data, _join(path, key)),
                f"not a field of {exc.cl.__name__}; check the spelling",
            )
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        found: list[FieldProblem] = []
        with_notes, without = exc.group_exceptions()
        for inner, note in with_notes:
            name = str(getattr(note, "name", getattr(note, "index", "")))
            found.extend(_problems(inner, _join(path, name), data))
        for inner in without:
            found.extend(_problems(inner, path, data))
        return found
    if type(exc) is KeyError:
        return [FieldProblem(path, None, "required field is missing")]
    rule = str(exc) or type(exc).__name__
    # A problem with the record as a whole names no value: the record is the line itself.
    value = _value_at(data, path) if path else _MISSING
    return [FieldProblem(path, None if value is _MISSING else value, rule)]
