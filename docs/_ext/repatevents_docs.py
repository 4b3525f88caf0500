"""Sphinx extension: draw the front page's chart from the example ledger at build time.

The chart is generated, never committed, so it always shows what the library computes from the
example events. matplotlib is a documentation dependency only.
"""

from __future__ import annotations

from collections import defaultdict
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def draw_cumulative_chart(target: Path) -> None:
    """Draw cumulative repatriations (best, with the low-high band) per country by month."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import repatevents as rp

    with as_file(files("repatevents.data") / "example_ledger.jsonl") as example:
        events = rp.read_jsonl(example)
    ledger = rp.Ledger.in_memory()
    ledger.record_many(events)
    series: dict[str, list[Any]] = defaultdict(list)
    for point in ledger.timeseries():
        if point.granularity == "month":
            series[point.country].append(point)

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    last_day = max(p.end for points in series.values() for p in points)
    for code, points in sorted(series.items()):
        points.sort(key=lambda p: p.end)
        # A cumulative total stays where it is until the next operation: carry it to the end.
        points.append(points[-1])
        days = [p.end for p in points[:-1]] + [last_day]
        best = [p.cumulative.best for p in points]
        low = [p.cumulative.low for p in points]
        high = [
            p.cumulative.high if p.cumulative.high is not None else p.cumulative.best
            for p in points
        ]
        name = rp.lookup_country(code).name
        (line,) = ax.step(days, best, where="post", label=name, linewidth=1.8)
        moved = [(p.end, p.cumulative.best) for p in points[:-1] if p.in_period.best > 0]
        ax.plot(*zip(*moved, strict=True), "o", markersize=3.5, color=line.get_color())
        ax.fill_between(days, low, high, step="post", alpha=0.15, color=line.get_color())
    ax.set_title("Cumulative repatriations recorded in the example ledger, by receiving country")
    ax.set_ylabel("people (best; band: low–high)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", frameon=False, ncols=2)
    fig.text(
        0.01,
        0.01,
        "Operations count once their latest possible day has passed. Source: examples/ledger.jsonl",
        fontsize="x-small",
        color="#555555",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    target.parent.mkdir(parents=True, exist_ok=True)
    # A fixed metadata date keeps the file identical from one build to the next.
    fig.savefig(target, metadata={"Software": None})
    plt.close(fig)


def _on_config_inited(app: Sphinx, config: Config) -> None:
    draw_cumulative_chart(Path(app.srcdir) / "_static" / "cumulative.png")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    # Drawn when the configuration is read, ahead of Sphinx's own check that every
    # html_static_path entry exists (priority 800): on a fresh checkout _static holds nothing
    # but this generated chart, so it must be there before that check runs.
    app.connect("config-inited", _on_config_inited, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
