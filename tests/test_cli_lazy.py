"""The command line imports a command's machinery only when that command runs."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from repatevents.cli import _COMMANDS, main


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
