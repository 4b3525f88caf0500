"""The remaining-in-camp projection: interval arithmetic, clamping, unknowns, residuals."""

from __future__ import annotations

import datetime as dt

from _projection_events import CAMP, inflow, ledger_of, op, outflow, stock
from repatevents import CampStatusChanged, OutflowKind, People, PopulationScope
from repatevents.projections import DEFAULT_POLICY, POLICIES, RemainingEstimate
from repatevents.projections._remaining import remaining

END_2023 = dt.date(2023, 12, 31)


def _row(
    rows: tuple[RemainingEstimate, ...],
    place: str | None,
    scope: str = "all",
    country: str | None = None,
) -> RemainingEstimate:
    found = [r for r in rows if (r.place, r.scope.value, r.country) == (place, scope, country)]
    assert 1 == len(found)
    return found[0]


def _bounds(row: RemainingEstimate) -> tuple[int, int, int | None]:
    assert row.remaining is not None
    return (row.remaining.low, row.remaining.best, row.remaining.high)


def test_flows_surely_after_the_baseline_move_every_bound() -> None:
    """2,000 in Roj on 1 June; then 100 repatriated, 20 released, 15 born:
    2,000 - 100 - 20 + 15 = 1,895."""
    ledger = ledger_of(
        stock("roj", 2_000, "2023-06-01"),
        op("KAZ", 100, "2023-07-01", origin="roj"),
        outflow("roj", 20, "2023-08-01"),
        inflow("roj", 15, "2023-09-01"),
    )
    row = _row(ledger.remaining(as_of=END_2023), "roj")
    assert (1_895, 1_895, 1_895) == _bounds(row)
    assert (213, True) == (row.age_days, row.other_flows_recorded)  # 1 June to 31 December


def test_qualified_flows_use_interval_arithmetic() -> None:
    """Baseline "around 2,000" (1,800 to 2,200); "up to 50" died (0 to 50, best 50), "over 10"
    were born (10 or more): low = 1,800 - 50 + 10 = 1,760; best = 2,000 - 50 + 10 = 1,960;
    high = 2,200 - 0 + unbounded: no upper bound."""
    ledger = ledger_of(
        stock("roj", "around 2,000", "2023-06-01"),
        outflow("roj", "up to 50", "2023-06-03", kind=OutflowKind.DEATH),
        inflow("roj", "over 10", "2023-06-05"),
    )
    row = _row(ledger.remaining(as_of=END_2023), "roj")
    assert (1_760, 1_960, None) == _bounds(row)


def test_flows_that_may_precede_the_baseline_widen_the_range() -> None:
    """An observation "in December" and a release on 7 December may be either way round:
    the release lowers low only."""
    ledger = ledger_of(stock("al-hol", 1_000, "2023-12"), outflow("al-hol", 40, "2023-12-07"))
    assert (960, 1_000, 1_000) == _bounds(_row(ledger.remaining(as_of=END_2023), "al-hol"))


def test_a_vaguer_origin_may_or_may_not_be_the_camp() -> None:
    """An operation "from north-east Syria" possibly left al-Hol: it widens al-Hol's range."""
    ledger = ledger_of(
        stock("al-hol", 1_000, "2023-01-01"), op("KGZ", 96, "2023-06-01", origin="nes")
    )
    assert (904, 1_000, 1_000) == _bounds(_row(ledger.remaining(as_of=END_2023), "al-hol"))


def test_a_negative_result_is_clamped_and_flagged() -> None:
    """30 counted, then 50 released: 30 - 50 < 0 becomes 0, flagged."""
    ledger = ledger_of(stock("roj", 30, "2023-01-01"), outflow("roj", 50, "2023-02-01"))
    row = _row(ledger.remaining(), "roj")
    assert ((0, 0, 0), True) == (_bounds(row), row.clamped)


def test_no_baseline_is_unknown_not_zero() -> None:
    """A camp nobody counted is unknown, and so are the nationals of a country with
    operations but no count of them."""
    rows = ledger_of(op("KAZ", 100, "2023-07-01", origin="roj")).remaining()
    roj = _row(rows, "roj")
    assert (True, None) == (roj.unknown, roj.remaining)
    assert _row(rows, None, "nationals", "KAZ").unknown


