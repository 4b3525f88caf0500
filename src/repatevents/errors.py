"""Errors raised by repatevents.

Every error the library raises on purpose derives from :class:`RepateventsError`; each subclass
also inherits the builtin that fits it, so ``except ValueError`` keeps working for callers who do
not know this library::

    RepateventsError
    ├── ValidationError (ValueError)          bad input: names the field, the value and the rule
    │   ├── UnknownCountryError (LookupError) a country name or code not in the table
    │   └── UnknownPlaceError (LookupError)   a place id not in the table
    ├── StoreError                            the event log refused or could not do something
    │   ├── ConcurrencyError                  the log moved on since the writer last read it
    │   ├── DuplicateEventError (ValueError)  an event id already stored with other content
    │   ├── IntegrityError                    a stored record does not match its hash
    │   │   └── LostRecordsError              the log ends before a checkpoint saved beside it
    │   ├── CheckpointMismatchError           a checkpoint holds other figures than the log
    │   ├── HeadNotFoundError                 the log never reached a published head hash
    │   └── CorruptLogError                   a stored file cannot be read back (torn, garbled)
    ├── PluginError                           a plugin could not be loaded or registered
    │   └── UnknownExporterError (LookupError)
    │       └── AmbiguousExporterError        two plugins register the name; neither is used
    └── ExportError                           an exporter failed; no file was written

    RepateventsWarning (UserWarning)          something was skipped but the rest works (a broken
                                              plugin is listed as failed, not loaded)

Errors carry their context as attributes (``field``, ``value``, ``position`` …) so that programs
can act on them without parsing messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

__all__ = [
    "AmbiguousExporterError",
    "CheckpointMismatchError",
    "ConcurrencyError",
    "CorruptLogError",
    "DuplicateEventError",
    "ExportError",
    "FieldProblem",
    "HeadNotFoundError",
    "IntegrityError",
    "LostRecordsError",
    "PluginError",
    "RepateventsError",
    "RepateventsWarning",
    "StoreError",
    "UnknownCountryError",
    "UnknownExporterError",
    "UnknownPlaceError",
    "ValidationError",
]


class RepateventsError(Exception):
    """Base class of every error repatevents raises on purpose."""


@attrs.frozen
class FieldProblem:
    """One thing wrong with one field of one input record.

    Attributes:
        field: dotted path of the field inside the record (``people.women``), or ``""`` for the
            record as a whole.
        value: the offending value, as it was given.
        rule: what was expected, as a short sentence fragment.
        line: 1-based line (or row) of the input the record came from, when known.
    """

    field: str
    value: Any
    rule: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        if not self.field:
            return f"{where}the record is invalid: {self.rule}"
        # A field may be a sheet's header: user data, which may hold a line break.
        field = self.field if self.field.isprintable() else repr(self.field)[1:-1]
        return f"{where}{field}: {_shown(self.value)} is invalid: {self.rule}"


# A value longer than this is cut in a message: a whole line read into one cell is no help.
_SHOWN = 100


def _shown(value: Any) -> str:
    """Return ``repr(value)`` (control characters escaped), cut when it is long."""
    text = repr(value)
    if len(text) <= _SHOWN:
        return text
    return f"{text[: _SHOWN - 1]}… ({len(text):,} characters)"


class ValidationError(RepateventsError, ValueError):
    """Input that cannot be true or cannot be read was rejected.

    Nothing is recorded when this is raised. ``problems`` lists every problem found (an import
    validates a whole file before it records anything, so it can report them all at once).
    """

    problems: tuple[FieldProblem, ...]

    def __init__(self, problems: Sequence[FieldProblem] | FieldProblem) -> None:
        if isinstance(problems, FieldProblem):
            problems = (problems,)
        self.problems = tuple(problems)
        if not self.problems:
            raise TypeError("ValidationError needs at least one problem")
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    @property
    def field(self) -> str:
        """The field of the first problem."""
        return self.problems[0].field

    @property
    def value(self) -> Any:
        """The offending value of the first problem."""
        return self.problems[0].value

    @property
    def rule(self) -> str:
        """The rule the first problem broke."""
        return self.problems[0].rule

    @property
    def line(self) -> int | None:
        """The input line of the first problem, when known."""
        return self.problems[0].line

    def at_line(self, line: int, prefix: str = "") -> ValidationError:
        """Return a copy whose problems are located at ``line``, fields prefixed by ``prefix``."""
        return type(self)._from_problems(
            [
                attrs.evolve(
                    p,
                    line=line,
                    field=_join(prefix, p.field),
                )
                for p in self.problems
            ]
        )

    @classmethod
    def _from_problems(cls, problems: Sequence[FieldProblem]) -> ValidationError:
        # Subclasses take other constructor arguments; a located copy is a plain ValidationError.
        return ValidationError(problems)


def _join(prefix: str, field: str) -> str:
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}.{field}"


class UnknownCountryError(ValidationError, LookupError):
    """A country name or code that is not in the country table.

    ``suggestions`` holds the closest known names, best first.
    """

    def __init__(self, query: str, suggestions: Sequence[str], field: str = "country") -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        rule = "not a known ISO 3166-1 country code, name or alias"
        if self.suggestions:
            rule += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(FieldProblem(field=field, value=query, rule=rule))


class UnknownPlaceError(ValidationError, LookupError):
    """A place id that is not in the place table."""

    def __init__(self, query: str, suggestions: Sequence[str], field: str = "place") -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        rule = "not a known place id"
        if self.suggestions:
            rule += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(FieldProblem(field=field, value=query, rule=rule))


class StoreError(RepateventsError):
    """The event store refused an operation or could not complete it."""


class ConcurrencyError(StoreError):
    """The log's head was not where the writer expected it; nothing was written."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"expected the log to end at position {expected}, but it ends at {actual}; "
            "read the new events and try again"
        )


