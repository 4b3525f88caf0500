"""The operations projection: grouping, corrections, retractions, links, policies, units."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings, strategies as st

from _projection_events import ANALYST, CAMP, GOVERNMENT, ledger_of, op
from repatevents import (
    DateRole,
    Estimate,
    Event,
    FigureAdjudicated,
    FuzzyDate,
    OperationReported,
    People,
    Qualifier,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    strategies as rst,
)
from repatevents._ledger import Ledger
from repatevents._tables import Table
from repatevents.projections import DEFAULT_POLICY, POLICIES, FindingKind, Operation
from repatevents.projections._operation_rows import operation_rows
from repatevents.projections._operations import operations
from repatevents.projections._to_tables import operation_cells


def _only(operations: tuple[Operation, ...]) -> Operation:
    assert 1 == len(operations)
    return operations[0]


HANDOVER = op(
    "KGZ",
    People(total=96, women=27, children=69),
    "2023-12-07",
    source=CAMP,
    date_role=DateRole.HANDOVER,
    operation_key="KGZ-2023-12",
)
ARRIVAL = op(
    "KGZ",
    People(total=95, women=26, children=69),
    "2023-12-08",
    date_role=DateRole.ARRIVAL,
    operation_key="KGZ-2023-12",
)


def test_reports_sharing_a_key_are_one_operation_spanning_both() -> None:
    """Handover 96 and arrival 95 (one woman fewer): one operation, total 95 to 96, best 95."""
    operation = _only(ledger_of(HANDOVER, ARRIVAL).operations())
    assert (95, 95, 96) == (operation.total.low, operation.total.best, operation.total.high)
    assert Qualifier.RANGE == operation.total.qualifier
    assert ("KGZ-2023-12",) == operation.keys
    assert [HANDOVER.id, ARRIVAL.id] == [r.id for r in operation.reports]
    assert "2023-12-07" == operation.date.to_text()  # it surely happened by the handover day


@pytest.mark.parametrize(
    ("policy", "best"),
    [
        ("conservative", 95),
        ("latest", 95),  # the government's bulletin is published later (31 December)
        ("prefer-camp-administration", 96),
        ("prefer-receiving-government", 95),
    ],
)
def test_policy_chooses_best_but_the_range_stays(policy: str, best: int) -> None:
    """Each policy picks its best figure; low and high still span both reports."""
    operation = _only(ledger_of(HANDOVER, ARRIVAL).operations(policy=policy))
    assert (95, best, 96) == (operation.total.low, operation.total.best, operation.total.high)


def test_latest_policy_follows_the_later_publication() -> None:
    """A camp report published after the bulletin (5 January against 31 December) wins."""
    later_camp = attrs.evolve(CAMP, published=FuzzyDate.day(dt.date(2024, 1, 5)))
    later = op("KGZ", 97, "2023-12-07", source=later_camp, operation_key="KGZ-2023-12")
    assert 97 == _only(ledger_of(ARRIVAL, later).operations(policy="latest")).total.best


def test_disagreeing_reports_are_a_quality_finding() -> None:
    """Handover 96 and arrival 95 do not overlap: the reports disagree."""
    kinds = [f.kind for f in ledger_of(HANDOVER, ARRIVAL).quality()]
    assert FindingKind.REPORTS_DISAGREE in kinds


def test_same_total_different_split_is_a_finding() -> None:
    """Two reports of 95 that split it 31/64 and 30/65 agree on the total, not the split."""
    a = op("KGZ", People(total=95, women=31, children=64), "2023-08-30", operation_key="k")
    b = op(
        "KGZ", People(total=95, women=30, children=65), "2023-08-30", source=CAMP, operation_key="k"
    )
    found = [f for f in ledger_of(a, b).quality() if f.kind is FindingKind.SPLIT_DISAGREES]
    assert {"women", "children"} == {f.message.split(" not on ")[1].split(" ")[0] for f in found}


def test_link_groups_and_unlink_separates() -> None:
    """A link joins two unkeyed reports into one operation; linking false undoes it."""
    a = op("KAZ", 231, "2019-05-09")
    b = op("KAZ", 231, "2019-05-10", source=CAMP)
    link = ReportsLinked(source=ANALYST, reports=(a.id, b.id))
    unlink = ReportsLinked(source=ANALYST, reports=(a.id, b.id), linked=False)
    ledger = ledger_of(a, b, link)
    assert 1 == len(ledger.operations())
    ledger.record(unlink)
    assert 2 == len(ledger.operations())
    assert 1 == len(ledger.operations(known_at=3))


def test_unlinked_near_duplicates_are_a_finding() -> None:
    """Two reports of 231 Kazakhs a day apart, not linked, may be one operation."""
    a = op("KAZ", 231, "2019-05-09")
    b = op("KAZ", 230, "2019-05-10", source=CAMP)
    kinds = [f.kind for f in ledger_of(a, b).quality()]
    assert [FindingKind.LIKELY_DUPLICATE] == [k for k in kinds if k is FindingKind.LIKELY_DUPLICATE]


def test_correction_replaces_from_its_position_on() -> None:
    """A correction of 59 to 61 counts from its position; before it the ledger knew 59."""
    report = op("KGZ", 59, "2023-02")
    fixed = ReportCorrected(
        source=GOVERNMENT,
        supersedes=report.id,
        replacement=attrs.evolve(report, people=People(total=61)),
    )
    ledger = ledger_of(report, fixed)
    operation = _only(ledger.operations())
    assert (61, report.id, True) == (
        operation.total.best,
        operation.id,
        operation.reports[0].corrected,
    )
    assert 59 == _only(ledger.operations(known_at=1)).total.best


def test_events_naming_the_replacement_mean_the_corrected_report() -> None:
    """A retraction naming a correction's replacement retracts the corrected report."""
    report = op("KGZ", 59, "2023-02")
    replacement = op("KGZ", 61, "2023-02", source=CAMP)
    fixed = ReportCorrected(source=GOVERNMENT, supersedes=report.id, replacement=replacement)
    gone = ReportRetracted(source=GOVERNMENT, retracts=replacement.id)
    assert () == ledger_of(report, fixed, gone).operations()


