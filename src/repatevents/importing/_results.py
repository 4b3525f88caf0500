"""What an import did, and what it recorded that may not be what was meant.

They live here, below the ledger, because the import builds them; ``repatevents`` re-exports
them (``repatevents.ImportResult``, ``repatevents.ImportWarning``).
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["ImportResult", "ImportWarning"]


@attrs.frozen
class ImportWarning:
    """Something an import recorded (or would record) that may not be what was meant.

    Attributes:
        line: the line (row) of the file it concerns; the header of a sheet is row 1.
        field: the field (column) it concerns.
        value: the value in question: an event id, a column's header.
        message: what is the matter and what to do, as a sentence.
    """

    line: int | None
    field: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message}"


@attrs.frozen
class ImportResult:
    """What an import did.

    Attributes:
        recorded: events newly recorded; in a dry run, the events that would be.
        already_present: events the ledger already held (importing a file twice records
            nothing the second time).
        head: the log position after the import.
        warnings: what was recorded but may not be what was meant: a reference to an event
            neither the file nor the ledger holds, a new report that looks like an edit of a
            recorded one, a sheet's column left out.
        dry_run: whether nothing was recorded on purpose.
    """

    recorded: int
    already_present: int
    head: int
    warnings: tuple[ImportWarning, ...] = ()
    dry_run: bool = False

    @property
    def read(self) -> int:
        """The events the file holds."""
        return self.recorded + self.already_present
