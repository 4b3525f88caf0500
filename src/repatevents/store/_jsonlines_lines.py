"""The lines of a JSON Lines log: how a record is written, parsed and found from the end.

Each record is one line whose keys come in a fixed order (the event's keys sorted); the last
line of a batch holds ``"commit":true`` just before ``"event"``. A line is accepted only in
exactly the form the store writes, so that any change to it shows.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import msgspec
import orjson

from ._records import StoredRecord, event_id_of

__all__ = [
    "Line",
    "ReadLine",
    "Tail",
    "format_line",
    "line_event_id",
    "lines_backwards",
    "parse_line",
    "read_line",
    "sync_directory",
    "write_atomically",
]

LINE: Final = b'{"position":%d,"recorded_at":"%b","schema_version":%d,"hash":"%b",%b"event":%b}\n'
COMMIT: Final = b'"commit":true,'
KEYS: Final = frozenset({"position", "recorded_at", "schema_version", "hash", "event"})
BLOCK: Final = 1 << 16


def format_line(record: StoredRecord, commit: bool) -> bytes:
    return LINE % (
        record.position,
        record.recorded_at.encode("ascii"),
        record.schema_version,
        record.hash.encode("ascii"),
        COMMIT if commit else b"",
        record.event_json,
    )


@attrs.frozen
class Line:
    """A parsed line: its record, whether it ends a batch, and the event's payload."""

    record: StoredRecord
    commit: bool
    payload: Any


def parse_line(line: bytes) -> Line:
    """Parse one line (with or without its newline) in the exact form the store writes.

    Raises:
        ValueError: the line is not JSON, or not a record in the store's canonical form.
    """
    data = orjson.loads(line)
    if not isinstance(data, dict):
        raise ValueError("the line is not a JSON object")
    commit = data.pop("commit", None)
    if commit not in (None, True) or data.keys() != KEYS:
        raise ValueError("the line does not have the keys of a record")
    position, recorded_at = data["position"], data["recorded_at"]
    schema_version, record_hash = data["schema_version"], data["hash"]
    if not (
        type(position) is int
        and type(schema_version) is int
        and isinstance(recorded_at, str)
        and isinstance(record_hash, str)
    ):
        raise ValueError("the record's position, time, version or hash has the wrong type")
    event_json = orjson.dumps(data["event"], option=orjson.OPT_SORT_KEYS)
    event = data["event"]
    event_id = event.get("id") if isinstance(event, dict) else None
    record = StoredRecord(
        position,
        recorded_at,
        schema_version,
        record_hash,
        event_id if isinstance(event_id, str) else "",
        event_json,
    )
    try:
        canonical = format_line(record, commit is True)
    except UnicodeEncodeError:
        raise ValueError("the record's time or hash is not ASCII") from None
    if canonical.rstrip(b"\n") != line.rstrip(b"\n"):
        raise ValueError(
            "the line is not in the store's canonical form (keys, order or spacing changed)"
        )
    return Line(record, commit is True, event)


class ReadLine(msgspec.Struct, gc=False):
    """The fields of a line that a read uses; the event stays raw JSON for its own reader."""

    position: int
    recorded_at: str
    schema_version: int
    hash: str
    event: msgspec.Raw


#: Parse a line for reading (a replay): types are checked, the canonical form is not; that is
#: :func:`parse_line`'s job, for ``verify`` and the checked reads.
read_line: Final = msgspec.json.Decoder(ReadLine).decode


def line_event_id(parsed: Line) -> str:
    """Return the event id of a parsed line (decoding an old payload that derives it)."""
    if parsed.record.event_id:
        return parsed.record.event_id
    return event_id_of(parsed.record.event_json, parsed.record.schema_version)


@attrs.frozen
class Tail:
    """Where the committed part of a file ends, and what follows it."""

    end: int  # byte offset just after the last committed line
    last: StoredRecord | None  # the last committed record
    torn: int  # bytes after ``end``


def lines_backwards(stream: Any, size: int) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, line) from the end of a file to its start, each with its newline.

    The first line yielded lacks its newline when the file does not end with one.
    """
    buffer, buffer_start, end = b"", size, size
    while end > 0:
        # The line ending at ``end`` starts after the newline before its own last byte.
        cut = buffer.rfind(b"\n", 0, max(end - 1 - buffer_start, 0))
        if cut < 0 and buffer_start > 0:
            start = max(0, buffer_start - BLOCK)
            stream.seek(start)
            buffer = stream.read(buffer_start - start) + buffer
            buffer_start = start
            continue
        line_start = buffer_start + cut + 1
        yield line_start, buffer[line_start - buffer_start : end - buffer_start]
        end = line_start
        buffer = buffer[: end - buffer_start]


def write_atomically(target: Path, data: bytes, *, durable: bool) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.replace(tmp, target)
        if durable:
            sync_directory(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def sync_directory(directory: Path) -> None:
    """Sync a directory, so that a file created or renamed in it survives a power cut."""
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
