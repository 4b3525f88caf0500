"""Open a store by path: the suffix (or a ``postgresql://`` URL) chooses the backend unless one
is named."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ..errors import FieldProblem, ValidationError
from ._base import EventStore
from ._jsonlines import JsonLinesStore
from ._memory import MemoryStore
from ._postgres import PostgresStore, is_postgres_url
from ._sqlite import SQLiteStore

__all__ = ["BACKENDS", "open_store"]

#: The backend names ``open_store`` accepts.
BACKENDS: Final = ("jsonl", "memory", "postgres", "sqlite")

_SQLITE_SUFFIXES: Final = (".db", ".sqlite", ".sqlite3")
_JSONL_SUFFIXES: Final = (".jsonl",)
# The first bytes of every SQLite database file.
_SQLITE_HEADER: Final = b"SQLite format 3\x00"


def _is_sqlite_file(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as stream:
            return stream.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    except OSError:
        return False


def _backend_of(path: str | os.PathLike[str]) -> str:
    """Return the backend a path's suffix names.

    Raises:
        ValidationError: the suffix is none of the ledger suffixes (an existing SQLite file
            is still opened as one, whatever it is called).
    """
    suffix = Path(path).suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in _SQLITE_SUFFIXES or _is_sqlite_file(path):
        return "sqlite"
    raise ValidationError(
        FieldProblem(
            "path",
            os.fspath(path),
            "a ledger file ends in "
            + ", ".join(_SQLITE_SUFFIXES)
            + f" (SQLite) or {' '.join(_JSONL_SUFFIXES)} (JSON Lines); name it so, or name "
            "the backend (backend='sqlite' or 'jsonl')",
        )
    )


def open_store(path: str | os.PathLike[str] | None, *, backend: str | None = None) -> EventStore:
    """Open (or create) an event store.

    Without ``backend`` the path decides: ``None`` gives an in-memory store; a ``.jsonl`` file a
    JSON Lines store; a ``.db``, ``.sqlite`` or ``.sqlite3`` file a SQLite store (the default
    backend); a ``postgresql://user@host:port/dbname`` URL (``postgres://`` too; a
    ``schema=NAME`` parameter chooses the schema) a :class:`PostgresStore` on that server, which
    needs the ``postgres`` extra (``pip install 'repatevents[postgres]'``). Any other name is
    refused, so that a file meant for something else (``x.csv``) is never made into a
    database; only an existing SQLite file is opened whatever its name.

    Args:
        path: the store's file, a PostgreSQL URL, or ``None`` for a store in memory.
        backend: ``"sqlite"``, ``"jsonl"``, ``"postgres"`` or ``"memory"``, to choose
            regardless of the suffix.

    Returns:
        The open store; use it as a context manager to close it.

    Raises:
        ValueError: the backend name is unknown, or does not fit the path (a file store
            without a path, a memory store with one).
        ValidationError: a ``ValueError`` too: without ``backend``, the path's suffix is not
            one of the above.
        CorruptLogError: the file exists but is not a readable log of that backend.
        StoreError: the PostgreSQL server cannot be reached or refuses the role (the password
            is never shown), or psycopg is not installed.
    """
    if backend is None:
        if path is None:
            backend = "memory"
        elif is_postgres_url(path):
            backend = "postgres"
        else:
            backend = _backend_of(path)
    if backend not in BACKENDS:
        raise ValueError(f"{backend!r} is not a store backend; choose one of {', '.join(BACKENDS)}")
    if backend == "memory":
        if path is not None:
            raise ValueError(
                f"an in-memory store has no file, but the path {os.fspath(path)!r} was given"
            )
        return MemoryStore()
    if path is None:
        raise ValueError(f"a {backend} store needs a file path; give one, or use memory")
    if backend == "postgres":
        if not is_postgres_url(path):
            raise ValueError(
                f"a postgres store needs a postgresql:// URL, but {os.fspath(path)!r} was given"
            )
        return PostgresStore(os.fspath(path))
    if backend == "jsonl":
        return JsonLinesStore(path)
    return SQLiteStore(path)
