"""The stored form of an event: the one module that writes it and reads it back.

The store keeps each event as canonical JSON (compact, sorted keys, every id written out):
:func:`event_payload` gives it as dicts, from per-class encoders compiled once from the attrs
fields, and :func:`encode_event` writes the same bytes without the dicts: each object is copied
into a msgspec ``Struct`` of its fields, which msgspec writes with sorted keys in C.
Reading it back does not need the validating interchange codec (:mod:`._codec`,
:func:`event_from_dict`: cattrs with problems named field by field), because the store wrote
it from valid events and the hash chain protects it. Three readers share the rules here:

* :func:`decode_event_json`: the stored bytes, parsed by msgspec against a schema derived from
  the event classes (one ``Struct`` per class, events tagged by ``type``), copied into the
  attrs event (the event a caller asks for: ``store.read()``, ``Ledger.events``);
* :func:`decode_stored_form`: the same parse, checked against every rule the event's
  constructor applies, without building the event: what the fold reads;
* :func:`decode_event`: a payload that is already a dict.

Each applies every rule ``__init__`` applies that its parse does not already guarantee: a
converter's output must be what is stored (a canonical country code), validators of values
and ``__attrs_post_init__`` run. Values that recur across a log (exact counts, dates, report
words, sources) are cached, so a replay shares them. Anything not in the shape
:func:`encode_event` writes (an unknown key, a missing field, a wrong type, a converter's input)
is handed to :func:`event_from_dict`, which either reads it or raises its usual
:class:`~repatevents.errors.ValidationError` (the form reader returns ``None`` for it instead).
``tests/events/test_stored.py`` checks that the readers return the same events.
"""

from __future__ import annotations

import enum
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from typing import Annotated, Any

import attrs
import msgspec
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

__all__ = [
    "decode_event",
    "decode_event_json",
    "decode_stored_form",
    "encode_event",
    "event_payload",
    "stored_by_nationality",
    "stored_date",
    "stored_estimate",
    "stored_form_type",
    "stored_people",
    "stored_source",
    "uuid_text",
]

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
                dec.append(_fixed_point_line(field, i, namespace, indent, none=False))
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
    exec(compile(code, f"<stored form of {cls.__name__}>", "exec"), namespace)
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
    raise TypeError(f"the stored form does not know the type {hint!r} of {owner.__name__}.{name}")


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


def _fixed_point_line(
    field: _Field, i: int, namespace: dict[str, Any], indent: str, *, none: bool
) -> str:
    """Return the generated line that checks that field ``i``'s value ``v{i}`` is what its
    converter makes of it (:func:`_fixed_point`), with what it calls put in ``namespace``;
    with ``none``, a ``None`` value is let through unchecked."""
    seen: set[Any] = set()
    namespace[f"seen{i}"] = seen
    namespace[f"fixed{i}"] = _fixed_point(field.attribute.converter, seen)
    test = f"v{i} is not None and v{i} not in seen{i}" if none else f"v{i} not in seen{i}"
    return f"{indent}if {test}: fixed{i}(v{i})"


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
    """Return the canonical JSON of an event's stored form (UTF-8, compact, sorted keys):
    ``orjson.dumps(event_payload(event), option=orjson.OPT_SORT_KEYS)``, written faster."""
    return _WRITER.encode(_copiers()[event.__class__](event))


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


# -- the stored JSON, parsed by msgspec ---------------------------------------------------------
_UNSET = msgspec.UNSET
_Count = Annotated[int, msgspec.Meta(ge=0)]
# Forms are parsed, copied and dropped, and hold no cycles: the collector need not track them.
_FORM: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}


class _EstimateForm(msgspec.Struct, frozen=True, **_FORM):
    """An estimate written as an object. Unset fields stay unset: their defaults depend on the
    qualifier, which :func:`~._codec._estimate_from_dict` applies."""

    best: int | msgspec.UnsetType = _UNSET
    low: int | msgspec.UnsetType | None = _UNSET
    high: int | msgspec.UnsetType | None = _UNSET
    qualifier: str | msgspec.UnsetType = _UNSET
    unit: str | msgspec.UnsetType = _UNSET
    raw: str | msgspec.UnsetType | None = _UNSET


class _DateForm(msgspec.Struct, frozen=True, **_FORM):
    """A date written as an object: the ISO value and the report's words."""

    value: str
    raw: str | msgspec.UnsetType | None = _UNSET


def _as_dict(form: msgspec.Struct) -> dict[str, Any]:
    """Return the fields of a form that were in the JSON, as the dict codec reads them."""
    return {
        key: value for key in form.__struct_fields__ if (value := getattr(form, key)) is not _UNSET
    }


