"""Places as sets: a count of two camps together, an operation from two camps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import find, given, strategies as st

from _projection_events import ANALYST, CAMP, claim, ledger_of, op, stock
from repatevents import (
    CampStatusChanged,
    Estimate,
    Event,
    OperationReported,
    Qualifier,
    ReportsLinked,
    StockObserved,
    ValidationError,
    strategies as rst,
)
from repatevents._ledger import Ledger
from repatevents.errors import UnknownPlaceError
from repatevents.events import PlaceKind, lookup_place
from repatevents.projections import ReconciliationStatus, RemainingEstimate

END_2023 = dt.date(2023, 12, 31)


def _bounds(rows: tuple[RemainingEstimate, ...], place: str) -> tuple[int, int, int | None]:
    found = [r for r in rows if (r.place, r.scope.value, r.country) == (place, "all", None)]
    assert 1 == len(found)
    assert found[0].remaining is not None
    return (found[0].remaining.low, found[0].remaining.best, found[0].remaining.high)


@pytest.mark.parametrize(
    "words", ["al-Hol and Roj", "Roj and al-Hol", "al-Hol; Roj", "roj+al-hol", "Roj & Al Hol camp"]
)
def test_two_camps_named_together_are_one_place_in_table_order(words: str) -> None:
    """Every way a report names al-Hol and Roj together is the one set ``al-hol+roj``."""
    place = lookup_place(words)
    assert ("al-hol+roj", PlaceKind.SET, ("al-hol", "roj")) == (
        place.id,
        place.kind,
        place.members,
    )


def test_a_set_of_one_camp_is_that_camp() -> None:
    """A camp named twice is the camp, not a set."""
    assert "roj" == lookup_place("Roj; roj camp").id


def test_a_set_with_a_vaguer_place_is_refused_naming_the_field() -> None:
    """A set holds only sites: "al-Hol and north-east Syria" is refused with the rule."""
    with pytest.raises(ValidationError) as caught:
        StockObserved(source=CAMP, place="al-Hol and north-east Syria", people=10, date="2023-01")
    message = str(caught.value)
    assert "place" in message
    assert "'nes'" in message
    assert "camps, prisons and centres" in message


def test_an_unknown_member_is_named() -> None:
    """A misspelt camp in a set is an unknown place, with a suggestion."""
    with pytest.raises(UnknownPlaceError) as caught:
        lookup_place("al-Hol and Rojj", field="origin")
    assert ("Rojj", "roj") == (caught.value.query, caught.value.suggestions[0])


def test_an_operation_from_two_camps_possibly_left_each_and_surely_left_the_pair() -> None:
    """al-Hol 1,000, Roj 500 and the pair 1,500 counted; 100 taken from {al-Hol, Roj}:
    each camp keeps its best and loses 0 to 100; the pair loses exactly 100."""
    ledger = ledger_of(
        stock("al-hol", 1_000, "2023-01-01"),
        stock("roj", 500, "2023-01-01"),
        stock("al-Hol and Roj", 1_500, "2023-01-01"),
        op("KAZ", 100, "2023-06-01", origin="Roj and al-Hol"),
    )
    # Both paths: the sums the state keeps (every date) and the sums made for one date.
    for rows in (ledger.remaining(), ledger.remaining(as_of=END_2023)):
        assert (900, 1_000, 1_000) == _bounds(rows, "al-hol")
        assert (400, 500, 500) == _bounds(rows, "roj")
        assert (1_400, 1_400, 1_400) == _bounds(rows, "al-hol+roj")


def test_a_joint_count_is_one_population_not_added_to_either_camp() -> None:
    """A count of "about 45,000 in al-Hol and Roj" is one figure of the pair; neither camp
    is counted from it, so nothing is counted twice."""
    ledger = ledger_of(stock("al-Hol and Roj", "about 45,000", "2023-01-01"))
    rows = ledger.remaining(as_of=END_2023)
    assert 45_000 == _bounds(rows, "al-hol+roj")[1]
    assert all(r.unknown for r in rows if r.place in ("al-hol", "roj"))


def test_an_operation_from_one_camp_surely_left_the_pair() -> None:
    """50 taken from al-Hol surely left al-Hol and Roj together."""
    ledger = ledger_of(
        stock("al-hol+roj", 1_500, "2023-01-01"), op("IRQ", 50, "2023-06-01", origin="al-hol")
    )
    assert (1_450, 1_450, 1_450) == _bounds(ledger.remaining(as_of=END_2023), "al-hol+roj")


def test_reports_naming_different_camps_merge_into_the_set() -> None:
    """One operation reported "from al-Hol" and "from Roj and al-Hol" came from the pair:
    al-Hol is not certain to have lost all of it."""
    ledger = ledger_of(
        stock("al-hol", 1_000, "2023-01-01"),
        op("KAZ", 100, "2023-06-01", origin="al-hol", operation_key="jusan-5"),
        op("KAZ", 100, "2023-06-02", origin="Roj and al-Hol", operation_key="jusan-5"),
    )
    (operation,) = ledger.operations()
    assert "al-hol+roj" == operation.origin
    for rows in (ledger.remaining(), ledger.remaining(as_of=END_2023)):
        assert (900, 1_000, 1_000) == _bounds(rows, "al-hol")


def test_linking_a_report_from_another_camp_moves_the_kept_sums() -> None:
    """A report "from Roj" linked later to one "from al-Hol": the sums the state keeps for
    al-Hol turn from a sure 100 to a possible 100, as a fold from scratch has them."""
    first = op("KAZ", 100, "2023-06-01", origin="al-hol")
    second = op("KAZ", 100, "2023-06-02", origin="roj")
    ledger = ledger_of(stock("al-hol", 1_000, "2023-01-01"), first, second)
    assert (900, 900, 900) == _bounds(ledger.remaining(), "al-hol")
    ledger.record(ReportsLinked(source=ANALYST, reports=(first.id, second.id)))
    assert (900, 1_000, 1_000) == _bounds(ledger.remaining(), "al-hol")
    assert (900, 1_000, 1_000) == _bounds(ledger.remaining(as_of=END_2023), "al-hol")


def test_a_set_place_is_stored_as_its_id_and_read_back() -> None:
    """The stored form of a set is its id, and every reader reads it back unchanged."""
    from repatevents.events._codec import event_from_dict, event_to_dict
    from repatevents.events._jsonl import dumps_event, loads_event
    from repatevents.events._stored import decode_event_json, encode_event

    event = op("KAZ", 100, "2023-06-01", origin="Roj and al-Hol")
    assert "al-hol+roj" == event_to_dict(event)["origin"]
    assert event == event_from_dict(event_to_dict(event))
    assert event == loads_event(dumps_event(event))
    assert event == decode_event_json(encode_event(event))


def test_a_sheet_row_from_two_camps_is_an_operation_from_the_set() -> None:
    """A sheet's origin cell "al-Hol; Roj" records one operation from al-hol+roj."""
    from repatevents.importing._sheets import read_sheet

    data = b'country,date,origin,publisher,total\nKAZ,2023-06-01,"al-Hol; Roj",X,100\n'
    (event,) = read_sheet(data, "csv").events
    assert isinstance(event, OperationReported)
    assert "al-hol+roj" == event.origin


