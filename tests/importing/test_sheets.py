"""Reading sheets of operations: what users write is read, and bad input is named, never lost."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from repatevents.errors import FieldProblem, ValidationError
from repatevents.events import (
    DateRole,
    Event,
    OperationReported,
    OrdinalScope,
    ReportCorrected,
    SpeakerKind,
)
from repatevents.importing._sheets import Sheet, parse_column_map, read_sheet

HEADER = "country,date,origin,publisher,total"
GOOD = "KGZ,2023-08-30,nes,X,95"


def write_csv(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / "sheet.csv"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    path = tmp_path / "sheet.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def read_file(path: Path, **options: Any) -> Sheet:
    return read_sheet(path.read_bytes(), "xlsx" if path.suffix == ".xlsx" else "csv", **options)


def read_operations_sheet(path: Path, **options: Any) -> list[Event]:
    return list(read_file(path, **options).events)


def problems(path: Path, **options: Any) -> list[FieldProblem]:
    with pytest.raises(ValidationError) as caught:
        read_operations_sheet(path, **options)
    return list(caught.value.problems)


def messages(path: Path, **options: Any) -> list[str]:
    return [str(problem) for problem in problems(path, **options)]


def operations(path: Path, **options: Any) -> list[OperationReported]:
    events: list[Event] = read_operations_sheet(path, **options)
    assert all(isinstance(event, OperationReported) for event in events)
    return [event for event in events if isinstance(event, OperationReported)]


# -- 1. an empty date -------------------------------------------------------------------------
def test_empty_date_cell_is_an_error_of_the_date_column(tmp_path: Path) -> None:
    """An empty date cell is reported under ``date`` with its row, not as a crash."""
    sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,,nes,X,95\n")
    ((field, line),) = [(p.field, p.line) for p in problems(sheet)]
    assert ("date", 2) == (field, line)


def test_date_of_only_spaces_in_xlsx_is_an_error_of_the_date_column(tmp_path: Path) -> None:
    """A date cell holding only spaces is empty, and reported as such."""
    sheet = write_xlsx(tmp_path, [HEADER.split(","), ["KGZ", "   ", "nes", "X", 95]])
    assert [("date", 2)] == [(p.field, p.line) for p in problems(sheet)]


def test_empty_date_and_another_problem_are_both_listed(tmp_path: Path) -> None:
    """A row with an empty date and a negative count lists both problems."""
    sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,,nes,X,-5\n")
    assert [("date", 2), ("total", 2)] == [(p.field, p.line) for p in problems(sheet)]


# -- 2. nothing is lost silently --------------------------------------------------------------
def test_unterminated_quote_is_refused_naming_its_row(tmp_path: Path) -> None:
    """A quote that is never closed would swallow the following rows; it is an error at its row."""
    sheet = write_csv(
        tmp_path,
        f'{HEADER},notes\n{GOOD},"oops\nKGZ,2023-08-31,nes,X,95,fine\nKGZ,2023-09-01,nes,X,9,\n',
    )
    (problem,) = problems(sheet)
    assert 2 == problem.line
    assert "quote" in problem.rule


def test_cells_beyond_the_header_are_refused_naming_the_row(tmp_path: Path) -> None:
    """A row with more cells than the header does not lose the extra cells silently."""
    sheet = write_csv(tmp_path, f"{HEADER}\n{GOOD}\n{GOOD},44\n")
    (problem,) = problems(sheet)
    assert (3, "44") == (problem.line, problem.value)
    assert "column 6" in problem.field


def test_data_under_an_empty_header_is_refused(tmp_path: Path) -> None:
    """A column with no header but with data is an error naming the column and its rows."""
    sheet = write_csv(tmp_path, f"{HEADER},\n{GOOD},\n{GOOD},44\n{GOOD},45\n")
    (problem,) = problems(sheet)
    assert (3, "44") == (problem.line, problem.value)
    assert "column 6 (F)" == problem.field
    assert "rows 3 and 4" in problem.rule


def test_empty_column_with_empty_header_is_allowed(tmp_path: Path) -> None:
    """A column with neither a header nor data is nothing, and is ignored."""
    sheet = write_xlsx(
        tmp_path, [[*HEADER.split(","), None], ["KGZ", "2023-08-30", "nes", "X", 95]]
    )
    assert 1 == len(operations(sheet))


def test_formula_without_saved_value_is_refused_naming_the_cell(tmp_path: Path) -> None:
    """A formula a script wrote has no result to read; it is not taken as "not reported"."""
    sheet = write_xlsx(
        tmp_path,
        [[*HEADER.split(","), "women"], ["KGZ", "2023-08-30", "nes", "X", "=F2*2", 5]],
    )
    (problem,) = problems(sheet)
    assert ("total", "=F2*2", 2) == (problem.field, problem.value, problem.line)
    assert "E2" in problem.rule
    assert "open and save the file in Excel or LibreOffice, or write the value" in problem.rule


def test_formula_whose_saved_value_is_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    """A formula saved with an empty text result (``=IF(…,"",…)``) is an empty cell."""
    sheet = write_xlsx(
        tmp_path,
        [[*HEADER.split(","), "women"], ["KGZ", "2023-08-30", "nes", "X", 95, '=IF(1,"",1)']],
    )
    # What Excel writes for a formula whose result is the empty text.
    with zipfile.ZipFile(sheet) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = xml.replace('<c r="F2">', '<c r="F2" t="str">').encode()
    with zipfile.ZipFile(sheet, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    (operation,) = operations(sheet)
    assert operation.people.women is None


# -- 3. messages that name the row, the column, the value and the rule ------------------------
def test_row_without_counts_names_the_count_columns(tmp_path: Path) -> None:
    """A row with every count empty says it needs a count and lists the sheet's count columns."""
    sheet = write_csv(tmp_path, f"{HEADER},women\nKGZ,2023-08-30,nes,X,,\n")
    (problem,) = problems(sheet)
    assert 2 == problem.line
    assert "people" not in str(problem)
    assert "at least one count" in problem.rule
    assert "total, women" in problem.rule


