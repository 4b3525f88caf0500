"""Asking the ledger: one command per table (totals, operations …), ``events``, ``policies``.

A table command folds the ledger as the query options ask (``--as-of``, ``--known-at``,
``--policy``) and prints one table, for people or as JSON; ``--country`` keeps the rows of the
countries named.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from typing import Any

import click

from .._tables import Table
from ._context import Settings, echo_json, note_empty_past, open_ledger, user_errors
from ._options import country_option, json_option, ledger_option, query, query_options, wide_option
from ._render import (
    event_record,
    events_table,
    json_chunks,
    json_records,
    render_table,
    terminal_width,
)

__all__ = [
    "events_command",
    "policies_command",
    "quality_command",
    "table_command",
    "totals_command",
]


def table_command(
    name: str,
    table_name: str,
    summary: str,
    *,
    options: Sequence[click.Option] = (),
    refine: Callable[[Table, dict[str, Any]], Table] | None = None,
    pick: Callable[[dict[str, Any]], str] | None = None,
) -> click.Command:
    """Return the command ``name`` that prints the ledger's table ``table_name``.

    Args:
        name: the command's name.
        table_name: the table's name in ``Ledger.tables()``.
        summary: the command's help.
        options: options of this command alone; their values go to ``refine`` and ``pick``.
        refine: narrows the table by those values.
        pick: names another table by those values (``totals --by nationality``).
    """

    def command(
        settings: Settings,
        /,
        as_of: dt.date | None,
        known_at: dt.datetime | int | None,
        policy: str | None,
        as_json: bool,
        countries: tuple[str, ...],
        wide: bool,
        **more: Any,
    ) -> None:
        with user_errors():
            with open_ledger(settings, progress=not as_json) as ledger:
                # Only the table printed is computed (the default totals from the summary).
                chosen = table_name if pick is None else pick(more)
                tables = ledger.tables(names=[chosen], **query(as_of, known_at, policy))
                note_empty_past(ledger, known_at)
            table = _filter_rows(tables[chosen], countries)
            if refine is not None:
                table = refine(table, more)
            _echo_table(table, as_json, wide)

    command.__doc__ = summary
    decorated = wide_option(country_option(query_options(command)))
    made = click.command(name)(ledger_option(click.pass_obj(decorated)))
    made.params.extend(options)
    return made


def quality_command() -> click.Command:
    """Return ``quality``: the findings table, with ``--check`` and ``--skip`` by kind.

    A ledger built from sheets without addresses has a ``no-source-address`` finding per
    operation; naming the checks wanted (or not) keeps the rest readable.
    """
    options = [
        click.Option(
            ["--check", "checks"],
            multiple=True,
            metavar="CHECK",
            callback=_checks,
            help="Only findings of this check (the check column); repeatable.",
        ),
        click.Option(
            ["--skip", "skips"],
            multiple=True,
            metavar="CHECK",
            callback=_checks,
            help="Leave out findings of this check; repeatable.",
        ),
    ]

    def refine(table: Table, chosen: dict[str, Any]) -> Table:
        checks, skips = chosen["checks"], chosen["skips"]
        if checks:
            table = _keep(table, "check", lambda check: check in checks)
        if skips:
            table = _keep(table, "check", lambda check: check not in skips)
        return table

    return table_command(
        "quality",
        "quality",
        "Data-quality findings: breakdowns that do not add up, likely duplicates, and more.",
        options=options,
        refine=refine,
    )


def _checks(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Check the names given to ``--check`` and ``--skip`` (read when given: importing the
    projections costs every other command time)."""
    if not values:
        return values
    from ..projections import FindingKind

    names = [kind.value for kind in FindingKind]
    for value in values:
        if value not in names:
            raise click.BadParameter(f"{value!r} is not a check; the checks are {', '.join(names)}")
    return values


def _filter_rows(table: Table, countries: Sequence[str]) -> Table:
    names = [c.name for c in table.columns]
    # A table by nationality is keyed by the nationality: --country names it.
    key = next((n for n in ("country", "nationality") if n in names), None)
    if not countries or key is None:
        return table
    return _keep(table, key, lambda country: country in countries)


def totals_command() -> click.Command:
    """Return ``totals``: per receiving country, or ``--by nationality`` per nationality."""
    by = click.Option(
        ["--by", "by"],
        type=click.Choice(["country", "nationality"]),
        default="country",
        show_default=True,
        help="Group by the receiving country, or by the people's nationality (where a report "
        "gives one that differs from the receiving country).",
    )
    return table_command(
        "totals",
        "totals",
        "Cumulative totals per receiving country (or per nationality), with low / best / high "
        "and the breakdown.",
        options=[by],
        pick=lambda chosen: "nationality_totals" if chosen["by"] == "nationality" else "totals",
    )


def _keep(table: Table, column: str, wanted: Callable[[Any], bool]) -> Table:
    """Return the table with only the rows whose ``column`` is ``wanted``."""
    index = [c.name for c in table.columns].index(column)
    rows = [row for row in table.rows if wanted(row[index])]
    return Table(table.name, table.title, table.columns, rows, table.description)


def _echo_table(table: Table, as_json: bool, wide: bool = False) -> None:
    # A table of a large ledger is millions of cells that all stay alive until printed: the
    # cyclic collector would walk them again and again for nothing (a super-linear cost).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if as_json:
            # Row by row: a million-row document built whole would take gigabytes.
            for chunk in json_chunks(json_records(table)):
                click.echo(chunk, nl=False)
            click.echo()
        else:
            click.echo(render_table(table, width=terminal_width(), wide=wide))
    finally:
        if enabled:
            gc.enable()


@click.command("events")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Only events of this type (operation-reported, report-corrected …); repeatable.",
)
@country_option
@json_option
@wide_option
@ledger_option
@click.pass_obj
def events_command(
    settings: Settings,
    types: tuple[str, ...],
    countries: tuple[str, ...],
    as_json: bool,
    wide: bool,
) -> None:
    """List the recorded events with their ids, for corrections, retractions and links.

    Each row is one record of the log: position, id, type, when it was recorded (UTC), the
    publisher and the outlets it came through (via), the receiving country, the place, the date,
    the total, and the ids it refers to. A correction shows its replacement's publisher and
    figures.
    """
    from ..events import EVENT_TYPES

    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]!r} is not an event type; choose one of {', '.join(sorted(EVENT_TYPES))}",
            param_hint="--type",
        )
    with user_errors(), open_ledger(settings) as ledger:
        records = [
            record
            for record in map(event_record, ledger.store.read())
            if (not types or record["type"] in types)
            and (not countries or record["country"] in countries)
        ]
    if as_json:
        echo_json(records)
    else:
        click.echo(render_table(events_table(records), width=terminal_width(), wide=wide))


@click.command("policies")
@json_option
def policies_command(as_json: bool) -> None:
    """List the policies that choose a figure when reports disagree."""
    from ..projections import DEFAULT_POLICY, POLICIES

    if as_json:
        echo_json(
            [
                {"name": n, "description": POLICIES[n].description, "default": n == DEFAULT_POLICY}
                for n in sorted(POLICIES)
            ]
        )
        return
    for name in sorted(POLICIES):
        marker = " (default)" if name == DEFAULT_POLICY else ""
        click.echo(f"{name}{marker}: {POLICIES[name].description}")
