"""JSON Lines, the interchange format: one event per line, UTF-8, each line a JSON object."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from ..errors import FieldProblem, ValidationError
from ._codec import SCHEMA_VERSION, event_from_dict, event_to_dict
from ._events import Event

__all__ = ["dumps_event", "iter_jsonl", "loads_event", "read_jsonl", "write_jsonl"]


def dumps_event(event: Event) -> bytes:
    """Return one interchange line for ``event`` (without the newline)."""
    data = event_to_dict(event)
    # The version sits right after the type so that a reader sees both first.
    data = {"type": data.pop("type"), "version": SCHEMA_VERSION, **data}
    return orjson.dumps(data)


def loads_event(line: bytes | str, *, line_number: int | None = None) -> Event:
    """Parse one interchange line into an event.

    Raises:
        ValidationError: the line is not JSON or not a valid event.
    """
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        problem = FieldProblem("", _preview(line), f"not valid JSON ({exc})", line_number)
        raise ValidationError(problem) from None
    return event_from_dict(data, line=line_number)


def _preview(line: bytes | str) -> str:
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    return text if len(text) <= 80 else text[:77] + "..."


def iter_jsonl(stream: IO[bytes]) -> Iterator[Event]:
    """Yield the events of a JSON Lines stream one by one; blank lines are skipped.

    Raises:
        ValidationError: at the first invalid line, naming it. A last line without its newline
            is read like any other; a torn (cut) line is invalid JSON and is reported.
    """
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield loads_event(line, line_number=number)


def read_jsonl(path: str | os.PathLike[str]) -> list[Event]:
    """Read and validate a whole JSON Lines file of events.

    Every line is checked before anything is returned, so one call reports every problem.

    Raises:
        ValidationError: listing every invalid line with its field, value and rule.
        OSError: the file cannot be opened.
    """
    events: list[Event] = []
    problems: list[FieldProblem] = []
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                events.append(loads_event(line, line_number=number))
            except ValidationError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return events


def write_jsonl(events: Iterable[Event], path: str | os.PathLike[str]) -> int:
    """Write events to a JSON Lines file (replacing it atomically) and return how many.

    The file is written beside its target and renamed into place, so a failure midway leaves
    the previous file untouched.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    count = 0
    try:
        with open(tmp, "wb") as out:
            for event in events:
                out.write(dumps_event(event) + b"\n")
                count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return count
