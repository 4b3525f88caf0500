"""`repatevents export`: every format, its -O options, reproducible bytes, clean errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from repatevents.cli import main

from ._helpers import run


def test_export_csv_writes_a_readable_totals_file(ledger: Path, tmp_path: Path) -> None:
    """`export csv --table totals` writes one CSV the csv module reads back."""
    out = tmp_path / "totals.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals")
    assert 0 == result.exit_code, result.output
    with open(out, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert "KGZ" in {row["country"] for row in rows}


def test_export_every_registered_format(ledger: Path, tmp_path: Path) -> None:
    """Every exporter the plugins command lists can export the example ledger."""
    report = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    formats = {name for p in report["plugins"] for name in p.get("exporters", [])}
    assert {"csv", "geojson", "xlsx"} <= formats
    for name in sorted(formats):
        target = tmp_path / f"out-{name}"
        result = run(ledger, "export", name, "-o", str(target))
        assert 0 == result.exit_code, (name, result.output)
        assert "wrote" in result.output


def test_unwritable_output_path_fails_cleanly(ledger: Path, tmp_path: Path) -> None:
    """Exporting into a folder that cannot be created gives one clean error line."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run(ledger, "export", "geojson", "-o", str(blocker / "sub" / "out.geojson"))
    assert 1 == result.exit_code
    assert 1 == len(result.output.strip().splitlines())
    assert "Traceback" not in result.output


# -- exporter options and reproducible exports ------------------------------------------------
def test_export_options_reach_the_exporter(ledger: Path, tmp_path: Path) -> None:
    """-O bom=true -O hxl=true give Excel's BOM and an HXL row; -O flows=true GeoJSON lines."""
    out = tmp_path / "totals.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "-O", "bom=true")
    assert 0 == result.exit_code, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "--option", "hxl=true")
    assert out.read_text("utf-8").splitlines()[1].startswith("#country")
    geo = tmp_path / "map.geojson"
    assert 0 == run(ledger, "export", "geojson", "-o", str(geo), "-O", "flows=true").exit_code
    features = json.loads(geo.read_text("utf-8"))["features"]
    kinds = {f["geometry"]["type"] for f in features if f["geometry"] is not None}
    assert "LineString" in kinds


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("bomb=true", "has no option 'bomb'; its options are bom, hxl, titles"),
        ("bom=maybe", "option 'bom' of 'csv' is true or false, not 'maybe'"),
    ],
)
def test_bad_export_option_is_one_clean_line(
    ledger: Path, tmp_path: Path, option: str, message: str
) -> None:
    """An option the exporter does not take, or a wrong value, is one line naming it."""
    out = tmp_path / "out.csv"
    result = run(ledger, "export", "csv", "-o", str(out), "--table", "totals", "-O", option)
    assert 1 == result.exit_code
    assert 1 == len(result.stderr.splitlines())
    assert message in result.stderr
    assert not out.exists()


def test_generated_at_makes_exports_byte_identical(ledger: Path, tmp_path: Path) -> None:
    """Two exports with the same --generated-at write the same bytes, metadata included."""
    written = []
    for name in ("a", "b"):
        folder = tmp_path / name
        args = ["export", "csv", "-o", str(folder), "--generated-at", "2024-03-01T12:00:00Z"]
        assert 0 == run(ledger, *args).exit_code
        written.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert written[0] == written[1]
    assert b"2024-03-01T12:00:00" in written[0]["metadata.csv"]


def test_export_shows_progress_only_on_a_terminal(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export shows the tables computed and the rows written on a terminal's stderr; nothing
    with --json or when stderr is not a terminal."""
    from repatevents.cli import _context
    from repatevents.exporters import _csv

    monkeypatch.setattr(_csv, "PROGRESS_ROWS", 2)
    monkeypatch.setattr(_context.TerminalProgress, "delay", 0.0)
    monkeypatch.setattr(_context.TerminalProgress, "interval", 0.0)
    out = tmp_path / "out"
    assert "" == run(ledger, "export", "csv", "-o", str(out)).stderr
    monkeypatch.setattr(_context, "on_terminal", lambda: True)
    shown = run(ledger, "export", "csv", "-o", str(out))
    assert 0 == shown.exit_code, shown.output
    assert "computing tables: 8 of 8 tables (100%)\n" in shown.stderr
    assert "\rwriting operations: 2 of " in shown.stderr
    assert "writing metadata: " in shown.stderr
    quiet = run(ledger, "export", "csv", "-o", str(out), "--json")
    assert 0 == quiet.exit_code, quiet.output
    assert "" == quiet.stderr


def test_progress_is_not_an_exporter_option(ledger: Path, tmp_path: Path) -> None:
    """-O progress=… is refused like any option the exporter does not take."""
    result = run(ledger, "export", "csv", "-o", str(tmp_path), "-O", "progress=true")
    assert 1 == result.exit_code
    assert "has no option 'progress'" in result.stderr
