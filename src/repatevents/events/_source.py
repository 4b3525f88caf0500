"""Sources: who said a figure, through whom, and when it was published."""

from __future__ import annotations

import enum

import attrs

from ..errors import FieldProblem, ValidationError
from ._dates import FuzzyDate

__all__ = ["Source", "SpeakerKind"]


class SpeakerKind(enum.Enum):
    """The kind of body a figure comes from; policies prefer one kind over another."""

    RECEIVING_GOVERNMENT = "receiving-government"
    CAMP_ADMINISTRATION = "camp-administration"
    FACILITATING_GOVERNMENT = "facilitating-government"
    OTHER_GOVERNMENT = "other-government"
    UN = "un"
    NGO = "ngo"
    MEDIA = "media"
    ANALYST = "analyst"
    UNKNOWN = "unknown"


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(FieldProblem(attribute.name, value, "must be non-empty text"))


def _tuple_of_str(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of names, got {value!r}")
    return tuple(value)


@attrs.frozen
class Source:
    """Where a figure came from.

    Attributes:
        publisher: the outlet whose report was read (``"The New Arab"``).
        via: outlets or agencies the report came through, nearest first (``("AFP",)``); a wire
            report republished ten times is one claim, and ``via`` is how that is seen.
        speaker: who said the figure (``"Ministry of Foreign Affairs"``), when named.
        speaker_kind: the kind of body the speaker is.
        url: the address of the report.
        published: when the report was published; it anchors relative dates in the text.
    """

    publisher: str = attrs.field(validator=_non_empty)
    via: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    speaker: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    speaker_kind: SpeakerKind = attrs.field(
        default=SpeakerKind.UNKNOWN, validator=attrs.validators.instance_of(SpeakerKind)
    )
    url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    published: FuzzyDate | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(FuzzyDate))
    )

    @property
    def origin_outlet(self) -> str:
        """The outlet the claim started from: the last of ``via``, else the publisher."""
        return self.via[-1] if self.via else self.publisher
