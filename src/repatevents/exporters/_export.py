"""Exporting: choose an exporter by name, choose tables, write the file(s) atomically."""

from __future__ import annotations

import contextlib
import functools
import io
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .._exporter import PROGRESS, Exporter, metadata_table
from .._exporter_options import takes_progress
from .._tables import ExportMetadata, Table
from ..errors import ExportError, FieldProblem, ValidationError
from ._write import write_atomically

if TYPE_CHECKING:
    from .._plugins import RepateventsPluginManager

__all__ = ["export_tables", "target_paths"]

DEFAULT_STEM = "repatevents"
"""The file name (without extension) used when the target is a folder."""


def export_tables(
    format_name: str,
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    path: str | os.PathLike[str] | BinaryIO,
    *,
    table_names: Sequence[str] | None = None,
    plugin_manager: RepateventsPluginManager | None = None,
    protected: Sequence[str | os.PathLike[str]] = (),
    progress: Callable[[str, int, int], None] | None = None,
    **options: Any,
) -> list[Path]:
    """Write ``tables`` with the exporter called ``format_name``, atomically.

    Where the files go:

    - an exporter that writes all tables into one file (GeoJSON, XLSX) writes ``path``, or
      ``path/repatevents.<extension>`` when ``path`` is an existing folder;
    - an exporter that writes one file per table (CSV) always writes a ``metadata`` file beside
      the tables, so what the figures were made from is never lost. With one table chosen and
      a ``path`` that has a suffix, the table goes to ``path`` itself and the metadata to
      ``<stem>-metadata.<extension>`` beside it (``k.csv`` and ``k-metadata.csv``). With
      several, each goes to ``<stem>-<table>.<extension>`` beside ``path`` (``out/figures.csv``
      gives ``out/figures-totals.csv`` … ``out/figures-metadata.csv``). When ``path`` is a
      folder or has no suffix, they go to ``<table>.<extension>`` inside it (the folder is
      created).

    A folder that does not exist is created, with every missing folder above it (as
    ``mkdir -p`` would), and removed again if the export fails. A binary stream instead of a
    path (standard output, for ``-o -``) takes the one file of an exporter that writes all
    tables into one file; the bytes are made in memory first, so a failing exporter writes
    nothing to it.

    A target that is a symbolic link is refused (never written through), and so is one that
    is a ``protected`` file, however its path is spelled.

    Every file is first written to a temporary file in its folder and fsynced; the targets are
    replaced only once every file was written. An exporter that fails, or that writes no byte to
    a file (an empty file is never a valid export), leaves no partial file and no changed file.

    Args:
        format_name: the exporter's name (``csv``, ``geojson``, or one a plugin registers).
        tables: the tables, by name (``operations``, ``totals`` …).
        metadata: what the tables were made from.
        path: the target file or folder, or a binary stream.
        table_names: the tables to write, in order; ``None`` writes all of them.
        plugin_manager: where exporters come from; ``None`` builds one with
            ``get_plugin_manager()`` (loading installed plugins).
        protected: files the export must never replace: the ledger and its companions
            (``Ledger.export`` passes them).
        progress: told how far the writing got, as ``progress(stage, done, total)``
            (``("writing operations", 20000, 46886)``: rows of a table), by exporters that
            can tell (see ``WriteFunction``); the CSV and XLSX exporters do.
        **options: passed to the exporter's write function (``bom=True`` for CSV …).

    Returns:
        The paths written, in order (none for a stream).

    Raises:
        UnknownExporterError: no exporter is called ``format_name``.
        AmbiguousExporterError: two plugins register ``format_name``, so neither is used.
        ValidationError: ``table_names`` names a table that is not in ``tables``, or none.
        ExportError: the exporter or the file system failed, the exporter wrote nothing to
            a file, a target is a symbolic link or a protected file, or a stream was given
            to an exporter that writes one file per table; nothing was changed.
    """
    from .._plugins import exporter_named, get_plugin_manager

    manager = plugin_manager if plugin_manager is not None else get_plugin_manager()
    exporter = exporter_named(manager, format_name)
    chosen = _choose(tables, table_names)
    # Only the write function is told: the descriptor's options are the user's alone.
    writing = options
    if progress is not None and takes_progress(exporter):
        writing = {**options, PROGRESS: progress}
    if not isinstance(path, str | os.PathLike):
        _write_stream(exporter, chosen, metadata, path, writing)
        return []
    target = Path(path)
    jobs = _jobs(exporter, chosen, metadata, target, options, writing)
    created = _make_folders(jobs[0][0].parent, target)
    try:
        write_atomically([(file, job) for file, job in jobs], protected=protected)
    except Exception as error:
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(error, ExportError) and error.exporter is None:
            # Refused before anything was written: the refusal says it all.
            raise
        cause = str(error) if isinstance(error, _NothingWritten) else _describe(error)
        raise ExportError(
            f"the {exporter.name!r} exporter could not write {str(target)!r}: {cause}; no file "
            "was changed",
            exporter=exporter.name,
            path=str(target),
        ) from error
    return [file for file, _ in jobs]


def target_paths(exporter: Exporter, table_names: Sequence[str], path: Path) -> list[Path]:
    """Return the files ``export_tables`` writes for these tables (see its rules).

    Args:
        exporter: the exporter.
        table_names: the chosen tables, in order.
        path: the target the user gave.

    Returns:
        The target files, in the order they are written.
    """
    extension = f".{exporter.extension}"
    if not exporter.one_file_per_table:
        return [path / f"{DEFAULT_STEM}{extension}" if path.is_dir() else path]
    if len(table_names) == 1 and path.suffix and not path.is_dir():
        return [path, path.with_name(f"{path.stem}-metadata{extension}")]
    names = [*table_names, "metadata"]
    if path.is_dir() or not path.suffix:
        return [path / f"{name}{extension}" for name in names]
    return [path.with_name(f"{path.stem}-{name}{extension}") for name in names]


