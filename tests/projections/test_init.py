"""The public names of repatevents.projections and the documented policies."""

from __future__ import annotations

import pytest

from repatevents import ValidationError, projections
from repatevents.projections import DEFAULT_POLICY, POLICIES, Policy, resolve_policy

PUBLIC_NAMES = [
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


def test_the_public_names_are_pinned() -> None:
    """repatevents.projections.__all__ is exactly this list, and every name exists."""
    assert PUBLIC_NAMES == projections.__all__
    assert [] == [name for name in PUBLIC_NAMES if not hasattr(projections, name)]


def test_the_policies_are_named_and_documented() -> None:
    """Six policies, each with a description; the default is the recommended one."""
    assert [
        "adjudicated-only",
        "conservative",
        "latest",
        "prefer-camp-administration",
        "prefer-receiving-government",
        "recommended",
    ] == sorted(POLICIES)
    assert all(len(p.description) > 40 for p in POLICIES.values())
    assert "recommended" == DEFAULT_POLICY


def test_a_policy_resolves_by_name_or_as_itself() -> None:
    """A name gives the policy; a Policy is returned unchanged."""
    latest = POLICIES["latest"]
    assert latest is resolve_policy("latest")
    assert latest is resolve_policy(latest)
    assert isinstance(latest, Policy)


def test_an_unknown_policy_names_the_known_ones() -> None:
    """An unknown name is a validation error listing the policies."""
    with pytest.raises(ValidationError, match="conservative") as caught:
        resolve_policy("generous")
    assert ("policy", "generous") == (caught.value.field, caught.value.value)
