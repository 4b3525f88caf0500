"""The event store: an append-only, hash-chained log (the second stage of the data flow)."""

from ._base import Envelope, EventStore

__all__ = ["Envelope", "EventStore"]
