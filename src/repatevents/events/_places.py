"""Places people are taken from: camps, prisons, and the vaguer places reports name.

The table is small and curated: a report that says "from Syria" must be recorded as the
unspecified place it names, not guessed into al-Hol. Coordinates are public, approximate locations
of camps (two decimals), given only where a camp is a known fixed site.
"""

from __future__ import annotations

import difflib
import enum
import re
from functools import lru_cache

import attrs

from ..errors import UnknownPlaceError

__all__ = ["Origin", "Place", "PlaceKind", "all_places", "lookup_place"]


class PlaceKind(enum.Enum):
    """What kind of place a place is."""

    CAMP = "camp"
    PRISON = "prison"
    CENTRE = "centre"
    REGION = "region"
    UNSPECIFIED = "unspecified"


class Origin(enum.Enum):
    """The origin scope of a figure: where the people were taken from.

    A "from Syria" total excludes operations from Iraq; a place recorded as "Syria or Iraq"
    matches neither until someone knows better.
    """

    SYRIA = "syria"
    IRAQ = "iraq"
    SYRIA_OR_IRAQ = "syria-or-iraq"
    OTHER = "other"

    def covers(self, other: Origin) -> bool:
        """Whether a figure of this scope counts operations whose origin is ``other`` for sure."""
        if self is Origin.SYRIA_OR_IRAQ:
            return other in (Origin.SYRIA, Origin.IRAQ, Origin.SYRIA_OR_IRAQ)
        return self is other

    def may_cover(self, other: Origin) -> bool:
        """Whether a figure of this scope may count operations whose origin is ``other``."""
        if other is Origin.SYRIA_OR_IRAQ:
            return self in (Origin.SYRIA, Origin.IRAQ, Origin.SYRIA_OR_IRAQ)
        return self.covers(other)


@attrs.frozen
class Place:
    """A place people are held in or taken from.

    Attributes:
        id: the stable identifier events use, such as ``"al-hol"``.
        name: the name to show.
        kind: camp, prison, centre, region or unspecified.
        origin: the origin scope the place belongs to (Syria, Iraq, either).
        aliases: other spellings reports use.
        lon, lat: an approximate public location, or ``None``.
    """

    id: str
    name: str
    kind: PlaceKind
    origin: Origin
    aliases: tuple[str, ...] = ()
    lon: float | None = None
    lat: float | None = None


_PLACES: tuple[Place, ...] = (
    Place(
        "al-hol",
        "al-Hol camp",
        PlaceKind.CAMP,
        Origin.SYRIA,
        ("al-hawl", "hawl", "el hol", "al-hol annex"),
        41.15,
        36.38,
    ),
    Place("roj", "Roj camp", PlaceKind.CAMP, Origin.SYRIA, (), 42.08, 36.95),
    Place(
        "ain-issa",
        "Ain Issa camp",
        PlaceKind.CAMP,
        Origin.SYRIA,
        ("ayn issa", "ain aissa"),
        38.87,
        36.39,
    ),
    Place(
        "nes-prisons",
        "Prisons in north-east Syria",
        PlaceKind.PRISON,
        Origin.SYRIA,
        ("ghwayran", "ghweran", "sina'a", "sinaa", "panorama", "hasakah prison"),
    ),
    Place(
        "nes",
        "North-east Syria (unspecified)",
        PlaceKind.UNSPECIFIED,
        Origin.SYRIA,
        (
            "north-east syria",
            "northeast syria",
            "north east syria",
            "northern syria",
            "aanes",
            "rojava",
            "nes camps",
            "camps in north-east syria",
            "hasakah",
            "qamishli",
            "raqqa",
            "kurdish-run camps",
        ),
    ),
    Place("syria", "Syria (unspecified)", PlaceKind.UNSPECIFIED, Origin.SYRIA, ()),
    Place(
        "al-jadaa",
        "al-Jadaa rehabilitation centre",
        PlaceKind.CENTRE,
        Origin.IRAQ,
        ("al-jadah", "jeddah 1", "jeddah-1", "jeddah", "jada'a", "al-jad'ah"),
        43.23,
        35.83,
    ),
    Place(
        "iraq",
        "Iraq (unspecified)",
        PlaceKind.UNSPECIFIED,
        Origin.IRAQ,
        ("iraqi prisons", "baghdad", "mosul", "erbil", "kurdistan region", "nineveh"),
    ),
    Place(
        "syria-or-iraq",
        "Syria or Iraq (unspecified)",
        PlaceKind.UNSPECIFIED,
        Origin.SYRIA_OR_IRAQ,
        ("syria and iraq", "syria or iraq"),
    ),
    Place(
        "other",
        "Elsewhere (unspecified)",
        PlaceKind.UNSPECIFIED,
        Origin.OTHER,
        ("turkey", "ukraine", "other"),
    ),
)
# Reports spell one place many ways: "al-Hol", "Al Hol camp", "el-Hol", "Ain Issa",
# "ain-issa", "al-Sina'a prison". A key drops what varies: case, hyphens, apostrophes and the
# article; a trailing "camp", "prison" or "centre" is dropped only when the fuller key is not a
# name of its own ("Hasakah prison" is the prison, "Hasakah" the region).
_ARTICLE = re.compile(r"^(?:(?:the|al|el)\s+)+")
_GENERIC = re.compile(r"\s+(?:camp|camps|prison|centre|center|rehabilitation centre)$")


def _keys(text: str) -> tuple[str, str]:
    """Return the key of a name, and the key without its trailing generic word."""
    words = " ".join(text.lower().replace("-", " ").replace("'", "").replace("’", "").split())
    full = _ARTICLE.sub("", words) or words
    return full, _GENERIC.sub("", full) or full


_BY_KEY: dict[str, Place] = {}
for _index in (0, 1):
    for _place in _PLACES:
        for _alias in (_place.id, _place.name, *_place.aliases):
            _BY_KEY.setdefault(_keys(_alias)[_index], _place)


def lookup_place(query: str, *, field: str = "place") -> Place:
    """Return the place with this id, name or alias (case-insensitive).

    Raises:
        UnknownPlaceError: no place has this id, name or alias; the error suggests close ones.
    """
    if isinstance(query, str):
        full, short = _keys(query)
        found = _BY_KEY.get(full) or _BY_KEY.get(short)
        if found is not None:
            return found
        suggestions = list(_suggestions(full))
    else:
        suggestions = []
    raise UnknownPlaceError(query, suggestions, field=field)


@lru_cache(maxsize=1024)
def _suggestions(key: str) -> tuple[str, ...]:
    """Return the ids of the places closest to ``key``; cached, as a sheet repeats its places."""
    close = difflib.get_close_matches(key, list(_BY_KEY), n=3, cutoff=0.6)
    return tuple(dict.fromkeys(_BY_KEY[c].id for c in close))


def all_places() -> tuple[Place, ...]:
    """Return every known place, in table order."""
    return _PLACES
