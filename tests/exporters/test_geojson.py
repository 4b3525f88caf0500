"""The GeoJSON exporter: RFC 7946, country and camp points, flows, and the geometry hook."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest

from _paths import DATA, EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents._tables import Column, ColumnType, Table
from repatevents.errors import ExportError
from repatevents.events import lookup_country
from repatevents.exporters import Exporter, export_tables
from repatevents.hookspecs import hookimpl
from repatevents.plugins import RepateventsPluginManager, get_plugin_manager
from repatevents.testing import ExporterContract, registered_plugin, sample_metadata, sample_tables

SCHEMA = json.loads((DATA / "geojson-featurecollection.schema.json").read_text())
# Generous boxes around each country (lon_min, lat_min, lon_max, lat_max): a point with
# latitude and longitude swapped falls outside both.
SYRIA_BBOX = (35.5, 32.3, 42.5, 37.4)
IRAQ_BBOX = (38.7, 29.0, 48.7, 37.4)


class TestGeojsonContract(ExporterContract):
    """The GeoJSON exporter passes the exporter contract."""

    exporter_name = "geojson"
    writes_text_cells = False


class TestGeojsonWithFlowsContract(ExporterContract):
    """The GeoJSON exporter with flows passes the exporter contract."""

    exporter_name = "geojson"
    writes_text_cells = False
    options: ClassVar[Mapping[str, Any]] = {"flows": True}


@pytest.mark.parametrize("layer", ["countries", "camps", "flows"])
class TestGeojsonLayerContract(ExporterContract):
    """Each one-layer GeoJSON passes the exporter contract."""

    exporter_name = "geojson"
    writes_text_cells = False

    @pytest.fixture(autouse=True)
    def _layer(self, layer: str, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(self, "options", {"layer": layer})

    def test_handles_the_largest_numbers(
        self,
        contract_manager: RepateventsPluginManager,
        exporter: Exporter,
        tmp_path: Path,
    ) -> None:
        """The largest integers are written with every digit, in the layer that draws them."""
        if self.options["layer"] != "countries":
            pytest.skip("largest_number_tables() is a totals table: only countries draw it")
        super().test_handles_the_largest_numbers(contract_manager, exporter, tmp_path)


def _reject_constant(name: str) -> None:
    raise AssertionError(f"the GeoJSON holds {name}")


def _read(path: Path) -> Any:
    return json.loads(
        path.read_text(encoding="utf-8"),
        parse_constant=_reject_constant,
        parse_float=Decimal,
    )


def _export(
    tmp_path: Path,
    *,
    tables: Mapping[str, Table] | None = None,
    manager: RepateventsPluginManager | None = None,
    **options: Any,
) -> Any:
    (path,) = export_tables(
        "geojson",
        sample_tables() if tables is None else tables,
        sample_metadata(),
        tmp_path / "map.geojson",
        plugin_manager=manager or get_plugin_manager(load_entrypoints=False),
        **options,
    )
    return _read(path)


def _by_id(collection: Any) -> dict[str, Any]:
    return {feature["id"]: feature for feature in collection["features"]}


def _positions(coordinates: Any) -> Iterator[list[Decimal]]:
    if coordinates and isinstance(coordinates[0], Decimal | int):
        yield coordinates
    else:
        for item in coordinates:
            yield from _positions(item)


def _inside(position: list[Decimal], bbox: tuple[float, float, float, float]) -> bool:
    lon, lat = float(position[0]), float(position[1])
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


class _Capitals:
    """A geometry plugin placing each sample country at its capital (longitude, latitude)."""

    POINTS: ClassVar[dict[str, tuple[float, float]]] = {
        "FRA": (2.3522, 48.8566),
        "IRQ": (44.3661, 33.3152),
        "KAZ": (71.4491, 51.1694),
        "KGZ": (74.5698, 42.8746),
        "UZB": (69.2401, 41.2995),
        "XKX": (21.1655, 42.6629),
    }

    @hookimpl
    def country_geometry(self, code: str) -> dict[str, Any] | None:
        if code not in self.POINTS:
            return None
        return {"type": "Point", "coordinates": list(self.POINTS[code])}


def _label_point(code: str) -> list[Decimal] | None:
    point = lookup_country(code).label_point
    return None if point is None else [Decimal(str(round(v, 6))) for v in point]


@pytest.fixture
def collection(tmp_path: Path) -> Any:
    """The sample tables exported with flows, countries placed by a geometry plugin."""
    with registered_plugin(_Capitals()) as manager:
        return _export(tmp_path, manager=manager, flows=True)


def test_validates_against_the_geojson_schema(collection: Any) -> None:
    """The FeatureCollection is valid GeoJSON by the schema."""
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(json.dumps(collection, default=float)))


def test_every_feature_has_an_id_and_properties(collection: Any) -> None:
    """Each Feature carries a unique string id and a properties object."""
    ids = [feature["id"] for feature in collection["features"]]
    assert len(set(ids)) == len(ids)
    assert all(isinstance(feature["properties"], dict) for feature in collection["features"])


def test_no_crs_member_anywhere(collection: Any) -> None:
    """RFC 7946 removed crs; it appears nowhere in the file."""
    assert "crs" not in json.dumps(collection, default=str)


def test_coordinates_have_at_most_six_decimals(collection: Any) -> None:
    """No coordinate has more than 6 digits after the point."""
    for feature in collection["features"]:
        if feature["geometry"] is None:
            continue
        for position in _positions(feature["geometry"]["coordinates"]):
            for value in position:
                assert -int(Decimal(value).as_tuple().exponent) <= 6


def test_camp_points_are_in_syria_or_iraq_longitude_first(collection: Any) -> None:
    """Camp points fall in Syria's or Iraq's box, which swapped coordinates would leave."""
    camps = [f for f in collection["features"] if f["properties"]["kind"] == "camp"]
    located = [f for f in camps if f["geometry"] is not None]
    assert [f["id"] for f in located] == ["camp/ain-issa", "camp/al-hol", "camp/roj"]
    for feature in located:
        position = feature["geometry"]["coordinates"]
        assert _inside(position, SYRIA_BBOX) or _inside(position, IRAQ_BBOX)


def test_country_features_carry_totals_and_remaining(collection: Any) -> None:
    """KAZ's point carries its totals and its remaining estimate, absent figures as null."""
    kaz = _by_id(collection)["country/KAZ"]
    properties = kaz["properties"]
    assert kaz["geometry"]["type"] == "Point"
    assert (
        properties["kind"],
        properties["country"],
        properties["name"],
    ) == ("country", "KAZ", "Kazakhstan")
    assert (
        properties["total_low"],
        properties["total_best"],
        properties["total_high"],
    ) == (278, 278, 285)
    assert properties["first_date"] == "2019-01-06"
    assert properties["people_per_family"] is None
    assert (
        properties["remaining_low"],
        properties["remaining_best"],
        properties["remaining_high"],
        properties["remaining_clamped"],
    ) == (0, 12, 40, True)
    assert "remaining_best" not in _by_id(collection)["country/UZB"]["properties"]


