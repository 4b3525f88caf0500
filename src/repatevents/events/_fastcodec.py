"""A fast codec for payloads the event store wrote itself (current schema, already validated).

:func:`event_from_dict` is the gate for input from outside: cattrs with detailed validation,
every converter and validator of the event classes, problems named field by field. Payloads
that the store wrote were produced from valid events by :func:`encode_event` and are protected by
the hash chain, so reading them back does not need that gate again. This module builds the same
objects without it:

* per-class encoders and decoders are compiled once from the attrs fields and their types;
* objects are created without running ``__init__`` (their converters and validators already ran
  when the event was first built), so a read costs a dict lookup and an attribute store per field;
* values that repeat across a log (exact counts, dates, report words) are cached, so a replay
  shares them instead of parsing them again.

The output of :func:`decode_event` equals what :func:`event_from_dict` returns for the same
payload (``tests/test_fastcodec.py`` checks this for every event type). Anything that is not
in the shape :func:`encode_event` writes (an unknown key, a missing field, a wrong type) is
handed to :func:`event_from_dict`, which either reads it or raises its usual
:class:`~repatevents.errors.ValidationError`.
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import attrs
import orjson

from ._codec import (
    _estimate_from_dict,
    _structure_fuzzy_date,
    _unstructure_estimate,
    _unstructure_fuzzy_date,
    event_from_dict,
)
from ._countries import to_country_code
from ._dates import FuzzyDate
from ._estimate import Estimate, Qualifier, Unit
from ._events import _REPORT_CLASSES, EVENT_TYPES, Event, Report
from ._people import People
from ._source import Source

__all__ = ["decode_event", "encode_event", "event_payload", "uuid_text"]

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]

_new = object.__new__
_set = object.__setattr__
_MISSING: Any = object()
_REQUIRED: Any = object()

# Caches of immutable values that recur across a log. They are bounded: when one fills up it is
# emptied, which costs a few re-parses and keeps a replay of any length in bounded memory.
_CACHE_LIMIT = 1 << 14
_exact_cache: dict[int, Estimate] = {}
_estimate_cache: dict[tuple[tuple[str, Any], ...], Estimate] = {}
_date_cache: dict[Any, FuzzyDate] = {}
_country_codes: set[str] = set()


class _NotTrusted(Exception):
    """A payload is not in the shape this module writes; the full codec must read it."""


def _compact(data: bytes) -> bytes:
    """Return a copy of orjson's output in a block of its own size, to keep.

    orjson returns its bytes in the 4 KiB block it wrote them into; a few hundred bytes kept
    for long (a cache key, a record held in memory) would hold the whole block.
    """
    return bytes(memoryview(data))


def _shared_decoder(decode: Decoder, limit: int = 1 << 12) -> Decoder:
    """Cache a value class's decoder by the value's JSON: equal JSON gives one shared object.

    Worth it for values that recur (a source is shared by every event from one article, and
    those events are recorded together) and cost more to build than to serialise as a key.
    """
    cache: dict[bytes, Any] = {}
    dumps = orjson.dumps

    def decode_shared(data: Any) -> Any:
        key = dumps(data)
        found = cache.get(key)
        if found is None:
            if len(cache) >= limit:
                cache.clear()
            found = cache[_compact(key)] = decode(data)
        return found

    return decode_shared


class _SharedEncoder:
    """An encoder cached by the identity of the value: a shared object is encoded once.

    The cache holds the value itself, so its id cannot be reused while the entry lives. The
    generated encoders look hits up in ``cache`` themselves and call this for misses.
    """

    __slots__ = ("_encode", "cache")

    def __init__(self, encode: Encoder) -> None:
        self._encode = encode
        self.cache: dict[int, tuple[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        cache = self.cache
        hit = cache.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        out = self._encode(value)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[id(value)] = (value, out)
        return out


# -- values -----------------------------------------------------------------------------------
def _decode_estimate(value: Any) -> Estimate:
    if type(value) is int:
        found = _exact_cache.get(value)
        if found is None:
            if value < 0:
                raise _NotTrusted
            if len(_exact_cache) >= _CACHE_LIMIT:
                _exact_cache.clear()
            found = _exact_cache[value] = Estimate.exact(value)
        return found
    if type(value) is dict:
        key = tuple(value.items())
        found = _estimate_cache.get(key)
        if found is None:
            if len(_estimate_cache) >= _CACHE_LIMIT:
                _estimate_cache.clear()
            found = _estimate_cache[key] = _estimate_from_dict(value)
        return found
    # Report words ("over 600") are not what the store writes; the full codec reads them.
    raise _NotTrusted


def _decode_date(value: Any) -> FuzzyDate:
    key = value if type(value) is str else (value.get("value"), value.get("raw"), len(value))
    found = _date_cache.get(key)
    if found is None:
        if len(_date_cache) >= _CACHE_LIMIT:
            _date_cache.clear()
        found = _date_cache[key] = _structure_fuzzy_date(value, None)
    return found


_encode_date = _SharedEncoder(_unstructure_fuzzy_date)
_EXACT = Qualifier.EXACT
_PEOPLE = Unit.PEOPLE


def _encode_estimate(value: Estimate) -> Any:
    # Most counts are plain exact numbers of people, written as the bare number.
    if value.raw is None and value.qualifier is _EXACT and value.unit is _PEOPLE:
        return value.best
    return _unstructure_estimate(value)


_UUID = uuid.UUID
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown
# Slot descriptors: setting through them skips UUID's own __setattr__ (which refuses) and the
# attribute lookup object.__setattr__ would make.
_set_uuid_int = _UUID.__dict__["int"].__set__
_set_uuid_safety = _UUID.__dict__["is_safe"].__set__


def _decode_uuid(value: Any) -> uuid.UUID:
    # What uuid.UUID(text) does for the canonical 36-character form, without its generality.
    if type(value) is not str or len(value) != 36:
        raise _NotTrusted
    digits = value.replace("-", "")
    if len(digits) != 32:
        raise _NotTrusted
    out: uuid.UUID = _new(_UUID)
    _set_uuid_int(out, int(digits, 16))
    _set_uuid_safety(out, _UNKNOWN_SAFETY)
    return out


def _encode_uuids(value: tuple[uuid.UUID, ...]) -> list[uuid.UUID]:
    return list(value)


def _decode_uuids(value: Any) -> tuple[uuid.UUID, ...]:
    if type(value) is not list:
        raise _NotTrusted
    return tuple(_decode_uuid(item) for item in value)


def _encode_strings(value: tuple[str, ...]) -> list[str]:
    return list(value)


def _decode_strings(value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise _NotTrusted
    out = tuple(value)
    for item in out:
        if type(item) is not str:
            raise _NotTrusted
    return out


def _encode_by_nationality(value: tuple[tuple[str, Estimate], ...]) -> dict[str, Any]:
    return {code: _encode_estimate(estimate) for code, estimate in value}


def _decode_by_nationality(value: Any) -> tuple[tuple[str, Estimate], ...]:
    if type(value) is not dict:
        raise _NotTrusted
    for code in value:
        if code not in _country_codes:
            # A name or alias is valid input for the validating codec, which converts it.
            if to_country_code(code) != code:
                raise _NotTrusted
            _country_codes.add(code)
    # Stored with sorted keys, which is the order the event's converter sorts the pairs in.
    return tuple(sorted((code, _decode_estimate(count)) for code, count in value.items()))


# -- classes ----------------------------------------------------------------------------------
@attrs.frozen
class _Field:
    """How one attrs field is written and read.

    ``check`` (a type the stored value must have exactly) and ``members`` (an enum's members by
    value) are inlined in the generated code; ``encode`` and ``decode`` are called.
    """

    attribute: attrs.Attribute[Any]
    default: Any  # _REQUIRED when the payload must hold the field
    encode: Encoder | None = None
    decode: Decoder | None = None
    check: type | None = None
    members: Mapping[Any, enum.Enum] | None = None
    #: a required field that may hold None (a claim about every country has no country)
    nullable: bool = False

    @property
    def name(self) -> str:
        return self.attribute.name


@attrs.frozen
class _ClassCodec:
    cls: type
    encode: Callable[[Any], dict[str, Any]]
    decode: Callable[[Any], Any]


_TYPE_ONLY = (
    type(attrs.validators.instance_of(int)),
    type(attrs.validators.optional(attrs.validators.instance_of(int))),
)


def _value_rule(field: _Field) -> tuple[Callable[..., Any] | None, bool]:
    """Return the field's validator unless the decoder already guarantees it, and whether it
    must see None (a validator that accepts None need not be called for a missing value)."""
    validator = field.attribute.validator
    if validator is None or isinstance(validator, _TYPE_ONLY):
        # Every decoder returns exactly the field's type, which is all these validators check.
        return None, False
    try:
        validator(None, field.attribute, None)
    except Exception:
        return validator, True
    return validator, False


def _fixed_point(converter: Any, seen: set[Any]) -> Callable[[Any], None]:
    """Return a check that a stored value is already what the field's converter makes of it.

    A country code the store wrote is canonical ("KGZ"); an alias ("Kyrgyz Republic") is valid
    input that the validating codec converts, so it is left to that codec. Values that passed
    are remembered, so each distinct code costs one conversion.
    """

    def check(value: Any) -> None:
        try:
            same = converter(value) == value
        except Exception:
            raise _NotTrusted from None
        if not same:
            raise _NotTrusted
        if len(seen) >= _CACHE_LIMIT:
            seen.clear()
        seen.add(value)

    return check


def _compile(cls: type, fields: list[_Field], type_name: str | None) -> _ClassCodec:
    """Write straight-line encode and decode functions for ``cls``, as attrs writes ``__init__``.

    A loop over field descriptions costs more than the work it describes at these sizes; the
    generated code does, per field, only what that field needs. Decoding applies every rule
    ``__init__`` applies that the decoders do not already guarantee: converters must leave the
    stored value as it is, validators of values run, and so does ``__attrs_post_init__``.
    """
    namespace: dict[str, Any] = {"_new": _new, "_set": _set, "_NotTrusted": _NotTrusted, "cls": cls}
    namespace.update({"_EXACT": _EXACT, "_PEOPLE": _PEOPLE, "_id": id})
    allowed = {field.name for field in fields} | ({"type"} if type_name else set())
    namespace["allowed"] = frozenset(allowed)
    enc = [
        "def encode(obj):",
        f"    out = {{'type': {type_name!r}}}" if type_name else "    out = {}",
    ]
    dec = [
        "def decode(data):",
        # Any key the class does not have is for the full codec to report.
        "    if type(data) is not dict or not data.keys() <= allowed:",
        "        raise _NotTrusted",
        "    get = data.get",
        "    obj = _new(cls)",
    ]
    rules = []
    for i, field in enumerate(fields):
        name, default = field.name, field.default
        namespace.update({f"enc{i}": field.encode, f"dec{i}": field.decode, f"default{i}": default})
        namespace.update({f"members{i}": field.members, f"attribute{i}": field.attribute})
        if field.members is not None:
            # The member's value: orjson would read it through the Python-level property.
            convert = "v._value_"
        elif isinstance(field.encode, _SharedEncoder):
            namespace[f"cache{i}"] = field.encode.cache
            hit = f"(h := cache{i}.get(_id(v))) is not None and h[0] is v"
            convert = f"(h[1] if {hit} else enc{i}(v))"
        elif field.encode is _encode_estimate:
            # The common case inline: an exact number of people is written as the number.
            exact = "v.raw is None and v.qualifier is _EXACT and v.unit is _PEOPLE"
            convert = f"(v.best if {exact} else enc{i}(v))"
        else:
            convert = "v" if field.encode is None else f"enc{i}(v)"
        enc.append(f"    v = obj.{name}")
        if default is _REQUIRED and field.nullable:
            enc.append(f"    out[{name!r}] = None if v is None else {convert}")
        elif default is _REQUIRED:
            enc.append(f"    out[{name!r}] = {convert}")
        elif default is None:
            # Defaults are left out, as the event converter's omit_if_default leaves them out.
            enc.append("    if v is not None:")
            enc.append(f"        out[{name!r}] = {convert}")
        else:
            enc.append(f"    if v != default{i}:")
            enc.append(f"        out[{name!r}] = {convert}")

        if default is _REQUIRED and field.nullable:
            # Present (a missing key raises KeyError), and possibly null.
            dec.append(f"    v{i} = data[{name!r}]")
            dec.append(f"    if v{i} is not None:")
            indent = "        "
        elif default is _REQUIRED:
            # A missing key raises KeyError, which sends the payload to the full codec.
            dec.append(f"    v{i} = data[{name!r}]")
            indent = "    "
        elif default is None:
            # An explicit null reads as None, as it does through the full codec.
            dec.append(f"    v{i} = get({name!r})")
            dec.append(f"    if v{i} is not None:")
            indent = "        "
        else:
            dec.append(f"    v{i} = get({name!r}, default{i})")
            dec.append(f"    if v{i} is not default{i}:")
            indent = "        "
        if field.check is not None:
            dec.append(f"{indent}if type(v{i}) is not {field.check.__name__}:")
            dec.append(f"{indent}    raise _NotTrusted")
            if field.attribute.converter is not None:
                seen: set[Any] = set()
                namespace[f"seen{i}"] = seen
                namespace[f"fixed{i}"] = _fixed_point(field.attribute.converter, seen)
                dec.append(f"{indent}if v{i} not in seen{i}:")
                dec.append(f"{indent}    fixed{i}(v{i})")
        if field.members is not None:
            dec.append(f"{indent}v{i} = members{i}[v{i}]")
        if field.decode is not None:
            dec.append(f"{indent}v{i} = dec{i}(v{i})")
        if indent != "    " and dec[-1].endswith(":"):
            dec.append(f"{indent}pass")
        slot = cls.__dict__.get(name)
        if isinstance(slot, types.MemberDescriptorType):
            # Setting through the slot's descriptor is a quarter faster than object.__setattr__.
            namespace[f"set{i}"] = slot.__set__
            dec.append(f"    set{i}(obj, v{i})")
        else:
            dec.append(f"    _set(obj, {name!r}, v{i})")
        rule = value_rule_line(field, i, namespace)
        if rule is not None:
            rules.append(rule)
    enc.append("    return out")
    dec.extend(rules)
    if hasattr(cls, "__attrs_post_init__"):
        dec.append("    obj.__attrs_post_init__()")
    dec.append("    return obj")
    code = "\n".join(enc) + "\n\n" + "\n".join(dec) + "\n"
    exec(compile(code, f"<fast codec for {cls.__name__}>", "exec"), namespace)
    return _ClassCodec(cls, namespace["encode"], namespace["decode"])


def is_report_type(hint: Any) -> bool:
    """Whether ``hint`` is the union of the report classes (a correction's replacement)."""
    return set(typing.get_args(hint)) == set(_REPORT_CLASSES)


def _strip_none(hint: Any) -> Any:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _field(attribute: attrs.Attribute[Any], default: Any, hint: Any, owner: type) -> _Field:
    hint = _strip_none(hint)
    if hint in (str, int, bool):
        return _Field(attribute, default, check=hint)
    if hint is uuid.UUID:
        # Left as UUIDs for orjson, which writes their canonical text in C.
        return _Field(attribute, default, decode=_decode_uuid)
    if hint is FuzzyDate:
        return _Field(attribute, default, encode=_encode_date, decode=_decode_date)
    if hint is Estimate:
        return _Field(attribute, default, encode=_encode_estimate, decode=_decode_estimate)
    if hint is Source:
        encode, decode = _shared_value_codec(hint)
        return _Field(attribute, default, encode=encode, decode=decode)
    if hint is People:
        codec = _value_codec(hint)
        return _Field(attribute, default, encode=codec.encode, decode=codec.decode)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        # The event converter leaves enum members for orjson to write; so does this one.
        return _Field(attribute, default, members={member.value: member for member in hint})
    if hint == tuple[str, ...]:
        return _Field(attribute, default, encode=_encode_strings, decode=_decode_strings)
    if hint == tuple[uuid.UUID, ...]:
        return _Field(attribute, default, encode=_encode_uuids, decode=_decode_uuids)
    if hint == tuple[tuple[str, Estimate], ...]:
        return _Field(
            attribute, default, encode=_encode_by_nationality, decode=_decode_by_nationality
        )
    if is_report_type(hint):
        return _Field(attribute, default, encode=_encode_report, decode=_decode_report)
    # A new field type must be taught to this module; failing here keeps it from guessing.
    name = attribute.name
    raise TypeError(f"the fast codec does not know the type {hint!r} of {owner.__name__}.{name}")


def fields_of(cls: type) -> list[_Field]:
    """Describe how each field of ``cls`` is written and read."""
    hints = typing.get_type_hints(cls)
    fields = []
    for attribute in attrs.fields(cls):
        default = attribute.default
        if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            # A factory default (an event's derived id) is always written out: a stored event
            # keeps its identity even if the way ids are derived ever changes.
            default = _REQUIRED
        field = _field(attribute, default, hints[attribute.name], cls)
        if default is _REQUIRED and _strip_none(hints[attribute.name]) != hints[attribute.name]:
            field = attrs.evolve(field, nullable=True)
        fields.append(field)
    return fields


def value_rule_line(field: _Field, i: int, namespace: dict[str, Any]) -> str | None:
    """Return the generated line that runs field ``i``'s validator (``None``: none needed),
    with what it calls put in ``namespace``. Validators run once every field is set, as in
    ``__init__``."""
    validator, sees_none = _value_rule(field)
    if validator is None:
        return None
    namespace[f"validator{i}"], namespace[f"attribute{i}"] = validator, field.attribute
    call = f"validator{i}(obj, attribute{i}, v{i})"
    return f"    {call}" if sees_none else f"    if v{i} is not None: {call}"


def _build(cls: type, type_name: str | None) -> _ClassCodec:
    return _compile(cls, fields_of(cls), type_name)


@cache
def _value_codec(cls: type) -> _ClassCodec:
    return _build(cls, None)


@cache
def _shared_value_codec(cls: type) -> tuple[Encoder, Decoder]:
    """Return the encoder and decoder of a value class with one cache for every field of it
    in every event class (the events of one article share its source whatever their type)."""
    codec = _value_codec(cls)
    return _SharedEncoder(codec.encode), _shared_decoder(codec.decode)


@cache
def _event_codecs() -> dict[str, _ClassCodec]:
    return {name: _build(cls, name) for name, cls in EVENT_TYPES.items()}


def _encode_report(report: Report) -> dict[str, Any]:
    return _event_codecs()[report.TYPE].encode(report)


def _decode_report(data: Any) -> Report:
    if type(data) is not dict:
        raise _NotTrusted
    codec = _event_codecs().get(data["type"])
    if codec is None or codec.cls not in _REPORT_CLASSES:
        raise _NotTrusted
    report: Report = codec.decode(data)
    return report


def uuid_text(value: uuid.UUID) -> str:
    """Return ``str(value)``, written by orjson in C (uuid's own ``__str__`` is Python code)."""
    return orjson.dumps(value)[1:-1].decode("ascii")


# -- the public functions ---------------------------------------------------------------------
def event_payload(event: Event) -> dict[str, Any]:
    """Return the stored form of an event: ``event_to_dict(event)`` with every id written out.

    The id of the event, and of a correction's replacement, is always included (the interchange
    form leaves out an id derived from the content). Ids are ``uuid.UUID`` values, which orjson
    writes as their canonical text. Nested dicts may be shared with other payloads (a source's
    dict is made once per source object): copy before changing them.
    """
    return _event_codecs()[event.TYPE].encode(event)


def encode_event(event: Event) -> bytes:
    """Return the canonical JSON of an event's stored form (UTF-8, compact, sorted keys)."""
    return _compact(
        orjson.dumps(_event_codecs()[event.TYPE].encode(event), option=orjson.OPT_SORT_KEYS)
    )


def decode_event(payload: Mapping[str, Any]) -> Event:
    """Build the event of a stored payload of the current schema, trusting its shape.

    Returns what ``event_from_dict(payload)`` returns. A payload not in the shape
    :func:`encode_event` writes is passed to :func:`event_from_dict` instead.

    Raises:
        ValidationError: the payload is not a valid event (from :func:`event_from_dict`).
    """
    try:
        codec = _event_codecs()[payload["type"]]
        if "version" in payload:
            raise _NotTrusted
        event: Event = codec.decode(payload)
    except (_NotTrusted, KeyError, TypeError, ValueError, AttributeError):
        return event_from_dict(payload)
    return event
