"""The HTML report in a real browser: headless Chromium loads it offline and checks it.

Debian's ``chromium`` and ``chromium-driver`` drive it (``.ci/apt-packages.txt``; selenium is
told where the driver is, so nothing is downloaded) and axe-core comes from npm
(``tests/browser``, installed by ``make unit``). Without Chromium or axe-core the tests skip
with the reason, unless ``CI`` is set: there a missing browser is a failure, not a skip.
One browser serves the whole module.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import sys
import tempfile
import zlib
from collections.abc import Iterator
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from _paths import TESTS
from repatevents import Ledger
from repatevents.cli import main
from repatevents.events import read_jsonl

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
GENERATED_AT = "2026-01-01T00:00:00Z"


def _missing() -> str | None:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        return "Debian's chromium and chromium-driver are not installed (make system-packages)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tests/browser, run by make unit)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the test extra)"
    return None


def _require(missing: str | None) -> None:
    """Skip with the reason what the browser tests need is missing; fail instead under CI."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser tests cannot run: {missing}")
    pytest.skip(missing)


@pytest.fixture(scope="module")
def ledger_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example ledger, in a file the CLI can open."""
    path = tmp_path_factory.mktemp("browser") / "ledger.db"
    example = files("repatevents.data") / "example_ledger.jsonl"
    with as_file(example) as events, Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(events))
    return path


@pytest.fixture(scope="module")
def report(ledger_path: Path) -> Path:
    """The report of the example ledger, written by the CLI."""
    path = ledger_path.parent / "report.html"
    result = CliRunner().invoke(
        main,
        [
            "export",
            "html",
            "-o",
            str(path),
            "--generated-at",
            GENERATED_AT,
            "--ledger",
            str(ledger_path),
        ],
    )
    assert 0 == result.exit_code, result.output
    return path


@pytest.fixture(scope="module")
def browser(report: Path) -> Iterator[Any]:
    """One headless Chromium for the module, with the report loaded."""
    _require(_missing())
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="repatevents-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1200,1000",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # The driver's path is given, so selenium-manager never looks for (or downloads) one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get(report.as_uri())
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_no_console_error(browser: Any) -> None:
    """Loading the page logs no error (a blocked inline script or style would log one)."""
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [] == errors


def test_no_request_to_another_host(browser: Any, report: Path) -> None:
    """The page requests nothing but itself: no resource entry, no network request elsewhere."""
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [] == resources
    requested = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.add(message["params"]["request"]["url"])
    # The browser's own pages (chrome://, the new-tab page before the report) and inline
    # data: addresses fetch nothing; a request to a host or to another file would.
    outside = {
        u for u in requested if not u.startswith(("chrome://", "chrome-untrusted://", "data:"))
    }
    assert {report.as_uri()} >= outside


def test_map_has_a_shape_per_country_and_a_marker_per_camp(browser: Any, ledger_path: Path) -> None:
    """One map shape per country in the totals; one marker per camp with a location."""
    totals = _cli_json(ledger_path, "totals")
    shapes = browser.execute_script(
        "return [...document.querySelectorAll('#map .country')].map(e => e.dataset.country)"
    )
    assert sorted(r["country"] for r in totals) == sorted(shapes)
    camps = browser.execute_script(
        "return [...document.querySelectorAll('#map .camp')].map(e => e.dataset.place)"
    )
    remaining = _cli_json(ledger_path, "remaining")
    located = {r["place"] for r in remaining if r["place"] and r["lon"] is not None}
    assert located <= set(camps)
    assert len(camps) == len(set(camps))


def test_chart_has_one_series_per_country(browser: Any, ledger_path: Path) -> None:
    """The small multiples have one series per country in the totals."""
    totals = _cli_json(ledger_path, "totals")
    series = browser.execute_script(
        "return [...document.querySelectorAll('svg.series')].map(e => e.dataset.country)"
    )
    assert sorted(r["country"] for r in totals) == sorted(series)


def test_totals_rows_match_the_cli(browser: Any, ledger_path: Path) -> None:
    """Every row of the totals table shows what `repatevents totals --json` says."""
    rows = browser.execute_script(
        """
        return [...document.querySelectorAll('#table-totals tbody tr')].map(tr => {
          const cells = {country: tr.dataset.row};
          tr.querySelectorAll('[data-key]').forEach(c => {
            cells[c.dataset.key] = c.dataset.sort; cells[c.dataset.key + ':text'] = c.innerText;
          });
          return cells;
        })
        """
    )
    expected = {r["country"]: r for r in _cli_json(ledger_path, "totals")}
    assert sorted(expected) == sorted(r["country"] for r in rows)
    for row in rows:
        want = expected[row["country"]]
        assert want["country_name"] == row["country_name:text"]
        for key in ("total_best", "total_low", "total_high", "operations"):
            assert ("" if want[key] is None else str(want[key])) == row[key]


def test_sorting_a_column_reorders_the_rows(browser: Any) -> None:
    """A header's button sorts the rows by that column, numbers as numbers, and says so."""
    button = browser.find_element("css selector", "#table-totals th[data-key=total_best] button")
    button.click()
    button.click()  # descending: the largest first
    values = browser.execute_script(
        "return [...document.querySelectorAll('#table-totals tbody [data-key=total_best]')]"
        ".map(c => Number(c.dataset.sort))"
    )
    assert sorted(values, reverse=True) == values
    header = browser.find_element("css selector", "#table-totals th[data-key=total_best]")
    assert "descending" == header.get_attribute("aria-sort")


def test_focusing_a_country_shows_its_range(browser: Any) -> None:
    """Tabbing to a country (keyboard focus) shows its best figure and range beside the map."""
    browser.execute_script("document.querySelector('#map .country').focus()")
    text = browser.find_element("id", "map-info").text
    assert "best estimate" in text
    assert "range" in text


def test_screenshot_of_the_map_is_not_blank(browser: Any) -> None:
    """The map renders: its screenshot has many colours, not one."""
    png = browser.find_element("id", "map").screenshot_as_png
    assert _distinct_bytes(png) > 50


def test_no_serious_accessibility_violation(browser: Any) -> None:
    """axe-core finds no serious or critical violation."""
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    results = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));"
    )
    serious = [
        (v["id"], v["help"], [n["target"] for n in v.get("nodes", [])][:3])
        for v in results
        if v["impact"] in ("serious", "critical")
    ]
    assert [] == serious


def test_reads_on_a_phone_width_screen(browser: Any) -> None:
    """At 375 px wide the page does not scroll sideways; wide tables scroll in their box."""
    browser.set_window_size(375, 800)
    try:
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
    finally:
        browser.set_window_size(1200, 1000)
    assert overflow <= 0


def test_prints_to_pdf(browser: Any) -> None:
    """The page prints: a PDF of several pages, the map and tables included."""
    pdf = base64.b64decode(browser.print_page())
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") + pdf.count(b"/Type/Page") > 2


def _cli_json(ledger: Path, command: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, [command, "--json", "--ledger", str(ledger)])
    assert 0 == result.exit_code, result.output
    rows: list[dict[str, Any]] = json.loads(result.output)
    return rows


def _distinct_bytes(png: bytes) -> int:
    """Return how many distinct byte values the PNG's decompressed pixel data holds."""
    offset, data = 8, b""
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return len(set(zlib.decompress(data)))


def test_missing_browser_skips_locally_and_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Chromium the tests skip with the reason, unless CI is set: then they fail."""
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", Path("/nonexistent/chromium"))
    missing = _missing()
    assert missing is not None
    assert "chromium" in missing
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        _require(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        _require(missing)
