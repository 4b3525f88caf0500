"""The reconciliation projection: windows, origin scopes, qualifiers and statuses."""

from __future__ import annotations

import datetime as dt
import pickle

import attrs
import pytest
from hypothesis import given, strategies as st

from _projection_events import claim, day, ledger_of, op
from repatevents import Event, Origin, People, Source, ValidationError, strategies as rst
from repatevents._ledger import Ledger
from repatevents.projections import Reconciliation, ReconciliationStatus
from repatevents.projections._aggregates import OpView
from repatevents.projections._clock import NO, POSSIBLE, SURE, in_window
from repatevents.projections._compact import FIELDS, ClaimRec
from repatevents.projections._operations import operation_views, sort_key
from repatevents.projections._policy import POLICIES
from repatevents.projections._reconcile import LISTED, compare, comparisons, listed, reconcile
from repatevents.projections._scope import origin_of
from repatevents.projections._window_index import OperationIndex, part


def _one(rows: tuple[Reconciliation, ...]) -> Reconciliation:
    assert 1 == len(rows)
    return rows[0]


def _ledger_bounds(row: Reconciliation) -> tuple[int, int, int | None]:
    return (row.ledger.low, row.ledger.best, row.ledger.high)


def test_a_claim_within_its_qualifier_is_consistent() -> None:
    """ "About 60" reaches 54 to 66 (10% either side): 57 in the ledger is consistent."""
    ledger = ledger_of(op("UZB", 57, "2023-05-01"), claim("UZB", "about 60", "2023-12"))
    row = _one(ledger.reconciliation())
    assert (ReconciliationStatus.CONSISTENT, -3) == (row.status, row.gap_best)


def test_an_exact_claim_below_the_ledger() -> None:
    """50 claimed, 57 recorded: the ledger is higher by 7."""
    ledger = ledger_of(op("UZB", 57, "2023-05-01"), claim("UZB", 50, "2023-12"))
    row = _one(ledger.reconciliation())
    assert (ReconciliationStatus.LEDGER_HIGHER, 7) == (row.status, row.gap_best)


def test_a_claim_matched_only_through_uncertain_origins() -> None:
    """150 from Syria; the ledger holds 100 from al-Hol and 80 from "Syria or Iraq": 100 to
    180 reaches 150 only if the uncertain 80 count. The scope cannot be matched."""
    ledger = ledger_of(
        op("TJK", 100, "2023-01-10", origin="al-hol"),
        op("TJK", 80, "2023-02-10", origin="syria-or-iraq"),
        claim("TJK", 150, "2023-12"),
    )
    row = _one(ledger.reconciliation())
    assert ((100, 100, 180), ReconciliationStatus.SCOPE_UNMATCHED) == (
        _ledger_bounds(row),
        row.status,
    )


def test_a_syria_only_claim_never_counts_iraq() -> None:
    """20 from Iraq are outside a "from Syria" claim."""
    ledger = ledger_of(op("TJK", 20, "2023-01-10", origin="iraq"), claim("TJK", 20, "2023-12"))
    row = _one(ledger.reconciliation())
    assert ((0, 0, 0), ReconciliationStatus.LEDGER_LOWER) == (_ledger_bounds(row), row.status)


def test_the_window_start_excludes_earlier_operations() -> None:
    """ "Since 2023": the 2022 operation is outside, the 2023 one inside."""
    ledger = ledger_of(
        op("DEU", 10, "2022-06-01"),
        op("DEU", 12, "2023-06-01"),
        claim("DEU", 12, "2023-12", since=day("2023")),
    )
    row = _one(ledger.reconciliation())
    assert ((12, 12, 12), ReconciliationStatus.CONSISTENT) == (_ledger_bounds(row), row.status)


def test_an_operation_straddling_the_window_end_widens_the_range() -> None:
    """A claim as of 30 June and an operation "in June or July" (a span): possibly inside."""
    ledger = ledger_of(
        op("NLD", 12, "2023-06-20/2023-07-05"),
        claim("NLD", 12, "2023-06-30"),
    )
    row = _one(ledger.reconciliation())
    assert (0, 0, 12) == _ledger_bounds(row)
    assert 1 == len(row.possible_operations)


def test_a_claim_about_nationals_counts_the_operations_that_carried_them() -> None:
    """A claim that KAZ took back 10 Tajiks: only the plane with Tajik nationals counts."""
    ledger = ledger_of(
        op("KAZ", 10, "2023-01-10", nationality="TJK"),
        op("KAZ", 200, "2023-02-10"),
        claim("KAZ", 10, "2023-12", nationality="TJK", origin=Origin.SYRIA_OR_IRAQ),
    )
    assert (10, 10, 10) == _ledger_bounds(_one(ledger.reconciliation()))


