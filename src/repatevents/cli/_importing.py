"""The ``import`` command: a shell over ``Ledger.import_file``, which owns every rule.

This module parses the options, opens the ledger, shows progress on a terminal, and prints the
result, the warnings and (with ``--json``) the problems of a refused file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs
import click

from ..errors import ValidationError
from ..importing import FORMATS, columns_help, parse_column_map
from ._context import Settings, echo_json, open_ledger, user_errors
from ._options import json_option, ledger_option

if TYPE_CHECKING:
    from .._ledger import ImportResult, Ledger

__all__ = ["import_command"]


def _columns_epilog() -> str:
    # "\b" keeps click from rewrapping the list into one paragraph.
    lines = [f"  {names}\n      {meaning}" for names, meaning in columns_help()]
    return (
        "\b\nSheet columns (headers match without regard to case, spaces as underscores; --map\n"
        "renames others):\n" + "\n".join(lines)
    )


@click.command("import", epilog=_columns_epilog())
@click.argument("file", metavar="FILE")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    default=None,
    help="The file's format; by default its suffix says, or (for - or another suffix) its "
    "first bytes.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate the whole file against the ledger and record nothing.",
)
@click.option(
    "--map",
    "column_map",
    default="",
    metavar="THEIRS=OURS,…",
    help="Rename a sheet's columns to the documented ones, e.g. 'Nation=country,When=date'.",
)
@click.option(
    "--ignore-unknown-columns",
    is_flag=True,
    help="Leave out a sheet's columns that are not documented ones, instead of refusing the "
    "sheet (a misspelt column is then lost too).",
)
@json_option
@ledger_option
@click.pass_obj
def import_command(
    settings: Settings,
    file: str,
    file_format: str | None,
    dry_run: bool,
    column_map: str,
    ignore_unknown_columns: bool,
    as_json: bool,
) -> None:
    """Import FILE: JSON Lines events (one JSON object per line), or a CSV/XLSX sheet.

    FILE - reads standard input. The whole file is validated first; either all of it is
    recorded or none of it, and every problem is listed by line (row) and field (column). An id
    the ledger already holds with other content is refused; --dry-run checks that too.
    Importing the same file again records nothing new. A correction, retraction, link or
    adjudication naming an event that is neither in the ledger nor in the file is recorded with
    a warning: the report may come later. So is a new operation report with the publisher,
    country and date of one in the ledger: an edited sheet row is a new report unless its
    supersedes column names the report it replaces.

    With --json, a file that is refused prints a JSON document of its problems (line, field,
    value, rule) on stdout, and the exit status is still 1.
    """
    name = "<stdin>" if file == "-" else file
    with user_errors(), _problems_as_json(name, dry_run, enabled=as_json):
        mapping = parse_column_map(column_map)
        if file != "-" and not Path(file).is_file():
            raise OSError(2, "no such file", file)
        source: str | IO[bytes] = sys.stdin.buffer if file == "-" else file
        import_into = partial(
            _import_into,
            source=source,
            file_format=file_format,
            column_map=mapping,
            ignore_unknown_columns=ignore_unknown_columns,
            dry_run=dry_run,
            as_json=as_json,
        )
        if settings.exists():
            # A server's schema is made by the first import that records, as a file is.
            with open_ledger(settings, create=settings.on_server and not dry_run) as ledger:
                result = import_into(ledger)
        else:
            result = _import_into_new(settings, import_into)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    _report(name, result, settings, as_json=as_json)


def _import_into(
    ledger: Ledger,
    *,
    source: str | IO[bytes],
    file_format: str | None,
    column_map: Mapping[str, str],
    ignore_unknown_columns: bool,
    dry_run: bool,
    as_json: bool,
) -> ImportResult:
    with _progress(enabled=not as_json) as show:
        return ledger.import_file(
            source,
            format=file_format,  # type: ignore[arg-type]  # click.Choice checked it
            column_map=column_map,
            ignore_unknown_columns=ignore_unknown_columns,
            dry_run=dry_run,
            progress=show,
        )


def _import_into_new(
    settings: Settings, import_into: Callable[[Ledger], ImportResult]
) -> ImportResult:
    """Import into a ledger not yet made: it is made only once the file is accepted, so that a
    refused file (or a dry run) leaves nothing behind."""
    from .._ledger import Ledger

    with Ledger.in_memory() as scratch:
        result = import_into(scratch)
        if result.dry_run:
            return result
        events = [envelope.event for envelope in scratch.store.read()]
    with open_ledger(settings, create=True) as ledger:
        head = ledger.record_many(events, expected_position=0)
    return attrs.evolve(result, head=head)


def _report(name: str, result: ImportResult, settings: Settings, *, as_json: bool) -> None:
    if as_json:
        echo_json(
            {
                "file": name,
                "read": result.read,
                "recorded": 0 if result.dry_run else result.recorded,
                "already_in_ledger": result.already_present,
                "position": result.head,
                "dry_run": result.dry_run,
                "warnings": [
                    {
                        "line": w.line,
                        "field": w.field,
                        "value": _json_value(w.value),
                        "message": w.message,
                    }
                    for w in result.warnings
                ],
            }
        )
    elif result.dry_run:
        click.echo(
            f"{name}: {result.read} events valid, {result.recorded} new; nothing recorded (dry run)"
        )
    else:
        click.echo(
            f"{name}: {result.read} events read, {result.recorded} recorded, "
            f"{result.already_present} already in the ledger; ledger {settings.name} is at "
            f"position {result.head}"
        )


@contextmanager
def _progress(*, enabled: bool) -> Iterator[Any]:
    """Yield a progress callback that shows each stage on a terminal's stderr, or ``None``.

    Off a terminal (a pipe, a log file, a test) and with --json it shows nothing: those readers
    want the result, not carriage returns.
    """
    stream = sys.stderr
    if not enabled or not stream.isatty():
        yield None
        return
    last, line = 0.0, ""

    def show(stage: str, done: int, total: int | None) -> None:
        nonlocal last, line
        now = time.monotonic()
        final = total is not None and done >= total
        if now - last < 0.1 and not final:
            return
        width = len(line)
        of = f" of {total:,}" if total is not None else ""
        unit = "rows" if stage == "reading" else "events"
        last, line = now, f"{stage} {done:,}{of} {unit}…"
        stream.write("\r" + line.ljust(width))
        stream.flush()

    try:
        yield show
    finally:
        if line:
            stream.write("\r" + " " * len(line) + "\r")
            stream.flush()


@contextmanager
def _problems_as_json(file: str, dry_run: bool, *, enabled: bool) -> Iterator[None]:
    """Print the problems of a refused file as a JSON document on stdout, for programs; the
    error lines on stderr and the exit status stay as they are."""
    try:
        yield
    except ValidationError as exc:
        if enabled:
            errors = [
                {"line": p.line, "field": p.field, "value": _json_value(p.value), "rule": p.rule}
                for p in exc.problems
            ]
            echo_json({"file": file, "dry_run": dry_run, "recorded": 0, "errors": errors})
        raise


def _json_value(value: Any) -> Any:
    """Return a problem's value as JSON data: as it is when JSON has it, else as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)
