"""The two clocks: ``as_of`` (when things happened) and ``known_at`` (what the ledger held).

**as_of** (a day). A dated report counts once it has *surely* happened by ``as_of``: its latest
possible day is on or before ``as_of``. So:

- a day ("2023-12-07") counts from that day on;
- a span ("2019-05-07/2019-05-09") counts from its last day on;
- a partial date counts once the whole period is over: "2021-03" from 31 March 2021, "2023"
  from 31 December 2023;
- a date open at the start ("../2024-05-10", "recently") counts from its end on;
- a date open at the end ("2021/..") has no latest day of its own. It is bounded by its
  source's publication date when the source has one; without one it counts for no ``as_of``
  at all, only when ``as_of`` is ``None``;
- every date ends at its source's publication at the latest (a report cannot describe what
  had not happened when it was published): "February 2023" in a report of 20 February counts
  from 20 February. A date that starts after publication keeps its own end.

``as_of=None`` means "every date": everything recorded counts, including open dates.

**known_at** (a log position, a day, or a UTC time). Only the events the ledger held then
count: a position ``p`` means the events at positions 1..p; a time means every event recorded
at or before it (a naive ``datetime`` is read as UTC); a day (a ``datetime.date``) means the
end of that day, UTC, so "what did we know on 1 March" includes what was recorded on 1 March.
``None`` means everything recorded.
"""

from __future__ import annotations

import bisect
import datetime as dt

from ..errors import FieldProblem, ValidationError
from ._compact import When

__all__ = [
    "NO",
    "POSSIBLE",
    "SURE",
    "after",
    "as_of_ordinal",
    "happened_by",
    "in_window",
    "known_moment",
    "order_key",
    "position_at",
]

#: Three-valued answers: an operation is surely, possibly, or not inside a window or scope.
NO, POSSIBLE, SURE = 0, 1, 2


def as_of_ordinal(as_of: dt.date | None) -> int | None:
    """Return ``as_of`` as an ordinal (``None`` stays ``None``).

    Raises:
        ValidationError: ``as_of`` is not a date (a datetime is not accepted either: a
            projection counts whole days).
    """
    if as_of is None:
        return None
    if type(as_of) is not dt.date:
        raise ValidationError(FieldProblem("as_of", as_of, "a datetime.date (a day) or None"))
    return as_of.toordinal()


def happened_by(when: When, as_of: int | None) -> bool:
    """Return whether a date counts for ``as_of`` (see the module docstring)."""
    return as_of is None or (when.latest is not None and when.latest <= as_of)


def order_key(when: When) -> int:
    """Return the day that orders observations: the latest day, or the earliest when open."""
    day = when.latest if when.latest is not None else when.earliest
    assert day is not None
    return day


def after(flow: When, base: When) -> int:
    """Return whether a flow happened after an observation: ``SURE``, ``POSSIBLE`` or ``NO``.

    A flow on or before the observation's first possible day is taken to be in the observed
    figure already (``NO``); one that starts after the observation's last possible day is
    ``SURE``; anything that overlaps is ``POSSIBLE``.
    """
    if flow.earliest is not None and base.latest is not None and flow.earliest > base.latest:
        return SURE
    if flow.latest is not None and base.earliest is not None and flow.latest <= base.earliest:
        return NO
    return POSSIBLE


def in_window(when: When, since: When | None, until: When) -> int:
    """Return whether an operation is inside a claim's window: ``SURE``, ``POSSIBLE``, ``NO``.

    A claim covers its dates' whole periods: "333 as of December 2023" counts operations up to
    31 December 2023, and "since 2021" from 1 January 2021. An end open at the end ("2021/..",
    unpublished) does not exclude anything.
    """
    end = SURE
    if until.latest is not None:
        if when.latest is not None and when.latest <= until.latest:
            end = SURE
        elif when.earliest is not None and when.earliest > until.latest:
            return NO
        else:
            end = POSSIBLE
    start = SURE
    if since is not None and since.earliest is not None:
        if when.earliest is not None and when.earliest >= since.earliest:
            start = SURE
        elif when.latest is not None and when.latest < since.earliest:
            return NO
        else:
            start = POSSIBLE
    return min(start, end)


def known_moment(known_at: dt.datetime | dt.date) -> dt.datetime:
    """Return the UTC moment a ``known_at`` time or day stands for.

    A naive time is read as UTC; a day is its end (23:59:59.999999 UTC), as ``--known-at``
    reads one on the command line.
    """
    if not isinstance(known_at, dt.datetime):
        return dt.datetime.combine(known_at, dt.time.max, tzinfo=dt.UTC)
    if known_at.tzinfo is None:
        return known_at.replace(tzinfo=dt.UTC)
    return known_at.astimezone(dt.UTC)


def position_at(
    known_at: dt.datetime | dt.date | int, head: int, times: list[float], positions: list[int]
) -> int:
    """Return the log position a ``known_at`` value stands for.

    Args:
        known_at: a position, a time (naive is read as UTC), or a day (its end, UTC).
        head: the current head of the log.
        times: the running maximum of recording times (POSIX seconds), one per batch.
        positions: the last position recorded at each of ``times``.

    Raises:
        ValidationError: a position below 0 or past the head, or neither a position, a day
            nor a time.
    """
    if isinstance(known_at, bool) or not isinstance(known_at, (int, dt.date)):
        raise ValidationError(
            FieldProblem(
                "known_at",
                known_at,
                "a log position (int), a UTC datetime, or a datetime.date (the end of that "
                "day, UTC)",
            )
        )
    if isinstance(known_at, int):
        if not 0 <= known_at <= head:
            raise ValidationError(
                FieldProblem("known_at", known_at, f"a log position from 0 to the head ({head})")
            )
        return known_at
    index = bisect.bisect_right(times, known_moment(known_at).timestamp())
    return 0 if index == 0 else positions[index - 1]