_ORIGINS = st.sampled_from(("al-hol", "roj", "al-hol+roj"))


@given(st.lists(st.tuples(_ORIGINS, st.integers(0, 300)), max_size=8))
def test_a_joint_count_takes_each_operation_once_and_each_camp_a_range(
    flows: list[tuple[str, int]],
) -> None:
    """al-Hol 3,000, Roj 2,000 and the pair 5,000 counted, then operations from al-Hol, Roj
    or the pair: the pair loses each operation exactly once; each camp surely loses its own
    and possibly the pair's; the camps' ranges hold the pair's figure."""
    ledger = ledger_of(
        stock("al-hol", 3_000, "2023-01-01"),
        stock("roj", 2_000, "2023-01-01"),
        stock("al-hol+roj", 5_000, "2023-01-01"),
        *(op("KAZ", n, f"2023-02-{1 + i:02d}", origin=o) for i, (o, n) in enumerate(flows)),
    )
    taken = {
        o: sum(n for origin, n in flows if origin == o) for o in ("al-hol", "roj", "al-hol+roj")
    }
    for rows in (ledger.remaining(), ledger.remaining(as_of=END_2023)):
        pair = 5_000 - sum(taken.values())
        assert (pair, pair, pair) == _bounds(rows, "al-hol+roj")
        hol = _bounds(rows, "al-hol")
        roj = _bounds(rows, "roj")
        assert (3_000 - taken["al-hol"] - taken["al-hol+roj"], 3_000 - taken["al-hol"]) == hol[:2]
        assert (2_000 - taken["roj"] - taken["al-hol+roj"], 2_000 - taken["roj"]) == roj[:2]
        assert (hol[1], roj[1]) == (hol[2], roj[2])
        assert hol[0] + roj[0] <= pair <= hol[1] + roj[1]


