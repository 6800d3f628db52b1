"""Layout: rows of text to what the file says, as facts with the row they came from.

Reads the success-measure table and the benchmark blocks of the reference layout
(the seed, `tests/data/bucks-scorecard-2015-01.txt`) and the product's own export
(`exports.scorecard_sheet`, below its title block). Errors and warnings are findings
with a code (`findings`), per row. No database: `parse` is given the measures.

As a person reads the sheet: the table goes on past a blank row while the rows
below still look like measure rows; quarter, total and year-to-date columns among
the months are skipped; months may be headed as dates; a figure merged over cells
is each cell's; an area column names the team whose figures a row gives (matched
to service areas by `planning`). Percentages typed as fractions are refused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .. import aggregation, formatting, limits, numbers, periods, rag
from ..models import Benchmark, Measure
from . import findings as codes
from .findings import ImportFinding
from .reading import MAX_COLUMNS, Rows, plain

STORED_PLACES = limits.ENTERED_VALUE.places  # ReturnValue.value, Target, Baseline, Benchmark

MONTHLY, BASELINE, BENCHMARK, IN_YEAR, LONG_TERM = (
    "monthly",
    "baseline",
    "benchmark",
    "in_year",
    "long_term",
)

MONTH_NAMES = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?[\s\-/']*(\d{4}|\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_MONTH_WORD = re.compile(
    r"\b(" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\b(?:[\s\-/]*(\d{4}))?",
    re.IGNORECASE,
)
_DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")
_MONTH_SLASH_YEAR = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_EXCEL_SERIAL = re.compile(r"^\d{5}$")
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, as openpyxl reads it
FIRST_SERIAL, LAST_SERIAL = 36526, 73050  # 1 January 2000 .. 31 December 2099
_BENCHMARK_CELL = re.compile(r"^(.*?)\s*\((\d{4})\)$")
_LONG_TERM_CELL = re.compile(r"^(.*?)\s+by\s+(.+)$", re.IGNORECASE)
NOT_APPLICABLE_WORDS = {"n/a", "na", "n.a.", "n.a", "not applicable"}
RAG_WORDS = {
    "red": rag.RED,
    "r": rag.RED,
    "amber": rag.AMBER,
    "a": rag.AMBER,
    "green": rag.GREEN,
    "g": rag.GREEN,
    "no rating": rag.NO_RATING,
}


_QUARTER_HEADING = re.compile(r"(?:q|qtr|quarter)\s*([1-4])\s+(\d{4})\s*[-/]\s*(\d{2})")
_MONTH_RANGE = re.compile(r"([a-z]{3,9})\s*[-–]\s*([a-z]{3,9})\s+(\d{4})")


def read_quarter_heading(text: str) -> date | None:
    """A financial-year quarter as a heading -> its last month's first day:
    'Q4 2018/19', 'Qtr 4 2018-19', 'Quarter 4 2018/19' (Q1 is April to June) or
    'Jan-Mar 2019'; None otherwise. A quarter's figure stands for its last month,
    the month a quarterly measure is due in (`periods`)."""
    words = " ".join(text.split()).lower()
    if match := _QUARTER_HEADING.fullmatch(words):
        try:
            quarter = periods.parse_period(f"Q{match[1]} {match[2]}-{match[3]}")
        except ValueError:
            return None
        return quarter.ends
    if (match := _MONTH_RANGE.fullmatch(words)) and {match[1], match[2]} <= set(MONTH_NAMES):
        first = date(int(match[3]), MONTH_NAMES[match[1]], 1)
        last = date(int(match[3]), MONTH_NAMES[match[2]], 1)
        if aggregation.add_months(first, 2) == last and first.month in (1, 4, 7, 10):
            return last
    return None


def read_month_heading(text: str) -> date | None:
    """'Apr 2014', 'Jan-15', 'January 2015', '2015-01', an ISO date, a UK (day-first)
    date ('01/04/2014', '1/4/14'), '04/2014', or the Excel serial of the first or
    last day of a month (41730: a date cell whose format was lost) -> the month's
    first day; None when the text is not a month."""
    text = text.strip().lower()
    if match := _MONTH_YEAR.match(text):
        month = MONTH_NAMES.get(match.group(1))
        if month is None:
            return None
        year = int(match.group(2))
        return date(year + 2000 if year < 100 else year, month, 1)
    if match := _ISO_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and 1900 <= year <= 2200:
            return date(year, month, 1)
        return None
    if match := _DAY_FIRST_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        return _first_of_month(year + 2000 if year < 100 else year, month, day)
    if match := _MONTH_SLASH_YEAR.match(text):
        return _first_of_month(int(match.group(2)), int(match.group(1)), 1)
    if _EXCEL_SERIAL.match(text):
        return month_of_serial(int(text))
    return None


def _first_of_month(year: int, month: int, day: int) -> date | None:
    try:
        date(year, month, day)  # a real date, or not a month heading at all
    except ValueError:
        return None
    return date(year, month, 1) if 1900 <= year <= 2200 else None


def month_of_serial(serial: int) -> date | None:
    """The month whose first or last day is Excel's day number `serial`; None for
    any other number (a figure is not a month because it is large)."""
    if not FIRST_SERIAL <= serial <= LAST_SERIAL:
        return None
    day = EXCEL_EPOCH + timedelta(days=serial)
    if day.day == 1 or (day + timedelta(days=1)).day == 1:
        return day.replace(day=1)
    return None


def normalise(title: str) -> str:
    """A title for matching: case, spacing and punctuation ignored."""
    return re.sub(r"[\W_]+", "", title.casefold())


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _short(title: str, length: int = 30) -> str:
    return title if len(title) <= length else title[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class CellValue:
    """A cell's figure: a number, not applicable, or (both unset) nothing."""

    value: Decimal | None = None
    not_applicable: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None and not self.not_applicable

    def same_as(self, other: CellValue) -> bool:
        return self.not_applicable == other.not_applicable and self.value == other.value