def test_camp_features_carry_remaining_estimates(collection: Any) -> None:
    """al-Hol's point carries its remaining range; a camp with no baseline has nulls."""
    camps = _by_id(collection)
    assert tuple(
        camps["camp/al-hol"]["properties"][f"remaining_{b}"] for b in ("low", "best", "high")
    ) == (41_980, 43_120, 44_050)
    assert camps["camp/ain-issa"]["properties"]["remaining_best"] is None


def test_place_features_say_who_is_counted_and_whether_it_is_known(collection: Any) -> None:
    """Scope, status and the baseline as reported come along: a region's foreigners are not
    a camp's everyone, and a camp without an observation is "unknown", not a row of nulls."""
    features = _by_id(collection)

    def texts(feature_id: str) -> tuple[Any, ...]:
        properties = features[feature_id]["properties"]
        keys = ("name", "remaining_scope", "remaining_status", "remaining_baseline_text")
        return tuple(properties[key] for key in keys)

    assert ("al-Hol camp", "all", "estimated", "2023-12") == texts("camp/al-hol")
    assert ("North-east Syria (unspecified)", "foreigners", "estimated", "2019-05-10") == (
        texts("camp/nes")
    )
    assert ("Ain Issa camp", "all", "unknown", None) == texts("camp/ain-issa")
    assert ("Kazakhstan", "nationals", "estimated", "2023-06") == texts("country/KAZ")


@pytest.mark.parametrize(
    ("place", "kind", "located"),
    [
        ("al-hol", "camp", True),
        ("nes", "unspecified", False),
        ("nes-prisons", "prison", False),
        ("al-jadaa", "centre", True),
        ("no-such-place", "unspecified", False),
    ],
)
def test_place_features_are_labelled_by_the_kind_of_place(
    tmp_path: Path, place: str, kind: str, located: bool
) -> None:
    """A place's kind is its PlaceKind: prisons and vague regions are not called camps."""
    table = Table(
        "remaining",
        "Remaining",
        [
            Column("place", "Place", ColumnType.TEXT),
            Column("remaining_best", "Remaining", ColumnType.INTEGER),
        ],
        [(place, 10)],
    )
    (feature,) = _export(tmp_path, tables={"remaining": table})["features"]
    assert (f"camp/{place}", kind, located) == (
        feature["id"],
        feature["properties"]["kind"],
        feature["geometry"] is not None,
    )