class _Shared:
    """Values decoded from frozen forms, by form: equal JSON gives one shared object.

    Bounded: when full it is emptied, which costs a few decodes again and keeps a replay of any
    length in bounded memory.
    """

    __slots__ = ("decode", "found", "limit")

    def __init__(self, decode: Callable[[Any], Any], limit: int = _CACHE_LIMIT) -> None:
        self.decode, self.limit = decode, limit
        self.found: dict[Any, Any] = {}

    def miss(self, form: Any) -> Any:
        if len(self.found) >= self.limit:
            self.found.clear()
        value = self.found[form] = self.decode(form)
        return value


_estimates = _Shared(lambda form: _decode_estimate(_as_dict(form)))
_dates = _Shared(lambda form: _decode_date(form if form.__class__ is str else _as_dict(form)))


def _estimate(value: int | _EstimateForm) -> Estimate:
    """Return the estimate of a parsed count (the builders look cached ones up inline)."""
    if isinstance(value, int):
        return _decode_estimate(value)
    found: Estimate | None = _estimates.found.get(value)
    return found if found is not None else _estimates.miss(value)


def _nationalities(value: dict[str, Any]) -> tuple[tuple[str, Estimate], ...]:
    counts = {
        code: count if count.__class__ is int else _as_dict(count) for code, count in value.items()
    }
    return _decode_by_nationality(counts)


# -- the schema -------------------------------------------------------------------------------
def _form(hint: Any, forms: dict[type, Any], *, hashed: bool) -> Any:
    """Return the type msgspec parses a field of type ``hint`` as.

    In a form that is a cache key (``hashed``), enum members stay text: hashing a member runs
    Python code, hashing text does not.
    """
    if hint in (str, int, bool, uuid.UUID) or hint in (tuple[str, ...], tuple[uuid.UUID, ...]):
        return hint
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return str if hashed else hint
    if hint is Estimate:
        return _Count | _EstimateForm
    if hint is FuzzyDate:
        return str | _DateForm
    if hint in (People, Source):
        return forms[hint]
    if hint == tuple[tuple[str, Estimate], ...]:
        return dict[str, _Count | _EstimateForm]
    if is_report_type(hint):
        return typing.Union[tuple(forms[cls] for cls in _REPORT_CLASSES)]  # noqa: UP007
    # A new field type must be taught to this module; failing here keeps it from guessing.
    raise TypeError(f"the stored-JSON reader does not know the type {hint!r}")


def _struct(
    cls: type, forms: dict[type, Any], *, tag: str | None = None, hashed: bool = False
) -> Any:
    """Return the msgspec form of an attrs class: its fields, types and defaults."""
    hints = typing.get_type_hints(cls)
    required: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for field in fields_of(cls):
        form = _form(_strip_none(hints[field.name]), forms, hashed=hashed)
        default = field.default
        if default is _REQUIRED:
            required.append((field.name, form | None if field.nullable else form))
        elif default is None:
            optional.append((field.name, form | None, None))
        else:
            if hashed and isinstance(default, enum.Enum):
                default = default.value
            optional.append((field.name, form, default))
    options = {**_FORM, "frozen": hashed}
    if tag is not None:
        options.update(tag=tag, tag_field="type")
    return msgspec.defstruct(f"_{cls.__name__}Form", [*required, *optional], **options)