@given(rst.event_logs(max_size=25))
def test_remaining_over_any_ledger_with_sets_is_a_range_never_below_zero(
    events: list[Event],
) -> None:
    """Over any drawn ledger (whose places include sets of sites), every remaining estimate
    has 0 <= low <= best <= high, and a bound from a joint count never exceeds that count."""
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    for rows in (ledger.remaining(), ledger.remaining(as_of=END_2023)):
        by_key = {(r.place, r.scope, r.country): r for r in rows}
        for row in rows:
            if row.remaining is not None:
                value = row.remaining
                assert 0 <= value.low <= value.best
                assert value.high is None or value.best <= value.high
            if row.joint_bound is not None:
                joint = by_key[(row.joint_place, row.scope, row.country)].remaining
                assert joint is not None
                assert row.place in lookup_place(row.joint_place or "").members
                if joint.high is not None:
                    assert row.joint_bound.high is not None
                    assert row.joint_bound.high <= joint.high


def test_drawn_places_include_sets_of_sites() -> None:
    """The place strategy draws sets of sites as well as the table's places."""
    found = find(rst.places(), lambda place: lookup_place(place).kind is PlaceKind.SET)
    assert "+" in found


def _row(rows: tuple[RemainingEstimate, ...], place: str) -> RemainingEstimate:
    (row,) = [r for r in rows if (r.place, r.scope.value, r.country) == (place, "all", None)]
    return row


def _joint(row: RemainingEstimate) -> tuple[str | None, tuple[int, int, int | None] | None]:
    bound = row.joint_bound
    return row.joint_place, None if bound is None else (bound.low, bound.best, bound.high)


def test_a_joint_count_bounds_an_uncounted_camp_only_from_above() -> None:
    """1,500 in al-Hol and Roj, neither counted alone: each holds at most 1,500, and stays
    unknown."""
    ledger = ledger_of(stock("al-Hol and Roj", 1_500, "2023-01-01"))
    rows = ledger.remaining(as_of=END_2023)
    for camp in ("al-hol", "roj"):
        row = _row(rows, camp)
        assert (True, ("al-hol+roj", (0, 1_500, 1_500))) == (row.unknown, _joint(row))
        assert row.joint_bound is not None
        assert Qualifier.AT_MOST is row.joint_bound.qualifier


