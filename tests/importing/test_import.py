"""Importing: any file in, events or one clear error out, and the ledger unchanged on refusal."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from _bad_sheets import CASES, GOOD_XLSX, HEADER, Case, zip_bomb
from _paths import DOCS, EXAMPLE
from repatevents import ImportResult, Ledger, OperationReported, event_from_dict
from repatevents.errors import ValidationError
from repatevents.importing import _files
from repatevents.importing._columns import COLUMNS, TABLE

CSV = b"country,date,origin,publisher,total\nKGZ,2023-08-30,nes,X,95\n"
ALREADY = event_from_dict(
    {
        "type": "operation-reported",
        "country": "UZB",
        "date": "2023-01-01",
        "origin": "nes",
        "people": {"total": 1},
        "source": {"publisher": "Already there"},
    }
)


def a_ledger() -> Ledger:
    """A ledger holding one event, so that 'unchanged' is more than 'empty'."""
    ledger = Ledger.in_memory()
    ledger.record(ALREADY)
    return ledger


def refused(ledger: Ledger, data: bytes, **options: Any) -> ValidationError:
    """Import ``data``, which must be refused, and check that the ledger did not change."""
    with pytest.raises(ValidationError) as caught:
        ledger.import_file(io.BytesIO(data), **options)
    assert [ALREADY] == [envelope.event for envelope in ledger.store.read()]
    return caught.value


# -- the fixture set of real-world-shaped sheets ----------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_real_world_sheet_has_its_expected_outcome(case: Case) -> None:
    """Each sheet of the set is recorded whole, or refused naming its field, row and rule."""
    ledger = a_ledger()
    if case.refused is None:
        result = ledger.import_file(io.BytesIO(case.data), format=case.format)  # type: ignore[arg-type]
        recorded = [e.event for e in ledger.store.read()][1:]
        assert len(case.recorded or ()) == result.recorded
        assert list(case.recorded or ()) == [
            e.notes for e in recorded if isinstance(e, OperationReported)
        ]
        return
    error = refused(ledger, case.data, format=case.format)
    field, line, words = case.refused
    first = error.problems[0]
    assert (field, line) == (first.field, first.line), str(error)
    assert words in first.rule


def test_a_workbook_that_inflates_past_the_bound_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A zip bomb is refused from its stated sizes, with the size and the bound, not read."""
    monkeypatch.setattr(_files, "MAX_XLSX_SIZE", 1_000_000)
    bomb = zip_bomb(5_000_000)
    assert len(bomb) < 50_000
    error = refused(a_ledger(), bomb)
    assert "file" == error.field
    assert "more than the 1,000,000 bytes" in error.rule


