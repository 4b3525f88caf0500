"""`copy` and `setup-postgres`: a shared ledger on a PostgreSQL server from the command line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from _paths import EXAMPLE
from _postgres_server import ADMIN_PASSWORD, PostgresServer
from repatevents import Ledger
from repatevents.cli import main


def _schema(tmp_path: Path, name: str = "") -> str:
    return "c_" + hashlib.sha256(f"{tmp_path}{name}".encode()).hexdigest()[:20]


@pytest.fixture
def server(postgres_server: PostgresServer) -> PostgresServer:
    """The session's server."""
    return postgres_server


def _cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


@pytest.fixture
def database(server: PostgresServer, tmp_path: Path) -> str:
    """A fresh database of its own: its URL, password included."""
    return server.create_database(_schema(tmp_path, "db"))


def test_cli_copy_to_the_server_and_back(database: str, tmp_path: Path) -> None:
    """`copy` moves a file to the server and back; both sides verify with one head hash, and
    the password is printed nowhere."""
    local = tmp_path / "mine.db"
    assert 0 == _cli("--ledger", str(local), "import", str(EXAMPLE)).exit_code
    there = _cli("copy", str(local), database, "--json")
    assert 0 == there.exit_code, there.output
    report = json.loads(there.output)
    assert (28, 28) == (report["copied"], report["verified"])
    back = _cli("copy", database, str(tmp_path / "back.jsonl"), "--json")
    assert report["head_hash"] == json.loads(back.output)["head_hash"]
    verified = [
        json.loads(_cli("--ledger", where, "verify", "--json").output)
        for where in (str(local), database, str(tmp_path / "back.jsonl"))
    ]
    assert {report["head_hash"]} == {v["head_hash"] for v in verified}
    assert ADMIN_PASSWORD not in there.output + back.output + json.dumps(verified)


def test_cli_answers_from_the_server(database: str, tmp_path: Path) -> None:
    """--ledger and REPATEVENTS_LEDGER take a URL; the answers equal the file's."""
    local = tmp_path / "mine.db"
    _cli("--ledger", str(local), "import", str(EXAMPLE))
    imported = _cli("--ledger", database, "import", str(EXAMPLE))
    assert 0 == imported.exit_code, imported.output
    from_file = _cli("--ledger", str(local), "totals", "--json").output
    from_env = _cli("totals", "--json", env={"REPATEVENTS_LEDGER": database})
    assert json.loads(from_file) == json.loads(from_env.output)
    with Ledger.open(database) as ledger:
        assert 28 == ledger.head


def test_cli_errors_name_the_server_without_the_password(
    server: PostgresServer, tmp_path: Path
) -> None:
    """A wrong password, or a schema holding no ledger, is one line without a traceback or
    the password."""
    wrong = server.url(password="wrong-" + ADMIN_PASSWORD)
    result = _cli("--ledger", wrong, "totals")
    assert 1 == result.exit_code
    assert "password authentication failed" in result.output
    assert ADMIN_PASSWORD not in result.output
    assert "Traceback" not in result.output
    missing = server.url() + "?schema=no_ledger_here"
    result = _cli("--ledger", missing, "totals")
    assert (1, True) == (result.exit_code, "no ledger in the schema" in result.output)
    assert ADMIN_PASSWORD not in result.output


def test_cli_setup_postgres_creates_the_ledger_and_roles(server: PostgresServer) -> None:
    """setup-postgres creates the schema and both roles; running it again is harmless."""
    url = server.url() + "?schema=team_ledger"
    args = ("setup-postgres", url, "--writer-role", "team_w", "--reader-role", "team_r")
    first = _cli(*args)
    assert 0 == first.exit_code, first.output
    assert "team_w may read and append" in first.output
    assert ADMIN_PASSWORD not in first.output
    assert 0 == _cli(*args, "--json").exit_code
    with server.admin() as db:
        roles = db.execute(
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'team_%' ORDER BY 1"
        ).fetchall()
        grants = db.execute(
            "SELECT grantee, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE table_schema = 'team_ledger' "
            "AND table_name = 'events' AND grantee LIKE 'team_%' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [("team_r", False), ("team_w", False)] == roles
    assert [("team_r", "SELECT"), ("team_w", "INSERT,SELECT")] == grants


def test_cli_repair_refuses_a_server(database: str) -> None:
    """repair is for JSON Lines files; a server's ledger is told it needs none."""
    result = _cli("--ledger", database, "repair")
    assert (1, True) == (result.exit_code, "needs no repair" in result.output)
