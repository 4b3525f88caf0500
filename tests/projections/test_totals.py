"""The totals and time-series projections: as_of on fuzzy dates, absent categories, origins."""

from __future__ import annotations

import datetime as dt

import pytest

from _projection_events import ANALYST, CAMP, ledger_of, op
from repatevents import FuzzyDate, People, ReportsLinked, Source, ValidationError
from repatevents.projections import CountryTotal


def _one(totals: tuple[CountryTotal, ...]) -> CountryTotal:
    assert 1 == len(totals)
    return totals[0]


def test_a_month_counts_once_it_is_over() -> None:
    """ "March 2021" counts as of 31 March 2021, not as of 30 March."""
    ledger = ledger_of(op("KGZ", 79, "2021-03"))
    assert () == ledger.totals(as_of=dt.date(2021, 3, 30))
    assert 79 == _one(ledger.totals(as_of=dt.date(2021, 3, 31))).total.best


def test_a_span_counts_from_its_last_day() -> None:
    """ "7-9 May 2019" counts from 9 May on."""
    ledger = ledger_of(op("KAZ", 231, "2019-05-07/2019-05-09"))
    assert () == ledger.totals(as_of=dt.date(2019, 5, 8))
    assert 1 == _one(ledger.totals(as_of=dt.date(2019, 5, 9))).operations


def test_an_open_date_is_bounded_by_its_publication() -> None:
    """ "After 2021" in a report published on 31 December 2023 counts from that day; without a
    publication date it counts only when as_of is None."""
    published = ledger_of(op("KGZ", 60, "2021/.."))  # GOVERNMENT: published 31 December 2023
    assert () == published.totals(as_of=dt.date(2023, 12, 30))
    assert 60 == _one(published.totals(as_of=dt.date(2023, 12, 31))).total.best
    undated = ledger_of(op("KGZ", 60, "2021/..", source=Source(publisher="Undated")))
    assert () == undated.totals(as_of=dt.date(2030, 1, 1))
    assert 60 == _one(undated.totals()).total.best


def test_categories_nobody_reported_are_none_not_zero() -> None:
    """No report gives men or families: both are None."""
    people = _one(ledger_of(op("KGZ", People(total=95, women=31), "2023-08-30")).totals()).people
    assert people.men is None
    assert people.families is None
    assert people.women is not None


def test_origins_split_syria_and_iraq() -> None:
    """50 from al-Hol, 20 from Iraq, 5 from "Syria or Iraq": each counted apart."""
    ledger = ledger_of(
        op("TJK", 50, "2023-01-10", origin="al-hol"),
        op("TJK", 20, "2023-02-10", origin="iraq"),
        op("TJK", 5, "2023-03-10", origin="syria-or-iraq"),
    )
    total = _one(ledger.totals())
    assert (75, 50, 20, 5, None) == (
        total.total.best,
        total.from_syria.best if total.from_syria else None,
        total.from_iraq.best if total.from_iraq else None,
        total.from_syria_or_iraq.best if total.from_syria_or_iraq else None,
        total.from_elsewhere,
    )


def test_people_of_another_nationality_are_named() -> None:
    """A Kazakh plane carrying Tajik nationals: counted for KAZ, the nationality shown."""
    total = _one(ledger_of(op("KAZ", 10, "2023-01-10", nationality="TJK")).totals())
    assert ("KAZ", ("TJK",)) == (total.country, total.nationalities)


def test_a_linked_operation_counts_once() -> None:
    """Two linked reports of one flight are one operation in the totals: 43, not 86."""
    a = op("KAZ", 43, "2019-01-06")
    b = op("KAZ", 43, "2019-01-07", source=CAMP)
    ledger = ledger_of(a, b, ReportsLinked(source=ANALYST, reports=(a.id, b.id)))
    total = _one(ledger.totals())
    assert (1, 43) == (total.operations, total.total.best)


def test_time_series_by_month_never_decreases_and_fills_gaps() -> None:
    """Operations in January and April: February and March carry January's total on, with
    nobody moved in them (0, the ledger's own sum, not "not reported")."""
    ledger = ledger_of(op("UZB", 100, "2019-01-15"), op("UZB", 56, "2019-04-20"))
    months = [
        (p.period, p.cumulative.best, p.in_period.best)
        for p in ledger.timeseries()
        if p.granularity == "month"
    ]
    assert [
        ("2019-01", 100, 100),
        ("2019-02", 100, 0),
        ("2019-03", 100, 0),
        ("2019-04", 156, 56),
    ] == months


