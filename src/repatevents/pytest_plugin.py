"""The repatevents pytest plugin: fixtures for tests of ledgers, data and plugins.

Installed with repatevents (the ``pytest11`` entry point ``repatevents``), so the fixtures are
there in any test suite once repatevents and pytest are installed; nothing to import:

- ``repatevents_ledger``: an empty ledger in memory, closed after the test;
- ``repatevents_ledger_from_file``: a function ``load(path, *, copy=True)`` returning a ledger:
  a JSON Lines file of events is imported into a new ledger in memory; a ledger file (SQLite,
  or a JSON Lines store) is opened, on a copy unless ``copy=False``, so a test never changes
  its data files; every ledger is closed after the test;
- ``repatevents_plugin_manager``: a new plugin manager with only the built-in exporters
  (installed plugins are not loaded), to register a plugin under test on.

``assert_ledger_consistent(ledger, ...)`` (from ``repatevents.testing``) asserts that a
ledger keeps every invariant and lists the violations readably when it does not::

    from repatevents.testing import assert_ledger_consistent

    def test_our_data_is_consistent(repatevents_ledger_from_file):
        ledger = repatevents_ledger_from_file("data/ledger.jsonl")
        assert_ledger_consistent(ledger)

Switch the plugin off with ``pytest -p no:repatevents``. Loading it imports neither
hypothesis nor the rest of the test kit, so it costs nothing in test suites that do not use it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._ledger import Ledger

if TYPE_CHECKING:
    from ._plugins import RepateventsPluginManager

__all__ = [
    "LoadLedger",
    "repatevents_ledger",
    "repatevents_ledger_from_file",
    "repatevents_plugin_manager",
]

#: The factory ``repatevents_ledger_from_file`` gives: ``load(path, *, copy=True)``.
LoadLedger = Callable[..., Ledger]

# Files that belong to a ledger file and must travel with a copy of it.
_SIDECARS = ("-wal", ".checkpoints")


@pytest.fixture
def repatevents_ledger() -> Iterator[Ledger]:
    """Give an empty ledger held in memory, closed after the test."""
    ledger = Ledger.in_memory()
    try:
        yield ledger
    finally:
        ledger.close()


def _is_store_log(path: Path) -> bool:
    """Whether a ``.jsonl`` file is a JSON Lines *store* (envelopes), not a file of events."""
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    record = json.loads(line)
                except ValueError:
                    return False
                return isinstance(record, dict) and {"position", "event"} <= record.keys()
    return False


@pytest.fixture
def repatevents_ledger_from_file(tmp_path: Path) -> Iterator[LoadLedger]:
    """Give ``load(path, *, copy=True)``, which returns a ledger made from a file.

    A ``.jsonl`` file of events (the interchange format) is validated and imported into a new
    ledger in memory. A ledger file (``.db``/``.sqlite``, or a JSON Lines store) is opened;
    with ``copy`` (the default) a copy in the test's temporary folder is, so that the file
    itself is never changed. Every ledger is closed after the test.
    """
    opened: list[Ledger] = []

    def load(path: str | os.PathLike[str], *, copy: bool = True) -> Ledger:
        source = Path(path)
        if source.suffix.lower() == ".jsonl" and not _is_store_log(source):
            ledger = Ledger.in_memory()
            opened.append(ledger)
            ledger.import_jsonl(source)
            return ledger
        target = source
        if copy:
            folder = tmp_path / f"repatevents-ledger-{len(opened)}"
            folder.mkdir()
            target = folder / source.name
            shutil.copy2(source, target)
            for suffix in _SIDECARS:
                sidecar = source.with_name(source.name + suffix)
                if sidecar.exists():
                    shutil.copy2(sidecar, target.with_name(target.name + suffix))
        ledger = Ledger.open(target)
        opened.append(ledger)
        return ledger

    try:
        yield load
    finally:
        for ledger in opened:
            ledger.close()


@pytest.fixture
def repatevents_plugin_manager() -> RepateventsPluginManager:
    """Give a new plugin manager with only the built-in exporters (CSV, GeoJSON, HTML and
    SQLite); installed plugins are not loaded (``repatevents.testing.plugin_manager_fixture()``
    as a plugin fixture)."""
    # Not repatevents.testing's fixture itself: importing that package imports hypothesis
    # (StoreContract), and this module is loaded into every pytest run, with or without it.
    from ._plugins import get_plugin_manager

    return get_plugin_manager(load_entrypoints=False)


def __getattr__(name: str) -> Any:
    # assert_ledger_consistent lives in repatevents.testing; it is imported on first use for
    # the same reason.
    if name == "assert_ledger_consistent":
        from ._invariants import assert_ledger_consistent

        return assert_ledger_consistent
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
