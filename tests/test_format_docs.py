"""docs/format.md: every example line loads, as written, so the format page cannot drift."""

from __future__ import annotations

import re
import textwrap
import uuid
from pathlib import Path

import orjson
import pytest

from repatevents.errors import ValidationError
from repatevents.events import (
    EVENT_TYPES,
    Event,
    FigureAdjudicated,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    dumps_event,
    loads_event,
    read_jsonl,
)
from repatevents.events._events import ID_NAMESPACE

ROOT = Path(__file__).parents[1]
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^ *```(\w+)\n(.*?)^ *```$", re.MULTILINE | re.DOTALL)
HEADING = re.compile(r"^### `([a-z-]+)`$", re.MULTILINE)


def _blocks(language: str, text: str = FORMAT) -> list[str]:
    return [textwrap.dedent(body) for lang, body in FENCE.findall(text) if lang == language]


def _event_lines() -> list[str]:
    """The lines of every JSON block that holds an event (an object with a "type")."""
    lines = []
    for body in _blocks("json"):
        assert 1 == len(body.splitlines()), f"one event per line, one line per block: {body}"
        if "type" in orjson.loads(body):
            lines.append(body.strip())
    return lines


def _examples_by_heading() -> dict[str, list[Event]]:
    """The events in the json blocks under each "### `type`" heading."""
    sections = HEADING.split(FORMAT)[1:]
    return {
        name: [loads_event(body) for body in _blocks("json", section.split("\n## ")[0])]
        for name, section in zip(sections[::2], sections[1::2], strict=True)
    }


@pytest.mark.parametrize("line", _event_lines())
def test_every_example_line_loads(line: str) -> None:
    """Each event line of the page is a valid event."""
    assert loads_event(line).TYPE == orjson.loads(line)["type"]


def test_current_examples_are_exactly_what_the_library_writes() -> None:
    """Each version-2 example is byte for byte the line dumps_event writes for it."""
    for line in _event_lines():
        if orjson.loads(line)["version"] == 2:
            assert line.encode() == dumps_event(loads_event(line))


def test_every_event_type_has_an_example_under_its_heading() -> None:
    """The page has a section with an example of each event type, in the registry's order."""
    examples = _examples_by_heading()
    assert list(EVENT_TYPES) == list(examples)
    for name, events in examples.items():
        assert events
        assert {name} == {e.TYPE for e in events}


def test_references_in_the_examples_name_other_examples() -> None:
    """Links, adjudications, corrections and retractions point at events shown on the page."""
    events = [e for found in _examples_by_heading().values() for e in found]
    ids = {e.id for e in events}
    for event in events:
        if isinstance(event, ReportsLinked):
            assert set(event.reports) <= ids
        elif isinstance(event, FigureAdjudicated):
            assert event.report in ids
        elif isinstance(event, ReportCorrected):
            assert event.supersedes in ids
        elif isinstance(event, ReportRetracted):
            assert event.retracts in ids


def test_examples_said_to_come_from_the_example_ledger_do() -> None:
    """A block introduced by "From the example ledger" is an event of examples/ledger.jsonl."""
    ledger = read_jsonl(ROOT / "examples" / "ledger.jsonl")
    quoted = re.findall(r"From the example ledger:\n\n```json\n(.*?)\n```", FORMAT)
    assert 3 == len(quoted)
    assert all(loads_event(line) in ledger for line in quoted)


def test_the_schema_1_example_reads_as_the_schema_2_example() -> None:
    """The schema history's version-1 line reads as the version-2 line after it, same id."""
    history = FORMAT.split("## Schema history", 1)[1]
    old, new = (loads_event(body) for body in _blocks("json", history))
    assert new == old


def test_the_documented_id_namespace_is_the_one_used() -> None:
    """The namespace the page gives for derived ids is the library's."""
    assert f"uuid5({ID_NAMESPACE}, C)" in FORMAT
    assert uuid.UUID("5c1f0a52-6d0e-4f5e-9a57-2f7b0e3c9d41") == ID_NAMESPACE


def test_the_error_example_is_what_read_jsonl_raises(tmp_path: Path) -> None:
    """The sample error on the page is the message of a file with two bad lines."""
    good = dumps_event(loads_event(_event_lines()[0]))
    misspelt = orjson.loads(good)
    misspelt["country"] = "Kyrgyzstn"
    path = tmp_path / "ledger.jsonl"
    path.write_bytes(b"\n".join([good, orjson.dumps(misspelt), good, good, b"[1, 2]"]) + b"\n")
    with pytest.raises(ValidationError) as caught:
        read_jsonl(path)
    (sample,) = _blocks("text")
    assert sample.strip() == str(caught.value)