class CellError(ValueError):
    """A cell that cannot be read; `code` says which way (a `findings` code)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def parse_number(
    text: str, *, allow_not_applicable: bool = True, percent: bool = True
) -> CellValue:
    """A cell's text as a figure, read by `numbers.read`: '1,234' and (where the
    measure is a percentage: `percent`) '35.0%' are numbers, 'n/a' is not
    applicable, blank is nothing; anything else raises CellError."""
    text = text.strip()
    if not text:
        return CellValue()
    if text.lower() in NOT_APPLICABLE_WORDS:
        if allow_not_applicable:
            return CellValue(not_applicable=True)
        raise CellError(codes.NOT_APPLICABLE_REFUSED, f"'{text}' where a number is needed")
    number = numbers.read(text, percent=percent)
    if number is None:
        raise CellError(codes.NOT_A_NUMBER, f"'{text}' is not a number")
    if not limits.ENTERED_VALUE.holds(number):  # as stored, at its four places
        raise CellError(codes.NUMBER_TOO_LARGE, f"'{text}' is too large")
    return CellValue(value=number)


@dataclass(frozen=True)
class Fact:
    """One figure the file states, and where it says so."""

    kind: str  # MONTHLY, BASELINE, BENCHMARK, IN_YEAR, LONG_TERM
    measure_id: int
    key: tuple  # MONTHLY (month,), or (month, area as normalised) from an area column;
    #             BASELINE (date,); BENCHMARK (comparator, year);
    #             IN_YEAR and LONG_TERM (first month of the table,)
    figure: CellValue
    row: int
    where: str
    due: date | None = None  # LONG_TERM
    label: str = ""  # BASELINE
    current_month: date | None = None  # targets: the month the file's target is for
    area: str = ""  # MONTHLY: the service area as written in an area column ("" = authority)


@dataclass(frozen=True)
class RagClaim:
    """A RAG the file states, to be compared with the product's own rating."""

    row: int
    measure_id: int
    word: str  # one of rag.GREEN ... rag.NO_RATING
    text: str  # as written
    outturn: CellValue
    target: Decimal | None
    month: date | None


@dataclass(frozen=True)
class BaselineClaim:
    """A baseline without a date (the export layout): compared, never written."""

    row: int
    measure_id: int
    value: Decimal


@dataclass
class Parsed:
    facts: list[Fact] = field(default_factory=list)
    rag_claims: list[RagClaim] = field(default_factory=list)
    baseline_claims: list[BaselineClaim] = field(default_factory=list)
    errors: list[ImportFinding] = field(default_factory=list)
    warnings: list[ImportFinding] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # what was found, for people

    def error(self, code, row, message):
        codes.add(self.errors, code, row, message)

    def warn(self, code, row, message):
        codes.add(self.warnings, code, row, message)


class Catalogue:
    """Measures by normalised title and alias."""

    def __init__(self, measures):
        self.by_id = {m.pk: m for m in measures}
        self.keys = defaultdict(set)
        for measure in measures:
            for name in [measure.title, *measure.aliases.splitlines()]:
                if name.strip():
                    self.keys[normalise(name)].add(measure.pk)

    def match(self, title: str) -> list[Measure]:
        return [self.by_id[pk] for pk in sorted(self.keys.get(normalise(title), ()))]


# column kinds
TITLE, AREA, MONTH, OUTTURN, TARGET, RAG, SUMMARY, IGNORED, UNKNOWN = (
    "title",
    "area",  # the service area (team) whose figures the row gives
    "month",
    "outturn",
    "target",
    "rag",
    "summary",  # a quarter's, a year's or the year-to-date figure among the months
    "ignored",
    "unknown",
)
AREA_HEADERS = {"service area", "area", "team", "service", "team name", "service area name"}
_SUMMARY_HEADING = re.compile(
    r"\b(q[1-4]|qtr|quarter|quarterly|total|ytd|fytd|year to date|h[12]|half year)\b"
)
ANCHORS = {OUTTURN, TARGET, RAG, LONG_TERM}
FIGURE_COLUMNS = {MONTH, OUTTURN, BASELINE, BENCHMARK}  # the row's own figures, not targets
COMPUTED_HEADERS = {
    "since last month",
    "provisional",
    "last 12 months",
    "direction of travel",
    "trend",
    "direction",
    "revised since published",
    "published value",
    # the scorecard's comparisons, SPC and commentary (`tables.ScorecardTable`)
    "spc",
    "at this rating",
    "trajectory to the long term target",
    "rolling 12 months",
    "same month last year",
    # the product's own export (`exports.sheet_of_scorecard`): words beside the figures
    "unit",
    "variation and assurance spc",
    "note",
    "figure covers",
    "commentary",
}
# A heading's period in brackets: 'England (2014)', the product's own export's.
_HEADING_PERIOD = re.compile(r"^(.*?)\s*\(([^()]*)\)$")


@dataclass
class Column:
    index: int
    kind: str
    header: str
    month: date | None = None  # MONTH: the month; LONG_TERM: when it is due
    comparator: str | None = None  # BENCHMARK
    year: int | None = None  # BENCHMARK: from the row under the header
    baseline_date: date | None = None
    baseline_label: str = ""

    @property
    def name(self) -> str:
        return (
            f"column {column_letter(self.index)} ({self.header})"
            if self.header
            else f"column {column_letter(self.index)}"
        )


