"""The plugin manager: entry points, failed and disabled plugins, the listing, the test kit."""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

from repatevents._plugins import (
    BUILTIN_PLUGIN,
    DISABLE_PLUGINS_ENV,
    RepateventsPluginManager,
    describe_plugins,
    exporter_named,
    get_plugin_manager,
    list_plugins,
    registered_exporters,
)
from repatevents.errors import AmbiguousExporterError, RepateventsWarning, UnknownExporterError
from repatevents.exporters import Exporter, export_tables
from repatevents.hookspecs import hookimpl
from repatevents.testing import (
    assert_installed_plugin_loads,
    plugin_manager_fixture,
    registered_plugin,
    sample_metadata,
    sample_tables,
)

Install = Callable[[str, dict[str, str]], None]

GOOD = """
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl

def write(tables, metadata, stream, /):
    stream.write(("\\n".join(tables) + "\\n").encode())

@hookimpl
def register_exporters(register):
    register(Exporter(name="names", extension="txt", media_type="text/plain",
                      description="The table names.", write=write))
"""

FAILS_TO_IMPORT = """
raise ImportError("No module named 'xlsxwriter_missing_dependency'")
"""

DUPLICATE_NAME = """
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    register(Exporter(name="csv", extension="csv", media_type="text/csv",
                      description="Another CSV.", write=lambda t, m, s, /: None))
"""

WRONG_TYPE = """
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    register({"name": "dict-exporter"})
"""

UNKNOWN_HOOK = """
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporter(register):  # misspelt: the hook is register_exporters
    pass
"""

WRONG_ARGUMENTS = """
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register, ledger):
    pass
"""

RAISES = """
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    raise RuntimeError("plugin bug")
"""


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install fake distributions with ``repatevents`` entry points on sys.path."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(DISABLE_PLUGINS_ENV, raising=False)
    modules: list[str] = []

    def install(distribution: str, plugins: dict[str, str]) -> None:
        lines = ["[repatevents]"]
        for entry_point, source in plugins.items():
            module = f"fake_{distribution}_{entry_point}".replace("-", "_")
            (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            lines.append(f"{entry_point} = {module}")
            modules.append(module)
        info = tmp_path / f"{distribution.replace('-', '_')}-1.2.3.dist-info"
        info.mkdir()
        metadata = f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.2.3\n"
        (info / "METADATA").write_text(metadata, encoding="utf-8")
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        importlib.invalidate_caches()

    yield install
    for module in modules:
        sys.modules.pop(module, None)


def _status(manager: RepateventsPluginManager) -> dict[str, str]:
    return {info.name: info.status for info in list_plugins(manager)}


def test_builtin_plugin_registers_csv_geojson_html_and_sqlite() -> None:
    """Without installed plugins the built-in exporters are there, through the hook."""
    manager = get_plugin_manager(load_entrypoints=False)
    assert list(registered_exporters(manager)) == ["csv", "geojson", "html", "sqlite"]
    (builtin,) = list_plugins(manager)
    assert (builtin.name, builtin.status, builtin.builtin) == (BUILTIN_PLUGIN, "loaded", True)
    assert builtin.hooks == ("register_exporters",)
    assert builtin.exporters == ("csv", "geojson", "html", "sqlite")


def test_installed_plugin_is_loaded_from_its_entry_point(install: Install) -> None:
    """A distribution's entry point is loaded, with its distribution and version listed."""
    install("repatevents-names", {"names": GOOD})
    manager = get_plugin_manager()
    assert "names" in registered_exporters(manager)
    info = {i.name: i for i in list_plugins(manager)}["names"]
    expected = ("loaded", "repatevents-names", "1.2.3", ("register_exporters",), ("names",))
    assert expected == (info.status, info.distribution, info.version, info.hooks, info.exporters)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (FAILS_TO_IMPORT, "importing .* raised ImportError"),
        (UNKNOWN_HOOK, "unknown hook.*register_exporter"),
        (WRONG_ARGUMENTS, "PluginValidationError.*ledger"),
    ],
)
def test_plugin_that_cannot_load_fails_alone(install: Install, source: str, problem: str) -> None:
    """A plugin that cannot be imported or registered warns, is listed as failed, and the
    other plugins and exporters keep working."""
    install("repatevents-broken", {"broken": source})
    install("repatevents-names", {"names": GOOD})
    with pytest.warns(RepateventsWarning, match=f"'broken'.*{problem}"):
        manager = get_plugin_manager()
    assert {"broken": "failed", "names": "loaded"}.items() <= _status(manager).items()
    assert {"csv", "geojson", "names"} <= set(registered_exporters(manager))
    (failure,) = manager.failed()
    assert failure.distribution == "repatevents-broken"
    assert failure.error is not None


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (DUPLICATE_NAME, "exporter name 'csv', which plugin 'builtin' already registered"),
        (WRONG_TYPE, r"registered \{'name': 'dict-exporter'\}, which is not a"),
        (RAISES, "register_exporters hook raised RuntimeError: plugin bug"),
    ],
)
def test_plugin_registering_something_invalid_fails_alone(
    install: Install, source: str, problem: str, tmp_path: Path
) -> None:
    """An invalid registration fails its plugin with a warning; export still works."""
    install("repatevents-broken", {"broken": source})
    install("repatevents-names", {"names": GOOD})
    manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning, match=f"'broken'.*{problem}"):
        exporters = registered_exporters(manager)
    assert {"csv", "geojson", "names"} <= set(exporters)
    assert _status(manager)["broken"] == "failed"
    assert exporters["csv"].description.startswith("One RFC 4180")
    written = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / "out.csv",
        table_names=["totals"],
        plugin_manager=manager,
    )
    assert tmp_path / "out.csv" == written[0]