def test_claims_count_only_once_made_as_of() -> None:
    """A claim dated December 2023 is not there as of 30 November 2023."""
    ledger = ledger_of(op("UZB", 57, "2023-05-01"), claim("UZB", 57, "2023-12"))
    assert () == ledger.reconciliation(as_of=dt.date(2023, 11, 30))
    assert 1 == len(ledger.reconciliation(as_of=dt.date(2023, 12, 31)))


def test_the_policy_chooses_the_figures_summed() -> None:
    """Under adjudicated-only nothing is summed when nobody adjudicated."""
    ledger = ledger_of(op("UZB", 57, "2023-05-01"), claim("UZB", 57, "2023-12"))
    row = _one(reconcile(ledger.state(), None, POLICIES["adjudicated-only"]))
    assert (0, 0, 0) == _ledger_bounds(row)


def test_a_claim_of_one_category_is_compared_with_that_category() -> None:
    """ "30 children" (no total) against an operation of 51 with 35 children: the ledger holds
    35 children, higher by 5; "20 women" against its 16 women: lower by 4. Neither is compared
    with the 51."""
    operation = op("UZB", People(total=51, women=16, children=35), "2023-05-01")
    children = _one(
        ledger_of(operation, claim("UZB", People(children=30), "2023-12")).reconciliation()
    )
    women = _one(ledger_of(operation, claim("UZB", People(women=20), "2023-12")).reconciliation())
    assert ("children", (35, 35, 35), ReconciliationStatus.LEDGER_HIGHER, 5) == (
        children.category,
        _ledger_bounds(children),
        children.status,
        children.gap_best,
    )
    assert ("women", ReconciliationStatus.LEDGER_LOWER, -4) == (
        women.category,
        women.status,
        women.gap_best,
    )
    assert "30 children" in children.explanation


def test_an_operation_without_the_claimed_category_counts_from_none_to_all() -> None:
    """ "40 children" against 35 children in one operation and an operation of 20 with no split:
    the ledger holds 35 to 55 children (the 20 may all be children, or none), which allows 40;
    the explanation says which operation is unsplit."""
    ledger = ledger_of(
        op("UZB", People(total=51, children=35), "2023-05-01"),
        op("UZB", 20, "2023-06-01"),
        claim("UZB", People(children=40), "2023-12"),
    )
    row = _one(ledger.reconciliation())
    assert ((35, 35, 55), ReconciliationStatus.CONSISTENT) == (_ledger_bounds(row), row.status)
    assert "give no count of children" in row.explanation


def test_a_claim_with_a_total_is_compared_with_the_total() -> None:
    """ "60 people, 20 women": the total is what the claim is about."""
    ledger = ledger_of(
        op("UZB", People(total=57, women=30), "2023-05-01"),
        claim("UZB", People(total="about 60", women=20), "2023-12"),
    )
    row = _one(ledger.reconciliation())
    assert ("total", ReconciliationStatus.CONSISTENT) == (row.category, row.status)


def test_open_date_ends_stay_empty_in_the_tables() -> None:
    """An operation "on or before 10 May 2024" has no earliest day, and a claim "until some
    time after 2021" no window end: the cells stay empty and the window text is EDTF."""
    ledger = ledger_of(
        op("RUS", 32, "../2024-05-10", source=Source(publisher="TASS")),
        claim("RUS", 32, "2021/..", source=Source(publisher="TASS")),
        claim("RUS", 40, "2023-12", since=day("2021")),
    )
    tables = ledger.tables()
    (operation,) = tables["operations"].records()
    windows = [(r["window_end"], r["window_text"]) for r in tables["reconciliation"].records()]
    assert (None, dt.date(2024, 5, 10)) == (operation["date_start"], operation["date_end"])
    assert [(dt.date(2023, 12, 31), "2021/2023-12"), (None, "../..")] == windows


def test_a_contradicted_headline_counts_its_parts_in_totals_and_claims() -> None:
    """ "95 detainees: 31 women and 95 children" and another operation of 74: the country's
    total and a yearly claim of 200 both count 126 + 74, and the explanation says why."""
    ledger = ledger_of(
        op("UZB", People(total=95, women=31, children=95), "2023-05-01"),
        op("UZB", 74, "2023-08-01"),
        claim("UZB", 200, "2023-12", since=day("2023")),
    )
    (total,) = ledger.totals()
    row = _one(ledger.reconciliation())
    assert (200, (200, 200, 200), ReconciliationStatus.CONSISTENT) == (
        total.total.low,
        _ledger_bounds(row),
        row.status,
    )
    assert "126 (the sum of the parts a report names, above its headline total)" in (
        row.explanation
    )


