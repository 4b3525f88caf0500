"""The exporter contract: the tests every exporter, built-in or from a plugin, must pass.

Subclass it in a test module, name the exporter, and pytest runs the whole contract::

    import my_plugin
    from repatevents.testing import ExporterContract

    class TestMarkdownExporter(ExporterContract):
        exporter_name = "markdown"
        plugin = my_plugin
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import attrs
import pytest

from .._plugins import RepateventsPluginManager, get_plugin_manager, registered_exporters
from .._tables import ExportMetadata, Table
from ..errors import ExportError, RepateventsWarning
from ..exporters import Exporter, export_tables
from ..hookspecs import hookimpl
from ._plugins import registered_plugin
from ._sample_tables import (
    FORMULA_TEXTS,
    LARGEST_NUMBERS,
    UNICODE_TEXTS,
    empty_tables,
    formula_tables,
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

    # Only what write writes goes through the failing stream, so the descriptor is left out.
    return attrs.evolve(exporter, name="contract-failing", write=write, describe=None)


class _Registers:
    def __init__(self, exporter: Exporter) -> None:
        self._exporter = exporter

    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(self._exporter)


def _with_source_field(field: str, value: object) -> Callable[[ExportMetadata], ExportMetadata]:
    def change(metadata: ExportMetadata) -> ExportMetadata:
        first, second, *rest = metadata.sources
        return attrs.evolve(metadata, sources=(first, {**second, field: value}, *rest))

    return change


# One change per field an export must carry; the second sample source has every field set.
_METADATA_CHANGES: dict[str, Callable[[ExportMetadata], ExportMetadata]] = {
    "ledger_position": lambda m: attrs.evolve(m, ledger_position=m.ledger_position + 1),
    "as_of": lambda m: attrs.evolve(m, as_of=None),
    "known_at": lambda m: attrs.evolve(m, known_at="2024-06-30T00:00:00+00:00"),
    "policy": lambda m: attrs.evolve(m, policy="latest"),
    "title": lambda m: attrs.evolve(m, title=m.title + " (revised)"),
    "head_hash": lambda m: attrs.evolve(m, head_hash="0" * 64),
    "library_version": lambda m: attrs.evolve(m, library_version="0.0.1"),
    "computed_from": lambda m: attrs.evolve(
        m, computed_from="log" if m.computed_from == "checkpoint" else "checkpoint"
    ),
    "source publisher": _with_source_field("publisher", "Reuters"),
    "source via": _with_source_field("via", "Kabar"),
    "source speaker_kind": _with_source_field("speaker_kind", "ngo"),
    "source url": _with_source_field("url", "https://example.org/afp/2"),
    "source published": _with_source_field("published", "2023-07-05"),
    "source reports": _with_source_field("reports", 5),
}


class ExporterContract:
    """Tests every exporter passes; subclass it as ``Test…`` and set ``exporter_name``.

    Among them: output for every table; the metadata written (metadata differing in one item,
    or in one field of one source, gives different bytes); the same bytes for the same input;
    empty tables, text in any script, the largest numbers; no text cell that a spreadsheet would
    run as a formula; an unknown option refused; nothing partial or changed left by a failing
    write. A plugin that failed, or that registers no
    exporter of that name, fails each test with the reason the plugin manager recorded.

    Attributes:
        exporter_name: the exporter's registered name.
        plugin: the plugin registering it, for an exporter that is not built in (registered on a
            fresh manager for each test); ``None`` looks in the built-in and installed plugins.
        options: keyword options passed on every export.
        writes_text_cells: whether text cells appear in the output (a map leaves them out).
        opened_as_cells: whether a spreadsheet opens the output as cells, so that a text cell
            must not start a formula there; ``None`` decides by the format: every text format
            except those that quote their strings or are read as documents (JSON, GeoJSON,
            XML, HTML, Markdown), and a zip of spreadsheet XML (XLSX, ODS).

    Override ``read_text`` for a format whose bytes are not UTF-8 text (XLSX is unzipped), and
    ``formula_cells`` for a format the contract cannot tell cells in.
    """

    exporter_name: ClassVar[str]
    plugin: ClassVar[object | None] = None
    options: ClassVar[Mapping[str, Any]] = {}
    writes_text_cells: ClassVar[bool] = True
    opened_as_cells: ClassVar[bool | None] = None

    @pytest.fixture
    def contract_manager(self) -> Iterator[RepateventsPluginManager]:
        """Give a manager that has the exporter under test."""
        if self.plugin is None:
            # Built-in exporters are tested without installed plugins, so that a broken one
            # elsewhere in the environment cannot fail their contract.
            manager = get_plugin_manager(load_entrypoints=False)
            if self.exporter_name not in registered_exporters(manager):
                with warnings.catch_warnings():
                    # A broken plugin warns; the exporter fixture says why if it is this one.
                    warnings.simplefilter("ignore", RepateventsWarning)
                    manager = get_plugin_manager()
            yield manager
            return
        with registered_plugin(self.plugin) as manager:
            yield manager

    @pytest.fixture
    def exporter(self, contract_manager: RepateventsPluginManager) -> Exporter:
        """Give the exporter under test, or fail saying why the manager has none of its name."""
        __tracebackhide__ = True
        plugin_name = None if self.plugin is None else contract_manager.get_name(self.plugin)
        # A plugin that fails warns; the failure below says the same, with the exporter's name.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RepateventsWarning)
            exporters = registered_exporters(contract_manager)
        if self.exporter_name not in exporters:
            pytest.fail(
                _why_missing(contract_manager, self.exporter_name, plugin_name, exporters),
                pytrace=False,
            )
        return exporters[self.exporter_name]

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

    def formula_cells(self, path: Path) -> list[str]:
        """Return the texts of ``FORMULA_TEXTS`` that ``path`` holds where they run as formulas.

        In a zip of spreadsheet XML, one inside a formula element (``<f>``, ``table:formula``);
        in delimited text, one that starts a field: at the start of a line or after a
        delimiter (``,`` ``;`` tab ``|``), quoted or not. A neutralised cell (``'=1+1``) does
        not start with the formula.
        """
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                formulas = [
                    match.group(1) or match.group(2)
                    for member in archive.namelist()
                    if member.endswith(".xml")
                    for match in _FORMULA_XML.finditer(archive.read(member).decode("utf-8"))
                ]
            # A stored formula has no leading "=" (nor "+" or "@"): look for what follows.
            return [t for t in FORMULA_TEXTS if any(t.strip()[1:] in f for f in formulas)]
        text = self.read_text(path)
        return [t for t in FORMULA_TEXTS if any(_starts_field(text, at) for at in _find(text, t))]

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

    @pytest.mark.parametrize("change", list(_METADATA_CHANGES), ids=list(_METADATA_CHANGES))
    def test_writes_the_metadata(
        self,
        contract_manager: RepateventsPluginManager,
        exporter: Exporter,
        tmp_path: Path,
        change: str,
    ) -> None:
        """Metadata that differs in one field (the ledger position, the policy, one field of
        one source …) gives different bytes: the export says what it was made from."""
        changed = _METADATA_CHANGES[change](sample_metadata())
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        first = self.export(contract_manager, sample_tables(), tmp_path / "a")
        second = self.export(contract_manager, sample_tables(), tmp_path / "b", metadata=changed)
        assert [p.read_bytes() for p in first] != [p.read_bytes() for p in second], (
            f"the {self.exporter_name!r} exporter wrote the same bytes for metadata that differ "
            f"in {change}: write every item of metadata.typed_items() and every field of each "
            "of metadata.sources"
        )

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

    def test_writes_no_formula(
        self, contract_manager: RepateventsPluginManager, exporter: Exporter, tmp_path: Path
    ) -> None:
        """Text cells that start like a formula (``=1+1``, ``@SUM(4,4)``, a tab before ``=`` …)
        do not start a cell a spreadsheet opens: neutralise them (``'=1+1``), as
        ``repatevents.exporters.neutralise`` does, or write them as typed text cells."""
        if not self.writes_text_cells or not self._opened_as_cells(exporter):
            pytest.skip(f"a spreadsheet does not open {exporter.media_type} as cells")
        written = self.export(contract_manager, formula_tables(), tmp_path / "formulas")
        found = {str(path.name): self.formula_cells(path) for path in written}
        running = {name: texts for name, texts in found.items() if texts}
        assert running == {}, (
            f"the {self.exporter_name!r} exporter writes text cells a spreadsheet runs as "
            f"formulas ({', '.join(sorted({repr(t) for ts in running.values() for t in ts}))}): "
            "pass every text cell through repatevents.exporters.neutralise"
        )

    def _opened_as_cells(self, exporter: Exporter) -> bool:
        if self.opened_as_cells is not None:
            return self.opened_as_cells
        media_type = exporter.media_type.split(";")[0].strip().lower()
        if any(word in media_type for word in _SPREADSHEET_TYPES):
            return True
        return not any(word in media_type for word in _DOCUMENT_TYPES)

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
        # The sizes of what write writes: a descriptor beside the files is not written by it.
        plain = attrs.evolve(exporter, name="contract-plain", describe=None)
        with registered_plugin(_Registers(plain), manager=contract_manager):
            written = self.export(contract_manager, sample_tables(), good, name="contract-plain")
        sizes = [p.stat().st_size for p in written]
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


# Media types of spreadsheets (XLSX's and ODS's name XML too), then those whose strings are
# quoted or read as a document, not split into cells.
_SPREADSHEET_TYPES = ("spreadsheet", "excel")
_DOCUMENT_TYPES = ("json", "xml", "html", "markdown", "pdf", "image/")
_FORMULA_XML = re.compile(r"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)</|table:formula=\"([^\"]*)\"")
_FIELD_STARTS = "\n\r\t,;|"


def _find(text: str, needle: str) -> Iterator[int]:
    start = text.find(needle)
    while start != -1:
        yield start
        start = text.find(needle, start + 1)


def _starts_field(text: str, at: int) -> bool:
    # A quoted field starts at its opening quote.
    if at > 0 and text[at - 1] == '"':
        at -= 1
    return at == 0 or text[at - 1] in _FIELD_STARTS


# What a format for people may put between groups of three digits: 1,234 1.234 1 234 1'234.
_SEPARATORS = ("", ",", ".", " ", "\u00a0", "\u202f", "'", "_")


def _has_every_digit(number: int, text: str) -> bool:
    digits = str(abs(number))
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    sign = "-" if number < 0 else ""
    return any(sign + separator.join(groups) in text for separator in _SEPARATORS)


def _why_missing(
    manager: RepateventsPluginManager,
    name: str,
    plugin_name: str | None,
    exporters: Mapping[str, Exporter],
) -> str:
    """Say why the manager has no exporter ``name``, from what it recorded."""
    failed = {info.name: info.error for info in manager.failed()}
    head = f"the exporter contract cannot test {name!r}"
    if name in manager.ambiguous():
        owners = " and ".join(map(repr, manager.ambiguous()[name]))
        return f"{head}: plugins {owners} both register it, so neither is used"
    if plugin_name is not None and plugin_name in failed:
        return f"{head}: plugin {plugin_name!r} failed and is not used: {failed[plugin_name]}"
    if plugin_name is not None:
        return (
            f"{head}: plugin {plugin_name!r} registers no exporter of that name (the manager "
            f"has {', '.join(exporters) or 'none'}); set exporter_name to the name it registers"
        )
    others = "; ".join(f"plugin {n!r}: {error}" for n, error in failed.items())
    return (
        f"{head}: no loaded plugin registers it (the manager has {', '.join(exporters)}); set "
        "plugin to the module that registers it" + (f". Failed plugins: {others}" if others else "")
    )


def _older() -> ExportMetadata:
    return attrs.evolve(sample_metadata(), ledger_position=27, policy="latest")
