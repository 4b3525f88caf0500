"""Provenance: verify prints the head hash, and every export says which ledger state it shows."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from repatevents import Ledger, event_from_dict, read_jsonl
from repatevents.cli import main
from repatevents.events import Event
from repatevents.events._codec import event_to_dict
from repatevents.projections._checkpoint import (
    CHECKPOINT_NAME,
    SUMMARY_NAME,
    dumps_state,
    dumps_summary,
    loads_state,
    loads_summary,
)
from repatevents.store import SQLiteStore

EXAMPLE = Path(__file__).parent.parent / "src" / "repatevents" / "data" / "example_ledger.jsonl"


def run(ledger: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--ledger", str(ledger), *args])


def _record(path: Path, events: list[Event]) -> Path:
    with Ledger.open(path) as ledger:
        ledger.record_many(events)
        ledger.tables()
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return _record(tmp_path / "ledger.db", read_jsonl(EXAMPLE))


def _head(path: Path) -> tuple[int, str | None]:
    with Ledger.open(path) as opened:
        return opened.head, opened.head_hash


def test_verify_prints_the_head_position_and_hash(ledger: Path) -> None:
    """verify names the head position and the full head hash, in text and in JSON."""
    head, head_hash = _head(ledger)
    assert head_hash is not None
    assert 64 == len(head_hash)
    text = run(ledger, "verify")
    assert 0 == text.exit_code, text.output
    assert f"head position {head}, head hash {head_hash}" in text.output
    answer = json.loads(run(ledger, "verify", "--json").output)
    assert (head, head_hash) == (answer["head"], answer["head_hash"])


def test_verify_expect_passes_for_the_head_and_any_earlier_record(ledger: Path) -> None:
    """A ledger reaches a published head hash, and still does after it grew."""
    _, head_hash = _head(ledger)
    assert head_hash is not None
    assert 0 == run(ledger, "verify", "--expect", head_hash).exit_code
    with Ledger.open(ledger) as opened:
        earlier = next(iter(opened.store.read(9, upto=10))).hash
    answer = json.loads(run(ledger, "verify", "--expect", earlier[:16], "--json").output)
    assert {"hash": earlier[:16], "position": 10} == answer["expected"]


def test_verify_expect_fails_for_an_edited_ledger_with_every_hash_recomputed(
    ledger: Path, tmp_path: Path
) -> None:
    """A ledger whose one record was edited and whose chain was computed again verifies, but
    not against the head hash published before the edit."""
    _, published = _head(ledger)
    assert published is not None
    events = read_jsonl(EXAMPLE)
    edited = event_to_dict(events[3])
    edited["notes"] = "edited after publication"
    forged = _record(tmp_path / "forged.db", [*events[:3], event_from_dict(edited), *events[4:]])
    assert 0 == run(forged, "verify").exit_code
    result = run(forged, "verify", "--expect", published)
    assert 1 == result.exit_code
    assert f"no record of the log has the hash {published!r}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["xyz", "12ab", "g" * 64])
def test_verify_expect_refuses_what_is_not_a_hash(ledger: Path, bad: str) -> None:
    """An --expect that is not hex, or too short to name one record, is a clean error."""
    result = run(ledger, "verify", "--expect", bad)
    assert 1 == result.exit_code
    assert f"expect: {bad!r}" in result.output


def _metadata(geojson: Path) -> dict[str, Any]:
    member: dict[str, Any] = json.loads(geojson.read_bytes())["metadata"]
    return member


def test_every_export_carries_the_head_the_clocks_the_policy_and_the_version(
    ledger: Path, tmp_path: Path
) -> None:
    """GeoJSON's metadata member and CSV's metadata file hold the head position and hash, the
    query, the library version and how the tables were computed."""
    head, head_hash = _head(ledger)
    out = tmp_path / "out"
    geojson = out / "map.geojson"
    args = ["--as-of", "2024-01-01", "--policy", "latest"]
    assert 0 == run(ledger, "export", "geojson", "-o", str(geojson), *args).exit_code
    member = _metadata(geojson)
    assert head == member["ledger_position"]
    assert head_hash == member["head_hash"]
    assert "2024-01-01" == member["as_of"]
    assert "latest" == member["policy"]
    assert "everything recorded" == member["known_at"]
    assert member["library_version"] not in ("", "unknown")
    assert member["computed_from"] in ("checkpoint", "log")
    assert 0 == run(ledger, "export", "csv", "-o", str(out / "csv"), *args).exit_code
    with (out / "csv" / "metadata.csv").open(encoding="utf-8", newline="") as stream:
        rows = dict(csv.reader(stream))
    assert (str(head), head_hash) == (rows["ledger_position"], rows["head_hash"])


def test_a_known_at_export_names_the_hash_of_that_past_state(ledger: Path, tmp_path: Path) -> None:
    """With --known-at 10 the export names the record at position 10, folded from the log."""
    with Ledger.open(ledger) as opened:
        tenth = next(iter(opened.store.read(9, upto=10))).hash
    target = tmp_path / "past.geojson"
    assert 0 == run(ledger, "export", "geojson", "-o", str(target), "--known-at", "10").exit_code
    member = _metadata(target)
    assert (10, tenth, "log") == (
        member["ledger_position"],
        member["head_hash"],
        member["computed_from"],
    )


def _forge_checkpoint(ledger: Path) -> None:
    """Change the saved checkpoint's data only (its head hash still matches the log), and its
    summary's alike (the default totals table is read from the summary)."""
    with SQLiteStore(ledger) as store:
        for name, loads, dumps in (
            (CHECKPOINT_NAME, loads_state, dumps_state),
            (SUMMARY_NAME, loads_summary, dumps_summary),
        ):
            saved = store.get_checkpoint(name)
            assert saved is not None
            state = loads(saved[1], saved[0])
            assert state is not None
            kaz = state.countries["KAZ"].figs[0]
            kaz[:3] = [10 * figure for figure in kaz[:3]]
            store.put_checkpoint(name, saved[0], dumps(state))


