"""`repatevents import`: files and sheets in, events or one clean error out, warnings by line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from _paths import EXAMPLE
from repatevents import Ledger, event_from_dict
from repatevents.cli import main

from ._helpers import (
    ANALYST,
    HEADER,
    IMPORT_KEYS,
    fingerprint,
    run,
    stdout_json,
    write_jsonl,
    write_sheet,
)


def test_import_records_every_example_event_and_reimport_records_nothing(ledger: Path) -> None:
    """Importing the example file records its 28 events; importing it again records none."""
    assert 28 == fingerprint(ledger)[0]
    again = run(ledger, "import", str(EXAMPLE))
    assert 0 == again.exit_code
    assert "0 recorded, 28 already in the ledger" in again.output
    assert 28 == fingerprint(ledger)[0]


def test_import_sheet_with_map_and_relative_date(tmp_path: Path) -> None:
    """A sheet with other column names imports through --map; report words resolve dates."""
    sheet = write_sheet(
        tmp_path,
        "Kyrgyzstan,Wednesday,nes,The New Arab,95,31,64,2023-08-30\n",
        header="Nation,When,origin,Outlet,total,women,children,published\n",
    )
    path = tmp_path / "l.db"
    result = run(path, "import", str(sheet), "--map", "Nation=country,When=date,Outlet=publisher")
    assert 0 == result.exit_code, result.output
    with Ledger.open(path) as opened:
        (operation,) = opened.operations()
    assert ("KGZ", "2023-08-30", "Wednesday") == (
        operation.country,
        operation.date.to_text(),
        operation.date.raw,
    )


def test_dry_run_records_nothing(tmp_path: Path) -> None:
    """--dry-run validates the whole file and leaves the ledger as it was."""
    path = tmp_path / "l.db"
    result = run(path, "import", str(EXAMPLE), "--dry-run")
    assert 0 == result.exit_code
    assert "nothing recorded" in result.output
    assert not path.exists()


BAD_INPUTS = [
    ("unknown country", "Kyrgystan,2023-08-30,nes,X,95,31,64,\n", "did you mean 'Kyrgyzstan'"),
    ("impossible date", "KGZ,2023-02-30,nes,X,95,31,64,\n", "not a day of the calendar"),
    ("negative count", "KGZ,2023-08-30,nes,X,95,-31,64,\n", "must not be negative"),
    ("unknown place", "KGZ,2023-08-30,al-hool,X,95,31,64,\n", "did you mean 'al-hol'"),
    ("relative date without publication", "KGZ,Wednesday,nes,X,95,31,64,\n", "publication date"),
]


@pytest.mark.parametrize(("case", "row", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_sheet_rows_fail_cleanly_and_change_nothing(
    ledger: Path, tmp_path: Path, case: str, row: str, message: str
) -> None:
    """A bad row gives a one-line error naming the problem, exit 1, and an unchanged ledger."""
    before = fingerprint(ledger)
    good = "KGZ,2023-10-22,nes,X,83,21,62,\n"
    result = run(ledger, "import", str(write_sheet(tmp_path, good + row)))
    assert 1 == result.exit_code
    assert message in result.output
    assert "line 3" in result.output
    assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_missing_column_is_named(ledger: Path, tmp_path: Path) -> None:
    """A sheet without a required column is refused naming the column."""
    before = fingerprint(ledger)
    sheet = write_sheet(tmp_path, "KGZ,2023-08-30,95\n", header="country,date,total\n")
    result = run(ledger, "import", str(sheet))
    assert 1 == result.exit_code
    assert "the required column 'origin' is missing" in result.output
    assert "--map 'Their header=origin'" in result.output
    assert before == fingerprint(ledger)


def test_import_json_counts_what_was_recorded(tmp_path: Path) -> None:
    """import --json says how many events were read, recorded and already there."""
    path = tmp_path / "l.db"
    first = stdout_json(run(path, "import", str(EXAMPLE), "--json"))
    again = stdout_json(run(path, "import", str(EXAMPLE), "--json"))
    assert (str(EXAMPLE), 28, 28, 0, 28, False, []) == tuple(first[k] for k in IMPORT_KEYS)
    assert (28, 0, 28, 28) == (again["read"], again["recorded"], again["already_in_ledger"], 28)


# -- import: references, conflicts, JSON documents --------------------------------------------
GHOST = "00000000-0000-4000-8000-000000000001"


def test_import_warns_about_references_to_unknown_events(ledger: Path, tmp_path: Path) -> None:
    """A retraction naming an id neither ledger nor file holds is recorded, with a warning."""
    with Ledger.open(ledger) as opened:
        known = str(next(iter(opened.store.read(4, upto=5))).event.id)
    retraction = {"type": "report-retracted", "version": 2, "source": ANALYST, "retracts": GHOST}
    link = {"type": "reports-linked", "version": 2, "source": ANALYST, "reports": [known, GHOST]}
    file = write_jsonl(tmp_path, "", retraction, link)
    for args in (["--dry-run"], []):
        result = run(ledger, "import", str(file), *args)
        assert 0 == result.exit_code, result.output
        warnings_ = result.stderr.splitlines()
        assert 2 == len(warnings_)
        assert warnings_[0].startswith(f"warning: line 2: retracts names event '{GHOST}'")
        assert warnings_[1].startswith(f"warning: line 3: reports names event '{GHOST}'")
    assert 30 == fingerprint(ledger)[0]


def test_import_references_resolved_within_the_file_need_no_warning(tmp_path: Path) -> None:
    """A retraction of a report later in the same file is not dangling."""
    lines = EXAMPLE.read_text("utf-8").splitlines()
    target = changed_copy_of_line(5)["id"]
    retraction = {"type": "report-retracted", "version": 2, "source": ANALYST, "retracts": target}
    file = write_jsonl(tmp_path, retraction, *lines)
    result = run(tmp_path / "fresh.db", "import", str(file))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr


def changed_copy_of_line(number: int) -> dict[str, Any]:
    """The example's event on line ``number`` with its id kept and its total changed."""
    with Ledger.open(None) as scratch:
        scratch.import_jsonl(EXAMPLE)
        event = next(iter(scratch.store.read(number - 1, upto=number))).event
    record: dict[str, Any] = json.loads(EXAMPLE.read_text("utf-8").splitlines()[number - 1])
    record["id"] = str(event.id)
    record["people"] = {"total": 1234}
    return record


