"""The command line imports a command's machinery only when that command runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from _paths import EXAMPLE
from repatevents.cli import _COMMANDS, main

from ._helpers import IMPORT_KEYS, fingerprint, run, stdout_json


@pytest.mark.parametrize("name", sorted(_COMMANDS))
def test_each_listed_summary_is_the_commands_own_short_help(name: str) -> None:
    """`repatevents --help` lists a command by the summary its own help starts with."""
    command = _COMMANDS[name].load()
    assert name == command.name
    assert command.get_short_help_str(limit=1000) == _COMMANDS[name].summary


def test_every_command_is_listed() -> None:
    """The group offers each lazily loaded command, runnable by its name."""
    context = click.Context(main)
    assert sorted(_COMMANDS) == main.list_commands(context)
    for name in _COMMANDS:
        assert main.get_command(context, name) is not None


def test_help_and_version_import_no_command() -> None:
    """--help and --version load neither the projections, the stores nor the sheet readers."""
    probe = (
        "import sys\n"
        "from repatevents.cli import main\n"
        "for args in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(args, prog_name='repatevents')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('repatevents.projections',\n"
        "    'repatevents.store', 'repatevents.importing', 'repatevents.exporters',\n"
        "    'repatevents.events', 'pluggy', 'msgspec', 'orjson')))\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "[]" == result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "no-such-file.jsonl"], "no such file"),
        (["import", "notes.txt"], "expected a .jsonl, .csv or .xlsx file"),
        (["export", "pdf", "-o", "x.pdf"], "no exporter is named 'pdf'"),
        (["totals", "--as-of", "31/12/2023"], "is not a date"),
        (["totals", "--policy", "loudest"], "is not a policy"),
        (["totals", "--country", "Atlantis"], "not a known ISO 3166-1 country"),
    ],
)
def test_bad_arguments_fail_cleanly(
    ledger: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    """Mistyped arguments end with a message and a non-zero exit, never a traceback."""
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    before = fingerprint(ledger)
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = run(ledger, *args)
    finally:
        os.chdir(old)
    assert 0 != result.exit_code
    assert message in result.output
    assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_real_subprocess_runs_the_console_script(ledger: Path) -> None:
    """The installed `repatevents` script runs, and a user error exits 1 without a traceback."""
    script = Path(sys.executable).parent / "repatevents"
    env = {**os.environ, "REPATEVENTS_LEDGER": str(ledger)}
    ok = subprocess.run(
        [str(script), "totals", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert 0 == ok.returncode, ok.stderr
    assert "KGZ" in ok.stdout
    bad = subprocess.run(
        [str(script), "totals", "--country", "Narnia"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert 2 == bad.returncode
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["verify", "--json"], {"ledger", "verified", "intact", "head", "head_hash"}),
        (["rebuild", "--json"], {"ledger", "position"}),
        (["import", str(EXAMPLE), "--json"], set(IMPORT_KEYS)),
        (["import", str(EXAMPLE), "--dry-run", "--json"], set(IMPORT_KEYS)),
    ],
)
def test_ledger_commands_print_json(ledger: Path, args: list[str], expected: set[str]) -> None:
    """verify, rebuild and import print one JSON object with a stable set of keys."""
    assert expected == set(stdout_json(run(ledger, *args)))


COMMANDS = [
    "import",
    "totals",
    "operations",
    "timeseries",
    "remaining",
    "reconcile",
    "quality",
    "sources",
    "events",
    "policies",
    "export",
    "verify",
    "rebuild",
    "repair",
    "plugins",
    "demo",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """`repatevents COMMAND --help` describes the command and exits 0."""
    result = CliRunner().invoke(main, [command, "--help"])
    assert 0 == result.exit_code, result.output
    assert "Usage:" in result.output


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"plugins", "demo"}))
def test_every_command_but_plugins_and_demo_prints_json(command: str) -> None:
    """Every command that answers from a ledger (and policies) offers --json."""
    assert "--json" in CliRunner().invoke(main, [command, "--help"]).output