def test_flows_sum_the_people_moved_from_camp_to_country(collection: Any) -> None:
    """Each (camp, country) LineString sums its operations; an unknown bound stays unknown."""
    features = _by_id(collection)
    kaz = features["flow/al-hol/KAZ"]
    assert kaz["geometry"]["type"] == "LineString"
    assert tuple(
        kaz["properties"][k] for k in ("people_low", "people_best", "people_high", "operations")
    ) == (278, 278, 285, 2)
    start, end = kaz["geometry"]["coordinates"]
    assert _inside(start, SYRIA_BBOX)
    assert end == features["country/KAZ"]["geometry"]["coordinates"]
    assert features["flow/al-hol/KGZ"]["properties"]["people_high"] is None
    # Kosovo's operation came from "Syria (unspecified)", which has no point to draw from.
    assert "flow/syria/XKX" not in features


def test_flows_left_out_are_counted_in_the_metadata(collection: Any) -> None:
    """Operations no line can be drawn for are in metadata.flows_left_out, with why."""
    left_out = collection["metadata"]["flows_left_out"]
    assert (1, 110, 110, 110) == tuple(
        left_out[k] for k in ("operations", "people_low", "people_best", "people_high")
    )
    assert "location at both ends" in left_out["why"]
    assert [
        {
            "from": "syria",
            "to": "XKX",
            "operations": 1,
            "people_low": 110,
            "people_best": 110,
            "people_high": 110,
            "why": "the origin 'syria' (Syria (unspecified)) has no coordinates",
        }
    ] == left_out["flows"]


def test_flows_left_out_sum_their_people_and_keep_an_unknown_bound_unknown(
    tmp_path: Path,
) -> None:
    """Every operation is either in a drawn flow or counted as left out, with its reason."""
    columns = [
        Column("country", "Country", ColumnType.TEXT),
        Column("origin", "From", ColumnType.TEXT),
        Column("total_low", "Total (low)", ColumnType.INTEGER),
        Column("total_best", "Total (best)", ColumnType.INTEGER),
        Column("total_high", "Total (high)", ColumnType.INTEGER),
    ]
    rows = [
        ("KGZ", "nes", 95, 95, 95),
        ("KGZ", "nes", 96, 96, None),
        ("KGZ", None, 59, 59, 59),
        ("ZZZ", "al-hol", 3, 3, 3),
        ("KAZ", "al-hol", 7, 7, 7),
    ]
    operations = Table("operations", "Operations", columns, rows)
    collection = _export(tmp_path, tables={"operations": operations}, flows=True)
    left_out = collection["metadata"]["flows_left_out"]
    assert ["flow/al-hol/KAZ"] == [f["id"] for f in collection["features"]]
    assert (4, 253, 253, None) == tuple(
        left_out[k] for k in ("operations", "people_low", "people_best", "people_high")
    )
    assert [
        (None, "KGZ", 1, "no origin was reported"),
        ("al-hol", "ZZZ", 1, "the receiving country 'ZZZ' has no known location"),
        ("nes", "KGZ", 2, "the origin 'nes' (North-east Syria (unspecified)) has no coordinates"),
    ] == [(f["from"], f["to"], f["operations"], f["why"]) for f in left_out["flows"]]


def test_without_a_plugin_countries_are_at_their_builtin_label_points(tmp_path: Path) -> None:
    """With no geometry plugin a country's point is Country.label_point, or null if unknown."""
    features = _by_id(_export(tmp_path))
    for record in sample_tables()["totals"].records():
        code = record["country"]
        point = _label_point(code)
        expected = None if point is None else {"type": "Point", "coordinates": point}
        assert expected == features[f"country/{code}"]["geometry"], code


def test_flows_are_left_out_by_default(tmp_path: Path) -> None:
    """Without flows=True there are no LineStrings, and no account of flows left out."""
    collection = _export(tmp_path)
    kinds = {f["properties"]["kind"] for f in collection["features"]}
    assert {"country", "camp", "unspecified"} == kinds
    assert "flows_left_out" not in collection["metadata"]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_only_aggregates_never_text_cells(collection: Any) -> None:
    """No free text cell of any table (notes, publishers, messages) reaches the map."""
    written = set(_strings(collection["features"]))
    # Ids and names are looked up from reference data, not taken from cells; scope, status,
    # a baseline date as reported and nationality codes are codes and fixed words.
    keys: tuple[str, ...] = ("country", "country_name", "origin", "place", "place_name")
    keys += ("scope", "status", "baseline_text", "counted_at", "nationalities")
    cells = {
        record[column.name]
        for table in sample_tables().values()
        for column in table.columns
        if column.type is ColumnType.TEXT and column.name not in keys
        for record in table.records()
    }
    assert set() == written & cells


