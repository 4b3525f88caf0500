"""The event store: an append-only, hash-chained log (the second stage of the data flow).

``open_store(path)`` opens one by its file: SQLite (the default), JSON Lines (``.jsonl``), a
PostgreSQL server (a ``postgresql://`` URL) or, for ``None``, memory; ``copy_store`` copies a
ledger between any two of them, record for record. Every backend implements
:class:`EventStore` and passes the contract suite in :mod:`repatevents.testing`
(``StoreContract``).

Beside the public names (``__all__``), this module is the one door through which the Ledger
façade and the CLI reach the hash chain's start, the checked reader and the server's address
rules (imported ``as`` themselves): no other package imports a private module of this one.
"""

from ._base import (
    PROGRESS_EVERY as PROGRESS_EVERY,
    VERIFYING as VERIFYING,
    Envelope,
    EventStore,
    Progress as Progress,
    RawReader as RawReader,
    RawRecord as RawRecord,
)
from ._copy import copy_store
from ._hashing import (
    GENESIS_HASH as GENESIS_HASH,
    canonical_record as canonical_record,
    chain_hash as chain_hash,
    format_recorded_at as format_recorded_at,
)
from ._jsonlines import JsonLinesStore
from ._memory import MemoryStore
from ._open import open_store
from ._postgres import (
    READER_ROLE as READER_ROLE,
    WRITER_ROLE as WRITER_ROLE,
    PostgresStore,
    is_postgres_url as is_postgres_url,
    without_password as without_password,
)
from ._records import last_hash as last_hash, read_checked as read_checked
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
