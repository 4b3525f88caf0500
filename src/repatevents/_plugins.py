"""The plugin manager: built-in and installed plugins, loaded in one place, failures recorded.

``get_plugin_manager()`` builds a fresh manager each time it is called (nothing is kept in module
state): it registers the built-in plugin, then the plugins installed under the ``repatevents``
entry point group, then runs pluggy's check for hooks no specification knows. A plugin that
cannot be imported (even one that calls ``sys.exit()``), that implements an unknown hook or a
hook with wrong arguments, or that registers an invalid exporter is unregistered, reported with
a ``RepateventsWarning`` and listed as failed; the other plugins keep working, except one that
registers an exporter name the failed plugin registered too (see below).

An exporter name belongs to one plugin. The built-in plugin keeps its names (a plugin
registering ``csv`` fails); when two installed plugins register one name, neither wins: both
fail as a whole (none of either's exporters is used), each warning naming the other, and asking
for that exporter is an ``AmbiguousExporterError`` (see :func:`exporter_named`). Letting the
first or the later one keep the name would let load order decide, and entry points load in
alphabetical order: a plugin named ``aaa_steal_xlsx`` would take ``xlsx`` from the real one.

Set ``REPATEVENTS_DISABLE_PLUGINS`` to ``all`` to load no installed plugin, or to a
comma-separated list of entry point names to skip those (the built-in exporters always load); a
name that matches no installed plugin is reported with a warning, as it is likely a typo.

Warnings point at the code that called into this module (not at a line of it); the command
line prints each as one line.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import warnings
from typing import Any, Literal

import attrs
import pluggy

from . import hookspecs
from ._exporter import Exporter
from .errors import (
    AmbiguousExporterError,
    PluginError,
    RepateventsWarning,
    UnknownExporterError,
)

__all__ = [
    "BUILTIN_PLUGIN",
    "DISABLE_PLUGINS_ENV",
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "RepateventsPluginManager",
    "describe_plugins",
    "exporter_named",
    "get_plugin_manager",
    "list_plugins",
    "registered_exporters",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
"""The entry point group installed plugins declare themselves in."""

DISABLE_PLUGINS_ENV = "REPATEVENTS_DISABLE_PLUGINS"
"""``all``, or comma-separated entry point names of installed plugins not to load."""

BUILTIN_PLUGIN = "builtin"
"""The name the built-in plugin (CSV, GeoJSON and SQLite exporters) is registered under."""

_BUILTIN_MODULE = "repatevents.exporters._builtin"

Status = Literal["loaded", "failed", "disabled"]


@attrs.frozen
class PluginInfo:
    """What one plugin is and what became of it.

    Attributes:
        name: the plugin's name (its entry point name, or ``builtin``).
        status: ``loaded``, ``failed`` or ``disabled``.
        builtin: whether it ships with repatevents.
        distribution: the installed package it came from, when known.
        version: that package's version, when known.
        hooks: the hooks it implements (empty unless loaded).
        exporters: the names of the exporters it registered (empty unless loaded).
        error: why it failed, for a failed plugin.
    """

    name: str
    status: Status
    builtin: bool = False
    distribution: str | None = None
    version: str | None = None
    hooks: tuple[str, ...] = ()
    exporters: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the information as a JSON-ready dict."""
        return {
            "name": self.name,
            "status": self.status,
            "builtin": self.builtin,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": list(self.hooks),
            "exporters": list(self.exporters),
            "error": self.error,
        }


