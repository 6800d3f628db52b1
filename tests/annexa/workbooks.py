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


TEAMS = ("North", "South", "East", "West", "Disabled Children")


def large(rows_per_list: int, seed: int = 2026) -> bytes:
    """A workbook of every list with `rows_per_list` rows of plausible values,
    dates within the year before November 2026, written as an export would."""
    import random
    from datetime import date, timedelta

    rng = random.Random(seed)
    start = date(2025, 11, 1)

    def day():
        return start + timedelta(days=rng.randrange(365))

    def later(when, most=80):
        return when + timedelta(days=rng.randrange(1, most))

    makers = {
        "child_id": lambda r: f"C{rng.randrange(10**7):07d}",
        "team": lambda r: rng.choice(TEAMS),
    }
    book = openpyxl.Workbook(write_only=True)
    for number, (_, columns) in reading.LISTS.items():
        sheet = book.create_sheet(f"List {number}")
        sheet.append([c.headings[0] for c in columns] + ["Allocated Worker"])
        for _ in range(rows_per_list):
            row = {}
            for column in columns:
                if column.field in makers:
                    row[column.field] = makers[column.field](row)
                elif column.kind == reading.DATE:
                    first = row.get("_first")
                    row[column.field] = later(first) if first else day()
                    row.setdefault("_first", row[column.field])
                    if column.field.endswith("_end") and rng.random() < 0.6:
                        row[column.field] = None
                elif column.kind == reading.YESNO:
                    row[column.field] = rng.choice(["a) Yes", "b) No", "Yes", "No", None])
                elif column.kind == reading.SUITABLE:
                    row[column.field] = rng.choice(["Suitable", "Unsuitable"])
                elif column.kind == reading.COUNT:
                    row[column.field] = rng.randrange(5)
                elif column.kind == reading.CODE:
                    row[column.field] = rng.choice(
                        ["F1: Full time in higher education", "G6: NEET", "P5", "G4: NEET illness"]
                    )
            sheet.append([row.get(c.field) for c in columns] + ["A Worker"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
