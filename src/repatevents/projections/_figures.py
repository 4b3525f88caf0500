"""Figures: one operation's figures from its reports, under a policy, and sums of figures.

An operation's figure for a category spans its reports: ``low`` is the lowest low any report
gives, ``high`` the highest high (unbounded if any report is), and the policy picks ``best``
among the reports' own best figures, so ``low <= best <= high`` always holds.

A report without a total still counts. Families convert to people at 3.6 to 3.9 people per
family (DOMAIN item 6: a range, not a constant; best 3.75), and a breakdown without a total
gives "at least" the people it names. Reports that give a total outrank reports whose total is
converted from families, which outrank totals derived from a breakdown: a conversion never
widens a reported figure.

One rule reads vague words, in every projection: a figure the source qualified with "about",
"around", "approximately", "some", "an estimated" (qualifier ``about``) and gave as one number
reaches 10% of that number either side (:data:`ABOUT_TOLERANCE`, rounded to whole people,
never below zero); "nearly" and "almost" reach 10% below it and not above. "About 60" is 54 to
66, "nearly 600" 540 to 600, "about 43,000" 38,700 to 47,300. An ``about`` figure given with
its own bounds ("about 30-40", or an estimate recorded with low and high) keeps them: the
source said how vague it is. Events keep the figure as the source gave it; only what the
projections read is widened, here, so operations, totals, reconciliation and
remaining-in-camp all read one figure alike.

A report's parts bound its own total. A statement that leads with "95 detainees" and then
names "31 women and 95 children" counts at least 126 people: the headline is raised to the
sum of the parts (basis ``"parts"``) before any policy looks at it, and the operation's
``low`` is at least that sum whatever its other reports say, so every policy, every country
total and every reconciliation above it counts the people the report names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ._compact import ABOUT, AT_LEAST, EXACT, FIELDS, RANGE, Fig, Figs, OpRec, SourceRec
from ._policy import Policy, PolicyRule

__all__ = [
    "ABOUT_TOLERANCE",
    "BASIS_BREAKDOWN",
    "BASIS_FAMILIES",
    "BASIS_PARTS",
    "BASIS_REPORTED",
    "PEOPLE_PER_FAMILY",
    "Combined",
    "Sum",
    "combine",
    "effective",
    "people_from_families",
    "qualified",
    "raised",
    "vague",
]

#: How far a figure qualified "about" reaches from its number, as a fraction of it.
ABOUT_TOLERANCE = 0.10
# Words of the ``about`` qualifier that put the figure below the number, never above it.
_BELOW_WORDS = ("nearly", "almost")

#: The people-per-family range used to convert families, and the ratio for ``best``.
PEOPLE_PER_FAMILY = (3.6, 3.9)
_BEST_PER_FAMILY_PERCENT = 375

BASIS_REPORTED, BASIS_FAMILIES, BASIS_BREAKDOWN = "reported", "families", "breakdown"
#: A reported total raised to the sum of the parts its own report names.
BASIS_PARTS = "parts"
# A raised total is still a reported one: it outranks conversions like any reported total.
_BASIS_RANK = {BASIS_REPORTED: 0, BASIS_PARTS: 0, BASIS_FAMILIES: 1, BASIS_BREAKDOWN: 2}

# Ways a breakdown covers everyone (``unknown`` is whoever the others leave out).
_PARTITIONS = tuple(
    tuple(FIELDS.index(name) for name in names)
    for names in (
        ("adults", "children", "unknown"),
        ("women", "men", "children", "unknown"),
        ("adults", "girls", "boys", "unknown"),
        ("women", "men", "girls", "boys", "unknown"),
        ("orphans",),
    )
)
_UNKNOWN = FIELDS.index("unknown")
_FIRST_CATEGORY = FIELDS.index("families") + 1
# Categories made of others: adults of women and men, children of girls and boys (or orphans).
_NESTED = tuple(
    (FIELDS.index(whole), tuple(FIELDS.index(part) for part in parts))
    for whole, parts in (
        ("adults", ("women", "men")),
        ("children", ("girls", "boys")),
        ("children", ("orphans",)),
    )
)


def qualified(low: int, best: int, high: int | None) -> Fig:
    """Return a figure with the qualifier its bounds call for (a sum or a span has no words)."""
    if high is None:
        return (low, best, None, AT_LEAST, None)
    return (low, best, high, EXACT if low == best == high else RANGE, None)


def people_from_families(families: Fig) -> Fig:
    """Convert a count of families to people at 3.6 to 3.9 people per family (best 3.75)."""
    low_f, best_f, high_f = families[0], families[1], families[2]
    low = low_f * 36 // 10
    high = None if high_f is None else -(-high_f * 39 // 10)
    best = (best_f * _BEST_PER_FAMILY_PERCENT + 50) // 100
    best = max(low, best if high is None else min(best, high))
    low_, best_, high_, qualifier, _ = qualified(low, best, high)
    return (low_, best_, high_, qualifier, f"{best_f} families x 3.6-3.9 people")


def raised(fig: Fig, floor: int) -> Fig:
    """Return ``fig`` with its low raised to ``floor`` (best and high follow where below).

    A headline contradicted by its own parts is widened just enough to hold them: an exact
    "95" beside parts of 126 becomes 126, not "at least 126", because nothing in the report
    counts more people than its parts. The words of the headline no longer describe the
    figure, so they are dropped; the basis says why.
    """
    if fig[0] >= floor:
        return fig
    high = None if fig[2] is None else max(fig[2], floor)
    return qualified(floor, max(fig[1], floor), high)


def _from_breakdown(figs: Figs) -> Fig | None:
    # Every report of every operation passes here (the fold, the operations, the quality
    # checks): the sums are taken in one loop per partition, without lists or calls.
    low = best = 0
    high: int | None = None
    found = False
    for parts in _PARTITIONS:
        part_low = part_best = part_high = 0
        present = bounded = 0
        complete = True
        for i in parts:
            fig = figs[i]
            if fig is None:
                complete = complete and i == _UNKNOWN
                continue
            present += 1
            part_low += fig[0]
            part_best += fig[1]
            if fig[2] is not None:
                bounded += 1
                part_high += fig[2]
        if not present:
            continue
        found = True
        low = max(low, part_low)
        best = max(best, part_best)
        if complete and bounded == present:
            high = part_high if high is None else min(high, part_high)
    if not found:
        return None
    if high is not None:
        # Breakdowns that disagree with each other: the data-quality projection says so.
        high = max(high, best)
    return qualified(low, best, high)


def vague(fig: Fig) -> Fig:
    """Return the range a figure qualified "about" stands for (see the module docstring).

    A figure with another qualifier, or an ``about`` figure with bounds of its own, is
    returned as it is.
    """
    low, best, high, qualifier, raw = fig
    if qualifier != ABOUT or low != high:
        return fig
    margin = int(best * ABOUT_TOLERANCE + 0.5)
    below = raw is not None and raw.lstrip().lower().startswith(_BELOW_WORDS)
    return (max(0, best - margin), best, best if below else best + margin, qualifier, raw)


def _widened(figs: Figs) -> Figs:
    # Most reports are exact: look before building a new tuple.
    for fig in figs:
        if fig is not None and fig[3] == ABOUT and fig[0] == fig[2]:
            return tuple(None if f is None else vague(f) for f in figs)
    return figs


# The figures of records read from stored JSON are shared by every record with equal figures
# (see _compact.form_figs): what they read as is found once per shared object, and shared too.
_effective_of: dict[int, tuple[Figs, tuple[Figs, str]]] = {}
_EFFECTIVE_LIMIT = 1 << 14


def effective(figs: Figs) -> tuple[Figs, str]:
    """Return a report's figures as the projections read them, and how the total was found.

    The total is filled in (or raised to the report's own parts), and every figure qualified
    "about" reads as its range (:func:`vague`).

    Returns:
        The figures (``total`` always set when anything was reported) and the basis:
        ``"reported"``, ``"parts"`` (a reported total raised to the sum of the report's own
        parts, which exceed it), ``"families"`` (converted) or ``"breakdown"`` (at least the
        parts).
    """
    # The entry holds the figures themselves, so their id is not reused while it lives.
    hit = _effective_of.get(id(figs))
    if hit is not None and hit[0] is figs:
        return hit[1]
    found = _effective(figs)
    if len(_effective_of) >= _EFFECTIVE_LIMIT:
        _effective_of.clear()
    _effective_of[id(figs)] = (figs, found)
    return found


def _effective(figs: Figs) -> tuple[Figs, str]:
    figs = _widened(figs)
    total = figs[0]
    if total is not None:
        parts = _from_breakdown(figs) if any(figs[_FIRST_CATEGORY:]) else None
        if parts is None or parts[0] <= total[0]:
            return figs, BASIS_REPORTED
        return (raised(total, parts[0]), *figs[1:]), BASIS_PARTS
    families = figs[1]
    total = people_from_families(families) if families is not None else _from_breakdown(figs)
    basis = BASIS_FAMILIES if families is not None else BASIS_BREAKDOWN
    return (total, *figs[1:]), basis


class Combined(NamedTuple):
    """An operation's figures under a policy: ``figs`` (the total always set) and its basis."""

    figs: Figs
    basis: str


Candidate = tuple[Fig, OpRec, SourceRec]


def _choose(candidates: Sequence[Candidate], policy: Policy) -> Candidate:
    """Return the candidate (figure, report, source) whose figure the policy picks."""
    if policy.rule is PolicyRule.LATEST:
        return max(
            candidates,
            key=lambda c: (
                -1
                if c[2].published is None or c[2].published.latest is None
                else c[2].published.latest,
                c[1].position,
            ),
        )
    pool = candidates
    if policy.rule is PolicyRule.PREFER_SPEAKER:
        preferred = [c for c in candidates if c[2].speaker_kind == policy.speaker_kind]
        pool = preferred or candidates
    return min(pool, key=lambda c: (c[0][1], c[1].position))


def _span(candidates: Sequence[Candidate], policy: Policy, lead: OpRec | None = None) -> Fig:
    """Return a category's figure across reports: low and high span them all; best is the
    lead report's when it gives the category, else the policy's pick."""
    figures = [c[0] for c in candidates]
    first = figures[0]
    if all(f[:4] == first[:4] for f in figures[1:]):
        return first
    led = [c for c in candidates if c[1] is lead]
    best = (led[0] if led else _choose(candidates, policy))[0][1]
    low = min(f[0] for f in figures)
    highs = [f[2] for f in figures]
    high = None if any(h is None for h in highs) else max(h for h in highs if h is not None)
    return qualified(low, best, high)


def combine(
    reports: Sequence[tuple[OpRec, SourceRec]],
    policy: Policy,
    adjudicated: Figs | None,
) -> Combined | None:
    """Return an operation's figures under ``policy``, or ``None`` when it does not count.

    Args:
        reports: the operation's reports with their sources, in log order.
        policy: the policy that picks ``best``.
        adjudicated: the figures of the latest adjudication of the operation, if any.

    Returns:
        The combined figures, or ``None`` under ``adjudicated-only`` for an operation nobody
        adjudicated. Where the policy reads adjudications and one is recorded, it is the
        operation's figures: the analyst's choice, raised only by its own parts (an analyst
        who adjudicates a contradicted report has resolved the contradiction).
    """
    if adjudicated is not None and policy.rule.reads_adjudications:
        return _within_total(*effective(adjudicated))
    if policy.rule is PolicyRule.ADJUDICATED:
        return None
    if len(reports) == 1:
        # One report: every policy picks its own figures.
        return _within_total(*effective(reports[0][0].people))
    views = [(effective(r.people), r, s) for r, s in reports]
    rank = min(_BASIS_RANK[basis] for (_, basis), _, _ in views)
    out: list[Fig | None] = []
    lead: OpRec | None = None
    for i in range(len(FIELDS)):
        candidates = [
            (fig, r, s)
            for (figs, basis), r, s in views
            if (fig := figs[i]) is not None and (i != 0 or _BASIS_RANK[basis] == rank)
        ]
        if i == 0 and candidates:
            # The report whose total the policy picks also gives the split where it has one,
            # so the parts of ``best`` come from one report and agree with its whole (taking
            # each category's lowest from a different report made 42 + 103 of 146).
            lead = _choose(candidates, policy)[1]
        out.append(_span(candidates, policy, lead) if candidates else None)
    basis = next(b for b, r in _BASIS_RANK.items() if r == rank)
    # The people a report names in its parts were there whatever the other reports' headlines
    # say: the operation's low is at least the largest such sum, under every policy.
    floors = [figs[0][0] for (figs, b), _, _ in views if b == BASIS_PARTS and figs[0] is not None]
    total = out[0]
    if floors and total is not None:
        out[0] = raised(total, max(floors))
        basis = BASIS_PARTS
    return _within_total(tuple(out), basis)


def _within_total(figs: Figs, basis: str) -> Combined:
    """Bound every category by the total: "over 100 children" in a group of exactly 146 is
    100 to 146 children. A category whose best already exceeds the total (a source at odds
    with itself, which the data-quality projection reports) keeps its best as its high."""
    total = figs[0]
    cap = None if total is None else total[2]
    if cap is None:
        return Combined(figs, basis)
    out = list(figs)
    capped = set()
    for i in range(_FIRST_CATEGORY, len(out)):
        fig = out[i]
        if fig is not None and (fig[2] is None or fig[2] > cap):
            capped.add(i)
            out[i] = _with_high(fig, max(cap, fig[1]))
    # A category bounded here still holds the least its parts hold: 1 woman reported beside
    # "at most 1 adult", with a total of 0 from another report, leaves 1 adult possible.
    for whole, parts in _NESTED:
        fig = out[whole]
        if whole in capped and fig is not None and fig[2] is not None:
            floor = sum(part[0] for i in parts if (part := out[i]) is not None)
            if floor > fig[2]:
                out[whole] = _with_high(fig, floor)
    return Combined(tuple(out), basis)


def _with_high(fig: Fig, high: int) -> Fig:
    qualifier = EXACT if fig[0] == fig[1] == high else RANGE
    return (fig[0], fig[1], high, qualifier, fig[4])


class Sum:
    """A running sum of figures: low, best and high, with unbounded highs counted apart.

    Adding and subtracting are exact (integers), so a sum kept up to date one change at a
    time equals one computed from scratch.
    """

    __slots__ = ("best", "count", "high", "low", "unbounded")

    def __init__(self) -> None:
        self.low = self.best = self.high = self.unbounded = self.count = 0

    def add(self, fig: Fig, sign: int = 1) -> None:
        """Add ``fig`` (or subtract it, with ``sign=-1``)."""
        self.low += sign * fig[0]
        self.best += sign * fig[1]
        if fig[2] is None:
            self.unbounded += sign
        else:
            self.high += sign * fig[2]
        self.count += sign

    def fig(self) -> Fig | None:
        """Return the sum as a figure, or ``None`` when nothing was added."""
        if self.count == 0:
            return None
        return qualified(self.low, self.best, None if self.unbounded else self.high)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sum) and self.__getstate__() == other.__getstate__()

    def __getstate__(self) -> tuple[int, int, int, int, int]:
        return (self.low, self.best, self.high, self.unbounded, self.count)

    def __setstate__(self, state: tuple[int, int, int, int, int]) -> None:
        self.low, self.best, self.high, self.unbounded, self.count = state

    def __repr__(self) -> str:
        return f"Sum{self.__getstate__()!r}"

    __hash__ = None  # type: ignore[assignment]
