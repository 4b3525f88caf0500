"""The names made private since 0.1: still importable from their old place, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from repatevents import _deprecated
from repatevents._deprecated import deprecated_names

# (old namespace, name, its home now, its name there (or `DICT[key]`), words the warning must hold)
DEPRECATED: list[tuple[str, str, str, str, str]] = [
    (
        "repatevents.exporters",
        "write_csv",
        "repatevents.exporters._csv",
        "write_csv",
        "export_tables('csv', ...)",
    ),
    (
        "repatevents.exporters",
        "write_geojson",
        "repatevents.exporters._geojson",
        "write_geojson",
        "export_tables('geojson', ...)",
    ),
    (
        "repatevents.exporters",
        "geojson_exporter",
        "repatevents.exporters._geojson",
        "geojson_exporter",
        "export_tables('geojson', ...)",
    ),
    (
        "repatevents.exporters",
        "target_paths",
        "repatevents.exporters._export",
        "target_paths",
        "export_tables(...) returns",
    ),
    (
        "repatevents.projections",
        "PEOPLE_PER_FAMILY",
        "repatevents.projections._figures",
        "PEOPLE_PER_FAMILY",
        "converting families to people",
    ),
    (
        "repatevents.projections",
        "TABLE_NAMES",
        "repatevents.projections._to_tables",
        "TABLE_NAMES",
        "Ledger.tables()",
    ),
    (
        "repatevents.invariants",
        "BREAKDOWN_RELATIONS",
        "repatevents._invariants",
        "RELATIONS",
        "breakdown_is_consistent",
    ),
    (
        "repatevents.invariants",
        "check_log",
        "repatevents._invariants",
        "check_log",
        "check_ledger(ledger) or EventStore.verify()",
    ),
    (
        "repatevents.invariants",
        "read_csv_export",
        "repatevents._invariants",
        "read_csv_export",
        "check_export(ledger, 'csv', CSV_READER)",
    ),
    (
        "repatevents.invariants",
        "read_geojson_export",
        "repatevents._invariants",
        "read_geojson_export",
        "check_export(ledger, 'geojson', GEOJSON_READER)",
    ),
    *(
        (
            "repatevents.invariants",
            check,
            "repatevents._invariants",
            f"LEDGER_CHECKS[{check}]",
            "use check_ledger(ledger)",
        )
        for check in (
            "check_as_of",
            "check_bounds",
            "check_breakdowns",
            "check_exports",
            "check_known_at",
            "check_rebuild",
            "check_reconciliation",
            "check_remaining",
            "check_reports_in_force",
            "check_series",
            "check_tables",
            "check_totals",
        )
    ),
    (
        "repatevents.testing",
        "RepateventsPluginManager",
        "repatevents.plugins",
        "RepateventsPluginManager",
        "repatevents.plugins.RepateventsPluginManager",
    ),
    (
        "repatevents.testing",
        "get_plugin_manager",
        "repatevents.plugins",
        "get_plugin_manager",
        "repatevents.plugins.get_plugin_manager",
    ),
    (
        "repatevents.testing",
        "registered_exporters",
        "repatevents.plugins",
        "registered_exporters",
        "repatevents.plugins.registered_exporters",
    ),
    (
        "repatevents.testing",
        "fresh_plugin_manager",
        "repatevents.testing._plugins",
        "fresh_plugin_manager",
        "plugin_manager_fixture()",
    ),
]

IDS = [f"{module}.{name}" for module, name, *_ in DEPRECATED]


def _new_home(home: str, home_name: str) -> object:
    """The object at its new home: a module's attribute, or one entry of a dict there."""
    attribute, _, key = home_name.partition("[")
    value = getattr(importlib.import_module(home), attribute)
    return value[key.removesuffix("]")] if key else value


def test_the_twenty_six_names_announced_for_0_1_are_all_here() -> None:
    """Every name the 0.1 changelog announced as going away is deprecated, and each only once."""
    assert 26 == len(DEPRECATED) == len(set(IDS))


@pytest.mark.parametrize(
    ("module_name", "name", "home", "home_name", "replacement"), DEPRECATED, ids=IDS
)
def test_a_deprecated_name_warns_naming_its_replacement_and_is_the_same_object(
    module_name: str, name: str, home: str, home_name: str, replacement: str
) -> None:
    """Reading the old name warns (DeprecationWarning, 0.3, the replacement) and gives the very
    object its new home holds."""
    module = importlib.import_module(module_name)
    with pytest.warns(
        DeprecationWarning, match=r" is deprecated and will be removed in 0\.3: "
    ) as caught:
        value = getattr(module, name)
    (warning,) = caught
    message = str(warning.message)
    assert message.startswith(f"{module_name}.{name} is deprecated and will be removed in 0.3: ")
    assert replacement in message
    assert value is _new_home(home, home_name)


@pytest.mark.parametrize(
    ("module_name", "name", "home", "home_name", "replacement"), DEPRECATED, ids=IDS
)
def test_a_deprecated_name_is_not_public(
    module_name: str, name: str, home: str, home_name: str, replacement: str
) -> None:
    """The old name is out of its namespace's __all__, so `import *` no longer brings it."""
    assert name not in importlib.import_module(module_name).__all__


def test_from_import_warns_at_the_importing_line() -> None:
    """`from repatevents.exporters import write_csv` warns, and the warning points at that line
    in the user's file (not at repatevents), so the user sees what to change."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from repatevents.exporters import write_csv  # noqa: F401

    # From a package, Python's import machinery looks the name up once before the import reads
    # it, so "always" shows the warning twice; both point at the line above.
    assert caught
    for warning in caught:
        assert issubclass(warning.category, DeprecationWarning)
        assert Path(__file__).samefile(warning.filename)


def test_importing_a_deprecated_name_fails_under_warnings_as_errors() -> None:
    """A user running with -W error::DeprecationWarning gets an error at the old import."""
    code = "from repatevents.invariants import check_totals"
    run = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 != run.returncode
    assert "repatevents.invariants.check_totals is deprecated" in run.stderr


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    """A name neither public nor deprecated raises AttributeError naming the module and name,
    without a warning."""
    import repatevents.exporters

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            AttributeError, match=r"'repatevents.exporters' has no attribute 'nope'"
        ):
            _ = repatevents.exporters.nope
        with pytest.raises(ImportError):
            from repatevents.exporters import nope  # noqa: F401


def test_the_shim_loads_a_deprecated_object_only_when_asked() -> None:
    """deprecated_names calls a name's loader only when that name is read, each time it is."""
    loads: list[str] = []

    def load() -> Any:
        loads.append("old")
        return 42

    getattr_ = deprecated_names("pkg.mod", {"old": (load, "use new()")})
    assert [] == loads
    with pytest.warns(
        DeprecationWarning,
        match=r"^pkg\.mod\.old is deprecated and will be removed in 0\.3: use new\(\)$",
    ):
        assert 42 == getattr_("old")
    assert ["old"] == loads
    assert "0.3" == _deprecated.REMOVED_IN
