"""`repatevents plugins` and a broken plugin: the listing of exporters, and one warning line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from repatevents.cli import main


# -- plugin failures --------------------------------------------------------------------------
def test_broken_plugin_is_one_warning_line(ledger: Path, tmp_path: Path) -> None:
    """A plugin that fails to import is one 'warning: plugin NAME: …' line; the rest works."""
    site = tmp_path / "site"
    info = site / "broken_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-dist\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[repatevents]\nbroken = fake_broken_plugin\n")
    (site / "fake_broken_plugin.py").write_text("raise ImportError('no module named yaml')\n")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    env.pop("REPATEVENTS_DISABLE_PLUGINS", None)
    script = Path(sys.executable).parent / "repatevents"
    out = tmp_path / "totals.csv"
    for args in (["plugins"], ["--ledger", str(ledger), "export", "csv", "-o", str(out)]):
        done = subprocess.run(
            [str(script), *args], capture_output=True, text=True, env=env, check=False
        )
        assert 0 == done.returncode, done.stderr
        assert [
            "warning: plugin broken (from broken-dist 1.0): importing 'fake_broken_plugin' "
            "raised ImportError: no module named yaml; it is not used"
        ] == done.stderr.splitlines()


def test_plugins_lists_each_exporter_with_its_options() -> None:
    """`repatevents plugins` shows where a plugin comes from, what each exporter writes and the
    -O options it takes, so a user can find `-O bom=true` without reading the docs."""
    result = CliRunner().invoke(main, ["plugins"])
    assert 0 == result.exit_code, result.output
    assert "builtin (loaded) from repatevents" in result.output
    assert "exporter csv (.csv): " in result.output
    assert "-O bom=…  bool, default false" in result.output
