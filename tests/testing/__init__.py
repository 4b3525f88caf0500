"""Tests of repatevents.testing, one module per module of the package."""