def test_metadata_member(collection: Any) -> None:
    """The collection names the ledger position (a number), clocks, policy and sources."""
    metadata = collection["metadata"]
    assert (28, "2024-06-30", "conservative", "2024-07-01T12:00:00+00:00") == (
        metadata["ledger_position"],
        metadata["as_of"],
        metadata["policy"],
        metadata["generated_at"],
    )
    assert [dict(s) for s in sample_metadata().sources[:2]] == metadata["sources"][:2]
    assert {
        "publisher": "Радио Азаттык",
        "via": None,
        "speaker_kind": "receiving-government",
        "url": None,
        "published": "2019-05-10",
        "reports": 3,
    } == metadata["sources"][2]


def test_nan_fails_the_export(tmp_path: Path) -> None:
    """A NaN in a number column is an ExportError, never a NaN in the file."""
    table = Table(
        "totals",
        "Totals",
        [
            Column("country", "Country", ColumnType.TEXT),
            Column("ratio", "Ratio", ColumnType.NUMBER),
        ],
        [("KAZ", math.nan)],
    )
    with pytest.raises(ExportError, match="NaN"):
        _export(tmp_path, tables={"totals": table})
    assert list(tmp_path.iterdir()) == []


def test_unknown_country_is_kept_without_geometry(tmp_path: Path) -> None:
    """A code with no known location is a feature with a null geometry."""
    table = Table(
        "totals",
        "Totals",
        [
            Column("country", "Country", ColumnType.TEXT),
            Column("total_best", "Total", ColumnType.INTEGER),
        ],
        [("ZZZ", 3)],
    )
    feature = _by_id(_export(tmp_path, tables={"totals": table}))["country/ZZZ"]
    assert (
        feature["geometry"],
        feature["properties"]["name"],
        feature["properties"]["total_best"],
    ) == (None, None, 3)


class _Borders:
    """A geometry plugin: a polygon for Kazakhstan, nothing for the others."""

    @hookimpl
    def country_geometry(self, code: str) -> dict[str, Any] | None:
        if code != "KAZ":
            return None
        ring = [[50.1234567, 45.0], [80.0, 45.0], [80.0, 55.0], [50.1234567, 45.0]]
        return {"type": "Polygon", "coordinates": [ring]}


class _Swapped:
    """A broken geometry plugin: latitude first, out of range."""

    @hookimpl
    def country_geometry(self, code: str) -> dict[str, Any] | None:
        return {"type": "Point", "coordinates": [48.0, 167.0]}


def test_country_geometry_hook_supplies_borders(tmp_path: Path) -> None:
    """The first plugin's answer wins: a polygon for KAZ, the other plugin's points for others."""
    with (
        registered_plugin(_Capitals()) as manager,
        registered_plugin(_Borders(), manager=manager),
    ):
        collection = _export(tmp_path, manager=manager, flows=True)
    features = _by_id(collection)
    kaz = features["country/KAZ"]["geometry"]
    assert kaz["type"] == "Polygon"
    assert Decimal("50.123457") == kaz["coordinates"][0][0][0]
    assert [Decimal("69.2401"), Decimal("41.2995")] == features["country/UZB"]["geometry"][
        "coordinates"
    ]
    # A flow needs a point: it ends at the built-in label point, or else the polygon's middle.
    end = features["flow/al-hol/KAZ"]["geometry"]["coordinates"][1]
    assert (_label_point("KAZ") or [Decimal("65.061729"), Decimal("50")]) == end
    jsonschema.Draft7Validator(SCHEMA).validate(json.loads(json.dumps(collection, default=float)))


def test_invalid_plugin_geometry_fails_the_export(tmp_path: Path) -> None:
    """A geometry with latitude first (out of range) is an ExportError naming the country."""
    with registered_plugin(_Swapped()) as manager, pytest.raises(ExportError, match="FRA"):
        _export(tmp_path, manager=manager)
    assert list(tmp_path.iterdir()) == []


