"""The hook specifications: names, signatures, options and documentation."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pluggy

from repatevents import hookspecs


def _specs() -> dict[str, Callable[..., Any]]:
    return {
        name: function
        for name, function in vars(hookspecs).items()
        if callable(function) and hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    }


def test_hooks_and_their_arguments() -> None:
    """The hooks and their argument names are a public contract with plugin authors."""
    expected = {
        "country_geometry": ["code"],
        "register_exporters": ["register", "plugin_manager"],
    }
    actual = {name: list(inspect.signature(f).parameters) for name, f in _specs().items()}
    assert expected == actual


def test_country_geometry_stops_at_the_first_answer() -> None:
    """country_geometry is firstresult: the first plugin that returns a geometry wins."""
    options = getattr(_specs()["country_geometry"], f"{hookspecs.PROJECT_NAME}_spec")
    assert options["firstresult"] is True
    options = getattr(_specs()["register_exporters"], f"{hookspecs.PROJECT_NAME}_spec")
    assert options["firstresult"] is False


def test_every_hook_is_documented_with_when_it_fires_and_an_example() -> None:
    """Each specification's docstring says when it fires and shows an example."""
    for name, function in _specs().items():
        doc = inspect.getdoc(function) or ""
        assert "Fires" in doc, name
        assert "Example::" in doc, name
        assert "@hookimpl" in doc, name


def test_module_holds_only_markers_and_specifications() -> None:
    """hookspecs exports its markers and project name; everything else is a specification."""
    assert hookspecs.__all__ == ["PROJECT_NAME", "hookimpl", "hookspec"]
    assert isinstance(hookspecs.hookimpl, pluggy.HookimplMarker)
    assert isinstance(hookspecs.hookspec, pluggy.HookspecMarker)
    assert hookspecs.PROJECT_NAME == "repatevents"
    defined = {
        name
        for name, value in vars(hookspecs).items()
        if inspect.isfunction(value) and value.__module__ == hookspecs.__name__
    }
    assert set(_specs()) == defined


def test_an_implementation_may_take_fewer_arguments() -> None:
    """pluggy accepts a hookimpl that names a subset of the specification's arguments."""
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)

    class Plugin:
        @hookspecs.hookimpl
        def register_exporters(self, register: Callable[[object], None]) -> None:
            register("called")

    manager.register(Plugin())
    seen: list[object] = []
    manager.hook.register_exporters(register=seen.append, plugin_manager=manager)
    assert seen == ["called"]
