"""export_tables and atomic writing: where files go, and that failures change nothing."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

import pytest

from _paths import EXAMPLE
from repatevents import Ledger
from repatevents._exporter_options import NO_DEFAULT, exporter_options, takes_progress
from repatevents.errors import ExportError
from repatevents.exporters import Exporter, _csv, export_tables, metadata_table
from repatevents.exporters._write import write_atomically
from repatevents.hookspecs import hookimpl
from repatevents.plugins import RepateventsPluginManager, get_plugin_manager, registered_exporters
from repatevents.testing import registered_plugin, sample_metadata, sample_tables


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


def _writes_nothing(tables: Any, metadata: Any, stream: BinaryIO, /) -> None:
    """A write function with a bug: it returns without writing."""


def _writes_nothing_for_metadata(tables: Any, metadata: Any, stream: BinaryIO, /) -> None:
    if "metadata" not in tables:
        stream.write(b"rows\n")


@pytest.fixture
def silent_manager() -> Iterator[RepateventsPluginManager]:
    """A manager with two exporters that write nothing: for every file, and for one of them."""
    silent = Exporter("pdf", "pdf", "application/pdf", "Writes nothing.", _writes_nothing)
    partly = Exporter(
        "partly", "txt", "text/plain", "No metadata file.", _writes_nothing_for_metadata, True
    )
    plugin = SimpleNamespace(
        register_exporters=hookimpl(lambda register: [register(silent), register(partly)])
    )
    with registered_plugin(plugin, name="silent") as manager:
        yield manager


def test_an_exporter_that_writes_nothing_fails_and_leaves_no_file(
    silent_manager: RepateventsPluginManager, tmp_path: Path
) -> None:
    """A 0-byte file is never an export: ExportError naming the exporter, and no file."""
    with pytest.raises(ExportError, match="wrote nothing") as raised:
        export_tables(
            "pdf",
            sample_tables(),
            sample_metadata(),
            tmp_path / "e.pdf",
            plugin_manager=silent_manager,
        )
    assert ("pdf", str(tmp_path / "e.pdf")) == (raised.value.exporter, raised.value.path)
    assert "the 'pdf' exporter could not write" in str(raised.value)
    assert [] == list(tmp_path.iterdir())


def test_an_exporter_that_writes_nothing_leaves_the_old_files_unchanged(
    silent_manager: RepateventsPluginManager, tmp_path: Path
) -> None:
    """One empty file of several fails the export; every existing target keeps its bytes."""
    (tmp_path / "out").mkdir()
    old = {tmp_path / "out" / name: b"old" for name in ("totals.txt", "metadata.txt")}
    for path, data in old.items():
        path.write_bytes(data)
    with pytest.raises(ExportError, match="wrote nothing for the table 'metadata'"):
        export_tables(
            "partly",
            sample_tables(),
            sample_metadata(),
            tmp_path / "out",
            table_names=["totals"],
            plugin_manager=silent_manager,
        )
    assert old == {path: path.read_bytes() for path in (tmp_path / "out").iterdir()}


def test_ledger_export_refuses_an_empty_file(
    silent_manager: RepateventsPluginManager, tmp_path: Path
) -> None:
    """Ledger.export goes through the same check: nothing written is an ExportError."""
    ledger = Ledger.in_memory()
    with pytest.raises(ExportError, match="'pdf' exporter"):
        ledger.export("pdf", tmp_path / "e.pdf", plugin_manager=silent_manager)
    assert [] == list(tmp_path.iterdir())


def _typed_write(  # type: ignore[no-untyped-def]  # `note` is unannotated on purpose
    tables: Any,
    metadata: Any,
    stream: BinaryIO,
    /,
    *,
    title: str | None = None,
    draft: bool | None = None,
    copies: int | None = None,
    scale: float = 1.0,
    note=None,
    required: str,
) -> None:
    stream.write(b"x")


def test_exporter_options_take_their_type_from_the_annotation_then_the_default() -> None:
    """`X | None` is X; an option without an annotation has its default's type, or none."""
    exporter = Exporter("typed", "txt", "text/plain", "Typed options.", _typed_write)
    options = exporter_options(exporter)
    assert options is not None
    assert [
        ("title", str, None),
        ("draft", bool, None),
        ("copies", int, None),
        ("scale", float, 1.0),
        ("note", None, None),
        ("required", str, NO_DEFAULT),
    ] == [(o.name, o.type, o.default) for o in options]
    assert {"name": "required", "type": "str", "default": None, "required": True} == (
        options[-1].to_dict()
    )


