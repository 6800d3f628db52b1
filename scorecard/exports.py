"""CSV and XLSX built from the figures the pages show, never from their HTML:
numbers as numbers at the places the page shows them (exact Decimals), words
where the page has words, withheld figures as 'c', and text a spreadsheet
would run as a formula neutralised.

A `Sheet` is what a download holds: its name, a title block (the XLSX's top
rows), the column headings and the rows. `scorecard_sheet` builds the
scorecard's; other apps build theirs (`workforce.exports`) and all of them are
written by `workbook` or `csv_text` and sent by `download`."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone

from . import formatting, numbers, rag, reports
from .models import Rating, ServiceArea

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that Excel reads the CSV as UTF-8 (names with accents)

# How a measure's unit is named in the Unit column (the figures are bare numbers).
UNIT_WORDS = {
    "percent": "%",
    "rate_10k": "per 10,000 children",
    "count": "count",
    "days": "days",
    "fte": "FTE",
}
# The cell fill beside the RAG word (GOV.UK's tag colours, light): never the only sign.
RATING_FILLS = {Rating.RED: "F6D7D2", Rating.AMBER: "FFF7BF", Rating.GREEN: "CCE2D8"}
MAX_SHEET_NAME = 31  # Excel's limit


def neutralised(cell):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe;
    numbers (a negative one included) stay as they are."""
    if not isinstance(cell, str) or not cell.startswith(FORMULA_STARTS):
        return cell
    return cell if numbers.read(cell, percent=True) is not None else "'" + cell


@dataclass(frozen=True)
class Number:
    """A figure as the page shows it: the value rounded to `places`, as a number."""

    value: Decimal
    places: int

    @property
    def shown(self) -> Decimal:
        rounded = rag.round_to(formatting.as_decimal(self.value), self.places)
        return abs(rounded) if rounded == 0 else rounded  # never -0.0

    @property
    def number_format(self) -> str:
        return "#,##0" + ("." + "0" * self.places if self.places > 0 else "")


@dataclass(frozen=True)
class Rated:
    """A RAG cell: the word, and the rating whose fill goes behind it."""

    word: str
    rating: str


@dataclass
class Sheet:
    name: str  # what it is, e.g. 'Scorecard Jan 2015'
    title: list[str]  # the title block: one line each
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # str | Number | Rated | None
    frozen_columns: int = 1  # the measure (or team) column stays in view


def figure(value: Decimal | None, places: int) -> Number | None:
    return None if value is None else Number(value, places)


def plain(cell) -> str:
    """A cell as CSV text: numbers bare (no separators), words neutralised."""
    if cell is None:
        return ""
    if isinstance(cell, Number):
        return f"{cell.shown:f}"
    if isinstance(cell, Rated):
        return cell.word
    return neutralised(str(cell))


def csv_text(sheet: Sheet, *, bom: bool = True) -> str:
    """The sheet's columns and rows as CSV, with a byte-order mark for a file
    (`bom`); the title block is the XLSX's (a CSV is read by programs as much as
    by people, and every row says whether it is provisional)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralised(header) for header in sheet.headers])
    for row in sheet.rows:
        writer.writerow([plain(cell) for cell in row])
    return (BOM if bom else "") + out.getvalue()


def sheet_name(text: str) -> str:
    for character in "[]:*?/\\":
        text = text.replace(character, " ")
    return text[:MAX_SHEET_NAME].strip()


def workbook(sheet: Sheet) -> bytes:
    """The sheet as an .xlsx: the title block, a blank row, the header row (frozen
    with the first column), then the rows; numbers with their number format."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet_name(sheet.name)
    for number, line in enumerate(sheet.title, start=1):
        ws.cell(row=number, column=1, value=neutralised(line))
    if sheet.title:
        ws["A1"].font = Font(bold=True, size=14)
    header_row = len(sheet.title) + 2 if sheet.title else 1
    for column, header in enumerate(sheet.headers, start=1):
        cell = ws.cell(row=header_row, column=column, value=neutralised(header))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [max(10, min(len(header) + 2, 24)) for header in sheet.headers]
    for number, row in enumerate(sheet.rows, start=header_row + 1):
        for index, value in enumerate(row):
            cell = ws.cell(row=number, column=index + 1, value=_xlsx_value(value))
            if isinstance(value, Number):
                cell.number_format = value.number_format
            elif isinstance(value, Rated) and value.rating in RATING_FILLS:
                colour = RATING_FILLS[value.rating]
                cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
            elif isinstance(value, str) and len(value) > 40 and index >= sheet.frozen_columns:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                widths[index] = 60
            if isinstance(value, str) and index < sheet.frozen_columns:
                widths[index] = max(widths[index], min(len(value) + 2, 60))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=sheet.frozen_columns + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell):
    if isinstance(cell, Number):
        return cell.shown  # a Decimal: openpyxl writes it exactly, as a number
    if isinstance(cell, Rated):
        return cell.word
    return neutralised(cell)


