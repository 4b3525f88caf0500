"""Tests of repatevents.cli, one module per module of the package."""
