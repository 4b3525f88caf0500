"""The ``export`` command: write the ledger's tables through an exporter, with its options.

Exporter options come as ``-O NAME=VALUE``. They are checked against the exporter's write
function before anything is written: a name it does not take is refused with the names it does,
and a value is read as the type the option is annotated with (``str`` stays text, ``bool`` is
true or false, ``int`` a whole number; ``X | None`` as ``X``), else as the type of its default.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExportError
from ._context import (
    CommandError,
    Settings,
    note_empty_past,
    open_ledger,
    terminal_progress,
    user_errors,
)
from ._options import ledger_option, parse_generated_at, query, query_options
from ._plugins import plugin_manager

if TYPE_CHECKING:
    from .._exporter_options import ExporterOption
    from ..exporters import Exporter

__all__ = ["export_command"]

_INTEGER = re.compile(r"[+-]?[0-9]+")


def _parse_exporter_options(
    ctx: click.Context, param: click.Parameter, values: Sequence[str]
) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in values:
        name, equals, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not equals or not name.isidentifier():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE, such as bom=true")
        options[name] = text
    return options


@click.command("export")
@click.argument("format_name", metavar="FORMAT")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write (a file, or a folder for formats with one file per table; missing "
    "folders are created); - writes a one-file format to standard output.",
)
@click.option(
    "--table", "table_names", multiple=True, metavar="NAME", help="Only this table; repeatable."
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    callback=_parse_exporter_options,
    metavar="NAME=VALUE",
    help="An option of the exporter, repeatable; VALUE is read as the option's type (true or "
    "false, a whole number, text). csv: bom, hxl, titles, datapackage, licence; geojson: "
    "flows, layer; html: title, countries; sqlite: licence; xlsx: titles, hxl; "
    "`repatevents plugins --json` lists every exporter's options.",
)
@click.option(
    "--generated-at",
    callback=parse_generated_at,
    metavar="TIME",
    help="The generation time to write (ISO, UTC; default: the SOURCE_DATE_EPOCH environment "
    "variable when set, else now), so that two exports of the same ledger and query are "
    "byte-identical.",
)
@click.option(
    "--verified",
    is_flag=True,
    help="Check the whole log against its hash chain and compute the tables from it alone, "
    "not from a saved checkpoint (a cache anyone who can write the file can change): for an "
    "export to publish. Its metadata says computed_from: log.",
)
@query_options
@ledger_option
@click.pass_obj
def export_command(
    settings: Settings,
    format_name: str,
    output: Path,
    table_names: tuple[str, ...],
    options: dict[str, str],
    generated_at: dt.datetime | None,
    verified: bool,
    as_of: dt.date | None,
    known_at: dt.datetime | int | None,
    policy: str | None,
    as_json: bool,
) -> None:
    """Export the ledger's tables in FORMAT (see `repatevents plugins` for the formats).

    Exporter options are given as -O NAME=VALUE: `-O bom=true -O hxl=true` for a CSV that
    Excel opens with an HXL row, `-O flows=true` for GeoJSON lines from camps to countries. An
    option the exporter does not take is an error that lists the ones it does.
    """
    from .._plugins import exporter_named

    with user_errors(), plugin_manager() as manager:
        # An unknown or ambiguous name is the user's error, said before any option is checked.
        exporter = exporter_named(manager, format_name)
        values = _exporter_options(exporter, options)
        with open_ledger(settings, progress=not as_json) as ledger:
            note_empty_past(ledger, known_at)
            to_stdout = str(output) == "-"
            try:
                written = ledger.export(
                    format_name,
                    sys.stdout.buffer if to_stdout else output,
                    tables=list(table_names) or None,
                    generated_at=generated_at,
                    plugin_manager=manager,
                    verified=verified,
                    # On stderr, so even an export to standard output can show it.
                    progress=terminal_progress(not as_json),
                    **query(as_of, known_at, policy),
                    **values,
                )
            except ExportError as exc:
                if values and isinstance(exc.__cause__, TypeError):
                    raise CommandError(
                        f"the {format_name!r} exporter refused the options "
                        f"{', '.join(sorted(values))}: {exc.__cause__}; nothing was written"
                    ) from None
                raise
    if to_stdout:
        # Standard output holds the export itself; nothing may be said there besides.
        return
    if as_json:
        click.echo(json.dumps({"format": format_name, "written": [str(p) for p in written]}))
    else:
        for path in written:
            click.echo(f"wrote {path}")


def _exporter_options(exporter: Exporter, options: Mapping[str, str]) -> dict[str, Any]:
    """Check options against the exporter's write function and return them typed.

    Exporters take their options as keyword-only arguments (docs/plugins.md), so the signature
    says which there are; one that takes ``**options`` is left to refuse them itself.
    """
    from .._exporter_options import exporter_options

    declared = exporter_options(exporter)
    if declared is None:
        return {name: _guess(text) for name, text in options.items()}
    accepted = {option.name: option for option in declared}
    values: dict[str, Any] = {}
    for name, text in options.items():
        option = accepted.get(name)
        if option is None:
            takes = f"its options are {', '.join(accepted)}" if accepted else "it takes none"
            raise CommandError(f"the {exporter.name!r} exporter has no option {name!r}; {takes}")
        values[name] = _option_value(exporter, option, text)
    return values


def _option_value(exporter: Exporter, option: ExporterOption, text: str) -> Any:
    """Read an option's text as the type the exporter declares for it.

    ``str`` stays text (``title=2024`` is the text "2024"), ``bool`` is true or false, ``int``
    a whole number, ``float`` a number; an option of no known type is guessed from its text.
    """
    kind = option.type
    if kind is None:
        return _guess(text)
    if kind is bool:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        expected = "true or false"
    elif kind is int:
        if _INTEGER.fullmatch(text):
            return int(text)
        expected = "a whole number"
    elif kind is float:
        try:
            return float(text)
        except ValueError:
            expected = "a number"
    else:
        # Text, or a type only the exporter can read from text: it gets the text as given.
        return text
    raise CommandError(f"option {option.name!r} of {exporter.name!r} is {expected}, not {text!r}")


def _guess(text: str) -> Any:
    """Read the text of an option of unknown type: true/false, a whole number, or text."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    return text
