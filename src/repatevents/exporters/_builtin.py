"""The built-in plugin: registers the CSV, GeoJSON, HTML and SQLite exporters through the hook.

It is an ordinary plugin, registered by the plugin manager before any installed one, so the
built-in formats go through the same checks as a third-party format and keep their names.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

from .._exporter import Exporter
from ..hookspecs import hookimpl
from ._csv import CSV_EXPORTER
from ._geojson import geojson_exporter
from ._html import HTML_EXPORTER
from ._sqlite import SQLITE_EXPORTER

__all__ = ["register_exporters"]


@hookimpl
def register_exporters(
    register: Callable[[Exporter], None], plugin_manager: pluggy.PluginManager
) -> None:
    """Register the CSV, GeoJSON, HTML and SQLite exporters."""
    register(CSV_EXPORTER)
    register(geojson_exporter(plugin_manager))
    register(HTML_EXPORTER)
    register(SQLITE_EXPORTER)
