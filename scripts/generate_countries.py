"""Generate ``src/repatevents/data/countries.json``, the country table repatevents ships.

This is a development-time tool: the package reads the JSON it writes and never imports this
script, pycountry or shapely.

How to run it, from the repository root::

    tmp="$(mktemp -d)" && (cd "$tmp" && npm install world-atlas@2.0.2)
    .venv/bin/pip install pycountry==26.2.16 shapely==2.2.0
    atlas="$tmp/node_modules/world-atlas"
    .venv/bin/python scripts/generate_countries.py "$atlas/countries-50m.json"

Versions used for the committed file: world-atlas 2.0.2 (Natural Earth 1:50m admin-0,
``countries-50m.json``), pycountry 26.2.16, shapely 2.2.0, Python 3.11. The TopoJSON is decoded
here rather than with topojson-client's ``topo2geo``, so Node is only needed to fetch the file.

What goes into the table:

* every country pycountry knows (ISO 3166-1), plus Kosovo as ``XKX``/``XK`` (no ISO code; it is
  matched in world-atlas by name because its feature has no numeric id);
* ``name``: pycountry's ``common_name`` or ``name``, or a readable override (``NAME_OVERRIDES``);
* ``aliases``: pycountry's other names plus ``CURATED_ALIASES``; an alias that would also name
  another country is dropped and reported, so every lookup key names exactly one country;
* ``label_point``: [longitude, latitude] by ``shapely.ops.polylabel`` on the country's largest
  polygon, so France is labelled in Europe, not French Guiana; ``null`` for countries that
  world-atlas has no shape for (small islands, and territories drawn as part of another country).

Run it again after bumping a version and review the diff: one country per line keeps it readable.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pycountry
from shapely.geometry import Point, Polygon
from shapely.ops import polylabel

OUTPUT = Path(__file__).resolve().parent.parent / "src" / "repatevents" / "data" / "countries.json"

KOSOVO = {"code": "XKX", "alpha2": "XK", "numeric": None, "name": "Kosovo"}

# pycountry's ISO names are precise but awkward on a map or in a report ("Korea, Republic of").
NAME_OVERRIDES: dict[str, str] = {
    "RUS": "Russia",
    "IRN": "Iran",
    "SYR": "Syria",
    "MDA": "Moldova",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "VNM": "Vietnam",
    "LAO": "Laos",
    "TZA": "Tanzania",
    "VEN": "Venezuela",
    "BOL": "Bolivia",
    "TUR": "Türkiye",
    "PSE": "Palestine",
    "TWN": "Taiwan",
    "VAT": "Vatican City",
    "BRN": "Brunei",
    "FSM": "Micronesia",
    "CZE": "Czechia",
    "GBR": "United Kingdom",
    "USA": "United States",
    "NLD": "Netherlands",
    "COD": "DR Congo",
    "COG": "Republic of the Congo",
}

# Names reports and users actually write. Only sovereign states and ISO territories: a
# sub-national region (Chechnya, Kurdistan, Scotland) is not a receiving country and must fail.
# Listing a country's own name is harmless (it is dropped) and keeps the lookup pinned if
# pycountry renames it.
CURATED_ALIASES: dict[str, list[str]] = {
    "KGZ": ["Kyrgyz Republic", "Kirghizia", "Kirgizia"],
    "KAZ": ["Kazakhstan", "Kazakstan"],
    "TJK": ["Tajikistan"],
    "UZB": ["Uzbekistan"],
    "AZE": ["Azerbaijan"],
    "RUS": ["Russia", "Russian Federation"],
    "TUR": ["Türkiye", "Turkey"],
    "GBR": ["UK", "Britain", "Great Britain", "United Kingdom"],
    "USA": ["USA", "US", "United States", "United States of America", "America"],
    "NLD": ["The Netherlands", "Holland"],
    "IRN": ["Iran"],
    "SYR": ["Syria", "Syrian Arab Republic"],
    "IRQ": ["Iraq"],
    "MDA": ["Moldova"],
    "BIH": ["Bosnia", "Bosnia-Herzegovina"],
    "MKD": ["North Macedonia", "Macedonia"],
    "CZE": ["Czechia", "Czech Republic"],
    "CIV": ["Ivory Coast", "Côte d'Ivoire"],
    "KOR": ["South Korea", "Republic of Korea"],
    "PRK": ["North Korea", "DPRK"],
    "VNM": ["Vietnam", "Viet Nam"],
    "LAO": ["Laos"],
    "TZA": ["Tanzania"],
    "VEN": ["Venezuela"],
    "BOL": ["Bolivia"],
    "PSE": ["Palestine", "State of Palestine"],
    "TWN": ["Taiwan"],
    "VAT": ["Vatican", "Vatican City", "Holy See"],
    "BRN": ["Brunei"],
    "TTO": ["Trinidad"],
    "COD": [
        "Congo-Kinshasa",
        "DR Congo",
        "DRC",
        "Democratic Republic of the Congo",
        "Democratic Republic of Congo",
    ],
    "COG": ["Congo-Brazzaville", "Republic of the Congo", "Republic of Congo"],
    "SWZ": ["Eswatini", "Swaziland"],
    "CPV": ["Cape Verde", "Cabo Verde"],
    "MMR": ["Burma", "Myanmar"],
    "TLS": ["East Timor", "Timor-Leste"],
    "FSM": ["Micronesia"],
    "SDN": ["Sudan"],
    "SSD": ["South Sudan"],
    "MDV": ["Maldives"],
    "ARE": ["UAE", "Emirates"],
    "XKX": ["Kosovo", "Republic of Kosovo"],
}


def normalise(text: str) -> str:
    """Return the lookup key of a name, exactly as ``repatevents.events._countries`` makes it."""
    # Duplicated rather than imported so the script runs without the package installed; the
    # tests look every name and alias up through the runtime, which catches any drift.
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = re.sub(r"['`\u2019]", "", ascii_text).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def decode_topojson(topology: dict[str, Any], object_name: str) -> list[dict[str, Any]]:
    """Return the features of one TopoJSON object as ``{"id", "name", "polygons"}`` dicts.

    ``polygons`` is a list of polygons, each a list of rings of (lon, lat) tuples.
    """
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        # Quantised arcs are delta-encoded: each position is an offset from the previous one.
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indices: Sequence[int]) -> list[tuple[float, float]]:
        coords: list[tuple[float, float]] = []
        for index in indices:
            # A negative index is the one's complement of an arc to walk backwards.
            points = arcs[~index][::-1] if index < 0 else arcs[index]
            # Consecutive arcs share their joining point; keep it once.
            coords.extend(points[1:] if coords else points)
        return coords

    features = []
    for geometry in topology["objects"][object_name]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [[ring(r) for r in geometry["arcs"]]]
        elif geometry["type"] == "MultiPolygon":
            polygons = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        features.append(
            {
                "id": geometry.get("id"),
                "name": geometry.get("properties", {}).get("name"),
                "polygons": polygons,
            }
        )
    return features


def unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Return ``ring`` with longitudes made continuous across the antimeridian.

    world-atlas stitches shapes cut at 180° back together (Chukotka, Fiji's Taveuni), so a ring
    can jump from 179.9 to -180; read as a plane that is a polygon around the whole world. Past
    the jump the longitudes run on beyond 180 instead. A ring that does not close once unwrapped
    goes round a pole (Antarctica) and is returned as it was.
    """
    out = [ring[0]]
    for lon, lat in ring[1:]:
        previous = out[-1][0]
        lon += 360 * round((previous - lon) / 360)
        out.append((lon, lat))
    if abs(out[-1][0] - out[0][0]) > 1e-9:
        return ring
    return out


