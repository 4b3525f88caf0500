"""Measure the exports beside the writers they stand on, and how every exporter grows.

For each size (10,000 and 100,000 events by default; ``--sizes 10000 100000 1000000`` adds a
million) the script builds a synthetic SQLite ledger with the generator of
``bench_projections.py``, folds it once (which saves its checkpoint), and times in one run, in
CPU seconds (``time.process_time``; for a command, the child's user + system time), the best of
``--repeat`` runs:

* **export xlsx, end to end**: ``Ledger.export("xlsx", …)`` of every table a sheet can hold (at
  1,000,000 events the quality table has more rows than that), beside a plain XlsxWriter script
  writing the same cells (``write_row`` of the header, then ``write`` per cell, dates with a
  ``yyyy-mm-dd`` format, the same workbook options: in memory, no conversion of strings), given
  the tables' rows as they are. The exporter's ``write`` on tables already computed is timed
  too.
* **export csv, end to end**: ``Ledger.export("csv", …, tables=["operations"])``, beside pandas
  ``DataFrame.to_csv`` of the same cells (the frame is built before its clock starts), and the
  exporter's ``write`` alone.
* every built-in exporter, end to end, of every table: CSV (plain, and with an HXL row and a
  Data Package), XLSX, GeoJSON (and its flows), HTML and SQLite;
* the command line in a fresh process, as a user runs it: ``repatevents export csv --table
  operations`` and ``repatevents export xlsx`` (its peak memory too), beside ``repatevents
  --version`` (the interpreter and the command line starting).

What "end to end" includes: everything ``Ledger.export`` does once the ledger's state is in
memory: computing the tables written, the metadata (sources, provenance), the exporter's write
and the atomic write of the file(s) (written to a temporary file, fsynced, moved into place).
Loading the state (from the checkpoint saved beside the ledger) is outside that clock: it is
the ledger's cost, paid once by every command and every query, not the export's, and neither
XlsxWriter nor pandas has a ledger to load; its time is printed beside (``load state from
checkpoint``), and the command-line rows include it, as a user pays it.

The writers alone (XlsxWriter, pandas, and the exporters' ``write`` given tables already
computed) run with the cyclic collector paused, as ``Ledger.export`` runs: in this process the
collector would otherwise walk the ledger's whole state whenever their allocations set it off,
a cost a script of their own, without a ledger in memory, would not pay.

It prints each ratio, then a growth table: each path's time at each size divided by its time
at the size before. Targets: ``export xlsx`` end to end at most 1.3x the XlsxWriter script,
``export csv`` at most 1.5x pandas, at every size; every path at most 12x for 10x the events.
It exits 1 when a target is missed.

Run ``python benchmarks/bench_exports.py`` (needs pandas and the XlsxWriter plugin),
``--sizes 20000`` for a quick look, ``--keep DIR`` to build the ledgers once and reuse them
(``ledger-<events>.db``, as ``bench_growth.py`` names them), ``--only WORD…`` to measure only
the paths whose label holds one of the words (``--only "end to end" "cli export csv"``: the
comparisons with XlsxWriter and pandas and the CSV command, as for a million events, where the
rest takes long).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_projections import build
from cli_run import command_cost

from repatevents._ledger import Ledger
from repatevents._tables import Table

MOMENT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
# The command line's exports carry the same generation time as the library's.
_EPOCH = {"SOURCE_DATE_EPOCH": str(int(MOMENT.timestamp()))}
#: The most a path may grow for 10x the events.
GROWTH = 12.0
XLSX_TARGET, CSV_TARGET = 1.3, 1.5
#: Every built-in exporter, with the options that change what it writes.
EXPORTS: tuple[tuple[str, str, Mapping[str, Any]], ...] = (
    ("export csv (every table)", "csv", {}),
    ("export csv hxl+datapackage", "csv", {"hxl": True, "datapackage": True}),
    ("export xlsx (every table)", "xlsx", {}),
    ("export geojson", "geojson", {}),
    ("export geojson flows", "geojson", {"flows": True}),
    ("export html", "html", {}),
    ("export sqlite", "sqlite", {}),
)
XLSX_END, XLSX_WRITE, XLSX_RAW = (
    "export xlsx (end to end)",
    "  xlsx exporter's write alone",
    "  XlsxWriter script",
)
CSV_END, CSV_WRITE, CSV_PANDAS = (
    "export csv operations (end to end)",
    "  csv exporter's write alone",
    "  pandas to_csv",
)
LOAD = "load state from checkpoint"


def _cpu(work: Callable[[], object], repeat: int, *, paused: bool = False) -> float:
    """Return the least CPU time ``work`` took in ``repeat`` runs; with ``paused``, with the
    cyclic collector paused."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        if paused:
            gc.disable()
        try:
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
        finally:
            gc.enable()
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


