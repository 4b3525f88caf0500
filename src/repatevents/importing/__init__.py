"""The import: from a file's bytes to checked events in a ledger (``Ledger.import_file``).

Private modules, in the order the data flows through them:

- ``_files``: a CSV file's or an XLSX workbook's bytes into rows of cells, read as they are
  (every row and column, whatever size a workbook says its sheet is), safely (no XML entities,
  a bound on a workbook's unpacked size);
- ``_columns``: the columns a sheet may have, with their aliases: one table;
- ``_cells``: a cell as the event codec reads it;
- ``_sheets``: a sheet's header matched to the columns, each row into an event;
- ``_checks``: a batch against itself and the ledger (ids taken, dangling references, likely
  edits);
- ``_import``: the whole import, JSON Lines or sheet, with its retries.

The public entry is ``repatevents.Ledger.import_file``; nothing here is public.
"""

__all__: list[str] = []
