"""CSV and XLSX of a table, exactly as shown: the words, never the markup."""

from django_tables2.export import TableExport

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_table(table, export_format: str) -> bytes | str:
    if export_format not in CONTENT_TYPES:
        raise ValueError(f"unsupported export format: {export_format!r}")
    return TableExport(export_format, table).export()
