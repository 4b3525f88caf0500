"""The canonical bytes of a stored record and the SHA-256 chain over them.

Every backend hashes the same bytes, so a log copied from one backend to another keeps its
hashes, and anyone can check a log with a few lines of code in any language:

* The **event JSON** is the event's stored form (its interchange form with every id written
  out) as compact UTF-8 JSON with the keys of every object sorted, as written by
  ``orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)``.
* The **canonical bytes** of record *n* are the compact JSON object, keys sorted,
  ``{"event":<event JSON>,"position":n,"recorded_at":"<time>","schema_version":v}``, where the
  time is UTC written ``YYYY-MM-DDTHH:MM:SS.ffffffZ``.
* ``hash_n = SHA-256(hash_(n-1) || canonical bytes of record n)``, with the 32 raw bytes of the
  previous hash (32 zero bytes before the first record), written as 64 lowercase hex digits.

A change to any stored record changes its hash; a change that also rewrites the hash changes
every later one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Final

__all__ = [
    "GENESIS_HASH",
    "canonical_record",
    "chain_hash",
    "format_recorded_at",
    "parse_recorded_at",
]

#: The "previous hash" of the first record.
GENESIS_HASH: Final = "0" * 64

_sha256 = hashlib.sha256
_fromhex = bytes.fromhex


def format_recorded_at(moment: dt.datetime) -> str:
    """Return the canonical text of a recording time: UTC, microseconds, a ``Z``.

    Raises:
        ValueError: ``moment`` has no timezone (a naive time is ambiguous in an audit trail).
    """
    if moment.tzinfo is None:
        raise ValueError(f"a recording time must be timezone-aware, got {moment!r}")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_recorded_at(text: str) -> dt.datetime:
    """Return the UTC datetime of a canonical recording time.

    Raises:
        ValueError: the text is not a canonical recording time.
    """
    if len(text) != 27 or text[-1] != "Z":
        raise ValueError(f"{text!r} is not a recording time like '2024-05-01T12:00:00.000000Z'")
    return dt.datetime.fromisoformat(text)


def canonical_record(
    position: int, recorded_at: str, schema_version: int, event_json: bytes
) -> bytes:
    """Return the canonical bytes of one record (see the module docstring).

    ``event_json`` must already be canonical (compact, sorted keys); the record's own keys are
    written in sorted order around it, so the result equals sorted-key JSON of the whole record.
    """
    return b'{"event":%b,"position":%d,"recorded_at":"%b","schema_version":%d}' % (
        event_json,
        position,
        recorded_at.encode("ascii"),
        schema_version,
    )


def chain_hash(previous: str, record: bytes) -> str:
    """Return the hash of a record given the previous record's hash and its canonical bytes."""
    return _sha256(_fromhex(previous) + record).hexdigest()