def measure(db: Path, out: Path, repeat: int, only: tuple[str, ...] = ()) -> dict[str, float]:
    """Return every figure for one ledger, by label (CPU seconds; ``(MB)`` rows in MB); with
    ``only``, the figures whose label contains one of its words (the comparisons with
    XlsxWriter and pandas go together: one wanted measures all six)."""

    def wanted(label: str) -> bool:
        return not only or any(word in label for word in only)

    with Ledger.open(db) as ledger:
        ledger.state()  # folds from zero once (saving the checkpoint) when none is saved yet

    def load() -> None:
        with Ledger.open(db) as fresh:
            fresh.state()

    figures = {LOAD: _cpu(load, 1)}
    with Ledger.open(db) as ledger:
        ledger.state()
        fit, every = _against_references(ledger, out, repeat, figures, wanted)
        suffixes = {"xlsx": "xlsx", "geojson": "geojson", "html": "html", "sqlite": "db"}
        for label, name, options in EXPORTS:
            if not wanted(label):
                continue
            target = out / label.replace(" ", "-")
            target.mkdir()
            path = target / f"all.{suffixes[name]}" if name in suffixes else target
            chosen = fit if name == "xlsx" and not every else None
            figures[label] = _cpu(_export(ledger, name, path, tables=chosen, **options), repeat)
    for label, name, tables in (
        ("cli export csv --table operations", "csv", ["operations"]),
        ("cli export xlsx", "xlsx", [] if every else fit),
    ):
        if not wanted(label):
            continue
        arguments = ["--ledger", str(db), "export", name, "-o", str(out / f"cli-{name}")]
        arguments += [f"--table={n}" for n in tables]
        figures[label], figures[f"{label} (MB)"] = command_cost(arguments, repeat, env=_EPOCH)
    if wanted("cli --version"):
        figures["cli --version"], figures["cli --version (MB)"] = command_cost(
            ["--version"], repeat, env=_EPOCH
        )
    return figures


def _export(ledger: Ledger, name: str, path: Path, **options: Any) -> Callable[[], object]:
    return lambda: ledger.export(name, path, generated_at=MOMENT, **options)


