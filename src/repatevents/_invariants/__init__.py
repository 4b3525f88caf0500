"""The invariant checks behind :mod:`repatevents.invariants` (implementation modules)."""
