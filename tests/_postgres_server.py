"""A private PostgreSQL server for the tests: a throwaway cluster on 127.0.0.1, a free port.

``PostgresServer.start()`` runs Debian's ``initdb`` and ``pg_ctl`` (from
``/usr/lib/postgresql/*/bin``, installed by ``make system-packages``) in a temporary folder,
as a user who is not root (PostgreSQL refuses to run as root: as root, the ``postgres`` user
the package creates, or ``nobody``, through ``runuser``). Passwords are checked on TCP
(scram-sha-256), so the tests connect as a team would. ``fsync`` is off: the tests kill
writers, never the machine.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

__all__ = ["ADMIN", "ADMIN_PASSWORD", "PostgresServer", "ServerUnavailable", "unavailable"]

ADMIN = "admin"
ADMIN_PASSWORD = "adm1n-s3cret"


class ServerUnavailable(Exception):
    """The private server could not be started (the reason is the message)."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ServerUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb and no initdb "
            "on PATH); `make system-packages` installs Debian's postgresql as root"
        )
    return Path(initdb).parent


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """One private cluster; ``stop()`` removes it."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="repatevents-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _has_user("postgres") else "nobody"
            entry = pwd.getpwnam(user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self._prefix = ["runuser", "-u", user, "--"]
            self._owner: tuple[int, int] | None = (entry.pw_uid, entry.pw_gid)
        else:
            self._owner = None
        self.started = False

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._prefix, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(
                f"{Path(args[0]).name} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()} {tail}".strip()
            )

    def start(self) -> None:
        """Create and start the cluster; raise ServerUnavailable when it cannot start."""
        password_file = self.folder / "password"
        password_file.write_text(ADMIN_PASSWORD + "\n")
        if self._owner is not None:
            os.chown(password_file, *self._owner)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            ADMIN,
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self.started = True

    def stop(self) -> None:
        """Stop the cluster and remove its folder."""
        try:
            if self.started:
                self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            self.started = False
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(
        self, user: str = ADMIN, password: str | None = ADMIN_PASSWORD, dbname: str = "postgres"
    ) -> str:
        """Return the URL of a database on this server."""
        secret = f":{password}" if password is not None else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """Return an autocommit connection of the superuser."""
        return psycopg.connect(self.url(dbname=dbname), autocommit=True)

    def create_database(self, name: str) -> str:
        """Create a database and return its URL (the superuser's)."""
        with self.admin() as db:
            db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(dbname=name)


def unavailable(reason: str, environ: dict[str, str] | os._Environ[str] = os.environ) -> NoReturn:
    """Skip the tests that need the server, saying why; under ``CI=true``, fail them instead,
    so that a CI run never passes without the PostgreSQL tests."""
    message = f"the private PostgreSQL server cannot start: {reason}"
    if environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
