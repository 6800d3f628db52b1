"""What an upload of the set-up file says about it: each finding has a stable
code, the sheet, row and column it concerns (None for the whole file or sheet)
and a message for the performance officer.

The codes are the contract (tests, and the pages, go by the code); the
messages may be reworded. A file refused unread carries a code of
`importing.findings` (file_too_large, not_a_spreadsheet, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..importing.findings import MAX_FINDINGS, MORE_FINDINGS, Refusal

# --- the sheets and their columns ----------------------------------------------
NO_SHEETS = "no_sheets"  # none of the set-up file's sheets is in the workbook
SHEET_MISSING = "sheet_missing"  # warning: that part is left as it is
OTHER_SHEET = "other_sheet"  # warning: a sheet the set-up file does not have
MISSING_COLUMN = "missing_column"  # a required column's heading is not in the sheet
UNKNOWN_COLUMN = "unknown_column"  # warning
REPEATED_COLUMN = "repeated_column"
REPEATED_SHEET = "repeated_sheet"

# --- a cell ------------------------------------------------------------------
BLANK_CELL = "blank_cell"  # a required cell left blank
NOT_A_NUMBER = "not_a_number"  # the codes of validation.read_figure
NEGATIVE = "negative"
TOO_MANY_DIGITS = "too_many_digits"
TOO_MANY_DECIMALS = "too_many_decimals"
OUT_OF_RANGE = "out_of_range"
NOT_A_PERCENTAGE = "not_a_percentage"  # a % sign on a figure of a measure that is not one
NOT_A_CHOICE = "not_a_choice"  # an unknown unit, polarity, kind of target ...
NOT_YES_OR_NO = "not_yes_or_no"
NOT_A_MONTH = "not_a_month"
NOT_A_DATE = "not_a_date"
NOT_A_PERIOD = "not_a_period"  # a benchmark period periods.parse_period refuses
NOT_A_CODE = "not_a_code"
NOT_AN_EMAIL = "not_an_email"
NOT_A_USERNAME = "not_a_username"
TOO_LONG = "too_long"
SEVERAL_LINES = "several_lines"

# --- a row against the others and the database ---------------------------------
DUPLICATE_ROW = "duplicate_row"  # the same code (or measure, kind and month ...) twice
NAME_TAKEN = "name_taken"  # a name or title another row has, or will have
SECOND_AUTHORITY = "second_authority"  # more than one area without a parent
NO_AUTHORITY_ROW = "no_authority_row"
OTHER_AUTHORITY = "other_authority"  # not this installation's authority
NOT_UNDER_AUTHORITY = "not_under_authority"  # a third tier, or an unknown parent
REGION_NOT_FOR_AREA = "region_not_for_area"
UNKNOWN_GROUP = "unknown_group"
UNKNOWN_MEASURE = "unknown_measure"
UNKNOWN_AREA = "unknown_area"
RATIO_NOT_PERCENT = "ratio_not_percent"  # numerator and denominator make a percentage
NO_DUE_DATE = "no_due_date"  # a long-term target without its month
DUE_DATE_NOT_FOR_IN_YEAR = "due_date_not_for_in_year"
NOT_A_TEAM_MANAGER = "not_a_team_manager"  # an existing account of another role

# --- warnings about what the upload will do --------------------------------------
NEW_ACCOUNTS = "new_accounts"  # created without a password: they set one by the reset
AUTHORITY_RENAMED = "authority_renamed"

# --- the upload refused (applying.SetupRefused) ----------------------------------
PLAN_HAS_ERRORS = "plan_has_errors"
FILE_CHANGED = "file_changed"  # not the file that was previewed
CHANGED_SINCE_PREVIEW = "changed_since_preview"  # the stored set-up changed meanwhile
NOTHING_TO_APPLY = "nothing_to_apply"


@dataclass(frozen=True)
class SetupFinding:
    code: str
    sheet: str | None
    row: int | None
    column: str | None  # the column's heading
    message: str

    @property
    def where(self) -> str:
        """'Measures, row 4, column Unit'; '' for the whole file."""
        parts = [self.sheet] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SetupRefused(Refusal):
    """The upload cannot be written (errors, or it changed since the preview)."""


def add(findings: list[SetupFinding], finding: SetupFinding) -> None:
    """Append, up to MAX_FINDINGS, then say once that there are more."""
    if len(findings) < MAX_FINDINGS:
        findings.append(finding)
    elif len(findings) == MAX_FINDINGS:
        findings.append(
            SetupFinding(
                MORE_FINDINGS,
                None,
                None,
                None,
                f"… and more: only the first {MAX_FINDINGS} are listed.",
            )
        )
