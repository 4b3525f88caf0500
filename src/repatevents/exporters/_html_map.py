"""The report's map: receiving countries shaded by their total, camps, and flows between them.

An inline SVG in an equirectangular projection (longitude scaled by the cosine of the middle
latitude), framed on the countries and camps in the data. Country outlines are Natural Earth
1:110m shapes generated into ``repatevents/data/country_shapes.json`` by
``scripts/generate_country_shapes.py``; a country with no shape there (a small island) is drawn
as a dot at its label point, so every country in the data has exactly one mark.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from importlib.resources import files

import attrs

from .._tables import Table
from ._html_common import NO_DATA, PALETTE, attr, count_text, esc, range_text

__all__ = ["MapCountry", "classes", "render_map"]

_WIDTH = 960.0
_MIN_HEIGHT, _MAX_HEIGHT = 420.0, 640.0
_PADDING_DEGREES = 8.0


@attrs.frozen
class MapCountry:
    """One receiving country as the map draws it."""

    code: str
    name: str
    best: int | None
    low: int | None
    high: int | None
    lon: float | None
    lat: float | None


@attrs.frozen
class _Camp:
    place: str
    name: str
    lon: float
    lat: float


@functools.cache
def _shapes() -> Mapping[str, Sequence[Sequence[Sequence[float]]]]:
    text = (files("repatevents.data") / "country_shapes.json").read_text(encoding="utf-8")
    return {item["code"]: item["polygons"] for item in json.loads(text)}


class _Frame:
    """The projection: longitude and latitude to SVG pixels, framed on the data."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        if not points:
            # Nothing located: frame the region the camps are in, from Europe to Central Asia.
            points = [(-10.0, 35.0), (75.0, 60.0)]
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        west = max(-180.0, min(lons) - _PADDING_DEGREES)
        east = min(180.0, max(lons) + _PADDING_DEGREES)
        south = max(-85.0, min(lats) - _PADDING_DEGREES)
        north = min(85.0, max(lats) + _PADDING_DEGREES)
        self.cos = math.cos(math.radians((south + north) / 2))
        span_x = (east - west) * self.cos
        span_y = north - south
        # Keep the picture between a letterbox and a square: widen the narrower side.
        height = _WIDTH * span_y / span_x
        if height < _MIN_HEIGHT:
            extra = (_MIN_HEIGHT / _WIDTH * span_x - span_y) / 2
            south, north = south - extra, north + extra
        elif height > _MAX_HEIGHT:
            extra = (span_y * _WIDTH / _MAX_HEIGHT - span_x) / 2 / self.cos
            west, east = west - extra, east + extra
        self.west, self.north = west, north
        self.scale = _WIDTH / ((east - west) * self.cos)
        self.height = round((north - south) * self.scale, 1)
        self.bounds = (west, south, east, north)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon - self.west) * self.cos * self.scale, 1),
            round((self.north - lat) * self.scale, 1),
        )

    def path(self, polygons: Sequence[Sequence[Sequence[float]]]) -> str:
        # Whole pixels and relative steps: outlines are most of the page's weight, and a pixel
        # is finer than the 1:110m shapes themselves at this size.
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points = [self.xy(ring[i], ring[i + 1]) for i in range(0, len(ring), 2)]
                x0, y0 = round(points[0][0]), round(points[0][1])
                steps = [f"M{x0} {y0}l"]
                last = (x0, y0)
                for x, y in points[1:]:
                    here = (round(x), round(y))
                    if here != last:
                        steps.append(f"{here[0] - last[0]} {here[1] - last[1]} ")
                        last = here
                parts.append("".join(steps).rstrip() + "z")
        return "".join(parts)

    def overlaps(self, polygons: Sequence[Sequence[Sequence[float]]]) -> bool:
        west, south, east, north = self.bounds
        for polygon in polygons:
            ring = polygon[0]
            lons, lats = ring[0::2], ring[1::2]
            if min(lons) < east and max(lons) > west and min(lats) < north and max(lats) > south:
                return True
        return False


def _n(value: float) -> str:
    # "12.0" -> "12": a tenth of a pixel is the precision kept, and the bytes add up.
    return f"{value:.1f}".rstrip("0").rstrip(".")