def test_xlsx_is_not_read_without_defusedxml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without defusedxml openpyxl would expand entities, so the importer will not use it."""
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    error = refused(a_ledger(), GOOD_XLSX)
    assert "needs defusedxml" in error.rule


# -- never a traceback: arbitrary bytes and cells through every reader ------------------------
def _assert_clear(error: ValidationError) -> None:
    for problem in error.problems:
        assert problem.rule
        assert problem.field or problem.line is not None, problem
        assert "\n" not in str(problem)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=500).map(lambda tail: CSV + tail),
        st.binary(max_size=500).map(lambda tail: b'{"type": "operation-reported"' + tail),
        st.integers(0, len(GOOD_XLSX) - 1).map(lambda cut: GOOD_XLSX[:cut]),
    ),
    file_format=st.sampled_from(["jsonl", "csv", "xlsx", None]),
)
def test_any_bytes_are_recorded_or_refused_with_a_clear_error(
    data: bytes, file_format: Any
) -> None:
    """Whatever the bytes, import records events or raises ValidationError; nothing else."""
    ledger = a_ledger()
    try:
        result = ledger.import_file(io.BytesIO(data), format=file_format)
    except ValidationError as error:
        _assert_clear(error)
        assert 1 == ledger.head
    else:
        assert result.head == ledger.head


# Text a workbook can hold (openpyxl refuses control characters other than tab and newlines).
TEXT = st.text(max_size=30).map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text))
CELLS = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["KGZ", "2023-08-30", "nes", "=1+1", "five orphans", "about 95", "3rd"]),
    st.integers(-(2**70), 2**70).filter(lambda n: abs(n) < 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.booleans(),
)
HEADERS = st.lists(
    st.one_of(st.sampled_from([*COLUMNS, "Returned", "Source", "womens"]), TEXT),
    min_size=1,
    max_size=8,
)


def _as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if cell is None else cell for cell in row] for row in rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _as_xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(
    header=st.one_of(HEADERS, st.just([*HEADER[:5]])),
    rows=st.lists(st.lists(CELLS, max_size=8), max_size=5),
    as_xlsx=st.booleans(),
)
def test_any_cells_are_recorded_or_refused_naming_row_and_column(
    header: list[Any], rows: list[list[Any]], as_xlsx: bool
) -> None:
    """Whatever a sheet's cells hold, import records them or names each problem's row and column."""
    data = _as_xlsx([header, *rows]) if as_xlsx else _as_csv([header, *rows])
    ledger = a_ledger()
    try:
        ledger.import_file(io.BytesIO(data), format="xlsx" if as_xlsx else "csv")
    except ValidationError as error:
        _assert_clear(error)
        assert 1 == ledger.head


# -- the library's import ---------------------------------------------------------------------
def test_import_file_reads_a_sheet_from_a_stream_and_detects_its_format() -> None:
    """A stream with no name is read as what its bytes are: here CSV."""
    ledger = Ledger.in_memory()
    result = ledger.import_file(io.BytesIO(CSV))
    assert ImportResult(1, 0, 1) == result
    (event,) = [envelope.event for envelope in ledger.store.read()]
    assert isinstance(event, OperationReported)
    assert "KGZ" == event.country


def test_import_file_reads_an_xlsx_stream_by_its_bytes() -> None:
    """A ZIP archive on a stream is read as a workbook."""
    assert 5 == Ledger.in_memory().import_file(io.BytesIO(GOOD_XLSX)).recorded


def test_import_file_of_json_lines_is_what_import_jsonl_does() -> None:
    """import_jsonl is import_file of JSON Lines: the same counts, twice."""
    ledger = Ledger.in_memory()
    assert ImportResult(28, 0, 28) == ledger.import_file(EXAMPLE)
    assert ImportResult(0, 28, 28) == ledger.import_jsonl(EXAMPLE)


def test_dry_run_checks_everything_and_records_nothing() -> None:
    """A dry run says what would be recorded and leaves the ledger as it was."""
    ledger = a_ledger()
    result = ledger.import_file(io.BytesIO(CSV), format="csv", dry_run=True)
    assert (1, 0, 1, True) == (result.recorded, result.already_present, result.head, True)
    assert 1 == ledger.head


def test_an_edited_row_comes_back_as_a_warning_naming_its_line() -> None:
    """Likely edits are warnings in the result, for Python callers as for the CLI."""
    ledger = Ledger.in_memory()
    ledger.import_file(io.BytesIO(CSV), format="csv")
    edited = CSV.replace(b",95\n", b",96\n")
    (warning,) = ledger.import_file(io.BytesIO(edited), format="csv").warnings
    assert (2, "id") == (warning.line, warning.field)
    assert "looks like an edit of the report at position 1" in str(warning)
    assert "differs in people.total" in warning.message


def test_an_id_the_ledger_gives_other_content_is_refused_at_its_line() -> None:
    """A file's id that the ledger holds with other content is refused before recording."""
    ledger = a_ledger()
    other = CSV.replace(b"total\n", b"total,id\n").replace(b",95\n", f",95,{ALREADY.id}\n".encode())
    error = refused(ledger, other, format="csv")
    assert ("id", 2) == (error.field, error.problems[0].line)
    assert "already stored at position 1 with other content" in error.rule