def test_sheet_without_count_column_is_refused_at_the_header(tmp_path: Path) -> None:
    """A sheet with no count column at all is refused once, at its header."""
    sheet = write_csv(tmp_path, "country,date,origin,publisher\nKGZ,2023-08-30,nes,X\n")
    (problem,) = problems(sheet)
    assert 1 == problem.line
    assert "total" in problem.rule


def test_huge_count_is_named_with_its_row_column_and_value(tmp_path: Path) -> None:
    """A count too large to store is an error of its cell, not of "the record"."""
    sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,2023-08-30,nes,X,99999999999999999999999\n")
    (problem,) = problems(sheet)
    assert ("total", "99999999999999999999999", 2) == (problem.field, problem.value, problem.line)
    assert "too large" in problem.rule


@pytest.mark.parametrize(
    ("cell", "rule"),
    [("-2", "from 1"), ("3.5", "third"), ("0", "from 1"), ("twenty", "ninety-ninth")],
)
def test_bad_ordinal_says_what_an_ordinal_is(tmp_path: Path, cell: str, rule: str) -> None:
    """A bad ordinal is explained as an ordinal, not as a type mismatch."""
    sheet = write_csv(tmp_path, f"{HEADER},ordinal\n{GOOD},{cell}\n")
    (problem,) = problems(sheet)
    assert ("ordinal", cell, 2) == (problem.field, problem.value, problem.line)
    assert "got str" not in problem.rule
    assert rule in problem.rule


@pytest.mark.parametrize("date", ["2023-08-30", "Wednesday"])
def test_bad_published_is_reported_once_under_published(tmp_path: Path, date: str) -> None:
    """An impossible publication date is one problem, of ``published``, not also of ``date``."""
    sheet = write_csv(tmp_path, f"{HEADER},published\nKGZ,{date},nes,X,95,2023-13-45\n")
    assert [("published", "2023-13-45")] == [(p.field, p.value) for p in problems(sheet)]


