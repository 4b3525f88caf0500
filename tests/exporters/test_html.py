"""The HTML report: one self-contained page with a map, charts, tables and their sources."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from repatevents import Ledger, strategies as rst
from repatevents._tables import Table
from repatevents.cli import main
from repatevents.errors import ExportError, ValidationError
from repatevents.events import read_jsonl
from repatevents.exporters._html import write_html
from repatevents.exporters._html_common import range_text
from repatevents.exporters._html_map import classes
from repatevents.testing import ExporterContract, sample_metadata, sample_tables

GENERATED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class TestHtmlContract(ExporterContract):
    """The HTML exporter passes the exporter contract."""

    exporter_name = "html"
    # A report shows chosen columns, so not every text cell of every table appears.
    writes_text_cells = False


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside the named elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, str] = {}
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "script"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts[self._open[-1]] = self.texts.get(self._open[-1], "") + data

    def having(self, tag: str, klass: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and klass in a.get("class", "").split()]


def _example_events() -> list[Any]:
    with as_file(files("repatevents.data") / "example_ledger.jsonl") as path:
        return list(read_jsonl(path))


def _parse(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    """The shipped example ledger."""
    path = tmp_path_factory.mktemp("html") / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.record_many(_example_events())
        yield ledger


@pytest.fixture(scope="module")
def report(example: Ledger, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The report of the example ledger, with a fixed generation time."""
    path = tmp_path_factory.mktemp("report") / "report.html"
    example.export("html", path, generated_at=GENERATED_AT)
    return path.read_text(encoding="utf-8")


def test_report_loads_nothing_from_anywhere(report: str) -> None:
    """No element fetches a resource: no src, no stylesheet link, no url() in the style."""
    parsed = _parse(report)
    fetching = [(t, a) for t, a in parsed.elements if "src" in a or t in ("link", "img", "iframe")]
    assert [] == fetching
    assert "url(" not in parsed.texts["style"]
    assert "@import" not in parsed.texts["style"]
    links = [a["href"] for t, a in parsed.elements if t == "a"]
    assert all(h.startswith(("#", "https://")) for h in links)
    assert any(h.startswith("https://") for h in links)  # the sources' addresses, as links


