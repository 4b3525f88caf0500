"""Shared test configuration: the hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``.

``ci`` (what ``make test`` runs) is fixed and repeatable; ``thorough`` is for long local runs;
``random`` (new random examples, bounded, as ``.ci/run`` runs after the suite);
``dev`` (the default) is hypothesis' usual run without a deadline.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
