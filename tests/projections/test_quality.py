"""The data-quality projection: each kind of finding, from the smallest ledger that shows it."""

from __future__ import annotations

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
from repatevents.projections._compact import EXACT, FIELDS, When, uuid_of
from repatevents.projections._quality import DUPLICATE_DAYS, DUPLICATE_SHARE, _duplicates


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
            country,
            None,
            "syria",
            When(730_000 + day, 730_000 + day, 730_000 + day, "day", None),
            ((total, total, total, EXACT, None), *[None] * (len(FIELDS) - 1)),
            "reported",
        )
        for gid, (country, day, total) in enumerate(drawn, start=1)
    ]
    found = [(f.message, f.event_ids) for f in _duplicates(list(views))]
    assert _reference_duplicates(views) == found