def test_a_joint_count_less_the_other_camp_bounds_a_camp_both_ways() -> None:
    """A joint count of "about 1,500" (1,350 to 1,650) and Roj's 500, then 100 taken from
    the pair: the pair is 1,250 to 1,550 (best 1,400), Roj 400 to 500 (best 500), so al-Hol
    alone is 1,250 - 500 to 1,550 - 400, best 900, beside its own unknown."""
    ledger = ledger_of(
        stock("al-Hol and Roj", "about 1,500", "2023-01-01"),
        stock("roj", 500, "2023-01-01"),
        op("KAZ", 100, "2023-06-01", origin="al-hol+roj"),
    )
    rows = ledger.remaining(as_of=END_2023)
    assert ("al-hol+roj", (750, 900, 1_150)) == _joint(_row(rows, "al-hol"))
    assert _row(rows, "al-hol").unknown
    # al-Hol has no count of its own: the pair leaves Roj anything up to the pair's high.
    assert ("al-hol+roj", (0, 1_550, 1_550)) == _joint(_row(rows, "roj"))


def test_an_emptied_camp_leaves_the_joint_count_to_the_other() -> None:
    """Roj emptied after a joint count of 1,500 and its own count: al-Hol's bound is exactly
    1,500."""
    ledger = ledger_of(
        stock("al-Hol and Roj", 1_500, "2023-01-01"),
        stock("roj", 200, "2023-01-01"),
        CampStatusChanged(source=CAMP, place="roj", date="2023-03-01", status="emptied"),
    )
    rows = ledger.remaining(as_of=dt.date(2023, 1, 31))
    assert ("al-hol+roj", (1_300, 1_300, 1_300)) == _joint(_row(rows, "al-hol"))


def test_the_remaining_table_shows_the_joint_bound() -> None:
    """The remaining table carries the joint place and its bound for each camp."""
    ledger = ledger_of(stock("al-Hol and Roj", 1_500, "2023-01-01"))
    table = ledger.tables()["remaining"]
    names = [c.name for c in table.columns]
    row = next(r for r in table.rows if r[names.index("place")] == "roj")
    assert ["al-hol+roj", 0, 1_500, 1_500] == [
        row[names.index(n)]
        for n in ("joint_place", "joint_bound_low", "joint_bound_best", "joint_bound_high")
    ]


def test_a_from_syria_claim_counts_an_operation_from_two_syrian_camps_once() -> None:
    """100 from al-Hol and Roj and 50 from al-Hol; "150 from Syria" is consistent (each
    operation counted once, the pair's in full since both camps are in Syria)."""
    ledger = ledger_of(
        op("TJK", 100, "2023-01-10", origin="al-Hol and Roj"),
        op("TJK", 50, "2023-02-10", origin="al-hol"),
        claim("TJK", 150, "2023-12"),
    )
    (row,) = ledger.reconciliation()
    assert (ReconciliationStatus.CONSISTENT, 0) == (row.status, row.gap_best)


def test_an_operation_from_sites_in_syria_and_iraq_only_possibly_counts_for_either() -> None:
    """100 from al-Hol and al-Jadaa: a "from Syria" claim of 100 may or may not include them,
    so its scope cannot be matched, and totals file them under Syria or Iraq."""
    ledger = ledger_of(
        op("IRQ", 100, "2023-01-10", origin="al-Hol and al-Jadaa"), claim("IRQ", 100, "2023-12")
    )
    (row,) = ledger.reconciliation()
    (total,) = ledger.totals()
    assert ReconciliationStatus.SCOPE_UNMATCHED == row.status
    assert (None, 100) == (
        total.from_syria and total.from_syria.best,
        total.from_syria_or_iraq and total.from_syria_or_iraq.best,
    )


def test_a_joint_bound_above_its_joint_count_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A remaining projection that adds the neighbours to a camp's bound breaks the invariants,
    while the true projection passes them."""
    from repatevents.invariants import ViolationKind, check_ledger
    from repatevents.projections import _remaining

    ledger = ledger_of(
        stock("al-Hol and Roj", 1_500, "2023-01-01"), stock("roj", 500, "2023-01-01")
    )
    assert [] == check_ledger(ledger)
    wrong = Estimate.exact(2_000)
    monkeypatch.setattr(_remaining, "_joint_bound", lambda joint, place, known: wrong)
    kinds = {v.kind for v in check_ledger(Ledger(ledger.store, checkpoints=False))}
    assert ViolationKind.REMAINING_DIFFERS in kinds
