"""Atomic writing: a target file is either replaced whole or left exactly as it was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically"]

Fill = Callable[[BinaryIO], None]


def write_atomically(targets: Sequence[tuple[Path, Fill]]) -> None:
    """Write every target through a temporary file beside it, then move them all into place.

    Each ``fill`` writes one target's bytes to a stream. Every temporary file is written,
    flushed and fsynced before the first target is replaced, so a failing ``fill`` leaves no
    partial file and no changed file: the temporary files are removed and the error is raised
    again. Each replacement is atomic (``os.replace`` within one folder); a set of files is
    replaced one after another once all of them were written.

    Args:
        targets: (path, fill) pairs; each path's folder must exist.

    Raises:
        Exception: whatever a ``fill`` or the file system raised, after cleaning up.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for path, fill in targets:
            temporary = _write_temporary(path, fill)
            written.append((temporary, path))
        for temporary, path in written:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in written:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        raise
    for folder in {path.parent for _, path in written}:
        _fsync_folder(folder)


def _write_temporary(path: Path, fill: Fill) -> Path:
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); give it the mode the target has or would get.
        os.chmod(temporary, _mode_for(path))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return temporary


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; not every platform lets a
    # folder be opened for that, and the data itself is already safe, so failures are ignored.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
