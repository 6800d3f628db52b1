"""What an import says about a file: each finding has a stable code, the row it
concerns (None for the whole file) and a message for the person importing.

The codes are the contract (tests, and any step that acts on a plan, go by the
code); the messages may be reworded. A refused file (`reading.FileRefused`) and a
refused plan (`applying.ImportRefused`) carry a code from the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FINDINGS = 500  # per list: a hopeless file should not produce a page of 100,000 errors

# --- the file refused unread (reading.FileRefused) ---------------------------
FILE_TOO_LARGE = "file_too_large"
FILE_EMPTY = "file_empty"
NOT_A_SPREADSHEET = "not_a_spreadsheet"  # a PDF, an image, an .xls, an .ods, a zip
BINARY_DATA = "binary_data"
UTF16_TEXT = "utf16_text"
NOT_UTF8 = "not_utf8"
UNREADABLE_TEXT = "unreadable_text"  # CSV or tab-separated text the csv module refuses
TOO_MANY_ROWS = "too_many_rows"
TOO_MANY_COLUMNS = "too_many_columns"
WORKBOOK_TOO_LARGE = "workbook_too_large"  # when unzipped
WORKBOOK_UNREADABLE = "workbook_unreadable"
NO_WORKSHEET = "no_worksheet"

# --- warnings about the file -------------------------------------------------
OTHER_SHEETS_IGNORED = "other_sheets_ignored"
MORE_FINDINGS = "more_findings"  # the list was cut at MAX_FINDINGS

# --- the layout: errors (layout.parse) ---------------------------------------
NOT_A_NUMBER = "not_a_number"
NEGATIVE = "negative"
NUMBER_TOO_LARGE = "number_too_large"
NOT_APPLICABLE_REFUSED = "not_applicable_refused"  # 'n/a' where a number is needed
NOT_A_RATING = "not_a_rating"
NOT_A_MONTH = "not_a_month"
NOT_A_YEAR = "not_a_year"
NO_DUE_DATE = "no_due_date"  # a long-term target without its month
NO_BENCHMARK_YEAR = "no_benchmark_year"
BEYOND_LAST_COLUMN = "beyond_last_column"
DUPLICATE_MONTH = "duplicate_month"
NO_TITLE = "no_title"
UNKNOWN_MEASURE = "unknown_measure"
AMBIGUOUS_MEASURE = "ambiguous_measure"  # a title matching several measures
REPEATED_MEASURE = "repeated_measure"
AMBIGUOUS_SHIFT = "ambiguous_shift"  # a short row that may or may not be shifted
INCOMPLETE_BLOCK = "incomplete_block"
NO_TABLE = "no_table"
PERCENT_AS_FRACTION = "percent_as_fraction"  # 0.172 for 17.2%

# --- the layout: warnings ----------------------------------------------------
ROUNDED = "rounded"  # more decimal places than are stored
SUBHEADER_REALIGNED = "subheader_realigned"
ROW_REALIGNED = "row_realigned"
UNKNOWN_COLUMN = "unknown_column"
OUTTURN_DIFFERS = "outturn_differs"  # from the latest monthly figure
NOT_IMPORTED_ROWS = "not_imported_rows"  # a block that is neither a table nor benchmarks
COMMENTARY_IGNORED = "commentary_ignored"
BLANK_ROW_IN_TABLE = "blank_row_in_table"  # read past: the rows below are measure rows
SUMMARY_COLUMN_SKIPPED = "summary_column_skipped"  # a quarter, total or YTD column
MERGED_CELL_SPREAD = "merged_cell_spread"  # a figure merged over cells, read in each

# --- the plan against the database: errors (planning.plan_import) ------------
CONFLICTING_FIGURES = "conflicting_figures"  # one figure stated twice, differently
NO_AUTHORITY = "no_authority"
UNKNOWN_AREA = "unknown_area"  # an area column naming no service area
NOT_REPORTED_BY_AREA = "not_reported_by_area"  # figures the scorecard would never show
RETURN_NOT_APPROVED = "return_not_approved"
ENTERED_AS_COUNTS = "entered_as_counts"

# --- the plan: warnings ------------------------------------------------------
POOLED_BY_AREAS = "pooled_by_areas"
OPEN_RETURN_FILLED = "open_return_filled"  # an opened return with no figures yet
UNDATED_BASELINE = "undated_baseline"
UNDATED_BASELINE_DIFFERS = "undated_baseline_differs"
RAG_DIFFERS = "rag_differs"

# --- the plan refused (applying.ImportRefused) -------------------------------
PLAN_HAS_ERRORS = "plan_has_errors"
NOTHING_TO_APPLY = "nothing_to_apply"
CHANGED_SINCE_PREVIEW = "changed_since_preview"
OWN_SUBMISSION = "own_submission"  # four eyes: not into a return you submitted
# and RETURN_NOT_APPROVED, checked again under the row lock


@dataclass(frozen=True)
class ImportFinding:
    code: str
    row: int | None
    message: str


class Refusal(Exception):
    """An import stopped with a code and a message for the person importing."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def add(findings: list[ImportFinding], code: str, row: int | None, message: str) -> None:
    """Append, up to MAX_FINDINGS, then say once that there are more."""
    if len(findings) < MAX_FINDINGS:
        findings.append(ImportFinding(code, row, message))
    elif len(findings) == MAX_FINDINGS:
        findings.append(
            ImportFinding(
                MORE_FINDINGS, None, f"… and more: only the first {MAX_FINDINGS} are listed."
            )
        )