def test_retraction_removes_from_its_position_on() -> None:
    """A retracted report no longer counts; it did at positions before the retraction."""
    report = op("KGZ", 59, "2023-02")
    ledger = ledger_of(report, ReportRetracted(source=GOVERNMENT, retracts=report.id))
    assert () == ledger.operations()
    assert 1 == len(ledger.operations(known_at=1))


def test_a_correction_recorded_before_its_report_applies_when_the_report_comes() -> None:
    """Sheets imported out of order: the correction first, then the report it corrects. The
    report counts as corrected from its own position on (it is not there before), as a
    retraction recorded first keeps it from counting; the early correction stays a finding."""
    report = op("KGZ", 59, "2023-02")
    fixed = ReportCorrected(
        source=GOVERNMENT,
        supersedes=report.id,
        replacement=attrs.evolve(report, people=People(total=61)),
    )
    ledger = ledger_of(fixed, report)
    operation = _only(ledger.operations())
    assert (61, report.id, True) == (
        operation.total.best,
        operation.id,
        operation.reports[0].corrected,
    )
    assert () == ledger.operations(known_at=1)
    assert FindingKind.DANGLING_REFERENCE in [f.kind for f in ledger.quality()]
    # Folded event by event (the state asked for in between), the same knowledge.
    stepwise = ledger_of(fixed)
    assert () == stepwise.operations()
    stepwise.record(report)
    assert stepwise.state().same_knowledge(ledger.state())