def _comparator(text: str, region: str) -> str | None:
    words = _words(text)
    if words in ("stat n", "stat ns", "sn") or ("stat" in words.split() and "neighbour" in words):
        return Benchmark.Comparator.STAT_NEIGHBOURS
    if words.startswith("statistical neighbour"):
        return Benchmark.Comparator.STAT_NEIGHBOURS
    # "South East": the reference scorecard's heading, whatever the authority's region
    if words in ("south east", "region", "regional") or (region and words == _words(region)):
        return Benchmark.Comparator.REGION
    if words in ("national", "england", "england average", "national average"):
        return Benchmark.Comparator.ENGLAND
    return None


def _classify(index: int, header: str, region: str) -> Column:
    words = _words(header)
    if index == 0:
        return Column(index, TITLE, header)
    if words in AREA_HEADERS:
        return Column(index, AREA, header)
    if words in COMPUTED_HEADERS:  # before the words of a target, which one has
        return Column(index, IGNORED, header)
    if "baseline" in words:
        return Column(index, BASELINE, header)
    named, period = header, None
    if match := _HEADING_PERIOD.match(header):
        named, period = match.group(1), match.group(2).strip()
    if comparator := _comparator(named, region):
        year = int(period) if period and re.fullmatch(r"\d{4}", period) else None
        return Column(index, BENCHMARK, header, comparator=comparator, year=year)
    if "outturn" in words.split():
        return Column(index, OUTTURN, header)
    if "rag" in words.split():
        return Column(index, RAG, header)
    if "target" in words.split():
        match = _MONTH_WORD.search(header)
        due = (
            date(int(match.group(2)), MONTH_NAMES[match.group(1).lower()], 1)
            if match and match.group(2)
            else None
        )
        if "long" in words or due is not None:
            return Column(index, LONG_TERM, header, month=due)
        return Column(index, TARGET, header)
    if _SUMMARY_HEADING.search(words):
        return Column(index, SUMMARY, header)
    return Column(index, UNKNOWN, header)


def _is_header(cells: list[str]) -> bool:
    return (
        len(cells) > 2
        and bool(cells[0])
        and read_month_heading(cells[0]) is None
        and (
            sum(1 for c in cells[1:] if read_month_heading(c)) >= 2
            or sum(1 for c in cells[1:] if read_quarter_heading(c)) >= 2
        )
        and _serials_are_headings(cells[1:])
    )


def _serials_are_headings(cells: list[str]) -> bool:
    """A row of large figures can hold the serials of months by chance: month
    serials make a header only with three consecutive months side by side and no
    other figure in the row."""
    serials = [read_month_heading(c) if _EXCEL_SERIAL.match(c) else None for c in cells]
    if not any(serials):
        return True
    if any(
        s is None and numbers.read(c, percent=True) is not None
        for c, s in zip(cells, serials, strict=True)
    ):
        return False
    months = [s for s in serials if s is not None]
    return any(
        months[i + 1] == aggregation.add_months(months[i], 1)
        and months[i + 2] == aggregation.add_months(months[i + 1], 1)
        for i in range(len(months) - 2)
    )


def _realignments(cells: list[str], width: int, columns: list[Column], mergeable) -> list:
    """Ways to read a short row as one merged cell over several month columns: the
    cells left of it in place, the cells right of it anchored on the right-hand
    columns. [(index of the merged cell, the row realigned)]"""
    missing = width - len(cells)
    found = []
    if missing <= 0:
        return found
    for i in range(1, len(cells)):
        span = range(i, i + missing + 1)
        if span.stop > width or any(columns[j].kind != MONTH for j in span):
            continue
        if not mergeable(cells[i]):
            continue
        found.append((i, cells[:i] + [cells[i]] * (missing + 1) + cells[i + 1 :]))
    return found


@dataclass
class Reading:
    """One table row read against its columns."""

    months: dict = field(default_factory=dict)  # month -> CellValue (blank left out)
    baseline: Decimal | None = None
    benchmarks: dict = field(default_factory=dict)  # comparator -> (Decimal, year | None, col)
    outturn: CellValue = CellValue()
    target: Decimal | None = None
    rag: tuple[str, str] | None = None  # (word, as written)
    area: str = ""  # as written in the area column
    long_term: tuple[Decimal, date | None] | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    percent_signed: bool = False  # a figure was written with a % sign (or formatted as one)

    def figures(self) -> list[Decimal]:
        """The row's own figures: months, outturn, baseline and benchmarks (not targets)."""
        found = [f.value for f in self.months.values() if f.value is not None]
        if self.outturn.value is not None:
            found.append(self.outturn.value)
        if self.baseline is not None:
            found.append(self.baseline)
        return found + [value for value, _, _ in self.benchmarks.values()]

    def looks_like_fractions(self) -> bool:
        """A percentage's figures typed as fractions (0.172 for 17.2%): each at most 1,
        some above 0, none with a % sign, against a target above 1."""
        figures = self.figures()
        return (
            self.target is not None
            and self.target > 1
            and not self.percent_signed
            and any(f > 0 for f in figures)
            and all(f <= 1 for f in figures)
        )

    def latest(self) -> tuple[date, CellValue] | None:
        if not self.months:
            return None
        month = max(self.months)
        return month, self.months[month]