def _builder(
    cls: type,
    builders: dict[type, Callable[[Any], Any]],
    sources: _Shared | None,
    *,
    hashed: bool = False,
) -> Callable[[Any], Any]:
    """Write the function that copies a parsed form into a new ``cls`` object.

    msgspec has checked every type; what the dict reader's decoders do beyond that is done
    here the same way: enum members from text (in a ``hashed`` form), converter fixed points,
    validators and ``__attrs_post_init__``. ``builders`` builds nested forms by their class;
    ``sources`` shares the sources.
    """
    namespace: dict[str, Any] = {
        "_new": _new,
        "cls": cls,
        "builders": builders,
        "_exact": _exact_cache,
        "_estimates": _estimates.found,
        "_estimate": _estimate,
        "_nationalities": _nationalities,
    }
    lines = ["def build(form):", "    obj = _new(cls)"]
    rules = []
    hints = typing.get_type_hints(cls)
    for i, field in enumerate(fields_of(cls)):
        name, hint = field.name, _strip_none(hints[field.name])
        namespace[f"set{i}"] = cls.__dict__[name].__set__
        lines.append(f"    v{i} = form.{name}")
        if field.check is not None and field.attribute.converter is not None:
            lines.append(_fixed_point_line(field, i, namespace, "    ", none=True))
        elif field.members is not None and hashed:
            # A KeyError (text that names no member) sends the payload to the dict reader.
            namespace[f"members{i}"] = field.members
            lines.append(f"    v{i} = members{i}[v{i}]")
        elif hint is Estimate:
            # The common case inline: an estimate already in its cache.
            lines.append(f"    if v{i} is not None:")
            lines.append(f"        e = (_exact if v{i}.__class__ is int else _estimates).get(v{i})")
            lines.append(f"        v{i} = e if e is not None else _estimate(v{i})")
        elif hint is FuzzyDate or hint is Source:
            cache = _dates if hint is FuzzyDate else sources
            assert cache is not None, "a class with a source field is built with the sources"
            namespace[f"found{i}"], namespace[f"miss{i}"] = cache.found, cache.miss
            lines.append(f"    if v{i} is not None:")
            lines.append(f"        d = found{i}.get(v{i})")
            lines.append(f"        v{i} = d if d is not None else miss{i}(v{i})")
        elif hint is People or is_report_type(hint):
            lines.append(f"    if v{i} is not None: v{i} = builders[v{i}.__class__](v{i})")
        elif hint == tuple[tuple[str, Estimate], ...]:
            lines.append(f"    if v{i}.__class__ is dict: v{i} = _nationalities(v{i})")
        lines.append(f"    set{i}(obj, v{i})")
        rule = value_rule_line(field, i, namespace)
        if rule is not None:
            rules.append(rule)
    lines.extend(rules)
    if hasattr(cls, "__attrs_post_init__"):
        lines.append("    obj.__attrs_post_init__()")
    lines.append("    return obj")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<stored json of {cls.__name__}>", "exec"), namespace)
    build: Callable[[Any], Any] = namespace["build"]
    return build


def _checker(
    cls: type, checks: dict[type, Callable[[Any], None]], values: dict[type, _Shared]
) -> Callable[[Any], None]:
    """Write the function that checks a parsed event form against the rules of ``cls``
    without building the event.

    What :func:`_builder` applies while it builds, applied to the form itself: converter fixed
    points, validators of values and ``__attrs_post_init__`` (which read fields by name, so
    they read the form as they would read the event). Nested values (people, dates, estimates,
    sources) are decoded through their caches, which is their check and makes the reader that
    asks for them next find them there; a correction's replacement is checked as a form too.
    """
    namespace: dict[str, Any] = {
        "checks": checks,
        "_estimates": _estimates.found,
        "_estimate": _estimate,
        "_exact": _exact_cache,
        "_nationalities": _nationalities,
        "post_init": getattr(cls, "__attrs_post_init__", None),
    }
    lines = ["def check(obj):"]
    rules = []
    hints = typing.get_type_hints(cls)
    for i, field in enumerate(fields_of(cls)):
        name, hint = field.name, _strip_none(hints[field.name])
        lines.append(f"    v{i} = obj.{name}")
        if field.check is not None and field.attribute.converter is not None:
            lines.append(_fixed_point_line(field, i, namespace, "    ", none=True))
        elif hint is Estimate:
            lines.append(f"    if v{i} is not None:")
            lines.append(f"        e = (_exact if v{i}.__class__ is int else _estimates).get(v{i})")
            lines.append(f"        if e is None: _estimate(v{i})")
        elif hint in values:
            namespace[f"found{i}"], namespace[f"miss{i}"] = values[hint].found, values[hint].miss
            lines.append(f"    if v{i} is not None and v{i} not in found{i}: miss{i}(v{i})")
        elif is_report_type(hint):
            # The union of report forms is the type check; the field's validator asks for an
            # event, which a form is not.
            lines.append(f"    checks[v{i}.__class__](v{i})")
            continue
        elif hint == tuple[tuple[str, Estimate], ...]:
            lines.append(f"    if v{i}.__class__ is dict: _nationalities(v{i})")
        rule = value_rule_line(field, i, namespace)
        if rule is not None:
            rules.append(rule)
    lines.extend(rules)
    if namespace["post_init"] is not None:
        lines.append("    post_init(obj)")
    lines.append("    return None")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<stored json check of {cls.__name__}>", "exec"), namespace)
    check: Callable[[Any], None] = namespace["check"]
    return check


@attrs.frozen
class _Schema:
    decoder: msgspec.json.Decoder[Any]
    builders: dict[type, Callable[[Any], Any]]
    #: the checks of the event forms, by form class
    checks: dict[type, Callable[[Any], None]]
    #: the type name of each event form, by form class
    types: dict[type, str]
    #: values decoded once per distinct form: people, sources and dates, by value class
    values: dict[type, _Shared]


