"""The fold: one knowledge state however the log is folded, and the rules of what is in force."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from _projection_events import ANALYST, CAMP, ledger_of, op
from repatevents import ReportCorrected, ReportRetracted, ReportsLinked
from repatevents.projections._state import KnowledgeState, apply, fold
from repatevents.store import Envelope


def envelopes(*events: Any) -> list[Envelope]:
    """The envelopes a ledger holding ``events`` stores, in log order."""
    with ledger_of(*events) as ledger:
        return list(ledger.store.read())


def operations(state: KnowledgeState) -> list[list[int]]:
    """The operations of a state, each as the positions of its reports in force."""
    return sorted(
        sorted(state.reports[rid].position for rid in ids) for ids in state.members.values()
    )


def test_folding_whole_in_parts_or_one_by_one_gives_equal_states() -> None:
    """A checkpoint can resume the fold: whole, split anywhere, or event by event, states equal."""
    first, second = op("KAZ", 100, "2023-02-10"), op("KGZ", 50, "2023-03-01")
    log = envelopes(
        first,
        second,
        op("KAZ", 100, "2023-02-10", source=CAMP),
        ReportRetracted(source=ANALYST, retracts=second.id),
        ReportCorrected(
            source=ANALYST, supersedes=first.id, replacement=attrs.evolve(first, people=120)
        ),
    )
    whole = fold(log)
    stepped = KnowledgeState()
    for envelope in log:
        apply(stepped, envelope)
    for cut in range(len(log) + 1):
        assert whole == fold(log[cut:], fold(log[:cut]))
    assert whole == stepped
    assert 5 == whole.position


def test_an_envelope_out_of_order_is_refused() -> None:
    """Folding skips no position: an envelope that is not the next one is a ValueError."""
    log = envelopes(op("KAZ", 100, "2023-02-10"), op("KGZ", 50, "2023-03-01"))
    with pytest.raises(ValueError, match="at position 2 into a state at position 0"):
        apply(KnowledgeState(), log[1])


def test_copies_of_one_story_and_linked_reports_are_one_operation() -> None:
    """Two outlets' copies of one claim group as one operation; a link joins two more, and
    withdrawing it splits them again."""
    first, other = op("KAZ", 100, "2023-02-10"), op("KAZ", 90, "2023-02-12")
    copy = op("KAZ", 100, "2023-02-10", source=attrs.evolve(CAMP, via=("Ministry Bulletin",)))
    grouped = fold(envelopes(first, copy, other))
    assert [[1, 2], [3]] == operations(grouped)
    link = ReportsLinked(source=ANALYST, reports=(first.id, other.id))
    assert [[1, 2, 3]] == operations(fold(envelopes(first, copy, other, link)))
    unlink = ReportsLinked(source=ANALYST, reports=(first.id, other.id), linked=False)
    assert [[1, 2], [3]] == operations(fold(envelopes(first, copy, other, link, unlink)))


def test_retractions_and_corrections_apply_whatever_order_they_were_recorded_in() -> None:
    """A retraction removes its report; a correction recorded before its report still applies."""
    report = op("KAZ", 100, "2023-02-10")
    fix = ReportCorrected(
        source=ANALYST, supersedes=report.id, replacement=attrs.evolve(report, people=120)
    )
    rid = report.id.int
    early, late = fold(envelopes(fix, report)), fold(envelopes(report, fix))
    assert early.reports[rid].people == late.reports[rid].people
    assert early.reports[rid].people != fold(envelopes(report)).reports[rid].people
    assert {"KAZ"} == set(early.countries)
    gone = fold(envelopes(report, ReportRetracted(source=ANALYST, retracts=report.id)))
    assert ({}, {}) == (gone.reports, gone.countries)


def test_a_reference_to_a_report_the_ledger_lacks_is_kept_as_dangling() -> None:
    """A retraction of an unknown report changes nothing and is kept for the quality checks."""
    ghost = op("KAZ", 100, "2023-02-10")
    retraction = ReportRetracted(source=ANALYST, retracts=ghost.id)
    state = fold(envelopes(op("KGZ", 50, "2023-03-01"), retraction))
    assert [(2, retraction.id.int, ghost.id.int, "report-retracted")] == state.dangling
    assert [[1]] == operations(state)
