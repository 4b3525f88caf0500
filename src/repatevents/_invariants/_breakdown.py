"""The breakdown check: categories within their whole, where the sources allow it.

A figure's breakdown must lie within its whole: the women, men, children and unknown of an
operation cannot together exceed its total, nor girls and boys its children; and a complete
breakdown (every part but ``unknown`` given) cannot fall short of its whole. Sources do not
always keep to this: a report of "95 people, 40 women and 60 children" contradicts itself. That
is a fact about the source, which the data-quality projection lists
(``breakdown-does-not-add-up``); it is not a fault of a projection. So the check holds a figure
to the rule only where every report behind it is itself consistent, and one of those reports
gives the whole and every part the figure shows (reports that split one operation differently,
each consistent alone, can contradict each other: that too is the sources' doing).

A report's whole is its total as reported, or its families converted at 3.6 to 3.9 people per
family. An operation whose total comes from the breakdown itself (``total_basis``
``"breakdown"``) is held to the rules between categories only. Under a policy that reads
adjudications (``adjudicated-only``, and the default ``recommended``) an adjudicated operation's
figure rests on the adjudication, which is then the one report behind it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ..events import Estimate, People
from ..projections import FAMILY_TO_PEOPLE, CountryTotal, Operation
from ._figures import sum_estimates
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind, bounds_text

__all__ = ["RELATIONS", "check_breakdowns", "report_consistent"]

#: (whole, parts, whether the parts can cover the whole): every part but ``unknown`` given
#: makes a complete breakdown.
RELATIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("total", ("adults", "children", "unknown"), True),
    ("total", ("women", "men", "children", "unknown"), True),
    ("total", ("adults", "girls", "boys", "unknown"), True),
    ("total", ("women", "men", "girls", "boys", "unknown"), True),
    ("total", ("orphans",), False),
    ("adults", ("women", "men"), True),
    ("children", ("girls", "boys"), True),
    ("children", ("orphans",), False),
)

_Range = tuple[int, int | None]


def _basis(people: People) -> str:
    if people.total is not None:
        return "reported"
    return "families" if people.families is not None else "breakdown"


def _whole(people: People, name: str) -> _Range | None:
    """A report's whole as (low, high): the total as reported or converted from families."""
    value = people.category(name)
    if value is not None:
        return (value.low, value.high)
    if name == "total" and people.families is not None:
        families = people.families
        low_ratio, high_ratio = FAMILY_TO_PEOPLE
        high = None if families.high is None else math.ceil(families.high * high_ratio)
        return (math.floor(families.low * low_ratio), high)
    return None


def _faults(
    people: People, whole_range: _Range, parts: list[tuple[str, Estimate]], complete: bool
) -> tuple[str, str] | None:
    """Return (what, how) when the parts do not fit the whole, else ``None``."""
    low, high = whole_range
    named = " + ".join(f"{name} {bounds_text(value)}" for name, value in parts)
    summed = sum_estimates(value for _, value in parts)
    assert summed is not None
    if high is not None and summed[0] > high:
        return named, f"exceed the whole's high {high}"
    if complete and summed[2] is not None and summed[2] < low:
        return named, f"fall short of the whole's low {low}"
    return None


def _present(people: People, parts: tuple[str, ...]) -> list[tuple[str, Estimate]]:
    return [(name, value) for name in parts if (value := people.category(name)) is not None]


def _complete(people: People, parts: tuple[str, ...], can_complete: bool) -> bool:
    return can_complete and all(
        people.category(name) is not None for name in parts if name != "unknown"
    )


def report_consistent(people: People) -> bool:
    """Return whether a report's figures fit together: every breakdown within its whole, and a
    complete breakdown (every part but ``unknown``) reaching it.

    The whole is the total as reported, or the families converted at 3.6 to 3.9 people each.
    A report that fails this contradicts itself: ``Ledger.quality()`` lists it, and the
    breakdown check does not hold the figures it is behind to the rule.

    Args:
        people: the figures of one report (or adjudication).

    Returns:
        ``True`` when they fit together.
    """
    for whole, parts, can_complete in RELATIONS:
        whole_range = _whole(people, whole)
        present = _present(people, parts)
        if whole_range is None or not present:
            continue
        if _faults(people, whole_range, present, _complete(people, parts, can_complete)):
            return False
    return True


