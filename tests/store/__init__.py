"""Tests of repatevents.store, one module per module of the package."""
