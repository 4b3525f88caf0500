"""The plugin host: build a plugin manager and ask it what is installed.

Import this module on purpose (``from repatevents import plugins``); ``import repatevents`` does
not load it. ``get_plugin_manager()`` builds a fresh manager each time, as the command line does:
the built-in exporters, then the plugins installed under the ``repatevents`` entry point group
(minus those ``REPATEVENTS_DISABLE_PLUGINS`` switches off). ``registered_exporters(manager)``
gives its exporters by name, ``list_plugins(manager)`` what became of each plugin (a
``PluginInfo`` each), and ``RepateventsPluginManager`` is the manager's type, for annotations.

Example:

.. code-block:: python

    from repatevents.plugins import get_plugin_manager, registered_exporters

    manager = get_plugin_manager()
    print(sorted(registered_exporters(manager)))  # ['csv', 'geojson', ...]

This is the plugin manager's one public home; ``repatevents.testing`` re-exports the same
objects for plugin authors' tests.
"""

from ._plugins import (
    PluginInfo,
    RepateventsPluginManager,
    get_plugin_manager,
    list_plugins,
    registered_exporters,
)

__all__ = [
    "PluginInfo",
    "RepateventsPluginManager",
    "get_plugin_manager",
    "list_plugins",
    "registered_exporters",
]
