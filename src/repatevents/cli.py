"""The ``repatevents`` command line: import figures, ask the ledger questions, export answers.

Every command works on one ledger file, chosen by ``--ledger PATH`` (before the command or after
it; after it wins) or the ``REPATEVENTS_LEDGER`` environment variable (default:
``repatevents.db`` in the current folder). Answers are printed as tables for people, or as JSON
with ``--json`` for programs. A mistake in what a user typed or sent ends with a one-line
message and a non-zero exit, never a traceback, and leaves the ledger as it was. Notes and
warnings go to stderr, so that stdout stays a table or a JSON document.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from . import _sheets
from ._render import (
    dangling_warning,
    empty_past_note,
    event_record,
    events_table,
    json_cell,
    plugin_warning_lines,
    render_table,
    terminal_width,
)
from ._tables import Table
from .errors import (
    ConcurrencyError,
    CorruptLogError,
    DuplicateEventError,
    ExportError,
    FieldProblem,
    RepateventsError,
    RepateventsWarning,
    UnknownCountryError,
    ValidationError,
)

if TYPE_CHECKING:
    from ._ledger import Ledger
    from ._plugins import RepateventsPluginManager
    from .events import Event
    from .exporters import Exporter

__all__ = ["main", "render_table"]

F = TypeVar("F", bound=Callable[..., Any])

_EXIT_USER_ERROR = 1
_PROGRESS_THRESHOLD = 2_000
_IMPORT_RETRIES = 5
_ASCII_DIGITS = re.compile(r"[0-9]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class _Settings:
    def __init__(self, ledger: str) -> None:
        self.ledger = ledger


class _CommandError(click.ClickException):
    """A user's mistake the library does not know about, shown like the library's errors."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


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
    text = " ".join(str(exc).split())
    if isinstance(exc, CorruptLogError):
        # The store speaks to Python callers; a CLI user has a command for it.
        command = f"`repatevents --ledger {exc.path} repair`"
        text = text.replace("JsonLinesStore.repair(path) removes them", f"{command} removes them")
    return text


def _open_ledger(settings: _Settings, *, create: bool = False) -> Ledger:
    from ._ledger import Ledger

    path = Path(settings.ledger)
    if not create and not path.exists():
        raise _CommandError(
            f"no ledger at {str(path)!r}; import a file first or choose one with --ledger"
        )
    return Ledger.open(path)


@contextmanager
def _plugin_manager() -> Iterator[RepateventsPluginManager]:
    """Build the plugin manager and print each plugin failure as one line on stderr.

    The library warns (a ``RepateventsWarning``) for each plugin that fails; printed by Python
    that is two lines with a source line of ours. Here each becomes ``warning: plugin NAME: …``,
    printed when the manager is no longer used (also when the command fails).
    """
    from ._plugins import get_plugin_manager

    manager: RepateventsPluginManager | None = None
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always", RepateventsWarning)
            try:
                manager = get_plugin_manager()
                yield manager
            finally:
                caught = list(recorded)
    finally:
        _echo_plugin_warnings(manager, caught)


def _echo_plugin_warnings(
    manager: RepateventsPluginManager | None, caught: Sequence[warnings.WarningMessage]
) -> None:
    ours = [str(w.message) for w in caught if issubclass(w.category, RepateventsWarning)]
    failed = manager.failed() if manager is not None else []
    for line in plugin_warning_lines(failed, ours):
        click.echo(line, err=True)
    for other in caught:
        if not issubclass(other.category, RepateventsWarning):
            # Not ours to reword: let the filters in force decide, as without us.
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


