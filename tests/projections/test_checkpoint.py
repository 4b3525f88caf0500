"""Checkpoints: bytes from a ledger file are read as plain data and never run code.

Ledger files are passed between analysts. A checkpoint is a pickle, so its reader builds only
builtin values and the library's own plain-data classes; a pickle that names anything else
(a callable with a ``__reduce__``, an extension code) is refused with a warning before that
callable is reached, and the ledger answers from the log.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from repatevents import OperationReported, People, ReportCorrected, read_jsonl
from repatevents._ledger import Ledger
from repatevents.errors import RepateventsWarning
from repatevents.projections._checkpoint import (
    ALLOWED,
    CHECKPOINT_NAME,
    FORMAT,
    SUMMARY_NAME,
    dumps_state,
    dumps_summary,
    loads_state,
    loads_summary,
)
from repatevents.store import open_store

EXAMPLE = Path("examples/ledger.jsonl")
CALLS: list[tuple[Any, ...]] = []


def record_call(*args: Any) -> int:
    """Stand in for os.system: note that the pickle reached it."""
    CALLS.append(args)
    return 0


class RunsCode:
    """Pickles as a call of ``record_call``, as an attacker's object would call os.system."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (record_call, ("echo owned",))


@pytest.fixture(autouse=True)
def _no_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


def _ask(path: Path) -> tuple[object, int, int]:
    """Open the ledger, ask for totals and verify it."""
    with Ledger.open(path) as ledger:
        totals = ledger.totals()
        kgz = next(t.total.best for t in totals if t.country == "KGZ")
        return totals, kgz, ledger.verify()


@pytest.mark.parametrize("suffix", ["db", "jsonl"])
def test_a_checkpoint_that_would_run_code_is_refused(tmp_path: Path, suffix: str) -> None:
    """Both checkpoints replaced by a pickle that calls a function: opening the ledger and
    asking warns that the checkpoint names it, the function is never called, the totals come
    from the log, and closing saves a readable checkpoint in place of the hostile one."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        expected = ledger.totals()
    hostile = pickle.dumps(RunsCode(), protocol=5)
    with open_store(path) as store:
        for name in (CHECKPOINT_NAME, SUMMARY_NAME):
            store.put_checkpoint(name, 28, hostile)
    with pytest.warns(
        RepateventsWarning, match=r"names projections\.test_checkpoint\.record_call"
    ) as caught:
        answers = _ask(path)
    assert (expected, 329, 28) == answers
    assert [] == CALLS
    assert any("it would run code" in str(w.message) for w in caught)
    with open_store(path) as store:
        saved = store.get_checkpoint(CHECKPOINT_NAME)
    assert saved is not None
    assert saved[1] != hostile


@pytest.mark.parametrize("loads", [loads_state, loads_summary])
def test_a_hostile_blob_is_none_and_calls_nothing(loads: Any) -> None:
    """The loaders give None (an unreadable cache) for a pickle of a call, warning."""
    with pytest.warns(RepateventsWarning, match="no checkpoint holds"):
        assert loads(pickle.dumps(RunsCode(), protocol=5), 0) is None
    assert [] == CALLS


def test_an_extension_code_cannot_reach_a_callable() -> None:
    """A copyreg extension code naming a callable (resolved from a cache that skips
    find_class once any unpickler looked it up) is refused too."""
    code = 0x7FFFFFF0
    copyreg.add_extension(__name__, "record_call", code)
    try:
        assert record_call is pickle.loads(b"\x80\x02\x84" + code.to_bytes(4, "little") + b".")
        blob = b"\x80\x02\x84" + code.to_bytes(4, "little") + b"U\x01x\x85R."
        with pytest.warns(RepateventsWarning, match="extension code"):
            assert loads_state(blob, 0) is None
    finally:
        copyreg.remove_extension(__name__, "record_call", code)
        copyreg.clear_extension_cache()
    assert [] == CALLS


class _Recorder(pickle.Unpickler):
    """Note every global a pickle names."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.names: set[tuple[str, str]] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.names.add((module, name))
        return super().find_class(module, name)


def test_a_checkpoint_names_only_allowed_classes_and_reads_back() -> None:
    """What a ledger saves (checkpoint and summary of a state with every kind of report)
    names only allowed classes, all of them used, and reads back equal."""
    with Ledger.in_memory() as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        state = ledger.state()
    names: set[tuple[str, str]] = set()
    for data in (dumps_state(state), dumps_summary(state)):
        recorder = _Recorder(data)
        recorder.load()
        names |= recorder.names
    assert names <= set(ALLOWED)
    assert state == loads_state(dumps_state(state), state.position)
    summary = loads_summary(dumps_summary(state), state.position)
    assert summary is not None
    assert state.countries == summary.countries


def test_a_checkpoint_of_format_9_is_folded_again_without_a_warning() -> None:
    """A checkpoint saved before format 10 names the records' former module
    (projections._records): it is read as outdated and folded again, with no warning that it
    names something a checkpoint never holds; the same bytes of the current format read back."""
    with Ledger.in_memory() as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        state = ledger.state()
    data = dumps_state(state)
    older = data.replace(b"repatevents.projections._compact", b"repatevents.projections._records")
    assert older != data
    assert state == loads_state(older, state.position)
    version, *rest = pickle.loads(data)
    assert FORMAT == version
    nine = pickle.dumps((9, *rest), protocol=5).replace(
        b"repatevents.projections._compact", b"repatevents.projections._records"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loads_state(nine, state.position) is None


def test_a_checkpoint_of_the_previous_format_is_folded_again() -> None:
    """A checkpoint of the format before the current one (another layout of the state) is not
    read: the ledger folds the log again rather than misread it."""
    with Ledger.in_memory() as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        state = ledger.state()
    version, *rest = pickle.loads(dumps_state(state))
    assert state == loads_state(pickle.dumps((version, *rest), protocol=5), state.position)
    assert loads_state(pickle.dumps((version - 1, *rest), protocol=5), state.position) is None


def test_a_correction_waiting_for_its_report_survives_a_checkpoint(tmp_path: Path) -> None:
    """A correction recorded before its report is kept in the checkpoint, as plain data, and
    applies when the report is recorded after the ledger was reopened."""
    events = read_jsonl(EXAMPLE)
    report = next(e for e in events if isinstance(e, OperationReported))
    rest = [e for e in events if e is not report]
    replacement = attrs.evolve(report, people=People(total=1000))
    fixed = ReportCorrected(source=report.source, supersedes=report.id, replacement=replacement)
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.record_many([fixed, *rest])
        assert report.id.int in ledger.state().early
        saved = loads_state(dumps_state(ledger.state()), ledger.state().position)
        assert saved == ledger.state()
    with Ledger.open(path) as ledger:
        ledger.record(report)
        assert [1000] == [o.total.best for o in ledger.operations() if o.id == report.id]
        assert 1 + len(events) == ledger.verify()
