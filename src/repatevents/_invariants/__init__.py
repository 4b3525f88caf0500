"""The invariant checks behind :mod:`repatevents.invariants` (implementation modules).

Import :mod:`repatevents.invariants`; this ``__init__`` gathers what that module needs, so that
it imports this package and not its private modules.
"""

from __future__ import annotations

from ._assert import (
    assert_ledger_consistent as assert_ledger_consistent,
    describe_violations as describe_violations,
)
from ._breakdown import (
    RELATIONS,
    check_breakdowns,
    report_consistent,
)
from ._check import (
    LEDGER_CHECKS,
    check_ledger,
    check_log,
    public_check,
)
from ._exports import (
    CSV_READER,
    GEOJSON_READER,
    ExportReader,
    ReadBack,
    check_export,
    check_exports,
    check_tables,
    read_csv_export,
    read_geojson_export,
)
from ._figures import (
    check_as_of,
    check_bounds,
    check_remaining,
    check_series,
    check_totals,
)
from ._log import (
    check_reports_in_force,
)
from ._rebuild import (
    check_known_at,
    check_rebuild,
)
from ._reconcile import (
    check_reconciliation,
)
from ._violations import (
    Violation,
    ViolationKind,
)

__all__ = [
    "CSV_READER",
    "GEOJSON_READER",
    "LEDGER_CHECKS",
    "RELATIONS",
    "ExportReader",
    "ReadBack",
    "Violation",
    "ViolationKind",
    "check_as_of",
    "check_bounds",
    "check_breakdowns",
    "check_export",
    "check_exports",
    "check_known_at",
    "check_ledger",
    "check_log",
    "check_rebuild",
    "check_reconciliation",
    "check_remaining",
    "check_reports_in_force",
    "check_series",
    "check_tables",
    "check_totals",
    "public_check",
    "read_csv_export",
    "read_geojson_export",
    "report_consistent",
]