def test_broken_plugin_shows_as_failed_in_the_listing(install: Install) -> None:
    """describe_plugins lists the built-in, loaded and failed plugins as JSON-ready dicts."""
    install("repatevents-broken", {"broken": FAILS_TO_IMPORT})
    install("repatevents-names", {"names": GOOD})
    with pytest.warns(RepateventsWarning):
        report = describe_plugins(get_plugin_manager())
    json.dumps(report)
    plugins = {p["name"]: p for p in report["plugins"]}
    assert report["plugins"][0]["name"] == BUILTIN_PLUGIN
    assert (plugins["broken"]["status"], plugins["broken"]["exporters"]) == ("failed", [])
    assert (plugins["names"]["status"], plugins["names"]["exporters"]) == ("loaded", ["names"])
    assert {"csv", "geojson", "names"} <= {e["name"] for e in report["exporters"]}


def test_environment_variable_disables_all_installed_plugins(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REPATEVENTS_DISABLE_PLUGINS=all loads no installed plugin; built-ins stay."""
    install("repatevents-names", {"names": GOOD})
    install("repatevents-broken", {"broken": FAILS_TO_IMPORT})
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "all")
    manager = get_plugin_manager()
    assert list(registered_exporters(manager)) == ["csv", "geojson", "html", "sqlite"]
    assert {"broken": "disabled", "names": "disabled"}.items() <= _status(manager).items()


def test_environment_variable_disables_chosen_plugins(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comma-separated list switches off just those plugins (a broken one is not imported);
    a name that matches no installed plugin (a typo) is a warning naming it."""
    install("repatevents-names", {"names": GOOD})
    install("repatevents-broken", {"broken": FAILS_TO_IMPORT})
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, " broken , nothing-else,builtin")
    with pytest.warns(RepateventsWarning) as caught:
        manager = get_plugin_manager()
    (message,) = [str(warning.message) for warning in caught]
    assert message.startswith(
        f"{DISABLE_PLUGINS_ENV} names 'builtin', 'nothing-else', which match no installed "
        "plugin (installed: broken, "
    )
    assert message.endswith("; the built-in exporters cannot be switched off)")
    assert "names" in registered_exporters(manager)
    assert {"broken": "disabled", "names": "loaded"}.items() <= _status(manager).items()


def test_disabling_only_installed_plugins_is_silent(
    install: Install, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    """Names that all match installed plugins give no warning."""
    install("repatevents-broken", {"broken": FAILS_TO_IMPORT})
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "broken")
    get_plugin_manager()
    assert [] == list(recwarn)


def test_second_plugin_with_a_taken_entry_point_name_fails(install: Install) -> None:
    """Two distributions using one entry point name: the first loads, the second fails."""
    install("repatevents-names", {"names": GOOD})
    install("repatevents-other", {"names": GOOD})
    with pytest.warns(RepateventsWarning, match="already has the name 'names'"):
        manager = get_plugin_manager()
    assert _status(manager)["names"] == "loaded"
    assert [f.name for f in manager.failed()] == ["names (repatevents-other)"]


