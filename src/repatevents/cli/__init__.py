"""The ``repatevents`` command line: import figures, ask the ledger questions, export answers.

Every command works on one ledger file, chosen by ``--ledger PATH`` (before the command or after
it; after it wins) or the ``REPATEVENTS_LEDGER`` environment variable (default:
``repatevents.db`` in the current folder). Answers are printed as tables for people, or as JSON
with ``--json`` for programs. A mistake in what a user typed or sent ends with a one-line
message and a non-zero exit, never a traceback, and leaves the ledger as it was. Notes and
warnings go to stderr, so that stdout stays a table or a JSON document.

This module holds the group and says which commands it has; each command lives with what only
it uses:

- ``_importing``: ``import`` (reading a file, checking it against the ledger, recording it);
- ``_queries``: the table commands, ``events``, ``policies``;
- ``_exporting``: ``export`` and its exporter options;
- ``_maintenance``: ``verify``, ``rebuild``, ``repair``;
- ``_plugins``: the plugin manager with its failures as one line, ``plugins``;
- ``_demo``: ``demo``;

and what they share: ``_context`` (the chosen ledger, user errors, JSON output), ``_options``
(the shared options and the parsing of their values) and ``_render`` (what is printed).
"""

from __future__ import annotations

import click

from ._context import Settings, one_line_warnings
from ._demo import demo_command
from ._exporting import export_command
from ._importing import import_command
from ._maintenance import rebuild_command, repair_command, verify_command
from ._plugins import plugins_command
from ._queries import (
    events_command,
    policies_command,
    quality_command,
    table_command,
    totals_command,
)
from ._render import render_table

__all__ = ["main", "render_table"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--ledger",
    envvar="REPATEVENTS_LEDGER",
    default="repatevents.db",
    show_default=True,
    metavar="PATH",
    help="The ledger file (.db SQLite, .jsonl JSON Lines). Env: REPATEVENTS_LEDGER.",
)
@click.version_option(package_name="repatevents")
@click.pass_context
def main(ctx: click.Context, ledger: str) -> None:
    """Keep an auditable ledger of repatriations and turn it into numbers you can defend."""
    ctx.obj = Settings(ledger)


main.add_command(import_command)
main.add_command(totals_command())
main.add_command(
    table_command(
        "operations",
        "operations",
        "Operations: linked reports merged, corrections and retractions applied.",
    )
)
main.add_command(
    table_command("timeseries", "timeseries", "Cumulative totals per country by month and by year.")
)
main.add_command(
    table_command(
        "remaining",
        "remaining",
        "Remaining-in-camp estimates per camp and per country, with the age of the baseline.",
    )
)
main.add_command(
    table_command(
        "reconcile",
        "reconciliation",
        "Every cumulative claim beside the ledger's own sum over the same window and scope.",
    )
)
main.add_command(quality_command())
main.add_command(events_command)
main.add_command(policies_command)
main.add_command(export_command)
main.add_command(verify_command)
main.add_command(rebuild_command)
main.add_command(repair_command)
main.add_command(plugins_command)
main.add_command(demo_command)


def run() -> None:
    """Run the command line as the ``repatevents`` script does."""
    with one_line_warnings():
        main(prog_name="repatevents")