def test_content_security_policy_allows_only_the_inline_style_and_script(report: str) -> None:
    """The CSP forbids every host and carries the hashes of the page's own style and script."""
    parsed = _parse(report)
    (policy,) = [
        a["content"]
        for t, a in parsed.elements
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy.startswith("default-src 'none';")
    for tag in ("style", "script"):
        digest = hashlib.sha256(parsed.texts[tag].encode("utf-8")).digest()
        assert f"'sha256-{base64.b64encode(digest).decode()}'" in policy
    assert "http" not in policy


def test_same_ledger_and_options_give_the_same_bytes(example: Ledger, tmp_path: Path) -> None:
    """Two exports with one generation time are byte-identical."""
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    example.export("html", first, generated_at=GENERATED_AT)
    example.export("html", second, generated_at=GENERATED_AT)
    assert first.read_bytes() == second.read_bytes()


def test_report_of_the_example_ledger_is_under_a_megabyte(report: str) -> None:
    """The example's report stays small enough to mail."""
    assert len(report.encode("utf-8")) < 1_000_000


def test_map_has_one_shape_per_country_and_a_marker_per_located_camp(
    report: str, example: Ledger
) -> None:
    """Every receiving country in the totals is one map shape; every located camp a marker."""
    parsed = _parse(report)
    tables = example.tables(generated_at=GENERATED_AT)
    countries = [a["data-country"] for t, a in parsed.elements if "country" in a.get("class", "")]
    assert sorted(r["country"] for r in tables["totals"].records()) == sorted(countries)
    located = {
        r["place"]
        for r in tables["remaining"].records()
        if r["place"] is not None and r["lon"] is not None
    } | {r["origin"] for r in tables["operations"].records() if r["lon"] is not None}
    assert sorted(located) == sorted(a["data-place"] for a in parsed.having("g", "camp"))
    assert located  # the example has camps with known locations


def test_chart_has_one_series_per_country(report: str, example: Ledger) -> None:
    """The small multiples draw one series per country with a time series."""
    parsed = _parse(report)
    expected = {r["country"] for r in example.tables()["timeseries"].records()}
    drawn = [a["data-country"] for a in parsed.having("svg", "series")]
    assert sorted(expected) == sorted(drawn)
    operations = len(example.tables()["operations"].rows)
    assert operations == len(parsed.having("circle", "op"))


def test_totals_rows_match_the_totals_table(report: str, example: Ledger) -> None:
    """Each totals row shows the country's best, low and high estimate and operations."""
    rows = re.findall(
        r'<tr data-row="([A-Z]{3})">(.*?)</tr>',
        report.split('id="table-totals"')[1].split("</table>")[0],
        re.S,
    )
    shown = {
        code: dict(re.findall(r'data-key="(\w+)" data-sort="([^"]*)"', cells))
        for code, cells in rows
    }
    for record in example.tables()["totals"].records():
        cells = shown[record["country"]]
        for key in ("total_best", "total_low", "total_high", "operations"):
            assert ("" if record[key] is None else str(record[key])) == cells[key]
    assert len(example.tables()["totals"].rows) == len(shown)


def test_every_figure_has_its_sources_as_footnotes(report: str, example: Ledger) -> None:
    """Each totals row links to numbered sources, and each source is listed with its address."""
    metadata = example.metadata()
    totals = report.split('id="table-totals"')[1].split("</table>")[0]
    for row in re.findall(r"<tr data-row=.*?</tr>", totals, re.S):
        assert 'href="#source-' in row
    for number, source in enumerate(metadata.sources, start=1):
        item = re.search(rf'<li id="source-{number}">(.*?)</li>', report, re.S)
        assert item is not None
        assert source["publisher"] in item.group(1).replace("&amp;", "&")
        if source["url"]:
            assert f'href="{source["url"]}"' in item.group(1).replace("&amp;", "&")


def test_reconciliation_explains_every_disagreement(report: str, example: Ledger) -> None:
    """Every claim's explanation is in the report."""
    for record in example.tables()["reconciliation"].records():
        assert _escaped(record["explanation"]) in report


def test_footer_shows_every_metadata_item(report: str, example: Ledger) -> None:
    """The footer renders each of the metadata's items, so new provenance fields appear."""
    footer = report.split("<footer>")[1]
    for key, value in example.metadata(generated_at=GENERATED_AT).typed_items():
        assert (
            f"<dt>{key.replace('_', ' ').capitalize()}</dt><dd>{_escaped(str(value))}</dd>"
            in footer
        )


def test_title_option_sets_the_page_title(example: Ledger, tmp_path: Path) -> None:
    """-O title=… becomes the page's title and heading."""
    path = tmp_path / "r.html"
    example.export("html", path, generated_at=GENERATED_AT, title="Kyrgyz & Kazakh returns")
    page = path.read_text(encoding="utf-8")
    assert "<title>Kyrgyz &amp; Kazakh returns</title>" in page
    assert "<h1>Kyrgyz &amp; Kazakh returns</h1>" in page


def test_countries_option_keeps_only_those_countries(example: Ledger, tmp_path: Path) -> None:
    """-O countries=KGZ,KAZ leaves the other countries off the map, chart and tables."""
    path = tmp_path / "r.html"
    example.export("html", path, generated_at=GENERATED_AT, countries="KGZ, Kazakhstan")
    parsed = _parse(path.read_text(encoding="utf-8"))
    shapes = sorted(
        a["data-country"] for t, a in parsed.elements if "country" in a.get("class", "")
    )
    assert ["KAZ", "KGZ"] == shapes
    assert ["KAZ", "KGZ"] == sorted(a["data-country"] for a in parsed.having("svg", "series"))
    assert parsed.having("g", "camp")  # camps are not countries: they stay


@pytest.mark.parametrize(
    ("options", "field", "value"),
    [
        ({"countries": "KGZ,Narnia"}, "countries", "Narnia"),
        ({"countries": "USA"}, "countries", "USA"),
        ({"countries": " , "}, "countries", " , "),
        ({"title": "  "}, "title", "  "),
    ],
)
def test_bad_option_is_refused_naming_field_and_value(
    example: Ledger, tmp_path: Path, options: dict[str, Any], field: str, value: str
) -> None:
    """An unknown country, one without operations, none, or an empty title: nothing written."""
    path = tmp_path / "r.html"
    with pytest.raises(ExportError) as raised:
        example.export("html", path, generated_at=GENERATED_AT, **options)
    cause = raised.value.__cause__
    assert isinstance(cause, ValidationError)
    assert field in str(cause)
    assert repr(value) in str(cause)
    assert not path.exists()


def test_cli_refuses_an_unknown_country_cleanly(example: Ledger, tmp_path: Path) -> None:
    """The CLI says what is wrong with -O countries and exits non-zero, without a traceback."""
    runner = CliRunner()
    ledger = tmp_path / "l.db"
    with Ledger.open(ledger) as copy:
        copy.record_many(_example_events())
    result = runner.invoke(
        main,
        [
            "export",
            "html",
            "-o",
            str(tmp_path / "r.html"),
            "-O",
            "countries=XYZ",
            "--ledger",
            str(ledger),
        ],
    )
    assert result.exit_code != 0
    assert "'XYZ'" in result.output
    assert "countries" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_cli_writes_the_report(tmp_path: Path) -> None:
    """`repatevents export html -o report.html` writes one HTML file."""
    ledger = tmp_path / "l.db"
    with Ledger.open(ledger) as copy:
        copy.record_many(_example_events())
    result = CliRunner().invoke(
        main,
        [
            "export",
            "html",
            "-o",
            str(tmp_path / "report.html"),
            "-O",
            "title=Returns",
            "--ledger",
            str(ledger),
        ],
    )
    assert 0 == result.exit_code, result.output
    assert "<h1>Returns</h1>" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_text_from_sources_is_escaped(tmp_path: Path) -> None:
    """A publisher's name with markup is shown as text, never run as markup."""
    metadata = sample_metadata()
    sources = ({**metadata.sources[0], "publisher": "<script>alert(1)</script>"},)
    path = tmp_path / "r.html"
    with path.open("wb") as stream:
        write_html(sample_tables(), attrs.evolve(metadata, sources=sources), stream)
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_colour_classes_tell_small_and_large_totals_apart() -> None:
    """Totals of 7, 32, 274 and 329 fall into rising classes with round lower bounds."""
    assert [1, 5, 20, 200] == classes([7, 32, 274, 329])
    assert [1] == classes([])


def test_country_outlines_are_small_and_one_per_country() -> None:
    """The shipped outlines stay small (most of a small report's weight), one line a country."""
    shapes = files("repatevents.data") / "country_shapes.json"
    data = json.loads(shapes.read_text(encoding="utf-8"))
    assert len(shapes.read_bytes()) < 200_000
    assert len({item["code"] for item in data}) == len(data) > 150


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_countries_option_takes_a_country_with_only_a_claim(
    example: Ledger, tmp_path: Path
) -> None:
    """A country with a cumulative claim but no operation can be chosen: its claim is shown."""
    path = tmp_path / "r.html"
    example.export("html", path, generated_at=GENERATED_AT, countries="BEL")
    page = path.read_text(encoding="utf-8")
    claims = page.split('id="table-reconciliation"')[1].split("</table>")[0]
    assert "Belgium" in claims
    assert "Kyrgyzstan" not in claims


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (540, 600, "540–600"),
        (540, None, "540 or more"),
        (None, 600, "up to 600"),
        (-142, -4, "-142 to -4"),
        (7, 7, "7"),
        (None, None, "not reported"),
    ],
)
def test_ranges_read_as_words_a_reader_expects(
    low: int | None, high: int | None, text: str
) -> None:
    """A range with no upper bound says "or more"; a negative one (a gap) says "to"."""
    assert text == range_text(low, high)