def test_dry_run_refuses_what_the_import_would_refuse(ledger: Path, tmp_path: Path) -> None:
    """An id stored with other content fails the dry run and the import alike, naming the line."""
    file = write_jsonl(tmp_path, json.loads(EXAMPLE.read_text("utf-8").splitlines()[0]), "")
    file.write_text(
        file.read_text("utf-8") + json.dumps(changed_copy_of_line(5)) + "\n", encoding="utf-8"
    )
    before = fingerprint(ledger)
    for args in (["--dry-run"], []):
        result = run(ledger, "import", str(file), *args)
        assert 1 == result.exit_code
        assert result.stderr.startswith("error: line 3: id: ")
        assert "already stored at position 5 with other content" in result.stderr
        assert "Traceback" not in result.output
    assert before == fingerprint(ledger)


def test_same_id_twice_in_a_file_names_both_lines(tmp_path: Path) -> None:
    """A file giving one id two contents is refused before anything is recorded."""
    original = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    with_id = dict(original, id=changed_copy_of_line(5)["id"])
    file = write_jsonl(tmp_path, with_id, changed_copy_of_line(5))
    result = run(tmp_path / "l.db", "import", str(file), "--dry-run")
    assert 1 == result.exit_code
    assert "line 2: id:" in result.stderr
    assert "line 1 of this file gives this id to other content" in result.stderr


@pytest.mark.parametrize("indent", [2, None])
def test_json_document_is_refused_with_one_line(tmp_path: Path, indent: int | None) -> None:
    """A pretty-printed JSON array (or object) is one error saying 'one JSON object per line'."""
    records = [json.loads(line) for line in EXAMPLE.read_text("utf-8").splitlines()]
    document = records if indent is None else records[0]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(document, indent=2 if indent is None else indent), "utf-8")
    result = run(tmp_path / "l.db", "import", str(path))
    assert 1 == result.exit_code
    assert 1 == len(result.stderr.splitlines())
    assert "one JSON object per line (JSON Lines)" in result.stderr
    assert not (tmp_path / "l.db").exists()


def test_ignore_unknown_columns(tmp_path: Path) -> None:
    """--ignore-unknown-columns imports a sheet with a column the importer does not know."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,31,64,,ours\n",
        header=HEADER.strip() + ",analyst_comment\n",
    )
    refused = run(tmp_path / "l.db", "import", str(sheet))
    assert 1 == refused.exit_code
    result = run(tmp_path / "l.db", "import", str(sheet), "--ignore-unknown-columns")
    assert 0 == result.exit_code, result.output
    assert "1 recorded" in result.stdout


def test_ignore_unknown_columns_names_what_it_left_out(tmp_path: Path) -> None:
    """The columns left out are listed on stderr, a misspelt one with the column it may mean."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,,64,,31,ours\n",
        header=HEADER.strip() + ",womens,analyst_comment\n",
    )
    for args in (["--dry-run"], [], ["--json"]):
        result = run(tmp_path / "l.db", "import", str(sheet), "--ignore-unknown-columns", *args)
        assert 0 == result.exit_code, result.output
        assert (
            "warning: --ignore-unknown-columns left out 2 columns, which no event holds: 'womens' "
            "(did you mean 'women'?), 'analyst_comment' (did you mean 'notes'?); rename a "
            "misspelt one with --map\n"
        ) == result.stderr


