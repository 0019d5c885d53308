"""Excel import and export of the registers.

- columns.py   the declarative column spec of each register (Chinese header, English key, type, example)
- cells.py     turning one Excel cell into a Python value (IDs and phones as text, dates, choices)
- workbook.py  reading an upload (size, real .xlsx, header and row checks), writing the template and exports
- registers.py per register: natural keys, references, which service creates/updates a row, export values

The import run itself (transactions, progress, counts, audit) is grids.services.imports; the export with its
audit row is grids.services.exports.
"""
