"""Exporters: write the projections' tables as files people share (CSV, GeoJSON, plugins' own).

This is the last stage of the data flow (events → store → projections → exporters): an
exporter receives tables and their metadata and writes bytes; it never reads the ledger. The
built-in CSV, GeoJSON and SQLite exporters are registered by a built-in plugin through the same
``register_exporters`` hook as third-party exporters (see ``repatevents.hookspecs``).

The table types an exporter receives (``Table``, ``Column``, ``ColumnType``, ``ExportMetadata``)
are re-exported here, so that an exporter plugin imports everything it needs from this module.
"""

from .._deprecated import deprecated_names
from .._exporter import DescribeFunction, Exporter, WriteFunction, metadata_table
from .._tables import Column, ColumnType, ExportMetadata, Table
from . import _csv, _export, _geojson
from ._csv import neutralise
from ._export import export_tables

__all__ = [
    "Column",
    "ColumnType",
    "DescribeFunction",
    "ExportMetadata",
    "Exporter",
    "Table",
    "WriteFunction",
    "export_tables",
    "metadata_table",
    "neutralise",
]

# Public in 0.1, private since: served here behind a DeprecationWarning until 0.3.
__getattr__ = deprecated_names(
    __name__,
    {
        "geojson_exporter": (
            lambda: _geojson.geojson_exporter,
            "use export_tables('geojson', ...) or Ledger.export",
        ),
        "target_paths": (lambda: _export.target_paths, "use the paths export_tables(...) returns"),
        "write_csv": (lambda: _csv.write_csv, "use export_tables('csv', ...)"),
        "write_geojson": (lambda: _geojson.write_geojson, "use export_tables('geojson', ...)"),
    },
)