def _stored(figure: CellValue, where: str, warnings: list[tuple[str, str]]) -> CellValue:
    """More places than are stored: rounded, and said so."""
    if figure.value is None:
        return figure
    rounded = rag.round_to(figure.value, STORED_PLACES)
    if rounded != figure.value:
        warnings.append(
            (
                codes.ROUNDED,
                f"{where}: {plain(figure.value)} has more than "
                f"{STORED_PLACES} decimal places; {plain(rounded)} will be stored.",
            )
        )
        return CellValue(value=rounded)
    return figure


def _read_cells(number: int, cells: list[str], columns: list[Column], *, percent: bool) -> Reading:
    """`percent`: the row's measure is a percentage, so its figures may end in %."""
    reading = Reading()

    def number_in(text):
        return parse_number(text, allow_not_applicable=False, percent=percent)

    for index, text in enumerate(cells):
        if not text or index == 0:
            continue
        if index >= len(columns):
            reading.errors.append(
                (
                    codes.BEYOND_LAST_COLUMN,
                    f"Row {number}, column {column_letter(index)}: '{text}' is "
                    "beyond the last column heading",
                )
            )
            continue
        column = columns[index]
        where = f"Row {number}, {column.name}"
        if column.kind in FIGURE_COLUMNS and text.endswith("%"):
            reading.percent_signed = True
        try:
            if column.kind == MONTH:
                figure = parse_number(text, percent=percent)
                if figure.value is not None and figure.value < 0:
                    raise CellError(codes.NEGATIVE, f"'{text}' is negative")
                reading.months[column.month] = _stored(figure, where, reading.warnings)
            elif column.kind == AREA:
                reading.area = text
            elif column.kind == BASELINE:
                reading.baseline = _stored(number_in(text), where, reading.warnings).value
            elif column.kind == BENCHMARK:
                year = column.year
                if match := _BENCHMARK_CELL.match(text):
                    text, year = match.group(1), int(match.group(2))
                value = _stored(number_in(text), where, reading.warnings).value
                if value is not None:
                    reading.benchmarks[column.comparator] = (value, year, column)
            elif column.kind == OUTTURN:
                reading.outturn = parse_number(text, percent=percent)
            elif column.kind == TARGET:
                reading.target = _stored(number_in(text), where, reading.warnings).value
            elif column.kind == RAG:
                word = RAG_WORDS.get(text.strip().lower())
                if word is None:
                    raise CellError(
                        codes.NOT_A_RATING,
                        f"'{text}' is not a RAG rating (Red, Amber, Green or No rating)",
                    )
                reading.rag = (word, text)
            elif column.kind == LONG_TERM:
                due = column.month
                if match := _LONG_TERM_CELL.match(text):
                    text, due_text = match.group(1), match.group(2)
                    due = read_month_heading(due_text)
                    if due is None:
                        raise CellError(
                            codes.NOT_A_MONTH, f"'{due_text}' is not a month (e.g. Jan 2016)"
                        )
                value = _stored(number_in(text), where, reading.warnings).value
                if value is not None and due is None:
                    raise CellError(
                        codes.NO_DUE_DATE,
                        (
                            "no date for the long-term target. Head the column with the month "
                            "(e.g. Jan-16) or write it in the cell, e.g. '100 by Jan 2016'"
                        ),
                    )
                if value is not None:
                    reading.long_term = (value, due)
        except CellError as error:
            reading.errors.append((error.code, f"{where}: {error}"))
    return reading


@dataclass
class Table:
    header_row: int
    columns: list[Column]
    width: int
    months: list[date]
    rows: list[tuple[int, list[str]]]


def parse(rows: Rows, measures, region: str = "") -> Parsed:
    """What the file says, as facts, with errors and warnings per row. No database:
    `measures` is every Measure the file may name; `region` the authority's, as
    this service's own export heads its regional comparator."""
    catalogue = Catalogue(list(measures))
    parsed = Parsed()
    for note in rows.notes:
        parsed.warn(note.code, note.row, note.message)
    lines = _spread_merged(rows, parsed)
    used = set()
    i = 0
    while i < len(lines):
        number, cells = lines[i]
        if _is_header(cells):
            i = _parse_table(lines, i, catalogue, region, parsed, used)
            continue
        if _is_block_header(cells, region) and i > 0 and _is_block_title(lines[i - 1][1]):
            i = _parse_block(lines, i, catalogue, region, parsed, used)
            continue
        i += 1
    _report_leftovers(lines, used, parsed)
    if not parsed.sections:
        parsed.error(
            codes.NO_TABLE,
            None,
            (
                "No success-measure table or benchmark block was found. The table needs a header "
                "row with the measure title first and the months across (e.g. 'Measure, "
                "Baseline, Apr 2014, May 2014, …')."
            ),
        )
    return parsed


def _spread_merged(rows: Rows, parsed: Parsed) -> list[tuple[int, list[str]]]:
    """A figure in merged cells ('n/a' over April-December) is every cell's figure, as
    the person reading the sheet sees it. Only figures are spread, and never in column
    A: a title or a heading merged across the page stays one cell."""
    lines = [(number, list(cells)) for number, cells in rows.rows]
    index = {number: cells for number, cells in lines}
    for first_row, first_column, last_row, last_column in sorted(rows.merged):
        cells = index.get(first_row)
        single = (first_row, first_column) == (last_row, last_column)
        if single or first_column == 0 or cells is None or first_column >= len(cells):
            continue
        text = cells[first_column]
        try:
            if parse_number(text).blank:
                continue
        except CellError:
            continue
        last_column = min(last_column, MAX_COLUMNS - 1)
        last_row = min(last_row, rows.count)
        for number in range(first_row, last_row + 1):
            target = index.get(number)
            if target is None:
                continue
            target.extend([""] * (last_column + 1 - len(target)))
            for column in range(first_column, last_column + 1):
                target[column] = text
        where = (
            f"Row {first_row}" if first_row == last_row else f"Rows {first_row}–{last_row}"
        ) + f", columns {column_letter(first_column)}–{column_letter(last_column)}"
        parsed.warn(
            codes.MERGED_CELL_SPREAD,
            first_row,
            f"{where}: '{text}' is one cell merged over them; read as the figure of each.",
        )
    return lines


