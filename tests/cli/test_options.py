"""The shared options: --known-at as a position or a day, --country by name, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from repatevents import Ledger
from repatevents.cli import main

from ._helpers import run, stdout_json


# -- --known-at -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["²", "٣", "3x"])
def test_known_at_takes_only_ascii_digits_as_a_position(ledger: Path, value: str) -> None:
    """'²' and '٣' are not positions: a clean usage error, not a traceback or position 3."""
    result = run(ledger, "totals", "--known-at", value, "--json")
    assert 2 == result.exit_code
    assert "is neither a log position" in result.output
    assert "Traceback" not in result.output


def test_known_at_a_day_includes_that_day(ledger: Path) -> None:
    """--known-at DAY means the end of that day (UTC): what was recorded that day counts."""
    with Ledger.open(ledger) as opened:
        day = next(iter(opened.store.read())).recorded_at.date().isoformat()
    records = stdout_json(run(ledger, "totals", "--known-at", day, "--json"))
    assert "KGZ" in {r["country"] for r in records}


def test_known_at_before_the_first_event_says_so(ledger: Path) -> None:
    """A time before anything was recorded prints the empty answer and a note on stderr."""
    result = run(ledger, "totals", "--known-at", "2001-03-01", "--json")
    assert [] == stdout_json(result)
    assert result.stderr.startswith("note: the ledger held no events at the end of 2001-03-01")
    assert "its first event was recorded at" in result.stderr
    assert "" == run(ledger, "totals", "--known-at", "0", "--json").stderr


def test_known_at_help_says_it_is_the_recording_clock() -> None:
    """The option's help says known-at is when events were recorded, not published."""
    text = " ".join(CliRunner().invoke(main, ["totals", "--help"]).output.split())
    assert "when events were recorded in this ledger, not when reports were published" in text


# -- --country messages -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("unknown", "'unknown' is not a known ISO 3166-1 country code"),
        ("Kyrgystan", "'Kyrgystan' is not a known ISO 3166-1 country code, name or alias; did you"),
    ],
)
def test_unknown_country_names_the_value_and_suggestions(
    ledger: Path, value: str, message: str
) -> None:
    """An unknown --country shows the value typed and, when there are any, suggestions."""
    result = run(ledger, "totals", "--country", value)
    assert 2 == result.exit_code
    assert message in " ".join(result.output.split())
    if value == "Kyrgystan":
        assert "'Kyrgyzstan'" in result.output
