"""The exporter contract itself: it fails an exporter that breaks a rule, and says why."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from xml.etree import ElementTree

import pytest

# The run is a subprocess: an in-process one would import second copies of repatevents.
ARGS = ("-p", "no:repatevents", "-p", "no:cacheprovider", "-q")

TABLES_ONLY = """
import json

from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl


def write(tables, metadata, stream, /):
    # Every table's rows, and nothing of the metadata: what step 3 of the guide forbids.
    rows = {name: [list(map(str, row)) for row in table.rows] for name, table in tables.items()}
    stream.write(json.dumps(rows, ensure_ascii=False).encode("utf-8"))


@hookimpl
def register_exporters(register):
    register(Exporter(name="tables-only", extension="json", media_type="application/json",
                      description="Rows without metadata.", write=write))
"""

BROKEN_PDF = """
from repatevents.hookspecs import hookimpl


@hookimpl
def register_exporters(register):
    raise RuntimeError("the template file pdf/report.tex is missing")
"""

OTHER_NAME = """
from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl


@hookimpl
def register_exporters(register):
    register(Exporter(name="pfd", extension="pdf", media_type="application/pdf",
                      description="A typo.", write=lambda t, m, s, /: s.write(b"x")))
"""

CONTRACTS = """
import broken_pdf
import other_name
import tables_only

from repatevents.testing import ExporterContract


class TestTablesOnly(ExporterContract):
    exporter_name = "tables-only"
    plugin = tables_only


class TestBrokenPdf(ExporterContract):
    exporter_name = "pdf"
    plugin = broken_pdf


class TestOtherName(ExporterContract):
    exporter_name = "pdf"
    plugin = other_name
"""


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Run the contract on three broken plugins, once; give each failed test and its message.

    The run is a subprocess with warnings as errors, as a plugin author's strict suite has.
    """
    folder = tmp_path_factory.mktemp("contracts")
    files = {
        "tables_only.py": TABLES_ONLY,
        "broken_pdf.py": BROKEN_PDF,
        "other_name.py": OTHER_NAME,
        "test_contracts.py": CONTRACTS,
        "pytest.ini": "[pytest]\nfilterwarnings = error\n",
    }
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *ARGS, "--junitxml=report.xml"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for case in ElementTree.parse(folder / "report.xml").iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            test = f"{case.get('classname', '').rpartition('.')[2]}::{case.get('name')}"
            found[test] = problem.get("message", "")
    assert found, run.stdout + run.stderr
    return found


def test_an_exporter_that_ignores_the_metadata_fails_only_the_metadata_test(
    failures: dict[str, str],
) -> None:
    """Rows without metadata pass every other rule and fail test_writes_the_metadata, once per
    field: the ledger position, the clocks, the policy, the title and each source field."""
    failed = sorted(name for name in failures if name.startswith("TestTablesOnly::"))
    expected = [
        f"TestTablesOnly::test_writes_the_metadata[{field}]"
        for field in (
            "as_of",
            "known_at",
            "ledger_position",
            "policy",
            "source published",
            "source publisher",
            "source reports",
            "source speaker_kind",
            "source url",
            "source via",
            "title",
        )
    ]
    assert expected == failed
    message = failures["TestTablesOnly::test_writes_the_metadata[source publisher]"]
    assert "'tables-only' exporter wrote the same bytes" in message
    assert "source publisher" in message


def test_a_plugin_that_failed_is_named_with_the_reason_it_failed(
    failures: dict[str, str],
) -> None:
    """No KeyError: each test names the exporter, the plugin and the error the manager recorded."""
    messages = {v for k, v in failures.items() if k.startswith("TestBrokenPdf::")}
    expected = (
        "Failed: the exporter contract cannot test 'pdf': plugin 'broken_pdf' failed and is "
        "not used: its register_exporters hook raised RuntimeError: the template file "
        "pdf/report.tex is missing"
    )
    assert {f'failed on setup with "{expected}"'} == messages
    assert not any("KeyError" in v for v in failures.values())


def test_a_plugin_registering_another_name_is_told_the_names_it_registers(
    failures: dict[str, str],
) -> None:
    """A plugin that registers only other names is told which, and to fix exporter_name."""
    messages = {v for k, v in failures.items() if k.startswith("TestOtherName::")}
    expected = (
        "Failed: the exporter contract cannot test 'pdf': plugin 'other_name' registers no "
        "exporter of that name (the manager has csv, geojson, html, pfd); set exporter_name to "
        "the "
        "name it registers"
    )
    assert {f'failed on setup with "{expected}"'} == messages
