"""`verify`, `rebuild` and `repair`: a changed summary found and replaced, a torn tail cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from _paths import EXAMPLE
from repatevents.cli import main
from repatevents.projections._checkpoint import SUMMARY_NAME, dumps_summary, loads_summary
from repatevents.store import SQLiteStore

from ._helpers import fingerprint, run, stdout_json


def test_verify_and_rebuild(ledger: Path) -> None:
    """`verify` checks every record; `rebuild` folds from zero to the head."""
    assert "28 records verified" in run(ledger, "verify").output
    assert "up to position 28" in run(ledger, "rebuild").output


def test_verify_finds_a_changed_summary_and_rebuild_replaces_it(ledger: Path) -> None:
    """A summary checkpoint whose KAZ total was raised tenfold (its hash left alone): verify
    exits 1 saying the cache does not match the log and that rebuild replaces it; after
    rebuild, totals say 274 again and verify passes."""
    run(ledger, "totals")
    with SQLiteStore(ledger) as store:
        saved = store.get_checkpoint(SUMMARY_NAME)
        assert saved is not None
        summary = loads_summary(saved[1], saved[0])
        assert summary is not None
        kaz = summary.countries["KAZ"].figs[0]
        kaz[:3] = [10 * figure for figure in kaz[:3]]
        store.put_checkpoint(SUMMARY_NAME, saved[0], dumps_summary(summary))
    refused = run(ledger, "verify")
    assert 1 == refused.exit_code
    assert refused.stderr.startswith(
        "error: the checkpoint 'projections-summary' saved at position 28 does not match the log"
    )
    assert "rebuild replaces it" in refused.stderr
    assert 0 == run(ledger, "rebuild").exit_code
    totals = stdout_json(run(ledger, "totals", "--json"))
    assert 274 == next(row for row in totals if row["country"] == "KAZ")["total_best"]
    assert "28 records verified" in run(ledger, "verify").output


# -- repair -----------------------------------------------------------------------------------
@pytest.fixture
def torn(tmp_path: Path) -> Path:
    """A JSON Lines ledger of the example whose last batch was cut off mid-write."""
    path = tmp_path / "ledger.jsonl"
    assert 0 == run(path, "import", str(EXAMPLE)).exit_code
    with open(path, "ab") as stream:
        stream.write(b'{"position":29,"recorded_at":"2026-')
    return path


def test_torn_tail_error_points_to_the_repair_command(torn: Path) -> None:
    """The torn-tail error names the CLI command, not a Python call."""
    result = run(torn, "totals")
    assert 1 == result.exit_code
    assert f"`repatevents --ledger {torn} repair` removes them" in result.stderr
    assert "JsonLinesStore" not in result.stderr


def test_repair_asks_then_cuts_only_the_torn_tail(torn: Path) -> None:
    """repair shows the bytes, cuts nothing when refused, and cuts them when confirmed."""
    size = torn.stat().st_size
    refused = CliRunner().invoke(main, ["--ledger", str(torn), "repair"], input="n\n")
    assert 1 == refused.exit_code
    assert '{"position":29,"recorded_at":"2026-' in refused.stderr
    assert size == torn.stat().st_size
    confirmed = CliRunner().invoke(main, ["--ledger", str(torn), "repair"], input="y\n")
    assert 0 == confirmed.exit_code, confirmed.output
    assert "cut 35 bytes; the log ends at position 28" in confirmed.stdout
    assert 28 == fingerprint(torn)[0]
    again = stdout_json(run(torn, "repair", "--yes", "--json"))
    assert {"ledger": str(torn), "removed_bytes": 0, "position": 28} == again


def test_repair_yes_does_not_ask(torn: Path) -> None:
    """--yes cuts at once."""
    result = run(torn, "repair", "--yes")
    assert 0 == result.exit_code, result.output
    assert 28 == fingerprint(torn)[0]


def test_repair_refuses_a_sqlite_ledger(ledger: Path) -> None:
    """A SQLite ledger is refused with a clear reason, and left alone."""
    before = fingerprint(ledger)
    result = run(ledger, "repair", "--yes")
    assert 1 == result.exit_code
    assert "is a SQLite ledger, which needs no repair" in result.stderr
    assert before == fingerprint(ledger)


def test_long_work_shows_progress_only_on_a_terminal(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rebuild and verify show how far the hash check and the fold got on a terminal's
    stderr; nothing with --json or when stderr is not a terminal."""
    from repatevents import _ledger
    from repatevents.cli import _context

    monkeypatch.setattr(_ledger, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(_context.TerminalProgress, "delay", 0.0)
    monkeypatch.setattr(_context.TerminalProgress, "interval", 0.0)
    assert "folding" not in run(ledger, "rebuild").stderr
    monkeypatch.setattr(_context, "on_terminal", lambda: True)
    shown = run(ledger, "rebuild")
    assert "folding: 20 of 28 events (71%)" in shown.stderr
    assert shown.stderr.endswith("folding: 28 of 28 events (100%)\n")
    assert "verifying: 28 of 28 records (100%)" in shown.stderr
    checked = run(ledger, "verify")
    assert "verifying: 28 of 28 records (100%)" in checked.stderr
    assert "" == run(ledger, "verify", "--json").stderr
    quiet = run(ledger, "rebuild", "--json")
    assert "" == quiet.stderr
    assert 28 == stdout_json(quiet)["position"]
