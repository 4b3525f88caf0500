"""The hooks a repatevents plugin can implement, and the markers to implement them with.

A plugin is a module (or any object) with functions marked ``@hookimpl`` and named after a hook
below. Install it with an entry point in the ``repatevents`` group, or register it on a plugin
manager in tests (``repatevents.testing.registered_plugin``)::

    from repatevents.hookspecs import hookimpl

    @hookimpl
    def register_exporters(register):
        register(MY_EXPORTER)

A hook implementation may accept fewer arguments than the specification names, never others.
The plugin author's guide (``docs/plugins.md``) documents every hook with an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .exporters import Exporter

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "repatevents"
"""The pluggy project name and the entry point group plugins are installed under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (used in this module only)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a hook: ``@hookimpl`` above a function named after it."""


@hookspec
def register_exporters(
    register: Callable[[Exporter], None], plugin_manager: pluggy.PluginManager
) -> None:
    """Register export formats by calling ``register`` once for each.

    Fires when the exporters of a plugin manager are listed (``registered_exporters``), which
    ``export_tables``, ``Ledger.export`` and ``repatevents plugins`` do; it may fire more than
    once per process, so it must only build and register values. ``register`` checks each
    exporter as it arrives: an object that is not an ``Exporter`` or one name registered twice
    makes the whole plugin fail, with a warning, and none of its exporters is used. A name the
    built-in plugin registers (``csv``, ``geojson``) fails the plugin that registers it too. A
    name that two installed plugins register fails both, whichever loaded first: installed
    plugins load in alphabetical order, so letting either keep it would let a plugin named
    ``aaa_steal_xlsx`` take ``xlsx`` from the real one. Check that your names clash with
    nothing installed with ``repatevents.testing.assert_installed_plugin_loads``.

    Args:
        register: call it with an ``repatevents.exporters.Exporter`` value.
        plugin_manager: the manager asking; keep it if the exporter calls other hooks when it
            writes (the built-in GeoJSON exporter asks ``country_geometry`` through it).

    Example::

        @hookimpl
        def register_exporters(register):
            register(Exporter(name="markdown", extension="md", media_type="text/markdown",
                              description="A Markdown report", write=write_markdown))
    """


@hookspec(firstresult=True)
def country_geometry(code: str) -> dict[str, Any] | None:
    """Return a GeoJSON geometry for the country with ISO 3166-1 alpha-3 ``code``, or ``None``.

    Fires once per country while a map exporter (the built-in GeoJSON one) writes a country
    feature. The first plugin returning a geometry wins; when every plugin returns ``None``, the
    built-in label point of the country (``Country.label_point``) is used. Return a ``Point``
    (to move the marker) or a ``Polygon`` / ``MultiPolygon`` (to draw the border), with
    longitude before latitude in WGS 84 as RFC 7946 requires; an invalid geometry fails the
    export with an ``ExportError`` naming the country.

    Args:
        code: the country's ISO 3166-1 alpha-3 code (``"KAZ"``; Kosovo is ``"XKX"``).

    Returns:
        A GeoJSON geometry mapping, or ``None`` to leave the country to other plugins.

    Example::

        @hookimpl
        def country_geometry(code):
            if code == "KAZ":
                return {"type": "Point", "coordinates": [71.4491, 51.1694]}  # Astana
            return None
    """