def test_impossible_date_is_still_reported_when_published_is_bad(tmp_path: Path) -> None:
    """A date that no publication date could make sense of is reported as well."""
    sheet = write_csv(tmp_path, f"{HEADER},published\nKGZ,2023-02-30,nes,X,95,2023-13-45\n")
    assert ["date", "published"] == sorted(p.field for p in problems(sheet))


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_sheets_are_read(tmp_path: Path, separator: str) -> None:
    """European Excel writes ``;``; tab-separated text is common too. Both are read."""
    rows = [HEADER.split(","), ["KGZ", "2023-08-30", "nes", "The New Arab, AFP", "95"]]
    sheet = write_csv(tmp_path, "".join(separator.join(row) + "\n" for row in rows))
    (operation,) = operations(sheet)
    assert ("KGZ", "The New Arab, AFP", 95) == (
        operation.country,
        operation.source.publisher,
        operation.people.total.best if operation.people.total else None,
    )


def test_non_utf8_file_names_the_row_and_says_to_save_as_utf8(tmp_path: Path) -> None:
    """A cp1252 file is refused at the row and column of each bad byte, without guessing."""
    text = f"{HEADER},notes\n{GOOD},plain\n{GOOD},\u201cquoted\u201d\n"
    sheet = write_csv(tmp_path, text, encoding="cp1252")
    (problem,) = problems(sheet)
    assert ("notes", 3) == (problem.field, problem.line)
    assert "0x93" in problem.rule
    assert "UTF-8" in problem.rule
    assert "codec" not in problem.rule


# -- 4. what users write ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("Handover", "Camp administration"),
        ("HANDOVER", "camp_administration"),
        (" handover ", "Camp-Administration"),
    ],
)
def test_enum_cells_are_read_as_people_write_them(tmp_path: Path, role: str, kind: str) -> None:
    """``date_role`` and ``speaker_kind`` ignore case, and take spaces or ``_`` for ``-``."""
    sheet = write_csv(tmp_path, f"{HEADER},date_role,speaker_kind\n{GOOD},{role},{kind}\n")
    (operation,) = operations(sheet)
    assert (DateRole.HANDOVER, SpeakerKind.CAMP_ADMINISTRATION) == (
        operation.date_role,
        operation.source.speaker_kind,
    )


def test_unknown_enum_value_lists_the_allowed_ones(tmp_path: Path) -> None:
    """An unknown ``date_role`` says which values are allowed."""
    sheet = write_csv(tmp_path, f"{HEADER},date_role\n{GOOD},landing\n")
    (problem,) = problems(sheet)
    assert ("date_role", "landing") == (problem.field, problem.value)
    assert "handover, departure, arrival, operation, announced, unknown" in problem.rule


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        *(("3", 3), ("3.0", 3), ("third", 3), ("Third", 3), ("3rd", 3), ("1st", 1)),
        *(("twentieth", 20), ("twenty-first", 21), ("Twenty first", 21), ("21st", 21)),
        *(("thirty-second", 32), ("fortieth", 40), ("ninety-ninth", 99)),
    ],
)
def test_ordinal_as_a_number_or_a_word(tmp_path: Path, cell: str, expected: int) -> None:
    """The ordinal is read as the source writes it: "third", "3rd" or 3."""
    sheet = write_csv(tmp_path, f"{HEADER},ordinal\n{GOOD},{cell}\n")
    (operation,) = operations(sheet)
    assert expected == operation.ordinal


@pytest.mark.parametrize(("cell", "expected"), [("95.0", 95), ('"1,234.00"', 1234)])
def test_integral_decimal_count_is_a_whole_number(tmp_path: Path, cell: str, expected: int) -> None:
    """A CSV count written as ``95.0`` is 95, as the float 95.0 of an .xlsx already is."""
    sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,2023-08-30,nes,X,{cell}\n")
    (operation,) = operations(sheet)
    assert (expected, None) == (
        operation.people.total.best if operation.people.total else None,
        operation.people.total.raw if operation.people.total else None,
    )


@pytest.mark.parametrize(
    ("cell", "figures", "columns"),
    [
        ("four women and 13 children", "four women, 13 children", "women, children"),
        ('"about 150 families, 600 people"', "150 families, 600 people", "families, total"),
    ],
)
def test_a_count_with_several_figures_asks_for_a_column_each(
    tmp_path: Path, cell: str, figures: str, columns: str
) -> None:
    """A cell holding several figures says so and names a column for each."""
    sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,2023-08-30,nes,X,{cell}\n")
    (problem,) = problems(sheet)
    assert ("total", cell.strip('"'), 2) == (problem.field, problem.value, problem.line)
    assert (
        f"the cell holds more than one number ({figures}); an estimate is one figure: give each "
        f"figure its own column ({columns})"
    ) == problem.rule


