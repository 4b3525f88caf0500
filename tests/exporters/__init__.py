"""Tests of repatevents.exporters, one module per module of the package."""
