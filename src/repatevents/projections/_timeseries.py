"""The time-series projection: cumulative totals per country by month and by year.

The cumulative total at the end of a period is the totals projection as of that day, so it
never decreases. An operation counts from the period in which its latest possible day falls;
one whose date has no end (and no publication date to bound it) belongs to no period and is
left out. Periods run from the first operation's to the last one's (or to ``as_of``).

Cost: O(operations x log operations + periods).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from ._compact import EXACT, Fig, to_estimate
from ._figures import Sum
from ._operations import operation_views
from ._policy import Policy
from ._results import TimeseriesPoint
from ._state import KnowledgeState

__all__ = ["GRANULARITIES", "timeseries"]

#: The periods a time series is given in.
GRANULARITIES = ("month", "year")


def _periods(first: dt.date, last: dt.date, granularity: str) -> list[tuple[str, dt.date, dt.date]]:
    periods = []
    if granularity == "year":
        for year in range(first.year, last.year + 1):
            periods.append((str(year), dt.date(year, 1, 1), dt.date(year, 12, 31)))
        return periods
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
        periods.append((f"{year:04d}-{month:02d}", dt.date(year, month, 1), end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def timeseries(
    state: KnowledgeState,
    as_of: int | None,
    policy: Policy,
    granularities: tuple[str, ...] = GRANULARITIES,
) -> tuple[TimeseriesPoint, ...]:
    """Return each country's cumulative totals at the end of every month and year.

    Points are ordered by country, granularity (month first) and period.
    """
    by_country: dict[str, list[tuple[int, Fig]]] = defaultdict(list)
    for view in operation_views(state, as_of, policy):
        total = view.figs[0]
        if view.date.latest is not None and total is not None:
            by_country[view.country].append((view.date.latest, total))
    points: list[TimeseriesPoint] = []
    for country in sorted(by_country):
        ops = sorted(by_country[country], key=lambda item: item[0])
        first = dt.date.fromordinal(ops[0][0])
        last = dt.date.fromordinal(ops[-1][0] if as_of is None else max(ops[-1][0], as_of))
        for granularity in granularities:
            cumulative = Sum()
            index = 0
            for period, start, end in _periods(first, last, granularity):
                in_period = Sum()
                while index < len(ops) and ops[index][0] <= end.toordinal():
                    fig = ops[index][1]
                    cumulative.add(fig)
                    in_period.add(fig)
                    index += 1
                total = cumulative.fig()
                if total is None:
                    continue
                # The ledger's own sum: a period without operations moved nobody (0), which
                # is not the "not reported" an empty cell means elsewhere.
                period_fig = in_period.fig() or (0, 0, 0, EXACT, None)
                points.append(
                    TimeseriesPoint(
                        country=country,
                        granularity=granularity,
                        period=period,
                        start=start,
                        end=end,
                        operations=cumulative.count,
                        cumulative=to_estimate(total),
                        in_period=to_estimate(period_fig),
                    )
                )
    return tuple(points)
