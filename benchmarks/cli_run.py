"""Time the command line as a user runs it, for the benchmarks: CPU and peak memory of a child.

``bench_growth.py`` and ``bench_exports.py`` both measure ``repatevents`` commands in a fresh
process beside the library calls.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Mapping

__all__ = ["command_cost"]

# Runs the command line as the ``repatevents`` script does, then says its own peak memory: the
# child's ``VmHWM`` (what the kernel reports for a child includes its parent's pages when it was
# started by fork or vfork, which would count the benchmark's own ledgers).
_CHILD = """
import atexit, sys

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"peak-kb {line.split()[1]}\\n")

atexit.register(peak)
from repatevents.cli import run
sys.argv = ["repatevents", *sys.argv[1:]]
run()
"""


def command_cost(
    arguments: list[str],
    repeat: int,
    *,
    env: Mapping[str, str] | None = None,
    enough: float = float("inf"),
) -> tuple[float, float]:
    """Return the least CPU time (user + system, seconds) and the peak memory (MB) of
    ``repatevents ARGUMENTS`` over ``repeat`` runs, with ``env`` added to the environment; a
    run longer than ``enough`` seconds is not repeated."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *arguments],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        kilobytes = [int(line.split()[1]) for line in done.stderr.splitlines() if "peak-kb" in line]
        peak = max(peak, kilobytes[-1] / 1024)
        if best > enough:
            break
    return best, peak
