"""Countries: ISO 3166-1 alpha-3 codes with English names, aliases and label points.

Reports name countries loosely ("Kyrgyz Republic", "Turkiye", "the Netherlands"); events store
the alpha-3 code. Kosovo has no ISO code and is conventionally ``XKX``. The table is read lazily
from ``repatevents/data/countries.json`` on first use, so importing the package stays fast.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from functools import cache

import attrs

from ..errors import UnknownCountryError

__all__ = ["Country", "all_countries", "lookup_country", "to_country_code"]


@attrs.frozen
class Country:
    """A country as the ledger knows it.

    Attributes:
        code: ISO 3166-1 alpha-3 (or ``XKX`` for Kosovo).
        name: the short English name.
        alpha2: ISO 3166-1 alpha-2, when there is one.
        numeric: ISO 3166-1 numeric, when there is one.
        aliases: other names reports use.
        label_point: a (longitude, latitude) inside the country for map labels, when known.
    """

    code: str
    name: str
    alpha2: str | None
    numeric: str | None
    aliases: tuple[str, ...]
    label_point: tuple[float, float] | None


def _normalise(text: str) -> str:
    # Accents, case, punctuation and a leading "the" are how loose spellings differ.
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@cache
def _table() -> tuple[tuple[Country, ...], dict[str, Country]]:
    # importlib.resources is imported on first lookup: it is slow to import and rarely needed.
    from importlib.resources import files

    raw = json.loads((files("repatevents.data") / "countries.json").read_text("utf-8"))
    countries = []
    index: dict[str, Country] = {}
    for item in raw:
        point = item.get("label_point")
        country = Country(
            code=item["code"],
            name=item["name"],
            alpha2=item.get("alpha2"),
            numeric=item.get("numeric"),
            aliases=tuple(item.get("aliases", ())),
            label_point=(float(point[0]), float(point[1])) if point else None,
        )
        countries.append(country)
        keys = [country.code, country.name, *country.aliases]
        keys += [k for k in (country.alpha2, country.numeric) if k]
        for key in keys:
            index.setdefault(_normalise(key), country)
    return tuple(sorted(countries, key=lambda c: c.code)), index


def lookup_country(query: str, *, field: str = "country") -> Country:
    """Return the country with this code, name or alias (case and accents ignored).

    Args:
        query: an alpha-3, alpha-2 or numeric code, a name or a common alias.
        field: the field name to report in an error.

    Raises:
        UnknownCountryError: nothing matches; the error suggests the closest names.
    """
    if not isinstance(query, str):
        raise UnknownCountryError(query, (), field=field)
    _, index = _table()
    found = index.get(_normalise(query))
    if found is not None:
        return found
    close = difflib.get_close_matches(_normalise(query), list(index), n=6, cutoff=0.75)
    suggestions = list(dict.fromkeys(index[key].name for key in close))[:3]
    raise UnknownCountryError(query, suggestions, field=field)


def to_country_code(query: str, *, field: str = "country") -> str:
    """Return the alpha-3 code of a country named by code, name or alias.

    Raises:
        UnknownCountryError: nothing matches.
    """
    return lookup_country(query, field=field).code


def all_countries() -> tuple[Country, ...]:
    """Return every country of the table, sorted by code."""
    return _table()[0]
