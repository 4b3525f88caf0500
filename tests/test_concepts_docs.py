"""docs/concepts.md: the table of why figures disagree names columns and findings that exist."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from repatevents import Ledger
from repatevents.projections import FindingKind, ReconciliationStatus

CONCEPTS = (Path(__file__).parents[1] / "docs" / "concepts.md").read_text(encoding="utf-8")


def _reason_rows() -> list[str]:
    section = CONCEPTS.split("## Why totals disagree", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]


def test_the_table_lists_twelve_reasons() -> None:
    """Every one of the twelve reasons figures disagree has a row, numbered 1 to 12."""
    numbers = [int(row.split("|")[1]) for row in _reason_rows()]
    assert list(range(1, 13)) == numbers


def test_every_name_in_the_table_is_a_column_a_finding_or_a_status() -> None:
    """A reader who looks for a named column, finding or status in the exports finds it."""
    columns = {
        column.name for table in Ledger.in_memory().tables().values() for column in table.columns
    }
    names = columns | {kind.value for kind in FindingKind}
    names |= {status.value for status in ReconciliationStatus}
    names |= {"known_at"}  # the clock, an argument of every projection rather than a column
    cited = [
        name for row in _reason_rows() for name in re.findall(r"`([a-z_*-]+)`", row.split("|")[3])
    ]
    assert cited
    missing = [name for name in cited if not fnmatch.filter(names, name)]
    assert [] == missing
