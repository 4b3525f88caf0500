"""Read the stored JSON of an event straight into the event, with msgspec doing the parsing.

:mod:`._fastcodec` reads a payload that is already a dict; here the bytes are parsed by msgspec
against a schema derived from the event classes (one ``Struct`` per class, events tagged by
``type``), so that the parse itself checks every type and builds the UUIDs, enum members and
tuples in C. What is left in Python is copying the parsed fields into the attrs objects and the
rules msgspec cannot know: a converter's output must be what is stored (a canonical country
code), validators of values and ``__attrs_post_init__`` run. Values that recur across a log
(sources, dates, estimates) are parsed as frozen structs, which are their own cache keys: a
source shared by the events of one article is built once.

Anything not in the shape :func:`~._fastcodec.encode_event` writes fails msgspec's parse or a
rule here and is handed to :func:`~._fastcodec.decode_event` on the parsed dict, which reads it
or hands it to the validating codec. ``tests/test_fastcodec.py`` checks that the readers return
the same events.
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
    _decode_by_nationality,
    _decode_date,
    _decode_estimate,
    _exact_cache,
    _fixed_point,
    _new,
    _NotTrusted,
    _strip_none,
    decode_event,
    fields_of,
    is_report_type,
    value_rule_line,
)
from ._people import People
from ._source import Source

__all__ = [
    "decode_event_json",
    "decode_stored_form",
    "stored_by_nationality",
    "stored_date",
    "stored_estimate",
    "stored_form_type",
    "stored_people",
    "stored_source",
]

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

    msgspec has checked every type; what :mod:`._fastcodec`'s decoders do beyond that is done
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
            seen: set[Any] = set()
            namespace[f"seen{i}"] = seen
            namespace[f"fixed{i}"] = _fixed_point(field.attribute.converter, seen)
            lines.append(f"    if v{i} is not None and v{i} not in seen{i}: fixed{i}(v{i})")
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
            seen: set[Any] = set()
            namespace[f"seen{i}"] = seen
            namespace[f"fixed{i}"] = _fixed_point(field.attribute.converter, seen)
            lines.append(f"    if v{i} is not None and v{i} not in seen{i}: fixed{i}(v{i})")
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
