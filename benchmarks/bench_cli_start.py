"""How much CPU the command line costs before it does anything, against a bare interpreter.

``repatevents --help`` and ``--version`` should cost at most 100 ms of CPU over ``python -c
pass`` (the commands are imported only when one runs). Prints the best of N runs of each, in
CPU time (user + system of the child), which a busy machine disturbs less than wall time.

    python benchmarks/bench_cli_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
from pathlib import Path

_SCRIPT = Path(sys.executable).with_name("repatevents")


def _cpu(command: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_cpu(command: list[str], runs: int) -> float:
    """Return the least CPU seconds of ``runs`` runs of ``command``."""
    return min(_cpu(command) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    bare = best_cpu([sys.executable, "-c", "pass"], runs)
    print(f"{'command':<28} {'CPU ms':>8} {'over bare':>10}")
    print(f"{'python -c pass':<28} {bare * 1000:8.1f} {'':>10}")
    for label, command in [
        ("import repatevents", [sys.executable, "-c", "import repatevents"]),
        ("repatevents --help", [str(_SCRIPT), "--help"]),
        ("repatevents --version", [str(_SCRIPT), "--version"]),
        ("repatevents totals --help", [str(_SCRIPT), "totals", "--help"]),
    ]:
        cpu = best_cpu(command, runs)
        print(f"{label:<28} {cpu * 1000:8.1f} {(cpu - bare) * 1000:+10.1f}")


if __name__ == "__main__":
    main()
