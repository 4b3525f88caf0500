"""The test kit: what the project's tests and plugin authors' tests are built on.

Needs pytest (the ``testing`` extra). ``ExporterContract`` is the suite every exporter passes;
``registered_plugin`` and ``plugin_manager_fixture`` give a fresh plugin manager with a plugin
registered and removed afterwards; ``assert_installed_plugin_loads`` checks that an installed
plugin loads beside every other installed one (no exporter name taken twice);
``sample_tables`` and friends are hand-made tables with the awkward cells real data has.

The plugin manager itself is here too, for plugin authors' tests: ``get_plugin_manager()``
builds one as the command line does (the built-in and the installed plugins),
``registered_exporters(manager)`` gives its exporters by name, and
``RepateventsPluginManager`` is its type.
"""

from .._plugins import RepateventsPluginManager, get_plugin_manager, registered_exporters
from ._exporter_contract import ExporterContract, FailingStream
from ._invariants import assert_ledger_consistent, describe_violations
from ._plugins import (
    assert_installed_plugin_loads,
    fresh_plugin_manager,
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
    "RepateventsPluginManager",
    "StoreContract",
    "assert_installed_plugin_loads",
    "assert_ledger_consistent",
    "describe_violations",
    "empty_tables",
    "formula_tables",
    "fresh_plugin_manager",
    "get_plugin_manager",
    "largest_number_tables",
    "plugin_manager_fixture",
    "registered_exporters",
    "registered_plugin",
    "sample_events",
    "sample_metadata",
    "sample_tables",
    "unicode_tables",
]
