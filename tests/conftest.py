"""Shared test configuration: the hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``.

``ci`` (what ``make test`` runs) is fixed and repeatable; ``thorough`` is for long local runs;
``random`` (new random examples, bounded, as ``.ci/run`` runs after the suite);
``dev`` (the default) is hypothesis' usual run without a deadline. ``postgres_server`` is a
private PostgreSQL server for the tests of the PostgreSQL store.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from _postgres_server import PostgresServer, ServerUnavailable, unavailable

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
# What .ci/run adds after the fixed examples: new random examples on every run, bounded in
# count so CI's time stays bounded; the run prints its seed, and a failure prints the blob
# that replays it (``@reproduce_failure``).
settings.register_profile(
    "random",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Give a private PostgreSQL server, started once for the session and removed after it.

    Where it cannot start, the tests that need it are skipped with the reason, except under
    ``CI=true``: there they fail, so that a CI run never passes without them.
    """
    server: PostgresServer | None = None
    try:
        server = PostgresServer()
        server.start()
    except (ServerUnavailable, OSError, subprocess.SubprocessError) as exc:
        if server is not None:
            server.stop()
        unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()