def test_entry_points_load_only_when_asked(install: Install) -> None:
    """load_entrypoints=False gives the built-in plugin only."""
    install("repatevents-names", {"names": GOOD})
    manager = get_plugin_manager(load_entrypoints=False)
    assert [name for name, _ in manager.list_name_plugin()] == [BUILTIN_PLUGIN]


def test_unknown_exporter_names_the_known_ones(tmp_path: Path) -> None:
    """Asking for a format nobody registered raises UnknownExporterError listing the others."""
    with pytest.raises(UnknownExporterError) as raised:
        export_tables(
            "pdf",
            sample_tables(),
            sample_metadata(),
            tmp_path / "x.pdf",
            plugin_manager=get_plugin_manager(load_entrypoints=False),
        )
    assert (raised.value.name, raised.value.known) == ("pdf", ("csv", "geojson", "html", "sqlite"))


class _Tsv:
    """A plugin object for the test kit's fixtures."""

    @hookimpl
    def register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(
            Exporter(
                name="tsv",
                extension="tsv",
                media_type="text/tab-separated-values",
                description="Tab-separated.",
                write=_write_tsv,
            )
        )


def _write_tsv(tables: Any, metadata: Any, stream: Any, /) -> None:
    stream.write(b"x\n")


TSV = _Tsv()
plugin_manager = plugin_manager_fixture(TSV)


def test_plugin_manager_fixture_registers_the_plugin(
    plugin_manager: RepateventsPluginManager,
) -> None:
    """A fixture made by plugin_manager_fixture gives a manager with the plugin registered."""
    assert list(registered_exporters(plugin_manager)) == ["csv", "geojson", "html", "sqlite", "tsv"]


def test_registered_plugin_is_removed_after_the_block() -> None:
    """registered_plugin unregisters the plugin when the block ends."""
    with registered_plugin(_Tsv()) as manager:
        assert "tsv" in registered_exporters(manager)
    assert "tsv" not in registered_exporters(manager)


def test_registered_plugin_rejects_a_misspelt_hook() -> None:
    """The test kit checks hook names at once, so a typo fails the test loudly."""

    class Misspelt:
        @hookimpl
        def register_exporter(self, register: Any) -> None:
            """Not a hook."""

    with (
        pytest.raises(pluggy.PluginValidationError, match="register_exporter"),
        registered_plugin(Misspelt()),
    ):
        pass


def test_exporter_rejects_invalid_values() -> None:
    """An Exporter checks its name, extension, media type and write function."""
    base: dict[str, Any] = {
        "name": "ok",
        "extension": "txt",
        "media_type": "text/plain",
        "description": "",
        "write": _write_tsv,
    }
    for field, value in [
        ("name", "Has Spaces"),
        ("extension", ".txt"),
        ("media_type", "plain"),
        ("write", "not callable"),
    ]:
        with pytest.raises((ValueError, TypeError), match=field.replace("_", " ")):
            Exporter(**{**base, field: value})


EXITS_ON_IMPORT = """
import sys
sys.exit(3)
"""

EXITS_IN_ITS_HOOK = """
import sys
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    sys.exit("cannot find a licence")
"""


def _xlsx_plugin(description: str) -> str:
    return f"""
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    register(Exporter(name="xlsx", extension="xlsx", media_type="application/zip",
                      description={description!r}, write=lambda t, m, s, /: None))
"""


TWICE = """
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    for _ in range(2):
        register(Exporter(name="twice", extension="txt", media_type="text/plain",
                          description="", write=lambda t, m, s, /: None))
"""


def test_a_plugin_that_exits_on_import_fails_alone(install: Install) -> None:
    """sys.exit() while a plugin is imported fails that plugin (listed, warned); it does not
    end the program, and the other plugins load."""
    install("repatevents-quits", {"quits": EXITS_ON_IMPORT})
    install("repatevents-names", {"names": GOOD})
    with pytest.warns(RepateventsWarning, match="'quits'.*raised SystemExit: 3"):
        manager = get_plugin_manager()
    assert {"quits": "failed", "names": "loaded"}.items() <= _status(manager).items()
    assert "names" in registered_exporters(manager)


