"""The guide "Validating your data and your plugins" runs: its code blocks are these tests."""

from __future__ import annotations

import datetime as dt
import doctest
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import repatevents as rp

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "howto" / "validate.md"
EXAMPLE = ROOT / "examples" / "ledger.jsonl"
_FENCE = re.compile(r"^```(\{testcode\}|\{doctest\}|python)\n(.*?)^```$", re.M | re.S)


def _blocks(kind: str) -> list[tuple[int, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, m.start()) + 2, m.group(2))
        for m in _FENCE.finditer(text)
        if m.group(1) == kind
    ]


def _python_block(first_line: str) -> str:
    found = [code for _, code in _blocks("python") if code.startswith(first_line)]
    assert 1 == len(found), first_line
    return found[0]


def test_the_guide_runs_as_its_documentation_build_runs_it() -> None:
    """Every testcode and doctest block, in page order, in one namespace: the exporter plugin,
    its property test (run on ten ledgers) and the checks of a ledger file all pass."""
    text = GUIDE.read_text(encoding="utf-8")
    namespace: dict[str, Any] = {"dt": dt, "rp": rp, "__name__": "validate_guide"}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    parser = doctest.DocTestParser()
    for match in _FENCE.finditer(text):
        kind, code = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 2
        if kind == "{testcode}":
            exec(compile(code, f"{GUIDE}:{line}", "exec"), namespace)
        elif kind == "{doctest}":
            test = parser.get_doctest(code, namespace, f"{GUIDE}:{line}", str(GUIDE), line)
            runner.run(test, clear_globs=False)
            namespace.update(test.globs)  # a DocTest runs on a copy: keep what it defined
    prompts = sum(
        code.count("\n>>> ") + code.startswith(">>> ") for _, code in _blocks("{doctest}")
    )
    assert (0, prompts) == (runner.failures, runner.tries)
    assert "test_tsv_export_reads_back" in namespace


def test_the_exporter_property_test_is_under_twenty_lines() -> None:
    """The property test a plugin author writes (reader and test) fits in under 20 lines of code."""
    (code,) = [c for _, c in _blocks("{testcode}") if "def test_tsv_export_reads_back" in c]
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) < 20


def test_the_pytest_examples_pass_with_the_plugin(pytester: pytest.Pytester) -> None:
    """The guide's test module and conftest.py, run by pytest with the plugin, pass."""
    (pytester.path / "data").mkdir()
    shutil.copy(EXAMPLE, pytester.path / "data" / "ledger.jsonl")
    pytester.makeconftest(_python_block("import os\n"))
    pytester.makepyfile(test_our_ledger=_python_block("# test_our_ledger.py\n"))
    result = pytester.runpytest_subprocess(
        "-p", "no:repatevents", "-p", "repatevents.pytest_plugin", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=3)
