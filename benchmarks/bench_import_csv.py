"""Benchmark: import a 50,000-row CSV sheet of operations through the real CLI.

Prints the rows per second of `repatevents import` on a generated sheet (a realistic mix of
countries, camps, dates, qualified counts and sources). With ``--misspelt``, every row's country
is misspelt ("Kyrgystan"), and it prints how long the refusal takes: each row's problem carries
a "did you mean", which must not be computed afresh for every row. Not a test: run it with
`python benchmarks/bench_import_csv.py [--rows N] [--misspelt]`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["KGZ", "KAZ", "UZB", "TJK", "RUS", "FRA", "DEU", "NLD", "BEL", "XKX", "IRQ"]
ORIGINS = ["al-hol", "roj", "nes", "iraq", "syria-or-iraq"]


def write_sheet(path: Path, rows: int, seed: int = 7, *, misspelt: bool = False) -> None:
    """Write a sheet of ``rows`` distinct operations (with a misspelt country, if asked)."""
    rng = random.Random(seed)
    start = dt.date(2019, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            ["country", "date", "origin", "publisher", "total", "women", "children", "url"]
        )
        for i in range(rows):
            women = rng.randint(0, 60)
            children = rng.randint(0, 150)
            total = f"around {women + children}" if i % 10 == 0 else str(women + children)
            day = start + dt.timedelta(days=rng.randint(0, 2000))
            writer.writerow(
                [
                    "Kyrgystan" if misspelt else rng.choice(COUNTRIES),
                    day.isoformat(),
                    rng.choice(ORIGINS),
                    f"Outlet {i % 40}",
                    total,
                    women,
                    children,
                    f"https://example.org/report/{i}",
                ]
            )


def main() -> None:
    """Generate the sheet, import it with the CLI in a subprocess, print the rate."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--misspelt", action="store_true", help="time the refusal instead")
    args = parser.parse_args()
    script = Path(sys.executable).parent / "repatevents"
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / "operations.csv"
        write_sheet(sheet, args.rows, misspelt=args.misspelt)
        ledger = Path(folder) / "ledger.db"
        began = time.perf_counter()
        done = subprocess.run(
            [str(script), "--ledger", str(ledger), "import", str(sheet)],
            check=not args.misspelt,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - began
    if args.misspelt:
        assert done.returncode == 1, done.stderr[-2000:]
        print(done.stderr.splitlines()[0])
        print(f"{args.rows:,} misspelt rows refused in {elapsed:.1f} s")
        return
    print(done.stdout.strip())
    print(f"{args.rows:,} rows imported in {elapsed:.1f} s: {args.rows / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