def test_the_latest_early_correction_wins_and_a_retraction_still_removes() -> None:
    """Two corrections before the report: the later one applies. A retraction of the report,
    recorded before it too, keeps it out whatever the corrections said."""
    report = op("KGZ", 59, "2023-02")
    first = ReportCorrected(
        source=GOVERNMENT,
        supersedes=report.id,
        replacement=attrs.evolve(report, people=People(total=61)),
    )
    second = ReportCorrected(
        source=GOVERNMENT,
        supersedes=first.replacement.id,
        replacement=attrs.evolve(report, people=People(total=63), notes="recount"),
    )
    assert 63 == _only(ledger_of(first, second, report).operations()).total.best
    gone = ReportRetracted(source=GOVERNMENT, retracts=report.id)
    assert () == ledger_of(first, gone, report).operations()


def test_a_category_bounded_by_the_total_still_holds_its_parts() -> None:
    """The ministry gives 10 people; the camp 9 to 12 adults, 11 of them women. Bounding the
    adults by the total of 10 must leave room for the 11 women: adults 9 to 11, not 9 to 10."""
    ministry = op("KGZ", 10, "2023-02", operation_key="KGZ-2023-02")
    adults = Estimate(best=9, low=9, high=12, qualifier=Qualifier.RANGE)
    camp = op(
        "KGZ",
        People(adults=adults, women=11),
        "2023-02",
        source=CAMP,
        operation_key="KGZ-2023-02",
    )
    people = _only(ledger_of(ministry, camp).operations()).people
    assert people.adults is not None
    assert people.women is not None
    assert ((9, 9, 11), 11) == (
        (people.adults.low, people.adults.best, people.adults.high),
        people.women.low,
    )


def test_adjudication_is_what_adjudicated_only_counts() -> None:
    """An analyst chooses 96: adjudicated-only uses it; the conservative policy keeps 95."""
    choice = FigureAdjudicated(source=ANALYST, report=ARRIVAL.id, people=People(total=96))
    ledger = ledger_of(HANDOVER, ARRIVAL, choice)
    assert 96 == _only(ledger.operations(policy="adjudicated-only")).total.best
    operation = _only(ledger.operations(policy="conservative"))
    assert 95 == operation.total.best
    assert operation.adjudicated is not None
    assert Estimate.exact(96) == operation.adjudicated.total


def test_the_default_takes_the_adjudicated_figure_where_one_is_recorded() -> None:
    """An analyst chooses 96 for the KGZ operation; a second operation nobody adjudicated keeps
    its conservative figure and is not left out."""
    choice = FigureAdjudicated(source=ANALYST, report=ARRIVAL.id, people=People(total=96))
    other = op("KGZ", People(total=40), "2024-02-01", operation_key="KGZ-2024-02")
    other_camp = op("KGZ", People(total=41), "2024-02-01", source=CAMP, operation_key="KGZ-2024-02")
    ledger = ledger_of(HANDOVER, ARRIVAL, choice, other, other_camp)
    assert [(96, 96, 96), (40, 40, 41)] == [
        (o.total.low, o.total.best, o.total.high) for o in ledger.operations()
    ]
    (total,) = ledger.totals()
    assert (136, 136, 137) == (total.total.low, total.total.best, total.total.high)


def test_the_default_follows_a_later_adjudication_and_a_retraction() -> None:
    """The latest adjudication wins; retracting the adjudicated report drops its choice."""
    first = FigureAdjudicated(source=ANALYST, report=ARRIVAL.id, people=People(total=96))
    second = FigureAdjudicated(source=ANALYST, report=HANDOVER.id, people=People(total=95))
    ledger = ledger_of(HANDOVER, ARRIVAL, first, second)
    assert 95 == _only(ledger.operations()).total.high
    ledger.record(ReportRetracted(source=ANALYST, retracts=HANDOVER.id))
    assert (96, 96) == (
        _only(ledger.operations()).total.low,
        _only(ledger.operations()).total.best,
    )


