"""The quality checks made by sorted sweeps: the same findings as comparing every two."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from hypothesis import given, strategies as st

from repatevents import PopulationScope
from repatevents.projections._aggregates import OpView
from repatevents.projections._quality_sweeps import ordinal_findings, scope_findings
from repatevents.projections._records import EXACT, FIELDS, Figs, OpRec, StockRec, When, uuid_of


def _figs(total: int) -> Figs:
    return ((total, total, total, EXACT, None), *[None] * (len(FIELDS) - 1))


_BASE = dt.date(2020, 1, 1).toordinal()
# Dates from 2020 to 2022, some open at either end, some only a month or a year long.
_WHEN = st.builds(
    lambda start, length, open_start, open_end: When(
        None if open_start else _BASE + start,
        None if open_end else _BASE + start + length,
        None if open_end else _BASE + start + length,
        "day",
        None,
    ),
    st.integers(0, 1000),
    st.sampled_from([0, 0, 1, 5, 30, 200, 400]),
    st.sampled_from([False, False, False, True]),
    st.sampled_from([False, False, False, True]),
)


def _reference_ordinals(
    views: list[OpView], names: dict[int, set[str]], claims: list[tuple[OpView, OpRec]]
) -> list[tuple[str, tuple[UUID, ...]]]:
    """The ordinal check written plainly: each ordinal compared with every operation."""
    found: list[tuple[str, tuple[UUID, ...]]] = []
    for view, rec in claims:
        scope, ordinal = rec.ordinal_scope, rec.ordinal
        assert ordinal is not None
        year = None
        if scope == "year":
            if view.date.earliest is None or view.date.latest is None:
                continue
            first = dt.date.fromordinal(view.date.earliest).year
            if first != dt.date.fromordinal(view.date.latest).year:
                continue
            year = first
        sure = possible = 0
        for peer in views:
            if peer.country != view.country or peer.gid == view.gid:
                continue
            e, la = peer.date.earliest, peer.date.latest
            if scope == "campaign":
                member = "sure" if rec.name in names[peer.gid] else "no"
            elif scope == "all":
                member = "sure"
            else:
                assert year is not None
                start, end = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
                if e is not None and la is not None and start <= e and la <= end:
                    member = "sure"
                elif (la is not None and la < start) or (e is not None and e > end):
                    member = "no"
                else:
                    member = "possible"
            if member == "no":
                continue
            if member == "sure" and la is not None and view.date.earliest is not None:
                sure += la < view.date.earliest
            possible += e is None or view.date.latest is None or e <= view.date.latest
        if sure + 1 <= ordinal <= possible + 1:
            continue
        words = {"year": f"this year ({year})", "all": "of all"}.get(
            str(scope), f"of the {rec.name} operations"
        )
        held = f"no. {sure + 1}" if sure == possible else f"no. {sure + 1} to {possible + 1}"
        message = (
            f"{view.country}: a report calls an operation no. {ordinal} {words}; the ledger "
            f"counts it as {held} (operations are missing, or the source counts differently)."
        )
        found.append((message, (uuid_of(rec.id),)))
    return found


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["KAZ", "KAZ", "KGZ"]),
            _WHEN,
            st.sets(st.sampled_from(["Jusan", "Mercy"]), max_size=2),
            st.none() | st.tuples(st.integers(1, 12), st.sampled_from(["year", "all", "campaign"])),
        ),
        max_size=60,
    )
)
def test_ordinals_agree_with_a_pairwise_count(
    drawn: list[tuple[str, When, set[str], tuple[int, str] | None]],
) -> None:
    """Every scoped ordinal gets the finding that counting every operation one by one gives."""
    views, names, claims = [], {}, []
    for gid, (country, when, called, said) in enumerate(drawn, start=1):
        view = OpView(gid, country, None, "syria", when, _figs(10), "reported")
        views.append(view)
        names[gid] = called
        if said is not None:
            name = min(called) if called else None
            rec = OpRec(
                *(gid, gid, 0, country, None, "syria", when, "handover", _figs(10), ()),
                *(name, said[0], None, said[1]),
            )
            claims.append((view, rec))
    found = [(f.message, f.event_ids) for f in ordinal_findings(views, names, claims)]
    assert _reference_ordinals(views, names, claims) == found


def _best(stock: StockRec) -> int:
    total = stock.people[0]
    assert total is not None
    return total[1]


def _reference_scopes(stocks: list[StockRec]) -> list[tuple[str, tuple[UUID, ...]]]:
    """The scope check as first written: every two observations of a place."""
    found: list[tuple[str, tuple[UUID, ...]]] = []
    for place in sorted({s.place for s in stocks}):
        group = [s for s in stocks if s.place == place]
        seen: set[tuple[str, str]] = set()
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                pair = (min(a.scope, b.scope), max(a.scope, b.scope))
                lo = max(a.date.earliest or 0, b.date.earliest or 0)
                hi = min(a.date.latest or 10**7, b.date.latest or 10**7)
                if a.scope == b.scope or pair in seen or lo > hi:
                    continue
                seen.add(pair)
                message = (
                    f"{place}: {_best(a)} ({a.scope}) and {_best(b)} ({b.scope}) "
                    "count different populations at overlapping dates; they are kept apart."
                )
                found.append((message, (uuid_of(a.id), uuid_of(b.id))))
    return found


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["al-hol", "roj"]),
            st.sampled_from([s.value for s in PopulationScope]),
            _WHEN,
        ),
        max_size=80,
    )
)
def test_scope_mismatches_agree_with_a_pairwise_check(
    drawn: list[tuple[str, str, When]],
) -> None:
    """For each place and two scopes, the first two overlapping observations, as comparing
    every two observations finds them."""
    stocks = [
        StockRec(i, i, 0, place, when, _figs(100 + i), scope, None, ())
        for i, (place, scope, when) in enumerate(drawn, start=1)
    ]
    found = [(f.message, f.event_ids) for f in scope_findings(stocks)]
    assert _reference_scopes(stocks) == found
