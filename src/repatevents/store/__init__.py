"""The event store: an append-only, hash-chained log (the second stage of the data flow).

``open_store(path)`` opens one by its file: SQLite (the default), JSON Lines (``.jsonl``), a
PostgreSQL server (a ``postgresql://`` URL) or, for ``None``, memory; ``copy_store`` copies a
ledger between any two of them, record for record. Every backend implements
:class:`EventStore` and passes the contract suite in :mod:`repatevents.testing`
(``StoreContract``).
"""

from ._base import Envelope, EventStore
from ._copy import copy_store
from ._jsonlines import JsonLinesStore
from ._memory import MemoryStore
from ._open import open_store
from ._postgres import PostgresStore
from ._sqlite import SQLiteStore

__all__ = [
    "Envelope",
    "EventStore",
    "JsonLinesStore",
    "MemoryStore",
    "PostgresStore",
    "SQLiteStore",
    "copy_store",
    "open_store",
]
