"""Measure the exports beside the libraries they stand on: XlsxWriter alone and pandas.

On a synthetic SQLite ledger (the generator of ``bench_projections.py``; 100,000 events by
default), in one run, CPU seconds of this process, best of ``--repeat``:

* **export xlsx**, end to end: ``Ledger.export("xlsx", …)`` of every table from a ledger whose
  state is in memory (the tables are computed, then written), and the writing alone (the
  exporter's ``write`` on tables already built); beside them a plain XlsxWriter script writing
  the same cells (``write_row`` per row, same workbook options), given the rows as lists;
* **export csv** of the operations table, end to end and the writing alone, beside pandas
  ``DataFrame.to_csv`` of the same cells (the frame built before the clock starts).

It prints each ratio. Targets: ``export xlsx`` end to end at most 1.3x the XlsxWriter script;
``export csv`` at most 1.5x pandas. Run ``python benchmarks/bench_exports.py`` (needs pandas
and the XlsxWriter plugin), ``--events 20000`` for a quick look, ``--keep DIR`` to reuse the
ledger built by ``bench_growth.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_projections import build

from repatevents._ledger import Ledger
from repatevents._tables import Table

MOMENT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def _cpu(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def raw_xlsx(tables: Mapping[str, Table]) -> bytes:
    """Write the cells of ``tables`` with XlsxWriter alone: a header row and the rows."""
    import xlsxwriter  # type: ignore[import-untyped]

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for table in tables.values():
        sheet = workbook.add_worksheet(table.name[:31])
        sheet.write_row(0, 0, [c.name for c in table.columns])
        for number, row in enumerate(table.rows, start=1):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, dt.date):
                    sheet.write_datetime(number, column, cell, dates)
                else:
                    sheet.write(number, column, cell)
    workbook.close()
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build the ledger, time the exports and their references; 1 when a target is missed."""
    import pandas as pd
    from repatevents_xlsx import write_xlsx

    from repatevents.exporters._csv import write_csv

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the ledger here and reuse it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"ledger-{args.events}.db"
        if not db.exists():
            db, jsonl, _, _ = build(folder, args.events)
            jsonl.unlink()
        out = Path(scratch)
        with Ledger.open(db) as ledger:
            ledger.state()
            tables = ledger.tables(generated_at=MOMENT)
            metadata = ledger.metadata(generated_at=MOMENT)
            operations = tables["operations"]
            names = [c.name for c in operations.columns]
            frame = pd.DataFrame(list(operations.rows), columns=names)

            figures = {
                "export xlsx (end to end)": _cpu(
                    lambda: ledger.export("xlsx", out / "all.xlsx", generated_at=MOMENT),
                    args.repeat,
                ),
                "xlsx exporter's write alone": _cpu(
                    lambda: write_xlsx(tables, metadata, io.BytesIO()), args.repeat
                ),
                "XlsxWriter script": _cpu(lambda: raw_xlsx(tables), args.repeat),
                "export csv operations (end to end)": _cpu(
                    lambda: ledger.export(
                        "csv", out / "ops.csv", tables=["operations"], generated_at=MOMENT
                    ),
                    args.repeat,
                ),
                "csv exporter's write alone": _cpu(
                    lambda: write_csv({"operations": operations}, metadata, io.BytesIO()),
                    args.repeat,
                ),
                "pandas to_csv": _cpu(
                    lambda: frame.to_csv(out / "pandas.csv", index=False), args.repeat
                ),
            }
    for label, seconds in figures.items():
        print(f"{label:<38}{seconds:>9.2f} s")
    xlsx = figures["export xlsx (end to end)"] / figures["XlsxWriter script"]
    xlsx_write = figures["xlsx exporter's write alone"] / figures["XlsxWriter script"]
    csv = figures["export csv operations (end to end)"] / figures["pandas to_csv"]
    csv_write = figures["csv exporter's write alone"] / figures["pandas to_csv"]
    print(f"export xlsx / XlsxWriter script: {xlsx:.2f}x end to end, {xlsx_write:.2f}x writing")
    print(f"export csv / pandas to_csv:      {csv:.2f}x end to end, {csv_write:.2f}x writing")
    met = xlsx <= 1.3 and csv <= 1.5
    print("targets met" if met else "target MISSED (xlsx <= 1.3x, csv <= 1.5x, end to end)")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
