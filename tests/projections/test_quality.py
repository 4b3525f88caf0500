"""The data-quality projection: each kind of finding, from the smallest ledger that shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from hypothesis import example, given, strategies as st

from _projection_events import ANALYST, CAMP, GOVERNMENT, claim, ledger_of, op, stock
from repatevents import (
    FigureAdjudicated,
    FuzzyDate,
    OperationReported,
    People,
    PopulationScope,
    ReportRetracted,
    ReportsLinked,
    Source,
)
from repatevents.projections import FindingKind, QualityFinding
from repatevents.projections._aggregates import OpView
from repatevents.projections._clock import order_key
from repatevents.projections._compact import EXACT, FIELDS, Figs, OpRec, StockRec, When, uuid_of
from repatevents.projections._quality import DUPLICATE_DAYS, DUPLICATE_SHARE, _duplicates
from repatevents.projections._quality_sweeps import ordinal_findings, scope_findings


def _of(kind: FindingKind, findings: tuple[QualityFinding, ...]) -> list[QualityFinding]:
    return [f for f in findings if f.kind is kind]


def test_parts_that_exceed_the_whole() -> None:
    """40 women + 70 children are more than a total of 100."""
    report = op("KGZ", People(total=100, women=40, children=70), "2023-08-30")
    found = _of(FindingKind.BREAKDOWN, ledger_of(report).quality())
    assert 1 == len(found)
    assert (report.id,) == found[0].event_ids
    assert found[0].message.startswith("women 40 + children 70 exceed total 100")


def test_a_complete_breakdown_that_falls_short() -> None:
    """12 girls + 10 boys do not make 32 children."""
    report = op("RUS", People(total=32, children=32, girls=12, boys=10), "2024-05-10")
    found = _of(FindingKind.BREAKDOWN, ledger_of(report).quality())
    assert ["girls 12 + boys 10 fall short of children 32"] == [
        f.message.split(" (")[0] for f in found
    ]


def test_a_consistent_breakdown_is_not_a_finding() -> None:
    """31 women + 64 children = 95."""
    report = op("KGZ", People(total=95, women=31, children=64), "2023-08-30")
    assert [] == _of(FindingKind.BREAKDOWN, ledger_of(report).quality())


def test_claims_that_go_down() -> None:
    """One counter says 333 in December and 300 in the following March."""
    found = _of(
        FindingKind.DECREASING_CLAIMS,
        ledger_of(
            claim("KGZ", 333, "2023-12", counter="AANES"),
            claim("KGZ", 300, "2024-03", counter="AANES"),
        ).quality(),
    )
    assert 1 == len(found)


def test_claims_by_different_counters_may_differ() -> None:
    """333 by one counter and 300 later by another is no finding."""
    found = _of(
        FindingKind.DECREASING_CLAIMS,
        ledger_of(
            claim("KGZ", 333, "2023-12", counter="AANES"),
            claim("KGZ", 300, "2024-03", counter="Ministry"),
        ).quality(),
    )
    assert [] == found


def test_operation_without_any_address() -> None:
    """An operation none of whose reports has an address."""
    no_url = Source(publisher="Radio")
    assert 1 == len(
        _of(FindingKind.NO_ADDRESS, ledger_of(op("UZB", 5, "2023-01-02", source=no_url)).quality())
    )
    assert [] == _of(FindingKind.NO_ADDRESS, ledger_of(op("UZB", 5, "2023-01-02")).quality())


def test_reports_of_one_operation_naming_two_countries() -> None:
    """A shared key across KAZ and UZB reports: counted for the first, and a finding."""
    a = op("KAZ", 5, "2023-01-02", operation_key="k")
    b = op("UZB", 5, "2023-01-02", source=CAMP, operation_key="k")
    found = _of(FindingKind.CONFLICTING_COUNTRIES, ledger_of(a, b).quality())
    assert ["KAZ"] == [f.country for f in found]


def test_references_to_reports_not_held() -> None:
    """A retraction and an adjudication naming reports the ledger never held."""
    ghost, other = op("KAZ", 5, "2023-01-02"), op("KAZ", 6, "2023-01-02")
    events = (
        ReportRetracted(source=GOVERNMENT, retracts=ghost.id),
        FigureAdjudicated(source=ANALYST, report=other.id, people=People(total=5)),
    )
    assert 2 == len(_of(FindingKind.DANGLING_REFERENCE, ledger_of(*events).quality()))


def test_a_link_to_a_missing_report_is_dangling() -> None:
    """A link naming one known and one unknown report."""
    known, ghost = op("KAZ", 5, "2023-01-02"), op("KAZ", 6, "2023-01-02")
    link = ReportsLinked(source=ANALYST, reports=(known.id, ghost.id))
    assert 1 == len(_of(FindingKind.DANGLING_REFERENCE, ledger_of(known, link).quality()))


def test_overlapping_counts_of_two_scopes() -> None:
    """al-Hol counted as everyone and as foreigners in the same month."""
    found = _of(
        FindingKind.SCOPE_MISMATCH,
        ledger_of(
            stock("al-hol", 43_000, "2024-05"),
            stock("al-hol", 6_500, "2024-05-10", scope=PopulationScope.FOREIGNERS),
        ).quality(),
    )
    assert 1 == len(found)


def test_quality_as_of_leaves_later_reports_out() -> None:
    """A bad breakdown dated 2024 is not a finding as of 2023."""
    import datetime as dt

    report = op("KGZ", People(total=100, women=40, children=70), "2024-08-30")
    assert [] == list(ledger_of(report).quality(as_of=dt.date(2023, 12, 31)))


def test_a_report_dated_after_its_publication_is_flagged() -> None:
    """An operation on 13 October 2024 in a report of 14 October 2023: a year typed wrong?
    The report of the same day is not flagged."""
    source = Source(publisher="Kun.uz", published=FuzzyDate.parse("2023-10-14"))
    ledger = ledger_of(
        op("UZB", 50, "2024-10-13", source=source), op("UZB", 40, "2023-10-14", source=source)
    )
    found = [f for f in ledger.quality() if f.kind is FindingKind.AFTER_PUBLICATION]
    assert 1 == len(found)
    assert "2024-10-13" in found[0].message
    assert "2023-10-14" in found[0].message


def _kgz(date: str, total: int, **fields: Any) -> OperationReported:
    return op("KGZ", total, date, operation_key=f"KGZ-{date}", **fields)


def test_an_ordinal_this_year_is_checked_against_the_years_operations() -> None:
    """ "The third operation this year" with one earlier KGZ operation in 2023 (and one in 2021
    that does not count): the ledger counts it as no. 2, a finding."""
    ledger = ledger_of(
        _kgz("2021-03-10", 79),
        _kgz("2023-02-01", 59),
        _kgz("2023-08-30", 95, ordinal=3, ordinal_scope="year"),
    )
    (found,) = _of(FindingKind.ORDINAL_MISMATCH, ledger.quality())
    assert "no. 3 this year (2023); the ledger counts it as no. 2" in found.message


def test_an_ordinal_in_all_that_the_ledger_agrees_with_is_no_finding() -> None:
    """ "The third operation" with two earlier KGZ operations: no finding; the same ordinal
    scoped to the year would be one."""
    events = [_kgz("2021-03-10", 79), _kgz("2023-02-01", 59)]
    third: dict[str, Any] = {"ordinal": 3, "ordinal_scope": "all"}
    assert [] == _of(
        FindingKind.ORDINAL_MISMATCH, ledger_of(*events, _kgz("2023-08-30", 95, **third)).quality()
    )


def test_a_campaign_ordinal_counts_the_operations_of_that_name() -> None:
    """ "Jusan-2" is the second Jusan operation; an unnamed operation between them does not count,
    and "Jusan" called the third operation of its campaign is a finding."""
    ledger = ledger_of(
        op("KAZ", 47, "2019-01-06", operation_name="Jusan", operation_key="J1"),
        op("KAZ", 10, "2019-03-01", operation_key="other"),
        op(
            "KAZ",
            231,
            "2019-05-09",
            operation_name="Jusan",
            ordinal=2,
            ordinal_scope="campaign",
            operation_key="J2",
        ),
        op(
            "KAZ",
            171,
            "2019-05-30",
            operation_name="Jusan",
            ordinal=4,
            ordinal_scope="campaign",
            operation_key="J3",
        ),
    )
    (found,) = _of(FindingKind.ORDINAL_MISMATCH, ledger.quality())
    assert "no. 4 of the Jusan operations; the ledger counts it as no. 3" in found.message


def test_fuzzy_dates_make_the_ledgers_count_a_range() -> None:
    """Two operations "in May" may be either way round: ordinals 1 and 2 both fit."""
    events = [
        _kgz("2023-05", 10, ordinal=1, ordinal_scope="year"),
        op("KGZ", 12, "2023-05", operation_key="KGZ-b", ordinal=2, ordinal_scope="year"),
    ]
    assert [] == _of(FindingKind.ORDINAL_MISMATCH, ledger_of(*events).quality())


def test_an_ordinal_without_a_scope_is_not_checked() -> None:
    """ "The fifth" with no scope says nothing the ledger can check."""
    assert [] == _of(
        FindingKind.ORDINAL_MISMATCH, ledger_of(_kgz("2023-08-30", 95, ordinal=5)).quality()
    )


def _reference_duplicates(views: list[OpView]) -> list[tuple[str, tuple[UUID, ...]]]:
    """The likely-duplicate pairs as first written: every later neighbour, one by one."""
    found: list[tuple[str, tuple[UUID, ...]]] = []
    for country in sorted({v.country for v in views}):
        group = sorted(
            (v for v in views if v.country == country), key=lambda v: (order_key(v.date), v.gid)
        )
        for i, a in enumerate(group):
            for b in group[i + 1 : i + 50]:
                days = order_key(b.date) - order_key(a.date)
                if days > DUPLICATE_DAYS:
                    break
                ta, tb = a.figs[0], b.figs[0]
                assert ta is not None
                assert tb is not None
                if abs(ta[1] - tb[1]) <= max(2, DUPLICATE_SHARE * max(ta[1], tb[1])):
                    message = (
                        f"{country}: two operations not linked, {days} days apart, with totals "
                        f"{ta[1]} and {tb[1]}; are they one?"
                    )
                    found.append((message, (uuid_of(a.gid), uuid_of(b.gid))))
    return found


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["KAZ", "KAZ", "KAZ", "KGZ"]),
            st.one_of(st.integers(0, 3), st.integers(0, 40)),
            st.integers(90, 110),
        ),
        max_size=200,
    )
)
@example([("KAZ", 2, 100)] * 60 + [("KAZ", 9, 100), ("KAZ", 10, 100)])  # more than a window
def test_likely_duplicates_are_every_close_pair_within_a_week(
    drawn: list[tuple[str, int, int]],
) -> None:
    """Operations a week apart or closer with close totals pair up, as many and in one order."""
    views = [
        OpView(
            gid,
            (country, None, "syria"),
            When(730_000 + day, 730_000 + day, 730_000 + day, "day", None),
            ((total, total, total, EXACT, None), *[None] * (len(FIELDS) - 1)),
            "reported",
        )
        for gid, (country, day, total) in enumerate(drawn, start=1)
    ]
    found = [(f.message, f.event_ids) for f in _duplicates(list(views))]
    assert _reference_duplicates(views) == found


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
        view = OpView(gid, (country, None, "syria"), when, _figs(10), "reported")
        views.append(view)
        names[gid] = called
        if said is not None:
            name = min(called) if called else None
            rec = OpRec(
                *(gid, gid, 0, (country, None, "syria", "handover"), when, _figs(10), None),
                ((), name, said[0], said[1]),
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