def test_time_series_runs_to_as_of() -> None:
    """With as_of, the series runs on to it."""
    ledger = ledger_of(op("UZB", 100, "2019-11-15"))
    years = [
        p.period for p in ledger.timeseries(as_of=dt.date(2021, 6, 30)) if p.granularity == "year"
    ]
    assert ["2019", "2020", "2021"] == years


def test_a_date_counts_by_its_report_at_the_latest() -> None:
    """ "In February" in a report of 20 February happened by 20 February: it counts as of
    the 20th, not only from the 28th; a date after its report keeps its own end."""
    source = Source(publisher="INA", published=FuzzyDate.parse("2023-02-20"))
    ledger = ledger_of(
        op("IRQ", 600, "2023-02", source=source), op("IRQ", 10, "2023-03-05", source=source)
    )
    assert 600 == _one(ledger.totals(as_of=dt.date(2023, 2, 20))).total.best
    assert () == ledger.totals(as_of=dt.date(2023, 2, 19))
    assert 610 == _one(ledger.totals(as_of=dt.date(2023, 3, 5))).total.best


def test_a_date_open_at_the_start_counts_from_its_end() -> None:
    """ "On or before 10 May 2024" counts from 10 May 2024."""
    ledger = ledger_of(op("RUS", 32, "../2024-05-10", source=Source(publisher="TASS")))
    assert () == ledger.totals(as_of=dt.date(2024, 5, 9))
    total = _one(ledger.totals(as_of=dt.date(2024, 5, 10)))
    assert (None, dt.date(2024, 5, 10)) == (
        FuzzyDate.parse("../2024-05-10").earliest,
        total.last_date,
    )


def test_a_category_holds_no_more_than_an_operation_leaves_room_for() -> None:
    """84 people, all 84 children, hold no women; 100 people with 60 children and 10 men hold
    at most 30 women. Women: 20 reported, up to 20 + 0 + 30 = 50."""
    ledger = ledger_of(
        op("TJK", People(total=40, women=20), "2019-04-01"),
        op("TJK", People(total=84, children=84), "2019-05-01", origin="iraq"),
        op("TJK", People(total=100, children=60, men=10), "2019-06-01"),
    )
    women = _one(ledger.totals()).people.women
    assert women is not None
    assert (20, 20, 50) == (women.low, women.best, women.high)


def _mixed_flight() -> list[object]:
    """A Kyrgyz plane of 95 that also carries 3 Kazakh nationals, and a Kazakh plane of 100."""
    return [
        op("KGZ", 95, "2023-12-07", operation_key="KGZ-2023-12"),
        op("KGZ", 3, "2023-12-07", nationality="KAZ", operation_key="KGZ-2023-12/KAZ"),
        op("KAZ", 100, "2023-05-01"),
    ]


def test_totals_by_nationality_count_nationals_on_another_countrys_plane() -> None:
    """By receiving country KGZ counts 98 (naming KAZ); by nationality KAZ counts its 100 and
    the 3 on the Kyrgyz plane, naming KGZ as a receiving country, and KGZ counts 95."""
    ledger = ledger_of(*_mixed_flight())
    by_country = {t.country: (t.total.best, t.nationalities) for t in ledger.totals()}
    by_nationality = {
        t.country: (t.total.best, t.receiving_countries, t.operations)
        for t in ledger.totals(by="nationality")
    }
    assert {"KAZ": (100, ()), "KGZ": (98, ("KAZ",))} == by_country
    assert {"KAZ": (103, ("KGZ",), 2), "KGZ": (95, (), 1)} == by_nationality


def test_both_groupings_count_everyone_once() -> None:
    """The two groupings split the same operations: their grand totals agree."""
    ledger = ledger_of(*_mixed_flight())
    assert sum(t.total.best for t in ledger.totals()) == sum(
        t.total.best for t in ledger.totals(by="nationality")
    )


def test_an_unknown_grouping_is_refused_naming_it() -> None:
    """totals(by="speaker") is a ValidationError naming the field, the value and the choices."""
    with pytest.raises(ValidationError) as raised:
        ledger_of(*_mixed_flight()).totals(by="speaker")
    assert "'speaker'" in str(raised.value)
    assert "country, nationality" in str(raised.value)


def test_the_nationality_table_is_exported_beside_the_totals() -> None:
    """tables() holds nationality_totals, keyed by nationality, with the receiving countries."""
    table = ledger_of(*_mixed_flight()).tables()["nationality_totals"]
    rows = {r["nationality"]: (r["total_best"], r["receiving_countries"]) for r in table.records()}
    assert {"KAZ": (103, "KGZ"), "KGZ": (95, None)} == rows
