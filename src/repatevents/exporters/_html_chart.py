"""The report's chart: one small panel per country, cumulative totals over time with the range.

Each panel is a small inline SVG (so panels wrap on a phone): the low-high band and the best
line come from the ``timeseries`` table (by month), and each operation of the ``operations``
table is a point on the line at the month its latest possible day falls in, whose tooltip
names its reports' sources. All panels share the time axis; each has its own count axis,
because the countries' totals differ by orders of magnitude.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .._tables import Table
from ._html_common import Footnotes, attr, count_text, esc, range_text

__all__ = ["render_chart"]

_W, _H = 300.0, 150.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 44.0, 10.0, 12.0, 22.0


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_top(value: int) -> int:
    if value <= 0:
        return 10
    magnitude = int(10 ** (len(str(value)) - 1))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return 10 * magnitude


def render_chart(
    tables: Mapping[str, Table], names: Mapping[str, str], footnotes: Footnotes
) -> str:
    """Return the small-multiples chart, one ``svg.series`` per country with a time series.

    Args:
        tables: the export's tables (``timeseries`` and ``operations``).
        names: the countries to draw, code to name, in the order to draw them.
        footnotes: the export's sources, for the points' tooltips.
    """
    series: dict[str, list[dict[str, Any]]] = defaultdict(list)
    timeseries = tables.get("timeseries")
    for record in [] if timeseries is None else timeseries.records():
        # Monthly points, and only those with the dates a point is drawn at.
        if (
            record.get("granularity", "month") == "month"
            and record.get("country") in names
            and isinstance(record.get("period_start"), dt.date)
            and isinstance(record.get("period_end"), dt.date)
        ):
            series[record["country"]].append(record)
    operations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    table = tables.get("operations")
    for record in [] if table is None else table.records():
        if record.get("country") in series and isinstance(record.get("date_end"), dt.date):
            operations[record["country"]].append(record)
    drawn = [code for code in names if series.get(code)]
    if not drawn:
        return "<p>No country has operations with dates to draw over time.</p>"
    start = min(series[c][0]["period_start"] for c in drawn)
    end = max(series[c][-1]["period_end"] for c in drawn)
    panels = [
        _panel(code, names[code], series[code], operations[code], start, end, footnotes)
        for code in drawn
    ]
    return '<div class="multiples">\n' + "\n".join(panels) + "\n</div>"


def _panel(
    code: str,
    name: str,
    points: Sequence[Mapping[str, Any]],
    operations: Sequence[Mapping[str, Any]],
    start: dt.date,
    end: dt.date,
    footnotes: Footnotes,
) -> str:
    span = max(1, (end - start).days)
    highest = max(
        max(_int(p.get("cumulative_high")), _int(p.get("cumulative_best"))) for p in points
    )
    top = _nice_top(highest)
    inner_w, inner_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(day: dt.date) -> float:
        return _LEFT + inner_w * (day - start).days / span

    def y(value: int) -> float:
        return _TOP + inner_h * (1 - min(value, top) / top)

    by_period = {p["period"]: p for p in points}
    # The cumulative figures step up at the end of each month; the band and line start from
    # zero at the first month's start.
    first = points[0]["period_start"]
    line = [(x(first), y(0))] + [
        (x(p["period_end"]), y(_int(p.get("cumulative_best")))) for p in points
    ]
    # A month with no upper bound ("over 600") opens the band to the top of the panel.
    upper = [(x(first), y(0))] + [
        (
            x(p["period_end"]),
            y(top if p.get("cumulative_high") is None else _int(p["cumulative_high"])),
        )
        for p in points
    ]
    lower = [(x(first), y(0))] + [
        (x(p["period_end"]), y(_int(p.get("cumulative_low")))) for p in points
    ]
    band = upper + lower[::-1]
    last = points[-1]
    summary = (
        f"{name}: cumulative people repatriated from {first.isoformat()[:7]} to "
        f"{last.get('period')}, reaching {count_text(last.get('cumulative_best'))} (range "
        f"{range_text(last.get('cumulative_low'), last.get('cumulative_high'))}) in "
        f"{count_text(last.get('operations'))} operations."
    )
    out = [
        f'<figure class="panel"><svg class="series" data-country="{attr(code)}" '
        f'viewBox="0 0 {_n(_W)} {_n(_H)}" role="group" aria-label="{attr(summary)}">',
        f"<title>{esc(summary)}</title>",
        f'<line class="axis" x1="{_n(_LEFT)}" y1="{_n(y(0))}" x2="{_n(_W - _RIGHT)}" '
        f'y2="{_n(y(0))}"/>',
        f'<text class="tick" x="{_n(_LEFT - 4)}" y="{_n(y(top) + 4)}" text-anchor="end">'
        f"{count_text(top)}</text>",
        f'<text class="tick" x="{_n(_LEFT - 4)}" y="{_n(y(0))}" text-anchor="end">0</text>',
        f'<line class="grid" x1="{_n(_LEFT)}" y1="{_n(y(top))}" x2="{_n(_W - _RIGHT)}" '
        f'y2="{_n(y(top))}"/>',
        f'<text class="tick" x="{_n(_LEFT)}" y="{_n(_H - 6)}">{start.year}</text>',
        f'<text class="tick" x="{_n(_W - _RIGHT)}" y="{_n(_H - 6)}" text-anchor="end">'
        f"{end.year}</text>",
        f'<path class="band" d="{_path(band)}Z"/>',
        f'<path class="line" d="{_path(line)}"/>',
    ]
    for op in sorted(operations, key=lambda o: (o["date_end"], str(o.get("operation_id")))):
        month = f"{op['date_end'].year:04d}-{op['date_end'].month:02d}"
        level = by_period.get(month)
        if level is None:
            continue
        numbers = footnotes.numbers(op.get("urls"), op.get("sources"))
        reports = op.get("reports")
        low, best, high = op.get("total_low"), op.get("total_best"), op.get("total_high")
        spread = "" if low == best == high else f" (range {range_text(low, high)})"
        tip = [
            f"{op.get('date_text') or op['date_end'].isoformat()}: {count_text(best)} people"
            f"{spread}, {count_text(reports)} report{'s' if reports != 1 else ''}",
            *footnotes.describe(numbers),
        ]
        out.append(
            f'<circle class="op" tabindex="0" cx="{_n(x(op["date_end"]))}" '
            f'cy="{_n(y(_int(level.get("cumulative_best"))))}" r="3.5">'
            f"<title>{esc(chr(10).join(tip))}</title></circle>"
        )
    out.append(f"</svg><figcaption>{esc(name)}</figcaption></figure>")
    return "\n".join(out)


def _int(value: object) -> int:
    # A figure the chart can place: a count, else 0 (the axis), never a crash on odd cells.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0
    return max(0, int(value))


def _path(points: Sequence[tuple[float, float]]) -> str:
    return "M" + "L".join(f"{_n(px)} {_n(py)}" for px, py in points)
