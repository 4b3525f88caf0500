"""Places people are taken from: camps, prisons, and the vaguer places reports name.

The table is small and curated: a report that says "from Syria" must be recorded as the
unspecified place it names, not guessed into al-Hol. Coordinates are public, approximate locations
of camps (two decimals), given only where a camp is a known fixed site.

A report can also name several sites together ("about 45,000 in al-Hol and Roj", "women and
children from Roj and al-Hol"): that is one place, a set of sites, whose id joins its members'
ids with ``+`` in table order (``"al-hol+roj"``), so "Roj and al-Hol", "al-Hol; Roj" and
"al-hol+roj" are one place. Only sites (camps, prisons, centres) make a set: a vaguer place
already holds the sites it may mean.
"""

from __future__ import annotations

import difflib
import enum
import re
from functools import lru_cache

import attrs

from ..errors import FieldProblem, UnknownPlaceError, ValidationError

__all__ = ["Origin", "Place", "PlaceKind", "all_places", "lookup_place", "place_set"]


class PlaceKind(enum.Enum):
    """What kind of place a place is."""

    CAMP = "camp"
    PRISON = "prison"
    CENTRE = "centre"
    REGION = "region"
    UNSPECIFIED = "unspecified"
    #: several sites counted together (see :attr:`Place.members`)
    SET = "set"


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
        members: for a set of sites, the ids of its sites in table order; otherwise empty.
    """

    id: str
    name: str
    kind: PlaceKind
    origin: Origin
    aliases: tuple[str, ...] = ()
    lon: float | None = None
    lat: float | None = None
    members: tuple[str, ...] = ()


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


# "al-Hol and Roj", "Roj & al-Hol", "al-Hol; Roj", "al-Hol, Roj", "al-hol+roj".
_SEPARATORS = re.compile(r"\s*(?:[;,+&]|\band\b)\s*", re.IGNORECASE)
_SITES = frozenset({PlaceKind.CAMP, PlaceKind.PRISON, PlaceKind.CENTRE})
_ORDER = {place.id: index for index, place in enumerate(_PLACES)}


def lookup_place(query: str, *, field: str = "place") -> Place:
    """Return the place with this id, name or alias (case-insensitive), or the set of sites a
    query names together ("al-Hol and Roj", "al-Hol; Roj", ``"al-hol+roj"``).

    Raises:
        UnknownPlaceError: no place has this id, name or alias (nor does a member of a set);
            the error suggests close ones.
        ValidationError: a set names a place that is not a site (a region or an unspecified
            place), which already holds the sites it may mean.
    """
    if isinstance(query, str):
        full, short = _keys(query)
        found = _BY_KEY.get(full) or _BY_KEY.get(short)
        if found is not None:
            return found
        parts = [part for part in _SEPARATORS.split(query) if part.strip()]
        if len(parts) > 1:
            members = [lookup_place(part, field=field) for part in parts]
            return place_set(tuple(m.id for m in members), field=field, query=query)
        suggestions = list(_suggestions(full))
    else:
        suggestions = []
    raise UnknownPlaceError(query, suggestions, field=field)


def place_set(ids: tuple[str, ...], *, field: str = "place", query: str | None = None) -> Place:
    """Return the place that is the sites ``ids`` together (one site: that site).

    Members that are themselves sets are opened; the order and repeats of ``ids`` do not
    matter.

    Raises:
        UnknownPlaceError: an id is not in the place table.
        ValidationError: an id is not a site (see :func:`lookup_place`).
    """
    sites: set[str] = set()
    for place_id in ids:
        place = lookup_place(place_id, field=field)
        if place.kind is PlaceKind.SET:
            sites.update(place.members)
        elif place.kind in _SITES:
            sites.add(place.id)
        else:
            rule = (
                f"a set of places names only camps, prisons and centres, and {place_id!r} "
                f"({place.name}) is vaguer; record the vaguer place alone"
            )
            raise ValidationError(FieldProblem(field=field, value=query or ids, rule=rule))
    return _set_of(tuple(sorted(sites, key=_ORDER.__getitem__)))


@lru_cache(maxsize=256)
def _set_of(members: tuple[str, ...]) -> Place:
    if len(members) == 1:
        return _BY_KEY[_keys(members[0])[0]]
    places = [_BY_KEY[_keys(m)[0]] for m in members]
    origins = {p.origin for p in places}
    # Sites of Syria and of Iraq together: the people came from one or the other.
    origin = origins.pop() if len(origins) == 1 else Origin.SYRIA_OR_IRAQ
    name = ", ".join(p.name for p in places[:-1]) + " and " + places[-1].name
    return Place("+".join(members), name, PlaceKind.SET, origin, members=members)


@lru_cache(maxsize=1024)
def _suggestions(key: str) -> tuple[str, ...]:
    """Return the ids of the places closest to ``key``; cached, as a sheet repeats its places."""
    close = difflib.get_close_matches(key, list(_BY_KEY), n=3, cutoff=0.6)
    return tuple(dict.fromkeys(_BY_KEY[c].id for c in close))


def all_places() -> tuple[Place, ...]:
    """Return every known place, in table order."""
    return _PLACES
