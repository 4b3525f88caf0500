"""The ``repatevents`` command line: import figures, ask the ledger questions, export answers.

Every command works on one ledger, chosen by ``--ledger PATH`` (before the command or after
it; after it wins) or the ``REPATEVENTS_LEDGER`` environment variable (default:
``repatevents.db`` in the current folder): a file, or a ``postgresql://`` URL of a ledger a
team shares (whose password is never printed). Answers are printed as tables for people, or as JSON
with ``--json`` for programs. A mistake in what a user typed or sent ends with a one-line
message and a non-zero exit, never a traceback, and leaves the ledger as it was. Notes and
warnings go to stderr, so that stdout stays a table or a JSON document.

This module holds the group and says which commands it has; each command lives with what only
it uses:

- ``_importing``: ``import``, a shell over ``Ledger.import_file`` (options, progress, output);
- ``_queries``: the table commands, ``events``, ``policies``;
- ``_exporting``: ``export`` and its exporter options;
- ``_maintenance``: ``verify``, ``rebuild``, ``repair``;
- ``_plugins``: the plugin manager with its failures as one line, ``plugins``;
- ``_demo``: ``demo``;
- ``_sharing``: ``setup-postgres`` (a shared ledger on a server) and ``copy`` (between any two);

and what they share: ``_context`` (the chosen ledger, user errors, JSON output), ``_options``
(the shared options and the parsing of their values) and ``_render`` (what is printed).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import attrs
import click

from ._context import Settings, one_line_warnings

__all__ = ["main", "render_table"]


@attrs.frozen
class _Lazy:
    """A command that is imported only when it runs (or its own ``--help`` is asked for).

    ``repatevents --help`` lists every command from ``summary`` alone, so listing them imports
    none of the projections, stores or sheet readers behind them; ``tests/cli`` checks that
    each summary is the command's own short help.
    """

    module: str
    attribute: str
    summary: str
    factory_args: tuple[str, ...] | None = None  # None: the attribute is the command itself

    def load(self) -> click.Command:
        target = getattr(importlib.import_module(self.module, __name__), self.attribute)
        command: click.Command = target if self.factory_args is None else target(*self.factory_args)
        return command


def _table(name: str, table: str, summary: str) -> _Lazy:
    return _Lazy("._queries", "table_command", summary, (name, table, summary))


_COMMANDS: dict[str, _Lazy] = {
    "import": _Lazy(
        "._importing",
        "import_command",
        "Import FILE: JSON Lines events (one JSON object per line), or a CSV/XLSX sheet.",
    ),
    "totals": _Lazy(
        "._queries",
        "totals_command",
        "Cumulative totals per receiving country (or per nationality), with low / best / high "
        "and the breakdown.",
        (),
    ),
    "operations": _table(
        "operations",
        "operations",
        "Operations: linked reports merged, corrections and retractions applied.",
    ),
    "timeseries": _table(
        "timeseries", "timeseries", "Cumulative totals per country by month and by year."
    ),
    "remaining": _table(
        "remaining",
        "remaining",
        "Remaining-in-camp estimates per camp and per country, with the age of the baseline.",
    ),
    "reconcile": _table(
        "reconcile",
        "reconciliation",
        "Every cumulative claim beside the ledger's own sum over the same window and scope.",
    ),
    "sources": _table(
        "sources",
        "sources",
        "Sources of the reports in force: publisher, via, address, and how many reports each gave.",
    ),
    "quality": _Lazy(
        "._queries",
        "quality_command",
        "Data-quality findings: breakdowns that do not add up, likely duplicates, and more.",
        (),
    ),
    "events": _Lazy(
        "._queries",
        "events_command",
        "List the recorded events with their ids, for corrections, retractions and links.",
    ),
    "policies": _Lazy(
        "._queries",
        "policies_command",
        "List the policies that choose a figure when reports disagree.",
    ),
    "export": _Lazy(
        "._exporting",
        "export_command",
        "Export the ledger's tables in FORMAT (see `repatevents plugins` for the formats).",
    ),
    "verify": _Lazy(
        "._maintenance",
        "verify_command",
        "Check every record of the ledger against its hash chain.",
    ),
    "rebuild": _Lazy(
        "._maintenance",
        "rebuild_command",
        "Rebuild every projection from the first event, discarding saved checkpoints.",
    ),
    "repair": _Lazy(
        "._maintenance",
        "repair_command",
        "Cut a torn tail off a JSON Lines ledger: a batch whose writing stopped midway.",
    ),
    "copy": _Lazy(
        "._sharing",
        "copy_command",
        "Copy the ledger SOURCE into TARGET, record for record, and verify both.",
    ),
    "setup-postgres": _Lazy(
        "._sharing",
        "setup_postgres_command",
        "Create a shared ledger on a PostgreSQL server, and the roles that may use it.",
    ),
    "plugins": _Lazy(
        "._plugins",
        "plugins_command",
        "List loaded and failed plugins with their hooks and exporters.",
    ),
    "demo": _Lazy(
        "._demo",
        "demo_command",
        "Build a ledger from the example events and write every export into DIRECTORY.",
    ),
}


class _LazyGroup(click.Group):
    """A group whose commands are imported when one runs, so ``--help`` starts fast."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*_COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _COMMANDS:
            self.add_command(_COMMANDS[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click's own listing does, but from the summaries: shortened to the width left.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows: list[tuple[str, str]] = []
        for name in names:
            if name in _COMMANDS and name not in self.commands:
                rows.append((name, _shorten(_COMMANDS[name].summary, limit)))
            elif not self.commands[name].hidden:
                rows.append((name, self.commands[name].get_short_help_str(limit=limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    # click's own rule for a command's short help, applied to a summary without its command.
    return click.Command(None, help=text).get_short_help_str(limit=limit)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--ledger",
    envvar="REPATEVENTS_LEDGER",
    default="repatevents.db",
    show_default=True,
    metavar="PATH",
    help="The ledger file (.db SQLite, .jsonl JSON Lines) or a postgresql://user@host:port/db "
    "URL of a shared ledger. Env: REPATEVENTS_LEDGER.",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
@click.pass_context
def main(ctx: click.Context, ledger: str) -> None:
    """Keep an auditable ledger of repatriations and turn it into numbers you can defend."""
    ctx.obj = Settings(ledger)


def _print_version(ctx: click.Context) -> None:
    # As click.version_option prints it, but the installed version is looked up only when
    # asked for: reading package metadata is a third of the start-up of every other command.
    from importlib.metadata import version

    click.echo(f"{ctx.find_root().info_name or 'repatevents'}, version {version('repatevents')}")
    ctx.exit()


def __getattr__(name: str) -> Callable[..., str]:
    # render_table is public for plugins that print a table as the CLI does; importing the
    # renderer only when it is asked for keeps `repatevents --help` fast.
    if name == "render_table":
        from ._render import render_table

        return render_table
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """Run the command line as the ``repatevents`` script does."""
    with one_line_warnings():
        main(prog_name="repatevents")
