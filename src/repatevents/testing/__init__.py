"""The test kit: what the project's tests and plugin authors' tests are built on.

Needs pytest (the ``testing`` extra). ``ExporterContract`` is the suite every exporter passes;
``registered_plugin`` and ``plugin_manager_fixture`` give a fresh plugin manager with a plugin
registered and removed afterwards; ``sample_tables`` and friends are hand-made tables with the
awkward cells real data has.
"""

from ._exporter_contract import ExporterContract, FailingStream
from ._invariants import assert_ledger_consistent, describe_violations
from ._plugins import fresh_plugin_manager, plugin_manager_fixture, registered_plugin
from ._sample_tables import (
    LARGEST_NUMBERS,
    UNICODE_TEXTS,
    empty_tables,
    largest_number_tables,
    sample_metadata,
    sample_tables,
    unicode_tables,
)
from ._store_contract import StoreContract, sample_events

__all__ = [
    "LARGEST_NUMBERS",
    "UNICODE_TEXTS",
    "ExporterContract",
    "FailingStream",
    "StoreContract",
    "assert_ledger_consistent",
    "describe_violations",
    "empty_tables",
    "fresh_plugin_manager",
    "largest_number_tables",
    "plugin_manager_fixture",
    "registered_plugin",
    "sample_events",
    "sample_metadata",
    "sample_tables",
    "unicode_tables",
]
