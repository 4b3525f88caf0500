"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"


def test_readme_example_runs_and_prints_what_it_promises() -> None:
    """The first python block of the README runs and prints the documented first line."""
    block = re.search(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)
    assert block is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.group(1), str(README), "exec"), {})
    lines = out.getvalue().splitlines()
    assert "KGZ 2023-08-30 95" == lines[0]
    assert lines[1].startswith('{"type":"operation-reported","version":2')
