"""Exporter options as the write function declares them: name, type and default.

Exporters take their options as keyword-only arguments (``docs/plugins.md``), so the signature
says which there are. An option's type is its annotation when it has one (``X | None`` is
``X``), else the type of its default; ``repatevents export -O`` reads option text by it and
``repatevents plugins --json`` lists it.

Beside ``_exporter.py`` rather than in ``exporters``, for the same reason: the plugin host reads
options without importing the exporters package, which imports the host.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from ._exporter import PROGRESS, Exporter

__all__ = ["NO_DEFAULT", "ExporterOption", "exporter_options", "takes_progress"]

NO_DEFAULT: Any = inspect.Parameter.empty
"""The ``default`` of an option that has none (the exporter requires it)."""

# The leading positional parameters every write function has: tables, metadata, stream.
_FIXED = 3
_KEYWORDS = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@attrs.frozen
class ExporterOption:
    """One option of an exporter.

    Attributes:
        name: the keyword the write function takes.
        type: the type it takes (``bool``, ``int``, ``str`` …), or ``None`` when neither an
            annotation nor a default says.
        default: the default value, or ``NO_DEFAULT`` for a required option.
    """

    name: str
    type: type[Any] | None
    default: Any = NO_DEFAULT

    @property
    def type_name(self) -> str | None:
        """Return the type's name (``"bool"``), or ``None`` when the type is not known."""
        return None if self.type is None else self.type.__name__

    def to_dict(self) -> dict[str, Any]:
        """Return the option as a JSON-ready dict: ``name``, ``type``, ``default``, ``required``.

        A default that JSON cannot hold is given as its ``repr``.
        """
        required = self.default is NO_DEFAULT
        default = None if required else self.default
        if default is not None and not isinstance(default, bool | int | float | str):
            default = repr(default)
        return {"name": self.name, "type": self.type_name, "default": default, "required": required}


def exporter_options(exporter: Exporter) -> tuple[ExporterOption, ...] | None:
    """Return the options an exporter's write function takes, in the order it declares them.

    Args:
        exporter: the exporter.

    Returns:
        One ``ExporterOption`` per keyword the function takes after tables, metadata and
        stream, but ``progress``, which the host fills (see ``WriteFunction``); ``None`` when
        the function takes ``**options`` (it refuses unknown ones itself) or its signature
        cannot be read.
    """
    try:
        parameters = list(inspect.signature(exporter.write).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    hints = _annotations(exporter.write)
    return tuple(
        ExporterOption(p.name, _option_type(hints.get(p.name), p.default), p.default)
        for p in parameters[_FIXED:]
        if p.kind in _KEYWORDS and p.name != PROGRESS
    )


def takes_progress(exporter: Exporter) -> bool:
    """Return whether the exporter's write function declares the ``progress`` keyword."""
    try:
        parameters = inspect.signature(exporter.write).parameters
    except (TypeError, ValueError):
        return False
    found = parameters.get(PROGRESS)
    return found is not None and found.kind in _KEYWORDS


def _annotations(write: Callable[..., Any]) -> dict[str, Any]:
    """Return the write function's annotations, evaluated; one that cannot be is left out."""
    function: Any = write
    while isinstance(function, functools.partial):
        function = function.func
    if not inspect.isfunction(function) and not inspect.ismethod(function):
        function = type(function).__call__  # a callable object: its method has the annotations
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation that names something imported only for type checkers
        pass
    # One by one, so that the options' own annotations still count.
    raw = getattr(function, "__annotations__", {})
    namespace = getattr(function, "__globals__", {})
    hints: dict[str, Any] = {}
    for name, annotation in raw.items():
        if not isinstance(annotation, str):
            hints[name] = annotation
            continue
        try:
            hints[name] = eval(annotation, namespace)  # what get_type_hints does, per name
        except Exception:
            continue
    return hints


def _option_type(annotation: Any, default: Any) -> type[Any] | None:
    if annotation is not None:
        kind = _plain_type(annotation)
        if kind is not None:
            return kind
    if default is NO_DEFAULT or default is None:
        return None
    return type(default)


def _plain_type(annotation: Any) -> type[Any] | None:
    """Return ``X`` for an annotation ``X``, ``X | None`` or ``Optional[X]``; else ``None``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            return None
        annotation = members[0]
    return annotation if isinstance(annotation, type) else None
