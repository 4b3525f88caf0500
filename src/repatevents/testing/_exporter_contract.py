"""The exporter contract: the tests every exporter, built-in or from a plugin, must pass.

Subclass it in a test module, name the exporter, and pytest runs the whole contract::

    import my_plugin
    from repatevents.testing import ExporterContract

    class TestMarkdownExporter(ExporterContract):
        exporter_name = "markdown"
        plugin = my_plugin
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import attrs
import pytest

from .._plugins import RepateventsPluginManager, get_plugin_manager, registered_exporters
from .._tables import ExportMetadata, Table
from ..errors import ExportError
from ..exporters import Exporter, export_tables
from ..hookspecs import hookimpl
from ._plugins import registered_plugin
from ._sample_tables import (
    LARGEST_NUMBERS,
    UNICODE_TEXTS,
    empty_tables,
    largest_number_tables,
    sample_metadata,
    sample_tables,
    unicode_tables,
)

__all__ = ["ExporterContract", "FailingStream"]


class FailingStream:
    """A binary stream that fails like a full disk after ``limit`` bytes.

    It writes what fits, then raises ``OSError``; everything else is passed to ``stream``.
    Streams sharing one ``budget`` (a one-item list of bytes left) fill one disk together.
    """

    def __init__(self, stream: BinaryIO, limit: int, budget: list[int] | None = None) -> None:
        self._stream = stream
        self._budget = budget if budget is not None else [limit]

    def write(self, data: bytes) -> int:
        """Write ``data``, or as much as fits and then raise ``OSError``."""
        view = memoryview(data)
        left = self._budget[0]
        if len(view) > left:
            self._stream.write(view[:left])
            self._budget[0] = 0
            raise OSError(28, "No space left on device (simulated by the exporter contract)")
        self._budget[0] = left - len(view)
        return self._stream.write(view)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _with_failing_stream(exporter: Exporter, limit: int) -> Exporter:
    budget = [limit]

    def write(
        tables: Mapping[str, Table], metadata: ExportMetadata, stream: BinaryIO, /, **options: Any
    ) -> None:
        failing: Any = FailingStream(stream, limit, budget)
        exporter.write(tables, metadata, failing, **options)

    return attrs.evolve(exporter, name="contract-failing", write=write)


class _Registers:
    def __init__(self, exporter: Exporter) -> None:
        self._exporter = exporter

    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(self._exporter)


class ExporterContract:
    """Tests every exporter passes; subclass it as ``Test…`` and set ``exporter_name``.

    Class attributes to set:
        exporter_name: the exporter's registered name.
        plugin: the plugin registering it, for an exporter that is not built in (registered on a
            fresh manager for each test); ``None`` looks in the built-in and installed plugins.
        options: keyword options passed on every export.
        writes_text_cells: whether text cells appear in the output (a map leaves them out).

    Override ``read_text`` for a format whose bytes are not UTF-8 text (XLSX is unzipped).
    """

    exporter_name: ClassVar[str]
    plugin: ClassVar[object | None] = None
    options: ClassVar[Mapping[str, Any]] = {}
    writes_text_cells: ClassVar[bool] = True

    @pytest.fixture
    def contract_manager(self) -> Iterator[RepateventsPluginManager]:
        """Give a manager that has the exporter under test."""
        if self.plugin is None:
            # Built-in exporters are tested without installed plugins, so that a broken one
            # elsewhere in the environment cannot fail their contract.
            manager = get_plugin_manager(load_entrypoints=False)
            if self.exporter_name not in registered_exporters(manager):
                manager = get_plugin_manager()
            yield manager
            return
        with registered_plugin(self.plugin) as manager:
            yield manager

    @pytest.fixture
    def exporter(self, contract_manager: RepateventsPluginManager) -> Exporter:
        """Give the exporter under test."""
        return registered_exporters(contract_manager)[self.exporter_name]

    def export(
        self,
        manager: RepateventsPluginManager,
        tables: Mapping[str, Table],
        path: Path,
        *,
        name: str | None = None,
        table_names: list[str] | None = None,
        metadata: ExportMetadata | None = None,
    ) -> list[Path]:
        """Export ``tables`` to ``path`` with the exporter under test and the class's options."""
        return export_tables(
            name or self.exporter_name,
            tables,
            metadata or sample_metadata(),
            path,
            table_names=table_names,
            plugin_manager=manager,
            **self.options,
        )

    def read_text(self, path: Path) -> str:
        """Return the text a written file holds (UTF-8, or every member of a zip archive)."""
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return "\n".join(
                    archive.read(member).decode("utf-8") for member in sorted(archive.namelist())
                )
        return data.decode("utf-8")

    def test_exporter_is_a_valid_exporter(self, exporter: Exporter) -> None:
        """The exporter is registered under its name with a file extension and media type."""
        assert self.exporter_name == exporter.name
        assert exporter.extension
        assert "/" in exporter.media_type

    def test_writes_something_for_every_table(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """Each table exported alone gives non-empty files."""
        for name in sample_tables():
            written = self.export(
                contract_manager,
                sample_tables(),
                tmp_path / f"{name}.{exporter.extension}",
                table_names=[name],
            )
            assert written
            assert all(path.stat().st_size > 0 for path in written)

    def test_writes_all_tables(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """All tables exported together give non-empty files, and nothing else is left over."""
        written = self.export(contract_manager, sample_tables(), tmp_path / "all")
        assert written
        assert all(path.stat().st_size > 0 for path in written)
        assert sorted(written) == sorted(p for p in tmp_path.rglob("*") if p.is_file())

    def test_is_deterministic(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """The same tables and metadata give the same bytes."""
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first = self.export(contract_manager, sample_tables(), tmp_path / "a")
        second = self.export(contract_manager, sample_tables(), tmp_path / "b")
        assert [p.name for p in first] == [p.name for p in second]
        assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

    def test_handles_empty_tables(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """Tables without rows still give non-empty files."""
        written = self.export(contract_manager, empty_tables(), tmp_path / "empty")
        assert all(path.stat().st_size > 0 for path in written)

    def test_handles_unicode(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """Text in any script comes out unchanged."""
        written = self.export(contract_manager, unicode_tables(), tmp_path / "unicode")
        text = "\n".join(self.read_text(path) for path in written)
        if self.writes_text_cells:
            missing = [s for s in UNICODE_TEXTS if s not in text]
            assert missing == []

    def test_handles_the_largest_numbers(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """The largest integers are written with every digit (grouped in thousands or not)."""
        written = self.export(contract_manager, largest_number_tables(), tmp_path / "large")
        text = "\n".join(self.read_text(path) for path in written)
        integers = [n for n in LARGEST_NUMBERS if isinstance(n, int)]
        assert [str(n) for n in integers if not _has_every_digit(n, text)] == []

    def test_rejects_an_unknown_option(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """A misspelt option fails the export instead of being ignored."""
        with pytest.raises(ExportError) as raised:
            export_tables(
                self.exporter_name,
                sample_tables(),
                sample_metadata(),
                tmp_path / f"out.{exporter.extension}",
                plugin_manager=contract_manager,
                no_such_option_anywhere=True,
            )
        assert self.exporter_name == raised.value.exporter
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize("fraction", [0.0, 0.5, 1.0])
    def test_never_writes_a_partial_file(
        self,
        contract_manager: RepateventsPluginManager,
        exporter: Exporter,
        tmp_path: Path,
        fraction: float,
    ) -> None:
        """A write that fails part way leaves the old files exactly as they were."""
        good = tmp_path / "good"
        good.mkdir()
        sizes = [p.stat().st_size for p in self.export(contract_manager, sample_tables(), good)]
        target = tmp_path / "target"
        target.mkdir()
        before = self.export(contract_manager, sample_tables(), target, metadata=_older())
        contents = {path: path.read_bytes() for path in before}
        # Fails within the first file's bytes (0.0 and 0.5) or, at 1.0, while writing a later
        # file or just after the last byte of a single file.
        limit = int(min(sizes) * fraction) if fraction < 1.0 else sum(sizes) - 1
        failing = _with_failing_stream(exporter, limit)
        with (
            registered_plugin(_Registers(failing), manager=contract_manager),
            pytest.raises(ExportError) as raised,
        ):
            self.export(contract_manager, sample_tables(), target, name="contract-failing")
        assert raised.value.exporter == "contract-failing"
        assert contents == {path: path.read_bytes() for path in target.iterdir()}

    def test_failure_on_a_new_target_leaves_nothing(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """A write that fails on a new target leaves no file and no folder behind."""
        failing = _with_failing_stream(exporter, 0)
        with (
            registered_plugin(_Registers(failing), manager=contract_manager),
            pytest.raises(ExportError),
        ):
            self.export(
                contract_manager, sample_tables(), tmp_path / "new", name="contract-failing"
            )
        assert list(tmp_path.iterdir()) == []


# What a format for people may put between groups of three digits: 1,234 1.234 1 234 1'234.
_SEPARATORS = ("", ",", ".", " ", "\u00a0", "\u202f", "'", "_")


def _has_every_digit(number: int, text: str) -> bool:
    digits = str(abs(number))
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    sign = "-" if number < 0 else ""
    return any(sign + separator.join(groups) in text for separator in _SEPARATORS)


def _older() -> ExportMetadata:
    return attrs.evolve(sample_metadata(), ledger_position=27, policy="latest")
