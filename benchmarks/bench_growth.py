"""Measure how every path a user takes grows with the log: 10,000, 100,000 (and 1,000,000) events.

For each size the script builds a synthetic SQLite ledger with the generator of
``bench_projections.py`` (operations reported by one to three sources, links, corrections,
retractions, adjudications, cumulative claims, camp counts and flows), folds it once (which saves
the checkpoint), and times, on the same machine in one run:

* each projection, as a Python user calls it on a warm ledger (the state in memory):
  ``Ledger.totals()``, ``timeseries()``, ``remaining()``, ``reconciliation()``, ``quality()``
  and ``sources()``;
* each table alone, ``Ledger.tables(names=[name])``, from a warm ledger;
* ``Ledger.tables()``: every table;
* ``Ledger.export`` of every table as CSV, and as XLSX (when the XlsxWriter plugin is
  installed) of every table but quality (at 1,000,000 events it has more rows than a sheet holds);
* the command line in a fresh process, as a user runs it: ``repatevents totals`` (from the
  summary saved with the checkpoint), and every table command with ``--json``: ``totals``,
  ``timeseries``, ``remaining``, ``reconcile``, ``operations``, ``quality`` and ``sources``
  (all but the default totals and remaining estimates load the whole state from the checkpoint
  first), with each one's peak memory;
* the size of the quality's answer beside its time: how many findings, and how many of them
  are likely duplicates.

Times are CPU seconds of the process doing the work (``time.process_time``; for a command, the
child's user + system time), which other work on a shared machine disturbs less than the wall
clock; each figure is the best of ``--repeat`` runs (one run when it took more than
five seconds: such a figure is not noise). Then it prints a growth table: each path's time at
each size divided by its time at the size before, and the worst of these (memory rows aside)
against the target: at most 12x for 10x the events. Times under 10 ms count as 10 ms in the
ratios: below that a path does not grow with the log (the totals read a summary of one row per
country) and the clock's resolution and noise are all a ratio would show.

``Ledger.reconciliation()`` is timed as a caller gets it: its rows list the operations each
claim covers when first read (claims x operations ids, gigabytes at a million events), which
this does not read.

The generator spreads every ledger over the same eight years by default, so a larger ledger
is a denser one: at 1,000,000 events some 28 operations a country-week, where the
likely-duplicate check's answer (pairs of close operations) grows with the square of the
density. ``--calendar grows`` spreads eight years per 10,000 events instead (the calendar
starts further back), so a larger ledger covers more time at the same density, as a real
ledger grows; paths whose answer depends on density show their own cost there.

Run ``python benchmarks/bench_growth.py`` (10,000 and 100,000 events), ``--sizes 10000 100000
1000000`` to add a million (building that ledger alone takes minutes), and ``--keep DIR`` to
build the ledgers once and reuse them on the next run (``DIR/ledger-COUNT.db``); ``--only
quality`` measures only the paths whose label names quality.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_projections import DAYS, build
from cli_run import command_cost

from repatevents._ledger import Ledger
from repatevents.projections import FindingKind
from repatevents.projections._to_tables import TABLE_NAMES

#: The most a path may grow for 10x the events.
TARGET = 12.0
MOMENT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
#: Below this many CPU seconds a time does not grow with the log: ratios use this instead.
FLOOR = 0.01
#: A run longer than this many CPU seconds is not repeated.
LONG = 5.0
PROJECTIONS = ("totals", "timeseries", "remaining", "reconciliation", "quality", "sources")
COMMANDS = (
    ("cli totals", ["totals"]),
    *(
        (f"cli {name} --json", [name, "--json"])
        for name in (
            "totals",
            "timeseries",
            "remaining",
            "reconcile",
            "operations",
            "quality",
            "sources",
        )
    ),
)


def _cpu(work: Callable[[], object], repeat: int) -> float:
    """Return the least CPU time ``work`` took in ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
        if best > LONG:
            break
    return best


def _table(ledger: Ledger, name: str) -> None:
    ledger.tables(names=[name], generated_at=MOMENT)


def _have_xlsx() -> bool:
    try:
        import repatevents_xlsx  # noqa: F401
    except ImportError:
        return False
    return True


