"""Projections: pure folds over the log that turn reports into numbers people can defend.

The third stage of the data flow (events → store → projections → exporters). Every projection
is a function of the knowledge state at a log position (``known_at``), a date (``as_of``) and
a :class:`Policy`; the :class:`~repatevents.Ledger` façade answers them. Projections never write
to the store.
"""

from ._figures import ABOUT_TOLERANCE, PEOPLE_PER_FAMILY
from ._policy import DEFAULT_POLICY, POLICIES, Policy, PolicyRule, resolve_policy
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
from ._state import KnowledgeState
from ._to_tables import TABLE_NAMES

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