def test_import_json_prints_the_problems_of_a_refused_file(tmp_path: Path) -> None:
    """import --json on a refused file prints its problems as JSON on stdout, and exits 1."""
    sheet = write_sheet(
        tmp_path,
        "KGZ,2023-08-30,nes,X,95,31,64,\nKyrgystan,2023-08-30,nes,X,95,31,64,\n"
        "KGZ,2023-08-31,nes,X,95,-31,64,\n",
    )
    for args in (["--json"], ["--json", "--dry-run"]):
        result = run(tmp_path / "l.db", "import", str(sheet), *args)
        assert 1 == result.exit_code
        document = json.loads(result.stdout)
        assert (str(sheet), "--dry-run" in args, 0) == (
            document["file"],
            document["dry_run"],
            document["recorded"],
        )
        assert [(3, "country", "Kyrgystan"), (4, "women", -31)] == [
            (e["line"], e["field"], e["value"]) for e in document["errors"]
        ]
        assert all(set(e) == {"line", "field", "value", "rule"} for e in document["errors"])
        assert "did you mean 'Kyrgyzstan'" in document["errors"][0]["rule"]
        assert "error: line 3: country:" in result.stderr
    assert not (tmp_path / "l.db").exists()


# -- import: a row edited in a sheet --------------------------------------------------------
KAZ = "KAZ,2023-02-10,al-hol,Kazinform,{total},,,2023-02-11\n"


def recorded_ids(path: Path) -> list[str]:
    with Ledger.open(path) as opened:
        return [str(envelope.event.id) for envelope in opened.store.read()]


def test_an_edited_row_is_recorded_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    """A row edited in the sheet is a new report: the import says it looks like an edit."""
    path = tmp_path / "l.db"
    first = "KGZ,2023-08-30,nes,X,95,31,64,\n"
    original = write_sheet(tmp_path, first + KAZ.format(total=615))
    assert 0 == run(path, "import", str(original)).exit_code
    kaz = recorded_ids(path)[1]
    edited = write_sheet(tmp_path, first + KAZ.format(total=853))
    expected = (
        f"warning: line 3: looks like an edit of the report at position 2 (id {kaz}): it has the "
        "same publisher, country and date but differs in people.total; record it as a "
        "correction with a supersedes column, or it counts as another operation\n"
    )
    for args in (["--dry-run"], []):
        result = run(path, "import", str(edited), *args)
        assert 0 == result.exit_code, result.output
        assert expected == result.stderr
    assert 3 == fingerprint(path)[0]
    again = run(path, "import", str(edited))
    assert ("", "0 recorded") == (again.stderr, again.stdout.split(", ")[1])


def test_a_supersedes_column_records_the_edit_as_a_correction(tmp_path: Path) -> None:
    """With the recorded report's id in supersedes, the edited row corrects it: 853, not 1,468."""
    path = tmp_path / "l.db"
    assert 0 == run(path, "import", str(write_sheet(tmp_path, KAZ.format(total=615)))).exit_code
    (kaz,) = recorded_ids(path)
    header = HEADER.strip() + ",supersedes\n"
    edited = write_sheet(tmp_path, KAZ.format(total=853).strip() + f",{kaz}\n", header=header)
    result = run(path, "import", str(edited))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr
    (record,) = stdout_json(run(path, "events", "--type", "report-corrected", "--json"))
    assert ([kaz], 853) == (record["refers_to"], record["total_best"])
    with Ledger.open(path) as opened:
        assert [853] == [t.people.total.best for t in opened.totals() if t.people.total]
    assert "0 recorded" in run(path, "import", str(edited)).stdout


def test_a_supersedes_naming_no_recorded_report_warns_at_its_row(tmp_path: Path) -> None:
    """A supersedes id the ledger does not hold is recorded with a warning naming the row."""
    header = HEADER.strip() + ",supersedes\n"
    sheet = write_sheet(tmp_path, KAZ.format(total=853).strip() + f",{GHOST}\n", header=header)
    result = run(tmp_path / "l.db", "import", str(sheet))
    assert 0 == result.exit_code, result.output
    assert result.stderr.startswith(f"warning: line 2: supersedes names event '{GHOST}'")


def test_an_edited_json_line_is_recorded_with_a_warning(ledger: Path, tmp_path: Path) -> None:
    """A JSON Lines report like one recorded, but for its figures, is warned of by its line."""
    with Ledger.open(ledger) as opened:
        target = next(iter(opened.store.read(4, upto=5))).event
    record = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    record["people"] = {"total": 1234}
    result = run(ledger, "import", str(write_jsonl(tmp_path, "", record)), "--dry-run")
    assert 0 == result.exit_code, result.output
    assert result.stderr.startswith(
        f"warning: line 2: looks like an edit of the report at position 5 (id {target.id})"
    )
    assert f'(a report-corrected event with "supersedes": "{target.id}")' in result.stderr


