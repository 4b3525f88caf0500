"""What every command runs in: the ledger it was given, user errors as one line, JSON on stdout.

A mistake in what a user typed or sent ends with ``error: …`` on stderr and exit status 1,
never a traceback, and leaves the ledger as it was: ``user_errors`` does that for the library's
errors and file errors, ``CommandError`` for the mistakes only the command line knows about.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

import click

from ..errors import CorruptLogError, RepateventsError, RepateventsWarning, ValidationError

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = [
    "CommandError",
    "Settings",
    "TerminalProgress",
    "echo_json",
    "note_empty_past",
    "on_terminal",
    "one_line_warnings",
    "open_ledger",
    "terminal_progress",
    "user_errors",
]

_EXIT_USER_ERROR = 1


class Settings:
    """What the group's options chose for every command: the ledger file or server URL."""

    def __init__(self, ledger: str) -> None:
        self.ledger = ledger

    @property
    def on_server(self) -> bool:
        """Whether the ledger is on a PostgreSQL server (a ``postgresql://`` URL)."""
        from ..store import is_postgres_url

        return is_postgres_url(self.ledger)

    @property
    def name(self) -> str:
        """The ledger as it may be printed: a server's URL without its password."""
        from ..store import without_password

        return without_password(self.ledger)

    def exists(self) -> bool:
        """Whether there is a ledger to read (a server is asked when it is opened)."""
        return self.on_server or Path(self.ledger).exists()


class CommandError(click.ClickException):
    """A user's mistake the library does not know about, shown like the library's errors."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


@contextmanager
def user_errors() -> Iterator[None]:
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


def open_ledger(settings: Settings, *, create: bool = False, progress: bool = False) -> Ledger:
    """Open the chosen ledger; one that does not exist is a user's mistake unless ``create``.

    With ``progress``, a long fold shows how far it got on stderr, when stderr is a terminal
    (never in ``--json`` mode: pass ``progress=not as_json``).
    """
    from .._ledger import Ledger

    shown = terminal_progress(progress)
    if settings.on_server:
        from ..store import PostgresStore

        # Reading a schema that holds no ledger is a mistake (a mistyped name), not a reason
        # to create one; only the commands that record create it.
        return Ledger(PostgresStore(settings.ledger, create=create), progress=shown)
    path = Path(settings.ledger)
    if not create and not path.exists():
        raise CommandError(
            f"no ledger at {str(path)!r}; import a file first or choose one with --ledger"
        )
    return Ledger.open(path, progress=shown)


def terminal_progress(wanted: bool) -> TerminalProgress | None:
    """Return a progress line for long work when ``wanted`` and stderr is a terminal.

    Pass ``wanted=not as_json``: a command's ``--json`` mode is for programs, which read
    stderr for errors alone.
    """
    return TerminalProgress() if wanted and on_terminal() else None


def on_terminal() -> bool:
    """Return whether stderr is a terminal (a person watching, not a pipe or a file)."""
    return sys.stderr.isatty()


class TerminalProgress:
    """Show long work's progress on one line of stderr, once it has taken more than a moment.

    Short work prints nothing: the line appears only after :attr:`delay` seconds, is rewritten
    at most every :attr:`interval` seconds, and is ended when a stage reaches its end. A fold
    counts events, a hash check records, an export the tables it computes and the rows it writes.
    """

    delay = 1.0
    interval = 0.25
    units: ClassVar[Mapping[str, str]] = {
        "verifying": "records",
        "folding": "events",
        "computing tables": "tables",
    }
    """What a stage counts; a stage ``writing <table>`` counts rows."""

    def __init__(self) -> None:
        self._started: float | None = None
        self._shown = 0.0
        self._visible = False

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        finished = done >= total
        if not finished and (now - self._started < self.delay or now - self._shown < self.interval):
            return
        if finished and not self._visible:
            return
        self._shown, self._visible = now, True
        percent = 100 * done // max(total, 1)
        unit = self.units.get(what, "rows" if what.startswith("writing ") else "")
        counted = f"{done:,} of {total:,} {unit}".rstrip()
        click.echo(f"\r{what}: {counted} ({percent}%)", err=True, nl=finished)
        if finished:
            self._started, self._visible = None, False


def echo_json(value: Any) -> None:
    """Print a JSON document on stdout, indented, with text as it is (not ``\\u`` escapes)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def note_empty_past(ledger: Ledger, known_at: dt.datetime | int | None) -> None:
    """Say on stderr when a known-at time is before the ledger's first record."""
    if isinstance(known_at, dt.datetime):
        first = next(iter(ledger.store.read(0, upto=1)), None)
        if first is not None and first.recorded_at > known_at:
            from ._render import empty_past_note

            click.echo(empty_past_note(known_at, first.recorded_at), err=True)


@contextmanager
def one_line_warnings() -> Iterator[None]:
    """Print the library's warnings (a damaged checkpoint file ignored, …) as one line each,
    ``warning: …`` on stderr, as plugin failures are; other warnings as Python prints them."""
    shown = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if issubclass(category, RepateventsWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown
