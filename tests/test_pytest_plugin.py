"""The pytest plugin: its fixtures work in a user's test suite, and a failure lists violations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

EXAMPLE = Path("examples/ledger.jsonl").resolve()
# Whether or not the entry point is installed, the sub-run loads the plugin exactly once. Sub-runs
# are subprocesses: an in-process run would drop the modules it imported first, and the next
# run would import second copies of repatevents' classes.
PLUGIN_ARGS = (
    "-p",
    "no:repatevents",
    "-p",
    "repatevents.pytest_plugin",
    "-p",
    "no:cacheprovider",
)


def test_the_fixtures_give_ledgers_and_a_plugin_manager(pytester: pytest.Pytester) -> None:
    """A user's tests get an empty ledger, ledgers from files, and a fresh plugin manager."""
    shutil.copy(EXAMPLE, pytester.path / "events.jsonl")
    pytester.makepyfile(
        """
        import repatevents as rp
        from repatevents import Ledger
        from repatevents._plugins import registered_exporters
        from repatevents.testing import assert_ledger_consistent

        def ledger_event():
            source = rp.Source(publisher="Test", speaker_kind=rp.SpeakerKind.MEDIA)
            return rp.OperationReported(
                source=source, country="KAZ", people=5, date=rp.FuzzyDate.parse("2024-01-02"),
                origin="al-hol",
            )

        def test_empty(repatevents_ledger):
            assert 0 == repatevents_ledger.head
            assert_ledger_consistent(repatevents_ledger)

        def test_from_events(repatevents_ledger_from_file):
            ledger = repatevents_ledger_from_file("events.jsonl")
            assert 28 == ledger.head
            assert_ledger_consistent(ledger)

        def test_from_a_ledger_file(repatevents_ledger_from_file, tmp_path):
            with Ledger.open(tmp_path / "mine.db") as mine:
                mine.import_jsonl("events.jsonl")
            ledger = repatevents_ledger_from_file(tmp_path / "mine.db")
            assert 28 == ledger.head
            ledger.record_many(rp.read_jsonl("events.jsonl")[:1] + [ledger_event()])
            ledger.close()
            with Ledger.open(tmp_path / "mine.db") as original:
                assert 28 == original.head

        def test_from_a_json_lines_store(repatevents_ledger_from_file, tmp_path):
            with Ledger.open(tmp_path / "store.jsonl") as store:
                store.import_jsonl("events.jsonl")
            assert 28 == repatevents_ledger_from_file(tmp_path / "store.jsonl").head

        def test_plugin_manager(repatevents_plugin_manager):
            names = sorted(registered_exporters(repatevents_plugin_manager))
            assert ["csv", "geojson", "html", "sqlite"] == names
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN_ARGS)
    result.assert_outcomes(passed=5)


def test_a_failing_assertion_lists_the_violations(pytester: pytest.Pytester) -> None:
    """assert_ledger_consistent fails with one numbered line per violation, kind first."""
    shutil.copy(EXAMPLE, pytester.path / "events.jsonl")
    pytester.makepyfile(
        """
        from repatevents import Ledger
        from repatevents.testing import assert_ledger_consistent

        class DoubleTotals(Ledger):
            def totals(self, *args, **kwargs):
                import attrs
                rows = super().totals(*args, **kwargs)
                return tuple(attrs.evolve(t, operations=t.operations * 2) for t in rows)

        def test_broken(repatevents_ledger_from_file):
            ledger = repatevents_ledger_from_file("events.jsonl")
            assert_ledger_consistent(DoubleTotals(ledger.store), exports=False)
        """
    )
    result = pytester.runpytest_subprocess(*PLUGIN_ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the ledger has * invariant violations (as of every date, everything recorded, "
            "policy 'conservative'):",
            "*  1. [[]totals-differ-from-operations[]] totals: the totals count 4 operations for "
            "KAZ, the operations projection has 2 (country=KAZ; events=*",
        ]
    )


def test_loading_the_plugin_imports_neither_hypothesis_nor_the_test_kit() -> None:
    """pytest loads the plugin in every run: it must work without the testing extra."""
    code = (
        "import sys, repatevents.pytest_plugin as plugin\n"
        "print(sorted(m for m in ('hypothesis', 'repatevents.testing') if m in sys.modules))\n"
        "from repatevents.testing import assert_ledger_consistent\n"
        "print(plugin.assert_ledger_consistent is assert_ledger_consistent)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert ["[]", "True"] == result.stdout.split()


def test_the_plugin_is_installed_for_pytest() -> None:
    """The distribution declares the pytest11 entry point, so a user's pytest finds the
    fixtures without -p (the docs' examples rely on it)."""
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert "repatevents.pytest_plugin" == found.get("repatevents")
