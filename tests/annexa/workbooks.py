"""Synthetic Annex A workbooks for the tests: sheets of rows, written with
openpyxl as an export would be, returned as bytes."""

import io

import openpyxl

from annexa import reading


def headings(number: int) -> list[str]:
    """The guidance's headings of a list, in its order."""
    return [column.headings[0] for column in reading.LISTS[number][1]]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """{sheet name: rows (the first the headings)} as an .xlsx file's bytes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def annex_a(
    lists: dict[int, list[dict]], names: dict[int, str] | None = None, drop: tuple = ()
) -> bytes:
    """Lists of rows keyed by the reader's field names, under the guidance's
    headings; `drop`: fields whose column is left out."""
    sheets = {}
    for number, rows in lists.items():
        columns = [c for c in reading.LISTS[number][1] if c.field not in drop]
        table = [[column.headings[0] for column in columns]]
        table += [[row.get(column.field) for column in columns] for row in rows]
        sheets[(names or {}).get(number, f"List {number}")] = table
    return workbook(sheets)
