"""Policies: the named, documented choice of a figure when the reports of one operation disagree.

Every projection takes a policy. An operation's ``low`` and ``high`` span every report of it,
so the disagreement stays visible; the policy chooses ``best``, the figure to use when one
number is wanted. An analyst's ``figure-adjudicated`` event is the recommended figure: where one
is recorded, the default policy and ``adjudicated-only`` take it as the operation's figures.
Elsewhere the default follows ACLED's lesson: the most conservative figure.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..errors import FieldProblem, ValidationError

__all__ = ["DEFAULT_POLICY", "POLICIES", "Policy", "PolicyRule", "resolve_policy"]


class PolicyRule(enum.Enum):
    """How a policy chooses the best figure of a category among an operation's reports."""

    LOWEST = "lowest"
    LATEST = "latest"
    PREFER_SPEAKER = "prefer-speaker"
    ADJUDICATED = "adjudicated"
    ADJUDICATED_OR_LOWEST = "adjudicated-or-lowest"

    @property
    def reads_adjudications(self) -> bool:
        """Whether an adjudicated figure replaces the reports' figures under this rule."""
        return self is PolicyRule.ADJUDICATED or self is PolicyRule.ADJUDICATED_OR_LOWEST


@attrs.frozen
class Policy:
    """A named rule for choosing an operation's best figure when its reports disagree.

    Attributes:
        name: the name users pass (``"conservative"``).
        description: what the policy does, in one or two sentences.
        rule: how the best figure is chosen.
        speaker_kind: for ``PREFER_SPEAKER``, the ``SpeakerKind`` value preferred
            (``"receiving-government"``); ``None`` otherwise.
    """

    name: str
    description: str
    rule: PolicyRule
    speaker_kind: str | None = None

    def __str__(self) -> str:
        return self.name


_POLICIES = (
    Policy(
        "recommended",
        "The analyst's adjudicated figure where one is recorded (the latest adjudication of any "
        "of the operation's reports), and elsewhere the conservative figure: the lowest total "
        "any report gives, with that report's split. The default.",
        PolicyRule.ADJUDICATED_OR_LOWEST,
    ),
    Policy(
        "conservative",
        "The lowest total any report of the operation gives (ACLED's most conservative "
        "estimate), with that report's split where it gives one, so the parts agree with the "
        "whole; low and high still span every report. Adjudications are not read.",
        PolicyRule.LOWEST,
    ),
    Policy(
        "latest",
        "The figures of the most recently published report of the operation (ties: the one "
        "recorded last); a category it does not give, from the latest report that does.",
        PolicyRule.LATEST,
    ),
    Policy(
        "prefer-receiving-government",
        "The lowest total among reports whose speaker is the receiving government, with that "
        "report's split; where no such report gives a figure, the lowest of any report.",
        PolicyRule.PREFER_SPEAKER,
        "receiving-government",
    ),
    Policy(
        "prefer-camp-administration",
        "The lowest total among reports whose speaker is the camp administration (counted at "
        "the handover), with that report's split; where no such report gives a figure, the "
        "lowest of any report.",
        PolicyRule.PREFER_SPEAKER,
        "camp-administration",
    ),
    Policy(
        "adjudicated-only",
        "Only operations an analyst adjudicated, with the adjudicated figure (the latest "
        "adjudication of any of its reports); operations nobody adjudicated are left out.",
        PolicyRule.ADJUDICATED,
    ),
)

#: Every policy by name.
POLICIES: Mapping[str, Policy] = MappingProxyType({p.name: p for p in _POLICIES})

#: The name of the policy used when none is given.
DEFAULT_POLICY = "recommended"


def resolve_policy(policy: str | Policy) -> Policy:
    """Return the policy named ``policy`` (a :class:`Policy` is returned as it is).

    Raises:
        ValidationError: no policy has that name; the message lists the known ones.
    """
    if isinstance(policy, Policy):
        return policy
    found = POLICIES.get(policy) if isinstance(policy, str) else None
    if found is None:
        raise ValidationError(
            FieldProblem("policy", policy, f"one of the policies: {', '.join(sorted(POLICIES))}")
        )
    return found
