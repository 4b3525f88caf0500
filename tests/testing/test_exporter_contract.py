"""The exporter contract itself: it fails an exporter that breaks a rule, and says why."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree

import pytest

from _paths import DOCS

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

# The guide's first TSV example, which wrote text cells as they came.
RAW_TSV = """
import csv
import io

from repatevents.exporters import Exporter
from repatevents.hookspecs import hookimpl


def write_tsv(tables, metadata, stream, /):
    (table,) = tables.values()
    text = io.StringIO()
    writer = csv.writer(text, delimiter="\\t", lineterminator="\\n")
    writer.writerow([column.name for column in table.columns])
    writer.writerows([["" if cell is None else cell for cell in row] for row in table.rows])
    stream.write(text.getvalue().encode("utf-8"))


@hookimpl
def register_exporters(register):
    register(Exporter(name="tsv", extension="tsv", media_type="text/tab-separated-values",
                      description="One TSV file per table.", write=write_tsv,
                      one_file_per_table=True))
"""

# The whole plugin of the plugin guide (docs/plugins.md), as a reader copies it.
_GUIDE = (DOCS / "plugins.md").read_text(encoding="utf-8")
GUIDE_TSV = re.search(r"```python\n(# repatevents_tsv.py\n.*?)```", _GUIDE, re.S).group(1)  # type: ignore[union-attr]

CONTRACTS = """
import broken_pdf
import guide_tsv
import other_name
import raw_tsv
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


class TestRawTsv(ExporterContract):
    exporter_name = "tsv"
    plugin = raw_tsv


class TestGuideTsv(ExporterContract):
    exporter_name = "tsv"
    plugin = guide_tsv
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    """Run the contract on broken plugins and the guide's, once; give each test's outcome
    (``passed``, ``failed`` or ``skipped``) and its message.

    The run is a subprocess with warnings as errors, as a plugin author's strict suite has. It
    takes seconds, and the three tests that read it may land on both xdist workers (whose
    ``loadgroup`` cannot keep them together on pytest 9.2): the first worker to ask makes the
    run and leaves its result in the session's shared temporary folder for the other.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return _run_contracts(tmp_path_factory.mktemp("contracts"))
    shared = tmp_path_factory.getbasetemp().parent
    with (shared / "export-contracts.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = shared / "export-contracts.json"
        if not result.exists():
            found = _run_contracts(tmp_path_factory.mktemp("contracts"))
            result.write_text(json.dumps(found), encoding="utf-8")
        loaded: dict[str, list[str]] = json.loads(result.read_text(encoding="utf-8"))
        return {test: (outcome, message) for test, (outcome, message) in loaded.items()}


def _run_contracts(folder: Path) -> dict[str, tuple[str, str]]:
    files = {
        "tables_only.py": TABLES_ONLY,
        "broken_pdf.py": BROKEN_PDF,
        "other_name.py": OTHER_NAME,
        "raw_tsv.py": RAW_TSV,
        "guide_tsv.py": GUIDE_TSV,
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
    found: dict[str, tuple[str, str]] = {}
    for case in ElementTree.parse(folder / "report.xml").iter("testcase"):
        test = f"{case.get('classname', '').rpartition('.')[2]}::{case.get('name')}"
        found[test] = ("passed", "")
        for tag, outcome in (("failure", "failed"), ("error", "failed"), ("skipped", "skipped")):
            problem = case.find(tag)
            if problem is not None:
                found[test] = (outcome, problem.get("message", ""))
                break
    assert found, run.stdout + run.stderr
    return found


@pytest.fixture(scope="module")
def failures(outcomes: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Give each failed test of the run and its message."""
    return {test: message for test, (outcome, message) in outcomes.items() if outcome == "failed"}


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
            "computed_from",
            "head_hash",
            "known_at",
            "ledger_position",
            "library_version",
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
        "exporter of that name (the manager has csv, geojson, html, sqlite, pfd); set "
        "exporter_name to the name it registers"
    )
    assert {f'failed on setup with "{expected}"'} == messages


def test_an_exporter_that_writes_formulas_raw_fails_only_the_formula_test(
    failures: dict[str, str],
) -> None:
    """The guide's old TSV example, which wrote text cells as they came, passes every rule
    but one: it writes cells a spreadsheet runs as formulas, and the message names them."""
    failed = sorted(name for name in failures if name.startswith("TestRawTsv::"))
    assert ["TestRawTsv::test_writes_no_formula"] == failed
    message = failures["TestRawTsv::test_writes_no_formula"]
    assert "'tsv' exporter writes text cells a spreadsheet runs as formulas" in message
    assert "'=1+1'" in message
    assert "'@SUM(4,4)'" in message


def test_the_guides_plugin_passes_the_contract_by_neutralising(
    outcomes: dict[str, tuple[str, str]],
) -> None:
    """The plugin guide's TSV exporter passes every test, the formula test run, not skipped."""
    guide = {k: v for k, v in outcomes.items() if k.startswith("TestGuideTsv::")}
    assert guide
    assert {"passed"} == {outcome for outcome, _ in guide.values()}
    assert ("passed", "") == guide["TestGuideTsv::test_writes_no_formula"]
