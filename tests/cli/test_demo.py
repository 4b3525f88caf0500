"""`repatevents demo`: every export written and the totals printed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from repatevents.cli import main


def test_demo_writes_every_export_and_prints_totals(tmp_path: Path) -> None:
    """`demo DIR` builds the example ledger, writes every export and prints the totals."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo")], catch_exceptions=False)
    assert 0 == result.exit_code, result.output
    assert "recorded 28 example events" in result.output
    assert (tmp_path / "demo" / "repatriations.geojson").exists()
    assert (tmp_path / "demo" / "repatriations.xlsx").exists()
    assert "Kyrgyzstan" in result.output