def _against_references(
    ledger: Ledger,
    out: Path,
    repeat: int,
    figures: dict[str, float],
    wanted: Callable[[str], bool],
) -> tuple[list[str], bool]:
    """Time the XLSX and CSV exports beside XlsxWriter and pandas into ``figures``; return
    the tables a sheet can hold, and whether that is every table."""
    import pandas as pd
    from repatevents_xlsx import MAX_ROWS, write_xlsx

    from repatevents.exporters._csv import write_csv

    tables = ledger.tables(generated_at=MOMENT)
    sheets = {n: t for n, t in tables.items() if len(t.rows) < MAX_ROWS - 1}
    if not any(map(wanted, (XLSX_END, XLSX_WRITE, XLSX_RAW, CSV_END, CSV_WRITE, CSV_PANDAS))):
        return list(sheets), len(sheets) == len(tables)
    metadata = ledger.metadata(generated_at=MOMENT)
    # A table a sheet cannot hold is left out of both workbooks alike.
    operations = tables["operations"]
    frame = pd.DataFrame(list(operations.rows), columns=[c.name for c in operations.columns])
    figures |= {
        XLSX_END: _cpu(_export(ledger, "xlsx", out / "all.xlsx", tables=list(sheets)), repeat),
        XLSX_WRITE: _cpu(lambda: write_xlsx(sheets, metadata, io.BytesIO()), repeat, paused=True),
        XLSX_RAW: _cpu(lambda: raw_xlsx(sheets), repeat, paused=True),
        CSV_END: _cpu(_export(ledger, "csv", out / "ops.csv", tables=["operations"]), repeat),
        CSV_WRITE: _cpu(
            lambda: write_csv({"operations": operations}, metadata, io.BytesIO()),
            repeat,
            paused=True,
        ),
        CSV_PANDAS: _cpu(
            lambda: frame.to_csv(out / "pandas.csv", index=False), repeat, paused=True
        ),
    }
    if wanted("Ledger.tables()"):
        figures["Ledger.tables() (every table)"] = _cpu(
            lambda: ledger.tables(generated_at=MOMENT), repeat
        )
    return list(sheets), len(sheets) == len(tables)


def ratios(figures: Mapping[str, float]) -> dict[str, float]:
    """Return the ratios the targets are about, by label."""
    return {
        "export xlsx / XlsxWriter script": figures[XLSX_END] / figures[XLSX_RAW],
        "  writing alone / XlsxWriter script": figures[XLSX_WRITE] / figures[XLSX_RAW],
        "export csv / pandas to_csv": figures[CSV_END] / figures[CSV_PANDAS],
        "  writing alone / pandas to_csv": figures[CSV_WRITE] / figures[CSV_PANDAS],
    }


def main(argv: list[str] | None = None) -> int:
    """Build the ledgers, time the exports and their references; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the ledgers here and reuse them")
    parser.add_argument(
        "--only", nargs="+", default=[], metavar="WORD", help="only paths whose label has WORD"
    )
    args = parser.parse_args(argv)
    sizes: list[int] = sorted(args.sizes)
    measured: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            db = folder / f"ledger-{size}.db"
            if not db.exists():
                db, jsonl, _, _ = build(folder, size)
                jsonl.unlink()
            out = Path(scratch) / f"out-{size}"
            out.mkdir()
            measured[size] = measure(db, out, args.repeat, tuple(args.only))
            print(f"{size:>11,} events measured", file=sys.stderr, flush=True)
    missed = []
    labels = list(measured[sizes[0]])
    print(
        f"{'path (CPU s)':<40}"
        + "".join(f"{size:>12,}" for size in sizes)
        + "".join(f"{'x' + str(b // a):>8}" for a, b in itertools.pairwise(sizes))
    )
    for label in labels:
        values = [measured[size][label] for size in sizes]
        growth = [b / a if a else float("inf") for a, b in itertools.pairwise(values)]
        print(
            f"{label:<40}"
            + "".join(f"{v:>12.3f}" for v in values)
            + "".join(f"{g:>8.1f}" for g in growth)
        )
        for (a, b), g in zip(itertools.pairwise(sizes), growth, strict=True):
            if not label.startswith(" ") and g > GROWTH * (b / a) / 10:
                missed.append(f"{label} grows {g:.1f}x from {a:,} to {b:,} events")
    print()
    for size in sizes:
        if XLSX_RAW not in measured[size]:
            continue
        for label, ratio in ratios(measured[size]).items():
            print(f"{size:>11,} events  {label:<38}{ratio:>6.2f}x")
            target = XLSX_TARGET if "xlsx" in label else CSV_TARGET
            if not label.startswith(" ") and ratio > target:
                missed.append(f"{label} is {ratio:.2f}x at {size:,} events (target {target}x)")
    print()
    for line in missed:
        print(f"MISSED: {line}")
    if not missed:
        print(f"targets met: xlsx <= {XLSX_TARGET}x, csv <= {CSV_TARGET}x, growth <= {GROWTH}x")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