def _parse_table(lines, start, catalogue, region, parsed, used) -> int:
    header_number, header = lines[start]
    used.add(header_number)
    columns = [_classify(i, text, region) for i, text in enumerate(header)]
    # The month block: month headings side by side; a month heading after it
    # (the seed's 'Jan-16') is when the long-term target is due.
    seen, block_over, duplicate = {}, False, False
    # A table of quarters alone (no month headings): each quarter's figure is its
    # last month's, as a quarterly measure reports it. Among months, a quarter's
    # column is a summary of them and is skipped.
    quarters_only = not any(read_month_heading(c.header) for c in columns[1:])
    for column in columns[1:]:
        quarter_end = read_quarter_heading(column.header) if quarters_only else None
        if column.kind == SUMMARY and quarter_end is None:
            continue  # a quarter's figure after its months: the months go on after it
        month = quarter_end or read_month_heading(column.header)
        if month is not None and not block_over:
            if month in seen:
                parsed.error(
                    codes.DUPLICATE_MONTH,
                    header_number,
                    (
                        f"Row {header_number}: columns {column_letter(seen[month])} and "
                        f"{column_letter(column.index)} are both {month:%B %Y}: each month can "
                        "be given once. Nothing in this table is imported."
                    ),
                )
                duplicate = True
            seen.setdefault(month, column.index)
            column.kind, column.month = MONTH, month
        elif month is not None:
            column.kind, column.month = LONG_TERM, month
        elif seen:
            block_over = True
    width = len(columns)
    months = sorted(seen)
    summaries = [c.name for c in columns if c.kind == SUMMARY]
    if summaries:
        parsed.warn(
            codes.SUMMARY_COLUMN_SKIPPED,
            header_number,
            (
                f"Row {header_number}: "
                + ", ".join(summaries)
                + (
                    " is a quarter, total or year-to-date column"
                    if len(summaries) == 1
                    else " are quarter, total or year-to-date columns"
                )
                + ": not imported (the scorecard works those out from the months); the "
                "months after it are read as months."
            ),
        )

    i = start + 1
    if i < len(lines) and lines[i][1] and not lines[i][1][0]:
        _read_subheader(lines[i], columns, width, months, parsed)
        used.add(lines[i][0])
        i += 1
    for column in columns:
        if column.kind == BASELINE:
            column.baseline_date, column.baseline_label = _baseline_date(column, months)
    body = []
    while i < len(lines) and not _is_header(lines[i][1]):
        if not lines[i][1]:
            # A blank row ends the table only if what follows is not more of it.
            after = i
            while after < len(lines) and not lines[after][1]:
                after += 1
            if after == len(lines) or not _looks_like_measure_row(
                lines[after][1], columns, catalogue, region
            ):
                break
            blank = lines[i][0]
            blanks = (
                f"Row {blank} is blank"
                if after == i + 1
                else (f"Rows {blank}–{lines[after - 1][0]} are blank")
            )
            parsed.warn(
                codes.BLANK_ROW_IN_TABLE,
                blank,
                (
                    f"{blanks}, but row {lines[after][0]} below still looks like a measure row "
                    f"('{_short(lines[after][1][0])}'): the table goes on past the blank, and "
                    "the rows below are read as part of it."
                ),
            )
            i = after
        body.append(lines[i])
        used.add(lines[i][0])
        i += 1
    last = body[-1][0] if body else header_number
    parsed.sections.append(
        f"a success-measure table (rows {header_number}–{last}, "
        f"{months[0]:%B %Y} to {months[-1]:%B %Y})"
        if months
        else f"a success-measure table (rows {header_number}–{last})"
    )
    if duplicate:
        return i
    for column in columns:
        if column.kind == UNKNOWN and any(
            len(cells) > column.index and cells[column.index] for _, cells in body
        ):
            parsed.warn(
                codes.UNKNOWN_COLUMN,
                header_number,
                f"Row {header_number}, {column.name}: "
                "not a column this product imports; it is ignored.",
            )
    table = Table(header_number, columns, width, months, body)
    _read_table_rows(table, catalogue, parsed)
    return i


def _looks_like_measure_row(cells, columns, catalogue, region) -> bool:
    """A row below a blank one that a person would read as more of the table: a
    title, and a figure (or n/a) under a month, or a measure's title with figures."""
    if len(cells) < 2 or not cells[0] or _is_block_header(cells, region):
        return False
    if catalogue.match(cells[0]):
        return any(cells[1:])
    for column in columns:
        if column.kind == MONTH and column.index < len(cells) and cells[column.index]:
            try:
                parse_number(cells[column.index])
            except CellError:
                continue
            return True
    return False


