"""The time-series projection: cumulative totals per country by month and by year.

The cumulative total at the end of a period is the totals projection as of that day, so it
never decreases. An operation counts from the period in which its latest possible day falls;
one whose date has no end (and no publication date to bound it) belongs to no period and is
left out. Periods run from the first operation's to the last one's (or to ``as_of``).

Cost: the default query, O(countries x months) from the sums the state keeps; any other,
O(operations + months).
"""

from __future__ import annotations

import calendar
import datetime as dt

from ._aggregates import fig_of, month_index
from ._compact import EXACT, to_estimate
from ._policy import Policy
from ._results import TimeseriesPoint
from ._state import KnowledgeState
from ._totals import country_aggregates

__all__ = ["GRANULARITIES", "timeseries"]

#: The periods a time series is given in.
GRANULARITIES = ("month", "year")


def _month_text(index: int) -> tuple[str, dt.date, dt.date]:
    year, month = divmod(index, 12)
    month += 1
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}", dt.date(year, month, 1), end


def timeseries(
    state: KnowledgeState,
    as_of: int | None,
    policy: Policy,
    granularities: tuple[str, ...] = GRANULARITIES,
) -> tuple[TimeseriesPoint, ...]:
    """Return each country's cumulative totals at the end of every month and year.

    Points are ordered by country, granularity (month first) and period. The per-country sums
    keep each month's total (:attr:`CountryAgg.months`), so the default query adds up the
    kept sums (O(countries x months)); any other sums its operations first.
    """
    aggregates = country_aggregates(state, as_of, policy)
    points: list[TimeseriesPoint] = []
    for country in sorted(aggregates):
        months = aggregates[country].months
        if not months:
            continue
        first, last = min(months), max(months)
        if as_of is not None:
            last = max(last, month_index(as_of))
        for granularity in granularities:
            if granularity == "year":
                sums: dict[int, list[int]] = {}
                for index, month in months.items():
                    year = sums.setdefault(index // 12, [0, 0, 0, 0, 0])
                    for i, value in enumerate(month):
                        year[i] += value
                periods = range(first // 12, last // 12 + 1)
            else:
                sums, periods = months, range(first, last + 1)
            cumulative = [0, 0, 0, 0, 0]
            for index in periods:
                part = sums.get(index)
                if part is not None:
                    cumulative = [a + b for a, b in zip(cumulative, part, strict=True)]
                if granularity == "year":
                    period = str(index)
                    start, end = dt.date(index, 1, 1), dt.date(index, 12, 31)
                else:
                    period, start, end = _month_text(index)
                total = fig_of(cumulative)
                assert total is not None
                # The ledger's own sum: a period without operations moved nobody (0), which
                # is not the "not reported" an empty cell means elsewhere.
                period_fig = (None if part is None else fig_of(part)) or (0, 0, 0, EXACT, None)
                points.append(
                    TimeseriesPoint(
                        country=country,
                        granularity=granularity,
                        period=period,
                        start=start,
                        end=end,
                        operations=cumulative[4],
                        cumulative=to_estimate(total),
                        in_period=to_estimate(period_fig),
                    )
                )
    return tuple(points)