# -- option parsing ---------------------------------------------------------------------------
def _set_ledger(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(_Settings).ledger = value


def _ledger_option(func: F) -> F:
    return click.option(
        "--ledger",
        metavar="PATH",
        default=None,
        expose_value=False,
        callback=_set_ledger,
        help="The ledger file, as `repatevents --ledger PATH`; given here, it wins.",
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


def _parse_generated_at(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | None:
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
    from .events import to_country_code

    try:
        return tuple(to_country_code(v, field="--country") for v in value)
    except UnknownCountryError as exc:
        hint = "" if exc.suggestions else "; give an ISO code such as KGZ or a name"
        raise click.BadParameter(f"{exc.query!r} is {exc.rule}{hint}") from None
    except ValidationError as exc:
        raise click.BadParameter(f"{exc.value!r} is invalid: {exc.rule}") from None


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


def _policy_names() -> list[str]:
    from .projections import POLICIES

    return sorted(POLICIES)


_KNOWN_AT_HELP = (
    "Only what the ledger held then: a log position, a UTC time, or a day (its end: 2024-03-01 "
    "includes what was recorded on 1 March). This is when events were recorded in this "
    "ledger, not when reports were published (for that, see --as-of)."
)


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


def _country_option(func: F) -> F:
    return click.option(
        "--country",
        "countries",
        multiple=True,
        callback=_parse_countries,
        metavar="COUNTRY",
        help="Only this receiving country (code or name); repeat for more.",
    )(func)


def _wide_option(func: F) -> F:
    return click.option(
        "--wide",
        is_flag=True,
        help="Never shorten a cell (by default the table fits the terminal).",
    )(func)


def _json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(func)


# -- output -----------------------------------------------------------------------------------
def _filter_rows(table: Table, countries: Sequence[str]) -> Table:
    if not countries or "country" not in (c.name for c in table.columns):
        return table
    index = [c.name for c in table.columns].index("country")
    rows = [row for row in table.rows if row[index] in countries]
    return Table(table.name, table.title, table.columns, rows, table.description)


def _echo_table(table: Table, as_json: bool, wide: bool = False) -> None:
    if as_json:
        records = [{k: json_cell(v) for k, v in r.items()} for r in table.records()]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    click.echo(render_table(table, width=terminal_width(), wide=wide))


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _note_empty_past(ledger: Ledger, known_at: dt.datetime | int | None) -> None:
    """Say on stderr when a known-at time is before the ledger's first record."""
    if isinstance(known_at, dt.datetime):
        first = next(iter(ledger.store.read(0, upto=1)), None)
        if first is not None and first.recorded_at > known_at:
            click.echo(empty_past_note(known_at, first.recorded_at), err=True)


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
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate the whole file against the ledger and record nothing.",
)
@click.option(
    "--map",
    "column_map",
    default="",
    metavar="THEIRS=OURS,…",
    help="Rename a sheet's columns to the documented ones, e.g. 'Nation=country,When=date'.",
)
@click.option(
    "--ignore-unknown-columns",
    is_flag=True,
    help="Leave out a sheet's columns that are not documented ones, instead of refusing the "
    "sheet (a misspelt column is then lost too).",
)
@_json_option
@_ledger_option
@click.pass_obj
def import_command(
    settings: _Settings,
    file: Path,
    dry_run: bool,
    column_map: str,
    ignore_unknown_columns: bool,
    as_json: bool,
) -> None:
    """Import FILE: JSON Lines events (one JSON object per line), or a CSV/XLSX sheet.

    The whole file is validated first; either all of it is recorded or none of it, and every
    problem is listed by line (row) and field (column). An id the ledger already holds with
    other content is refused; --dry-run checks that too. Importing the same file again records
    nothing new. A correction, retraction, link or adjudication naming an event that is neither
    in the ledger nor in the file is recorded with a warning: the report may come later.
    """
    with _user_errors():
        events, lines = _read_import(file, column_map, ignore_unknown_columns)
        _check_batch(events, lines, _NOTHING)
        new, head = (_try_import if dry_run else _import)(settings, events, lines)
    report = {
        "file": str(file),
        "read": len(events),
        "recorded": 0 if dry_run else new,
        "already_in_ledger": len(events) - new,
        "position": head,
        "dry_run": dry_run,
    }
    if as_json:
        _echo_json(report)
    elif dry_run:
        click.echo(f"{file}: {len(events)} events valid, {new} new; nothing recorded (dry run)")
    else:
        click.echo(
            f"{file}: {len(events)} events read, {new} recorded, {len(events) - new} already in "
            f"the ledger; ledger {settings.ledger} is at position {head}"
        )


def _try_import(
    settings: _Settings, events: list[Event], lines: Sequence[int | None]
) -> tuple[int, int]:
    """Check a batch against the ledger as recording would; return (new events, head)."""
    head, view = 0, _NOTHING
    if Path(settings.ledger).exists():
        with _open_ledger(settings) as ledger:
            head = ledger.head
            view = _scan_ledger(ledger, {e.id for e in events} | _references(events))
    _check_batch(events, lines, view)
    for found in _dangling(events, lines, view):
        click.echo(dangling_warning(*found, recorded=False), err=True)
    return len({e.id for e in events} - view.events.keys()), head


def _import(
    settings: _Settings, events: list[Event], lines: Sequence[int | None]
) -> tuple[int, int]:
    """Record a batch (all or nothing); return (events recorded, head)."""
    with _open_ledger(settings, create=True) as ledger:
        # Only references the file itself cannot resolve need a look at the ledger.
        view = _scan_ledger(ledger, _references(events) - _ids(events))
        before, after = _record(ledger, events, lines)
    for found in _dangling(events, lines, view):
        click.echo(dangling_warning(*found, recorded=True), err=True)
    return after - before, after


class _LedgerView(NamedTuple):
    """What an import needs to know of a ledger: some of its events, and which ids it holds."""

    events: dict[uuid.UUID, tuple[int, Event]]
    known: frozenset[uuid.UUID]


_NOTHING = _LedgerView({}, frozenset())
_CHANGE_IS_A_CORRECTION = "a change to a recorded event must be a new report-corrected event"


def _ids(events: Sequence[Event]) -> set[uuid.UUID]:
    """The ids events can be referred to by: their own, and a correction's replacement's."""
    from .events import ReportCorrected

    ids = {e.id for e in events}
    ids.update(e.replacement.id for e in events if isinstance(e, ReportCorrected))
    return ids


def _references_of(event: Event) -> list[tuple[str, uuid.UUID]]:
    from .events import FigureAdjudicated, ReportCorrected, ReportRetracted, ReportsLinked

    if isinstance(event, ReportCorrected):
        return [("supersedes", event.supersedes)]
    if isinstance(event, ReportRetracted):
        return [("retracts", event.retracts)]
    if isinstance(event, FigureAdjudicated):
        return [("report", event.report)]
    if isinstance(event, ReportsLinked):
        return [("reports", report) for report in event.reports]
    return []


def _references(events: Sequence[Event]) -> set[uuid.UUID]:
    return {ref for event in events for _, ref in _references_of(event)}


def _scan_ledger(ledger: Ledger, wanted: set[uuid.UUID]) -> _LedgerView:
    """Read the ledger once for the ids wanted: which it holds, and the events stored under them.

    Costs a read of the whole log (O(events)); skipped when nothing is wanted.
    """
    from .events import ReportCorrected

    found: dict[uuid.UUID, tuple[int, Event]] = {}
    known: set[uuid.UUID] = set()
    if wanted:
        for envelope in ledger.store.read():
            event = envelope.event
            if event.id in wanted:
                found[event.id] = (envelope.position, event)
                known.add(event.id)
            if isinstance(event, ReportCorrected) and event.replacement.id in wanted:
                known.add(event.replacement.id)
    return _LedgerView(found, frozenset(known))


def _check_batch(events: Sequence[Event], lines: Sequence[int | None], view: _LedgerView) -> None:
    """Refuse ids given other content: earlier in the file, or in the ledger (as the store would).

    Raises:
        ValidationError: one problem per such event, at its line.
    """
    problems: list[FieldProblem] = []
    first: dict[uuid.UUID, tuple[int | None, Event]] = {}
    for event, line in zip(events, lines, strict=True):
        stored = view.events.get(event.id)
        earlier = first.setdefault(event.id, (line, event))
        if stored is not None and stored[1] != event:
            rule = f"already stored at position {stored[0]} with other content"
        elif earlier[1] != event:
            where = f"line {earlier[0]}" if earlier[0] is not None else "an earlier row"
            rule = f"{where} of this file gives this id to other content"
        else:
            continue
        problems.append(
            FieldProblem(
                "id",
                str(event.id),
                f"{rule}; {_CHANGE_IS_A_CORRECTION}",
                line,
            )
        )
    if problems:
        raise ValidationError(problems)


def _dangling(
    events: Sequence[Event], lines: Sequence[int | None], view: _LedgerView
) -> list[tuple[int | None, str, str]]:
    """Return (line, field, id) for each reference to an event neither file nor ledger holds."""
    resolvable = _ids(events) | view.known
    return [
        (line, field, str(ref))
        for event, line in zip(events, lines, strict=True)
        for field, ref in _references_of(event)
        if ref not in resolvable
    ]


def _record(ledger: Ledger, events: list[Event], lines: Sequence[int | None]) -> tuple[int, int]:
    for attempt in range(_IMPORT_RETRIES):
        before = ledger.head
        try:
            return before, ledger.record_many(events, expected_position=before)
        except ConcurrencyError:
            # Another writer got in between: count against its new head.
            if attempt == _IMPORT_RETRIES - 1:
                raise
        except DuplicateEventError as exc:
            # The store compares ids with the whole log; the user needs the file's line.
            lines_of = dict(zip((str(e.id) for e in events), lines, strict=True))
            raise ValidationError(
                FieldProblem(
                    "id",
                    str(exc.event_id),
                    f"already stored at position {exc.position} with other content; "
                    f"{_CHANGE_IS_A_CORRECTION}",
                    lines_of.get(str(exc.event_id)),
                )
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _read_import(
    file: Path, column_map: str, ignore_unknown: bool
) -> tuple[list[Event], list[int | None]]:
    """Read a file to import; return its events and the line each came from (when known)."""
    from .events import read_jsonl

    if not file.exists():
        raise OSError(2, "no such file", str(file))
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        if column_map or ignore_unknown:
            option = "--map" if column_map else "--ignore-unknown-columns"
            raise click.UsageError(f"{option} applies to CSV and XLSX sheets, not to JSON Lines")
        _refuse_plain_json(file)
        events = read_jsonl(file)
        with open(file, "rb") as stream:
            lines: list[int | None] = [n for n, text in enumerate(stream, 1) if text.strip()]
        return events, lines
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise click.UsageError(
            f"cannot import {file.name!r}: expected a .jsonl, .csv or .xlsx file"
        )
    events = _read_sheet(file, _sheets.parse_column_map(column_map), ignore_unknown)
    # The sheet reader does not say which row each event came from.
    return events, [None] * len(events)


def _refuse_plain_json(file: Path) -> None:
    """Refuse a JSON document spread over lines (read as JSON Lines, each line would be wrong)."""
    with open(file, "rb") as stream:
        head = stream.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    first_line = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"["):
        shape, jq = "a JSON array", "'.[]'"
    elif first_line == b"{":
        shape, jq = "one JSON object spread over several lines", "."
    else:
        return
    raise _CommandError(
        f"{file}: the file is {shape}; import reads one JSON object per line (JSON Lines). "
        f"Convert it with: jq -c {jq} {file.name} > {file.stem}.jsonl"
    )


def _read_sheet(file: Path, mapping: Mapping[str, str], ignore_unknown: bool) -> list[Event]:
    read = partial(
        _sheets.read_operations_sheet,
        file,
        column_map=mapping,
        ignore_unknown_columns=ignore_unknown,
    )
    rows = _count_rows(file) if file.suffix.lower() == ".csv" else 0
    if rows <= _PROGRESS_THRESHOLD:
        return read()
    with click.progressbar(length=rows, label=f"reading {file.name}", file=sys.stderr) as bar:
        seen = 0

        def advance(count: int) -> None:
            nonlocal seen
            bar.update(count - seen)
            seen = count

        events = read(progress=advance)
        bar.update(rows - seen)
    return events


def _count_rows(file: Path) -> int:
    with open(file, "rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)


def _table_command(name: str, table_name: str, summary: str) -> None:
    def command(
        settings: _Settings,
        as_of: dt.date | None,
        known_at: dt.datetime | int | None,
        policy: str | None,
        as_json: bool,
        countries: tuple[str, ...],
        wide: bool,
    ) -> None:
        with _user_errors():
            with _open_ledger(settings) as ledger:
                tables = ledger.tables(**_query(as_of, known_at, policy))
                _note_empty_past(ledger, known_at)
            _echo_table(_filter_rows(tables[table_name], countries), as_json, wide)

    command.__doc__ = summary
    decorated = _wide_option(_country_option(_query_options(command)))
    main.command(name)(_ledger_option(click.pass_obj(decorated)))


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
)


@main.command("events")
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Only events of this type (operation-reported, report-corrected …); repeatable.",
)
@_country_option
@_json_option
@_wide_option
@_ledger_option
@click.pass_obj
def events_command(
    settings: _Settings,
    types: tuple[str, ...],
    countries: tuple[str, ...],
    as_json: bool,
    wide: bool,
) -> None:
    """List the recorded events with their ids, for corrections, retractions and links.

    Each row is one record of the log: position, id, type, when it was recorded (UTC), the
    receiving country, the place, the date, the total, and the ids it refers to. A correction
    shows its replacement's figures.
    """
    from .events import EVENT_TYPES

    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]!r} is not an event type; choose one of {', '.join(sorted(EVENT_TYPES))}",
            param_hint="--type",
        )
    with _user_errors(), _open_ledger(settings) as ledger:
        records = [
            record
            for record in map(event_record, ledger.store.read())
            if (not types or record["type"] in types)
            and (not countries or record["country"] in countries)
        ]
    if as_json:
        _echo_json(records)
    else:
        click.echo(render_table(events_table(records), width=terminal_width(), wide=wide))