def test_a_count_after_as_of_is_unknown_then_and_a_residual_before() -> None:
    """1,000 on 1 January, 100 repatriated on 1 March, 850 counted on 1 June. As of 31 March:
    900, and the June count reveals 850 - 900 = -50 unexplained. As of 1 January 2022,
    before any count: unknown."""
    ledger = ledger_of(
        stock("roj", 1_000, "2023-01-01"),
        op("KAZ", 100, "2023-03-01", origin="roj"),
        stock("roj", 850, "2023-06-01"),
    )
    row = _row(ledger.remaining(as_of=dt.date(2023, 3, 31)), "roj")
    assert ((900, 900, 900), -50, dt.date(2023, 6, 1)) == (
        _bounds(row),
        row.residual,
        row.later_date.earliest if row.later_date else None,
    )
    assert _row(ledger.remaining(as_of=dt.date(2022, 1, 1)), "roj").unknown
    latest = _row(ledger.remaining(), "roj")
    assert ((850, 850, 850), None) == (_bounds(latest), latest.residual)


def test_the_residual_does_not_depend_on_the_query_day() -> None:
    """1,000 on 1 January, 100 repatriated on 1 March, 200 on 1 May, 650 counted on 1 June:
    the June count reveals 650 - (1,000 - 100 - 200) = -50, asked on 31 March or on 31 May
    (the May operation is after the first query day, not after the June count)."""
    ledger = ledger_of(
        stock("roj", 1_000, "2023-01-01"),
        op("KAZ", 100, "2023-03-01", origin="roj"),
        op("TJK", 200, "2023-05-01", origin="roj"),
        stock("roj", 650, "2023-06-01"),
    )
    residuals = [
        _row(ledger.remaining(as_of=dt.date(2023, month, 30)), "roj").residual for month in (3, 5)
    ]
    assert [-50, -50] == residuals


def test_flows_that_may_have_happened_by_the_query_day_widen_the_range() -> None:
    """1,000 on 1 January; 100 repatriated "in July", 40 born "in July". On 15 July either may
    have happened: low = 1,000 - 100 = 900, high = 1,000 + 40 = 1,040, best stays 1,000. On
    31 July both have: 940."""
    ledger = ledger_of(
        stock("roj", 1_000, "2023-01-01"),
        op("KAZ", 100, "2023-07", origin="roj"),
        inflow("roj", 40, "2023-07"),
    )
    mid = _row(ledger.remaining(as_of=dt.date(2023, 7, 15)), "roj")
    end = _row(ledger.remaining(as_of=dt.date(2023, 7, 31)), "roj")
    assert ((900, 1_000, 1_040), (940, 940, 940)) == (_bounds(mid), _bounds(end))
    assert _row(ledger.remaining(as_of=dt.date(2023, 6, 30)), "roj").repatriated is None


def test_populations_of_different_scopes_are_not_mixed() -> None:
    """al-Hol "everyone" and al-Hol "foreigners" are two estimates; an Iraqi operation leaves
    the first but not the second."""
    ledger = ledger_of(
        stock("al-hol", 40_000, "2023-01-01"),
        stock("al-hol", 6_000, "2023-01-01", scope=PopulationScope.FOREIGNERS),
        op("IRQ", 600, "2023-02-01", origin="al-hol"),
    )
    rows = ledger.remaining()
    assert (39_400, 39_400, 39_400) == _bounds(_row(rows, "al-hol"))
    assert (6_000, 6_000, 6_000) == _bounds(_row(rows, "al-hol", "foreigners"))


def test_counts_per_nationality_are_populations_of_their_own() -> None:
    """A count of al-Hol with 120 Kazakhs among them; 100 Kazakhs leave: 20 remain."""
    ledger = ledger_of(
        stock("al-hol", People(total=40_000), "2023-01-01", by_nationality={"KAZ": 120}),
        op("KAZ", 100, "2023-02-01", origin="al-hol"),
    )
    assert (20, 20, 20) == _bounds(_row(ledger.remaining(), "al-hol", "nationals", "KAZ"))


