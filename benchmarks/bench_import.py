"""Measure how long ``import repatevents`` takes, against the 150 ms target.

Each run is a fresh interpreter, so nothing is cached in memory; the figure is the median of
the runs. The time is measured inside the child around the import statement alone, without
the interpreter's own start-up. ``--importtime`` also lists the slowest modules the import
loads (from ``python -X importtime``), which is where to look when the figure is over.

Run it with ``make bench`` or ``python benchmarks/bench_import.py [--runs N] [--importtime]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

TARGET_MS = 150.0
MODULE = "repatevents"
_CHILD = (
    "import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
)


def time_import(module: str = MODULE) -> float:
    """Return the milliseconds one fresh interpreter takes to import ``module``."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip())


def slowest_modules(module: str = MODULE, count: int = 12) -> list[tuple[float, str]]:
    """Return the ``count`` modules with the largest cumulative import time, in milliseconds."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        # "import time: self [us] | cumulative | imported package"; the first line is the header.
        if not line.startswith("import time:") or "[us]" in line:
            continue
        _, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative_us) / 1000, name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    """Print the median import time; return 1 when it is over the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters to time")
    parser.add_argument(
        "--importtime", action="store_true", help="also list the slowest imported modules"
    )
    args = parser.parse_args(argv)
    time_import()  # warm the file-system cache and the bytecode cache once
    times = sorted(time_import() for _ in range(args.runs))
    median = statistics.median(times)
    verdict = "within" if median <= TARGET_MS else "OVER"
    print(
        f"import {MODULE}: median {median:.1f} ms over {args.runs} fresh interpreters "
        f"(min {times[0]:.1f}, max {times[-1]:.1f}); target {TARGET_MS:.0f} ms: {verdict}"
    )
    if args.importtime:
        print("slowest modules (cumulative ms, one run):")
        for ms, name in slowest_modules():
            print(f"  {ms:8.1f}  {name}")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
