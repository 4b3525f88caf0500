"""Checkpoints: the knowledge state saved beside the log, so a cold start need not replay it.

A checkpoint is a cache, never part of the log. It is written with ``pickle`` (fast for the
plain tuples and dicts the state is made of) and trusted only after three checks: its format
version, its position (not past the log's head), and the hash of the record at that position,
which must match the log's. Anything else, or anything unreadable, means "rebuild from zero".
Only a checkpoint this library wrote into the user's own ledger is ever read.
"""

from __future__ import annotations

import pickle
from typing import Any

from ._state import KnowledgeState

__all__ = ["CHECKPOINT_NAME", "FORMAT", "dumps_state", "loads_state"]

#: The name checkpoints are stored under; a new format gets a new name.
CHECKPOINT_NAME = "projections"
#: The version of the state's layout; bump it whenever the knowledge state changes shape.
FORMAT = 1


def dumps_state(state: KnowledgeState) -> bytes:
    """Return the checkpoint bytes of a state."""
    return pickle.dumps((FORMAT, state.position, state.head_hash, state), protocol=5)


def loads_state(data: bytes, position: int) -> KnowledgeState | None:
    """Return the state in checkpoint bytes, or ``None`` when they cannot be trusted.

    Args:
        data: the checkpoint bytes.
        position: the position the store says the checkpoint is at.
    """
    try:
        loaded: Any = pickle.loads(data)  # our own cache, verified below
        version, saved_position, _, state = loaded
    except Exception:  # a torn, foreign or outdated cache is rebuilt, whatever broke
        return None
    if version != FORMAT or saved_position != position or not isinstance(state, KnowledgeState):
        return None
    if state.position != position:
        return None
    return state
