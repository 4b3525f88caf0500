"""A snapshot: one query's projections, asked once and shared by every check."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..errors import CorruptLogError, IntegrityError
from ..projections import DEFAULT_POLICY, Policy, as_of_ordinal, resolve_policy
from ._violations import Violation, ViolationKind

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = ["PROJECTIONS", "Snapshot", "position_of"]

#: The projections a snapshot answers, by the name of the ledger method.
PROJECTIONS = (
    "operations",
    "totals",
    "timeseries",
    "remaining",
    "reconciliation",
    "quality",
    "sources",
)


def position_of(ledger: Ledger, known_at: dt.datetime | int | None) -> int:
    """Return the log position ``known_at`` stands for, from the log's own recording times.

    A position is itself; a time is the last position recorded at or before it, where each
    record's time is the latest recording time up to it (a batch's records share one time).
    """
    if known_at is None:
        return ledger.store.head()
    if isinstance(known_at, int):
        return known_at
    moment = known_at if known_at.tzinfo is not None else known_at.replace(tzinfo=dt.UTC)
    position = 0
    latest: dt.datetime | None = None
    for envelope in ledger.store.read(0):
        recorded = envelope.recorded_at
        latest = recorded if latest is None else max(latest, recorded)
        if latest > moment:
            break
        position = envelope.position
    return position


class Snapshot:
    """The projections of one ledger for one ``as_of``, ``known_at`` and policy.

    Each projection is asked for at most once. A projection that raises is recorded as a
    ``projection-failed`` violation, and the checks that need it are skipped; a log that fails
    verification (``IntegrityError``, ``CorruptLogError``) is raised, for the caller to report.

    Raises:
        ValidationError: at construction, for an ``as_of``, ``known_at`` or policy the ledger
            rejects (a caller's mistake, not a broken invariant).
    """

    def __init__(
        self,
        ledger: Ledger,
        as_of: dt.date | None = None,
        known_at: dt.datetime | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> None:
        as_of_ordinal(as_of)
        self.ledger = ledger
        self.as_of = as_of
        self.known_at = known_at
        self.policy = resolve_policy(policy)
        ledger.state(known_at)  # rejects a known_at the ledger cannot answer
        #: the log position the query reflects, read from the log (not from the ledger's state,
        #: so that a ledger that ignores ``known_at`` cannot hide it)
        self.position = position_of(ledger, known_at)
        self.failures: list[Violation] = []
        self._answers: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """Return the projection called ``name``, or ``None`` when it failed."""
        if name not in self._answers:
            method = getattr(self.ledger, name)
            try:
                answer = method(as_of=self.as_of, known_at=self.known_at, policy=self.policy)
            except (IntegrityError, CorruptLogError):
                raise  # the log itself is broken: no projection of it can be judged
            except Exception as error:  # a broken projection is a finding
                answer = None
                self.failures.append(
                    Violation(
                        ViolationKind.PROJECTION_FAILED,
                        f"asking for {name} raised {type(error).__name__}: {error}",
                        name,
                    )
                )
            self._answers[name] = answer
        return self._answers[name]

    def query_text(self) -> str:
        """Return the query as text, for messages."""
        as_of = "every date" if self.as_of is None else self.as_of.isoformat()
        return f"as of {as_of}, known at position {self.position}, policy {self.policy.name!r}"
