"""The report page's fixed parts: its style sheet and its small script.

Both are inlined in the page and allowed by their SHA-256 in the page's Content Security
Policy, so the page runs only the script it carries and loads nothing from anywhere.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["SCRIPT", "STYLE", "csp"]

STYLE = """
:root { --ink: #1b1b1b; --muted: #4a4a4a; --rule: #c8c8c8; --link: #1c4f99; --sea: #eef3f7;
  --land: #e4e4e4; --focus: #c2410c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 1.7rem; line-height: 1.2; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.lead { font-size: 1.1rem; color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; list-style: none; }
.map-layout { display: grid; grid-template-columns: minmax(0, 1fr) 21rem;
  gap: 1rem; align-items: start; }
svg.map { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
.map .sea { fill: var(--sea); }
.map .land path { fill: var(--land); stroke: #fff; stroke-width: .6; }
.map .country { stroke: #555; stroke-width: .8; cursor: pointer; }
.map .country:hover, .map .country:focus { stroke: var(--focus); stroke-width: 2.5; }
.map .flow { fill: none; stroke: #b35806; stroke-opacity: .75; stroke-linecap: round; }
.map .camp path { fill: #7f0000; stroke: #fff; stroke-width: 1; }
.map .camp text { font-size: 13px; font-weight: 600; fill: #111; paint-order: stroke;
  stroke: #fff; stroke-width: 3px; }
.map .camp line { stroke: #7f0000; stroke-width: 1; }
.map-note { font-size: .9rem; color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .25rem .75rem; margin: .5rem 0; padding: 0;
  list-style: none; font-size: .9rem; }
.legend .swatch { display: inline-block; width: 1.1em; height: 1.1em; margin-right: .3em;
  vertical-align: -.2em; border: 1px solid #555; }
.map-info { min-height: 3em; margin: .5rem 0; font-size: .95rem; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
  gap: .75rem; }
.panel { margin: 0; }
.panel figcaption { font-weight: 600; text-align: center; }
svg.series { width: 100%; height: auto; display: block; }
.series .band { fill: #41b6c4; fill-opacity: .35; }
.series .line { fill: none; stroke: #253494; stroke-width: 2; }
.series .op { fill: #fff; stroke: #253494; stroke-width: 1.5; cursor: pointer; }
.series .op:hover, .series .op:focus { fill: var(--focus); }
.series .axis, .series .grid { stroke: #888; stroke-width: 1; }
.series .grid { stroke-dasharray: 2 3; }
.series .tick { font-size: 11px; fill: var(--muted); }
.scroll { overflow-x: auto; margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { text-align: left; padding: .25rem 0 .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
.caption-title { display: block; font-weight: 600; font-size: 1.05rem; }
.caption-note { display: block; color: var(--muted); font-size: .85rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
tbody th { font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.range, .missing { color: var(--muted); white-space: nowrap; }
button.sort { font: inherit; font-weight: 600; color: inherit; background: none; border: 0;
  padding: 0; cursor: pointer; text-align: inherit; }
button.sort::after { content: " \\2195"; color: var(--muted); }
th[aria-sort=ascending] button.sort::after { content: " \\2191"; }
th[aria-sort=descending] button.sort::after { content: " \\2193"; }
sup.fn a { text-decoration: none; padding: 0 .1em; }
.sources { font-size: .9rem; word-break: break-word; }
.table-note { font-size: .9rem; color: var(--muted); }
footer { margin-top: 2rem; padding-top: .5rem; border-top: 2px solid var(--ink);
  font-size: .85rem; color: var(--muted); }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
footer dt { font-weight: 600; }
footer dd { margin: 0; word-break: break-all; }
@media (max-width: 44rem) {
  body { padding: .5rem; font-size: 15px; }
  .map-layout { grid-template-columns: 1fr; }
  footer dl { grid-template-columns: 1fr; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, .map-info { display: none; }
  .map-layout { grid-template-columns: 1fr; }
  .scroll { overflow: visible; }
  section, figure, tr { break-inside: avoid; }
  button.sort::after { content: ""; }
  a { color: inherit; }
  .sources a::after { content: ""; }
}
""".strip()

SCRIPT = """
(function () {
  "use strict";
  function key(cell) { return cell ? cell.getAttribute("data-sort") || "" : ""; }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button.sort");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var numeric = th.classList.contains("num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[index]), y = key(b.cells[index]);
          if (x === "" || y === "") { return (x === "") - (y === ""); }
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  });
  var info = document.getElementById("map-info");
  document.querySelectorAll("#map .country, #map .camp, #map .flow").forEach(function (mark) {
    function show() {
      var title = mark.querySelector("title");
      if (info && title) { info.textContent = title.textContent; }
    }
    mark.addEventListener("focus", show);
    mark.addEventListener("mouseenter", show);
  });
})();
""".strip()


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def csp() -> str:
    """Return the page's Content Security Policy: nothing but its own style and script."""
    return (
        f"default-src 'none'; style-src {_sha256(STYLE)}; script-src {_sha256(SCRIPT)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