def _beside(hole: list[tuple[float, float]], shell: list[tuple[float, float]]) -> list[Any]:
    # An unwrapped hole may come out a whole turn away from its unwrapped shell.
    offset = 360 * round((shell[0][0] - hole[0][0]) / 360)
    return [(lon + offset, lat) for lon, lat in hole]


def label_point(polygons: Iterable[list[list[tuple[float, float]]]]) -> list[float] | None:
    """Return [lon, lat] inside the largest of ``polygons``, rounded to 4 decimals."""
    shapes = []
    for rings in polygons:
        shell = unwrap(rings[0])
        holes = [_beside(unwrap(hole), shell) for hole in rings[1:]]
        shape = Polygon(shell, holes)
        if not shape.is_valid:
            shape = shape.buffer(0)
        if shape.geom_type == "MultiPolygon":
            shapes.extend(shape.geoms)
        elif not shape.is_empty:
            shapes.append(shape)
    if not shapes:
        return None

    def true_area(shape: Any) -> float:
        # A square degree shrinks towards the poles; without this Svalbard could outweigh
        # mainland Norway and Alaska the contiguous United States.
        return float(shape.area) * math.cos(math.radians(shape.centroid.y))

    largest = max(shapes, key=true_area)
    for candidate in (polylabel(largest, tolerance=0.01), largest.representative_point()):
        point = [round(candidate.x, 4), round(candidate.y, 4)]
        # Rounding moves the point by up to 5e-5 degrees; on a sliver of an island that can be
        # enough to fall into the sea.
        if largest.contains(Point(point)):
            # Back from the unwrapped frame (Chukotka lies past 180 there) to [-180, 180).
            return [round((point[0] + 180) % 360 - 180, 4), point[1]]
    raise RuntimeError(f"no label point inside {largest.wkt[:80]}")