def test_progress_covers_reading_checking_and_saving() -> None:
    """The progress callback hears of every stage, saving last and complete."""
    seen: list[tuple[str, int, int | None]] = []
    sheet = CSV + b"KGZ,2023-08-31,nes,X,95\n" * 1200
    Ledger.in_memory().import_file(io.BytesIO(sheet), progress=lambda *a: seen.append(a))
    stages = [stage for stage, _, _ in seen]
    assert ["reading", "checking", "saving"] == list(dict.fromkeys(stages))
    assert ("saving", 1201, 1201) == seen[-1]


def test_a_long_value_is_shortened_in_the_message() -> None:
    """A whole file read into one cell is not printed whole: its start and its length are."""
    error = refused(a_ledger(), CSV.replace(b"nes", b"x" * 5000), format="csv")
    assert "characters)" in str(error)
    assert len(str(error)) < 1000


# -- finding the columns ----------------------------------------------------------------------
def test_aliases_analysts_use_are_read_as_their_columns() -> None:
    """Returned, Source and Link are total, publisher and url."""
    sheet = b"Country,When,Camp,Source,Returned,Link\nKGZ,2023-08-30,nes,X,5,https://a.example\n"
    ledger = Ledger.in_memory()
    ledger.import_file(io.BytesIO(sheet), format="csv")
    (event,) = [e.event for e in ledger.store.read()]
    assert isinstance(event, OperationReported)
    assert ("X", "https://a.example", 5) == (
        event.source.publisher,
        event.source.url,
        event.people.total.best if event.people.total else None,
    )


def test_an_unknown_column_gets_a_suggestion_and_the_list() -> None:
    """A misspelt header is refused with the column it likely means and every column."""
    error = refused(a_ledger(), CSV.replace(b"total", b"totl"), format="csv")
    problem = next(p for p in error.problems if p.field == "totl")
    assert "did you mean 'total'?" in problem.rule
    assert ", ".join(COLUMNS) in problem.rule


def test_a_missing_required_column_says_how_to_map_it() -> None:
    """A sheet without an origin column is told which column and the --map to give."""
    error = refused(a_ledger(), CSV.replace(b"origin", b"Lieu"), format="csv")
    problem = next(p for p in error.problems if "'origin'" in p.rule)
    assert ("header", 1) == (problem.field, problem.line)
    assert "--map 'Their header=origin'" in problem.rule


def test_every_column_has_a_meaning_and_no_alias_is_shared() -> None:
    """The one column table is whole: each column says what it holds; aliases are unique."""
    aliases = [alias for column in TABLE for alias in column.aliases]
    assert all(column.meaning for column in TABLE)
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(COLUMNS)


def test_a_misspelt_country_on_every_row_is_looked_up_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The "did you mean" of a value repeated down a sheet is computed once, not per row."""
    import difflib

    from repatevents.events import _countries

    calls: list[str] = []
    real = difflib.get_close_matches

    def counted(word: str, *args: Any, **kwargs: Any) -> list[str]:
        calls.append(word)
        return real(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    _countries._suggestions.cache_clear()
    sheet = CSV.split(b"\n")[0] + b"\n" + b"Kyrgystan,2023-08-30,nes,X,95\n" * 200
    error = refused(a_ledger(), sheet, format="csv")
    assert 200 == len(error.problems)
    assert "did you mean 'Kyrgyzstan'?" in error.rule
    assert 1 == len(calls)


def test_the_how_to_lists_every_column_and_alias() -> None:
    """The import how-to names each column, and each other header accepted for it."""
    guide = (DOCS / "howto" / "import-a-spreadsheet.md").read_text(encoding="utf-8")
    for column in TABLE:
        assert f"`{column.name}`" in guide
        for alias in column.aliases:
            assert f"`{alias.replace('_', ' ')}`" in guide


def test_an_alias_beside_its_column_is_named_as_an_alias() -> None:
    """A sheet with both publisher and Source is told that Source is read as publisher."""
    sheet = CSV.replace(b"total\n", b"total,Source\n").replace(b",95\n", b",95,AFP\n")
    error = refused(a_ledger(), sheet, format="csv")
    assert ("Source", 1) == (error.field, error.problems[0].line)
    assert "('Source' is read as 'publisher'); rename one of them with --map" in error.rule
