"""Plugins as the command line sees them: the manager, its failures as one line, ``plugins``.

A plugin that fails to load is a warning, not a crash: each is printed as ``warning: plugin
NAME: …`` on stderr, and the commands go on with the plugins that work.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from ..errors import RepateventsWarning
from ._context import echo_json
from ._options import json_option
from ._render import plugin_warning_lines

if TYPE_CHECKING:
    from .._plugins import RepateventsPluginManager

__all__ = ["plugin_manager", "plugins_command"]


@contextmanager
def plugin_manager() -> Iterator[RepateventsPluginManager]:
    """Build the plugin manager and print each plugin failure as one line on stderr.

    The library warns (a ``RepateventsWarning``) for each plugin that fails; printed by Python
    that is two lines with a source line of ours. Here each becomes ``warning: plugin NAME: …``,
    printed when the manager is no longer used (also when the command fails).
    """
    from .._plugins import get_plugin_manager

    manager: RepateventsPluginManager | None = None
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as recorded:
            warnings.simplefilter("always", RepateventsWarning)
            try:
                manager = get_plugin_manager()
                yield manager
            finally:
                caught = list(recorded)
    finally:
        _echo_plugin_warnings(manager, caught)


def _echo_plugin_warnings(
    manager: RepateventsPluginManager | None, caught: Sequence[warnings.WarningMessage]
) -> None:
    ours = [str(w.message) for w in caught if issubclass(w.category, RepateventsWarning)]
    failed = manager.failed() if manager is not None else []
    for line in plugin_warning_lines(failed, ours):
        click.echo(line, err=True)
    for other in caught:
        if not issubclass(other.category, RepateventsWarning):
            # Not ours to reword: let the filters in force decide, as without us.
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)


@click.command("plugins")
@json_option
def plugins_command(as_json: bool) -> None:
    """List loaded and failed plugins with their hooks and exporters."""
    from .._plugins import describe_plugins

    with plugin_manager() as manager:
        report = describe_plugins(manager)
    if as_json:
        echo_json(report)
        return
    exporters = {e["name"]: e for e in report.get("exporters", [])}
    for plugin in report["plugins"]:
        status = plugin.get("status", "loaded")
        package = plugin.get("distribution")
        version = f" {plugin['version']}" if plugin.get("version") else ""
        source = f" from {package}{version}" if package else ""
        click.echo(f"{plugin['name']} ({status}){source}")
        if plugin.get("hooks"):
            click.echo(f"  hooks: {', '.join(plugin['hooks'])}")
        for name in plugin.get("exporters") or []:
            exporter = exporters.get(name)
            if exporter is None:
                click.echo(f"  exporter {name}")
                continue
            click.echo(f"  exporter {name} (.{exporter['extension']}): {exporter['description']}")
            for option in exporter.get("options") or []:
                default = (
                    "required"
                    if option.get("required")
                    else f"default {json.dumps(option['default'], default=str)}"
                )
                click.echo(f"    -O {option['name']}=…  {option['type']}, {default}")
        if plugin.get("error"):
            click.echo(f"  error: {plugin['error']}")