def build_table(features: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the table rows sorted by code, and a note for every alias dropped as ambiguous."""
    polygons_by_numeric: dict[str, list[Any]] = {}
    kosovo_polygons: list[Any] = []
    for feature in features:
        if feature["id"] is not None:
            # Several features can share an id (Australia and the Ashmore and Cartier Islands).
            polygons_by_numeric.setdefault(feature["id"], []).extend(feature["polygons"])
        elif feature["name"] == "Kosovo":
            kosovo_polygons.extend(feature["polygons"])
    if not kosovo_polygons:
        raise SystemExit("world-atlas has no feature named Kosovo; check the input file")

    rows: list[dict[str, Any]] = []
    for country in pycountry.countries:
        code = country.alpha_3
        name = NAME_OVERRIDES.get(code) or getattr(country, "common_name", None) or country.name
        names = [
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
            *CURATED_ALIASES.get(code, []),
        ]
        polygons = polygons_by_numeric.get(country.numeric)
        rows.append(
            {
                "code": code,
                "alpha2": country.alpha_2,
                "numeric": country.numeric,
                "name": name,
                "aliases": [n for n in names if n],
                "label_point": label_point(polygons) if polygons else None,
            }
        )
    rows.append(
        {
            **KOSOVO,
            "aliases": CURATED_ALIASES["XKX"],
            "label_point": label_point(kosovo_polygons),
        }
    )
    unknown = set(CURATED_ALIASES) - {row["code"] for row in rows}
    if unknown:
        raise SystemExit(f"curated aliases for unknown codes: {sorted(unknown)}")
    rows.sort(key=lambda row: row["code"])
    return rows, _clean_aliases(rows)


def _clean_aliases(rows: list[dict[str, Any]]) -> list[str]:
    # A key that is a code or the name of one country stays that country's; an alias that would
    # name a second country is dropped; an alias two countries share belongs to neither.
    owners: dict[str, set[str]] = {}
    primary: dict[str, str] = {}
    for row in rows:
        for key in (row["code"], row["alpha2"], row["numeric"], row["name"]):
            if key is None:
                continue
            norm = normalise(key)
            if primary.setdefault(norm, row["code"]) != row["code"]:
                raise SystemExit(f"{key!r} names both {primary[norm]} and {row['code']}")
    for row in rows:
        for alias in row["aliases"]:
            owners.setdefault(normalise(alias), set()).add(row["code"])

    dropped = []
    for row in rows:
        seen = {
            normalise(k) for k in (row["code"], row["alpha2"], row["numeric"], row["name"]) if k
        }
        kept = []
        for alias in row["aliases"]:
            norm = normalise(alias)
            if norm in seen:
                # The name or a code again, or a name that differs only in case, accents or
                # punctuation: the lookup already finds it.
                continue
            seen.add(norm)
            others = (owners[norm] | {primary.get(norm, row["code"])}) - {row["code"]}
            if others:
                dropped.append(f"{alias!r} for {row['code']} (also {', '.join(sorted(others))})")
                continue
            kept.append(alias)
        row["aliases"] = kept
    return dropped


def write_table(rows: list[dict[str, Any]], path: Path) -> None:
    """Write ``rows`` as a JSON list, one country per line so that diffs stay readable."""
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Read world-atlas' countries-50m.json, write the country table and report what it did."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas' countries-50m.json")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    rows, dropped = build_table(decode_topojson(topology, "countries"))
    write_table(rows, args.output)

    without_point = [row["code"] for row in rows if row["label_point"] is None]
    print(f"wrote {len(rows)} countries to {args.output} ({args.output.stat().st_size} bytes)")
    print(f"no label point (no shape in world-atlas): {', '.join(without_point)}")
    for note in dropped:
        print(f"dropped ambiguous alias {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