def _read_subheader(line, columns, width, months, parsed) -> None:
    """The row under the header: the baseline's month, the benchmarks' year, 'Target'
    under a long-term target's month. In the seed it is itself shifted by a cell
    merged over the months; read it from the right-hand columns then, and say so."""
    number, cells = line
    realigned = _realignments(cells, width, columns, mergeable=bool)
    if len(cells) < width and len(realigned) == 1:
        index, cells = realigned[0]
        missing = width - len(line[1])
        span = [c.month for c in columns[index : index + missing + 1]]
        after = [
            f"'{line[1][j]}' under {columns[j + missing].header}"
            for j in range(index + 1, len(line[1]))
            if line[1][j]
        ]
        parsed.warn(
            codes.SUBHEADER_REALIGNED,
            number,
            (
                f"Row {number} (under the header): {len(line[1]) - 1} cells instead of "
                f"{width - 1}; read '{line[1][index]}' as one cell over {span[0]:%B %Y}–"
                f"{span[-1]:%B %Y}"
                + (" and " + ", ".join(after) if after else "")
                + ", from the right-hand columns."
            ),
        )
    for column in columns:
        text = cells[column.index] if column.index < len(cells) else ""
        if not text:
            continue
        if column.kind == BENCHMARK and re.fullmatch(r"\d{4}", text):
            column.year = int(text)
        elif column.kind == BASELINE:
            column.baseline_label = text


def _baseline_date(column: Column, months: list[date]) -> tuple[date | None, str]:
    """The baseline's month, from its heading ('Baseline June 2014') or the cell under
    it ('June': the June among the table's months)."""
    text = f"{column.header} {column.baseline_label}".strip()
    label = re.sub(r"\s*/\s*", " / ", column.header).strip(" /")
    for match in _MONTH_WORD.finditer(text):
        month = MONTH_NAMES[match.group(1).lower()]
        if match.group(2):
            found = date(int(match.group(2)), month, 1)
        else:
            candidates = [m for m in months if m.month == month]
            if len(candidates) != 1:
                continue
            found = candidates[0]
        label = _MONTH_WORD.sub("", label).strip(" /")
        return found, f"{label} {found:%B %Y}".strip()
    return None, label


def _read_table_rows(table: Table, catalogue: Catalogue, parsed: Parsed) -> None:
    columns = table.columns
    # Merged month cells shift what lies right of the months: those columns anchor.
    last_month = max((c.index for c in columns if c.kind == MONTH), default=len(columns))
    anchors = [c.index for c in columns if c.kind in ANCHORS and c.index > last_month]

    def anchored(cells):
        return any(i < len(cells) and cells[i] for i in anchors)

    titled = [cells for _, cells in table.rows if cells and cells[0]]
    most_anchored = bool(titled) and 2 * sum(map(anchored, titled)) >= len(titled)
    readings = []
    seen_measures = {}
    for number, cells in table.rows:
        title = cells[0] if cells else ""
        if not title:
            parsed.error(
                codes.NO_TITLE,
                number,
                f"Row {number} has figures but no measure title in column A.",
            )
            continue
        matches = catalogue.match(title)
        if not matches:
            parsed.error(
                codes.UNKNOWN_MEASURE,
                number,
                (
                    f"Row {number}: '{title}' is not a measure this product knows (by title or "
                    "alias). Add it as an alias of the measure it means, or remove the row. "
                    "Nothing is imported until then."
                ),
            )
            continue
        if len(matches) > 1:
            parsed.error(
                codes.AMBIGUOUS_MEASURE,
                number,
                f"Row {number}: '{title}' matches more than one measure: "
                + ", ".join(m.title for m in matches)
                + ".",
            )
            continue
        measure = matches[0]
        area = _area_in(cells, table.columns)
        if (normalise(area), measure.pk) in seen_measures:
            parsed.error(
                codes.REPEATED_MEASURE,
                number,
                f"Row {number}: '{title}' is {measure.title}"
                + (f" for {area}" if area else "")
                + f", already given in row {seen_measures[(normalise(area), measure.pk)]}.",
            )
            continue
        seen_measures[(normalise(area), measure.pk)] = number
        percent = measure.unit == Measure.Unit.PERCENT
        reading = _read_row(number, cells, table, most_anchored, anchored, parsed, percent=percent)
        if reading is not None and percent and reading.looks_like_fractions():
            _refuse_fractions(number, measure, reading, parsed)
        elif reading is not None:
            readings.append((number, measure, reading))

    current = max((m for _, _, r in readings for m in r.months), default=None)
    if current is None and table.months:
        current = table.months[-1]
    first = table.months[0] if table.months else None
    for number, measure, reading in readings:
        _row_facts(number, measure, reading, table, first, current, parsed)


def _area_in(cells, columns) -> str:
    column = next((c for c in columns if c.kind == AREA), None)
    return cells[column.index] if column is not None and column.index < len(cells) else ""


def _refuse_fractions(number, measure, reading, parsed) -> None:
    """Never multiplied silently: 0.5 may be 50% or half a per cent; the person says."""
    example = next(f for f in reading.figures() if f > 0)
    as_percent = plain(example * 100)
    parsed.error(
        codes.PERCENT_AS_FRACTION,
        number,
        (
            f"Row {number} '{_short(measure.title)}': every figure is at most 1 (e.g. "
            f"{plain(example)}) but the target is {plain(reading.target)}, so these look like "
            f"fractions, not percentages. Type the percentage instead: for {plain(example)}, "
            f"{as_percent} or {as_percent}% (in Excel, format the cells as Percentage). If the "
            f"figures really are below 1%, write them with a % sign ({plain(example)}%). "
            "Nothing is imported until then."
        ),
    )


