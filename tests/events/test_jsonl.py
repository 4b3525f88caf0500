"""JSON Lines: one event per line, round trips, every bad line reported at once, atomic writes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from _bad_inputs import BAD_INPUTS, OPERATION, BadInput, change
from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import (
    Event,
    dumps_event,
    event_from_dict,
    iter_jsonl,
    loads_event,
    read_jsonl,
    write_jsonl,
)

GOOD = orjson.dumps(OPERATION)


@given(rst.events())
def test_one_line_round_trips(event: Event) -> None:
    """loads_event(dumps_event(e)) == e; the line holds no newline."""
    line = dumps_event(event)
    assert b"\n" not in line
    assert event == loads_event(line)
    assert event == loads_event(line.decode("utf-8"))


@given(rst.events())
def test_each_line_starts_with_its_type_and_version(event: Event) -> None:
    """A reader sees the type and the schema version first."""
    data = orjson.loads(dumps_event(event))
    assert ["type", "version"] == list(data)[:2]
    assert (event.TYPE, 2) == (data["type"], data["version"])


# tmp_path is shared by the examples: each one overwrites the same file, as a user would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rst.event_logs(max_size=20))
def test_a_file_round_trips(tmp_path: Path, log: list[Event]) -> None:
    """read_jsonl(write_jsonl(events)) gives the same events in the same order."""
    path = tmp_path / "ledger.jsonl"
    assert len(log) == write_jsonl(log, path)
    assert log == read_jsonl(path)
    with path.open("rb") as stream:
        assert log == list(iter_jsonl(stream))


def test_text_is_written_as_utf8() -> None:
    """Names in any script are written as UTF-8, not escaped."""
    event = event_from_dict(change(OPERATION, notes="مخيم الهول — Roj"))
    line = dumps_event(event)
    assert "مخيم الهول — Roj".encode() in line
    assert event == loads_event(line)


def test_blank_lines_and_a_missing_final_newline_are_fine(tmp_path: Path) -> None:
    """Blank lines are skipped; the last line may lack its newline."""
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"\n" + GOOD + b"\n   \n" + GOOD)
    expected = [event_from_dict(OPERATION)] * 2
    assert expected == read_jsonl(path)


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_a_bad_line_names_its_line_and_field(tmp_path: Path, case: BadInput) -> None:
    """A bad line read from a file is rejected naming the line, the field and the rule."""
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(GOOD + b"\n\n" + orjson.dumps(case.payload) + b"\n" + GOOD + b"\n")
    with pytest.raises(ValidationError) as caught:
        read_jsonl(path)
    problems = {(p.line, p.field): p for p in caught.value.problems}
    assert (3, case.field) in problems, str(caught.value)
    assert case.rule in problems[(3, case.field)].rule
    assert {3} == {p.line for p in caught.value.problems}
    assert f"line 3: {case.field}" in str(caught.value)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (b'{"type": "operation-reported", ', "not valid JSON"),
        (b"[1, 2]", "an event is a JSON object"),
        (b'"text"', "an event is a JSON object"),
        (b"null", "an event is a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
        (b"{'type': 'operation-reported'}", "not valid JSON"),
    ],
)
def test_a_line_that_is_not_an_object_is_rejected(line: bytes, rule: str) -> None:
    """Non-JSON, a JSON array, text or null on a line is an error about the record itself."""
    with pytest.raises(ValidationError) as caught:
        loads_event(line, line_number=4)
    problem = caught.value.problems[0]
    assert ("", 4) == (problem.field, problem.line)
    assert rule in problem.rule
    assert str(caught.value).startswith("line 4: the record is invalid")


def test_version_99_is_rejected() -> None:
    """A line written by a future schema is rejected, naming the version."""
    with pytest.raises(ValidationError) as caught:
        loads_event(orjson.dumps({**OPERATION, "version": 99}), line_number=2)
    assert ("version", 99, 2) == (caught.value.field, caught.value.value, caught.value.line)


def test_read_jsonl_reports_every_bad_line_at_once_and_returns_nothing(tmp_path: Path) -> None:
    """All invalid lines of a file are listed in one error; no event is returned."""
    lines = [
        GOOD,
        orjson.dumps(change(OPERATION, country="Atlantis")),
        b"[1, 2]",
        GOOD,
        b"not json",
        orjson.dumps(change(OPERATION, date="2023-02-30", ordinal="3")),
    ]
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(ValidationError) as caught:
        read_jsonl(path)
    found = sorted((p.line or 0, p.field) for p in caught.value.problems)
    assert [(2, "country"), (3, ""), (5, ""), (6, "date"), (6, "ordinal")] == found
    assert str(caught.value).startswith("5 problems:")


def test_iter_jsonl_stops_at_the_first_bad_line() -> None:
    """Streaming yields the good events before a bad line, then raises naming that line."""
    stream = io.BytesIO(GOOD + b"\n" + b"[1]\n" + GOOD + b"\n")
    events = iter_jsonl(stream)
    assert event_from_dict(OPERATION) == next(events)
    with pytest.raises(ValidationError) as caught:
        next(events)
    assert 2 == caught.value.line


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path) -> None:
    """write_jsonl replaces atomically: a failure midway leaves the old file and no litter."""
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"previous\n")

    def failing() -> Iterator[Event]:
        yield event_from_dict(OPERATION)
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_jsonl(failing(), path)
    assert b"previous\n" == path.read_bytes()
    assert ["ledger.jsonl"] == [p.name for p in tmp_path.iterdir()]


def test_write_jsonl_ends_every_line_with_a_newline(tmp_path: Path) -> None:
    """Each event is one line ending in a newline, UTF-8."""
    path = tmp_path / "ledger.jsonl"
    event = event_from_dict(OPERATION)
    assert 2 == write_jsonl([event, event], path)
    assert dumps_event(event) + b"\n" + dumps_event(event) + b"\n" == path.read_bytes()
