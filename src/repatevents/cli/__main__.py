"""Run the command line as ``python -m repatevents.cli``, as the ``repatevents`` script does."""

import os

from . import run

os.environ.setdefault("PYTHONIOENCODING", "utf-8")
run()
