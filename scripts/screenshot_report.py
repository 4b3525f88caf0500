"""Make ``docs/_static/report.png``: the top of the HTML report of the example ledger.

A development-time tool, run by hand when the report's look changes; the PNG is committed so
the docs build needs no browser. It needs Debian's ``chromium`` (``.ci/apt-packages.txt``).

How to run it, from the repository root::

    .venv/bin/python scripts/screenshot_report.py

It builds the example ledger in a temporary folder, exports it with ``repatevents export html``
and a fixed generation time, and has headless Chromium, offline, take a screenshot of the top
of the page (the map, the charts and the start of the totals).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from importlib.resources import as_file, files
from pathlib import Path

from repatevents import Ledger
from repatevents.events import read_jsonl

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "_static" / "report.png"
GENERATED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--size", default="1100,1500", help="width,height in CSS pixels")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="repatevents-shot-") as folder:
        work = Path(folder)
        with (
            as_file(files("repatevents.data") / "example_ledger.jsonl") as events,
            Ledger.open(work / "ledger.db") as ledger,
        ):
            ledger.record_many(read_jsonl(events))
            (report,) = ledger.export("html", work / "report.html", generated_at=GENERATED_AT)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        command = [
            args.chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={args.size}",
            f"--screenshot={args.output}",
            report.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
