"""The single checks in their public form (a ledger and a query), no longer public themselves.

``repatevents.invariants`` served these until 0.1; it keeps them behind a ``DeprecationWarning``
until 0.3, and ``check_ledger`` runs them all. The project's tests use them from here.
"""

from __future__ import annotations

from ._breakdown import check_breakdowns as _check_breakdowns
from ._check import public_check
from ._exports import check_exports as _check_exports, check_tables as _check_tables
from ._figures import (
    check_as_of as _check_as_of,
    check_bounds as _check_bounds,
    check_remaining as _check_remaining,
    check_series as _check_series,
    check_totals as _check_totals,
)
from ._log import check_reports_in_force as _check_reports_in_force
from ._rebuild import check_known_at as _check_known_at, check_rebuild as _check_rebuild
from ._reconcile import check_reconciliation as _check_reconciliation

check_as_of = public_check(_check_as_of)
check_bounds = public_check(_check_bounds)
check_breakdowns = public_check(_check_breakdowns)
check_exports = public_check(_check_exports)
check_known_at = public_check(_check_known_at)
check_rebuild = public_check(_check_rebuild)
check_reconciliation = public_check(_check_reconciliation)
check_remaining = public_check(_check_remaining)
check_reports_in_force = public_check(_check_reports_in_force)
check_series = public_check(_check_series)
check_tables = public_check(_check_tables)
check_totals = public_check(_check_totals)
