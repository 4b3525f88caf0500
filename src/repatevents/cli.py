"""The ``repatevents`` command line: import figures, ask the ledger questions, export answers.

Every command works on one ledger file, chosen by ``--ledger PATH`` or the
``REPATEVENTS_LEDGER`` environment variable (default: ``repatevents.db`` in the current folder).
Answers are printed as tables for people, or as JSON with ``--json`` for programs. A mistake in
what a user typed or sent ends with a one-line message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click

from . import _sheets
from ._tables import Table
from .errors import RepateventsError, ValidationError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

_EXIT_USER_ERROR = 1
_PROGRESS_THRESHOLD = 2_000


class _Settings:
    def __init__(self, ledger: str) -> None:
        self.ledger = ledger


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's errors and file errors into a clean message and exit status 1."""
    try:
        yield
    except ValidationError as exc:
        lines = [f"error: {p}" for p in exc.problems[:50]]
        if len(exc.problems) > 50:
            lines.append(f"error: … and {len(exc.problems) - 50} more problems")
        click.echo("\n".join(lines), err=True)
        sys.exit(_EXIT_USER_ERROR)
    except (RepateventsError, OSError) as exc:
        click.echo(f"error: {_one_line(exc)}", err=True)
        sys.exit(_EXIT_USER_ERROR)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    return " ".join(str(exc).split())


def _open_ledger(settings: _Settings, *, create: bool = False) -> Any:
    from ._ledger import Ledger

    path = Path(settings.ledger)
    if not create and not path.exists():
        raise click.ClickException(
            f"no ledger at {str(path)!r}; import a file first or choose one with --ledger"
        )
    return Ledger.open(path)


# -- option parsing ---------------------------------------------------------------------------
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
    if value.isdigit():
        return int(value)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a log position (a whole number) nor a time such as "
            "2024-03-01T12:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _parse_countries(
    ctx: click.Context, param: click.Parameter, value: Sequence[str]
) -> tuple[str, ...]:
    from .events import to_country_code

    try:
        return tuple(to_country_code(v, field="--country") for v in value)
    except ValidationError as exc:
        raise click.BadParameter(exc.rule) from None


def _policy_names() -> list[str]:
    from .projections import POLICIES

    return sorted(POLICIES)


def _query_options(func: F) -> F:
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
            metavar="TIME|POSITION",
            help="Only what the ledger held then: a UTC time or a log position.",
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


def _country_option(func: F) -> F:
    return click.option(
        "--country",
        "countries",
        multiple=True,
        callback=_parse_countries,
        metavar="COUNTRY",
        help="Only this receiving country (code or name); repeat for more.",
    )(func)


# -- output -----------------------------------------------------------------------------------
def _cell_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _filter_rows(table: Table, countries: Sequence[str]) -> Table:
    if not countries or "country" not in (c.name for c in table.columns):
        return table
    index = [c.name for c in table.columns].index("country")
    rows = [row for row in table.rows if row[index] in countries]
    return Table(table.name, table.title, table.columns, rows, table.description)


def _echo_table(table: Table, as_json: bool) -> None:
    if as_json:
        records = [{k: _json_cell(v) for k, v in r.items()} for r in table.records()]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    click.echo(render_table(table))