def _behind(op: Operation, adjudicated: bool) -> list[People]:
    if adjudicated and op.adjudicated is not None:
        return [op.adjudicated]
    return [ref.people for ref in op.reports]


def _checkable(
    op: Operation, reports: list[People], whole: str, present: list[tuple[str, Estimate]]
) -> bool:
    """Whether one consistent report gives the whole and every part the operation shows."""
    if not reports or not all(report_consistent(r) for r in reports):
        return False
    if whole == "total" and op.total_basis == "breakdown":
        return False
    names = [name for name, _ in present]
    for report in reports:
        gives_whole = (
            _basis(report) == op.total_basis and _whole(report, "total") is not None
            if whole == "total"
            else report.category(whole) is not None
        )
        if gives_whole and all(report.category(name) is not None for name in names):
            return True
    return False


def _operation_faults(op: Operation, adjudicated: bool) -> tuple[list[Violation], bool]:
    """Return an operation's violations, and whether every relation could be checked."""
    found = []
    clean = True
    reports = _behind(op, adjudicated)
    for whole, parts, can_complete in RELATIONS:
        whole_value = op.people.category(whole)
        present = _present(op.people, parts)
        if whole_value is None or not present:
            continue
        if not _checkable(op, reports, whole, present):
            clean = False
            continue
        complete = _complete(op.people, parts, can_complete)
        fault = _faults(op.people, (whole_value.low, whole_value.high), present, complete)
        if fault is not None:
            named, how = fault
            found.append(
                Violation(
                    ViolationKind.BREAKDOWN_OUTSIDE,
                    f"{op.label}: {named} {how} {whole} {bounds_text(whole_value)}, although "
                    f"every report behind it is consistent",
                    "operations",
                    country=op.country,
                    operation=op.label,
                    event_ids=tuple(ref.id for ref in op.reports),
                )
            )
    return found, clean


def _country_faults(total: CountryTotal, ops: list[Operation]) -> list[Violation]:
    found = []
    for whole, parts, _ in RELATIONS:
        whole_value = total.people.category(whole)
        present = _present(total.people, parts)
        if whole_value is None or not present:
            continue
        # Categories of a country are widened by operations that do not report them, so only
        # the upper rule holds for a sum: the parts' lows within the whole's high.
        fault = _faults(total.people, (whole_value.low, whole_value.high), present, False)
        if fault is not None:
            named, how = fault
            found.append(
                Violation(
                    ViolationKind.BREAKDOWN_OUTSIDE,
                    f"{total.country}: {named} {how} {whole} {bounds_text(whole_value)}, "
                    f"although every report behind its operations ({len(ops)}) is consistent",
                    "totals",
                    country=total.country,
                    event_ids=tuple(op.id for op in ops),
                )
            )
    return found


def check_breakdowns(snapshot: Snapshot) -> list[Violation]:
    """Check operations' and countries' breakdowns against their wholes, wherever every
    report behind the figure is consistent (see the module docstring)."""
    operations: tuple[Operation, ...] | None = snapshot.get("operations")
    if operations is None:
        return []
    adjudicated = snapshot.policy.rule.reads_adjudications
    found: list[Violation] = []
    by_country: dict[str, list[Operation]] = defaultdict(list)
    unclear: set[str] = set()
    for op in operations:
        by_country[op.country].append(op)
        faults, clean = _operation_faults(op, adjudicated)
        found += faults
        if not clean or faults:
            unclear.add(op.country)
    for total in snapshot.get("totals") or ():
        if total.country not in unclear and total.country in by_country:
            found += _country_faults(total, by_country[total.country])
    return found