def test_many_quality_findings_are_counted_by_check_and_the_first_listed(tmp_path: Path) -> None:
    """Thousands of findings do not swell the page: all counted by check, the first 100 shown."""
    tables = sample_tables()
    quality = tables["quality"]
    rows = [("duplicate", "KGZ", f"finding {i}") for i in range(150)]
    rows += [("breakdown", "KAZ", "women + children exceed the total")]
    tables["quality"] = Table(quality.name, quality.title, quality.columns, rows)
    path = tmp_path / "r.html"
    with path.open("wb") as stream:
        write_html(tables, sample_metadata(), stream)
    page = path.read_text(encoding="utf-8")
    assert "finding 99<" in page
    assert "finding 100<" not in page
    assert "The first 100 of 151 findings" in page
    summary = page.split('id="table-quality-summary"')[1].split("</table>")[0]
    assert 'data-key="findings" data-sort="150"' in summary
    assert 'data-key="findings" data-sort="1"' in summary


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rst.event_logs(max_size=25))
def test_any_ledger_gives_a_whole_report(events: list[Any]) -> None:
    """Any ledger's report has one map mark per country (or names it as not on the map),
    one panel per country with a time series, every totals row, and the same bytes twice."""
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    tables = ledger.tables(generated_at=GENERATED_AT)
    metadata = ledger.metadata(generated_at=GENERATED_AT)
    pages = []
    for _ in range(2):
        stream = io.BytesIO()
        write_html(tables, metadata, stream)
        pages.append(stream.getvalue())
    assert pages[0] == pages[1]
    parsed = _parse(pages[0].decode("utf-8"))
    countries = sorted(r["country"] for r in tables["totals"].records())
    marks = [a["data-country"] for t, a in parsed.elements if "country" in a.get("class", "")]
    unplaced = [a["data-unplaced"] for t, a in parsed.elements if "data-unplaced" in a]
    assert countries == sorted(marks + unplaced)
    charted = {r["country"] for r in tables["timeseries"].records()}
    assert sorted(charted) == sorted(a["data-country"] for a in parsed.having("svg", "series"))
    rows = [a["data-row"] for t, a in parsed.elements if t == "tr" and "data-row" in a]
    assert countries == sorted(set(rows) & set(countries))


def test_country_without_a_location_is_named_under_the_map(tmp_path: Path) -> None:
    """A country with neither an outline nor a label point is named as not on the map."""
    tables = sample_tables()
    totals = tables["totals"]
    row = ("BVT", "Bouvet Island", 1, 3, 3, 3, None, 3, None, None, None)
    tables["totals"] = Table(totals.name, totals.title, totals.columns, [*totals.rows, row])
    stream = io.BytesIO()
    write_html(tables, sample_metadata(), stream)
    parsed = _parse(stream.getvalue().decode("utf-8"))
    assert ["BVT"] == [a["data-unplaced"] for t, a in parsed.elements if "data-unplaced" in a]
    marks = [a["data-country"] for t, a in parsed.elements if "country" in a.get("class", "")]
    assert "BVT" not in marks
    assert len(totals.rows) == len(marks)