def test_the_explanation_shows_a_disputed_figure_as_its_range() -> None:
    """Reports of 95 and 96 for one operation: the explanation names 95 with its range."""
    ledger = ledger_of(
        op("KGZ", 95, "2023-12-08", operation_key="KGZ-12"),
        op("KGZ", 96, "2023-12-07", operation_key="KGZ-12", source=Source(publisher="Camp")),
        claim("KGZ", 95, "2023-12"),
    )
    assert "95 (95 to 96) surely inside" in _one(ledger.reconciliation()).explanation


def test_nearly_reaches_below_its_number_only() -> None:
    """ "Nearly 600" is 540 to 600: 560 recorded is consistent, 610 is above the claim."""
    consistent = ledger_of(op("UZB", 560, "2023-05-01"), claim("UZB", "nearly 600", "2023-12"))
    above = ledger_of(op("UZB", 610, "2023-05-01"), claim("UZB", "nearly 600", "2023-12"))
    assert [ReconciliationStatus.CONSISTENT, ReconciliationStatus.LEDGER_HIGHER] == [
        _one(consistent.reconciliation()).status,
        _one(above.reconciliation()).status,
    ]


def test_an_about_claim_with_its_own_bounds_keeps_them() -> None:
    """ "About 30-40" is 30 to 40, not widened again: 42 recorded is above the claim."""
    ledger = ledger_of(op("UZB", 42, "2023-05-01"), claim("UZB", "about 30-40", "2023-12"))
    assert ReconciliationStatus.LEDGER_HIGHER == _one(ledger.reconciliation()).status


def test_an_about_operation_reaches_a_claim_by_the_same_rule() -> None:
    """An operation of "about 100" (90 to 110) reaches a claim of exactly 108."""
    ledger = ledger_of(op("UZB", "about 100", "2023-05-01"), claim("UZB", 108, "2023-12"))
    row = _one(ledger.reconciliation())
    assert ((90, 100, 110), ReconciliationStatus.CONSISTENT) == (_ledger_bounds(row), row.status)


def test_a_claim_about_every_country_sums_them_all_once() -> None:
    """ "950 foreigners repatriated in 2019" (a camp administration's count, every receiving
    country together) against KAZ 700 and SWE 200 in 2019 and KAZ 100 in 2020: 900, lower."""
    ledger = ledger_of(
        op("KAZ", 700, "2019-05-09", origin="al-hol"),
        op("SWE", 200, "2019-11-20", origin="al-hol"),
        op("KAZ", 100, "2020-02-01", origin="al-hol"),
        claim(None, 950, "2019", since=day("2019"), all_countries=True),
    )
    row = _one(ledger.reconciliation())
    assert (None, (900, 900, 900), ReconciliationStatus.LEDGER_LOWER) == (
        row.country,
        _ledger_bounds(row),
        row.status,
    )
    assert 2 == len(row.sure_operations)
    (record,) = ledger.tables()["reconciliation"].records()
    assert (None, None, 900) == (record["country"], record["country_name"], record["ledger_best"])


def test_a_claim_names_a_country_or_says_it_counts_them_all() -> None:
    """Neither a country nor all_countries, or both, is refused naming the country field."""
    with pytest.raises(ValidationError, match="all_countries"):
        claim(None, 950, "2019")
    with pytest.raises(ValidationError, match="not both"):
        claim("KAZ", 950, "2019", all_countries=True)


def _reference_members(
    claim_rec: ClaimRec, views: list[OpView]
) -> tuple[list[OpView], list[OpView], set[str]]:
    """The plain scan the index replaces: every operation of the country, one by one."""
    sure: list[OpView] = []
    possible: list[OpView] = []
    reasons: set[str] = set()
    scope = Origin(claim_rec.origin)
    for view in sorted(views, key=sort_key):
        if claim_rec.country is not None and view.country != claim_rec.country:
            continue
        if claim_rec.nationality is not None and (
            (view.nationality or view.country) != claim_rec.nationality
        ):
            continue
        window = in_window(view.date, claim_rec.since, claim_rec.until)
        origin = origin_of(view.origin)
        member = SURE if scope.covers(origin) else POSSIBLE if scope.may_cover(origin) else NO
        where = min(window, member)
        if where == SURE:
            sure.append(view)
        elif where == POSSIBLE:
            possible.append(view)
            if member == POSSIBLE:
                reasons.add(f"origin given as {origin.value}")
            if window == POSSIBLE:
                reasons.add("date may fall outside the window")
    return sure, possible, reasons


