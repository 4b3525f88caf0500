"""Export targets: an export never destroys a file it was not asked to write."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from _paths import EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents.cli import main
from repatevents.errors import ExportError


def run(ledger: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--ledger", str(ledger), *args])


def _make(path: Path) -> Path:
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.totals()
    return path


@pytest.fixture(params=["ledger.db", "ledger.jsonl"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _make(tmp_path / request.param)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("fmt", ["geojson", "csv", "xlsx"])
def test_the_ledger_itself_is_refused_as_a_target(ledger: Path, fmt: str) -> None:
    """Exporting onto the ledger's own file fails, names it, and leaves every file as it was."""
    before = _snapshot(ledger.parent)
    args = ["--table", "totals"] if fmt == "csv" else []
    result = run(ledger, "export", fmt, "-o", str(ledger), *args)
    assert 1 == result.exit_code
    assert "holds the ledger" in result.output
    assert "Traceback" not in result.output
    assert before == _snapshot(ledger.parent)
    with Ledger.open(ledger) as again:
        assert 28 == again.verify()


def test_every_spelling_of_the_ledger_is_refused(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative path, a path through ``..``, a symbolic link and a hard link to the ledger,
    and its companion files, are all refused."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "alias").symlink_to(ledger)
    os.link(ledger, tmp_path / "hard")
    (tmp_path / "folder-link").symlink_to(tmp_path)
    companion = ".checkpoints" if ledger.suffix == ".jsonl" else "-wal"
    spellings = [
        ledger.name,
        f"sub/../{ledger.name}",
        "alias",
        "hard",
        f"folder-link/{ledger.name}",
        f"{ledger.name}{companion}",
    ]
    before = _snapshot(tmp_path)
    with Ledger.open(ledger) as opened:
        for spelling in spellings:
            with pytest.raises(ExportError, match="holds the ledger"):
                opened.export("geojson", spelling)
    assert before == _snapshot(tmp_path)


def test_a_symbolic_link_target_is_refused_not_written_through(tmp_path: Path) -> None:
    """A link at the target is refused; the file it points to keeps its bytes."""
    victim = tmp_path / "passwd"
    victim.write_bytes(b"root:x:0:0\n")
    link = tmp_path / "out.geojson"
    link.symlink_to(victim)
    with Ledger.in_memory() as ledger, pytest.raises(ExportError, match="symbolic link"):
        ledger.export("geojson", link)
    assert b"root:x:0:0\n" == victim.read_bytes()
    assert link.is_symlink()


@pytest.mark.parametrize(("fmt", "name"), [("geojson", "a.geojson"), ("csv", "out")])
def test_missing_folders_are_created_at_every_level(tmp_path: Path, fmt: str, name: str) -> None:
    """Every missing folder on the way to the target is created, for every format alike."""
    target = tmp_path / "one" / "two" / name
    with Ledger.in_memory() as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        written = ledger.export(fmt, target)
    assert written
    assert all(path.is_file() for path in written)


def test_a_failed_export_removes_the_folders_it_created(tmp_path: Path) -> None:
    """An export refused after creating folders leaves no folder behind."""
    with Ledger.in_memory() as ledger, pytest.raises(ExportError):
        ledger.export("csv", tmp_path / "one" / "two" / "x.csv", tables=["totals"], nope=1)
    assert [] == list(tmp_path.iterdir())


def test_dash_writes_a_one_file_format_to_standard_output(ledger: Path) -> None:
    """``-o -`` writes GeoJSON to standard output, and no file called ``-``."""
    result = run(ledger, "export", "geojson", "-o", "-")
    assert 0 == result.exit_code, result.output
    assert "FeatureCollection" == json.loads(result.stdout_bytes)["type"]
    assert not (Path.cwd() / "-").exists()


def test_dash_for_a_file_per_table_format_is_a_clean_error(ledger: Path) -> None:
    """CSV writes one file per table, so ``-o -`` is refused with a message."""
    result = run(ledger, "export", "csv", "-o", "-")
    assert 1 == result.exit_code
    assert "one file per table" in result.output
    assert "Traceback" not in result.output


def test_a_stream_gets_nothing_when_the_exporter_fails() -> None:
    """Bytes for a stream are made first, so a failing exporter writes nothing to it."""
    stream = io.BytesIO()
    with Ledger.in_memory() as ledger, pytest.raises(ExportError):
        ledger.export("geojson", stream, flows="not a bool", unknown=1)
    assert b"" == stream.getvalue()
