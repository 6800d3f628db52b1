"""Reading: a file's bytes to rows of text (tab-separated text, CSV or XLSX).

Refuses (raises `FileRefused`, with a code from `findings`) what is empty, too
large, binary, not UTF-8 or not a workbook. Knows nothing of the layout.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .. import limits
from . import findings as codes
from .findings import ImportFinding, Refusal

MAX_COLUMNS = 200


class FileRefused(Refusal):
    """The file cannot be read at all; the message says why, for the person importing."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def read_path(path) -> bytes:
    """A file's bytes for a command; a file over the size limit is not read, and
    stands as bytes one over it, so the planner refuses it by its size. OSError
    when it cannot be read."""
    if path.stat().st_size > max_bytes():
        return b"\0" * (max_bytes() + 1)
    return path.read_bytes()


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


@dataclass
class Rows:
    """The file as rows of stripped text cells, numbered as the person sees them."""

    kind: str  # "tab-separated text", "CSV", "Excel workbook"
    rows: list[tuple[int, list[str]]]  # (row number, cells without trailing blanks)
    notes: list[ImportFinding] = field(default_factory=list)  # file-level warnings
    # A workbook's merged cells: (first row, first column, last row, last column), rows
    # numbered as `rows` are, columns from 0. Only the first cell of each holds the text.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.rows[-1][0] if self.rows else 0


SIGNATURES = [
    (
        b"\xd0\xcf\x11\xe0",
        "an Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
        ".xlsx, or as 'CSV UTF-8'",
    ),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
]
UPLOAD_HINT = "Upload the scorecard as .xlsx, as CSV or as tab-separated text (.txt)."


