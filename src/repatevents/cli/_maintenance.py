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
from ._sharing import head_hash

__all__ = ["rebuild_command", "repair_command", "verify_command"]


@click.command("verify")
@click.option(
    "--expect",
    metavar="HASH",
    help="A head hash published earlier (verify prints one; 12 or more hex digits): fail "
    "unless the ledger holds the record with that hash, so it reaches that state.",
)
@json_option
@ledger_option
@click.pass_obj
def verify_command(settings: Settings, expect: str | None, as_json: bool) -> None:
    """Check every record of the ledger against its hash chain.

    Prints the head position and the head hash. Publish the head hash beside figures made
    from the ledger (every export carries it too): `verify --expect HASH` later shows that a
    ledger still holds that exact state, which a ledger whose records were edited and every
    hash computed again does not.
    """
    with user_errors(), open_ledger(settings, progress=not as_json) as ledger:
        count = ledger.verify(expect=expect)
        head, last = ledger.head, head_hash(ledger.store)
        reached = None if expect is None else ledger.position_of_hash(expect)
    if as_json:
        answer = {
            "ledger": settings.name,
            "verified": count,
            "intact": True,
            "head": head,
            "head_hash": last,
        }
        if expect is not None:
            answer["expected"] = {"hash": expect, "position": reached}
        echo_json(answer)
        return
    click.echo(
        f"{settings.name}: {count} records verified; the hash chain is intact; head "
        f"position {head}, head hash {last}"
    )
    if reached is not None:
        click.echo(f"the expected hash {expect} is the record at position {reached}")


@click.command("rebuild")
@json_option
@ledger_option
@click.pass_obj
def rebuild_command(settings: Settings, as_json: bool) -> None:
    """Rebuild every projection from the first event, discarding saved checkpoints."""
    with user_errors(), open_ledger(settings, progress=not as_json) as ledger:
        position = ledger.rebuild()
    if as_json:
        echo_json({"ledger": settings.name, "position": position})
    else:
        click.echo(f"{settings.name}: projections rebuilt from zero up to position {position}")


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
        if settings.on_server:
            raise CommandError(
                f"{settings.name} is a PostgreSQL ledger, which needs no repair: the server "
                "rolls an interrupted write back by itself (repair is for .jsonl ledgers)"
            )
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
