"""The test kit: what the project's tests and plugin authors' tests are built on.

Needs pytest (the ``testing`` extra). ``ExporterContract`` is the suite every exporter passes;
``registered_plugin`` and ``plugin_manager_fixture`` give a fresh plugin manager with a plugin
registered and removed afterwards; ``assert_installed_plugin_loads`` checks that an installed
plugin loads beside every other installed one (no exporter name taken twice);
``sample_tables`` and friends are hand-made tables with the awkward cells real data has.

The plugin manager itself lives in ``repatevents.plugins`` (``get_plugin_manager``,
``registered_exporters``, ``RepateventsPluginManager``); importing them from here still works
until 0.3, behind a ``DeprecationWarning``, as does ``fresh_plugin_manager`` (use
``plugin_manager_fixture()``).
"""

from .. import _plugins as _host
from .._deprecated import deprecated_names
from .._invariants import assert_ledger_consistent, describe_violations
from . import _plugins
from ._exporter_contract import ExporterContract, FailingStream
from ._plugins import (
    assert_installed_plugin_loads,
    plugin_manager_fixture,
    registered_plugin,
)
from ._sample_tables import (
    FORMULA_TEXTS,
    LARGEST_NUMBERS,
    UNICODE_TEXTS,
    empty_tables,
    formula_tables,
    largest_number_tables,
    sample_metadata,
    sample_tables,
    unicode_tables,
)
from ._store_contract import StoreContract, sample_events

__all__ = [
    "FORMULA_TEXTS",
    "LARGEST_NUMBERS",
    "UNICODE_TEXTS",
    "ExporterContract",
    "FailingStream",
    "StoreContract",
    "assert_installed_plugin_loads",
    "assert_ledger_consistent",
    "describe_violations",
    "empty_tables",
    "formula_tables",
    "largest_number_tables",
    "plugin_manager_fixture",
    "registered_plugin",
    "sample_events",
    "sample_metadata",
    "sample_tables",
    "unicode_tables",
]

# Public in 0.1, private since (or public only in repatevents.plugins): served here behind a
# DeprecationWarning until 0.3.
__getattr__ = deprecated_names(
    __name__,
    {
        "RepateventsPluginManager": (
            lambda: _host.RepateventsPluginManager,
            "use repatevents.plugins.RepateventsPluginManager",
        ),
        "fresh_plugin_manager": (
            lambda: _plugins.fresh_plugin_manager,
            "use plugin_manager_fixture() (with no plugin, or some)",
        ),
        "get_plugin_manager": (
            lambda: _host.get_plugin_manager,
            "use repatevents.plugins.get_plugin_manager",
        ),
        "registered_exporters": (
            lambda: _host.registered_exporters,
            "use repatevents.plugins.registered_exporters",
        ),
    },
)
