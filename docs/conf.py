"""Sphinx configuration for the repatevents documentation.

Built by ``make docs`` (and by ``make test``) with warnings as errors; code examples run as
doctests so that the documentation cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

project = "repatevents"
author = "repatevents developers"
copyright = "2026, repatevents developers"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx_click",
    "repatevents_docs",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "README.md"]
html_theme = "furo"
html_title = "repatevents"
html_static_path = ["_static"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpicky = False
# No intersphinx: the build must work without a network.
suppress_warnings = ["config.cache"]
doctest_global_setup = """
import datetime as dt
import repatevents as rp
"""
