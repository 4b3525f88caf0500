"""The ``export`` command: write the ledger's tables through an exporter, with its options.

Exporter options come as ``-O NAME=VALUE``. They are checked against the exporter's write
function before anything is written: a name it does not take is refused with the names it does,
and a value is typed by the option's default (true/false, a whole number, or text).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExportError
from ._context import CommandError, Settings, note_empty_past, open_ledger, user_errors
from ._options import ledger_option, parse_generated_at, query, query_options
from ._plugins import plugin_manager

if TYPE_CHECKING:
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
    help="Where to write (a file, or a folder for formats with one file per table).",
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
    help="An option of the exporter, repeatable; VALUE is true, false, a whole number or "
    "text. csv: bom, hxl, titles; geojson: flows; xlsx: titles, hxl.",
)
@click.option(
    "--generated-at",
    callback=parse_generated_at,
    metavar="TIME",
    help="The generation time to write (ISO, UTC; default: now), so that two exports of the "
    "same ledger and query are byte-identical.",
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
        with open_ledger(settings) as ledger:
            note_empty_past(ledger, known_at)
            try:
                written = ledger.export(
                    format_name,
                    output,
                    tables=list(table_names) or None,
                    generated_at=generated_at,
                    plugin_manager=manager,
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
    accepted = _declared_options(exporter)
    if accepted is None:
        return {name: _option_value(text) for name, text in options.items()}
    values: dict[str, Any] = {}
    for name, text in options.items():
        if name not in accepted:
            takes = f"its options are {', '.join(accepted)}" if accepted else "it takes none"
            raise CommandError(f"the {exporter.name!r} exporter has no option {name!r}; {takes}")
        default = accepted[name]
        value = _option_value(text, default)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise CommandError(
                f"option {name!r} of {exporter.name!r} is true or false, not {text!r}"
            )
        if type(default) is int and type(value) is not int:
            raise CommandError(
                f"option {name!r} of {exporter.name!r} is a whole number, not {text!r}"
            )
        values[name] = value
    return values


def _declared_options(exporter: Exporter) -> dict[str, Any] | None:
    try:
        parameters = list(inspect.signature(exporter.write).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    # The first three are the tables, the metadata and the stream.
    return {
        p.name: p.default
        for p in parameters[3:]
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    }


def _option_value(text: str, default: Any = None) -> Any:
    """Read an exporter option's text: true/false, a whole number, or text.

    When the exporter's default says which type it takes, that type decides (so ``title=2024``
    stays text for an option whose default is text).
    """
    if isinstance(default, str):
        return text
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    return text