def test_a_plugin_that_exits_in_its_hook_fails_alone(install: Install) -> None:
    """sys.exit() in a plugin's register_exporters hook fails that plugin, not the program."""
    install("repatevents-quits", {"quits": EXITS_IN_ITS_HOOK})
    manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning, match="'quits'.*SystemExit: cannot find a licence"):
        exporters = registered_exporters(manager)
    assert {"csv", "geojson"} <= set(exporters)
    assert "failed" == _status(manager)["quits"]


def test_two_plugins_with_one_exporter_name_both_fail(install: Install) -> None:
    """A plugin that registers another's exporter name does not win by sorting first: both
    fail, each warning naming the other, and the name is ambiguous when asked for."""
    install("repatevents-xlsx", {"xlsx": _xlsx_plugin("The real one.")})
    install("repatevents-thief", {"aaa_steal_xlsx": _xlsx_plugin("Not the real one.")})
    manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning) as caught:
        exporters = registered_exporters(manager)
    messages = sorted(str(warning.message) for warning in caught)
    assert 2 == len(messages)
    assert (
        "plugin 'aaa_steal_xlsx' registered exporter name 'xlsx', which plugin 'xlsx'"
        in (messages[0])
    )
    assert (
        "plugin 'xlsx' registered exporter name 'xlsx', which plugin 'aaa_steal_xlsx'"
        in (messages[1])
    )
    assert "xlsx" not in exporters
    assert {"aaa_steal_xlsx": "failed", "xlsx": "failed"}.items() <= _status(manager).items()
    assert {"xlsx": ("aaa_steal_xlsx", "xlsx")} == manager.ambiguous()
    with pytest.raises(AmbiguousExporterError, match="'xlsx' is ambiguous") as raised:
        exporter_named(manager, "xlsx")
    assert ("aaa_steal_xlsx", "xlsx") == raised.value.plugins
    assert isinstance(raised.value, UnknownExporterError)
    with pytest.raises(UnknownExporterError, match="no exporter is named 'pdf'"):
        exporter_named(manager, "pdf")
    assert "csv" == exporter_named(manager, "csv").name


def test_a_built_in_name_stays_built_in(install: Install) -> None:
    """A plugin registering a built-in exporter's name fails, and the built-in one is kept
    (not made ambiguous)."""
    install("repatevents-broken", {"broken": DUPLICATE_NAME})
    manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning, match="'broken'.*'builtin' already registered"):
        assert exporter_named(manager, "csv").description.startswith("One RFC 4180")
    assert {} == manager.ambiguous()


def test_a_plugin_registering_one_name_twice_fails(install: Install) -> None:
    """One plugin registering a name twice fails with a warning saying so."""
    install("repatevents-twice", {"twice": TWICE})
    manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning, match="registered exporter name 'twice' twice"):
        assert "twice" not in registered_exporters(manager)


def test_plugin_warnings_point_at_the_caller(install: Install) -> None:
    """A plugin failure warns from the line that asked for the plugins (as Python's own
    warnings do), not from a line inside repatevents."""
    install("repatevents-broken", {"broken": FAILS_TO_IMPORT})
    install("repatevents-dup", {"dup": DUPLICATE_NAME})
    with pytest.warns(RepateventsWarning) as caught:
        manager = get_plugin_manager()
    with pytest.warns(RepateventsWarning) as later:
        describe_plugins(manager)
    assert [__file__, __file__] == [warning.filename for warning in [*caught, *later]]


TYPED = """
import json

from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl


def write(tables, metadata, stream, /, *, title: str | None = None, draft: bool | None = None,
          copies: int | None = None, scale=1.5):
    options = {"title": title, "draft": draft, "copies": copies, "scale": scale}
    stream.write(json.dumps(options).encode())


@hookimpl
def register_exporters(register):
    register(Exporter(name="typed", extension="json", media_type="application/json",
                      description="Its options, as read.", write=write))
"""


def _report_plugin(description: str) -> str:
    return f"""
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl

@hookimpl
def register_exporters(register):
    register(Exporter(name="report", extension="txt", media_type="text/plain",
                      description={description!r}, write=lambda t, m, s, /: s.write(b"x")))
"""


def test_assert_installed_plugin_loads_passes_a_plugin_that_loads(install: Install) -> None:
    """An installed plugin whose names nothing else registers passes the check."""
    install("repatevents-names", {"names": GOOD})
    assert_installed_plugin_loads("names")