def _make_folders(folder: Path, target: Path) -> list[Path]:
    """Create ``folder`` and the missing folders above it; return those created, deepest first.

    So a failed export can remove them again and leave the file system as it was.
    """
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        try:
            candidate.mkdir()
        except OSError as exc:
            for made in reversed(missing[missing.index(candidate) + 1 :]):
                with contextlib.suppress(OSError):
                    made.rmdir()
            raise ExportError(
                f"cannot write {str(target)!r}: the folder {str(candidate)!r} cannot be created "
                f"({exc.strerror or exc}); nothing was written",
                path=str(target),
            ) from None
    return missing


def _write_stream(
    exporter: Exporter,
    tables: dict[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    options: dict[str, Any],
) -> None:
    if exporter.one_file_per_table:
        raise ExportError(
            f"the {exporter.name!r} exporter writes one file per table, so it cannot write to "
            "a stream (standard output); give a folder",
            exporter=exporter.name,
        )
    buffer = io.BytesIO()
    try:
        _fill(exporter, tables, metadata, options, buffer)
    except Exception as error:
        cause = str(error) if isinstance(error, _NothingWritten) else _describe(error)
        raise ExportError(
            f"the {exporter.name!r} exporter failed: {cause}; nothing was written",
            exporter=exporter.name,
        ) from error
    stream.write(buffer.getvalue())
    stream.flush()


def _choose(tables: Mapping[str, Table], names: Sequence[str] | None) -> dict[str, Table]:
    if names is None:
        return dict(tables)
    if isinstance(names, str):
        names = [names]
    problems = [
        FieldProblem(
            field="tables",
            value=name,
            rule=f"not a table of this export; expected one of {', '.join(tables) or 'none'}",
        )
        for name in names
        if name not in tables
    ]
    if not names:
        problems.append(FieldProblem("tables", [], "choose at least one table"))
    if problems:
        raise ValidationError(problems)
    return {name: tables[name] for name in dict.fromkeys(names)}


Job = functools.partial[None]


def _jobs(
    exporter: Exporter,
    tables: dict[str, Table],
    metadata: ExportMetadata,
    path: Path,
    options: dict[str, Any],
    writing: dict[str, Any],
) -> list[tuple[Path, Job]]:
    files = target_paths(exporter, list(tables), path)
    if not exporter.one_file_per_table:
        jobs: list[tuple[Path, Job]] = [
            (files[0], functools.partial(_fill, exporter, tables, metadata, writing))
        ]
        described = _described(
            exporter, tables, metadata, dict.fromkeys(tables, files[0].name), path, options
        )
        if described is not None:
            # Beside the file, named after it: figures.db gives figures-metadata.json.
            name, data = described
            jobs.append(
                (files[0].with_name(f"{files[0].stem}-{name}"), functools.partial(_bytes, data))
            )
        return jobs
    if "metadata" in tables:
        raise ValidationError(
            [
                FieldProblem(
                    "tables",
                    "metadata",
                    f"a table may not be called 'metadata' in a {exporter.name!r} export: that "
                    "file holds the export's metadata",
                )
            ]
        )
    # Every file-per-table export carries its metadata as a file of its own (the last one).
    tables = {**tables, "metadata": metadata_table(metadata)}
    jobs = [
        (file, functools.partial(_fill, exporter, {name: table}, metadata, writing))
        for file, (name, table) in zip(files, tables.items(), strict=True)
    ]
    names = {name: file.name for file, name in zip(files, tables, strict=True)}
    described = _described(exporter, tables, metadata, names, path, options)
    if described is not None:
        name, data = described
        # Beside the metadata file, named as it is: metadata.csv gives datapackage.json,
        # figures-metadata.csv gives figures-datapackage.json.
        prefix = files[-1].stem.removesuffix("metadata")
        jobs.append((files[-1].with_name(prefix + name), functools.partial(_bytes, data)))
    return jobs


def _described(
    exporter: Exporter,
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    files: Mapping[str, str],
    path: Path,
    options: dict[str, Any],
) -> tuple[str, bytes] | None:
    """Return the exporter's descriptor of the files (name and bytes), if it writes one."""
    if exporter.describe is None:
        return None
    try:
        return exporter.describe(tables, metadata, files, **options)
    except (TypeError, ValueError) as error:
        raise ExportError(
            f"the {exporter.name!r} exporter could not describe {str(path)!r}: "
            f"{_describe(error)}; no file was changed",
            exporter=exporter.name,
            path=str(path),
        ) from error


def _bytes(data: bytes, stream: BinaryIO) -> None:
    stream.write(data)


class _NothingWritten(Exception):
    """The exporter returned without writing a byte to a file."""


def _fill(
    exporter: Exporter,
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    options: dict[str, Any],
    stream: BinaryIO,
) -> None:
    exporter.write(tables, metadata, stream, **options)
    # Even a table without rows has a header, and every export carries its metadata: a write
    # function that returns having written nothing has failed without saying so.
    if stream.tell() == 0:
        raise _NothingWritten(
            f"it wrote nothing for the table{'s' if len(tables) != 1 else ''} "
            f"{', '.join(map(repr, tables))}, and an empty file is never a valid export"
        )


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