def measure(
    db: Path, out: Path, repeat: int, only: tuple[str, ...] = (), count: int = 0
) -> dict[str, float]:
    """Return the CPU seconds of every path on the ledger ``db`` of ``count`` events (or of
    those whose label contains one of ``only``)."""

    def wanted(label: str) -> bool:
        return not only or any(word in label for word in only)

    times: dict[str, float] = {}
    with Ledger.open(db) as ledger:
        ledger.state()
        for name in PROJECTIONS:
            if wanted(f"projection {name}"):
                times[f"projection {name}"] = _cpu(getattr(ledger, name), repeat)
        for name in TABLE_NAMES:
            if wanted(f"table {name}"):
                times[f"table {name}"] = _cpu(functools.partial(_table, ledger, name), repeat)
        if wanted("Ledger.tables()"):
            times["Ledger.tables()"] = _cpu(lambda: ledger.tables(generated_at=MOMENT), repeat)
        if wanted("export csv"):
            times["export csv"] = _cpu(
                lambda: ledger.export("csv", out / "csv", generated_at=MOMENT), repeat
            )
        if _have_xlsx() and wanted("export xlsx"):
            # Every table but quality, whose rows pass an Excel sheet's limit at 1,000,000.
            sheets = [name for name in TABLE_NAMES if name != "quality"]
            times["export xlsx"] = _cpu(
                lambda: ledger.export("xlsx", out / "all.xlsx", tables=sheets, generated_at=MOMENT),
                repeat,
            )
        if wanted("quality"):
            # The quality's answer: how many findings, and how many of them are pairs of
            # close operations (the part that grows with the density of the calendar).
            findings = ledger.quality()
            times["quality findings (rows)"] = len(findings)
            times["likely duplicates (rows)"] = sum(
                f.kind is FindingKind.LIKELY_DUPLICATE for f in findings
            )
    for label, arguments in COMMANDS:
        if not wanted(label):
            continue
        cpu, peak = command_cost(
            ["--ledger", str(db), *arguments], repeat, env={"COLUMNS": "200"}, enough=LONG
        )
        times[label] = cpu
        times[f"{label} (MB)"] = peak
    return times


def main(argv: list[str] | None = None) -> int:
    """Build the ledgers, time every path, print the growth table; 1 when a path grows too fast."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (the best counts)")
    parser.add_argument("--keep", type=Path, help="build the ledgers here and reuse them")
    parser.add_argument(
        "--only",
        nargs="+",
        default=(),
        metavar="WORD",
        help='measure only the paths whose label contains one of these ("quality")',
    )
    parser.add_argument(
        "--calendar",
        choices=("fixed", "grows"),
        default="fixed",
        help="fixed: every ledger spreads its operations over the same eight years, so a "
        "larger one is denser (more operations a week, and pairs of close operations grow "
        "with the square of that); grows: eight years for every 10,000 events, so a larger "
        "ledger covers more time at the same density, as a real one does",
    )
    args = parser.parse_args(argv)
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        if args.calendar == "grows":
            folder = folder / "calendar-grows"
        folder.mkdir(parents=True, exist_ok=True)
        for count in args.sizes:
            db = folder / f"ledger-{count}.db"
            if not db.exists():
                days = DAYS if args.calendar == "fixed" else max(DAYS, DAYS * count // 10_000)
                db, jsonl, _, seconds = build(folder, count, days)
                jsonl.unlink()
                print(f"{count:>9,} events written in {seconds:.1f} s", flush=True)
            with Ledger.open(db) as ledger:
                ledger.totals()  # the checkpoint a user's ledger has
            out = Path(scratch) / f"out-{count}"
            out.mkdir()
            results[count] = measure(db, out, args.repeat, tuple(args.only), count)
            print(f"{count:>9,} events measured", flush=True)
    sizes = list(results)
    labels = list(dict.fromkeys(label for n in sizes for label in results[n]))
    header = f"{'path (CPU s)':<30}" + "".join(f"{n:>12,}" for n in sizes)
    header += "".join(f"{f'x{b // a}':>10}" for a, b in itertools.pairwise(sizes))
    print(header)
    worst, worst_label = 0.0, ""
    for label in labels:
        row = f"{label:<30}" + "".join(
            (
                f"{results[n][label]:>12,.0f}"
                if label.endswith("(rows)")
                else f"{results[n][label]:>12.3f}"
            )
            if label in results[n]
            else f"{'-':>12}"
            for n in sizes
        )
        # Memory and the size of an answer are shown as they grow, but are no time.
        memory = label.endswith(("(MB)", "(rows)"))
        for a, b in itertools.pairwise(sizes):
            if label not in results[a] or label not in results[b]:
                row += f"{'-':>10}"
                continue
            floor = 0.0 if memory else FLOOR
            growth = max(results[b][label], floor) / max(results[a][label], floor, 1e-9)
            # Each step is scaled to 10x the events, so a step of another size compares.
            scaled = growth ** (1 / max(1e-9, _log10(b / a)))
            if not memory and scaled > worst:
                worst, worst_label = scaled, f"{label}, {a:,} to {b:,}"
            row += f"{growth:>10.1f}"
        print(row)
    if len(sizes) < 2:
        return 0  # one size: nothing grows
    print(
        f"worst growth for 10x the events: {worst:.1f}x ({worst_label}; target: at most "
        f"{TARGET:.0f}x)"
    )
    return 0 if worst <= TARGET else 1


def _log10(value: float) -> float:
    import math

    return math.log10(value)


if __name__ == "__main__":
    raise SystemExit(main())
