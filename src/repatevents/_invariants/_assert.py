"""``assert_ledger_consistent``: the invariant checks as one assertion with a readable failure.

It lives beside the checks rather than in the test kit so that the pytest plugin, which pytest
loads in every suite, can offer it without loading the kit (whose door imports hypothesis).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..projections import DEFAULT_POLICY, Policy
from ._check import check_ledger
from ._violations import Violation

if TYPE_CHECKING:
    from .._ledger import Ledger

__all__ = ["assert_ledger_consistent", "describe_violations"]


def describe_violations(violations: list[Violation], query: str = "") -> str:
    """Return violations as a numbered list under a one-line summary.

    Args:
        violations: what a check returned.
        query: the query checked, said after the summary (``"as of 2023-12-31"``).

    Returns:
        ``"the ledger has N invariant violations (query):"`` and one numbered line per
        violation (its ``str``: kind, projection, message, where to look).
    """
    count = len(violations)
    noun = "invariant violation" if count == 1 else "invariant violations"
    head = f"the ledger has {count} {noun}" + (f" ({query})" if query else "") + ":"
    return "\n".join([head, *(f"  {i}. {v}" for i, v in enumerate(violations, start=1))])


def assert_ledger_consistent(
    ledger: Ledger,
    *,
    as_of: dt.date | None = None,
    known_at: dt.datetime | int | None = None,
    policy: str | Policy = DEFAULT_POLICY,
    exports: bool = True,
) -> None:
    """Assert that a ledger's projections keep every invariant (see ``check_ledger``).

    Example::

        def test_my_ledger_is_consistent(repatevents_ledger):
            repatevents_ledger.record_many(my_events)
            assert_ledger_consistent(repatevents_ledger, as_of=date(2023, 12, 31))

    Args:
        ledger: the ledger to check.
        as_of: the day of the query (``None``: every date).
        known_at: the log position or UTC time of the query (``None``: everything recorded).
        policy: the policy of the query.
        exports: whether to write and read back the CSV and GeoJSON exports too.

    Raises:
        AssertionError: listing every violation, one per line, with its kind, projection,
            message and where to look (country, operation, period, place, event ids).
        ValidationError: the query is not one the ledger accepts.
    """
    __tracebackhide__ = True
    violations = check_ledger(
        ledger, as_of=as_of, known_at=known_at, policy=policy, exports=exports
    )
    if violations:
        as_of_text = "every date" if as_of is None else as_of.isoformat()
        known_text = "everything recorded" if known_at is None else f"known at {known_at}"
        policy_text = policy if isinstance(policy, str) else policy.name
        query = f"as of {as_of_text}, {known_text}, policy {policy_text!r}"
        raise AssertionError(describe_violations(violations, query))
