"""The Ledger and a log that lost, changed or cannot write records: found, named, never hidden.

A checkpoint is a cache: an unreadable one is folded again (with a warning when its file is
damaged). But a readable checkpoint the log does not bear out is evidence that records were
lost or changed, and no question, import, verification or rebuild goes past it. Exports, last,
replace only regular files.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import orjson
import pytest

from _projection_events import op
from repatevents import read_jsonl
from repatevents._ledger import Ledger
from repatevents.errors import (
    CheckpointMismatchError,
    ExportError,
    IntegrityError,
    LostRecordsError,
    RepateventsWarning,
    StoreError,
)
from repatevents.exporters._write import write_atomically
from repatevents.projections._checkpoint import (
    CHECKPOINT_NAME,
    SUMMARY_NAME,
    dumps_state,
    dumps_summary,
    loads_state,
    loads_summary,
)
from repatevents.store import JsonLinesStore, SQLiteStore, open_store

EXAMPLE = Path("examples/ledger.jsonl")
MORE = [op("KGZ", 83, "2023-10-12", origin="nes"), op("UZB", 7, "2024-02-01")]

# Everything a user does with a ledger, each on a freshly opened one.
ACTIONS: dict[str, Callable[[Ledger], object]] = {
    "totals": lambda ledger: ledger.totals(),
    "operations": lambda ledger: ledger.operations(),
    "verify": lambda ledger: ledger.verify(),
    "rebuild": lambda ledger: ledger.rebuild(),
    "import": lambda ledger: ledger.record_many([op("TJK", 5, "2024-03-01")]),
}


def _ledger_at_30(path: Path) -> None:
    """Record the example (28 events) and two more, then checkpoint at 30."""
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.record_many(MORE)
        ledger.totals()
        ledger.operations()


def _files(path: Path) -> dict[str, bytes]:
    """The bytes of the ledger and of what lies beside it (SQLite's -wal copied in first;
    its -shm is an index any reader rewrites)."""
    if path.suffix == ".db":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = sorted(p for p in path.parent.iterdir() if p.is_file() and p.suffix != ".db-shm")
    return {p.name: p.read_bytes() for p in files}


def _drop_last_two(path: Path, keep: int = 28) -> None:
    """Remove records after ``keep`` behind the store's back (the last batch)."""
    if path.suffix == ".jsonl":
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:keep]))
        return
    with sqlite3.connect(path, isolation_level=None) as db:
        db.execute("DROP TRIGGER events_are_never_deleted")
        db.execute("DELETE FROM events WHERE position > ?", (keep,))


# -- a log shorter than its checkpoint ---------------------------------------------------------
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize(("suffix", "keep"), [("jsonl", 28), ("jsonl", 0), ("db", 28)])
def test_a_log_that_lost_records_is_refused(
    tmp_path: Path, suffix: str, keep: int, action: str
) -> None:
    """The last batch removed (or the whole log) while a checkpoint says 30: every question,
    verify, rebuild and import raises LostRecordsError naming both positions, and nothing
    changes (the checkpoint is not overwritten, nothing is recorded at 29)."""
    path = tmp_path / f"ledger.{suffix}"
    _ledger_at_30(path)
    _drop_last_two(path, keep)
    before = _files(path)
    with Ledger.open(path) as ledger, pytest.raises(LostRecordsError) as info:
        ACTIONS[action](ledger)
    assert (keep, 30, keep + 1) == (info.value.head, info.value.checkpoint, info.value.position)
    assert f"the log ends at position {keep} but a checkpoint was saved at position 30" in str(
        info.value
    )
    assert before == _files(path)


def test_deleting_the_checkpoints_accepts_the_loss(tmp_path: Path) -> None:
    """Once the user deletes the sidecar, as the error says, the shorter log is used."""
    path = tmp_path / "ledger.jsonl"
    _ledger_at_30(path)
    _drop_last_two(path)
    with Ledger.open(path) as ledger, pytest.raises(LostRecordsError) as info:
        ledger.totals()
    assert f"delete {path}.checkpoints" in str(info.value)
    Path(f"{path}.checkpoints").unlink()
    with Ledger.open(path) as ledger:
        assert (28, 28) == (ledger.verify(), ledger.rebuild())


