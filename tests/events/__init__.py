"""Tests of repatevents.events, one module per module of the package."""