def test_families_convert_to_a_range_of_people() -> None:
    """185 families at 3.6-3.9 people each: 185 x 3.6 = 666 to 185 x 3.9 = 721.5, so 722;
    best 185 x 3.75 = 693.75, so 694."""
    report = op("IRQ", People(families="185 families"), "2024-01-04", origin="al-hol", source=CAMP)
    ledger = ledger_of(report)
    operation = _only(ledger.operations())
    assert (666, 694, 722) == (operation.total.low, operation.total.best, operation.total.high)
    assert "families" == operation.total_basis
    (total,) = ledger.totals()
    assert ((3.6, 3.9), 1) == (total.people_per_family, total.converted_operations)
    assert FindingKind.FAMILIES_CONVERTED in [f.kind for f in ledger.quality()]


def test_a_reported_total_outranks_a_conversion() -> None:
    """One report gives 100 families, another 370 people: the operation counts 370."""
    a = op("IRQ", People(families="100 families"), "2024-01-04", operation_key="IRQ-7")
    b = op("IRQ", 370, "2024-01-05", source=CAMP, operation_key="IRQ-7")
    operation = _only(ledger_of(a, b).operations())
    assert ((370, 370, 370), "reported") == (
        (operation.total.low, operation.total.best, operation.total.high),
        operation.total_basis,
    )
    assert operation.people.families is not None


def test_a_breakdown_without_total_gives_at_least_its_parts() -> None:
    """Ten women and twenty children, no total: at least 30 people."""
    operation = _only(
        ledger_of(op("FRA", People(women=10, children=20), "2023-07-04")).operations()
    )
    assert (30, 30, None) == (operation.total.low, operation.total.best, operation.total.high)
    assert "breakdown" == operation.total_basis


def test_syndicated_reports_are_one_claim() -> None:
    """Two outlets carrying one AFP wire are one independent source, and a finding."""
    via_afp = Source(publisher="Outlet A", via=("AFP",), url="https://a.example")
    also_afp = Source(publisher="Outlet B", via=("AFP",), url="https://b.example")
    a = op("SWE", 7, "2019-05-10", source=via_afp, operation_key="SWE")
    b = op("SWE", 7, "2019-05-10", source=also_afp, operation_key="SWE")
    ledger = ledger_of(a, b)
    assert 1 == _only(ledger.operations()).independent_sources
    assert FindingKind.SYNDICATED in [f.kind for f in ledger.quality()]


def test_default_policy_is_recommended() -> None:
    """The default policy is the documented one that reads adjudications."""
    assert "recommended" == DEFAULT_POLICY
    assert POLICIES[DEFAULT_POLICY].rule.reads_adjudications


def _wire(publisher: str, via: tuple[str, ...] = ()) -> Source:
    return Source(publisher=publisher, via=list(via), url=f"https://{publisher.lower()}.example/")


def test_copies_of_one_wire_story_are_one_operation() -> None:
    """AP's story of 51 people on 3 May, carried by ABC News and the Washington Post via AP:
    one operation of 51 with three reports from one independent source, not 153."""
    copies = [
        op("FRA", 51, "2023-05-03", source=_wire("AP")),
        op("FRA", 51, "2023-05-03", source=_wire("ABC News", ("AP",))),
        op("FRA", 51, "2023-05-03", source=_wire("Washington Post", ("AP",))),
    ]
    ledger = ledger_of(*copies)
    operation = _only(ledger.operations())
    assert (51, 3, 1, ()) == (
        operation.total.best,
        len(operation.reports),
        operation.independent_sources,
        operation.keys,
    )
    (total,) = ledger.totals()
    assert 51 == total.total.best
    assert FindingKind.SYNDICATED in {f.kind for f in ledger.quality()}


@pytest.mark.parametrize(
    "other",
    [
        op("FRA", 51, "2023-05-03", source=_wire("Le Monde")),  # another outlet's own report
        op("FRA", 50, "2023-05-03", source=_wire("ABC News", ("AP",))),  # other figures
        op("FRA", 51, "2023-06-03", source=_wire("ABC News", ("AP",))),  # another day
        op("FRA", 51, "2023-05-03", source=_wire("ABC News", ("AP",)), operation_key="FRA-2"),
    ],
)
def test_reports_that_are_not_copies_stay_apart(other: OperationReported) -> None:
    """Another outlet, other figures, another date, or an operation key of its own: two."""
    ledger = ledger_of(op("FRA", 51, "2023-05-03", source=_wire("AP")), other)
    assert 2 == len(ledger.operations())


