"""Generate ``src/repatevents/data/country_shapes.json``: the outlines the HTML report draws.

This is a development-time tool: the package reads the JSON it writes and never imports this
script. It needs only the standard library (Node is only used to fetch the TopoJSON).

How to run it, from the repository root::

    tmp="$(mktemp -d)" && (cd "$tmp" && npm install world-atlas@2.0.2)
    .venv/bin/python scripts/generate_country_shapes.py \\
        "$tmp/node_modules/world-atlas/countries-110m.json"

Version used for the committed file: world-atlas 2.0.2 (Natural Earth 1:110m admin-0,
``countries-110m.json``; Natural Earth is in the public domain), Python 3.11.

What goes into the file:

* one line per country that world-atlas has a shape for and ``countries.json`` knows, matched by
  ISO 3166-1 numeric code (Kosovo, which has no numeric code, by name); features without a code
  (Northern Cyprus, Somaliland) are left out, so the map shows no state repatevents cannot name;
* ``polygons``: a list of polygons, each a list of rings, each ring a flat list
  ``[lon, lat, lon, lat, ...]`` rounded to 2 decimals (about 1 km);
* a ring that crosses the antimeridian gets longitudes above 180 on its eastern side;
* the shapes are simplified on the TopoJSON *arcs* (Douglas-Peucker, ``TOLERANCE`` degrees)
  before polygons are assembled, so a border shared by two countries is simplified once and
  the two shapes still meet without gaps or overlaps.

Run it again after bumping the version and review the diff: one country per line.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "src" / "repatevents" / "data"
OUTPUT = DATA / "country_shapes.json"
COUNTRIES = DATA / "countries.json"

TOLERANCE = 0.08
DECIMALS = 2

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Return the topology's arcs as absolute [lon, lat] points (undoing quantisation)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Return the points Douglas-Peucker keeps; the ends always stay (arcs meet there)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                distance = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            else:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / length
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring(arcs: list[list[Point]], indexes: Sequence[int]) -> list[float]:
    """Join a ring's arcs (a negative index is arc ~i reversed) into a flat coordinate list."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their end point; keep it once.
        points.extend(arc if not points else arc[1:])
    # A ring cut at the antimeridian (Russia's Chukotka, Fiji) jumps from 180 to -180; moving its
    # western part east of 180 keeps it one shape instead of a band across the whole map.
    if max(p[0] for p in points) - min(p[0] for p in points) > 180:
        points = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
    flat: list[float] = []
    last: tuple[float, float] | None = None
    for lon, lat in points:
        rounded = (round(lon, DECIMALS), round(lat, DECIMALS))
        if rounded != last:
            flat.extend(rounded)
            last = rounded
    return flat


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-110m.json")
    args = parser.parse_args(argv)
    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    arcs = [simplify(arc, TOLERANCE) for arc in decode_arcs(topology)]
    countries = json.loads(COUNTRIES.read_text(encoding="utf-8"))
    by_numeric = {c["numeric"]: c["code"] for c in countries if c["numeric"]}
    shapes: dict[str, list[list[list[float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        code = "XKX" if name == "Kosovo" else by_numeric.get(geometry.get("id", ""))
        if code is None:
            print(f"left out: {name} (no ISO code)", file=sys.stderr)
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [[ring(arcs, r) for r in polygon] for polygon in polygons]
        # A ring simplified to fewer than 3 points has no area left to draw.
        kept = [[r for r in polygon if len(r) >= 6] for polygon in rings]
        shapes.setdefault(code, []).extend(p for p in kept if p)
    lines = [
        json.dumps({"code": code, "polygons": shapes[code]}, separators=(",", ":"))
        for code in sorted(shapes)
    ]
    OUTPUT.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    print(f"wrote {len(lines)} countries to {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