def test_a_checkpoint_at_a_record_the_log_no_longer_holds_is_refused(tmp_path: Path) -> None:
    """The last batch replaced by other records at the same positions (a truncated log
    imported into again): the checkpoint saw other records, so questions, verify and rebuild
    raise IntegrityError naming position 30, and the checkpoint is kept."""
    path = tmp_path / "ledger.jsonl"
    _ledger_at_30(path)
    sidecar = Path(f"{path}.checkpoints")
    saved = sidecar.read_bytes()
    _drop_last_two(path)
    sidecar.unlink()
    with JsonLinesStore(path) as store:
        assert 30 == store.append([op("KAZ", 1, "2024-01-01"), op("KAZ", 2, "2024-01-02")])
    sidecar.write_bytes(saved)
    for action in ("totals", "operations", "verify", "rebuild"):
        with Ledger.open(path) as ledger, pytest.raises(IntegrityError) as info:
            ACTIONS[action](ledger)
        assert 30 == info.value.position
        assert "the log was changed or replaced after the checkpoint was saved" in str(info.value)
    assert saved == sidecar.read_bytes()


def test_a_checkpoint_of_another_log_is_refused(tmp_path: Path) -> None:
    """A checkpoint copied from another ledger at the same position fails the hash check:
    an IntegrityError, not another ledger's figures and not a silent rebuild."""
    path, other = tmp_path / "ledger.db", tmp_path / "other.db"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
    with Ledger.open(other) as ledger:
        ledger.record_many(op("UZB", n, f"2019-05-{n:02d}") for n in range(1, 29))
        ledger.totals()
    with SQLiteStore(other) as source, SQLiteStore(path) as target:
        for name in (CHECKPOINT_NAME, SUMMARY_NAME):
            saved = source.get_checkpoint(name)
            assert saved is not None
            target.put_checkpoint(name, *saved)
    for action in ("totals", "operations", "verify", "rebuild"):
        with Ledger.open(path) as ledger, pytest.raises(IntegrityError) as info:
            ACTIONS[action](ledger)
        assert 28 == info.value.position


# -- a changed record --------------------------------------------------------------------------
def _change_total(path: Path, position: int, old: int, new: int) -> None:
    """Change one figure of a stored record, leaving its hash as it was."""
    if path.suffix == ".jsonl":
        lines = path.read_bytes().splitlines(keepends=True)
        pattern = re.compile(rb'"total":%d(?=[,}])' % old)
        lines[position - 1], changed = pattern.subn(b'"total":%d' % new, lines[position - 1])
        assert 1 == changed
        path.write_bytes(b"".join(lines))
        return
    with sqlite3.connect(path, isolation_level=None) as db:
        (event,) = db.execute("SELECT event FROM events WHERE position = ?", (position,)).fetchone()
        data = orjson.loads(event)
        assert old == data["people"]["total"]
        data["people"]["total"] = new
        db.execute("DROP TRIGGER events_are_never_changed")
        db.execute(
            "UPDATE events SET event = ? WHERE position = ?",
            (orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode(), position),
        )


@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_a_changed_record_is_never_folded(tmp_path: Path, suffix: str) -> None:
    """One figure changed (95 to 96) in a ledger without a checkpoint: the fold that reads it
    stops with an IntegrityError naming the record, not an answer with the changed figure."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger(JsonLinesStore(path) if suffix == "jsonl" else SQLiteStore(path)) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
    _change_total(path, 5, 95, 96)
    for action in ("totals", "operations", "verify", "rebuild"):
        with Ledger.open(path) as ledger, pytest.raises(IntegrityError) as info:
            ACTIONS[action](ledger)
        assert 5 == info.value.position, action


@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_a_changed_record_before_the_checkpoint_fails_verify_and_rebuild(
    tmp_path: Path, suffix: str
) -> None:
    """A record changed before the checkpoint: the checkpoint (folded from the record as it
    was written) still answers with the recorded figure, and verify and rebuild refuse, the
    checkpoint kept."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        kgz = {t.country: t.total.best for t in ledger.totals()}["KGZ"]
    _change_total(path, 5, 95, 930)
    before = _files(path)
    with Ledger.open(path) as ledger:
        assert kgz == {t.country: t.total.best for t in ledger.totals()}["KGZ"]
        for action in ("verify", "rebuild"):
            with pytest.raises(IntegrityError) as info:
                ACTIONS[action](ledger)
            assert 5 == info.value.position
    assert before == _files(path)


