"""The ``demo`` command: a ledger of the shipped example events, and every export of it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from ._context import user_errors
from ._plugins import plugin_manager
from ._render import render_table, terminal_width

__all__ = ["demo_command"]


@click.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo_command(directory: Path | None) -> None:
    """Build a ledger from the example events and write every export into DIRECTORY.

    DIRECTORY defaults to ./repatevents-demo. The totals table is printed at the end.
    """
    from importlib.resources import as_file, files

    from .._ledger import Ledger
    from .._plugins import registered_exporters
    from ..events import read_jsonl

    target = directory or Path("repatevents-demo")
    with user_errors(), plugin_manager() as manager:
        target.mkdir(parents=True, exist_ok=True)
        with as_file(files("repatevents.data") / "example_ledger.jsonl") as example:
            events = read_jsonl(example)
        ledger_path = target / "ledger.db"
        for stale in (ledger_path, Path(f"{ledger_path}-wal"), Path(f"{ledger_path}-shm")):
            stale.unlink(missing_ok=True)
        with Ledger.open(ledger_path) as ledger:
            ledger.record_many(events)
            click.echo(f"recorded {len(events)} example events in {ledger_path}")
            by_type = Counter(event.TYPE for event in events)
            for type_name, count in sorted(by_type.items()):
                click.echo(f"  {type_name:<28}{count:>4}")
            for name, exporter in sorted(registered_exporters(manager).items()):
                file = target / f"repatriations.{exporter.extension}"
                for path in ledger.export(name, file, plugin_manager=manager):
                    click.echo(f"wrote {path}")
            click.echo("")
            click.echo(
                render_table(ledger.tables(names=["totals"])["totals"], width=terminal_width())
            )
