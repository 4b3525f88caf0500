"""Plugin managers for tests: a fresh manager with a plugin registered, removed afterwards, and
the check that an installed plugin loads with nothing installed taking its exporter names."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from .._plugins import (
    DISABLE_PLUGINS_ENV,
    RepateventsPluginManager,
    get_plugin_manager,
    list_plugins,
)
from ..errors import RepateventsWarning

__all__ = [
    "assert_installed_plugin_loads",
    "fresh_plugin_manager",
    "plugin_manager_fixture",
    "registered_plugin",
]


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
    """Give a new plugin manager holding only the built-in plugin (CSV, GeoJSON and SQLite)."""
    return get_plugin_manager(load_entrypoints=False)


def assert_installed_plugin_loads(name: str) -> None:
    """Assert that the installed plugin ``name`` loads beside every other installed plugin.

    The exporter contract registers a plugin on a manager of its own, so it cannot see what
    the installed plugins do to yours. This loads them all, as ``repatevents`` does, and
    fails when yours is not loaded: it could not be imported, implements an unknown hook, or
    registers an exporter name that another installed plugin (or the built-in one) registers
    too, in which case neither plugin is used. Run it where your package is installed
    (``pip install -e .``)::

        from repatevents.testing import assert_installed_plugin_loads

        def test_the_plugin_loads_beside_the_installed_ones():
            assert_installed_plugin_loads("markdown")

    Args:
        name: the plugin's entry point name in the ``repatevents`` group.

    Raises:
        AssertionError: naming the plugin, its package and why it was not loaded (the error
            the plugin manager recorded, which names the plugin a clash is with), or the
            installed plugins when none is called ``name``.
    """
    __tracebackhide__ = True
    # A failed plugin warns; the recorded failure says the same in the assertion instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepateventsWarning)
        plugins = {info.name: info for info in list_plugins(get_plugin_manager())}
    info = plugins.get(name)
    if info is None:
        installed = ", ".join(sorted(n for n, i in plugins.items() if not i.builtin)) or "none"
        raise AssertionError(
            f"no installed plugin is called {name!r} (installed: {installed}); declare it under "
            "[project.entry-points.repatevents] and install the package (pip install -e .)"
        )
    if info.status == "loaded":
        return
    package = f" ({info.distribution} {info.version})" if info.distribution else ""
    if info.status == "disabled":
        raise AssertionError(
            f"the installed plugin {name!r}{package} is switched off by {DISABLE_PLUGINS_ENV}"
        )
    raise AssertionError(f"the installed plugin {name!r}{package} failed: {info.error}")
