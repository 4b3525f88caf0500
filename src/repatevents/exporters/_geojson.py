"""The GeoJSON exporter: countries, camps and flows as an RFC 7946 FeatureCollection.

Features, in this order, each sorted by id:

- one ``Point`` per receiving country in the ``totals`` table, at the country's label point (or
  the geometry a ``country_geometry`` plugin supplies), carrying the totals and, when the
  ``remaining`` table has a row for the country, its remaining estimate (``remaining_*``);
- one feature per place in the ``remaining`` table (``camp/<id>``), carrying the place's
  remaining estimate; its ``kind`` is the place's kind (``camp``, ``prison``, ``centre``,
  ``region`` or ``unspecified``), so a vague place such as "north-east Syria" is not taken
  for a camp;
- with ``flows=True``, one ``LineString`` per (place, receiving country) pair in the
  ``operations`` table, from the place to the country, carrying the people moved (the sums of
  the operations' low / best / high totals) and the number of operations.

Only aggregates are written: a feature's properties are the numbers, dates and booleans of its
rows, the ids and names of the country or place, and the few text cells that are codes or
fixed words (who a population counts, whether it is estimated or unknown, a date as reported,
nationality codes), never free text, which could name a person.
With ``layer``, the file holds one of these layers only, as a GIS wants it (GDAL reads a
GeoJSON file as one layer, of one geometry type, whose fields are every property of every
feature): ``countries`` (``Point`` at each country's label point, or ``MultiPolygon`` when a
``country_geometry`` plugin supplies a shape for every country), ``camps`` (``Point``) or
``flows`` (``LineString``), each feature with its own layer's properties only. A feature with
no location is not in a layer: it is listed, with its properties, in the collection's
``metadata.without_location``, so no figure is lost and every feature has a geometry (GDAL then
gives the layer a typed geometry, and it converts to a GeoPackage or a Shapefile).

Coordinates are longitude before latitude, rounded to 6 decimals; there is no ``crs`` member; a
non-finite number fails the export instead of writing NaN. A place or country with no known
location is kept, with a ``null`` geometry as RFC 7946 allows; a flow needs both ends, so
operations whose origin or country has no location are left out of the flows, and the
collection's ``metadata.flows_left_out`` says how many, with how many people, and why.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

import pluggy

from .._exporter import Exporter
from .._tables import Column, ColumnType, ExportMetadata, Table
from ..errors import UnknownCountryError, UnknownPlaceError
from ..events import lookup_country, lookup_place

__all__ = ["geojson_exporter", "write_geojson"]

Geometry = dict[str, Any]
GeometryLookup = Callable[[str], Mapping[str, Any] | None]

_COUNTRY_COLUMNS = ("country", "country_code", "receiving_country")
_PLACE_COLUMNS = ("place", "camp", "place_id", "origin", "origin_place")
_VALUE_TYPES = (ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.DATE, ColumnType.BOOLEAN)
# The text columns a feature carries, by table: codes and fixed words, never free text.
_TEXT_PROPERTIES: Mapping[str, frozenset[str]] = {
    "totals": frozenset({"nationalities"}),
    "remaining": frozenset({"scope", "counted_at", "baseline_text", "status"}),
}
_BOUNDS = ("low", "best", "high")
_LEFT_OUT = (
    "A flow line needs a location at both ends; these operations come from a place without "
    "coordinates (a region or an unspecified place) or go to a country without a known "
    "location, so no line is drawn for them."
)
_GEOMETRY_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_DECIMALS = 6
LAYERS = ("all", "countries", "camps", "flows")
"""The values of the ``layer`` option: every feature, or one layer of one geometry type."""
_SHAPES = ("Polygon", "MultiPolygon")


def geojson_exporter(plugin_manager: pluggy.PluginManager | None = None) -> Exporter:
    """Return the GeoJSON exporter, asking ``plugin_manager``'s plugins for country geometry.

    Args:
        plugin_manager: the manager whose ``country_geometry`` hook is asked first; ``None``
            uses the built-in label points only.

    Returns:
        The ``geojson`` exporter.
    """
    lookup: GeometryLookup | None = None
    if plugin_manager is not None:
        hook = plugin_manager.hook

        def lookup(code: str) -> Mapping[str, Any] | None:
            result: Mapping[str, Any] | None = hook.country_geometry(code=code)
            return result

    def write(
        tables: Mapping[str, Table],
        metadata: ExportMetadata,
        stream: BinaryIO,
        /,
        *,
        flows: bool = False,
        layer: str = "all",
    ) -> None:
        write_geojson(tables, metadata, stream, flows=flows, layer=layer, country_geometry=lookup)

    return Exporter(
        name="geojson",
        extension="geojson",
        media_type="application/geo+json",
        description=(
            "An RFC 7946 FeatureCollection: countries with their totals and remaining "
            "estimates, camps with theirs, and optionally flows from camps to countries; "
            "layer=countries, camps or flows writes one layer of one geometry type for a GIS."
        ),
        write=write,
    )


def write_geojson(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    /,
    *,
    flows: bool = False,
    layer: str = "all",
    country_geometry: GeometryLookup | None = None,
) -> None:
    """Write the ``totals``, ``remaining`` and ``operations`` tables as a FeatureCollection.

    Tables with other names are ignored: they have no place on a map.

    Args:
        tables: the tables to draw from.
        metadata: written as the collection's ``metadata`` member, with its sources.
        stream: where the UTF-8 JSON goes.
        flows: add a LineString per (place, country) pair from the ``operations`` table, and
            say in ``metadata.flows_left_out`` which operations no line could be drawn for.
        layer: ``"all"`` for every feature (countries, camps and, with ``flows``, flows), or
            ``"countries"``, ``"camps"`` or ``"flows"`` for that layer alone, one geometry
            type, its features without a location listed in ``metadata.without_location``.
        country_geometry: asked first for each country's geometry.

    Raises:
        ValueError: a non-finite number, a geometry from a plugin that is not valid GeoJSON,
            or a ``layer`` that is none of ``LAYERS``.
    """
    if layer not in LAYERS:
        raise ValueError(f"layer {layer!r} is not one of {', '.join(map(repr, LAYERS))}")
    locate = _CountryLocator(country_geometry)
    member = _metadata_member(metadata)
    features: list[Any] = []
    if layer == "all":
        features = _country_features(tables, locate) + _place_features(tables)
    elif layer == "countries":
        features = _country_layer(_country_features(tables, locate), locate)
    elif layer == "camps":
        features = _place_features(tables)
    if layer == "flows" or (layer == "all" and flows):
        lines, left_out = _flow_features(tables.get("operations"), locate)
        features += lines
        member["flows_left_out"] = left_out
    if layer != "all":
        member["layer"] = layer
        member["without_location"] = [
            {"id": f["id"], "properties": f["properties"]} for f in features if not f["geometry"]
        ]
        features = [f for f in features if f["geometry"]]
    collection = {"type": "FeatureCollection", "metadata": member, "features": features}
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False, indent=1)
    stream.write(text.encode("utf-8") + b"\n")


def _metadata_member(metadata: ExportMetadata) -> dict[str, Any]:
    # Typed as JSON is: the ledger position a number, dates ISO text, "not known" null.
    member: dict[str, Any] = dict(metadata.typed_items())
    member["sources"] = [
        {key: _json_value(value, f"metadata source {number}", key) for key, value in s.items()}
        for number, s in enumerate(metadata.sources, start=1)
    ]
    return member


def _json_value(value: Any, where: str, key: str) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        _check_finite(value, where, key)
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(item, where, key) for item in value]
    return str(value)


class _CountryLocator:
    """Geometry and names of countries: a plugin's answer first, the built-in point second."""

    def __init__(self, lookup: GeometryLookup | None) -> None:
        self._lookup = lookup
        self._cache: dict[str, tuple[Geometry | None, list[float] | None]] = {}

    def name(self, code: str) -> str | None:
        try:
            name: str = lookup_country(code).name
        except UnknownCountryError:
            return None
        return name

    def geometry(self, code: str) -> Geometry | None:
        return self._locate(code)[0]

    def point(self, code: str) -> list[float] | None:
        return self._locate(code)[1]

    def _locate(self, code: str) -> tuple[Geometry | None, list[float] | None]:
        if code not in self._cache:
            builtin = _builtin_point(code)
            supplied = self._lookup(code) if self._lookup is not None else None
            if supplied is None:
                fallback: Geometry | None = None
                if builtin is not None:
                    fallback = {"type": "Point", "coordinates": builtin}
                self._cache[code] = (fallback, builtin)
            else:
                geometry = _checked_geometry(supplied, code)
                if geometry["type"] == "Point":
                    point = geometry["coordinates"]
                else:
                    point = builtin or _centre(geometry["coordinates"])
                self._cache[code] = (geometry, point)
        return self._cache[code]