def content(sheet: Sheet, export_format: str) -> bytes:
    if export_format == "csv":
        return csv_text(sheet).encode("utf-8")
    if export_format == "xlsx":
        return workbook(sheet)
    raise ValueError(f"unsupported export format: {export_format!r}")


def download(sheet: Sheet, export_format: str, name: str) -> HttpResponse:
    """The sheet as a file to download: `name` without its extension."""
    if export_format not in CONTENT_TYPES:
        raise Http404("No such export")
    response = HttpResponse(
        content(sheet, export_format), content_type=CONTENT_TYPES[export_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.{export_format}"'
    return response


# --- what every sheet's title block says ---------------------------------------


def calculated_line(run) -> str:
    if run is None or run.finished_at is None:
        return "Not yet calculated."
    finished = timezone.localtime(run.finished_at)
    return (
        f"Calculated at {finished.day} {finished:%B %Y, %H:%M} (calculation run {run.pk}) "
        "from approved returns."
    )


def status_line(status) -> str:
    """Provisional or final, from `reports.MonthStatus`."""
    if status is None or status.expected == 0:
        return "Provisional: no returns for the month yet."
    if status.final:
        return f"Final: all {status.expected} returns approved."
    return (
        f"Provisional: {status.approved} of {status.expected} returns approved; "
        "figures marked Provisional may change."
    )


# --- the scorecard ---------------------------------------------------------------


def _result_cell(result, measure):
    """A month's or the outturn's cell: the figure as a number, or the words the page
    shows instead ('c' where withheld, 'n/a', 'not due', why there is none)."""
    if result is None:
        return None
    shown = result.due and not result.not_applicable and not result.suppressed
    if shown and result.value is not None:
        return Number(result.value, measure.decimal_places)
    return formatting.result_text(result, measure) or None


def _rating_cell(result, measure):
    text = formatting.rating_text(result, measure)
    if not text:
        return None
    if result is None or result.suppressed:
        return Rated(text, Rating.NONE)
    word = formatting.RATING_WORDS.get(result.rating, formatting.RATING_WORDS[Rating.NONE])
    return Rated(word, result.rating)


def _by_header(items) -> dict[str, dict]:
    """{header: {measure id: item}} keeping the headers' first-seen order."""
    columns: dict[str, dict] = {}
    for header, measure_id, item in items:
        columns.setdefault(header, {})[measure_id] = item
    return columns


def commentary_text(said: list, month: date) -> str:
    """`reports.latest_commentary`'s words for one measure, one area a line; an
    older month's words say their month (as the RAG summary does)."""
    return "\n".join(
        f"{area}{'' if when == month else f', {when:%B %Y}'}: {text}" for when, area, text in said
    )


def scorecard_sheet(*, area, month: date, visible_areas, measures=None, statuses=None) -> Sheet:
    """An area's scorecard for the month as a sheet, with each measure's latest
    approved commentary that the reader may read (`visible_areas`): the area's own,
    or on the authority's scorecard every visible area's. `measures`: the
    filters' choice (default every active one); `statuses`: `reports.month_statuses`
    already read for the month, if at hand. A fixed number of queries."""
    scorecard = reports.build_scorecard(area=area, month=month, measures=measures)
    commentary = reports.latest_commentary(
        [row.measure.pk for row in scorecard.rows],
        month,
        visible_areas if area.is_authority else visible_areas.filter(pk=area.pk),
    )
    if not statuses or month not in statuses:
        statuses = reports.month_statuses([month])
    authority = ServiceArea.objects.authority()
    return sheet_of_scorecard(
        scorecard,
        commentary=commentary,
        status=statuses[month],
        authority_name=str(authority) if authority else "",
    )


def sheet_of_scorecard(scorecard, *, commentary: dict, status, authority_name: str = "") -> Sheet:
    """`scorecard`: `reports.build_scorecard`'s; `commentary`: `reports.latest_commentary`'s
    for its measures; `status`: the month's `reports.MonthStatus`."""
    month, rows = scorecard.month, scorecard.rows
    benchmark_columns = []
    for comparator, label in reports.comparators():
        benchmark_columns += [
            (f"{label} ({benchmark.period})", row.measure.pk, benchmark)
            for row in rows
            if (benchmark := row.benchmarks.get(comparator)) is not None
        ]
    benchmarks = _by_header(benchmark_columns)
    long_term = _by_header(
        (
            f"Long-term target ({target.due:%b %Y})" if target.due else "Long-term target",
            row.measure.pk,
            target,
        )
        for row in rows
        if (target := row.long_term_target) is not None
    )
    headers = [
        "Measure",
        "Unit",
        "Outturn",
        "Target",
        "RAG",
        "Since last month",
        "Provisional",
        "Variation and assurance (SPC)",
        "Note",
        "Figure covers",
        "Baseline",
        *(f"{m:%b %Y}" for m in scorecard.months),
        *benchmarks,
        *long_term,
        "Commentary",
        "Published value",
        # always Yes or No: a row never ends blank, so an import never reads it as
        # shortened by a merged cell
        "Revised since published",
    ]
    sheet_rows = []
    for row in rows:
        measure, current = row.measure, row.current
        places = measure.decimal_places
        shown = current is not None and not current.suppressed
        revised = shown and current.revised
        sheet_rows.append(
            [
                measure.title,
                UNIT_WORDS.get(measure.unit, measure.unit),
                _result_cell(current, measure),
                figure(current.target if current else None, places),
                _rating_cell(current, measure),
                row.direction_word or None,
                "Yes" if current and current.provisional else "No",
                formatting.spc_words(current) or None,
                # why a figure is not rated ("too few to rate"); without a figure the
                # outturn's cell says why already
                (
                    current.note.capitalize()
                    if shown and current.note and current.value is not None
                    else None
                ),
                formatting.period_note(measure, row.current_period) or None,
                figure(row.baseline.value if row.baseline else None, 0),
                *(
                    None if result is not None and not result.due else _result_cell(result, measure)
                    for _, result in row.months
                ),
                *(
                    figure(by_measure[measure.pk].value, places)
                    if measure.pk in by_measure
                    else None
                    for by_measure in benchmarks.values()
                ),
                *(
                    figure(by_measure[measure.pk].value, 0) if measure.pk in by_measure else None
                    for by_measure in long_term.values()
                ),
                commentary_text(commentary.get(measure.pk, []), month) or None,
                (
                    figure(current.published_value, places)
                    if revised and current.published_value is not None
                    else ("no figure" if revised else None)
                ),
                "Yes" if revised else "No",
            ]
        )
    title = [
        f"Scorecard: {scorecard.area}, as at {month:%B %Y}",
        *([authority_name] if authority_name and authority_name != str(scorecard.area) else []),
        calculated_line(scorecard.run),
        status_line(status),
    ]
    if scorecard.small_numbers_note:
        title.append(scorecard.small_numbers_note)
    title.append(
        "Figures are numbers at the places the scorecard shows; the Unit column says "
        "what each row's figures are."
    )
    return Sheet(name=f"Scorecard {month:%b %Y}", title=title, headers=headers, rows=sheet_rows)