def test_two_rows_for_one_country_fail_instead_of_overwriting(tmp_path: Path) -> None:
    """A totals table with two rows for one country is an ExportError, not a silent merge."""
    table = Table(
        "totals",
        "Totals",
        [
            Column("country", "Country", ColumnType.TEXT),
            Column("total_best", "Total", ColumnType.INTEGER),
        ],
        [("KAZ", 3), ("KAZ", 4)],
    )
    with pytest.raises(ExportError, match="more than one row for 'KAZ'"):
        _export(tmp_path, tables={"totals": table})


# -- one layer per file, for a GIS ------------------------------------------------------------
LAYER_TYPES = {"countries": "Point", "camps": "Point", "flows": "LineString"}


@pytest.fixture(scope="module")
def layers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layers")
    with Ledger.in_memory() as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        return {
            layer: ledger.export("geojson", folder / f"{layer}.geojson", layer=layer)[0]
            for layer in LAYER_TYPES
        }


@pytest.mark.parametrize(("layer", "geometry_type"), list(LAYER_TYPES.items()))
def test_gdal_reads_each_layer_with_one_typed_geometry(
    layers: dict[str, Path], layer: str, geometry_type: str
) -> None:
    """GDAL (through pyogrio) reads each layer with its geometry type, not Unknown, and only
    its own fields."""
    pyogrio = pytest.importorskip("pyogrio")
    info = pyogrio.read_info(layers[layer])
    assert geometry_type == info["geometry_type"]
    assert info["features"] > 0
    fields = set(info["fields"])
    assert ("people_best" in fields) == (layer == "flows")
    assert ("total_best" in fields) == (layer == "countries")
    assert ("place" in fields) == (layer == "camps")


@pytest.mark.parametrize("layer", list(LAYER_TYPES))
@pytest.mark.parametrize(("driver", "suffix"), [("GPKG", "gpkg"), ("ESRI Shapefile", "shp")])
def test_each_layer_converts_to_a_geopackage_and_a_shapefile(
    layers: dict[str, Path], tmp_path: Path, layer: str, driver: str, suffix: str
) -> None:
    """Each layer converts to a GeoPackage and a Shapefile with every feature kept."""
    pyogrio = pytest.importorskip("pyogrio")
    meta, _, geometry, field_data = pyogrio.raw.read(layers[layer])
    target = tmp_path / f"{layer}.{suffix}"
    with warnings.catch_warnings():
        # A Shapefile cuts field names to ten characters, and GDAL says so.
        warnings.simplefilter("ignore", RuntimeWarning)
        pyogrio.raw.write(
            target,
            geometry,
            field_data,
            meta["fields"],
            crs=meta["crs"],
            geometry_type=meta["geometry_type"],
            driver=driver,
        )
    info = pyogrio.read_info(target)
    assert len(geometry) == info["features"]
    assert LAYER_TYPES[layer] == info["geometry_type"]


def test_a_layer_lists_its_features_without_a_location_in_the_metadata(
    layers: dict[str, Path],
) -> None:
    """A camp with no coordinates is not a feature of the camps layer (every feature has a
    geometry) but is listed, with its figures, in metadata.without_location."""
    collection = _read(layers["camps"])
    assert all(feature["geometry"] for feature in collection["features"])
    missing = {
        item["id"]: item["properties"] for item in collection["metadata"]["without_location"]
    }
    assert "camp/nes" in missing
    assert missing["camp/nes"]["remaining_best"] is not None
    assert "camps" == collection["metadata"]["layer"]


def test_countries_with_shapes_from_a_plugin_are_one_multipolygon_layer(tmp_path: Path) -> None:
    """When a plugin gives every country a shape, the countries layer is all MultiPolygons
    (a Polygon is promoted), never a mix of points and shapes."""
    square = [[[60.0, 40.0], [61.0, 40.0], [61.0, 41.0], [60.0, 40.0]]]

    class Shapes:
        @hookimpl
        def country_geometry(self, code: str) -> dict[str, Any]:
            return {"type": "Polygon", "coordinates": square}

    with registered_plugin(Shapes()) as manager:
        (path,) = export_tables(
            "geojson",
            sample_tables(),
            sample_metadata(),
            tmp_path / "countries.geojson",
            plugin_manager=manager,
            layer="countries",
        )
    types = {feature["geometry"]["type"] for feature in _read(path)["features"]}
    assert {"MultiPolygon"} == types


def test_an_unknown_layer_is_an_export_error(tmp_path: Path) -> None:
    """A layer that is not countries, camps, flows or all fails and names the choices."""
    with pytest.raises(ExportError, match="'countries'"):
        export_tables(
            "geojson",
            sample_tables(),
            sample_metadata(),
            tmp_path / "x.geojson",
            plugin_manager=get_plugin_manager(load_entrypoints=False),
            layer="rivers",
        )