def test_no_category_reaches_past_the_total() -> None:
    """Two reports of exactly 146 people, one saying "over 100 children": the operation holds
    100 to 146 children, not 100 or more. A source that names 200 women of its 146 raises the
    total to 200 (its parts bound its total), and the children's bound with it."""
    first = op("TJK", People(total=146, children="over 100"), "2022-07-18", operation_key="T")
    agrees = op("TJK", People(total=146, women=40), "2022-07-18", operation_key="T")
    exceeds = op("TJK", People(total=146, women=200), "2022-07-18", operation_key="T")
    bounded = _only(ledger_of(first, agrees).operations()).people.children
    operation = _only(ledger_of(first, exceeds).operations())
    children, women = operation.people.children, operation.people.women
    assert bounded is not None
    assert children is not None
    assert women is not None
    assert ((100, 100, 146), (100, 100, 200), (200, 200, 200)) == (
        (bounded.low, bounded.best, bounded.high),
        (children.low, children.best, children.high),
        (women.low, women.best, women.high),
    )


def test_the_split_of_best_comes_from_the_report_that_gives_the_total() -> None:
    """Arrival: 146 = 42 women + 104 children; handover: 146 = 43 + 103. The conservative
    best takes one report's split (42 + 104 = 146), not each category's lowest (42 + 103 =
    145); the ranges still span both reports."""
    arrival = op("TJK", People(total=146, women=42, children=104), "2022-07-18", operation_key="T")
    handover = op(
        "TJK",
        People(total=146, women=43, children=103),
        "2022-07-18",
        source=CAMP,
        operation_key="T",
    )
    operation = _only(ledger_of(arrival, handover).operations())
    women, children = operation.people.women, operation.people.children
    assert women is not None
    assert children is not None
    assert ((42, 42, 43), (103, 104, 104)) == (
        (women.low, women.best, women.high),
        (children.low, children.best, children.high),
    )


CONTRADICTED = op(
    "UZB",
    People(total=95, women=31, children=95),
    "2023-05-01",
    source=CAMP,
    operation_key="UZB-2023-05",
)


@pytest.mark.parametrize("policy", sorted(set(POLICIES) - {"adjudicated-only"}))
def test_parts_above_the_headline_raise_the_total(policy: str) -> None:
    """ "95 detainees: 31 women and 95 children" counts 126 people under every policy."""
    operation = _only(ledger_of(CONTRADICTED).operations(policy=policy))
    assert ((126, 126, 126), "parts") == (
        (operation.total.low, operation.total.best, operation.total.high),
        operation.total_basis,
    )


@pytest.mark.parametrize("policy", sorted(set(POLICIES) - {"adjudicated-only"}))
def test_a_reports_parts_floor_the_operation_whatever_other_reports_say(policy: str) -> None:
    """Another report repeating the headline 95 cannot take the operation below the 126 the
    first report names: low and best are 126 under every policy."""
    echo = op("UZB", 95, "2023-05-02", operation_key="UZB-2023-05")
    operation = _only(ledger_of(CONTRADICTED, echo).operations(policy=policy))
    assert (126, 126) == (operation.total.low, operation.total.best)
    assert "parts" == operation.total_basis


def test_an_adjudicated_figure_below_its_own_parts_is_raised_too() -> None:
    """An adjudication of "95: 31 women and 95 children" counts 126 under adjudicated-only."""
    choice = FigureAdjudicated(
        source=ANALYST, report=CONTRADICTED.id, people=People(total=95, women=31, children=95)
    )
    operation = _only(ledger_of(CONTRADICTED, choice).operations(policy="adjudicated-only"))
    assert 126 == operation.total.low


