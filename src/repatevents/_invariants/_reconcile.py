"""The reconciliation check: each claim's ledger figure is the sum of the operations it names
(of their totals, or of the one category the claim counts)."""

from __future__ import annotations

import uuid

from ..events import Estimate, Qualifier
from ..projections import Operation, Reconciliation
from ._figures import sum_estimates
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind, bounds_text

__all__ = ["check_reconciliation"]


def _part(operation: Operation, category: str) -> Estimate:
    """An operation's figure for the category a claim counts; an operation that does not give
    it holds from none to all of its people."""
    found = operation.people.category(category)
    if found is not None:
        return found
    high = operation.total.high
    return Estimate(0, 0, high, Qualifier.AT_LEAST if high is None else Qualifier.RANGE)


def _expected(
    claim: Reconciliation, operations: dict[uuid.UUID, Operation]
) -> tuple[tuple[int, int, int | None], list[str]]:
    """The ledger's figure the claim's operations give, and what is wrong with the lists."""
    problems = []
    both = set(claim.sure_operations) & set(claim.possible_operations)
    if both:
        problems.append(f"{len(both)} operations are both surely and possibly inside")
    named = [*claim.sure_operations, *claim.possible_operations]
    unknown = [i for i in named if i not in operations]
    if unknown:
        problems.append(f"{len(unknown)} operations it names are not in the operations projection")
    # A claim about every receiving country together names operations of any country.
    foreign = [
        i
        for i in named
        if i in operations and claim.country is not None and operations[i].country != claim.country
    ]
    if foreign:
        problems.append(f"{len(foreign)} operations it names are another country's")
    sure = sum_estimates(
        _part(operations[i], claim.category) for i in claim.sure_operations if i in operations
    )
    every = sum_estimates(_part(operations[i], claim.category) for i in named if i in operations)
    low, best = (0, 0) if sure is None else (sure[0], sure[1])
    high = 0 if every is None else every[2]
    return (low, best, high), problems


def check_reconciliation(snapshot: Snapshot) -> list[Violation]:
    """Check that each claim's ledger figure sums the operations it names (``low`` and ``best``
    over those surely inside, ``high`` adding those possibly inside) and that its gaps are the
    ledger's figure minus the claim's."""
    claims: tuple[Reconciliation, ...] | None = snapshot.get("reconciliation")
    operations: tuple[Operation, ...] | None = snapshot.get("operations")
    if claims is None or operations is None:
        return []
    by_id = {op.id: op for op in operations}
    found = []
    for claim in claims:
        expected, problems = _expected(claim, by_id)
        ledger, claimed = claim.ledger, claim.claimed
        if (ledger.low, ledger.best, ledger.high) != expected:
            problems.append(
                f"its ledger figure is {bounds_text(ledger)}, but the operations it names add "
                f"up to {bounds_text(expected)}"
            )
        gaps = (
            None if claimed.high is None else ledger.low - claimed.high,
            ledger.best - claimed.best,
            None if ledger.high is None else ledger.high - claimed.low,
        )
        if (claim.gap_low, claim.gap_best, claim.gap_high) != gaps:
            problems.append(
                f"its gaps are {claim.gap_low}/{claim.gap_best}/{claim.gap_high}, but the ledger "
                f"{bounds_text(ledger)} minus the claim {bounds_text(claimed)} is "
                f"{gaps[0]}/{gaps[1]}/{gaps[2]}"
            )
        for problem in problems:
            found.append(
                Violation(
                    ViolationKind.RECONCILIATION_DIFFERS,
                    f"the claim of {claim.publisher} for {claim.country}: {problem}",
                    "reconciliation",
                    country=claim.country,
                    event_ids=(claim.claim_id,),
                )
            )
    return found