def _centre(coordinates: Any) -> list[float]:
    # Where a flow to a country drawn as a shape ends when no label point is known: the middle
    # of the shape's bounding box (inside it for the compact shapes of most countries).
    positions = list(_flatten(coordinates))
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    centre = [(min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2]
    return [round(value, _DECIMALS) for value in centre]


def _flatten(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
    else:
        for item in coordinates:
            yield from _flatten(item)


def _builtin_point(code: str) -> list[float] | None:
    try:
        label_point = lookup_country(code).label_point
    except UnknownCountryError:
        return None
    if label_point is None:
        return None
    lon, lat = label_point
    return _position([lon, lat], f"country {code!r}")


def _checked_geometry(geometry: Mapping[str, Any], code: str) -> Geometry:
    where = f"the geometry supplied for country {code!r}"
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    if kind not in _GEOMETRY_DEPTH:
        raise ValueError(
            f"{where} has type {kind!r}; expected one of {', '.join(sorted(_GEOMETRY_DEPTH))}"
        )
    if "crs" in geometry:
        raise ValueError(f"{where} has a 'crs' member, which RFC 7946 removed; use WGS 84")
    coordinates = _coordinates(geometry.get("coordinates"), _GEOMETRY_DEPTH[kind], where)
    return {"type": kind, "coordinates": coordinates}


def _coordinates(value: Any, depth: int, where: str) -> Any:
    if depth == 0:
        return _position(value, where)
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"{where} has coordinates {value!r}; expected a non-empty array")
    return [_coordinates(item, depth - 1, where) for item in value]


def _position(value: Any, where: str) -> list[float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"{where} has position {value!r}; expected [longitude, latitude]")
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise ValueError(
            f"{where} has position {value!r}; expected longitude in [-180, 180] and latitude "
            "in [-90, 90], longitude first"
        )
    return [round(lon, _DECIMALS), round(lat, _DECIMALS)]


def _country_features(tables: Mapping[str, Table], locate: _CountryLocator) -> list[Any]:
    totals = _rows_by_key(tables.get("totals"), _COUNTRY_COLUMNS)
    remaining = _remaining_rows(tables.get("remaining"), countries=True)
    features = []
    for code in sorted(totals):
        properties: dict[str, Any] = {"kind": "country", "country": code}
        properties["name"] = locate.name(code)
        properties.update(totals[code])
        properties.update(_prefixed(remaining.get(code, {})))
        features.append(_feature(f"country/{code}", locate.geometry(code), properties))
    return features


def _country_layer(features: list[Any], locate: _CountryLocator) -> list[Any]:
    """Give every country one geometry type: shapes when each located one has a shape (a
    Polygon made a MultiPolygon), else the label points."""
    located = [f for f in features if f["geometry"]]
    if located and all(f["geometry"]["type"] in _SHAPES for f in located):
        for feature in located:
            geometry = feature["geometry"]
            if geometry["type"] == "Polygon":
                feature["geometry"] = {
                    "type": "MultiPolygon",
                    "coordinates": [geometry["coordinates"]],
                }
        return features
    for feature in features:
        point = locate.point(feature["properties"]["country"])
        feature["geometry"] = None if point is None else {"type": "Point", "coordinates": point}
    return features


def _place_features(tables: Mapping[str, Table]) -> list[Any]:
    remaining = _remaining_rows(tables.get("remaining"), countries=False)
    features = []
    for place_id in sorted(remaining):
        name: str | None = None
        kind = "unspecified"  # a place id repatevents does not know
        geometry: Geometry | None = None
        try:
            place = lookup_place(place_id)
        except UnknownPlaceError:
            pass
        else:
            name, kind = place.name, place.kind.value
            point = _place_point(place_id)
            if point is not None:
                geometry = {"type": "Point", "coordinates": point}
        properties: dict[str, Any] = {"kind": kind, "place": place_id, "name": name}
        properties.update(_prefixed(remaining[place_id]))
        features.append(_feature(f"camp/{place_id}", geometry, properties))
    return features


def _flow_features(
    operations: Table | None, locate: _CountryLocator
) -> tuple[list[Any], dict[str, Any]]:
    """Return the flow lines and what was left out of them (for the metadata)."""
    sums: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    bounds: list[str] = []
    if operations is not None:
        country = _key_column(operations, _COUNTRY_COLUMNS)
        origin = _key_column(operations, _PLACE_COLUMNS)
        names = [c.name for c in operations.columns]
        bounds = [b for b in _BOUNDS if f"total_{b}" in names]
        for i, record in enumerate(operations.records()):
            key = (
                None if origin is None else record[origin.name],
                None if country is None else record[country.name],
            )
            people = {f"people_{b}": record[f"total_{b}"] for b in bounds}
            for name, value in people.items():
                _check_finite(value, f"table 'operations' row {i}", name.replace("people", "total"))
            _accumulate(sums.setdefault(key, {"operations": 0}), 1, people)
    features = []
    left_out: list[dict[str, Any]] = []
    summary: dict[str, Any] = {"operations": 0, **{f"people_{b}": 0 for b in bounds}}
    for (place_id, code), values in sorted(sums.items(), key=lambda item: _sort_key(item[0])):
        start = None if place_id is None else _place_point(place_id)
        end = None if code is None else locate.point(code)
        if start is None or end is None:
            why = _why_no_line(place_id, code, start, end)
            left_out.append({"from": place_id, "to": code, **values, "why": why})
            _accumulate(summary, values["operations"], _people(values))
            continue
        properties = {"kind": "flow", "from": place_id, "to": code, **values}
        geometry = {"type": "LineString", "coordinates": [start, end]}
        features.append(_feature(f"flow/{place_id}/{code}", geometry, properties))
    return features, {**summary, "why": _LEFT_OUT, "flows": left_out}


def _sort_key(key: tuple[str | None, str | None]) -> tuple[str, str]:
    return (key[0] or "", key[1] or "")


def _people(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k.startswith("people_")}


def _accumulate(total: dict[str, Any], operations: int, people: Mapping[str, Any]) -> None:
    total["operations"] += operations
    for key, value in people.items():
        # A bound that one operation did not report leaves the sum's bound unknown.
        if value is None or (key in total and total[key] is None):
            total[key] = None
        else:
            total[key] = total.get(key, 0) + value


def _why_no_line(
    place_id: str | None, code: str | None, start: list[float] | None, end: list[float] | None
) -> str:
    reasons = []
    if place_id is None:
        reasons.append("no origin was reported")
    elif start is None:
        try:
            place = lookup_place(place_id)
        except UnknownPlaceError:
            reasons.append(f"the origin {place_id!r} is not a known place")
        else:
            reasons.append(f"the origin {place_id!r} ({place.name}) has no coordinates")
    if code is None:
        reasons.append("no receiving country was reported")
    elif end is None:
        reasons.append(f"the receiving country {code!r} has no known location")
    return "; ".join(reasons)


def _place_point(place_id: str) -> list[float] | None:
    try:
        place = lookup_place(place_id)
    except UnknownPlaceError:
        return None
    if place.lon is None or place.lat is None:
        return None
    return _position([place.lon, place.lat], f"place {place_id!r}")


def _feature(feature_id: str, geometry: Geometry | None, properties: dict[str, Any]) -> Any:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def _key_column(table: Table, names: Sequence[str]) -> Column | None:
    for name in names:
        for column in table.columns:
            if column.name == name:
                return column
    return None


def _rows_by_key(table: Table | None, key_names: Sequence[str]) -> dict[str, dict[str, Any]]:
    if table is None:
        return {}
    key = _key_column(table, key_names)
    if key is None:
        return {}
    result: dict[str, dict[str, Any]] = {}
    for i, record in enumerate(table.records()):
        value = record[key.name]
        if value is None:
            continue
        _add(result, value, _values(table, record, i), table.name)
    return result


def _add(result: dict[str, dict[str, Any]], key: str, values: dict[str, Any], table: str) -> None:
    # Two rows for one feature would silently overwrite each other's figures on the map.
    if key in result:
        raise ValueError(
            f"table {table!r} has more than one row for {key!r}; the GeoJSON exporter needs "
            "one row per country and per camp"
        )
    result[key] = values


def _remaining_rows(table: Table | None, *, countries: bool) -> dict[str, dict[str, Any]]:
    # A remaining row is a camp's when it names a place and a country's when it names only a
    # country; a table with no place column holds countries only.
    if table is None:
        return {}
    place = _key_column(table, _PLACE_COLUMNS)
    country = _key_column(table, _COUNTRY_COLUMNS)
    result: dict[str, dict[str, Any]] = {}
    for i, record in enumerate(table.records()):
        place_id = record[place.name] if place is not None else None
        code = record[country.name] if country is not None else None
        if countries and place_id is None and code is not None:
            _add(result, code, _values(table, record, i), table.name)
        elif not countries and place_id is not None:
            _add(result, place_id, _values(table, record, i), table.name)
    return result


def _values(table: Table, record: Mapping[str, Any], index: int) -> dict[str, Any]:
    texts = _TEXT_PROPERTIES.get(table.name, frozenset())
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.type is ColumnType.TEXT:
            if column.name in texts:
                values[column.name] = record[column.name]
            continue
        if column.type not in _VALUE_TYPES:
            continue
        value = record[column.name]
        _check_finite(value, f"table {table.name!r} row {index}", column.name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        values[column.name] = value
    return values


def _check_finite(value: Any, where: str, column: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            f"{where} column {column!r} holds {value!r}; GeoJSON has no NaN or infinity"
        )


def _prefixed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        (name if name.startswith("remaining") else f"remaining_{name}"): value
        for name, value in values.items()
    }