def test_default_query_and_recomputed_query_agree() -> None:
    """The kept sums (every date) equal a fresh computation (as of a day after everything)."""
    ledger = ledger_of(
        stock("roj", 2_000, "2023-06-01"),
        op("KAZ", 100, "2023-07-01", origin="roj"),
        outflow("roj", 20, "2023-08"),
        op("KGZ", 50, "2023-05-20/2023-06-10", origin="nes"),
    )
    kept = _row(ledger.remaining(), "roj")
    fresh = _row(ledger.remaining(as_of=dt.date(2099, 1, 1)), "roj")
    assert _bounds(kept) == _bounds(fresh)


def test_an_about_baseline_is_its_range_not_an_exact_count() -> None:
    """ "About 43,000" in al-Hol is 38,700 to 47,300; 500 released leave 38,200 to 46,800."""
    ledger = ledger_of(
        stock("al-hol", "about 43,000", "2024-05-01"), outflow("al-hol", 500, "2024-05-10")
    )
    assert (38_200, 42_500, 46_800) == _bounds(_row(ledger.remaining(), "al-hol"))


def _status(place: str, date: str, status: str, authority: str | None = None) -> CampStatusChanged:
    return CampStatusChanged(
        source=CAMP, place=place, date=date, status=status, authority=authority
    )


def test_a_camp_emptied_after_its_count_holds_no_one() -> None:
    """Roj counted at 2,300, emptied in June 2025: exactly 0 from then on, and the row says why;
    as of May 2025 the count still stands."""
    ledger = ledger_of(stock("roj", 2_300, "2024-05-01"), _status("roj", "2025-06", "emptied"))
    row = _row(ledger.remaining(), "roj")
    before = _row(ledger.remaining(as_of=dt.date(2025, 5, 31)), "roj")
    assert ((0, 0, 0), "emptied", "2025-06") == (
        _bounds(row),
        row.camp_status,
        None if row.camp_status_date is None else row.camp_status_date.to_text(),
    )
    assert ((2_300, 2_300, 2_300), None) == (_bounds(before), before.camp_status)


def test_a_count_after_a_closure_is_the_later_word() -> None:
    """A camp closed in 2023 and counted at 150 in 2024 (it reopened): 150, status shown."""
    ledger = ledger_of(_status("roj", "2023-03", "closed"), stock("roj", 150, "2024-05-01"))
    row = _row(ledger.remaining(), "roj")
    assert ((150, 150, 150), "closed") == (_bounds(row), row.camp_status)


def test_a_camp_never_counted_but_closed_is_zero_not_unknown() -> None:
    """Ain Issa has no count; closed in October 2019, it holds no one (not "unknown")."""
    ledger = ledger_of(_status("ain-issa", "2019-10", "closed"))
    row = _row(ledger.remaining(), "ain-issa")
    assert ((0, 0, 0), False) == (_bounds(row), row.unknown)


def test_a_transfer_is_shown_beside_the_estimate() -> None:
    """al-Hol transferred to the Syrian government: the estimate stands, the authority shown."""
    ledger = ledger_of(
        stock("al-hol", 24_000, "2025-01-10"),
        _status("al-hol", "2025-06", "transferred", authority="Syrian government"),
    )
    row = _row(ledger.remaining(), "al-hol")
    assert ((24_000, 24_000, 24_000), "transferred", "Syrian government") == (
        _bounds(row),
        row.camp_status,
        row.camp_authority,
    )
    table = {r["place"]: r for r in ledger.tables()["remaining"].records()}
    assert ("transferred", "Syrian government") == (
        table["al-hol"]["camp_status"],
        table["al-hol"]["camp_authority"],
    )


def test_the_default_and_the_general_paths_agree_on_statuses() -> None:
    """The kept sums (default query) and a recomputation give the same rows with statuses."""
    ledger = ledger_of(
        stock("roj", 2_300, "2024-05-01"),
        outflow("roj", 40, "2024-06-01"),
        _status("roj", "2025-06", "emptied"),
    )
    state = ledger.state()
    kept = remaining(state, None, POLICIES[DEFAULT_POLICY], END_2023, maintained=True)
    again = remaining(state, None, POLICIES[DEFAULT_POLICY], END_2023, maintained=False)
    assert kept == again
