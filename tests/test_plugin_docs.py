"""The plugin author's guide documents every hook: signature, when it fires, an example."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from repatevents import hookspecs

GUIDE = Path(__file__).parent.parent / "docs" / "plugins.md"


def _hooks() -> dict[str, list[str]]:
    return {
        name: list(inspect.signature(function).parameters)
        for name, function in vars(hookspecs).items()
        if callable(function) and hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    }


def _sections() -> dict[str, str]:
    # Each hook has a "### `name(arguments)`" heading; its section runs to the next heading.
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.split(r"^(#{2,3} .*)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_hook_has_a_section_with_its_signature() -> None:
    """Each hook in hookspecs has a heading with its exact signature in docs/plugins.md."""
    headings = set(_sections())
    expected = {f"### `{name}({', '.join(args)})`" for name, args in _hooks().items()}
    assert set() == expected - headings


def test_every_hook_section_says_when_it_fires_and_shows_an_example() -> None:
    """Each hook's section says when it fires and has a @hookimpl example in a code block."""
    sections = _sections()
    for name, args in _hooks().items():
        body = sections.get(f"### `{name}({', '.join(args)})`", "")
        assert "**When it fires:**" in body, name
        assert "**Example:**" in body, name
        assert "```python" in body, name
        assert f"def {name}(" in body, name


def test_guide_names_the_environment_variable_and_the_entry_point_group() -> None:
    """The guide tells authors the entry point group and how users switch plugins off."""
    from repatevents._plugins import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP

    text = GUIDE.read_text(encoding="utf-8")
    assert DISABLE_PLUGINS_ENV in text
    assert f"[project.entry-points.{ENTRY_POINT_GROUP}]" in text