def render_table(table: Table, max_width: int = 40) -> str:
    """Return a table as aligned text for a terminal.

    For reading, each low / best / high triple becomes one column ("329" when they agree,
    "191 (191–329)" when they do not), columns no row fills are left out, and long cells are
    shortened. ``--json`` output keeps every column.
    """
    headers, cells = _human_columns(table)
    body = [[_shorten(c, max_width) for c in row] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, (h, _) in enumerate(headers)]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, (_, right) in zip(row, widths, headers, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [table.title, "", line([h for h, _ in headers]), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    if not body:
        out.append("(no rows)")
    return "\n".join(out)


def _human_columns(table: Table) -> tuple[list[tuple[str, bool]], list[list[str]]]:
    names = [c.name for c in table.columns]
    headers: list[tuple[str, bool]] = []
    getters: list[Callable[[Sequence[Any]], str]] = []
    skip: set[int] = set()
    for i, column in enumerate(table.columns):
        if i in skip or all(row[i] is None for row in table.rows):
            continue
        stem = column.name.removesuffix("_low")
        if column.name.endswith("_low") and f"{stem}_best" in names and f"{stem}_high" in names:
            lo, best, hi = i, names.index(f"{stem}_best"), names.index(f"{stem}_high")
            skip.update((best, hi))
            title = column.title.replace(" (low)", "")
            headers.append((title, True))
            getters.append(partial(_range_cell, lo, best, hi))
            continue
        numeric = column.type.value in ("integer", "number")
        headers.append((column.title, numeric))
        getters.append(partial(_one_cell, i))
    return headers, [[get(row) for get in getters] for row in table.rows]


def _one_cell(index: int, row: Sequence[Any]) -> str:
    return _cell_text(row[index])


def _range_cell(low: int, best: int, high: int, row: Sequence[Any]) -> str:
    return _range_text(row[low], row[best], row[high])


def _range_text(low: Any, best: Any, high: Any) -> str:
    if best is None:
        return "–"
    if low == best == high:
        return _cell_text(best)
    upper = "∞" if high is None else _cell_text(high)
    return f"{_cell_text(best)} ({_cell_text(low)}–{upper})"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- commands ---------------------------------------------------------------------------------
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
    ctx.obj = _Settings(ledger)


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate the whole file and record nothing.")
@click.option(
    "--map",
    "column_map",
    default="",
    metavar="THEIRS=OURS,…",
    help="Rename a sheet's columns to the documented ones, e.g. 'Nation=country,When=date'.",
)
@click.pass_obj
def import_command(settings: _Settings, file: Path, dry_run: bool, column_map: str) -> None:
    """Import FILE: JSON Lines events, or a CSV/XLSX sheet of operations.

    The whole file is validated first; either all of it is recorded or none of it, and every
    problem is listed by line (row) and field (column). Importing the same file again records
    nothing new.
    """
    with _user_errors():
        events = _read_import(file, column_map)
        if dry_run:
            click.echo(f"{file}: {len(events)} events valid; nothing recorded (dry run)")
            return
        with _open_ledger(settings, create=True) as ledger:
            before = ledger.head
            after = ledger.record_many(events)
        new = after - before
        click.echo(
            f"{file}: {len(events)} events read, {new} recorded, "
            f"{len(events) - new} already in the ledger; ledger {settings.ledger} is at "
            f"position {after}"
        )


def _read_import(file: Path, column_map: str) -> list[Any]:
    from .events import read_jsonl

    if not file.exists():
        raise OSError(2, "no such file", str(file))
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        if column_map:
            raise click.UsageError("--map applies to CSV and XLSX sheets, not to JSON Lines")
        return read_jsonl(file)
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise click.UsageError(
            f"cannot import {file.name!r}: expected a .jsonl, .csv or .xlsx file"
        )
    mapping = _sheets.parse_column_map(column_map)
    rows = _count_rows(file) if suffix == ".csv" else 0
    if rows > _PROGRESS_THRESHOLD:
        with click.progressbar(length=rows, label=f"reading {file.name}", file=sys.stderr) as bar:
            seen = 0

            def advance(count: int) -> None:
                nonlocal seen
                bar.update(count - seen)
                seen = count

            events = _sheets.read_operations_sheet(file, column_map=mapping, progress=advance)
            bar.update(rows - seen)
        return events
    return _sheets.read_operations_sheet(file, column_map=mapping)


def _count_rows(file: Path) -> int:
    with open(file, "rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)


def _table_command(name: str, table_name: str, summary: str, with_country: bool = True) -> None:
    def command(
        settings: _Settings,
        as_of: dt.date | None,
        known_at: dt.datetime | int | None,
        policy: str | None,
        as_json: bool,
        countries: tuple[str, ...] = (),
    ) -> None:
        with _user_errors():
            with _open_ledger(settings) as ledger:
                tables = ledger.tables(**_query(as_of, known_at, policy))
            _echo_table(_filter_rows(tables[table_name], countries), as_json)

    command.__doc__ = summary
    decorated = _query_options(command)
    if with_country:
        decorated = _country_option(decorated)
    main.command(name)(click.pass_obj(decorated))


def _query(
    as_of: dt.date | None, known_at: dt.datetime | int | None, policy: str | None
) -> dict[str, Any]:
    query: dict[str, Any] = {"as_of": as_of, "known_at": known_at}
    if policy is not None:
        if policy not in _policy_names():
            raise click.BadParameter(
                f"{policy!r} is not a policy; choose one of {', '.join(_policy_names())}",
                param_hint="--policy",
            )
        query["policy"] = policy
    return query


_table_command(
    "totals",
    "totals",
    "Cumulative totals per receiving country, with low / best / high and the breakdown.",
)
_table_command(
    "operations",
    "operations",
    "Operations: linked reports merged, corrections and retractions applied.",
)
_table_command("timeseries", "timeseries", "Cumulative totals per country by month and by year.")
_table_command(
    "remaining",
    "remaining",
    "Remaining-in-camp estimates per camp and per country, with the age of the baseline.",
)
_table_command(
    "reconcile",
    "reconciliation",
    "Every cumulative claim beside the ledger's own sum over the same window and scope.",
)
_table_command(
    "quality",
    "quality",
    "Data-quality findings: breakdowns that do not add up, likely duplicates, and more.",
    with_country=False,
)


@main.command("policies")
def policies_command() -> None:
    """List the policies that choose a figure when reports disagree."""
    from .projections import DEFAULT_POLICY, POLICIES

    for name in sorted(POLICIES):
        marker = " (default)" if name == DEFAULT_POLICY else ""
        click.echo(f"{name}{marker}: {POLICIES[name].description}")


@main.command("export")
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
@_query_options
@click.pass_obj
def export_command(
    settings: _Settings,
    format_name: str,
    output: Path,
    table_names: tuple[str, ...],
    as_of: dt.date | None,
    known_at: dt.datetime | int | None,
    policy: str | None,
    as_json: bool,
) -> None:
    """Export the ledger's tables in FORMAT (see `repatevents plugins` for the formats)."""
    with _user_errors(), _open_ledger(settings) as ledger:
        written = ledger.export(
            format_name,
            output,
            tables=list(table_names) or None,
            **_query(as_of, known_at, policy),
        )
    if as_json:
        click.echo(json.dumps({"format": format_name, "written": [str(p) for p in written]}))
    else:
        for path in written:
            click.echo(f"wrote {path}")


@main.command("verify")
@click.pass_obj
def verify_command(settings: _Settings) -> None:
    """Check every record of the ledger against its hash chain."""
    with _user_errors(), _open_ledger(settings) as ledger:
        count = ledger.verify()
    click.echo(f"{settings.ledger}: {count} records verified; the hash chain is intact")


@main.command("rebuild")
@click.pass_obj
def rebuild_command(settings: _Settings) -> None:
    """Rebuild every projection from the first event, discarding saved checkpoints."""
    with _user_errors(), _open_ledger(settings) as ledger:
        position = ledger.rebuild()
    click.echo(f"{settings.ledger}: projections rebuilt from zero up to position {position}")


@main.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def plugins_command(as_json: bool) -> None:
    """List loaded and failed plugins with their hooks and exporters."""
    from ._plugins import describe_plugins

    report = describe_plugins()
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for plugin in report["plugins"]:
        status = plugin.get("status", "loaded")
        click.echo(f"{plugin['name']} ({status})")
        if plugin.get("hooks"):
            click.echo(f"  hooks: {', '.join(plugin['hooks'])}")
        if plugin.get("exporters"):
            click.echo(f"  exporters: {', '.join(plugin['exporters'])}")
        if plugin.get("error"):
            click.echo(f"  error: {plugin['error']}")


@main.command("demo")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def demo_command(directory: Path | None) -> None:
    """Build a ledger from the example events and write every export into DIRECTORY.

    DIRECTORY defaults to ./repatevents-demo. The totals table is printed at the end.
    """
    from importlib.resources import as_file, files

    from ._ledger import Ledger
    from ._plugins import get_plugin_manager, registered_exporters
    from .events import read_jsonl

    target = directory or Path("repatevents-demo")
    with _user_errors():
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
            exporters = registered_exporters(get_plugin_manager())
            for name, exporter in sorted(exporters.items()):
                for path in ledger.export(name, target / f"repatriations.{exporter.extension}"):
                    click.echo(f"wrote {path}")
            click.echo("")
            click.echo(render_table(ledger.tables()["totals"]))


def run() -> None:
    """Run the command line as the ``repatevents`` script does."""
    main(prog_name="repatevents")


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    run()