def test_fractional_count_is_refused(tmp_path: Path) -> None:
    """A count of 95.5 people is refused, in a CSV as in an .xlsx."""
    csv_sheet = write_csv(tmp_path, f"{HEADER}\nKGZ,2023-08-30,nes,X,95.5\n")
    xlsx_sheet = write_xlsx(tmp_path, [HEADER.split(","), ["KGZ", "2023-08-30", "nes", "X", 95.5]])
    for sheet in (csv_sheet, xlsx_sheet):
        (problem,) = problems(sheet)
        assert ("total", 2) == (problem.field, problem.line)
        assert "whole number" in problem.rule


@pytest.mark.parametrize(
    "stamp", ["2023-08-30T14:05:00Z", "2023-08-30 14:05", "2023-08-30T14:05+03:00"]
)
def test_timestamps_are_taken_as_their_day(tmp_path: Path, stamp: str) -> None:
    """A timestamp in ``date`` or ``published`` is the day it names."""
    sheet = write_csv(tmp_path, f"{HEADER},published\nKGZ,{stamp},nes,X,95,{stamp}\n")
    (operation,) = operations(sheet)
    published = operation.source.published
    assert ("2023-08-30", "2023-08-30") == (
        operation.date.to_text(),
        published.to_text() if published else None,
    )


def test_relative_date_resolves_against_a_published_timestamp(tmp_path: Path) -> None:
    """Report words in ``date`` resolve against the day of a ``published`` timestamp."""
    sheet = write_csv(tmp_path, f"{HEADER},published\nKGZ,Wednesday,nes,X,95,2023-08-30 14:05\n")
    (operation,) = operations(sheet)
    assert ("2023-08-30", "Wednesday") == (operation.date.to_text(), operation.date.raw)


# -- 5. --map and unknown columns -------------------------------------------------------------
def test_map_keys_are_matched_as_headers_are(tmp_path: Path) -> None:
    """``Published_on=published`` maps a column headed "Published on"."""
    sheet = write_csv(tmp_path, f"{HEADER},Published on\n{GOOD},2023-08-30\n")
    (operation,) = operations(sheet, column_map=parse_column_map("Published_on=published"))
    assert operation.source.published is not None


def test_repeated_map_key_is_an_error() -> None:
    """One sheet column mapped twice is a mistake, not a choice of the last."""
    with pytest.raises(ValidationError) as caught:
        parse_column_map("When=date,when=published")
    assert "when" in str(caught.value).lower()
    assert "twice" in caught.value.rule


def test_map_for_a_column_the_sheet_lacks_is_an_error(tmp_path: Path) -> None:
    """A mapping that matches no column is named: it is most likely a typo."""
    sheet = write_csv(tmp_path, f"{HEADER},Published on\n{GOOD},2023-08-30\n")
    found = problems(sheet, column_map=parse_column_map("Publshed on=published"))
    assert ["--map", "Published on"] == sorted(p.field for p in found)
    (typo,) = [p for p in found if p.field == "--map"]
    assert 1 == typo.line
    assert "the sheet has no column 'Publshed on'" in typo.rule
    assert "Published on" in typo.rule


def test_unknown_column_is_an_error_by_default(tmp_path: Path) -> None:
    """A misspelt ``womens`` column is refused, with a suggestion, rather than lost."""
    sheet = write_csv(tmp_path, f"{HEADER},womens\n{GOOD},31\n")
    (problem,) = problems(sheet)
    assert ("womens", 1) == (problem.field, problem.line)
    assert "'women'" in problem.rule


def test_unknown_columns_can_be_ignored(tmp_path: Path) -> None:
    """With ``ignore_unknown_columns`` an analyst's own columns are left out of the events."""
    sheet = write_csv(tmp_path, f"{HEADER},checked by\n{GOOD},Amira\n")
    (operation,) = operations(sheet, ignore_unknown_columns=True)
    assert "KGZ" == operation.country


