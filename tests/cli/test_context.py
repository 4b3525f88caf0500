"""What every command runs in: the ledger it is given, and its problems as one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from _paths import EXAMPLE
from repatevents.cli import main

from ._helpers import run, stdout_json


def test_a_file_of_events_given_as_the_ledger_says_to_import_it(tmp_path: Path) -> None:
    """--ledger naming a file of events (the interchange format) says it is one, to import,
    rather than calling it damaged."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(EXAMPLE.read_bytes())
    result = run(events, "totals")
    assert 1 == result.exit_code
    assert (
        "this is a file of events to import (repatevents import FILE), not a ledger"
        in result.stderr
    )
    assert "damaged" not in result.stderr


def test_query_on_a_missing_ledger_says_how_to_start(tmp_path: Path) -> None:
    """Asking an absent ledger for totals explains how to create one instead of creating it."""
    path = tmp_path / "absent.db"
    result = run(path, "totals")
    assert 0 != result.exit_code
    assert "import a file first" in result.output
    assert not path.exists()


def test_ledger_option_after_the_subcommand(ledger: Path, tmp_path: Path) -> None:
    """--ledger after the subcommand works, and wins over the one before it and the env var."""
    runner = CliRunner(env={"REPATEVENTS_LEDGER": str(tmp_path / "absent.db")})
    after = runner.invoke(main, ["totals", "--ledger", str(ledger), "--json"])
    assert "KGZ" in {r["country"] for r in stdout_json(after)}
    both = runner.invoke(
        main, ["--ledger", str(tmp_path / "other.db"), "verify", "--ledger", str(ledger)]
    )
    assert "28 records verified" in both.stdout
    assert not (tmp_path / "other.db").exists()
    default = runner.invoke(main, ["verify"])
    assert "absent.db" in default.output
    assert 0 != default.exit_code


def test_a_damaged_checkpoint_file_is_one_warning_line(tmp_path: Path) -> None:
    """The console script prints the library's warning about an unreadable checkpoint file as
    one line, and answers from the log."""
    path = tmp_path / "ledger.jsonl"
    assert 0 == run(path, "import", str(EXAMPLE)).exit_code
    Path(f"{path}.checkpoints").write_text('{"garbage')
    script = Path(sys.executable).parent / "repatevents"
    done = subprocess.run(
        [str(script), "--ledger", str(path), "totals"], capture_output=True, text=True, check=False
    )
    assert 0 == done.returncode, done.stderr
    lines = done.stderr.splitlines()
    assert 1 == len(lines), lines
    assert lines[0].startswith("warning: ")
    assert "KGZ" in done.stdout
