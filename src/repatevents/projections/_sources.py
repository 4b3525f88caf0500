"""The sources projection: every source behind the reports in force, with how many it gave.

Cost: O(sources) for every report in force (the fold keeps the count per source), O(reports)
as of a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ..events import FuzzyDate, SpeakerKind
from ._clock import happened_by
from ._compact import ClaimRec, When, to_fuzzy
from ._results import SourceSummary
from ._state import KnowledgeState

__all__ = ["sources"]


def _fuzzy(when: When | None) -> FuzzyDate | None:
    return None if when is None else to_fuzzy(when)


def sources(state: KnowledgeState, as_of: int | None) -> tuple[SourceSummary, ...]:
    """Return the sources of the reports in force dated by ``as_of``, by publisher and address.

    Speakers' names are left out: exports carry no names of people.
    """
    counts: Mapping[int, int]
    if as_of is None:
        # Every report in force counts: the fold keeps their number per source (a summary
        # holds it without the reports).
        counts = state.source_reports
    else:
        counts = Counter(
            rec.source
            for rec in state.reports.values()
            if happened_by(rec.until if isinstance(rec, ClaimRec) else rec.date, as_of)
        )
    merged: Counter[tuple[str, tuple[str, ...], str, str | None, str | None]] = Counter()
    published: dict[tuple[str, tuple[str, ...], str, str | None, str | None], When | None] = {}
    for index, count in counts.items():
        source = state.sources[index]
        text = None if source.published is None else to_fuzzy(source.published).to_text()
        key = (source.publisher, source.via, source.speaker_kind, source.url, text)
        merged[key] += count
        published[key] = source.published
    return tuple(
        SourceSummary(
            publisher=publisher,
            via=via,
            speaker_kind=SpeakerKind(kind),
            url=url,
            published=_fuzzy(published[key]),
            reports=merged[key],
        )
        for key in sorted(merged, key=lambda k: (k[0], k[3] or "", k[4] or "", k[1], k[2]))
        for publisher, via, kind, url, _ in (key,)
    )
