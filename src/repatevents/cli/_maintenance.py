"""Looking after a ledger file: ``verify`` its hash chain, ``rebuild`` projections, ``repair``.

None of these changes what the ledger says: ``rebuild`` only discards saved checkpoints, and
``repair`` cuts only the torn tail of a JSON Lines ledger (a batch whose writing stopped midway),
after showing it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from ._context import CommandError, Settings, echo_json, open_ledger, user_errors
from ._options import json_option, ledger_option

__all__ = ["rebuild_command", "repair_command", "verify_command"]


@click.command("verify")
@json_option
@ledger_option
@click.pass_obj
def verify_command(settings: Settings, as_json: bool) -> None:
    """Check every record of the ledger against its hash chain."""
    with user_errors(), open_ledger(settings, progress=not as_json) as ledger:
        count = ledger.verify()
    if as_json:
        echo_json({"ledger": settings.ledger, "verified": count, "intact": True})
    else:
        click.echo(f"{settings.ledger}: {count} records verified; the hash chain is intact")


@click.command("rebuild")
@json_option
@ledger_option
@click.pass_obj
def rebuild_command(settings: Settings, as_json: bool) -> None:
    """Rebuild every projection from the first event, discarding saved checkpoints."""
    with user_errors(), open_ledger(settings, progress=not as_json) as ledger:
        position = ledger.rebuild()
    if as_json:
        echo_json({"ledger": settings.ledger, "position": position})
    else:
        click.echo(f"{settings.ledger}: projections rebuilt from zero up to position {position}")


@click.command("repair")
@click.option("-y", "--yes", is_flag=True, help="Cut without asking.")
@json_option
@ledger_option
@click.pass_obj
def repair_command(settings: Settings, yes: bool, as_json: bool) -> None:
    """Cut a torn tail off a JSON Lines ledger: a batch whose writing stopped midway.

    Shows the bytes it would cut and asks first (or cuts at once with --yes). Only what follows
    the last complete batch is removed; a line damaged elsewhere is refused, not cut. A SQLite
    ledger needs no repair: SQLite rolls an interrupted write back by itself.
    """
    from ..store import JsonLinesStore

    path = Path(settings.ledger)
    with user_errors():
        if not path.exists():
            raise CommandError(f"no ledger at {str(path)!r}; choose one with --ledger")
        if path.suffix.lower() != ".jsonl":
            raise CommandError(
                f"{path} is a SQLite ledger, which needs no repair: SQLite rolls an interrupted "
                "write back by itself (repair is for .jsonl ledgers)"
            )
        torn = _torn_tail(path)
        if torn:
            click.echo(f"{path} ends with {len(torn)} bytes of a batch never completed:", err=True)
            for text in torn.decode("utf-8", "replace").splitlines()[:5]:
                click.echo(f"  {text[:100]}{'…' if len(text) > 100 else ''}", err=True)
            if not yes and not click.confirm("Cut them? Every complete batch is kept", err=True):
                raise CommandError("nothing was cut")
            torn = JsonLinesStore.repair(path)
        with JsonLinesStore(path) as store:
            head = store.head()
    if as_json:
        echo_json({"ledger": str(path), "removed_bytes": len(torn), "position": head})
    elif torn:
        click.echo(f"{path}: cut {len(torn)} bytes; the log ends at position {head}")
    else:
        click.echo(f"{path}: nothing to repair; the log ends at position {head}")


def _torn_tail(path: Path) -> bytes:
    """Return what ``JsonLinesStore.repair`` would cut, by repairing a copy."""
    from ..store import JsonLinesStore

    with tempfile.TemporaryDirectory(prefix="repatevents-repair-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        return JsonLinesStore.repair(copy)