@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_a_changed_record_after_the_checkpoint_is_found_by_the_catch_up(
    tmp_path: Path, suffix: str
) -> None:
    """Records recorded after the checkpoint are folded from its hash: a change to one of
    them is named when the ledger catches up."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.totals()
        ledger.record_many(MORE)
    _change_total(path, 29, 83, 84)
    with Ledger.open(path) as ledger, pytest.raises(IntegrityError) as info:
        ledger.operations()
    assert 29 == info.value.position


@pytest.mark.parametrize(("position", "old", "new"), [(5, 95, 96), (30, 7, 70)])
@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_nothing_is_recorded_on_top_of_a_changed_record(
    tmp_path: Path, suffix: str, position: int, old: int, new: int
) -> None:
    """An import onto a log with a changed record (in the middle, or the last one it would
    chain onto) records nothing and names the record."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.record_many(MORE)
    _change_total(path, position, old, new)
    before = _files(path)
    with Ledger.open(path) as ledger, pytest.raises(IntegrityError) as info:
        ACTIONS["import"](ledger)
    assert position == info.value.position
    assert before == _files(path)


# -- a changed checkpoint ----------------------------------------------------------------------
def _raise_kaz_tenfold(path: Path, name: str) -> None:
    """Multiply KAZ's total (low, best, high) in one checkpoint by ten, its position and the
    hash it saw left as they were: what the hash chain cannot see."""
    with open_store(path) as store:
        saved = store.get_checkpoint(name)
        assert saved is not None
        position, data = saved
        loads = loads_summary if name == SUMMARY_NAME else loads_state
        state = loads(data, position)
        assert state is not None
        kaz = state.countries["KAZ"].figs[0]
        assert 274 == kaz[1]
        kaz[:3] = [10 * figure for figure in kaz[:3]]
        store.put_checkpoint(
            name, position, (dumps_summary if loads is loads_summary else dumps_state)(state)
        )


def _kaz(ledger: Ledger) -> int:
    return next(t.total.best for t in ledger.totals() if t.country == "KAZ")


@pytest.mark.parametrize("name", [SUMMARY_NAME, CHECKPOINT_NAME])
@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_a_changed_checkpoint_fails_verify_and_rebuild_replaces_it(
    tmp_path: Path, suffix: str, name: str
) -> None:
    """KAZ raised from 274 to 2740 in the summary (or the checkpoint), its hash untouched:
    verify folds the log, raises CheckpointMismatchError naming that cache and saying rebuild
    replaces it, and from then on answers from the log; rebuild replaces the cache, and the
    next ledger answers 274 and verifies."""
    path = tmp_path / f"ledger.{suffix}"
    _ledger_at_30(path)
    _raise_kaz_tenfold(path, name)
    with Ledger.open(path) as ledger:
        with pytest.raises(CheckpointMismatchError) as info:
            ledger.verify()
        assert ((name,), 30, ("countries",)) == (
            info.value.checkpoints,
            info.value.position,
            info.value.fields,
        )
        assert f"the checkpoint {name!r} saved at position 30 does not match the log" in str(
            info.value
        )
        assert "rebuild replaces it" in str(info.value)
        assert 274 == _kaz(ledger)
    with Ledger.open(path) as ledger, pytest.raises(CheckpointMismatchError):
        ledger.verify()
    with Ledger.open(path) as ledger:
        assert 30 == ledger.rebuild()
    with Ledger.open(path) as ledger:
        assert 274 == _kaz(ledger)
        assert 30 == ledger.verify()


def test_verify_compares_each_checkpoint_at_its_own_position(tmp_path: Path) -> None:
    """A checkpoint behind the head (records added since) is compared with the log folded
    to its position, not to the head: it verifies, and a change to it is still found."""
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.totals()
    with Ledger.open(path) as ledger:
        ledger.record_many(MORE)
    with Ledger.open(path) as ledger:
        assert 30 == ledger.verify()
    _raise_kaz_tenfold(path, CHECKPOINT_NAME)
    with Ledger.open(path) as ledger, pytest.raises(CheckpointMismatchError) as info:
        ledger.verify()
    assert 28 == info.value.position