def test_assert_installed_plugin_loads_names_the_plugin_a_name_clashes_with(
    install: Install,
) -> None:
    """Two installed plugins registering one name: the check fails, naming both and the name;
    the exporter contract alone, on a manager of its own, cannot see this."""
    install("repatevents-report", {"report": _report_plugin("The real one.")})
    install("repatevents-thief", {"aaa_steal_report": _report_plugin("Not the real one.")})
    with pytest.raises(AssertionError) as raised:
        assert_installed_plugin_loads("report")
    message = str(raised.value)
    assert message.startswith("the installed plugin 'report' (repatevents-report 1.2.3) failed:")
    assert "exporter name 'report', which plugin 'aaa_steal_report' registered too" in message


def test_assert_installed_plugin_loads_says_what_is_installed_or_switched_off(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name no plugin is installed under lists the installed ones; a disabled one says so."""
    install("repatevents-names", {"names": GOOD})
    with pytest.raises(AssertionError, match=r"no installed plugin is called 'nmaes' \(.*names"):
        assert_installed_plugin_loads("nmaes")
    monkeypatch.setenv(DISABLE_PLUGINS_ENV, "names")
    with pytest.raises(AssertionError, match=r"'names' .* is switched off by REPATEVENTS_DISABLE"):
        assert_installed_plugin_loads("names")


def test_describe_plugins_lists_each_exporters_package_version_and_options(
    install: Install,
) -> None:
    """Each exporter comes with its description, package, version and options (name, type,
    default), as `repatevents plugins --json` prints them."""
    install("repatevents-typed", {"typed": TYPED})
    exporters = {e["name"]: e for e in describe_plugins(get_plugin_manager())["exporters"]}
    typed = exporters["typed"]
    assert ("Its options, as read.", "typed", "repatevents-typed", "1.2.3") == (
        typed["description"],
        typed["plugin"],
        typed["package"],
        typed["version"],
    )
    assert [
        {"name": "title", "type": "str", "default": None, "required": False},
        {"name": "draft", "type": "bool", "default": None, "required": False},
        {"name": "copies", "type": "int", "default": None, "required": False},
        {"name": "scale", "type": "float", "default": 1.5, "required": False},
    ] == typed["options"]
    csv = exporters["csv"]
    assert ("builtin", "repatevents") == (csv["plugin"], csv["package"])
    assert ["bom", "hxl", "titles", "datapackage", "licence"] == [o["name"] for o in csv["options"]]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["title=2024", "copies=3"], {"title": "2024", "copies": 3}),
        (["title=true", "draft=false"], {"title": "true", "draft": False}),
        (["copies=-2", "scale=2"], {"copies": -2, "scale": 2.0}),
    ],
)
def test_export_reads_option_text_as_the_annotated_type(
    install: Install, tmp_path: Path, options: list[str], expected: dict[str, object]
) -> None:
    """-O values follow the write function's annotations (`str | None` stays text, `bool |
    None` is true/false, `int | None` a whole number), else the default's type."""
    from click.testing import CliRunner

    from repatevents import Ledger
    from repatevents.cli import main

    install("repatevents-typed", {"typed": TYPED})
    Ledger.open(tmp_path / "ledger.db").close()
    arguments = [f"-O{option}" for option in options]
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        main,
        ["--ledger", str(tmp_path / "ledger.db"), "export", "typed", "-o", str(out), *arguments],
    )
    assert 0 == result.exit_code, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert expected.items() <= written.items()


def test_export_refuses_option_text_that_is_not_the_annotated_type(
    install: Install, tmp_path: Path
) -> None:
    """`copies: int | None` refuses 'many' with a clean message, and nothing is written."""
    from click.testing import CliRunner

    from repatevents import Ledger
    from repatevents.cli import main

    install("repatevents-typed", {"typed": TYPED})
    Ledger.open(tmp_path / "ledger.db").close()
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        main,
        [
            "--ledger",
            str(tmp_path / "ledger.db"),
            "export",
            "typed",
            "-o",
            str(out),
            "-Ocopies=many",
        ],
    )
    assert 0 != result.exit_code
    assert "option 'copies' of 'typed' is a whole number, not 'many'" in result.output
    assert not out.exists()