@cache
def _schema() -> _Schema:
    forms: dict[type, Any] = {}
    builders: dict[type, Callable[[Any], Any]] = {}
    # People are parsed as frozen forms (they hold no enum members), so that a reader of
    # forms can keep what it makes of equal groups once.
    forms[People] = _struct(People, forms, hashed=True)
    builders[forms[People]] = _builder(People, builders, None)
    forms[Source] = _struct(Source, forms, hashed=True)
    # The source of an article recurs in each of its events, and few articles are read at once.
    sources = _Shared(_builder(Source, builders, None, hashed=True), 1 << 12)
    values = {People: _Shared(builders[forms[People]]), Source: sources, FuzzyDate: _dates}
    checks: dict[type, Callable[[Any], None]] = {}
    types: dict[type, str] = {}
    # Reports first: a correction's replacement is one of them.
    ordered = sorted(EVENT_TYPES.items(), key=lambda item: item[1] not in _REPORT_CLASSES)
    for name, cls in ordered:
        forms[cls] = _struct(cls, forms, tag=name)
        builders[forms[cls]] = _builder(cls, builders, sources)
        checks[forms[cls]] = _checker(cls, checks, values)
        types[forms[cls]] = name
    events: Any = typing.Union[tuple(forms[cls] for cls in EVENT_TYPES.values())]  # noqa: UP007
    return _Schema(msgspec.json.Decoder(events), builders, checks, types, values)


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


# -- reading forms without building events ---------------------------------------------------
def decode_stored_form(data: bytes | str) -> Any | None:
    """Return the parsed form of an event's stored JSON, checked, without building the event.

    The form is a msgspec ``Struct`` with the event's field names: enum members, UUIDs and
    tuples as the event has them; people, sources and dates as frozen forms, to be read with
    :func:`stored_people`, :func:`stored_source` and :func:`stored_date`; estimates as ``int``
    or a form, read with :func:`stored_estimate`. Every rule the event's ``__init__`` applies
    has been checked (the nested values were decoded once, into their caches).

    Returns ``None`` for JSON not in the shape the store writes: the caller reads that with
    :func:`decode_event_json`, which reads it or raises the validating codec's error. A form
    is never a misreading: what is returned is what that function would build the event from.
    """
    schema = _schema()
    try:
        form = schema.decoder.decode(data)
        schema.checks[form.__class__](form)
    except (msgspec.MsgspecError, _NotTrusted, KeyError, TypeError, ValueError):
        return None
    return form


def stored_form_type(form: Any) -> str:
    """Return the stable type name of an event form (``"operation-reported"``)."""
    return _schema().types[form.__class__]


def stored_people(form: Any) -> People:
    """Return the group of people of a checked form (equal forms give one shared object)."""
    shared = _schema().values[People]
    found: People | None = shared.found.get(form)
    return found if found is not None else shared.miss(form)


def stored_source(form: Any) -> Source:
    """Return the source of a checked form (equal forms give one shared object)."""
    shared = _schema().values[Source]
    found: Source | None = shared.found.get(form)
    return found if found is not None else shared.miss(form)


def stored_date(form: Any) -> FuzzyDate:
    """Return the date of a checked form: ISO text or a date form (shared, as above)."""
    found: FuzzyDate | None = _dates.found.get(form)
    return found if found is not None else _dates.miss(form)


def stored_estimate(value: Any) -> Estimate:
    """Return the estimate of a checked count: an ``int`` or an estimate form."""
    return _estimate(value)


def stored_by_nationality(value: Any) -> tuple[tuple[str, Estimate], ...]:
    """Return the counts per nationality of a checked form, sorted by code as the event's."""
    return _nationalities(value) if value.__class__ is dict else tuple(value)


# -- the stored JSON, written by msgspec ------------------------------------------------------
# What encode_event writes, in C: each event is copied into a msgspec Struct of its fields
# and msgspec writes it. The Struct's fields are declared in the order of their names, the type
# among them, so that msgspec writes the keys sorted as they come; it sorts only the keys of
# dicts (estimates, dates, counts by nationality). A field equal to its default is left out
# (``omit_defaults``; a required field's default is UNSET, which no value is). The copy reads
# each field once; building the dicts of event_payload in Python and sorting them in orjson
# cost about twice as much. The bytes are ``orjson.dumps(event_payload(event),
# option=OPT_SORT_KEYS)``: tests/events/test_stored.py holds the property, and the golden
# files pin both.
_WRITER = msgspec.json.Encoder(order="deterministic")


