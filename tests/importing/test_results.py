"""What an import reports: counts that add up, and warnings that say where they are."""

from __future__ import annotations

from _paths import EXAMPLE
from repatevents import ImportResult, ImportWarning, Ledger


def test_read_is_what_was_recorded_plus_what_the_ledger_already_held() -> None:
    """Importing the example twice: 28 read both times, recorded first, already held second."""
    with Ledger.in_memory() as ledger:
        first = ledger.import_file(EXAMPLE)
        dry = ledger.import_file(EXAMPLE, dry_run=True)
        again = ledger.import_file(EXAMPLE)
    assert (28, 28, 0, 28, False) == (
        first.read,
        first.recorded,
        first.already_present,
        first.head,
        first.dry_run,
    )
    assert (28, 0, 28, True) == (dry.read, dry.recorded, dry.already_present, dry.dry_run)
    assert (28, 0, 28, 28) == (again.read, again.recorded, again.already_present, again.head)


def test_a_warning_reads_as_its_line_and_message() -> None:
    """A warning shown to a user starts with its line when it has one."""
    located = ImportWarning(4, "supersedes", "x", "names no recorded report")
    assert "line 4: names no recorded report" == str(located)
    assert "names no recorded report" == str(
        ImportWarning(None, "", None, "names no recorded report")
    )


def test_results_compare_by_value() -> None:
    """Two imports that did the same are equal results (frozen values, safe to keep)."""
    assert ImportResult(1, 2, 3) == ImportResult(recorded=1, already_present=2, head=3)
    assert ImportResult(1, 2, 3) != ImportResult(1, 2, 3, dry_run=True)
