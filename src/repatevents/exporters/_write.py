"""Atomic writing: a target file is either replaced whole or left exactly as it was.

Only regular files are replaced. A symbolic link is followed: the file it points to is
replaced (atomically, in that file's folder) and the link is kept, as a shell's ``>`` would
write through it. A target that is anything else (a folder, a FIFO, a device such as
``/dev/full``, a socket), itself or behind a link, is refused before anything is written:
replacing it would swap a device or a pipe for a plain file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

from ..errors import ExportError

__all__ = ["write_atomically"]

Fill = Callable[[BinaryIO], None]


def write_atomically(targets: Sequence[tuple[Path, Fill]]) -> None:
    """Write every target through a temporary file beside it, then move them all into place.

    Each ``fill`` writes one target's bytes to a stream. Every temporary file is written,
    flushed and fsynced before the first target is replaced, so a failing ``fill`` leaves no
    partial file and no changed file: the temporary files are removed and the error is raised
    again. Each replacement is atomic (``os.replace`` within one folder); a set of files is
    replaced one after another once all of them were written.

    A target that is a symbolic link replaces the file the link points to (the link stays); a
    target that exists and is not a regular file (a folder, FIFO, device or socket, or a link
    to one) is refused.

    Args:
        targets: (path, fill) pairs; each path's folder must exist.

    Raises:
        ExportError: a target exists and is not a regular file; nothing was written.
        Exception: whatever a ``fill`` or the file system raised, after cleaning up.
    """
    # Every target is checked before any is written, so a refusal leaves nothing behind.
    resolved = [(_regular_target(path), fill) for path, fill in targets]
    written: list[tuple[Path, Path]] = []
    try:
        for path, fill in resolved:
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


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _regular_target(path: Path) -> Path:
    """Return the file to replace for ``path``: itself, or where its symbolic link points.

    Raises:
        ExportError: the target (or the link's target) exists and is not a regular file, or
            the link cannot be followed.
    """
    target = path
    if path.is_symlink():
        try:
            target = path.resolve(strict=False)
        except (OSError, RuntimeError) as exc:  # a loop of links
            raise ExportError(
                f"{str(path)!r} is a symbolic link that cannot be followed ({exc}); nothing "
                "was written",
                path=str(path),
            ) from None
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target
    if stat.S_ISREG(mode):
        return target
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    via = f" (where the link {str(path)!r} points)" if target != path else ""
    raise ExportError(
        f"{str(target)!r}{via} is {kind}: an export replaces only regular files, so nothing "
        "was written; choose a file path",
        path=str(path),
    )


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
