"""Read the stored JSON of an event straight into the event, with msgspec doing the parsing.

:mod:`._fastcodec` reads a payload that is already a dict; here the bytes are parsed by msgspec
against a schema derived from the event classes (one ``Struct`` per event class, tagged by
``type``), so that the parse itself checks every type and builds the UUIDs, enum members and
tuples in C. What is left in Python is copying the parsed fields into the attrs objects and the
rules msgspec cannot know: a converter's output must be what is stored (a canonical country
code), validators of values and ``__attrs_post_init__`` run, and values that recur across a log
(sources, dates, estimates) are shared through caches keyed by their stored bytes.

Anything not in the shape :func:`~._fastcodec.encode_event` writes fails msgspec's parse or a
rule here and is handed to :func:`~._fastcodec.decode_event` on the parsed dict, which reads it
or hands it to the validating codec. ``tests/test_fastcodec.py`` checks that both readers
return the same events.
"""

from __future__ import annotations

import enum
import typing
import uuid
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

import attrs
import msgspec
import orjson

from ._dates import FuzzyDate
from ._estimate import Estimate
from ._events import _REPORT_CLASSES, EVENT_TYPES, Event
from ._fastcodec import (
    _CACHE_LIMIT,
    _REQUIRED,
    _compact,
    _decode_by_nationality,
    _decode_date,
    _decode_estimate,
    _exact_cache,
    _Field,
    _field,
    _fixed_point,
    _new,
    _NotTrusted,
    _strip_none,
    _value_codec,
    _value_rule,
    decode_event,
)
from ._people import People
from ._source import Source

__all__ = ["decode_event_json"]

_Raw = msgspec.Raw
_UNSET = msgspec.UNSET
_Count = Annotated[int, msgspec.Meta(ge=0)]


class _EstimateForm(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """An estimate written as an object; unset fields stay unset (their defaults depend on the
    qualifier, which :func:`~._codec._estimate_from_dict` applies)."""

    best: int | msgspec.UnsetType = _UNSET
    low: int | msgspec.UnsetType | None = _UNSET
    high: int | msgspec.UnsetType | None = _UNSET
    qualifier: str | msgspec.UnsetType = _UNSET
    unit: str | msgspec.UnsetType = _UNSET
    raw: str | msgspec.UnsetType | None = _UNSET


_estimate_forms: dict[_EstimateForm, Estimate] = {}


def _estimate_of_form(form: _EstimateForm) -> Estimate:
    found = _estimate_forms.get(form)
    if found is None:
        data = {
            key: value
            for key in form.__struct_fields__
            if (value := getattr(form, key)) is not _UNSET
        }
        if len(_estimate_forms) >= _CACHE_LIMIT:
            _estimate_forms.clear()
        found = _estimate_forms[form] = _decode_estimate(data)
    return found


def _estimate(value: int | _EstimateForm) -> Estimate:
    """Return the estimate of a parsed count (the builders look exact counts up inline)."""
    if isinstance(value, int):
        return _decode_estimate(value)
    return _estimate_of_form(value)


def _by_bytes(decode: Callable[[Any], Any], limit: int = 1 << 12) -> Callable[[_Raw], Any]:
    """Decode a value kept as raw JSON by its bytes, sharing one object per distinct value.

    A source is written out whole in every event of its article, and dates recur: the bytes
    are the cheapest key there is, and a hit costs no parse at all.
    """
    found_by: dict[bytes, Any] = {}

    def decode_raw(raw: _Raw) -> Any:
        key = bytes(raw)
        found = found_by.get(key)
        if found is None:
            if key == b"null":
                return None
            if len(found_by) >= limit:
                found_by.clear()
            found = found_by[_compact(key)] = decode(orjson.loads(key))
        return found

    return decode_raw


_source_decoder = _value_codec(Source).decode
_decode_source = _by_bytes(_source_decoder)
_decode_date_raw = _by_bytes(_decode_date, _CACHE_LIMIT)


def _decode_nationalities(raw: _Raw) -> tuple[tuple[str, Estimate], ...]:
    return _decode_by_nationality(orjson.loads(bytes(raw)))


#: The fields kept as raw JSON by msgspec, and how each is decoded.
_RAW_DECODERS: dict[Any, Callable[[_Raw], Any]] = {
    Source: _decode_source,
    FuzzyDate: _decode_date_raw,
    tuple[tuple[str, Estimate], ...]: _decode_nationalities,
}


# -- the schema -------------------------------------------------------------------------------
def _is_report(hint: Any) -> bool:
    return set(typing.get_args(hint)) == set(_REPORT_CLASSES)


def _form(hint: Any, structs: dict[type, Any]) -> Any:
    """Return the type msgspec parses a field of type ``hint`` as."""
    if hint in (str, int, bool, uuid.UUID) or hint in (tuple[str, ...], tuple[uuid.UUID, ...]):
        return hint
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if hint is Estimate:
        return _Count | _EstimateForm
    if hint is People:
        return structs[People]
    if _is_report(hint):
        return typing.Union[tuple(structs[cls] for cls in _REPORT_CLASSES)]  # noqa: UP007
    if hint in _RAW_DECODERS:
        return _Raw
    # A new field type must be taught to this module; failing here keeps it from guessing.
    raise TypeError(f"the stored-JSON reader does not know the type {hint!r}")


def _struct(cls: type, structs: dict[type, Any], tag: str | None) -> Any:
    hints = typing.get_type_hints(cls)
    required: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for attribute in attrs.fields(cls):
        hint = _strip_none(hints[attribute.name])
        form = _form(hint, structs)
        default = attribute.default
        if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            required.append((attribute.name, form))
        elif default is None and form is not _Raw:
            # Raw takes null as it is; every other form needs None allowed.
            optional.append((attribute.name, form | None, None))
        else:
            optional.append((attribute.name, form, default))
    # gc=False: a form is parsed, copied and dropped; it holds no cycles for the collector.
    options: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}
    if tag is not None:
        options.update(tag=tag, tag_field="type")
    return msgspec.defstruct(f"_{cls.__name__}Form", [*required, *optional], **options)