def _read_row(
    number, cells, table, most_anchored, anchored, parsed, *, percent: bool
) -> Reading | None:
    """A row read straight, or, when merged cells have shifted it, realigned from its
    right-hand columns with a warning; None (and an error) when it cannot be told."""
    columns, width = table.columns, table.width
    straight = _read_cells(number, cells, columns, percent=percent)
    short = len(cells) < width
    has_months = any(
        columns[i].kind == MONTH and cells[i] for i in range(1, min(len(cells), width))
    )
    suspect = (
        short and has_months and not anchored(cells) and (bool(straight.errors) or most_anchored)
    )
    if not suspect:
        for code, message in straight.warnings:
            parsed.warn(code, number, message)
        for code, message in straight.errors:
            parsed.error(code, number, message)
        return straight if not straight.errors else None

    title = cells[0]
    valid = []
    for index, realigned in _realignments(cells, width, columns, mergeable=_is_not_applicable):
        reading = _read_cells(number, realigned, columns, percent=percent)
        if reading.errors:
            continue
        latest = reading.latest()
        if latest and not reading.outturn.blank and not latest[1].same_as(reading.outturn):
            continue  # the right-hand columns would contradict the months
        valid.append((index, realigned, reading))
    if straight.errors and len(valid) == 1:
        index, realigned, reading = valid[0]
        span = [c.month for c in columns[index : index + width - len(cells) + 1]]
        after = [
            f"{cells[j]} as {columns[j + width - len(cells)].month:%B %Y}"
            for j in range(index + 1, len(cells))
            if cells[j] and columns[j + width - len(cells)].kind == MONTH
        ]
        read = f"'{cells[index]}' as {span[0]:%B %Y}–{span[-1]:%B %Y}"
        if after:
            read += " and " + ", ".join(after)
        parsed.warn(
            codes.ROW_REALIGNED,
            number,
            (
                f"Row {number} '{_short(title)}': {len(cells) - 1} cells instead of {width - 1}; "
                f"read {read}, from the right-hand columns (as if '{cells[index]}' were one cell "
                "merged over those months). Check these figures in the preview."
            ),
        )
        for code, message in reading.warnings:
            parsed.warn(code, number, message)
        return reading
    if not valid:
        # Not explained by a merged cell: the row reads as it stands, errors and all.
        for code, message in straight.warnings:
            parsed.warn(code, number, message)
        for code, message in straight.errors:
            parsed.error(code, number, message)
        return straight if not straight.errors else None
    why = (
        "it reads both as it stands and as shifted by a merged cell"
        if not straight.errors
        else "more than one reading is possible"
    )
    parsed.error(
        codes.AMBIGUOUS_SHIFT,
        number,
        (
            f"Row {number} '{_short(title)}': {len(cells) - 1} cells instead of {width - 1}, so "
            f"its figures may not line up with the headings ({why}). Nothing is imported from "
            "this row: unmerge its cells so each month has its own cell, and upload it again."
        ),
    )
    return None


def _is_not_applicable(text: str) -> bool:
    return text.strip().lower() in NOT_APPLICABLE_WORDS


def _row_facts(number, measure, reading, table, first, current, parsed) -> None:
    columns = {c.index: c for c in table.columns}
    letter = {c.kind: c for c in table.columns}
    for month, figure in sorted(reading.months.items()):
        column = next(c for c in columns.values() if c.kind == MONTH and c.month == month)
        area = reading.area
        parsed.facts.append(
            Fact(
                MONTHLY,
                measure.pk,
                (month, normalise(area)) if area else (month,),
                figure,
                number,
                f"Row {number}, {column.name}",
                area=area,
            )
        )
    if reading.baseline is not None:
        column = letter[BASELINE]
        if column.baseline_date is not None:
            parsed.facts.append(
                Fact(
                    BASELINE,
                    measure.pk,
                    (column.baseline_date,),
                    CellValue(reading.baseline),
                    number,
                    f"Row {number}, {column.name}",
                    label=column.baseline_label,
                )
            )
        else:
            parsed.baseline_claims.append(BaselineClaim(number, measure.pk, reading.baseline))
    for comparator, (value, year, column) in reading.benchmarks.items():
        if year is None:
            parsed.error(
                codes.NO_BENCHMARK_YEAR,
                number,
                (
                    f"Row {number}, {column.name}: no year for this benchmark. Give it in the row "
                    "under the header (e.g. 2014) or in the cell, e.g. '23.4 (2014)'."
                ),
            )
            continue
        parsed.facts.append(
            Fact(
                BENCHMARK,
                measure.pk,
                (comparator, year),
                CellValue(value),
                number,
                f"Row {number}, {column.name}",
            )
        )
    if reading.target is not None and first is not None:
        parsed.facts.append(
            Fact(
                IN_YEAR,
                measure.pk,
                (first,),
                CellValue(reading.target),
                number,
                f"Row {number}, {letter[TARGET].name}",
                current_month=current,
            )
        )
    if reading.long_term is not None and first is not None:
        value, due = reading.long_term
        parsed.facts.append(
            Fact(
                LONG_TERM,
                measure.pk,
                (first,),
                CellValue(value),
                number,
                f"Row {number}, {letter[LONG_TERM].name}",
                due=due,
                current_month=current,
            )
        )
    shown = reading.months.get(current, CellValue()) if current else CellValue()
    if not reading.outturn.blank and not shown.same_as(reading.outturn) and current:
        parsed.warn(
            codes.OUTTURN_DIFFERS,
            number,
            (
                f"Row {number} '{_short(measure.title)}': the outturn "
                f"{figure_text(reading.outturn, measure)} is not the {current:%B %Y} figure "
                f"({figure_text(shown, measure)}); the scorecard shows the monthly figure."
            ),
        )
    if reading.rag is not None:
        outturn = shown if not shown.blank else reading.outturn
        parsed.rag_claims.append(
            RagClaim(
                number, measure.pk, reading.rag[0], reading.rag[1], outturn, reading.target, current
            )
        )


