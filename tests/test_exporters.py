"""export_tables and atomic writing: where files go, and that failures change nothing."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from repatevents._plugins import get_plugin_manager
from repatevents.errors import ExportError
from repatevents.exporters import export_tables, metadata_table
from repatevents.exporters._write import write_atomically
from repatevents.testing import sample_metadata, sample_tables


def _fill(data: bytes) -> Callable[[BinaryIO], None]:
    def fill(stream: BinaryIO) -> None:
        stream.write(data)

    return fill


def _fail(stream: BinaryIO) -> None:
    stream.write(b"half")
    raise OSError("disk full")


def test_write_atomically_replaces_all_targets(tmp_path: Path) -> None:
    """Every target gets its bytes and no temporary file is left."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"old")
    write_atomically([(a, _fill(b"new a")), (b, _fill(b"new b"))])
    assert (a.read_bytes(), b.read_bytes()) == (b"new a", b"new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_write_atomically_changes_nothing_when_a_later_file_fails(tmp_path: Path) -> None:
    """A failure on the second file leaves the first target unchanged and no temporary file."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"):
        write_atomically([(a, _fill(b"new a")), (b, _fail)])
    assert a.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_write_atomically_keeps_the_target_mode(tmp_path: Path) -> None:
    """A replaced file keeps its permissions; a new one gets the usual umask-based mode."""
    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    fresh = tmp_path / "fresh.txt"
    write_atomically([(kept, _fill(b"x")), (fresh, _fill(b"y"))])
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert 0o666 & ~umask == stat.S_IMODE(fresh.stat().st_mode)


def test_single_file_exporter_writes_into_an_existing_folder(tmp_path: Path) -> None:
    """A folder target gets repatevents.<extension> for a one-file format."""
    written = export_tables(
        "geojson",
        sample_tables(),
        sample_metadata(),
        tmp_path,
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    assert [tmp_path / "repatevents.geojson"] == written


def test_failed_export_into_a_new_folder_removes_the_folder(tmp_path: Path) -> None:
    """The folder export_tables created for a failed export is removed again."""
    with pytest.raises(ExportError) as raised:
        export_tables(
            "csv",
            sample_tables(),
            sample_metadata(),
            tmp_path / "new-folder",
            plugin_manager=get_plugin_manager(load_entrypoints=False),
            not_an_option=1,
        )
    assert ("csv", str(tmp_path / "new-folder")) == (raised.value.exporter, raised.value.path)
    assert "not_an_option" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_metadata_table_lists_items_then_sources() -> None:
    """The metadata table holds every metadata item, then one row per source."""
    table = metadata_table(sample_metadata())
    assert tuple(r[0] for r in table.rows[:3]) == ("title", "ledger_position", "as_of")
    assert table.rows[-3:] == (
        (
            "source 1",
            "publisher: Agence France-Presse; speaker_kind: media; "
            "url: https://example.org/afp/1; published: 2023-07-04; reports: 1",
        ),
        (
            "source 2",
            "publisher: Agence France-Presse; via: AKIpress; speaker_kind: receiving-government; "
            "url: https://example.org/afp/1; published: 2023-07-04; reports: 2",
        ),
        (
            "source 3",
            "publisher: Радио Азаттык; speaker_kind: receiving-government; "
            "published: 2019-05-10; reports: 3",
        ),
    )
