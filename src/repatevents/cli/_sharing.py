"""Sharing a ledger: ``setup-postgres`` prepares a server, ``copy`` moves a ledger to it (or back).

Both are thin shells: :meth:`repatevents.store.PostgresStore.setup` and
:func:`repatevents.store.copy_store` do the work, and a server's password is never printed.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..store import (
    GENESIS_HASH,
    READER_ROLE,
    WRITER_ROLE,
    EventStore,
    copy_store,
    is_postgres_url,
    last_hash,
    without_password,
)
from ._context import CommandError, echo_json, user_errors
from ._options import json_option

__all__ = ["copy_command", "head_hash", "setup_postgres_command"]


def head_hash(store: EventStore) -> str:
    """The hash of a store's last record (the genesis hash for an empty one), as printed."""
    return last_hash(store) or GENESIS_HASH


def _open(location: str, *, create: bool) -> EventStore:
    """Open a ledger by file or URL; one to read must exist (a file is never made empty)."""
    from ..store import PostgresStore, open_store

    if is_postgres_url(location):
        return PostgresStore(location, create=create)
    if not create and not Path(location).exists():
        raise CommandError(f"no ledger at {location!r}; name an existing file or a server")
    return open_store(location)


@click.command("copy")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar="TARGET")
@json_option
def copy_command(source: str, target: str, as_json: bool) -> None:
    """Copy the ledger SOURCE into TARGET, record for record, and verify both.

    Each is a file (.db SQLite, .jsonl JSON Lines) or a postgresql:// URL. Positions,
    recording times and hashes are kept, so both verify with the same head hash. TARGET must
    be empty or hold the beginning of SOURCE (a copy that stopped is resumed). Checkpoints are
    not copied: they are rebuilt from the log.
    """
    names = without_password(source), without_password(target)
    with user_errors(), _open(source, create=False) as reader:
        before = 0
        with _open(target, create=True) as writer:
            before = writer.head()
            head = copy_store(reader, writer)
            verified = reader.verify(), writer.verify()
            hashes = head_hash(reader), head_hash(writer)
        if hashes[0] != hashes[1] or verified[0] != verified[1]:
            raise CommandError(
                f"the copy does not match: {names[0]} verifies {verified[0]} records ending in "
                f"{hashes[0]}, {names[1]} {verified[1]} ending in {hashes[1]}"
            )
    if as_json:
        echo_json(
            {
                "source": names[0],
                "target": names[1],
                "copied": head - before,
                "verified": verified[0],
                "head_hash": hashes[0],
            }
        )
    else:
        click.echo(
            f"{names[0]} -> {names[1]}: {head - before} records copied; both verify "
            f"{verified[0]} records with head hash {hashes[0]}"
        )


@click.command("setup-postgres")
@click.argument("url", metavar="URL")
@click.option(
    "--writer-role",
    default=WRITER_ROLE,
    show_default=True,
    help="The group role that may read the log and append to it.",
)
@click.option(
    "--reader-role",
    default=READER_ROLE,
    show_default=True,
    help="The group role that may only read.",
)
@json_option
def setup_postgres_command(url: str, writer_role: str, reader_role: str, as_json: bool) -> None:
    """Create a shared ledger on a PostgreSQL server, and the roles that may use it.

    Run once, as the database's owner, with URL a postgresql://user@host:port/dbname address
    (a schema=NAME parameter chooses the schema; default repatevents). The writers' role may
    read and append but never change or delete a record; the readers' role may only read.
    Give people their own login roles in one of them.
    """
    from ..store import PostgresStore

    if not is_postgres_url(url):
        raise CommandError(f"{url!r} is not a postgresql:// URL")
    with user_errors():
        store = PostgresStore.setup(url, writer_role=writer_role, reader_role=reader_role)
        with store:
            schema, head = store.schema, store.head()
    name = without_password(url)
    if as_json:
        echo_json(
            {
                "ledger": name,
                "schema": schema,
                "position": head,
                "writer_role": writer_role,
                "reader_role": reader_role,
            }
        )
        return
    click.echo(
        f"{name}: the ledger in schema {schema!r} is ready (position {head}); "
        f"{writer_role} may read and append, {reader_role} may only read.\n"
        f"Give each person a login in one of them, for example:\n"
        f"  CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE {writer_role};"
    )