def classes(values: Sequence[int]) -> list[int]:
    """Return the lower bounds of up to five colour classes for ``values``, rising.

    The bounds are the quantiles of the distinct values rounded down to 1, 2 or 5 times a
    power of ten, so a few countries still fall into different classes and a legend reads
    "20–199" rather than "17–213".
    """
    distinct = sorted({v for v in values if v > 0})
    bounds = [1]
    for k in range(1, len(PALETTE)):
        if not distinct:
            break
        quantile = distinct[len(distinct) * k // len(PALETTE)]
        nice = _nice_floor(quantile)
        if nice > bounds[-1]:
            bounds.append(nice)
    return bounds


def _nice_floor(value: int) -> int:
    magnitude = int(10 ** (len(str(value)) - 1))
    return max(step * magnitude for step in (1, 2, 5) if step * magnitude <= value)


def _colour(best: int | None, bounds: Sequence[int]) -> str:
    if best is None or best <= 0:
        return NO_DATA
    index = max((i for i, b in enumerate(bounds) if best >= b), default=0)
    return PALETTE[index + len(PALETTE) - len(bounds)]


def _camps(tables: Mapping[str, Table]) -> list[_Camp]:
    camps: dict[str, _Camp] = {}
    for name, id_col, name_col in (
        ("remaining", "place", "place_name"),
        ("operations", "origin", "origin_name"),
    ):
        table = tables.get(name)
        if table is None:
            continue
        for record in table.records():
            place, lon, lat = record.get(id_col), record.get("lon"), record.get("lat")
            if place is None or lon is None or lat is None:
                continue
            camps.setdefault(place, _Camp(place, str(record.get(name_col) or place), lon, lat))
    return [camps[p] for p in sorted(camps)]


def _flows(
    tables: Mapping[str, Table], countries: Mapping[str, MapCountry], camps: Sequence[_Camp]
) -> tuple[dict[tuple[str, str], list[int]], int, int]:
    """Return (camp, country) -> [operations, people] and the operations and people not drawn."""
    located = {c.place for c in camps}
    sums: dict[tuple[str, str], list[int]] = {}
    left_operations = left_people = 0
    table = tables.get("operations")
    for record in [] if table is None else table.records():
        origin, code = record.get("origin"), record.get("country")
        best = record.get("total_best")
        people = best if isinstance(best, int) and best > 0 else 0
        country = countries.get(code) if code is not None else None
        if (
            origin in located
            and country is not None
            and country.lon is not None
            and country.lat is not None
        ):
            item = sums.setdefault((origin, country.code), [0, 0])
            item[0] += 1
            item[1] += people
        elif country is not None:
            left_operations += 1
            left_people += people
    return sums, left_operations, left_people


def render_map(
    countries: Sequence[MapCountry], tables: Mapping[str, Table], bounds: Sequence[int]
) -> tuple[str, str]:
    """Return the map as an SVG with a text alternative, and notes on what it cannot draw.

    Args:
        countries: the receiving countries to shade, with their totals.
        tables: the export's tables (camps come from ``remaining`` and ``operations``, flows
            from ``operations``).
        bounds: the lower bounds of the colour classes (see :func:`classes`).
    """
    shapes = _shapes()
    camps = _camps(tables)
    by_code = {c.code: c for c in countries}
    points = [(c.lon, c.lat) for c in countries if c.lon is not None and c.lat is not None]
    points += [(c.lon, c.lat) for c in camps]
    frame = _Frame(points)
    w, h = _n(_WIDTH), _n(frame.height)
    out = [
        f'<svg id="map" viewBox="0 0 {w} {h}" role="group" aria-labelledby="map-title map-desc"'
        ' class="map">',
        '<title id="map-title">Map of receiving countries, camps and flows</title>',
        f'<desc id="map-desc">{esc(_description(countries, camps))}</desc>',
        f'<rect class="sea" x="0" y="0" width="{w}" height="{h}"/>',
        '<g class="land" aria-hidden="true">',
    ]
    for code in sorted(shapes):
        if code not in by_code and frame.overlaps(shapes[code]):
            out.append(f'<path d="{frame.path(shapes[code])}"/>')
    out.append('</g>\n<g class="countries">')
    unplaced: list[MapCountry] = []
    for country in countries:
        label = _country_label(country)
        common = (
            f'class="country" data-country="{attr(country.code)}" tabindex="0" '
            f'fill="{_colour(country.best, bounds)}" aria-label="{attr(label)}"'
        )
        if country.code in shapes:
            out.append(
                f'<path {common} d="{frame.path(shapes[country.code])}"><title>{esc(label)}'
                "</title></path>"
            )
        elif country.lon is not None and country.lat is not None:
            x, y = frame.xy(country.lon, country.lat)
            out.append(
                f'<circle {common} cx="{_n(x)}" cy="{_n(y)}" r="5"><title>{esc(label)}'
                "</title></circle>"
            )
        else:
            unplaced.append(country)
    out.append("</g>")
    sums, left_operations, left_people = _flows(tables, by_code, camps)
    out += _flow_lines(frame, sums, by_code, camps)
    out += _camp_marks(frame, camps)
    out.append("</svg>")
    svg = "\n".join(out)
    notes = []
    if unplaced:
        names = ", ".join(
            f'<span data-unplaced="{attr(c.code)}">{esc(c.name)}</span>' for c in unplaced
        )
        notes.append(
            f"Not on the map, for want of a known location: {names}; the table beside the map "
            "and the totals below have their figures."
        )
    if left_operations:
        # Said, not hidden: a reader adding up the lines must not take them for every operation.
        notes.append(
            f"No line is drawn for {left_operations} operation"
            f"{'s' if left_operations != 1 else ''} ({count_text(left_people)} people, best "
            "estimate) whose origin is a region or an unspecified place rather than a camp "
            "with a known location; they are counted in the countries' totals."
        )
    return svg, "".join(f'<p class="map-note">{note}</p>' for note in notes)


def _flow_lines(
    frame: _Frame,
    sums: Mapping[tuple[str, str], list[int]],
    countries: Mapping[str, MapCountry],
    camps: Sequence[_Camp],
) -> list[str]:
    if not sums:
        return []
    widest = max(people for _, people in sums.values()) or 1
    at = {c.place: c for c in camps}
    out = ['<g class="flows">']
    for (place, code), (operations, people) in sorted(sums.items()):
        camp, country = at[place], countries[code]
        if country.lon is None or country.lat is None:
            continue  # _flows only sums located countries; this keeps the types honest
        x1, y1 = frame.xy(camp.lon, camp.lat)
        x2, y2 = frame.xy(country.lon, country.lat)
        # A gentle arc, bent to the left of the direction of travel, so lines to neighbouring
        # countries do not lie on top of each other.
        mx, my = (x1 + x2) / 2 - (y2 - y1) * 0.15, (y1 + y2) / 2 + (x2 - x1) * 0.15
        width = 1.5 + 6 * math.sqrt(people / widest)
        label = (
            f"{camp.name} to {country.name}: {count_text(people)} people (best) in "
            f"{operations} operation{'s' if operations != 1 else ''}"
        )
        out.append(
            f'<path class="flow" data-from="{attr(place)}" data-to="{attr(code)}" '
            f'd="M{_n(x1)} {_n(y1)}Q{_n(mx)} {_n(my)} {_n(x2)} {_n(y2)}" '
            f'stroke-width="{_n(width)}"><title>{esc(label)}</title></path>'
        )
    out.append("</g>")
    return out


def _camp_marks(frame: _Frame, camps: Sequence[_Camp]) -> list[str]:
    out = ['<g class="camps">']
    placed: list[tuple[float, float]] = []
    # Camps lie close together (al-Hol, Roj and Ain Issa are a few dozen km apart): each label
    # goes right of its mark, moved down below any label it would overlap.
    for camp in sorted(camps, key=lambda c: (-c.lat, c.lon, c.place)):
        x, y = frame.xy(camp.lon, camp.lat)
        label_y = y + 4
        while any(abs(label_y - py) < 15 and abs(x - px) < 120 for px, py in placed):
            label_y += 15
        placed.append((x, label_y))
        leader = (
            f'<line x1="{_n(x + 4)}" y1="{_n(y)}" x2="{_n(x + 10)}" y2="{_n(label_y - 4)}"/>'
            if label_y != y + 4
            else ""
        )
        out.append(
            f'<g class="camp" data-place="{attr(camp.place)}" tabindex="0" '
            f'aria-label="{attr(camp.name)}"><title>{esc(camp.name)}</title>'
            f'<path d="M{_n(x)} {_n(y - 7)}L{_n(x + 6)} {_n(y + 4)}L{_n(x - 6)} {_n(y + 4)}Z"/>'
            f'{leader}<text x="{_n(x + 10)}" y="{_n(label_y)}">{esc(camp.name)}</text></g>'
        )
    out.append("</g>")
    return out


def _country_label(country: MapCountry) -> str:
    return (
        f"{country.name}: {count_text(country.best)} people (best estimate), range "
        f"{range_text(country.low, country.high)}"
    )


def _description(countries: Sequence[MapCountry], camps: Sequence[_Camp]) -> str:
    ranked = sorted(countries, key=lambda c: (-(c.best or 0), c.code))
    named = "; ".join(f"{c.name} {count_text(c.best)}" for c in ranked)
    where = ", ".join(c.name for c in camps) or "no located camp"
    return (
        f"{len(countries)} receiving countries, shaded darker for more people repatriated "
        f"(best estimates: {named or 'none'}). Camps marked with triangles: {where}. Lines run "
        "from each camp to the countries its people were taken to; the same figures are in "
        "the table beside the map."
    )
