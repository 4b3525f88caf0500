"""The CSV export's Frictionless Data Package: a descriptor frictionless validates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from _paths import EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents.errors import ExportError

frictionless = pytest.importorskip("frictionless")


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    opened = Ledger.in_memory()
    opened.record_many(read_jsonl(EXAMPLE))
    return opened


def _export(ledger: Ledger, target: Path, **options: Any) -> Path:
    written = ledger.export("csv", target, datapackage=True, **options)
    descriptor = written[-1]
    assert descriptor.name.endswith("datapackage.json")
    return descriptor


def _errors(descriptor: Path) -> list[Any]:
    report = frictionless.validate(str(descriptor))
    found: list[Any] = report.flatten(["title", "type", "message"])
    return found


@pytest.mark.parametrize(
    "options",
    [{}, {"hxl": True}, {"bom": True}, {"titles": True}, {"hxl": True, "bom": True}],
    ids=["plain", "hxl", "bom", "titles", "hxl-bom"],
)
def test_frictionless_validates_the_package_with_no_error(
    ledger: Ledger, tmp_path: Path, options: dict[str, Any]
) -> None:
    """frictionless validate accepts the descriptor and every CSV file against its schema,
    whatever the CSV options (an HXL row is declared as a comment row)."""
    assert [] == _errors(_export(ledger, tmp_path / "out", **options))


def test_the_schema_is_checked_against_the_files(ledger: Ledger, tmp_path: Path) -> None:
    """A number cell changed to words fails validation: the types are declared, not guessed."""
    descriptor = _export(ledger, tmp_path / "out")
    totals = tmp_path / "out" / "totals.csv"
    lines = totals.read_bytes().decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("total_best")] = "many"
    lines[1] = ",".join(cells)
    totals.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert ["type-error"] == sorted({error[1] for error in _errors(descriptor)})


def test_the_package_declares_types_keys_licence_sources_and_provenance(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Each resource has typed, described fields and the empty cell as missing value; the
    tables' keys and the foreign keys to totals are declared; the package names a licence,
    the sources and the ledger state it shows."""
    package = json.loads(_export(ledger, tmp_path / "out").read_bytes())
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert [
        "operations",
        "totals",
        "nationality_totals",
        "timeseries",
        "remaining",
        "reconciliation",
        "quality",
    ] == list(resources)[:7]
    totals = resources["totals"]["schema"]
    assert [""] == totals["missingValues"]
    assert ["country"] == totals["primaryKey"]
    fields = {field["name"]: field for field in totals["fields"]}
    assert "integer" == fields["total_best"]["type"]
    assert "date" == fields["first_date"]["type"]
    assert fields["total_best"]["description"]
    assert "#affected+total+best" == fields["total_best"]["hxl"]
    operations = resources["operations"]["schema"]
    assert ["operation_id"] == operations["primaryKey"]
    assert {"fields": ["country"], "reference": {"resource": "totals", "fields": ["country"]}} in (
        operations["foreignKeys"]
    )
    assert "CC-BY-4.0" == package["licenses"][0]["name"]
    assert package["sources"]
    assert all("title" in source for source in package["sources"])
    provenance = package["repatevents"]
    assert ledger.head == provenance["ledger_position"]
    assert ledger.head_hash == provenance["head_hash"]


def test_one_table_gets_a_descriptor_named_after_it(ledger: Ledger, tmp_path: Path) -> None:
    """``-o k.csv --table totals`` writes k.csv, k-metadata.csv and k-datapackage.json."""
    written = ledger.export("csv", tmp_path / "k.csv", tables=["totals"], datapackage=True)
    assert ["k.csv", "k-metadata.csv", "k-datapackage.json"] == [p.name for p in written]
    assert [] == _errors(written[-1])


def test_a_licence_can_be_chosen_and_an_empty_one_is_refused(
    ledger: Ledger, tmp_path: Path
) -> None:
    """licence= sets the package's licence; an empty one fails and writes nothing."""
    package = json.loads(_export(ledger, tmp_path / "a", licence="CC0-1.0").read_bytes())
    assert "CC0-1.0" == package["licenses"][0]["name"]
    with pytest.raises(ExportError, match="licence is empty"):
        ledger.export("csv", tmp_path / "b", datapackage=True, licence=" ")
    assert not (tmp_path / "b").exists()


def test_without_the_option_no_descriptor_is_written(ledger: Ledger, tmp_path: Path) -> None:
    """A plain CSV export writes the tables and the metadata only."""
    written = ledger.export("csv", tmp_path / "out")
    assert "metadata.csv" == written[-1].name
    assert not (tmp_path / "out" / "datapackage.json").exists()