def _sums(views: list[OpView], category: int) -> tuple[int, int, int, int, int, int]:
    low = best = high = unbounded = missing = 0
    for view in views:
        fig, given = part(view, category)
        low, best = low + fig[0], best + fig[1]
        high, unbounded = high + (fig[2] or 0), unbounded + (fig[2] is None)
        missing += not given
    return (low, best, high, unbounded, len(views), missing)


@given(rst.event_logs(max_size=40), st.data())
def test_the_index_agrees_with_a_plain_scan(events: list[Event], data: st.DataObject) -> None:
    """For any ledger, window and scope, the index's sums and lists of the operations inside a
    claim equal those of a scan of every operation; the table's rows match the projection's."""
    as_of = data.draw(st.none() | st.integers(735_000, 740_000), label="as_of")
    policy = POLICIES[data.draw(st.sampled_from(sorted(POLICIES)), label="policy")]
    windows = data.draw(
        st.lists(st.tuples(st.none() | st.integers(0, 99), st.integers(0, 99)), max_size=3),
        label="windows",
    )
    category = data.draw(st.integers(0, len(FIELDS) - 1), label="category")
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    state = ledger.state()
    views = list(operation_views(state, as_of, policy))
    index = OperationIndex(views)
    claims = [r for r in state.reports.values() if isinstance(r, ClaimRec)]
    # Claims of other windows over the same operations, their ends on operations' dates.
    dates = [v.date for v in views]
    for rec in claims[:2] if dates else ():
        for since, until in windows:
            start = None if since is None else dates[since % len(dates)]
            claims.append(rec._replace(since=start, until=dates[until % len(dates)]))
    for rec in claims:
        sure, possible, reasons = _reference_members(rec, views)
        found = listed(index, rec, category)
        assert (sure, possible, reasons) == (
            found.sure_views,
            found.possible_views,
            found.reasons,
        )
        summed = compare(index, rec, category, limit=-1)
        assert (_sums(sure, category), _sums(possible, category), reasons) == (
            tuple(summed.sure),
            tuple(summed.possible),
            summed.reasons,
        )
    rows = reconcile(state, as_of, policy)
    table = comparisons(state, as_of, policy)
    assert [(len(r.sure_operations), len(r.possible_operations)) for r in rows] == [
        (c.sure_count, c.possible_count) for c in table
    ]
    assert [attrs.evolve(r, sure_operations=(), possible_operations=()) for r in rows] == [
        c.reconciliation for c in table
    ]


def test_a_claim_over_many_operations_is_explained_by_their_number_and_sum() -> None:
    """Past LISTED operations, the explanation gives their number and sum, not each figure."""
    ledger = ledger_of(
        *(op("UZB", 10, f"2023-05-{d:02d}", operation_key=f"k{d}") for d in range(1, LISTED + 2)),
        claim("UZB", 1000, "2023-12"),
    )
    row = _one(ledger.reconciliation())
    assert LISTED + 1 == len(row.sure_operations)
    assert (
        f"{LISTED + 1} operations summing to {10 * (LISTED + 1)} surely inside" in row.explanation
    )
    (table_row,) = comparisons(ledger.state(), None, POLICIES["conservative"])
    assert (row.explanation, LISTED + 1) == (
        table_row.reconciliation.explanation,
        table_row.sure_count,
    )


def test_a_rows_operations_are_listed_when_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """reconciliation() sums a claim over many operations without listing them; reading a
    row's ids lists its operations once, for both of its lists, and the ids pickle, compare and
    hash as the tuple they are (a claim over years of operations would otherwise list
    thousands of ids per row, claims x operations in all)."""
    from repatevents.projections import _reconcile

    calls: list[ClaimRec] = []

    def counting(index: OperationIndex, rec: ClaimRec, category: int) -> object:
        calls.append(rec)
        return listed(index, rec, category)

    monkeypatch.setattr(_reconcile, "listed", counting)
    ledger = ledger_of(
        *(op("UZB", 10, f"2023-05-{d:02d}", operation_key=f"k{d}") for d in range(1, LISTED + 2)),
        op("UZB", 7, "2023"),
        claim("UZB", 1000, "2023-06", since=day("2023-05")),
    )
    row = _one(ledger.reconciliation())
    assert [] == calls
    ids = tuple(op.id for op in ledger.operations())
    assert ids[:-1] == tuple(row.sure_operations)
    assert (ids[-1],) == row.possible_operations
    assert 1 == len(calls)
    assert row == attrs.evolve(row, sure_operations=ids[:-1], possible_operations=(ids[-1],))
    assert hash(row.sure_operations) == hash(ids[:-1])
    assert ids[:-1] == pickle.loads(pickle.dumps(row.sure_operations))
