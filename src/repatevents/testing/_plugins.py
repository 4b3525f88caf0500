"""Plugin managers for tests: a fresh manager with a plugin registered, removed afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from .._plugins import RepateventsPluginManager, get_plugin_manager

__all__ = ["fresh_plugin_manager", "plugin_manager_fixture", "registered_plugin"]


@contextmanager
def registered_plugin(
    plugin: object,
    *,
    name: str | None = None,
    manager: RepateventsPluginManager | None = None,
) -> Iterator[RepateventsPluginManager]:
    """Register ``plugin`` for the duration of a ``with`` block, then unregister it.

    The hook names are checked at once (pluggy's ``check_pending``), so a misspelt hook fails
    the test with pluggy's error instead of being silently ignored.

    Args:
        plugin: a module or object with ``@hookimpl`` functions.
        name: the name to register it under; pluggy derives one when ``None``.
        manager: the manager to register on; ``None`` builds a fresh one with only the
            built-in plugin (installed plugins are not loaded, so tests do not depend on them).

    Yields:
        The manager, with the plugin registered.

    Raises:
        pluggy.PluginValidationError: the plugin implements an unknown hook or a hook with
            arguments its specification lacks.
    """
    if manager is None:
        manager = get_plugin_manager(load_entrypoints=False)
    manager.register(plugin, name=name)
    try:
        manager.check_pending()
        yield manager
    finally:
        if manager.is_registered(plugin):
            manager.unregister(plugin)


def plugin_manager_fixture(
    *plugins: object, name: str = "plugin_manager"
) -> Callable[[], Iterator[RepateventsPluginManager]]:
    """Return a pytest fixture giving a fresh manager with ``plugins`` registered.

    Put it in a ``conftest.py`` or test module::

        import my_plugin
        from repatevents.testing import plugin_manager_fixture

        plugin_manager = plugin_manager_fixture(my_plugin)

    Args:
        *plugins: the plugins to register, in order.
        name: the fixture's name (the variable it is assigned to should match).

    Returns:
        A function-scoped fixture; the plugins are unregistered after each test.
    """

    def fixture() -> Iterator[RepateventsPluginManager]:
        manager = get_plugin_manager(load_entrypoints=False)
        for plugin in plugins:
            manager.register(plugin)
        manager.check_pending()
        try:
            yield manager
        finally:
            for plugin in plugins:
                if manager.is_registered(plugin):
                    manager.unregister(plugin)

    fixture.__name__ = name
    return pytest.fixture(name=name)(fixture)


@pytest.fixture
def fresh_plugin_manager() -> RepateventsPluginManager:
    """Give a new plugin manager holding only the built-in plugin (CSV and GeoJSON)."""
    return get_plugin_manager(load_entrypoints=False)
