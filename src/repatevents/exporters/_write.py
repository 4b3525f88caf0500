"""Atomic writing: a target file is either replaced whole or left exactly as it was.

Only regular files are replaced. A symbolic link is refused, never written through: whoever
can plant a link where an export goes could otherwise have it replace any file the exporting
user may write (run as root, a system file). A target that is anything else (a folder, a FIFO,
a device such as ``/dev/full``, a socket) is refused too, before anything is written: replacing
it would swap a device or a pipe for a plain file. Files named as protected (a ledger and its
companions) are refused however the path is spelled: a relative path, ``..``, a symbolic link
in a folder on the way, or a hard link to one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

import attrs

from ..errors import ExportError

__all__ = ["write_atomically"]

Fill = Callable[[BinaryIO], None]


def write_atomically(
    targets: Sequence[tuple[Path, Fill]], *, protected: Sequence[str | os.PathLike[str]] = ()
) -> None:
    """Write every target through a temporary file beside it, then move them all into place.

    Each ``fill`` writes one target's bytes to a stream. Every temporary file is written,
    flushed and fsynced before the first target is replaced, so a failing ``fill`` leaves no
    partial file and no changed file: the temporary files are removed and the error is raised
    again. Each replacement is atomic (``os.replace`` within one folder); a set of files is
    replaced one after another once all of them were written.

    A target that is a symbolic link, or that exists and is not a regular file (a folder,
    FIFO, device or socket), is refused; so is one that is a ``protected`` file.

    Args:
        targets: (path, fill) pairs; each path's folder must exist.
        protected: files never to replace (a ledger, its write-ahead log, its checkpoints),
            whether or not they exist yet.

    Raises:
        ExportError: a target is a symbolic link, exists and is not a regular file, or is a
            protected file; nothing was written.
        Exception: whatever a ``fill`` or the file system raised, after cleaning up.
    """
    # Every target is checked before any is written, so a refusal leaves nothing behind.
    keep = [_Identity.of(Path(file)) for file in protected]
    for path, _ in targets:
        _refuse_protected(path, keep)
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
    """Return ``path`` when it is a regular file or nothing yet.

    Raises:
        ExportError: the target is a symbolic link, or exists and is not a regular file.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISREG(mode):
        return path
    if stat.S_ISLNK(mode):
        raise ExportError(
            f"{str(path)!r} is a symbolic link (to {os.readlink(path)!r}): an export never "
            "writes through a link, which could replace a file elsewhere, so nothing was "
            "written; give the path of the file itself, or remove the link",
            path=str(path),
        )
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise ExportError(
        f"{str(path)!r} is {kind}: an export replaces only regular files, so nothing "
        "was written; choose a file path",
        path=str(path),
    )


@attrs.frozen
class _Identity:
    """A file as the file system knows it: its real path, and its device and inode if any."""

    name: Path
    real: str
    inode: tuple[int, int] | None

    @classmethod
    def of(cls, path: Path) -> _Identity:
        # realpath settles ``..``, relative paths and links in the folders on the way; the
        # device and inode settle hard links and links at the file itself.
        try:
            found = os.stat(path)
        except OSError:
            inode = None
        else:
            inode = (found.st_dev, found.st_ino)
        return cls(path, os.path.realpath(path), inode)

    def same(self, other: _Identity) -> bool:
        return self.real == other.real or (self.inode is not None and self.inode == other.inode)


def _refuse_protected(path: Path, protected: Sequence[_Identity]) -> None:
    target = _Identity.of(path)
    for kept in protected:
        if target.same(kept):
            raise ExportError(
                f"{str(path)!r} is the file {str(kept.name)!r}, which holds the ledger or its "
                "companions (write-ahead log, checkpoints): an export never replaces it, so "
                "nothing was written; choose another path",
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
