"""CSV and XLSX of a table, exactly as shown: the words, never the markup."""

from django.http import Http404, HttpResponse
from django_tables2.export import TableExport

from . import numbers

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe;
    numbers (a negative one included) stay as they are."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return cell
    return cell if numbers.read(cell, percent=True) is not None else "'" + cell


def export_table(table, export_format: str) -> bytes | str:
    if export_format not in CONTENT_TYPES:
        raise ValueError(f"unsupported export format: {export_format!r}")
    exporter = TableExport(export_format, table)
    dataset = exporter.dataset
    headers = [neutralised(header) for header in dataset.headers or []]
    rows = [tuple(neutralised(cell) for cell in row) for row in dataset]
    dataset.wipe()
    dataset.headers = headers or None
    dataset.extend(rows)
    return exporter.export()


def download(table, export_format: str, name: str) -> HttpResponse:
    """The table as a file to download: `name` without its extension."""
    if export_format not in CONTENT_TYPES:
        raise Http404("No such export")
    response = HttpResponse(
        export_table(table, export_format), content_type=CONTENT_TYPES[export_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{export_format}"'
    return response