def _is_block_header(cells: list[str], region: str) -> bool:
    return len(cells) >= 2 and sum(1 for c in cells if _comparator(c, region)) >= 2


def _is_block_title(cells: list[str]) -> bool:
    return len(cells) == 1 and bool(cells[0])


def _parse_block(lines, start, catalogue, region, parsed, used) -> int:
    """A benchmark block: the measure's title; a row of names ('Bucks', 'Stat. N',
    'South East', 'National'); a row of periods ('Jan 2015', '2014', …); a row of figures."""
    title_number, (title,) = lines[start - 1]
    header_number, header = lines[start]
    used.update({title_number, header_number})
    if start + 2 >= len(lines) or not lines[start + 1][1] or not lines[start + 2][1]:
        parsed.error(
            codes.INCOMPLETE_BLOCK,
            header_number,
            (
                f"Rows {title_number}–{header_number}: the benchmark block '{_short(title)}' "
                "needs a row of periods and a row of figures under its names."
            ),
        )
        return start + 1
    (periods_number, periods), (values_number, values) = lines[start + 1], lines[start + 2]
    used.update({periods_number, values_number})
    parsed.sections.append(
        f"a benchmark block for '{_short(title)}' (rows {title_number}–{values_number})"
    )
    matches = catalogue.match(title)
    if len(matches) != 1:
        if matches:
            parsed.error(
                codes.AMBIGUOUS_MEASURE,
                title_number,
                f"Row {title_number}: '{title}' matches more than one measure.",
            )
        else:
            parsed.error(
                codes.UNKNOWN_MEASURE,
                title_number,
                (
                    f"Row {title_number}: '{title}' is not a measure this product knows (by title "
                    "or alias). Add it as an alias of the measure it means, or remove the block."
                ),
            )
        return start + 3
    measure = matches[0]
    for index, name in enumerate(header):
        text = values[index] if index < len(values) else ""
        period = periods[index] if index < len(periods) else ""
        where = f"Row {values_number}, column {column_letter(index)} ({name})"
        try:
            figure = parse_number(text, percent=measure.unit == Measure.Unit.PERCENT)
        except CellError as error:
            parsed.error(error.code, values_number, f"{where}: {error}")
            continue
        if figure.blank:
            continue
        warnings = []
        figure = _stored(figure, where, warnings)
        for code, message in warnings:
            parsed.warn(code, values_number, message)
        comparator = _comparator(name, region)
        if comparator:
            if figure.not_applicable:
                continue
            if not re.fullmatch(r"\d{4}", period):
                parsed.error(
                    codes.NOT_A_YEAR,
                    periods_number,
                    (
                        f"Row {periods_number}, column {column_letter(index)}: '{period}' is not "
                        f"the year of the {name} figure (e.g. 2014)."
                    ),
                )
                continue
            parsed.facts.append(
                Fact(BENCHMARK, measure.pk, (comparator, int(period)), figure, values_number, where)
            )
        else:
            month = read_month_heading(period)
            if month is None:
                parsed.error(
                    codes.NOT_A_MONTH,
                    periods_number,
                    (
                        f"Row {periods_number}, column {column_letter(index)}: '{period}' is not "
                        f"the month of the {name or 'own'} figure (e.g. Jan 2015)."
                    ),
                )
                continue
            if figure.value is not None and figure.value < 0:
                parsed.error(codes.NEGATIVE, values_number, f"{where}: '{text}' is negative")
                continue
            parsed.facts.append(Fact(MONTHLY, measure.pk, (month,), figure, values_number, where))
    return start + 3


def _report_leftovers(lines, used, parsed) -> None:
    """Nothing is dropped silently: every other non-empty row is named."""
    narrative, block = [], []

    def flush():
        if block:
            first, last = block[0][0], block[-1][0]
            rows = f"Rows {first}–{last}" if first != last else f"Row {first}"
            parsed.warn(
                codes.NOT_IMPORTED_ROWS,
                first,
                (
                    f"{rows} ('{_short(block[0][1][0] or '…')}'): not a success-measure table or "
                    "a benchmark block; not imported."
                ),
            )
            block.clear()

    for number, cells in lines:
        if number in used or not cells:
            flush()
            continue
        if len(cells) == 1:
            flush()
            narrative.append(number)
        else:
            block.append((number, cells))
    flush()
    if narrative:
        rows = ", ".join(str(n) for n in narrative[:20]) + (" …" if len(narrative) > 20 else "")
        parsed.warn(
            codes.COMMENTARY_IGNORED,
            None,
            f"Text outside the tables (commentary) is not imported: "
            f"row{'s' if len(narrative) > 1 else ''} {rows}.",
        )


# --- figures as the findings and the plan write them -----------------------------


def figure_text(figure: CellValue | None, measure: Measure | None = None) -> str:
    if figure is None or figure.blank:
        return "–"
    if figure.not_applicable:
        return formatting.NOT_APPLICABLE
    return number_text(figure.value, measure.decimal_places if measure else 0)


def number_text(value: Decimal | None, places: int = 0) -> str:
    if value is None:
        return "–"
    exponent = -value.normalize().as_tuple().exponent
    return f"{rag.round_to(value, max(places, exponent, 0)):,}"
