"""Reading the set-up file: the workbook's bytes (`importing.reading.read_sheets`,
with its limits) to each sheet's rows of values, every cell read by its column
(`layout`). What cannot be read is a finding naming its sheet, row and column.
No database."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..importing.reading import read_sheets
from . import findings as codes
from . import layout
from .findings import SetupFinding, add


@dataclass
class Record:
    row: int
    values: dict[str, object]  # by column name: the cells that were read
    bad: set[str] = field(default_factory=set)  # columns whose cell was refused
    percent: set[str] = field(default_factory=set)  # columns written with a % sign

    @property
    def readable(self) -> bool:
        return not self.bad


@dataclass
class Table:
    sheet: layout.Sheet
    columns: set[str]  # the names of the columns the sheet has
    records: list[Record]


@dataclass
class Upload:
    tables: dict[str, Table]  # the set-up file's sheets the workbook has, by name
    errors: list[SetupFinding] = field(default_factory=list)
    warnings: list[SetupFinding] = field(default_factory=list)

    def error(self, code, sheet, row, column, message):
        add(self.errors, SetupFinding(code, sheet, row, column, message))

    def warning(self, code, sheet, row, column, message):
        add(self.warnings, SetupFinding(code, sheet, row, column, message))


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


def read_upload(content: bytes) -> Upload:
    """The file's sheets as rows of values; `FileRefused` when it is not a
    readable workbook."""
    workbook = read_sheets(content)
    expected = {_folded(name): sheet for name, sheet in layout.sheets().items()}
    upload = Upload(tables={})
    for title, rows in workbook.items():
        sheet = expected.get(_folded(title))
        if sheet is None:
            upload.warning(
                codes.OTHER_SHEET,
                title,
                None,
                None,
                "This sheet is not part of the set-up file and was not read.",
            )
        elif sheet.name in upload.tables:
            upload.error(codes.REPEATED_SHEET, title, None, None, "The sheet appears twice.")
        else:
            upload.tables[sheet.name] = _read_table(upload, sheet, rows)
    if not upload.tables:
        upload.error(
            codes.NO_SHEETS,
            None,
            None,
            None,
            "The workbook has none of the set-up file's sheets ("
            + ", ".join(layout.sheets())
            + "): download the set-up to see the layout.",
        )
    for name in layout.sheets():
        if upload.tables and name not in upload.tables:
            upload.warning(
                codes.SHEET_MISSING,
                name,
                None,
                None,
                f"The workbook has no {name} sheet: the stored {name.lower()} are left as they "
                "are.",
            )
    return upload


def _read_table(upload: Upload, sheet: layout.Sheet, rows) -> Table:
    rows = [(number, cells) for number, cells in rows if any(cells)]
    if not rows:
        return Table(sheet, set(), [])
    header_row, headings = rows[0]
    by_heading = {_folded(column.heading): column for column in sheet.columns}
    positions: dict[int, layout.Column] = {}
    for position, heading in enumerate(headings):
        if not heading:
            continue
        column = by_heading.get(_folded(heading))
        if column is None:
            upload.warning(
                codes.UNKNOWN_COLUMN,
                sheet.name,
                header_row,
                heading,
                "This column is not part of the set-up file and was not read.",
            )
        elif column in positions.values():
            upload.error(
                codes.REPEATED_COLUMN,
                sheet.name,
                header_row,
                heading,
                "This column appears twice: keep one.",
            )
        else:
            positions[position] = column
    present = {column.name for column in positions.values()}
    for column in sheet.columns:
        if column.required and column.name not in present:
            upload.error(
                codes.MISSING_COLUMN,
                sheet.name,
                header_row,
                column.heading,
                f"The sheet has no '{column.heading}' column: add it, headed '{column.heading}' "
                "in the first row.",
            )
    records = []
    for number, cells in rows[1:]:
        record = Record(number, {})
        for position, column in positions.items():
            cell = cells[position].strip() if position < len(cells) else ""
            if not cell:
                if column.required:
                    record.bad.add(column.name)
                    upload.error(
                        codes.BLANK_CELL,
                        sheet.name,
                        number,
                        column.heading,
                        f"Enter {column.hint or column.heading.lower()}.",
                    )
                else:
                    record.values[column.name] = column.blank
                continue
            try:
                record.values[column.name] = column.read(cell)
            except layout.Problem as problem:
                record.bad.add(column.name)
                upload.error(problem.code, sheet.name, number, column.heading, problem.message)
                continue
            if cell.endswith("%"):
                record.percent.add(column.name)
        records.append(record)
    _refuse_repeats(upload, sheet, records)
    return Table(sheet, present, records)


def _refuse_repeats(upload: Upload, sheet: layout.Sheet, records: list[Record]) -> None:
    """Each row's key (a code; a measure, kind and month ...) once per sheet."""
    seen: dict[tuple, int] = {}
    for record in records:
        if any(name in record.bad or name not in record.values for name in sheet.key):
            continue
        key = tuple(record.values[name] for name in sheet.key)
        if key in seen:
            named = ", ".join(
                sheet.shown(name, value) for name, value in zip(sheet.key, key, strict=True)
            )
            upload.error(
                codes.DUPLICATE_ROW,
                sheet.name,
                record.row,
                sheet.column(sheet.key[0]).heading,
                f"Row {seen[key]} is already the {sheet.about} {named}: each appears once.",
            )
            record.bad.add(sheet.key[0])
        else:
            seen[key] = record.row
