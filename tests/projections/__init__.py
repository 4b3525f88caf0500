"""Tests of repatevents.projections, one module per module of the package."""
