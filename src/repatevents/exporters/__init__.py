"""Exporters: write the projections' tables as files people share (CSV, GeoJSON, plugins' own).

This is the last stage of the data flow (events → store → projections → exporters): an
exporter receives tables and their metadata and writes bytes; it never reads the ledger. The
built-in CSV, GeoJSON and SQLite exporters are registered by a built-in plugin through the same
``register_exporters`` hook as third-party exporters (see ``repatevents.hookspecs``).

The table types an exporter receives (``Table``, ``Column``, ``ColumnType``, ``ExportMetadata``)
are re-exported here, so that an exporter plugin imports everything it needs from this module.
"""

from .._exporter import DescribeFunction, Exporter, WriteFunction, metadata_table
from .._tables import Column, ColumnType, ExportMetadata, Table
from ._csv import neutralise, write_csv
from ._export import export_tables, target_paths
from ._geojson import geojson_exporter, write_geojson

__all__ = [
    "Column",
    "ColumnType",
    "DescribeFunction",
    "ExportMetadata",
    "Exporter",
    "Table",
    "WriteFunction",
    "export_tables",
    "geojson_exporter",
    "metadata_table",
    "neutralise",
    "target_paths",
    "write_csv",
    "write_geojson",
]