def test_ignored_columns_are_listed_with_a_suggestion(tmp_path: Path) -> None:
    """``read_sheet`` says which columns it left out, with the column each may have meant."""
    sheet = write_csv(tmp_path, f"{HEADER},womens,checked by\n{GOOD},31,Amira\n")
    read = read_file(sheet, ignore_unknown_columns=True)
    assert [("womens", "women"), ("checked by", None)] == [
        (column.header, column.suggestion) for column in read.ignored
    ]


# -- 6. corrections: a row that replaces a recorded report ------------------------------------
OLD_ID = "9fb087d0-937b-5ce0-8427-2df27f4174eb"


def test_a_row_with_supersedes_is_a_correction_carrying_the_rows_operation(
    tmp_path: Path,
) -> None:
    """A ``supersedes`` cell makes the row a correction whose replacement is its operation."""
    sheet = write_csv(tmp_path, f"{HEADER},supersedes\n{GOOD},{OLD_ID}\nKGZ,2023-08-31,nes,X,9,\n")
    read = read_file(sheet)
    corrected, plain = read.events
    assert isinstance(corrected, ReportCorrected)
    assert isinstance(plain, OperationReported)
    assert (uuid.UUID(OLD_ID), "corrected in the sheet") == (
        corrected.supersedes,
        corrected.reason,
    )
    assert corrected.source == corrected.replacement.source
    (alone,) = operations(write_csv(tmp_path, f"{HEADER}\n{GOOD}\n"))
    assert alone == corrected.replacement
    assert (2, 3) == read.lines


def test_a_reason_column_gives_the_corrections_reason(tmp_path: Path) -> None:
    """``reason`` says why the row replaces the report."""
    sheet = write_csv(
        tmp_path, f"{HEADER},supersedes,reason\n{GOOD},{OLD_ID},the ministry's final figure\n"
    )
    (corrected,) = read_operations_sheet(sheet)
    assert isinstance(corrected, ReportCorrected)
    assert "the ministry's final figure" == corrected.reason


def test_a_supersedes_cell_that_is_not_an_id_is_named(tmp_path: Path) -> None:
    """A cut or mistyped id in ``supersedes`` is an error of that cell, with the row's others."""
    sheet = write_csv(tmp_path, f"{HEADER},supersedes\nKGZ,2023-08-30,nes,X,-5,9fb087d0-…\n")
    found = problems(sheet)
    assert [("supersedes", "9fb087d0-…", 2), ("total", -5, 2)] == sorted(
        (p.field, p.value, p.line) for p in found
    )
    assert "UUID" in next(p.rule for p in found if p.field == "supersedes")


def test_a_reason_without_supersedes_is_refused(tmp_path: Path) -> None:
    """A reason on a row that replaces nothing would be lost; it is an error of the row."""
    sheet = write_csv(tmp_path, f"{HEADER},supersedes,reason\n{GOOD},,a better figure\n")
    (problem,) = problems(sheet)
    assert ("reason", "a better figure", 2) == (problem.field, problem.value, problem.line)
    assert "supersedes" in problem.rule


def test_an_ordinal_scope_column_is_read_in_any_case(tmp_path: Path) -> None:
    """ "third" with "Year" gives ordinal 3 counted within the year; "This year" is refused."""
    sheet = write_csv(tmp_path, f"{HEADER},ordinal,ordinal_scope\n{GOOD},third,This year\n")
    (problem,) = problems(sheet)
    assert ("ordinal_scope", "This year") == (problem.field, problem.value)
    good = write_csv(tmp_path, f"{HEADER},ordinal,ordinal_scope\n{GOOD},third,Year\n")
    (report,) = operations(good)
    assert (3, OrdinalScope.YEAR) == (report.ordinal, report.ordinal_scope)


def test_an_ordinal_scope_without_an_ordinal_is_a_row_problem(tmp_path: Path) -> None:
    """A scope with an empty ordinal cell is refused naming the column, not recorded."""
    sheet = write_csv(tmp_path, f"{HEADER},ordinal,ordinal_scope\n{GOOD},,all\n")
    (problem,) = problems(sheet)
    assert "ordinal_scope" == problem.field
    assert "needs the ordinal" in problem.rule