def test_exporter_options_of_the_built_in_exporters() -> None:
    """CSV takes bom, hxl, titles and datapackage (false by default) and a licence; GeoJSON
    flows (false by default) and a layer ("all" by default); HTML a title and countries (text,
    none by default); SQLite a licence."""
    exporters = registered_exporters(get_plugin_manager(load_entrypoints=False))
    described = {
        name: [(o.name, o.type, o.default) for o in exporter_options(e) or ()]
        for name, e in exporters.items()
    }
    assert {
        "csv": [
            ("bom", bool, False),
            ("hxl", bool, False),
            ("titles", bool, False),
            ("datapackage", bool, False),
            ("licence", str, "CC-BY-4.0"),
        ],
        "geojson": [("flows", bool, False), ("layer", str, "all")],
        "html": [("title", str, None), ("countries", str, None)],
        "sqlite": [("licence", str, "CC-BY-4.0")],
    } == described


def test_an_exporter_taking_any_options_declares_none() -> None:
    """A write function with **options says nothing about them: None, not an empty tuple."""

    def write(tables: Any, metadata: Any, stream: BinaryIO, /, **options: Any) -> None:
        stream.write(b"x")

    assert exporter_options(Exporter("any", "txt", "text/plain", "Any.", write)) is None


@pytest.fixture
def example_ledger() -> Iterator[Ledger]:
    ledger = Ledger.in_memory()
    ledger.import_file(EXAMPLE)
    yield ledger
    ledger.close()


def test_ledger_export_tells_progress_of_tables_computed_and_rows_written(
    example_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export tells its progress callback each table computed, then the rows of each file
    written, every PROGRESS_ROWS rows and at the end of each."""
    monkeypatch.setattr(_csv, "PROGRESS_ROWS", 2)
    calls: list[tuple[str, int, int]] = []
    example_ledger.export(
        "csv",
        tmp_path,
        tables=["operations", "totals"],
        plugin_manager=get_plugin_manager(load_entrypoints=False),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    total = len(example_ledger.tables(names=["operations"])["operations"].rows)
    assert total > 2
    assert [("computing tables", n, 2) for n in range(3)] == calls[:3]
    written = [(done, of) for stage, done, of in calls if stage == "writing operations"]
    expected = [(0, total), *((min(n, total), total) for n in range(2, total + 2, 2))]
    assert expected == written
    assert {"computing tables", "writing operations", "writing totals", "writing metadata"} == {
        stage for stage, _, _ in calls
    }


def test_an_exporter_that_cannot_tell_progress_is_called_without_it(
    example_ledger: Ledger, tmp_path: Path
) -> None:
    """An exporter whose write function has no progress keyword still exports, and the
    callback hears only of the tables computed."""
    calls: list[tuple[str, int, int]] = []
    example_ledger.export(
        "geojson",
        tmp_path / "map.geojson",
        plugin_manager=get_plugin_manager(load_entrypoints=False),
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert {"computing tables"} == {stage for stage, _, _ in calls}
    assert ("computing tables", 8, 8) == calls[-1]


def test_progress_is_not_an_option_users_set() -> None:
    """The progress keyword of a write function is the host's, not listed as an option."""
    csv_exporter = registered_exporters(get_plugin_manager(load_entrypoints=False))["csv"]
    assert takes_progress(csv_exporter)
    assert "progress" not in {o.name for o in exporter_options(csv_exporter) or ()}