def test_parts_below_the_headline_leave_it_alone() -> None:
    """ "95: 31 women and 60 children" leaves room for 4 men: the total stays 95, reported."""
    report = op("UZB", People(total=95, women=31, children=60), "2023-05-01")
    operation = _only(ledger_of(report).operations())
    assert ((95, 95, 95), "reported") == (
        (operation.total.low, operation.total.best, operation.total.high),
        operation.total_basis,
    )


def test_an_open_headline_below_its_parts_stays_open() -> None:
    """ "Over 95: 31 women and 95 children" is at least 126, still without an upper bound."""
    report = op("UZB", People(total="over 95", women=31, children=95), "2023-05-01")
    operation = _only(ledger_of(report).operations())
    assert (126, 126, None) == (operation.total.low, operation.total.best, operation.total.high)


def test_the_quality_finding_says_the_parts_are_counted() -> None:
    """The breakdown finding names the figure the projections carry instead of the headline."""
    (finding,) = [f for f in ledger_of(CONTRADICTED).quality() if f.kind is FindingKind.BREAKDOWN]
    assert "the total counts at least 126" in finding.message


def test_an_about_figure_reads_as_its_range_and_the_report_keeps_its_words() -> None:
    """ "About 60" is 54 to 66 in the operation; the report still shows 60 as the source did."""
    operation = _only(ledger_of(op("KAZ", "about 60", "2023-05-01")).operations())
    assert (54, 60, 66) == (operation.total.low, operation.total.best, operation.total.high)
    assert Estimate.parse("about 60") == operation.reports[0].people.total


def test_merged_reports_keep_each_date_with_its_role() -> None:
    """A handover on 7 December, an arrival on 9 December and a statement naming only the month:
    the operation counts by 7 December, and keeps the three dates with their roles."""
    month = op("KGZ", 96, "2023-12", date_role=DateRole.ANNOUNCED, operation_key="KGZ-12")
    handover = attrs.evolve(HANDOVER, operation_key="KGZ-12")
    arrival = op("KGZ", 95, "2023-12-09", date_role=DateRole.ARRIVAL, operation_key="KGZ-12")
    ledger = ledger_of(handover, arrival, month)
    operation = _only(ledger.operations())
    assert "2023-12-01/2023-12-07" == operation.date.to_text()
    assert [
        ("handover", "2023-12-07"),
        ("arrival", "2023-12-09"),
        ("announced", "2023-12"),
    ] == [(role.value, date.to_text()) for role, date in operation.role_dates]
    (row,) = ledger.tables()["operations"].records()
    assert "handover 2023-12-07; arrival 2023-12-09; announced 2023-12" == row["role_dates"]


def test_a_departure_is_a_role_of_its_own() -> None:
    """A flight's departure day is recorded as such, beside the arrival."""
    left = op("UZB", 40, "2023-05-01", date_role="departure", operation_key="UZB-5")
    landed = op("UZB", 40, "2023-05-02", date_role="arrival", operation_key="UZB-5")
    roles = [r for r, _ in _only(ledger_of(left, landed).operations()).role_dates]
    assert [DateRole.DEPARTURE, DateRole.ARRIVAL] == roles


@given(rst.event_logs(max_size=40), st.none() | st.integers(735_000, 740_000))
@settings(deadline=None)
def test_table_rows_from_the_state_equal_rows_from_the_public_operations(
    events: list[Event], as_of: int | None
) -> None:
    """The operations table's cells, made straight from the state, equal those made from the
    public operations, under every policy."""
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    state = ledger.state()
    for policy in POLICIES.values():
        expected = operation_cells(operations(state, as_of, policy))
        rows = operation_rows(state, as_of, policy)
        assert [tuple(row) for row in expected] == rows
        # The table is built without checking each cell's type: this is where it is checked.
        table = ledger.tables(as_of=None, policy=policy, names=["operations"])["operations"]
        Table(table.name, table.title, table.columns, rows, table.description)
