"""Tests of repatevents.importing, one module per module of the package."""