class RepateventsPluginManager(pluggy.PluginManager):
    """A pluggy plugin manager with repatevents' hooks that remembers failed plugins."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._origins: dict[str, tuple[str | None, str | None]] = {}
        self._failed: dict[str, PluginInfo] = {}
        self._disabled: dict[str, PluginInfo] = {}
        self._ambiguous: dict[str, tuple[str, ...]] = {}

    def fail(self, name: str, error: str, plugin: object | None = None) -> None:
        """Unregister plugin ``name``, record why and warn, so the rest keeps working.

        Args:
            name: the plugin's name.
            error: what went wrong, as a sentence fragment naming the problem.
            plugin: the plugin object, when it was registered.
        """
        if plugin is not None and self.is_registered(plugin):
            self.unregister(plugin)
        distribution, version = self._origins.get(name, (None, None))
        self._failed[name] = PluginInfo(
            name=name,
            status="failed",
            distribution=distribution,
            version=version,
            error=error,
        )
        source = f" (from {distribution} {version})" if distribution else ""
        warnings.warn(
            f"repatevents plugin {name!r}{source} failed and is not used: {error}",
            RepateventsWarning,
            stacklevel=_caller_level(),
        )

    def ambiguous(self) -> dict[str, tuple[str, ...]]:
        """Return the exporter names two or more plugins registered, with those plugins.

        Those plugins failed and none of them is used; filled in once exporters are collected
        (``registered_exporters`` and the functions that list them).
        """
        return dict(self._ambiguous)

    def failed(self) -> list[PluginInfo]:
        """Return the plugins that failed, by name."""
        return [self._failed[name] for name in sorted(self._failed)]

    def disabled(self) -> list[PluginInfo]:
        """Return the installed plugins that were switched off, by name."""
        return [self._disabled[name] for name in sorted(self._disabled)]

    def origin(self, name: str) -> tuple[str | None, str | None]:
        """Return the (distribution, version) plugin ``name`` was installed from, if known."""
        return self._origins.get(name, (None, None))

    def origins(self) -> dict[str, tuple[str | None, str | None]]:
        """Return the (distribution, version) of every installed plugin seen, by name."""
        return dict(self._origins)

    def _set_origin(self, name: str, distribution: str | None, version: str | None) -> None:
        self._origins[name] = (distribution, version)

    def _set_disabled(self, name: str, distribution: str | None, version: str | None) -> None:
        self._disabled[name] = PluginInfo(
            name=name, status="disabled", distribution=distribution, version=version
        )


def get_plugin_manager(*, load_entrypoints: bool = True) -> RepateventsPluginManager:
    """Build a plugin manager with the built-in plugin and, by default, the installed ones.

    Args:
        load_entrypoints: load the plugins installed under the ``repatevents`` entry point
            group (minus those ``REPATEVENTS_DISABLE_PLUGINS`` switches off); false gives the
            built-in plugin only, as tests want.

    Returns:
        A new manager; plugins that failed are listed by ``failed()``, not registered.

    Warns:
        RepateventsWarning: once for each plugin that failed, naming it and the problem.
    """
    manager = RepateventsPluginManager()
    manager.register(importlib.import_module(_BUILTIN_MODULE), name=BUILTIN_PLUGIN)
    manager._set_origin(BUILTIN_PLUGIN, hookspecs.PROJECT_NAME, _own_version())
    if load_entrypoints:
        _load_entrypoints(manager, _disabled_names(os.environ.get(DISABLE_PLUGINS_ENV, "")))
    check_hooks(manager)
    return manager


def _own_version() -> str | None:
    try:
        return importlib.metadata.version(hookspecs.PROJECT_NAME)
    except importlib.metadata.PackageNotFoundError:
        return None


def _disabled_names(value: str) -> set[str] | Literal["all"]:
    names = {name.strip() for name in value.split(",") if name.strip()}
    if any(name.lower() == "all" for name in names):
        return "all"
    return names


def _load_entrypoints(
    manager: RepateventsPluginManager, disabled: set[str] | Literal["all"]
) -> None:
    entry_points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    if disabled != "all":
        unknown = sorted(disabled - {entry_point.name for entry_point in entry_points})
        if unknown:
            installed = sorted({entry_point.name for entry_point in entry_points})
            warnings.warn(
                f"{DISABLE_PLUGINS_ENV} names {', '.join(map(repr, unknown))}, which "
                f"match{'es' if len(unknown) == 1 else ''} no installed plugin (installed: "
                f"{', '.join(installed) or 'none'}; the built-in exporters cannot be switched "
                "off)",
                RepateventsWarning,
                stacklevel=_caller_level(),
            )
    for entry_point in sorted(entry_points, key=lambda e: (e.name, e.value)):
        dist = entry_point.dist
        distribution = dist.name if dist is not None else None
        version = dist.version if dist is not None else None
        name = entry_point.name
        if name in manager.origins():
            # Keep the first plugin of a name; record the clash under a name of its own.
            clash = f"{name} ({distribution or entry_point.value})"
            manager._set_origin(clash, distribution, version)
            manager.fail(clash, f"another plugin already has the name {name!r}")
            continue
        manager._set_origin(name, distribution, version)
        if disabled == "all" or name in disabled:
            manager._set_disabled(name, distribution, version)
            continue
        try:
            plugin = entry_point.load()
        except (Exception, SystemExit) as error:  # a broken plugin must not stop the others
            # sys.exit() in a plugin would end the program, silently, whatever it was doing.
            manager.fail(name, f"importing {entry_point.value!r} raised {_describe(error)}")
            continue
        try:
            manager.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as error:
            manager.fail(name, f"registering it raised {_describe(error)}")


def check_hooks(manager: RepateventsPluginManager) -> None:
    """Fail every plugin implementing a hook that no specification defines (a typo).

    Runs pluggy's ``check_pending`` until it passes, unregistering each offending plugin.

    Raises:
        pluggy.PluginValidationError: when the built-in plugin is the offender (a bug).
    """
    while True:
        try:
            manager.check_pending()
        except pluggy.PluginValidationError as error:
            name = manager.get_name(error.plugin) or repr(error.plugin)
            if name == BUILTIN_PLUGIN:
                raise
            hooks = sorted(
                caller.name
                for caller in manager.get_hookcallers(error.plugin) or []
                if not caller.has_spec()
            )
            manager.fail(
                name, f"it implements unknown hook(s) {', '.join(hooks)}", plugin=error.plugin
            )
        else:
            return


def registered_exporters(manager: RepateventsPluginManager) -> dict[str, Exporter]:
    """Return every valid exporter the manager's plugins register, by name.

    Calls each plugin's ``register_exporters`` hook, the built-in plugin's first. A plugin whose
    hook raises or registers an invalid exporter (not an ``Exporter``, one name twice, or a
    name the built-in plugin has) fails as a whole: it is unregistered with a warning and none
    of its exporters is returned. A name two installed plugins register fails both, so that
    neither takes the other's place (see :meth:`RepateventsPluginManager.ambiguous`).

    Args:
        manager: the plugin manager to ask.

    Returns:
        The exporters, keyed by name, in registration order.
    """
    return {name: exporter for name, (_, exporter) in _collect_exporters(manager).items()}


def exporter_named(manager: RepateventsPluginManager, name: str) -> Exporter:
    """Return the exporter registered as ``name``.

    Raises:
        AmbiguousExporterError: two or more plugins register ``name`` (none of them is used).
        UnknownExporterError: no plugin registers ``name``.
    """
    exporters = registered_exporters(manager)
    if name in exporters:
        return exporters[name]
    if name in manager._ambiguous:
        raise AmbiguousExporterError(name, manager._ambiguous[name], sorted(exporters))
    raise UnknownExporterError(name, sorted(exporters))


def _collect_exporters(manager: RepateventsPluginManager) -> dict[str, tuple[str, Exporter]]:
    # Every plugin's registrations first, then who may keep which name: a clash is decided
    # by the names, never by the order plugins happen to load in.
    claims: dict[str, list[tuple[str, Exporter]]] = {}
    implementations = manager.hook.register_exporters.get_hookimpls()
    ordered = sorted(implementations, key=lambda impl: impl.plugin_name != BUILTIN_PLUGIN)
    for implementation in ordered:
        plugin_name = implementation.plugin_name
        pending: dict[str, Exporter] = {}

        def register(
            exporter: Exporter,
            pending: dict[str, Exporter] = pending,
            plugin_name: str = plugin_name,
        ) -> None:
            if not isinstance(exporter, Exporter):
                raise PluginError(
                    f"plugin {plugin_name!r} registered {exporter!r}, which is not a "
                    "repatevents.exporters.Exporter"
                )
            if exporter.name in pending:
                raise PluginError(
                    f"plugin {plugin_name!r} registered exporter name {exporter.name!r} twice"
                )
            pending[exporter.name] = exporter

        arguments: dict[str, object] = {"register": register, "plugin_manager": manager}
        try:
            implementation.function(
                **{k: v for k, v in arguments.items() if k in implementation.argnames}
            )
        except (Exception, SystemExit) as error:  # one plugin's bug must not take others down
            if plugin_name == BUILTIN_PLUGIN:
                raise
            manager.fail(
                plugin_name,
                f"its register_exporters hook raised {_describe(error)}",
                plugin=implementation.plugin,
            )
            continue
        for name, exporter in pending.items():
            claims.setdefault(name, []).append((plugin_name, exporter))
    failures = _clashes(manager, claims)
    for plugin_name, reason in failures.items():
        manager.fail(plugin_name, reason, plugin=manager.get_plugin(plugin_name))
    return {
        name: (plugin_name, exporter)
        for name, owners in claims.items()
        for plugin_name, exporter in owners
        if plugin_name not in failures
    }


def _clashes(
    manager: RepateventsPluginManager, claims: dict[str, list[tuple[str, Exporter]]]
) -> dict[str, str]:
    """Return the plugins that lose a name they registered, with why; record ambiguities.

    The built-in plugin keeps its names; then a name that two or more of the remaining
    plugins register is nobody's.
    """
    failures: dict[str, str] = {}
    for name, owners in claims.items():
        plugins = [plugin_name for plugin_name, _ in owners]
        if BUILTIN_PLUGIN in plugins:
            for plugin_name in plugins:
                if plugin_name != BUILTIN_PLUGIN:
                    failures.setdefault(
                        plugin_name,
                        f"plugin {plugin_name!r} registered exporter name {name!r}, which "
                        f"plugin {BUILTIN_PLUGIN!r} already registered",
                    )
    for name, owners in claims.items():
        plugins = [plugin_name for plugin_name, _ in owners if plugin_name not in failures]
        if len(plugins) < 2:
            continue
        manager._ambiguous[name] = tuple(sorted(plugins))
        for plugin_name in plugins:
            others = " and ".join(repr(other) for other in sorted(plugins) if other != plugin_name)
            failures.setdefault(
                plugin_name,
                f"plugin {plugin_name!r} registered exporter name {name!r}, which plugin "
                f"{others} registered too; none of them is used, so that none takes another's "
                f"place (switch all but one off with {DISABLE_PLUGINS_ENV})",
            )
    return failures


def list_plugins(manager: RepateventsPluginManager | None = None) -> list[PluginInfo]:
    """Return every plugin the manager knows: loaded, failed and disabled, built-in first.

    Args:
        manager: the manager to describe; ``None`` builds one with ``get_plugin_manager()``.

    Returns:
        One ``PluginInfo`` per plugin, the built-in one first, then by name.
    """
    if manager is None:
        manager = get_plugin_manager()
    owners: dict[str, list[str]] = {}
    for exporter_name, (plugin_name, _) in _collect_exporters(manager).items():
        owners.setdefault(plugin_name, []).append(exporter_name)
    loaded = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:  # a blocked name
            continue
        distribution, version = manager.origin(name)
        loaded.append(
            PluginInfo(
                name=name,
                status="loaded",
                builtin=name == BUILTIN_PLUGIN,
                distribution=distribution,
                version=version,
                hooks=tuple(sorted(c.name for c in manager.get_hookcallers(plugin) or [])),
                exporters=tuple(owners.get(name, ())),
            )
        )
    everything = loaded + manager.failed() + manager.disabled()
    return sorted(everything, key=lambda info: (not info.builtin, info.name))


def describe_plugins(manager: RepateventsPluginManager | None = None) -> dict[str, Any]:
    """Return the plugins and exporters as a JSON-ready dict, for ``repatevents plugins --json``.

    Args:
        manager: the manager to describe; ``None`` builds one with ``get_plugin_manager()``.

    Returns:
        ``{"plugins": [...], "exporters": [...]}``: each plugin as ``PluginInfo.to_dict()``;
        each exporter with its name, extension, media type, description, the plugin that
        registers it with that plugin's package and version, and its options (each a dict of
        ``name``, ``type``, ``default`` and ``required``; ``None`` when the write function takes
        ``**options`` and so does not say).
    """
    from ._exporter_options import exporter_options

    if manager is None:
        manager = get_plugin_manager()
    plugins = list_plugins(manager)
    exporters = []
    for name, (plugin_name, exporter) in sorted(_collect_exporters(manager).items()):
        distribution, version = manager.origin(plugin_name)
        options = exporter_options(exporter)
        exporters.append(
            {
                "name": name,
                "extension": exporter.extension,
                "media_type": exporter.media_type,
                "description": exporter.description,
                "plugin": plugin_name,
                "package": distribution,
                "version": version,
                "options": None if options is None else [o.to_dict() for o in options],
            }
        )
    return {"plugins": [info.to_dict() for info in plugins], "exporters": exporters}


def _caller_level() -> int:
    """Return the ``stacklevel`` of the first frame outside this module, for ``warnings.warn``.

    A warning then points at the code that asked for plugins (the program's own line), not
    at one of this module's, whichever function of it was called.
    """
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _describe(error: BaseException) -> str:
    # pluggy's validation messages span lines; a warning reads better as one.
    message = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
