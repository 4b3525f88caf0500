"""Countries: ISO 3166-1 alpha-3 codes with English names, aliases and label points.

Reports name countries loosely ("Kyrgyz Republic", "Turkiye", "the Netherlands", "KGZ"); events
store the alpha-3 code. Kosovo has no ISO code and is conventionally ``XKX``. The table is
``repatevents/data/countries.json``, made by ``scripts/generate_countries.py`` from pycountry and
Natural Earth; it is read on first use, not on import, so importing the package stays fast.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from functools import cache, lru_cache

import attrs

from ..errors import UnknownCountryError

__all__ = ["Country", "all_countries", "lookup_country", "to_country_code"]

# How many names an unknown country's error suggests, and how alike they must be (difflib's
# ratio): below 0.6 the "closest" names are noise rather than likely typos.
_MAX_SUGGESTIONS = 3
_SUGGESTION_CUTOFF = 0.6


@attrs.frozen
class Country:
    """A country as the ledger knows it.

    Attributes:
        code: ISO 3166-1 alpha-3 (or ``XKX`` for Kosovo).
        name: the short English name.
        alpha2: ISO 3166-1 alpha-2, when there is one.
        numeric: ISO 3166-1 numeric, as three digits, when there is one.
        aliases: other names reports use (official names, older and colloquial names).
        label_point: a (longitude, latitude) inside the country's largest landmass, for map
            labels and flow lines, when the table has one.
    """

    code: str
    name: str
    alpha2: str | None
    numeric: str | None
    aliases: tuple[str, ...]
    label_point: tuple[float, float] | None


@attrs.frozen
class _Table:
    countries: tuple[Country, ...]
    # Every normalised code, name and alias, to the one country it names.
    by_key: dict[str, Country]
    # Normalised names and aliases only: a two-letter code is never a useful suggestion.
    name_keys: tuple[str, ...]


def _normalise(text: str) -> str:
    # Case, accents, punctuation and a leading "the" are how loose spellings of one name differ.
    # scripts/generate_countries.py has a copy of this that must stay the same.
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    # "Cote d'Ivoire" and "Cote dIvoire" are one spelling; "Trinidad & Tobago" is another.
    ascii_text = re.sub(r"['`\u2019]", "", ascii_text).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@cache
def _load() -> _Table:
    # Imported here, not at the top: importlib.resources is slow to import and most programs
    # that import repatevents never look a country up.
    from importlib.resources import files

    raw = json.loads((files("repatevents.data") / "countries.json").read_text(encoding="utf-8"))
    countries: list[Country] = []
    by_key: dict[str, Country] = {}
    name_keys: dict[str, None] = {}
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
        names = [_normalise(n) for n in (country.name, *country.aliases)]
        codes = [_normalise(c) for c in (country.code, country.alpha2, country.numeric) if c]
        for key in codes + names:
            # The generator drops ambiguous aliases, so no key names two countries.
            by_key.setdefault(key, country)
        name_keys.update(dict.fromkeys(names))
    return _Table(
        countries=tuple(sorted(countries, key=lambda c: c.code)),
        by_key=by_key,
        name_keys=tuple(name_keys),
    )


def lookup_country(query: str, *, field: str = "country") -> Country:
    """Return the country named by a code, a name or an alias.

    Case, surrounding whitespace, accents ("Turkiye"), punctuation ("Cote d'Ivoire") and a
    leading "the" ("the Netherlands") make no difference.

    Args:
        query: an ISO 3166-1 alpha-3, alpha-2 or numeric code (``XKX``/``XK`` for Kosovo), a
            country's name, or one of its aliases.
        field: the name of the field the query came from, for the error.

    Returns:
        The country.

    Raises:
        UnknownCountryError: no country has this code, name or alias (a query that is not a
            string included); ``suggestions`` holds up to three close names, best first.
    """
    if not isinstance(query, str):
        raise UnknownCountryError(query, (), field=field)
    table = _load()
    key = _normalise(query)
    found = table.by_key.get(key)
    if found is not None:
        return found
    raise UnknownCountryError(query, list(_suggestions(key)), field=field)


@lru_cache(maxsize=1024)
def _suggestions(key: str) -> tuple[str, ...]:
    """Return the names of the countries closest to ``key``, best first.

    Cached: a sheet refused for one misspelt country holds it on every row, and difflib over
    every name costs milliseconds a row.
    """
    table = _load()
    # Several close keys can be aliases of one country; it is suggested once, by its name.
    close = difflib.get_close_matches(
        key, table.name_keys, n=3 * _MAX_SUGGESTIONS, cutoff=_SUGGESTION_CUTOFF
    )
    names = dict.fromkeys(table.by_key[k].name for k in close)
    return tuple(names)[:_MAX_SUGGESTIONS]


def to_country_code(query: str, *, field: str = "country") -> str:
    """Return the alpha-3 code of the country named by a code, a name or an alias.

    Args:
        query: anything :func:`lookup_country` accepts.
        field: the name of the field the query came from, for the error.

    Returns:
        The ISO 3166-1 alpha-3 code, or ``XKX`` for Kosovo.

    Raises:
        UnknownCountryError: no country has this code, name or alias.
    """
    return lookup_country(query, field=field).code


def all_countries() -> tuple[Country, ...]:
    """Return every country in the table, sorted by code.

    Returns:
        The countries: every ISO 3166-1 country, and Kosovo.
    """
    return _load().countries
