"""Data files shipped with repatevents: the country table and the example ledger."""