@attrs.frozen
class _Schema:
    decoder: msgspec.json.Decoder[Any]
    builders: dict[type, Callable[[Any], Any]]


def _builder(cls: type, fields: list[_Field], schema: dict[type, Callable[[Any], Any]]) -> Any:
    """Write the function that copies a parsed struct into a new ``cls`` object.

    msgspec has checked every type; what :mod:`._fastcodec`'s decoders do beyond that is done
    here the same way: converter fixed points, validators, ``__attrs_post_init__``.
    """
    namespace: dict[str, Any] = {"_new": _new, "cls": cls, "_Raw": _Raw, "schema": schema}
    namespace.update({"_exact": _exact_cache, "_estimate": _estimate})
    lines = ["def build(form):", "    obj = _new(cls)"]
    rules = []
    hints = typing.get_type_hints(cls)
    for i, field in enumerate(fields):
        name, hint = field.name, _strip_none(hints[field.name])
        namespace[f"set{i}"] = cls.__dict__[name].__set__
        namespace[f"attribute{i}"] = field.attribute
        lines.append(f"    v{i} = form.{name}")
        if field.check is not None and field.attribute.converter is not None:
            seen: set[Any] = set()
            namespace[f"seen{i}"], namespace[f"fixed{i}"] = (
                seen,
                _fixed_point(field.attribute.converter, seen),
            )
            lines.append(f"    if v{i} is not None and v{i} not in seen{i}: fixed{i}(v{i})")
        elif hint is Estimate:
            # The common case inline: an exact count already in the cache.
            lines.append(f"    if v{i} is not None:")
            lines.append(f"        e = _exact.get(v{i}) if v{i}.__class__ is int else None")
            lines.append(f"        v{i} = e if e is not None else _estimate(v{i})")
        elif hint is People or _is_report(hint):
            lines.append(f"    if v{i} is not None: v{i} = schema[v{i}.__class__](v{i})")
        elif hint in _RAW_DECODERS:
            namespace[f"raw{i}"] = _RAW_DECODERS[hint]
            lines.append(f"    if v{i}.__class__ is _Raw: v{i} = raw{i}(v{i})")
        lines.append(f"    set{i}(obj, v{i})")
        validator, sees_none = _value_rule(field)
        if validator is not None:
            namespace[f"validator{i}"] = validator
            call = f"validator{i}(obj, attribute{i}, v{i})"
            rules.append(f"    {call}" if sees_none else f"    if v{i} is not None: {call}")
    lines.extend(rules)
    if hasattr(cls, "__attrs_post_init__"):
        lines.append("    obj.__attrs_post_init__()")
    lines.append("    return obj")
    exec(compile("\n".join(lines) + "\n", f"<stored json of {cls.__name__}>", "exec"), namespace)
    return namespace["build"]


def _fields(cls: type) -> list[_Field]:
    hints = typing.get_type_hints(cls)
    out = []
    for attribute in attrs.fields(cls):
        default = attribute.default
        if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = _REQUIRED
        out.append(_field(attribute, default, hints[attribute.name], cls))
    return out


@cache
def _schema() -> _Schema:
    structs: dict[type, Any] = {People: _struct(People, {}, None)}
    builders: dict[type, Callable[[Any], Any]] = {}
    builders[structs[People]] = _builder(People, _fields(People), builders)
    # Reports first: a correction's replacement is one of them.
    ordered = sorted(EVENT_TYPES.items(), key=lambda item: item[1] not in _REPORT_CLASSES)
    for name, cls in ordered:
        structs[cls] = _struct(cls, structs, name)
        builders[structs[cls]] = _builder(cls, _fields(cls), builders)
    events: Any = typing.Union[tuple(structs[cls] for cls in EVENT_TYPES.values())]  # noqa: UP007
    return _Schema(msgspec.json.Decoder(events), builders)


def decode_event_json(data: bytes | str) -> Event:
    """Build the event whose stored JSON (current schema) is ``data``.

    Returns what ``decode_event(orjson.loads(data))`` returns; JSON not in the shape the store
    writes is read by that path instead.

    Raises:
        ValidationError: the JSON is not a valid event (from the validating codec).
        orjson.JSONDecodeError: the bytes are not JSON.
    """
    schema = _schema()
    try:
        form = schema.decoder.decode(data)
        event: Event = schema.builders[form.__class__](form)
    except (msgspec.MsgspecError, _NotTrusted, KeyError, TypeError, ValueError):
        return decode_event(orjson.loads(data))
    return event
