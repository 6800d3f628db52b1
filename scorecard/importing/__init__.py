"""Importing scorecard spreadsheets, safely, in four steps, one module each:

- `reading`: bytes to rows of text (TSV, CSV, XLSX); the size, row and column
  limits and the encodings. Refuses an unreadable file with `FileRefused`.
- `layout`: rows to what the file says (the reference layout's success-measure
  table and benchmark blocks, and the product's own export), as facts with the
  row they came from. No database.
- `planning`: the facts compared with the database: `plan_import` says what
  would be created and changed, with old and new values. Writes nothing.
- `applying`: `apply_plan` writes a plan in one transaction, audited, or
  refuses it with `ImportRefused`.

Every error and warning is an `ImportFinding` with a stable code from `findings`.
"""

from .applying import ImportRefused, ImportResult, apply_plan
from .findings import ImportFinding
from .planning import ImportPlan, plan_import
from .reading import FileRefused, max_bytes, read_path, size_text

__all__ = [
    "FileRefused",
    "ImportFinding",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "apply_plan",
    "max_bytes",
    "read_path",
    "plan_import",
    "size_text",
]
