"""The set-up as one spreadsheet, both ways: a performance officer downloads the
whole reference data (areas, measure groups, measures, targets, baselines,
benchmarks, populations, and team managers with the areas they manage, never a
password) as one workbook, and uploads it back, here or into another
installation. Four steps, one module each:

- `layout`: the sheets, their columns, how each cell is read and written;
- `exporting`: the stored set-up as rows, and as the workbook;
- `reading`: a workbook's bytes to rows of values (the limits of
  `importing.reading`), or findings naming sheet, row and column;
- `planning`: the rows against the database: what would be created, changed
  and removed (and the rules for what the file leaves out);
- `applying`: the plan written in one transaction, audited, recalculated, or
  refused if the file or the stored set-up changed since the preview.
"""

from ..importing.reading import FileRefused
from .applying import apply_upload
from .exporting import export_workbook
from .findings import SetupFinding, SetupRefused
from .planning import SetupPlan, plan_upload

__all__ = [
    "FileRefused",
    "SetupFinding",
    "SetupPlan",
    "SetupRefused",
    "apply_upload",
    "export_workbook",
    "plan_upload",
]
