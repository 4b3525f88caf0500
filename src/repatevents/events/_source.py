"""Sources: who said a figure, through whom, and when it was published."""

from __future__ import annotations

import datetime as dt
import enum
from functools import cache
from typing import TypeVar

import attrs

from ..errors import FieldProblem, ValidationError
from ._dates import FuzzyDate, _fuzzy_date_of

__all__ = ["Source", "SpeakerKind"]

_E = TypeVar("_E", bound=enum.Enum)


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


# -- enum fields given as text (shared with the event classes) -----------------------------------
def _spelling(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


@cache
def _members_by_spelling(kind: type[enum.Enum]) -> dict[str, enum.Enum]:
    return {_spelling(str(member.value)): member for member in kind}


def _member_of(kind: type[_E], value: object, field: str) -> _E:
    """Return the member of ``kind`` that ``value`` is or names by its value, in any case.

    ``"Camp administration"``, ``"camp_administration"`` and ``"camp-administration"`` all name
    ``SpeakerKind.CAMP_ADMINISTRATION``.

    Raises:
        ValidationError: the value is not a member and names none; the error names ``field``
            and the allowed values.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        found = _members_by_spelling(kind).get(_spelling(value))
        if found is not None:
            return found  # type: ignore[return-value]
    allowed = ", ".join(repr(member.value) for member in kind)
    raise ValidationError(
        FieldProblem(field, value, f"one of the {kind.__name__} values {allowed}")
    )


def _to_speaker_kind(value: SpeakerKind | str) -> SpeakerKind:
    # The type check first: every stored source holds a member already.
    if type(value) is SpeakerKind:
        return value
    return _member_of(SpeakerKind, value, "speaker_kind")


def _to_published(value: FuzzyDate | dt.date | str | None) -> FuzzyDate | None:
    if value is None or type(value) is FuzzyDate:
        return value
    return _fuzzy_date_of(
        value,
        "published",
        relative="a publication date names its year, as '2021-06-01' or 'June 2021' do",
    )


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
        speaker_kind: the kind of body the speaker is (its value as text is converted, in any
            case: ``"camp-administration"``).
        url: the address of the report.
        published: when the report was published; it anchors relative dates in the text
            (a ``datetime.date`` or ISO / EDTF text is converted: ``"2021-06-01"``).
    """

    publisher: str = attrs.field(validator=_non_empty)
    via: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    speaker: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    speaker_kind: SpeakerKind = attrs.field(default=SpeakerKind.UNKNOWN, converter=_to_speaker_kind)
    url: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(str))
    )
    published: FuzzyDate | None = attrs.field(default=None, converter=_to_published)

    @property
    def origin_outlet(self) -> str:
        """The outlet the claim started from: the last of ``via``, else the publisher."""
        return self.via[-1] if self.via else self.publisher