def _written_fields(fields: list[_Field], type_name: str | None) -> list[tuple[str, Any]]:
    """Return (name, default) of each key of the written object, in the order of the names:
    the fields, and ``type`` (always given) for an event."""
    named = [
        (field.name, _UNSET if field.default is _REQUIRED else field.default) for field in fields
    ]
    if type_name is not None:
        named.append(("type", _UNSET))
    return sorted(named)


def _write_struct(cls: type, fields: list[_Field], type_name: str | None) -> Any:
    """Return the Struct an object of ``cls`` is copied into to be written."""
    written = [(name, Any, default) for name, default in _written_fields(fields, type_name)]
    return msgspec.defstruct(f"_{cls.__name__}Written", written, omit_defaults=True, gc=False)


def _copier(cls: type, copiers: dict[type, Callable[[Any], Any]], type_name: str | None) -> Any:
    """Write the function that copies an object of ``cls`` into its written Struct.

    Per field only what the field needs: enum members, UUIDs, text and tuples are written by
    msgspec as they are; estimates, dates and nationality counts take their stored form (an
    exact number of people is the bare number); groups of people, sources and a correction's
    replacement are copied into their own Structs (a source once per object, as articles
    share theirs). A field equal to its default is given the default itself, which
    ``omit_defaults`` recognises by identity.
    """
    fields = fields_of(cls)
    hints = typing.get_type_hints(cls)
    struct = _write_struct(cls, fields, type_name)
    namespace: dict[str, Any] = {"Struct": struct, "copiers": copiers, "_id": id}
    namespace.update({"_EXACT": _EXACT, "_PEOPLE": _PEOPLE})
    lines = ["def copy(obj):"]
    by_name = {field.name: field for field in fields}
    names = [name for name, _ in _written_fields(fields, type_name)]
    namespace["type_name"] = type_name
    for i, name in enumerate(names):
        if name not in by_name:  # the event's type
            lines.append(f"    v{i} = type_name")
            continue
        field = by_name[name]
        hint = _strip_none(hints[field.name])
        namespace[f"enc{i}"], namespace[f"default{i}"] = field.encode, field.default
        if hint is Estimate:
            exact = f"v{i}.raw is None and v{i}.qualifier is _EXACT and v{i}.unit is _PEOPLE"
            convert = f"(v{i}.best if {exact} else enc{i}(v{i}))"
            namespace[f"enc{i}"] = _unstructure_estimate
        elif hint is FuzzyDate:
            assert isinstance(field.encode, _SharedEncoder)
            namespace[f"cache{i}"] = field.encode.cache
            hit = f"(h := cache{i}.get(_id(v{i}))) is not None and h[0] is v{i}"
            convert = f"(h[1] if {hit} else enc{i}(v{i}))"
        elif hint is Source:
            namespace[f"cache{i}"], namespace[f"enc{i}"] = _source_copier.cache, _source_copier
            hit = f"(h := cache{i}.get(_id(v{i}))) is not None and h[0] is v{i}"
            convert = f"(h[1] if {hit} else enc{i}(v{i}))"
        elif hint is People or is_report_type(hint):
            convert = f"copiers[v{i}.__class__](v{i})"
        elif field.members is not None or field.encode in (None, _encode_strings, _encode_uuids):
            # msgspec writes a member as its value, and a tuple as an array.
            convert = f"v{i}"
        else:
            convert = f"enc{i}(v{i})"
        lines.append(f"    v{i} = obj.{field.name}")
        if field.default is _REQUIRED and not field.nullable:
            lines.append(f"    v{i} = {convert}")
        elif field.default is _REQUIRED or field.default is None:
            if convert != f"v{i}":
                lines.append(f"    if v{i} is not None: v{i} = {convert}")
        else:
            lines.append(f"    v{i} = default{i} if v{i} == default{i} else {convert}")
    lines.append(f"    return Struct({', '.join(f'v{i}' for i in range(len(names)))})")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<written form of {cls.__name__}>", "exec"), namespace)
    return namespace["copy"]


@cache
def _copiers() -> dict[type, Callable[[Any], Any]]:
    """Return the copier of each class into its written Struct, by class."""
    copiers: dict[type, Callable[[Any], Any]] = {}
    copiers[People] = _copier(People, copiers, None)
    copiers[Source] = _copier(Source, copiers, None)
    for name, cls in EVENT_TYPES.items():
        copiers[cls] = _copier(cls, copiers, name)
    return copiers


# One cache for the sources of every event class: the events of an article share its source.
_source_copier = _SharedEncoder(lambda value: _copiers()[Source](value))
