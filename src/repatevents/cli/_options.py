"""The options several commands share, and the parsing of their values.

``--ledger`` after a command, the query options (``--as-of``, ``--known-at``, ``--policy``,
``--json``), ``--country``, ``--wide``, ``--json`` and the times ``--generated-at`` takes. A value
that does not parse is a usage error (exit status 2) that names the option and shows the value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import UnknownCountryError, ValidationError
from ._context import Settings

__all__ = [
    "country_option",
    "json_option",
    "ledger_option",
    "parse_generated_at",
    "query",
    "query_options",
    "wide_option",
]

F = TypeVar("F", bound=Callable[..., Any])

_ASCII_DIGITS = re.compile(r"[0-9]+")


def _set_ledger(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Settings).ledger = value


def ledger_option(func: F) -> F:
    """Add ``--ledger PATH`` to a command: given after the command, it wins over the group's."""
    return click.option(
        "--ledger",
        metavar="PATH",
        default=None,
        expose_value=False,
        callback=_set_ledger,
        help="The ledger file or postgresql:// URL, as `repatevents --ledger PATH`; given "
        "here, it wins.",
    )(func)


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date such as 2023-12-31") from None


def _parse_known_at(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | int | None:
    if value is None:
        return None
    # str.isdigit() also says yes to '²' and '٣': a position is ASCII digits only.
    if _ASCII_DIGITS.fullmatch(value):
        return int(value)
    try:
        day = dt.date.fromisoformat(value) if len(value) <= 10 else None
    except ValueError:
        day = None
    if day is not None:
        # "What did we know on 1 March" includes what was recorded on 1 March.
        return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a log position (a whole number) nor a date or time such as "
            "2024-03-01 or 2024-03-01T12:00:00+00:00"
        ) from None
    return _utc(moment)


def parse_generated_at(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | None:
    """Read ``--generated-at``: an ISO time, UTC when it names no offset."""
    if value is None:
        return None
    try:
        return _utc(dt.datetime.fromisoformat(value))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a time such as 2024-03-01T12:00:00Z (UTC)"
        ) from None


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _parse_countries(
    ctx: click.Context, param: click.Parameter, value: Sequence[str]
) -> tuple[str, ...]:
    from ..events import to_country_code

    try:
        return tuple(to_country_code(v, field="--country") for v in value)
    except UnknownCountryError as exc:
        hint = "" if exc.suggestions else "; give an ISO code such as KGZ or a name"
        raise click.BadParameter(f"{exc.query!r} is {exc.rule}{hint}") from None
    except ValidationError as exc:
        raise click.BadParameter(f"{exc.value!r} is invalid: {exc.rule}") from None


def _policy_names() -> list[str]:
    from ..projections import POLICIES

    return sorted(POLICIES)


_KNOWN_AT_HELP = (
    "Only what the ledger held then: a log position, a UTC time, or a day (its end: 2024-03-01 "
    "includes what was recorded on 1 March). This is when events were recorded in this "
    "ledger, not when reports were published (for that, see --as-of)."
)


def query_options(func: F) -> F:
    """Add ``--as-of``, ``--known-at``, ``--policy`` and ``--json``: what a query asks."""
    options = (
        click.option(
            "--as-of",
            callback=_parse_as_of,
            metavar="DATE",
            help="Only what had surely happened by this date (YYYY-MM-DD).",
        ),
        click.option(
            "--known-at",
            callback=_parse_known_at,
            metavar="TIME|DAY|POSITION",
            help=_KNOWN_AT_HELP,
        ),
        click.option(
            "--policy",
            default=None,
            metavar="NAME",
            help="How to choose a figure when reports disagree (see `repatevents policies`).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table."),
    )
    for option in reversed(options):
        func = option(func)
    return func


def query(
    as_of: dt.date | None, known_at: dt.datetime | int | None, policy: str | None
) -> dict[str, Any]:
    """Return the query options as the ledger's keyword arguments, checking ``--policy``."""
    arguments: dict[str, Any] = {"as_of": as_of, "known_at": known_at}
    if policy is not None:
        if policy not in _policy_names():
            raise click.BadParameter(
                f"{policy!r} is not a policy; choose one of {', '.join(_policy_names())}",
                param_hint="--policy",
            )
        arguments["policy"] = policy
    return arguments


def country_option(func: F) -> F:
    """Add ``--country``, repeatable: receiving countries by code or name, read as codes."""
    return click.option(
        "--country",
        "countries",
        multiple=True,
        callback=_parse_countries,
        metavar="COUNTRY",
        help="Only this receiving country (code or name); repeat for more.",
    )(func)


def wide_option(func: F) -> F:
    """Add ``--wide``: print tables without shortening any cell."""
    return click.option(
        "--wide",
        is_flag=True,
        help="Never shorten a cell (by default the table fits the terminal).",
    )(func)


def json_option(func: F) -> F:
    """Add ``--json``: print JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)