def _kaz_total(folder: Path) -> str:
    with (folder / "totals.csv").open(encoding="utf-8", newline="") as stream:
        return next(row for row in csv.DictReader(stream) if row["country"] == "KAZ")["total_best"]


def _computed_from(folder: Path) -> str:
    with (folder / "metadata.csv").open(encoding="utf-8", newline="") as stream:
        return dict(csv.reader(stream))["computed_from"]


def test_a_verified_export_ignores_a_forged_checkpoint_and_says_so(
    ledger: Path, tmp_path: Path
) -> None:
    """A forged checkpoint reaches a plain export, which says it came from a checkpoint; with
    --verified the figures come from the log alone and the metadata says so."""
    _forge_checkpoint(ledger)
    plain, verified = tmp_path / "plain", tmp_path / "verified"
    assert 0 == run(ledger, "export", "csv", "-o", str(plain), "--table", "totals").exit_code
    result = run(ledger, "export", "csv", "-o", str(verified), "--table", "totals", "--verified")
    assert 0 == result.exit_code, result.output
    assert ("checkpoint", "log") == (_computed_from(plain), _computed_from(verified))
    assert "274" == _kaz_total(verified)
    assert "274" != _kaz_total(plain)


def test_source_date_epoch_sets_the_generation_time(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH is the generation time when --generated-at is not given, so two
    exports made at different moments are byte-identical; --generated-at still wins."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "a.geojson", tmp_path / "b.geojson"
    assert 0 == run(ledger, "export", "geojson", "-o", str(first)).exit_code
    assert 0 == run(ledger, "export", "geojson", "-o", str(second)).exit_code
    assert first.read_bytes() == second.read_bytes()
    assert "2023-11-14T22:13:20+00:00" == _metadata(first)["generated_at"]
    given = ["--generated-at", "2024-03-01T00:00:00Z"]
    assert 0 == run(ledger, "export", "geojson", "-o", str(first), *given).exit_code
    assert "2024-03-01T00:00:00+00:00" == _metadata(first)["generated_at"]


def test_a_source_date_epoch_that_is_not_seconds_is_a_clean_error(
    ledger: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SOURCE_DATE_EPOCH that is not a whole number names the variable and writes nothing."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run(ledger, "export", "geojson", "-o", str(tmp_path / "x.geojson"))
    assert 1 == result.exit_code
    assert "SOURCE_DATE_EPOCH: 'yesterday'" in result.output
    assert not (tmp_path / "x.geojson").exists()
