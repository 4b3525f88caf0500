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

The public entry is ``repatevents.Ledger.import_file``; nothing here is public. The names
imported ``as`` themselves above are the door the Ledger and the CLI come through (none is
in ``__all__``).
"""

from ._columns import columns_help as columns_help
from ._import import FORMATS as FORMATS, import_file as import_file
from ._results import ImportResult as ImportResult, ImportWarning as ImportWarning
from ._sheets import parse_column_map as parse_column_map

__all__: list[str] = []
