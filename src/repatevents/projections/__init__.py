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

from .._deprecated import deprecated_names
from . import _figures, _to_tables
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
from ._compact import OpRec as OpRec, uuid_of as uuid_of
from ._figures import ABOUT_TOLERANCE
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
from ._state import KnowledgeState, fold as fold, fold_stored as fold_stored
from ._timeseries import timeseries as timeseries
from ._to_tables import build_table as build_table, table_names as table_names
from ._totals import check_grouping as check_grouping, totals as totals

__all__ = [
    "ABOUT_TOLERANCE",
    "DEFAULT_POLICY",
    "POLICIES",
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

# The door's name for the families-to-people ratio, for the strategies and the invariants (not
# public: PEOPLE_PER_FAMILY, its public name in 0.1, is going away).
FAMILY_TO_PEOPLE = _figures.PEOPLE_PER_FAMILY

# Public in 0.1, private since: served here behind a DeprecationWarning until 0.3.
__getattr__ = deprecated_names(
    __name__,
    {
        "PEOPLE_PER_FAMILY": (
            lambda: _figures.PEOPLE_PER_FAMILY,
            "it is a detail of converting families to people (the concepts page gives the range)",
        ),
        "TABLE_NAMES": (lambda: _to_tables.TABLE_NAMES, "use the names Ledger.tables() returns"),
    },
)
