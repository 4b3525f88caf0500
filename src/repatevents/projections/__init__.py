"""Projections: pure folds over the log that turn reports into numbers people can defend.

The third stage of the data flow (events → store → projections → exporters). Every projection
is a function of the knowledge state at a log position (``known_at``), a date (``as_of``) and
a :class:`Policy`; the :class:`~repatevents.Ledger` façade answers them. Projections never write
to the store.

Beside the public names (``__all__``), this module is also the one door through which the
Ledger façade and the invariants reach the engine (the folds, checkpoints and table builders,
imported ``as`` themselves): other packages never import a private module of this one, so its
modules can move without them knowing.
"""

from ._checkpoint import (
    CHECKPOINT_NAME as CHECKPOINT_NAME,
    SUMMARY_NAME as SUMMARY_NAME,
    differences as differences,
    dumps_state as dumps_state,
    dumps_summary as dumps_summary,
    loads_state as loads_state,
    loads_summary as loads_summary,
)
from ._clock import (
    as_of_ordinal as as_of_ordinal,
    known_moment as known_moment,
    position_at as position_at,
)
from ._figures import ABOUT_TOLERANCE, PEOPLE_PER_FAMILY
from ._operation_rows import operation_rows as operation_rows
from ._operations import operations as operations
from ._policy import DEFAULT_POLICY, POLICIES, Policy, PolicyRule, resolve_policy
from ._quality import quality as quality
from ._reconcile import comparisons as comparisons, reconcile as reconcile
from ._remaining import remaining as remaining
from ._results import (
    CountryTotal,
    FindingKind,
    Operation,
    QualityFinding,
    Reconciliation,
    ReconciliationStatus,
    RemainingEstimate,
    ReportRef,
    SourceSummary,
    TimeseriesPoint,
)
from ._sources import sources as sources
from ._state import KnowledgeState, fold as fold
from ._timeseries import timeseries as timeseries
from ._to_tables import TABLE_NAMES, build_table as build_table, table_names as table_names
from ._totals import check_grouping as check_grouping, totals as totals

__all__ = [
    "ABOUT_TOLERANCE",
    "DEFAULT_POLICY",
    "PEOPLE_PER_FAMILY",
    "POLICIES",
    "TABLE_NAMES",
    "CountryTotal",
    "FindingKind",
    "KnowledgeState",
    "Operation",
    "Policy",
    "PolicyRule",
    "QualityFinding",
    "Reconciliation",
    "ReconciliationStatus",
    "RemainingEstimate",
    "ReportRef",
    "SourceSummary",
    "TimeseriesPoint",
    "resolve_policy",
]
