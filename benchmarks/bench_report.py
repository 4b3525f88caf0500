"""Measure the HTML report's weight and time on a synthetic ledger of many operations.

Builds a ledger with ``bench_projections``' generator (operations reported by one to three
sources, corrections, claims, camp counts …) until it holds at least ``--operations``
operations, exports the report with a fixed generation time, and prints its size and the time
the export took. Run ``python benchmarks/bench_report.py`` (10,000 operations by default).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_projections import Generator

from repatevents import Ledger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=10_000)
    args = parser.parse_args()
    generator = Generator()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.db"
        with Ledger.open(path) as ledger:
            events = 0
            while True:
                for batch in generator.batches(2_000):
                    ledger.record_many(batch)
                    events += len(batch)
                operations = len(ledger.operations())
                if operations >= args.operations:
                    break
            started = time.perf_counter()
            (report,) = ledger.export(
                "html",
                Path(folder) / "report.html",
                generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
            seconds = time.perf_counter() - started
            size = report.stat().st_size
    print(
        f"{events:,} events, {operations:,} operations: report {size / 1e6:.2f} MB "
        f"({size / operations:.0f} bytes an operation), exported in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