class DuplicateEventError(StoreError, ValueError):
    """An event id is already stored with different content; nothing was written."""

    def __init__(self, event_id: object, position: int) -> None:
        self.event_id = event_id
        self.position = position
        super().__init__(
            f"event id {str(event_id)!r} is already stored at position {position} with "
            "different content; a change to a recorded event must be a new correction event"
        )


class IntegrityError(StoreError):
    """A stored record does not match its hash: the log was changed after it was written."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        self.reason = reason
        super().__init__(f"record at position {position} fails verification: {reason}")


class LostRecordsError(IntegrityError):
    """The log ends before a checkpoint saved beside it: records that were there are gone.

    A checkpoint is only ever saved at a position the log holds, so one past the end is proof
    that the log was truncated or replaced by an older copy. ``head`` is where the log ends,
    ``checkpoint`` where the checkpoint was saved, ``position`` the first record lost, and
    ``remedy`` how to drop the checkpoint for a user who accepts the loss.
    """

    def __init__(self, head: int, checkpoint: int, remedy: str) -> None:
        self.head = head
        self.checkpoint = checkpoint
        self.remedy = remedy
        self.position = head + 1
        if checkpoint == head + 1:
            lost = f"record {checkpoint} was"
        else:
            lost = f"records {head + 1} to {checkpoint} were"
        self.reason = (
            f"the log ends at position {head} but a checkpoint was saved at position "
            f"{checkpoint}: {lost} lost (the file was truncated or replaced by an older copy); "
            f"restore the log from a backup, or, to accept the loss, {remedy}"
        )
        StoreError.__init__(self, self.reason)


class CheckpointMismatchError(StoreError):
    """A checkpoint saved beside the log does not hold what folding the log from zero gives.

    A checkpoint is a cache the hash chain does not cover, so a changed one is found only by
    folding the log again (``Ledger.verify`` does); the log itself is intact, and
    ``Ledger.rebuild`` replaces the checkpoint with one folded from it. ``checkpoints`` names
    the checkpoints that disagree, ``position`` where the first was saved, and ``fields`` the
    parts of the state that differ.
    """

    def __init__(self, checkpoints: Sequence[str], position: int, fields: Sequence[str]) -> None:
        self.checkpoints = tuple(checkpoints)
        self.position = position
        self.fields = tuple(fields)
        names = " and ".join(repr(name) for name in self.checkpoints)
        one = len(self.checkpoints) == 1
        super().__init__(
            f"the checkpoint{'' if one else 's'} {names} saved at position {position} "
            f"{'does' if one else 'do'} not match the log: folding the log from zero gives "
            f"other {', '.join(self.fields)}. The log's hash chain is intact, but a checkpoint "
            f"is a cache the chain does not cover, and {'this one was' if one else 'these were'} "
            f"changed after {'it was' if one else 'they were'} saved; rebuild replaces "
            f"{'it' if one else 'them'} with one folded from the log (`repatevents rebuild`, or "
            "Ledger.rebuild())"
        )


class HeadNotFoundError(StoreError):
    """The log holds no record with the head hash it was expected to reach.

    A figure published with a ledger's head hash can be traced to that exact ledger state only
    while the ledger holds the record with that hash; one whose records were edited and whose
    hashes were all computed again still verifies, but no longer holds it. ``expected`` is the
    hash looked for, ``head`` the log's head position and ``head_hash`` its hash (``None`` for
    an empty log).
    """

    def __init__(self, expected: str, head: int, head_hash: str | None) -> None:
        self.expected = expected
        self.head = head
        self.head_hash = head_hash
        super().__init__(
            f"no record of the log has the hash {expected!r}: the ledger does not reach the "
            f"state that hash was published for (its head is position {head}, hash "
            f"{head_hash or 'none'}); it was changed, rebuilt from other records, or is "
            "another ledger"
        )


class CorruptLogError(StoreError):
    """A stored file cannot be read back: a torn write, a garbled line or a wrong format."""

    def __init__(self, path: str, reason: str, position: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.position = position
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{path}{where}: {reason}")


class PluginError(RepateventsError):
    """A plugin could not be loaded, or registered something invalid."""


class UnknownExporterError(PluginError, LookupError):
    """No exporter is registered under the requested name."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(
            f"no exporter is named {name!r}; known exporters: {', '.join(self.known) or 'none'}"
        )


class AmbiguousExporterError(UnknownExporterError):
    """Two or more plugins register the requested exporter name, so none of them is used.

    ``plugins`` names them; switching all but one off (``REPATEVENTS_DISABLE_PLUGINS``) makes
    the name that one's.
    """

    def __init__(self, name: str, plugins: Sequence[str], known: Sequence[str]) -> None:
        self.name = name
        self.plugins = tuple(plugins)
        self.known = tuple(known)
        names = " and ".join(repr(plugin) for plugin in self.plugins)
        every = "both" if len(self.plugins) == 2 else "all"
        PluginError.__init__(
            self,
            f"the exporter name {name!r} is ambiguous: plugins {names} {every} register it, so "
            "none of them is used; switch all but one off with REPATEVENTS_DISABLE_PLUGINS",
        )


class ExportError(RepateventsError):
    """An exporter failed; the target file was left as it was.

    ``exporter`` names the exporter and ``path`` the target, when known.
    """

    def __init__(
        self, message: str, *, exporter: str | None = None, path: str | None = None
    ) -> None:
        self.exporter = exporter
        self.path = path
        super().__init__(message)


class RepateventsWarning(UserWarning):
    """Something was skipped so that everything else keeps working.

    Raised as a warning, never as an error: for example a plugin that fails to import, or that
    registers an invalid exporter, is listed as failed and the other plugins still work.
    """