def read_rows(content: bytes, filename: str = "") -> Rows:
    """The file's rows; `FileRefused` for anything that is not a readable spreadsheet."""
    _check_size(content)
    if not content.strip():
        raise FileRefused(codes.FILE_EMPTY, "The file is empty: it has no rows to import.")
    if content.startswith(b"PK\x03\x04"):
        return _read_workbook(content)
    for signature, what in SIGNATURES:
        if content.startswith(signature):
            raise FileRefused(
                codes.NOT_A_SPREADSHEET,
                f"The file is not a spreadsheet: it is {what}. {UPLOAD_HINT}",
            )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            codes.UTF16_TEXT,
            "The file is in UTF-16 (Excel's 'Unicode Text'), not UTF-8. Save it as "
            "'CSV UTF-8' or as .xlsx and upload it again.",
        )
    head = content[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) // 100:
        raise FileRefused(
            codes.BINARY_DATA,
            f"The file is not a spreadsheet: it contains binary data. {UPLOAD_HINT}",
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRefused(
            codes.NOT_UTF8,
            f"The file is not UTF-8 text: line {line} has the byte 0x{content[error.start]:02X}, "
            "which is not UTF-8 (the file was probably saved as Windows-1252, 'ANSI'). Save it "
            "as 'CSV UTF-8' or as .xlsx and upload it again.",
        ) from error
    if not text.strip():
        raise FileRefused(codes.FILE_EMPTY, "The file is empty: it has no rows to import.")
    return _read_text(text)


def _check_size(content: bytes) -> None:
    if len(content) > max_bytes():
        raise FileRefused(
            codes.FILE_TOO_LARGE,
            f"The file is {size_text(len(content))}: the largest file that can "
            f"be imported is {size_text(max_bytes())}. Split it, e.g. one year "
            "per file.",
        )


def _check_row_count(number: int) -> None:
    if number > max_rows():
        raise FileRefused(
            codes.TOO_MANY_ROWS,
            f"The file has more than {max_rows():,} rows: the most that can be "
            "imported at once. Split it, e.g. one year per file.",
        )


def _trimmed(cells: list[str], number: int) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise FileRefused(
            codes.TOO_MANY_COLUMNS,
            f"Row {number} has {len(cells):,} cells: at most {MAX_COLUMNS} "
            "columns can be imported.",
        )
    return cells


def _read_text(text: str) -> Rows:
    lines = text.splitlines()
    _check_row_count(len(lines))
    tabbed = sum(1 for line in lines if "\t" in line)
    commas = sum(1 for line in lines if "," in line and "\t" not in line)
    kind, delimiter = ("tab-separated text", "\t") if tabbed and tabbed >= commas else ("CSV", ",")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            number = reader.line_num
            _check_row_count(number)
            rows.append((number, _trimmed(cells, number)))
    except csv.Error as error:
        raise FileRefused(
            codes.UNREADABLE_TEXT,
            f"The file cannot be read as {kind}: line {reader.line_num}: {error}. {UPLOAD_HINT}",
        ) from error
    return Rows(kind=kind, rows=rows)


def zip_contents(content: bytes) -> tuple[set[str], int] | None:
    """(the names in an .xlsx file's zip archive, their size once expanded), read
    without expanding them; None when the file is no zip archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return None
    return set(archive.namelist()), sum(info.file_size for info in archive.infolist())


def _open_workbook(content: bytes):
    """The workbook, opened read-only once the archive passed the checks; refused
    (`FileRefused`) when it is not an .xlsx or would expand too far."""
    import openpyxl

    archive = zip_contents(content)
    if archive is None:
        raise FileRefused(
            codes.NOT_A_SPREADSHEET,
            f"The file is not a spreadsheet: it looks like a zip archive but "
            f"cannot be opened. {UPLOAD_HINT}",
        )
    names, expanded = archive
    if "xl/workbook.xml" not in names:
        what = (
            "an OpenDocument spreadsheet (.ods): save it as .xlsx"
            if "mimetype" in names and "content.xml" in names
            else "a zip archive"
        )
        raise FileRefused(
            codes.NOT_A_SPREADSHEET,
            f"The file is not an Excel workbook: it is {what}. {UPLOAD_HINT}",
        )
    if expanded > 25 * max_bytes():
        raise FileRefused(
            codes.WORKBOOK_TOO_LARGE,
            f"The workbook expands to {size_text(expanded)} when opened: too large "
            "to import. Split it, e.g. one year per file.",
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(
            codes.WORKBOOK_UNREADABLE,
            f"The workbook cannot be opened ({type(error).__name__}). "
            "Open it in Excel, save it as .xlsx and upload it again.",
        ) from error


def _sheet_rows(sheet, already: int = 0) -> list[tuple[int, list[str]]]:
    """A sheet's rows of text, without the blank rows at its end; `already`: the
    rows of the workbook's other sheets read so far, which count towards the limit."""
    rows = []
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
        _check_row_count(already + number)
        rows.append((number, _trimmed([cell_text(cell) for cell in cells], number)))
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def _unreadable(error: Exception) -> FileRefused:
    return FileRefused(
        codes.WORKBOOK_UNREADABLE,
        f"The workbook cannot be read ({type(error).__name__}). "
        "Open it in Excel, save it as .xlsx and upload it again.",
    )


def _read_workbook(content: bytes) -> Rows:
    workbook = _open_workbook(content)
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FileRefused(codes.NO_WORKSHEET, "The workbook has no worksheet.")
        notes = []
        if len(sheets) > 1:
            notes.append(
                ImportFinding(
                    codes.OTHER_SHEETS_IGNORED,
                    None,
                    f"The workbook has {len(sheets)} sheets: only the first, "
                    f"'{sheets[0].title}', was read.",
                )
            )
        rows = _sheet_rows(sheets[0])
        merged = _merged_ranges(sheets[0])
    except FileRefused:
        raise
    except Exception as error:
        raise _unreadable(error) from error
    finally:
        workbook.close()
    if not rows:
        raise FileRefused(
            codes.FILE_EMPTY, "The file is empty: its first sheet has no rows to import."
        )
    return Rows(kind="Excel workbook", rows=rows, notes=notes, merged=merged)


def read_sheets(content: bytes) -> dict[str, list[tuple[int, list[str]]]]:
    """Every sheet of an Excel workbook (.xlsx only) as rows of text, by its name,
    in the workbook's order: for files of several tables (the set-up file). The
    same limits as `read_rows`: size, expansion, columns, and rows (all sheets'
    together)."""
    _check_size(content)
    if not content.strip():
        raise FileRefused(codes.FILE_EMPTY, "The file is empty.")
    if not content.startswith(b"PK\x03\x04"):
        raise FileRefused(
            codes.NOT_A_SPREADSHEET,
            "The file is not an Excel workbook (.xlsx): upload the workbook as it was "
            "downloaded, or saved again from Excel as .xlsx.",
        )
    workbook = _open_workbook(content)
    try:
        sheets, counted = {}, 0
        for sheet in workbook.worksheets:
            sheets[sheet.title] = _sheet_rows(sheet, counted)
            counted += len(sheets[sheet.title])
    except FileRefused:
        raise
    except Exception as error:
        raise _unreadable(error) from error
    finally:
        workbook.close()
    if not any(sheets.values()):
        raise FileRefused(codes.FILE_EMPTY, "The file is empty: its sheets have no rows.")
    return sheets


def _merged_ranges(sheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged cells. A read-only worksheet does not parse them (openpyxl
    keeps `merged_cells` for fully loaded ones, which cost far more memory), so they
    are read from the sheet's XML: its <mergeCell ref="C60:K60"/> elements."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = f"{{{SHEET_MAIN_NS}}}mergeCell"
    found = []
    with sheet._get_source() as source:  # the sheet's XML in the archive
        for _, element in iterparse(source):
            if element.tag == tag and element.get("ref"):
                first_column, first_row, last_column, last_row = range_boundaries(
                    element.get("ref")
                )
                found.append((first_row, first_column - 1, last_row, last_column - 1))
            element.clear()
    return found


def cell_text(cell) -> str:
    """A workbook cell as the text a person sees: numbers exactly (never via float
    arithmetic), a percentage-formatted 0.31 as '31%', a date as its ISO date."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if isinstance(value, float) and abs(number) < limits.ENTERED_BOUND:
            # Drop binary noise (0.1 + 0.2 = 0.30000000000000004), keep what was typed.
            number = number.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
        if "%" in (getattr(cell, "number_format", None) or ""):
            return plain(number * 100) + "%"
        return plain(number)
    return str(value)


def plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 35, 35.5, 1234.5."""
    number = number.normalize()
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return f"{number:f}"
