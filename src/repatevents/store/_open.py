"""Open a store by path: the suffix chooses the backend unless one is named."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ._base import EventStore
from ._jsonlines import JsonLinesStore
from ._memory import MemoryStore
from ._sqlite import SQLiteStore

__all__ = ["BACKENDS", "open_store"]

#: The backend names ``open_store`` accepts.
BACKENDS: Final = ("jsonl", "memory", "sqlite")

_SQLITE_SUFFIXES: Final = frozenset({".db", ".sqlite", ".sqlite3"})
_JSONL_SUFFIXES: Final = frozenset({".jsonl"})


def open_store(path: str | os.PathLike[str] | None, *, backend: str | None = None) -> EventStore:
    """Open (or create) an event store.

    Without ``backend`` the path decides: ``None`` gives an in-memory store; a ``.jsonl`` file a
    JSON Lines store; ``.db``, ``.sqlite``, ``.sqlite3`` or any other file a SQLite store (the
    default backend).

    Args:
        path: the store's file, or ``None`` for a store in memory.
        backend: ``"sqlite"``, ``"jsonl"`` or ``"memory"``, to choose regardless of the suffix.

    Returns:
        The open store; use it as a context manager to close it.

    Raises:
        ValueError: the backend name is unknown, or does not fit the path (a file store
            without a path, a memory store with one).
        CorruptLogError: the file exists but is not a readable log of that backend.
    """
    if backend is None:
        if path is None:
            backend = "memory"
        else:
            suffix = Path(path).suffix.lower()
            backend = "jsonl" if suffix in _JSONL_SUFFIXES else "sqlite"
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
    if backend == "jsonl":
        return JsonLinesStore(path)
    return SQLiteStore(path)