# -- a damaged checkpoint file -----------------------------------------------------------------
def test_a_garbled_sidecar_is_a_warning_and_is_replaced(tmp_path: Path) -> None:
    """A sidecar that cannot be read is a damaged cache: a question warns, folds the log and
    saves a readable checkpoint again; verify warns and passes; rebuild warns and replaces it."""
    path = tmp_path / "ledger.jsonl"
    _ledger_at_30(path)
    sidecar = Path(f"{path}.checkpoints")
    actions = {
        "totals": lambda ledger: {t.country: t.total.best for t in ledger.totals()}["KGZ"],
        "verify": ACTIONS["verify"],
        "rebuild": ACTIONS["rebuild"],
    }
    answers = {}
    for name, action in actions.items():
        sidecar.write_bytes(b'{"garbage\n')
        with pytest.warns(RepateventsWarning, match="cannot be read"), Ledger.open(path) as ledger:
            answers[name] = action(ledger)
        if name != "verify":
            with JsonLinesStore(path) as store:
                saved = store.get_checkpoint(CHECKPOINT_NAME)
            assert saved is not None
            assert 30 == saved[0]
    assert {"totals": 329 + 83, "verify": 30, "rebuild": 30} == answers


# -- a read-only ledger ------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["jsonl", "db"])
def test_a_read_only_ledger_answers_and_verifies(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger whose file or folder cannot be written (a copy on a read-only medium) answers
    questions and verifies, saving no checkpoint; recording is a StoreError saying why."""
    path = tmp_path / f"ledger.{suffix}"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        ledger.totals()
        ledger.record_many(MORE)  # the checkpoint is behind the head: a fold is needed
    before = _files(path)
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with Ledger.open(path) as ledger:
        assert 30 == ledger.verify()
        assert 329 + 83 == {t.country: t.total.best for t in ledger.totals()}["KGZ"]
        assert 30 == ledger.rebuild()
        with pytest.raises(StoreError, match="read-only"):
            ledger.record(op("TJK", 5, "2024-03-01"))
    assert before == _files(path)


def test_a_copied_read_only_ledger_keeps_its_checkpoint(tmp_path: Path) -> None:
    """A read-only copy still answers from its checkpoint (it is checked, not rebuilt)."""
    path = tmp_path / "ledger.db"
    _ledger_at_30(path)
    copy = tmp_path / "copy" / "ledger.db"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    with Ledger(SQLiteStore(copy, read_only=True)) as ledger:
        assert 30 == ledger.state().position


# -- exports never replace what is not a regular file ------------------------------------------
def _example_ledger() -> Ledger:
    ledger = Ledger.in_memory()
    ledger.record_many(read_jsonl(EXAMPLE))
    return ledger


@pytest.mark.parametrize("through_a_link", [False, True])
def test_an_export_onto_a_fifo_is_refused(tmp_path: Path, through_a_link: bool) -> None:
    """A FIFO at the output path (or a link to one there) is refused with an ExportError
    naming it; it stays a FIFO and no file is left behind."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = tmp_path / "out.geojson"
    if through_a_link:
        target.symlink_to(fifo)
    else:
        target = fifo
    refusal = "symbolic link" if through_a_link else "a FIFO"
    with _example_ledger() as ledger, pytest.raises(ExportError, match=refusal) as info:
        ledger.export("geojson", target)
    assert str(fifo) in str(info.value)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    expected = ["out.geojson", "pipe"] if through_a_link else ["pipe"]
    assert expected == sorted(p.name for p in tmp_path.iterdir())


def test_a_refused_target_stops_the_whole_set(tmp_path: Path) -> None:
    """With several targets, one that is not a regular file (a folder) means none is
    written."""
    kept = tmp_path / "a.csv"
    kept.write_bytes(b"as it was")
    (tmp_path / "b.csv").mkdir()

    def fill(stream: BinaryIO) -> None:
        stream.write(b"new")

    with pytest.raises(ExportError, match="is a folder"):
        write_atomically([(kept, fill), (tmp_path / "b.csv", fill)])
    assert b"as it was" == kept.read_bytes()
    assert ["a.csv", "b.csv"] == sorted(p.name for p in tmp_path.iterdir())


def test_a_log_cut_while_the_ledger_is_open_is_not_checkpointed(tmp_path: Path) -> None:
    """Records removed while a ledger holds them: closing raises LostRecordsError, and no
    checkpoint is saved at a position the log no longer has."""
    path = tmp_path / "ledger.jsonl"
    ledger = Ledger.open(path)
    ledger.record_many(read_jsonl(EXAMPLE))
    ledger.record_many(MORE)
    ledger.operations()
    _drop_last_two(path)
    with pytest.raises(LostRecordsError) as info:
        ledger.close()
    assert (28, 30) == (info.value.head, info.value.checkpoint)
    assert not Path(f"{path}.checkpoints").exists()
