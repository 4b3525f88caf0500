"""Load a JSON Lines ledger file, validate every line, and print what it holds.

Usage: python examples/summarise.py examples/ledger.jsonl
"""

from __future__ import annotations

import sys
from collections import Counter

import repatevents as rp


def main(path: str) -> int:
    """Print the events of ``path`` by type and by country; return the exit status."""
    try:
        events = rp.read_jsonl(path)
    except rp.ValidationError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: {len(events)} events, all valid\n")
    by_type = Counter(event.TYPE for event in events)
    print("By event type:")
    for name, count in sorted(by_type.items()):
        print(f"  {name:<28} {count:>4}")
    by_country: Counter[str] = Counter()
    for event in events:
        code = getattr(event, "country", None)
        if code is not None:
            by_country[code] += 1
    print("\nBy country (events naming a receiving country or nationals):")
    for code, count in sorted(by_country.items()):
        print(f"  {code}  {rp.lookup_country(code).name:<24} {count:>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/ledger.jsonl"))
