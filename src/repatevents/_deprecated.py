"""Deprecation shims: keep a name importable from its old public place for one release."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

#: The release that removes the names deprecated now.
REMOVED_IN = "0.3"


def deprecated_names(
    module_name: str, names: Mapping[str, tuple[Callable[[], object], str]]
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that serves each old name behind a warning.

    ``names`` maps each old name to a loader (which imports the object from its real home only
    when asked, so that the old module does not load it) and what to use instead, in words
    ("use export_tables('csv', ...)"). Any other name raises ``AttributeError`` as a module
    without ``__getattr__`` would.
    """

    def __getattr__(name: str) -> Any:
        try:
            load, replacement = names[name]
        except KeyError:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None
        warnings.warn(
            f"{module_name}.{name} is deprecated and will be removed in {REMOVED_IN}: "
            f"{replacement}",
            DeprecationWarning,
            # 2: the warning points at the line that imported or read the name.
            stacklevel=2,
        )
        return load()

    return __getattr__