@main.command("policies")
@_json_option
def policies_command(as_json: bool) -> None:
    """List the policies that choose a figure when reports disagree."""
    from .projections import DEFAULT_POLICY, POLICIES

    if as_json:
        _echo_json(
            [
                {"name": n, "description": POLICIES[n].description, "default": n == DEFAULT_POLICY}
                for n in sorted(POLICIES)
            ]
        )
        return
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
    callback=_parse_generated_at,
    metavar="TIME",
    help="The generation time to write (ISO, UTC; default: now), so that two exports of the "
    "same ledger and query are byte-identical.",
)
@_query_options
@_ledger_option
@click.pass_obj
def export_command(
    settings: _Settings,
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
    from ._plugins import registered_exporters

    with _user_errors(), _plugin_manager() as manager:
        exporter = registered_exporters(manager).get(format_name)
        values = _exporter_options(exporter, options) if exporter else {}
        with _open_ledger(settings) as ledger:
            _note_empty_past(ledger, known_at)
            try:
                written = ledger.export(
                    format_name,
                    output,
                    tables=list(table_names) or None,
                    generated_at=generated_at,
                    plugin_manager=manager,
                    **_query(as_of, known_at, policy),
                    **values,
                )
            except ExportError as exc:
                if values and isinstance(exc.__cause__, TypeError):
                    raise _CommandError(
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
            raise _CommandError(f"the {exporter.name!r} exporter has no option {name!r}; {takes}")
        default = accepted[name]
        value = _option_value(text, default)
        if isinstance(default, bool) and not isinstance(value, bool):
            raise _CommandError(
                f"option {name!r} of {exporter.name!r} is true or false, not {text!r}"
            )
        if type(default) is int and type(value) is not int:
            raise _CommandError(
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


@main.command("verify")
@_json_option
@_ledger_option
@click.pass_obj
def verify_command(settings: _Settings, as_json: bool) -> None:
    """Check every record of the ledger against its hash chain."""
    with _user_errors(), _open_ledger(settings) as ledger:
        count = ledger.verify()
    if as_json:
        _echo_json({"ledger": settings.ledger, "verified": count, "intact": True})
    else:
        click.echo(f"{settings.ledger}: {count} records verified; the hash chain is intact")


@main.command("rebuild")
@_json_option
@_ledger_option
@click.pass_obj
def rebuild_command(settings: _Settings, as_json: bool) -> None:
    """Rebuild every projection from the first event, discarding saved checkpoints."""
    with _user_errors(), _open_ledger(settings) as ledger:
        position = ledger.rebuild()
    if as_json:
        _echo_json({"ledger": settings.ledger, "position": position})
    else:
        click.echo(f"{settings.ledger}: projections rebuilt from zero up to position {position}")


@main.command("repair")
@click.option("-y", "--yes", is_flag=True, help="Cut without asking.")
@_json_option
@_ledger_option
@click.pass_obj
def repair_command(settings: _Settings, yes: bool, as_json: bool) -> None:
    """Cut a torn tail off a JSON Lines ledger: a batch whose writing stopped midway.

    Shows the bytes it would cut and asks first (or cuts at once with --yes). Only what follows
    the last complete batch is removed; a line damaged elsewhere is refused, not cut. A SQLite
    ledger needs no repair: SQLite rolls an interrupted write back by itself.
    """
    from .store import JsonLinesStore

    path = Path(settings.ledger)
    with _user_errors():
        if not path.exists():
            raise _CommandError(f"no ledger at {str(path)!r}; choose one with --ledger")
        if path.suffix.lower() != ".jsonl":
            raise _CommandError(
                f"{path} is a SQLite ledger, which needs no repair: SQLite rolls an interrupted "
                "write back by itself (repair is for .jsonl ledgers)"
            )
        torn = _torn_tail(path)
        if torn:
            click.echo(f"{path} ends with {len(torn)} bytes of a batch never completed:", err=True)
            for text in torn.decode("utf-8", "replace").splitlines()[:5]:
                click.echo(f"  {text[:100]}{'…' if len(text) > 100 else ''}", err=True)
            if not yes and not click.confirm("Cut them? Every complete batch is kept", err=True):
                raise _CommandError("nothing was cut")
            torn = JsonLinesStore.repair(path)
        with JsonLinesStore(path) as store:
            head = store.head()
    if as_json:
        _echo_json({"ledger": str(path), "removed_bytes": len(torn), "position": head})
    elif torn:
        click.echo(f"{path}: cut {len(torn)} bytes; the log ends at position {head}")
    else:
        click.echo(f"{path}: nothing to repair; the log ends at position {head}")


def _torn_tail(path: Path) -> bytes:
    """Return what ``JsonLinesStore.repair`` would cut, by repairing a copy."""
    from .store import JsonLinesStore

    with tempfile.TemporaryDirectory(prefix="repatevents-repair-") as folder:
        copy = Path(folder) / path.name
        shutil.copyfile(path, copy)
        return JsonLinesStore.repair(copy)


@main.command("plugins")
@_json_option
def plugins_command(as_json: bool) -> None:
    """List loaded and failed plugins with their hooks and exporters."""
    from ._plugins import describe_plugins

    with _plugin_manager() as manager:
        report = describe_plugins(manager)
    if as_json:
        _echo_json(report)
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
    from ._plugins import registered_exporters
    from .events import read_jsonl

    target = directory or Path("repatevents-demo")
    with _user_errors(), _plugin_manager() as manager:
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
            click.echo(render_table(ledger.tables()["totals"], width=terminal_width()))


def run() -> None:
    """Run the command line as the ``repatevents`` script does."""
    main(prog_name="repatevents")


if __name__ == "__main__":  # pragma: no cover - exercised through the console script
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    run()
