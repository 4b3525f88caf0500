"""The implementation of :mod:`repatevents.strategies`; import that module instead."""