def test_edit_warnings_compare_with_the_reports_in_force_whatever_the_order(
    tmp_path: Path,
) -> None:
    """Reports in force are the fold's: a report whose correction was imported before it is
    compared in its corrected form, and one retracted before it was imported is not in force,
    so a row like it is not taken for an edit of it."""
    report = json.loads(EXAMPLE.read_text("utf-8").splitlines()[4])
    report_id = str(event_from_dict(report).id)
    corrected = {**report, "people": {"total": 1234}, "notes": "recount"}
    del corrected["version"]  # a replacement is read in its correction's version
    correction = {
        "type": "report-corrected",
        "version": 2,
        "source": ANALYST,
        "supersedes": report_id,
        "replacement": corrected,
    }
    edited = {**report, "people": {"total": 1300}}
    path = tmp_path / "l.db"
    assert (
        0 == run(path, "import", str(write_jsonl(tmp_path, correction, name="c.jsonl"))).exit_code
    )
    assert 0 == run(path, "import", str(write_jsonl(tmp_path, report, name="r.jsonl"))).exit_code
    result = run(path, "import", str(write_jsonl(tmp_path, edited)), "--dry-run")
    assert f"looks like an edit of the report at position 1 (id {report_id})" in result.stderr
    assert "differs in people.total, notes" in result.stderr  # against 1,234 and its note
    retracted = tmp_path / "retracted.db"
    retraction = {
        "type": "report-retracted",
        "version": 2,
        "source": ANALYST,
        "retracts": report_id,
    }
    batch = write_jsonl(tmp_path, retraction, report, name="both.jsonl")
    assert 0 == run(retracted, "import", str(batch)).exit_code
    result = run(retracted, "import", str(write_jsonl(tmp_path, edited)), "--dry-run")
    assert (0, "") == (result.exit_code, result.stderr)


def test_import_dash_reads_standard_input_in_the_format_its_bytes_show(tmp_path: Path) -> None:
    """`import -` reads a sheet or JSON Lines piped in, with or without --format."""
    sheet = (HEADER + "KGZ,2023-08-30,nes,X,95,,,\n").encode()
    path = tmp_path / "l.db"
    runner = CliRunner()
    piped = runner.invoke(main, ["--ledger", str(path), "import", "-"], input=sheet)
    assert 0 == piped.exit_code, piped.output
    assert "<stdin>: 1 events read, 1 recorded" in piped.stdout
    events = EXAMPLE.read_bytes()
    as_jsonl = runner.invoke(
        main, ["--ledger", str(path), "import", "-", "--format", "jsonl"], input=events
    )
    assert 0 == as_jsonl.exit_code, as_jsonl.output
    assert "28 recorded" in as_jsonl.stdout


def test_import_help_lists_the_columns_and_their_aliases() -> None:
    """`import --help` shows every sheet column, with the other headers accepted for it."""
    from repatevents.importing._columns import COLUMNS

    shown = CliRunner().invoke(main, ["import", "--help"]).output
    assert all(column in shown for column in COLUMNS)
    assert "publisher (required; also: source, outlet, reported_by)" in shown
    assert "url (also: link, address)" in shown


def test_import_shows_no_progress_off_a_terminal(tmp_path: Path) -> None:
    """Piped or captured, import prints its result and no progress lines."""
    rows = "".join(f"KGZ,2023-08-{d:02d},nes,Outlet {n},95,,,\n" for n in range(300) for d in (1,))
    result = run(tmp_path / "l.db", "import", str(write_sheet(tmp_path, rows)))
    assert 0 == result.exit_code, result.output
    assert "" == result.stderr


def test_a_refused_file_does_not_create_the_ledger(tmp_path: Path) -> None:
    """A first import that is refused leaves no ledger file behind."""
    sheet = write_sheet(tmp_path, "KGZ,2023-08-30,nes,X,lots,,,\n")
    result = run(tmp_path / "new.db", "import", str(sheet))
    assert 1 == result.exit_code
    assert not (tmp_path / "new.db").exists()


def test_import_progress_on_a_terminal_names_each_stage_and_clears_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal, progress says reading, checking and saving, then leaves the line clean."""
    import io

    from repatevents.cli._importing import _progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with _progress(enabled=True) as show:
        for stage, done, total in [("reading", 500, None), ("checking", 5, 5), ("saving", 5, 5)]:
            show(stage, done, total)
    shown = screen.getvalue()
    assert "reading 500 rows…" in shown
    assert "saving 5 of 5 events…" in shown
    assert shown.endswith("\r")
    with _progress(enabled=False) as silent:
        assert silent is None
