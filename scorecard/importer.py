"""Importing scorecard spreadsheets, safely.

Reads the success-measure table and the benchmark blocks of the reference
layout (the seed, `tests/data/bucks-scorecard-2015-01.txt`) and the product's
own export (`exports.export_table` of a `ScorecardTable`), from tab-separated
text, CSV or XLSX. Four steps, each a plain function:

- `read_rows(content, filename)`: bytes in, rows of text out; refuses (raises
  `FileRefused`) what is empty, too large, binary, not UTF-8 or not a workbook.
- `parse(rows, measures)`: what the file says, as facts with the row they came
  from, and the errors and warnings per row. No database.
- `plan_import(content, filename)`: the facts compared with the database: what
  would be created and changed (old and new values). Writes nothing.
- `apply_plan(plan=..., user=...)`: the plan written in one transaction, audited
  with the file's name and the importer, then a recalculation queued.

Ratings in a file are never imported: they are compared with the rating the
product computes (`rag.rate`) and every difference is reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import audit, engine, formatting, rag
from .models import (
    Baseline,
    Benchmark,
    Measure,
    MonthlyReturn,
    ReturnValue,
    ServiceArea,
    Target,
)
from .reports import COMPARATORS

logger = logging.getLogger(__name__)

MAX_COLUMNS = 200
MAX_FINDINGS = 500  # per list: a hopeless file should not produce a page of 100,000 errors
STORED_PLACES = 4  # ReturnValue.value, Target, Baseline and Benchmark keep four places
MAX_MAGNITUDE = Decimal(10) ** 10  # 14 digits, 4 of them after the point
IMPORT_LOCK_KEY = 4_815_162_343  # serialises imports (the engine uses ...342)
COMPARATOR_LABELS = dict(COMPARATORS)  # as the scorecard heads them

MONTHLY, BASELINE, BENCHMARK, IN_YEAR, LONG_TERM = (
    "monthly", "baseline", "benchmark", "in_year", "long_term")
SUBJECTS = {
    MONTHLY: "Monthly figure",
    BASELINE: "Baseline",
    BENCHMARK: "Benchmark",
    IN_YEAR: "In-year target",
    LONG_TERM: "Long-term target",
}


class FileRefused(Exception):
    """The file cannot be read at all; the message says why, for the person importing."""


class ImportRefused(Exception):
    """The plan cannot be applied (errors, or the data changed since the preview)."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


# --- reading: bytes to rows of text -----------------------------------------


@dataclass
class Rows:
    """The file as rows of stripped text cells, numbered as the person sees them."""

    kind: str  # "tab-separated text", "CSV", "Excel workbook"
    rows: list[tuple[int, list[str]]]  # (row number, cells without trailing blanks)
    notes: list[str] = field(default_factory=list)  # file-level warnings

    @property
    def count(self) -> int:
        return self.rows[-1][0] if self.rows else 0


SIGNATURES = [
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls). Open it in Excel and save it as "
                          ".xlsx, or as 'CSV UTF-8'"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
]
UPLOAD_HINT = "Upload the scorecard as .xlsx, as CSV or as tab-separated text (.txt)."


def read_rows(content: bytes, filename: str = "") -> Rows:
    """The file's rows; `FileRefused` for anything that is not a readable spreadsheet."""
    if len(content) > max_bytes():
        raise FileRefused(f"The file is {size_text(len(content))}: the largest file that can "
                          f"be imported is {size_text(max_bytes())}. Split it, e.g. one year "
                          "per file.")
    if not content.strip():
        raise FileRefused("The file is empty: it has no rows to import.")
    if content.startswith(b"PK\x03\x04"):
        return _read_workbook(content)
    for signature, what in SIGNATURES:
        if content.startswith(signature):
            raise FileRefused(f"The file is not a spreadsheet: it is {what}. {UPLOAD_HINT}")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(
            "The file is in UTF-16 (Excel's 'Unicode Text'), not UTF-8. Save it as "
            "'CSV UTF-8' or as .xlsx and upload it again.")
    head = content[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > len(head) // 100:
        raise FileRefused(f"The file is not a spreadsheet: it contains binary data. {UPLOAD_HINT}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"The file is not UTF-8 text: line {line} has the byte 0x{content[error.start]:02X}, "
            "which is not UTF-8 (the file was probably saved as Windows-1252, 'ANSI'). Save it "
            "as 'CSV UTF-8' or as .xlsx and upload it again."
        ) from error
    if not text.strip():
        raise FileRefused("The file is empty: it has no rows to import.")
    return _read_text(text)


def _check_row_count(number: int) -> None:
    if number > max_rows():
        raise FileRefused(f"The file has more than {max_rows():,} rows: the most that can be "
                          "imported at once. Split it, e.g. one year per file.")


def _trimmed(cells: list[str], number: int) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise FileRefused(f"Row {number} has {len(cells):,} cells: at most {MAX_COLUMNS} "
                          "columns can be imported.")
    return cells


def _read_text(text: str) -> Rows:
    lines = text.splitlines()
    _check_row_count(len(lines))
    tabbed = sum(1 for line in lines if "\t" in line)
    commas = sum(1 for line in lines if "," in line and "\t" not in line)
    kind, delimiter = ("tab-separated text", "\t") if tabbed and tabbed >= commas \
        else ("CSV", ",")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            number = reader.line_num
            _check_row_count(number)
            rows.append((number, _trimmed(cells, number)))
    except csv.Error as error:
        raise FileRefused(f"The file cannot be read as {kind}: line {reader.line_num}: {error}. "
                          f"{UPLOAD_HINT}") from error
    return Rows(kind=kind, rows=rows)


def _read_workbook(content: bytes) -> Rows:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileRefused(f"The file is not a spreadsheet: it looks like a zip archive but "
                          f"cannot be opened. {UPLOAD_HINT}") from error
    if "xl/workbook.xml" not in names:
        what = ("an OpenDocument spreadsheet (.ods): save it as .xlsx"
                if "mimetype" in names and "content.xml" in names else "a zip archive")
        raise FileRefused(f"The file is not an Excel workbook: it is {what}. {UPLOAD_HINT}")
    if expanded > 25 * max_bytes():
        raise FileRefused(f"The workbook expands to {size_text(expanded)} when opened: too large "
                          "to import. Split it, e.g. one year per file.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"The workbook cannot be opened ({type(error).__name__}). "
                          "Open it in Excel, save it as .xlsx and upload it again.") from error
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FileRefused("The workbook has no worksheet.")
        notes = []
        if len(sheets) > 1:
            notes.append(f"The workbook has {len(sheets)} sheets: only the first, "
                         f"'{sheets[0].title}', was read.")
        rows = []
        for number, cells in enumerate(sheets[0].iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            _check_row_count(number)
            rows.append((number, _trimmed([_cell_text(cell) for cell in cells], number)))
    except FileRefused:
        raise
    except Exception as error:
        raise FileRefused(f"The workbook cannot be read ({type(error).__name__}). "
                          "Open it in Excel, save it as .xlsx and upload it again.") from error
    finally:
        workbook.close()
    while rows and not rows[-1][1]:
        rows.pop()
    if not rows:
        raise FileRefused("The file is empty: its first sheet has no rows to import.")
    return Rows(kind="Excel workbook", rows=rows, notes=notes)


def _cell_text(cell) -> str:
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
        if isinstance(value, float) and abs(number) < MAX_MAGNITUDE:
            # Drop binary noise (0.1 + 0.2 = 0.30000000000000004), keep what was typed.
            number = number.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
        if "%" in (getattr(cell, "number_format", None) or ""):
            return _plain(number * 100) + "%"
        return _plain(number)
    return str(value)


def _plain(number: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 35, 35.5, 1234.5."""
    number = number.normalize()
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return f"{number:f}"


# --- parsing: rows to facts ---------------------------------------------------


MONTH_NAMES = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?[\s\-/']*(\d{4}|\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
                         + r")\b(?:[\s\-/]*(\d{4}))?", re.IGNORECASE)
_BENCHMARK_CELL = re.compile(r"^(.*?)\s*\((\d{4})\)$")
_LONG_TERM_CELL = re.compile(r"^(.*?)\s+by\s+(.+)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
NOT_APPLICABLE_WORDS = {"n/a", "na", "n.a.", "n.a", "not applicable"}
RAG_WORDS = {
    "red": rag.RED, "r": rag.RED, "amber": rag.AMBER, "a": rag.AMBER,
    "green": rag.GREEN, "g": rag.GREEN, "no rating": rag.NO_RATING,
}


def parse_month(text: str) -> date | None:
    """'Apr 2014', 'Jan-15', 'January 2015', '2015-01' or an ISO date -> the month's
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
class Figure:
    """A cell's figure: a number, not applicable, or (both unset) nothing."""

    value: Decimal | None = None
    not_applicable: bool = False

    @property
    def blank(self) -> bool:
        return self.value is None and not self.not_applicable

    def same_as(self, other: Figure) -> bool:
        return self.not_applicable == other.not_applicable and self.value == other.value


class CellError(ValueError):
    pass


def parse_number(text: str, *, allow_not_applicable: bool = True) -> Figure:
    """A cell's text as a figure: '35.0%' and '1,234' are numbers, 'n/a' is not
    applicable, blank is nothing; anything else raises CellError."""
    text = text.strip()
    if not text:
        return Figure()
    if text.lower() in NOT_APPLICABLE_WORDS:
        if allow_not_applicable:
            return Figure(not_applicable=True)
        raise CellError(f"'{text}' where a number is needed")
    cleaned = text.removesuffix("%").strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned):
        raise CellError(f"'{text}' is not a number")
    try:
        number = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern has checked it
        raise CellError(f"'{text}' is not a number") from error
    if abs(number) >= MAX_MAGNITUDE:
        raise CellError(f"'{text}' is too large")
    return Figure(value=number)


@dataclass(frozen=True)
class Finding:
    row: int | None
    message: str


@dataclass(frozen=True)
class Fact:
    """One figure the file states, and where it says so."""

    kind: str  # MONTHLY, BASELINE, BENCHMARK, IN_YEAR, LONG_TERM
    measure_id: int
    key: tuple  # MONTHLY (month,); BASELINE (date,); BENCHMARK (comparator, year);
    #             IN_YEAR and LONG_TERM (first month of the table,)
    figure: Figure
    row: int
    where: str
    due: date | None = None  # LONG_TERM
    label: str = ""  # BASELINE
    current_month: date | None = None  # targets: the month the file's target is for


@dataclass(frozen=True)
class RagClaim:
    """A RAG the file states, to be compared with the product's own rating."""

    row: int
    measure_id: int
    word: str  # one of rag.GREEN ... rag.NO_RATING
    text: str  # as written
    outturn: Figure
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
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # what was found, for people

    def error(self, row, message):
        _add(self.errors, row, message)

    def warn(self, row, message):
        _add(self.warnings, row, message)


def _add(findings: list[Finding], row, message) -> None:
    if len(findings) < MAX_FINDINGS:
        findings.append(Finding(row, message))
    elif len(findings) == MAX_FINDINGS:
        findings.append(Finding(None, "… and more: only the first "
                                      f"{MAX_FINDINGS} are listed."))


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
TITLE, MONTH, OUTTURN, TARGET, RAG, IGNORED, UNKNOWN = (
    "title", "month", "outturn", "target", "rag", "ignored", "unknown")
ANCHORS = {OUTTURN, TARGET, RAG, LONG_TERM}
COMPUTED_HEADERS = {"since last month", "provisional", "last 12 months", "direction of travel",
                    "trend", "direction", "revised since published", "published value"}


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
        return f"column {column_letter(self.index)} ({self.header})" if self.header \
            else f"column {column_letter(self.index)}"


def _comparator(text: str, region: str) -> str | None:
    words = _words(text)
    if words in ("stat n", "stat ns", "sn") or ("stat" in words.split() and "neighbour" in words):
        return Benchmark.Comparator.STAT_NEIGHBOURS
    if words.startswith("statistical neighbour"):
        return Benchmark.Comparator.STAT_NEIGHBOURS
    if words in ("south east", "region", "regional", _words(region)):
        return Benchmark.Comparator.REGION
    if words in ("national", "england", "england average", "national average"):
        return Benchmark.Comparator.ENGLAND
    return None


def _classify(index: int, header: str, region: str) -> Column:
    words = _words(header)
    if index == 0:
        return Column(index, TITLE, header)
    if "baseline" in words:
        return Column(index, BASELINE, header)
    if comparator := _comparator(header, region):
        return Column(index, BENCHMARK, header, comparator=comparator)
    if "outturn" in words.split():
        return Column(index, OUTTURN, header)
    if "rag" in words.split():
        return Column(index, RAG, header)
    if "target" in words.split():
        match = _MONTH_WORD.search(header)
        due = date(int(match.group(2)), MONTH_NAMES[match.group(1).lower()], 1) \
            if match and match.group(2) else None
        if "long" in words or due is not None:
            return Column(index, LONG_TERM, header, month=due)
        return Column(index, TARGET, header)
    if words in COMPUTED_HEADERS:
        return Column(index, IGNORED, header)
    return Column(index, UNKNOWN, header)


def _is_header(cells: list[str]) -> bool:
    return (len(cells) > 2 and bool(cells[0]) and parse_month(cells[0]) is None
            and sum(1 for c in cells[1:] if parse_month(c)) >= 2)


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
        found.append((i, cells[:i] + [cells[i]] * (missing + 1) + cells[i + 1:]))
    return found


@dataclass
class Reading:
    """One table row read against its columns."""

    months: dict = field(default_factory=dict)  # month -> Figure (blank left out)
    baseline: Decimal | None = None
    benchmarks: dict = field(default_factory=dict)  # comparator -> (Decimal, year | None, col)
    outturn: Figure = Figure()
    target: Decimal | None = None
    rag: tuple[str, str] | None = None  # (word, as written)
    long_term: tuple[Decimal, date | None] | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def latest(self) -> tuple[date, Figure] | None:
        if not self.months:
            return None
        month = max(self.months)
        return month, self.months[month]


def _stored(figure: Figure, where: str, warnings: list[str]) -> Figure:
    """More places than are stored: rounded, and said so."""
    if figure.value is None:
        return figure
    rounded = rag.round_to(figure.value, STORED_PLACES)
    if rounded != figure.value:
        warnings.append(f"{where}: {_plain(figure.value)} has more than {STORED_PLACES} "
                        f"decimal places; {_plain(rounded)} will be stored.")
        return Figure(value=rounded)
    return figure


def _read_cells(number: int, cells: list[str], columns: list[Column]) -> Reading:
    reading = Reading()
    for index, text in enumerate(cells):
        if not text or index == 0:
            continue
        if index >= len(columns):
            reading.errors.append(f"Row {number}, column {column_letter(index)}: '{text}' is "
                                  "beyond the last column heading")
            continue
        column = columns[index]
        where = f"Row {number}, {column.name}"
        try:
            if column.kind == MONTH:
                figure = parse_number(text)
                if figure.value is not None and figure.value < 0:
                    raise CellError(f"'{text}' is negative")
                reading.months[column.month] = _stored(figure, where, reading.warnings)
            elif column.kind == BASELINE:
                reading.baseline = _stored(parse_number(text, allow_not_applicable=False),
                                           where, reading.warnings).value
            elif column.kind == BENCHMARK:
                year = column.year
                if match := _BENCHMARK_CELL.match(text):
                    text, year = match.group(1), int(match.group(2))
                value = _stored(parse_number(text, allow_not_applicable=False), where,
                                reading.warnings).value
                if value is not None:
                    reading.benchmarks[column.comparator] = (value, year, column)
            elif column.kind == OUTTURN:
                reading.outturn = parse_number(text)
            elif column.kind == TARGET:
                reading.target = _stored(parse_number(text, allow_not_applicable=False),
                                         where, reading.warnings).value
            elif column.kind == RAG:
                word = RAG_WORDS.get(text.strip().lower())
                if word is None:
                    raise CellError(f"'{text}' is not a RAG rating (Red, Amber, Green or "
                                    "No rating)")
                reading.rag = (word, text)
            elif column.kind == LONG_TERM:
                due = column.month
                if match := _LONG_TERM_CELL.match(text):
                    text, due_text = match.group(1), match.group(2)
                    due = parse_month(due_text)
                    if due is None:
                        raise CellError(f"'{due_text}' is not a month (e.g. Jan 2016)")
                value = _stored(parse_number(text, allow_not_applicable=False), where,
                                reading.warnings).value
                if value is not None and due is None:
                    raise CellError("no date for the long-term target. Head the column with "
                                    "the month (e.g. Jan-16) or write it in the cell, e.g. "
                                    "'100 by Jan 2016'")
                if value is not None:
                    reading.long_term = (value, due)
        except CellError as error:
            reading.errors.append(f"{where}: {error}")
    return reading


@dataclass
class Table:
    header_row: int
    columns: list[Column]
    width: int
    months: list[date]
    rows: list[tuple[int, list[str]]]


def parse(rows: Rows, measures, region: str | None = None) -> Parsed:
    """What the file says, as facts, with errors and warnings per row. No database:
    `measures` is every Measure the file may name."""
    region = region or settings.REGION_NAME
    catalogue = Catalogue(list(measures))
    parsed = Parsed()
    for note in rows.notes:
        parsed.warn(None, note)
    lines = rows.rows
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
        parsed.error(None, "No success-measure table or benchmark block was found. The table "
                           "needs a header row with the measure title first and the months "
                           "across (e.g. 'Measure, Baseline, Apr 2014, May 2014, …').")
    return parsed


def _parse_table(lines, start, catalogue, region, parsed, used) -> int:
    header_number, header = lines[start]
    used.add(header_number)
    columns = [_classify(i, text, region) for i, text in enumerate(header)]
    # The month block: month headings side by side; a month heading after it
    # (the seed's 'Jan-16') is when the long-term target is due.
    seen, block_over, duplicate = {}, False, False
    for column in columns[1:]:
        month = parse_month(column.header)
        if month is not None and not block_over:
            if month in seen:
                parsed.error(header_number, (
                    f"Row {header_number}: columns {column_letter(seen[month])} and "
                    f"{column_letter(column.index)} are both {month:%B %Y}: each month can "
                    "be given once. Nothing in this table is imported."))
                duplicate = True
            seen.setdefault(month, column.index)
            column.kind, column.month = MONTH, month
        elif month is not None:
            column.kind, column.month = LONG_TERM, month
        elif seen:
            block_over = True
    width = len(columns)
    months = sorted(seen)

    i = start + 1
    if i < len(lines) and lines[i][1] and not lines[i][1][0]:
        _read_subheader(lines[i], columns, width, months, parsed)
        used.add(lines[i][0])
        i += 1
    for column in columns:
        if column.kind == BASELINE:
            column.baseline_date, column.baseline_label = _baseline_date(column, months)
    body = []
    while i < len(lines) and lines[i][1] and not _is_header(lines[i][1]):
        body.append(lines[i])
        used.add(lines[i][0])
        i += 1
    last = body[-1][0] if body else header_number
    parsed.sections.append(
        f"a success-measure table (rows {header_number}–{last}, "
        f"{months[0]:%B %Y} to {months[-1]:%B %Y})" if months else
        f"a success-measure table (rows {header_number}–{last})")
    if duplicate:
        return i
    for column in columns:
        if column.kind == UNKNOWN and any(
                len(cells) > column.index and cells[column.index] for _, cells in body):
            parsed.warn(header_number, f"Row {header_number}, {column.name}: not a column "
                                       "this product imports; it is ignored.")
    table = Table(header_number, columns, width, months, body)
    _read_table_rows(table, catalogue, parsed)
    return i


def _read_subheader(line, columns, width, months, parsed) -> None:
    """The row under the header: the baseline's month, the benchmarks' year, 'Target'
    under a long-term target's month. In the seed it is itself shifted by a cell
    merged over the months; read it from the right-hand columns then, and say so."""
    number, cells = line
    realigned = _realignments(cells, width, columns, mergeable=bool)
    if len(cells) < width and len(realigned) == 1:
        index, cells = realigned[0]
        missing = width - len(line[1])
        span = [c.month for c in columns[index: index + missing + 1]]
        after = [f"'{line[1][j]}' under {columns[j + missing].header}"
                 for j in range(index + 1, len(line[1])) if line[1][j]]
        parsed.warn(number, (
            f"Row {number} (under the header): {len(line[1]) - 1} cells instead of "
            f"{width - 1}; read '{line[1][index]}' as one cell over {span[0]:%B %Y}–"
            f"{span[-1]:%B %Y}" + (" and " + ", ".join(after) if after else "")
            + ", from the right-hand columns."))
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
            parsed.error(number, f"Row {number} has figures but no measure title in column A.")
            continue
        matches = catalogue.match(title)
        if not matches:
            parsed.error(number, f"Row {number}: '{title}' is not a measure this product knows "
                                 "(by title or alias). Add it as an alias of the measure it "
                                 "means, or remove the row. Nothing is imported until then.")
            continue
        if len(matches) > 1:
            parsed.error(number, f"Row {number}: '{title}' matches more than one measure: "
                                 + ", ".join(m.title for m in matches) + ".")
            continue
        measure = matches[0]
        if measure.pk in seen_measures:
            parsed.error(number, f"Row {number}: '{title}' is {measure.title}, already given "
                                 f"in row {seen_measures[measure.pk]}.")
            continue
        seen_measures[measure.pk] = number
        reading = _read_row(number, cells, table, most_anchored, anchored, parsed)
        if reading is not None:
            readings.append((number, measure, reading))

    current = max((m for _, _, r in readings for m in r.months), default=None)
    if current is None and table.months:
        current = table.months[-1]
    first = table.months[0] if table.months else None
    for number, measure, reading in readings:
        _row_facts(number, measure, reading, table, first, current, parsed)


def _read_row(number, cells, table, most_anchored, anchored, parsed) -> Reading | None:
    """A row read straight, or, when merged cells have shifted it, realigned from its
    right-hand columns with a warning; None (and an error) when it cannot be told."""
    columns, width = table.columns, table.width
    straight = _read_cells(number, cells, columns)
    short = len(cells) < width
    has_months = any(columns[i].kind == MONTH and cells[i]
                     for i in range(1, min(len(cells), width)))
    suspect = short and has_months and not anchored(cells) and (
        bool(straight.errors) or most_anchored)
    if not suspect:
        for message in straight.warnings:
            parsed.warn(number, message)
        for message in straight.errors:
            parsed.error(number, message)
        return straight if not straight.errors else None

    title = cells[0]
    valid = []
    for index, realigned in _realignments(cells, width, columns, mergeable=_is_not_applicable):
        reading = _read_cells(number, realigned, columns)
        if reading.errors:
            continue
        latest = reading.latest()
        if latest and not reading.outturn.blank and not latest[1].same_as(reading.outturn):
            continue  # the right-hand columns would contradict the months
        valid.append((index, realigned, reading))
    if straight.errors and len(valid) == 1:
        index, realigned, reading = valid[0]
        span = [c.month for c in columns[index: index + width - len(cells) + 1]]
        after = [f"{cells[j]} as {columns[j + width - len(cells)].month:%B %Y}"
                 for j in range(index + 1, len(cells))
                 if cells[j] and columns[j + width - len(cells)].kind == MONTH]
        read = f"'{cells[index]}' as {span[0]:%B %Y}–{span[-1]:%B %Y}"
        if after:
            read += " and " + ", ".join(after)
        parsed.warn(number, (
            f"Row {number} '{_short(title)}': {len(cells) - 1} cells instead of {width - 1}; "
            f"read {read}, from the right-hand columns (as if '{cells[index]}' were one cell "
            "merged over those months). Check these figures in the preview."))
        for message in reading.warnings:
            parsed.warn(number, message)
        return reading
    if not valid:
        # Not explained by a merged cell: the row reads as it stands, errors and all.
        for message in straight.warnings:
            parsed.warn(number, message)
        for message in straight.errors:
            parsed.error(number, message)
        return straight if not straight.errors else None
    why = ("it reads both as it stands and as shifted by a merged cell"
           if not straight.errors else "more than one reading is possible")
    parsed.error(number, (
        f"Row {number} '{_short(title)}': {len(cells) - 1} cells instead of {width - 1}, so "
        f"its figures may not line up with the headings ({why}). Nothing is imported from "
        "this row: unmerge its cells so each month has its own cell, and upload it again."))
    return None


def _is_not_applicable(text: str) -> bool:
    return text.strip().lower() in NOT_APPLICABLE_WORDS


def _row_facts(number, measure, reading, table, first, current, parsed) -> None:
    columns = {c.index: c for c in table.columns}
    letter = {c.kind: c for c in table.columns}
    for month, figure in sorted(reading.months.items()):
        column = next(c for c in columns.values() if c.kind == MONTH and c.month == month)
        parsed.facts.append(Fact(MONTHLY, measure.pk, (month,), figure, number,
                                 f"Row {number}, {column.name}"))
    if reading.baseline is not None:
        column = letter[BASELINE]
        if column.baseline_date is not None:
            parsed.facts.append(Fact(BASELINE, measure.pk, (column.baseline_date,),
                                     Figure(reading.baseline), number,
                                     f"Row {number}, {column.name}", label=column.baseline_label))
        else:
            parsed.baseline_claims.append(BaselineClaim(number, measure.pk, reading.baseline))
    for comparator, (value, year, column) in reading.benchmarks.items():
        if year is None:
            parsed.error(number, f"Row {number}, {column.name}: no year for this benchmark. "
                                 "Give it in the row under the header (e.g. 2014) or in the "
                                 "cell, e.g. '23.4 (2014)'.")
            continue
        parsed.facts.append(Fact(BENCHMARK, measure.pk, (comparator, year), Figure(value),
                                 number, f"Row {number}, {column.name}"))
    if reading.target is not None and first is not None:
        parsed.facts.append(Fact(IN_YEAR, measure.pk, (first,), Figure(reading.target), number,
                                 f"Row {number}, {letter[TARGET].name}", current_month=current))
    if reading.long_term is not None and first is not None:
        value, due = reading.long_term
        parsed.facts.append(Fact(LONG_TERM, measure.pk, (first,), Figure(value), number,
                                 f"Row {number}, {letter[LONG_TERM].name}", due=due,
                                 current_month=current))
    shown = reading.months.get(current, Figure()) if current else Figure()
    if not reading.outturn.blank and not shown.same_as(reading.outturn) and current:
        parsed.warn(number, (
            f"Row {number} '{_short(measure.title)}': the outturn "
            f"{_figure_text(reading.outturn, measure)} is not the {current:%B %Y} figure "
            f"({_figure_text(shown, measure)}); the scorecard shows the monthly figure."))
    if reading.rag is not None:
        outturn = shown if not shown.blank else reading.outturn
        parsed.rag_claims.append(RagClaim(number, measure.pk, reading.rag[0], reading.rag[1],
                                          outturn, reading.target, current))


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
        parsed.error(header_number, f"Rows {title_number}–{header_number}: the benchmark "
                                    f"block '{_short(title)}' needs a row of periods and a row "
                                    "of figures under its names.")
        return start + 1
    (periods_number, periods), (values_number, values) = lines[start + 1], lines[start + 2]
    used.update({periods_number, values_number})
    parsed.sections.append(f"a benchmark block for '{_short(title)}' (rows "
                           f"{title_number}–{values_number})")
    matches = catalogue.match(title)
    if len(matches) != 1:
        parsed.error(title_number, (
            f"Row {title_number}: '{title}' is not a measure this product knows (by title or "
            "alias). Add it as an alias of the measure it means, or remove the block."
            if not matches else
            f"Row {title_number}: '{title}' matches more than one measure."))
        return start + 3
    measure = matches[0]
    for index, name in enumerate(header):
        text = values[index] if index < len(values) else ""
        period = periods[index] if index < len(periods) else ""
        where = f"Row {values_number}, column {column_letter(index)} ({name})"
        try:
            figure = parse_number(text)
        except CellError as error:
            parsed.error(values_number, f"{where}: {error}")
            continue
        if figure.blank:
            continue
        warnings = []
        figure = _stored(figure, where, warnings)
        for message in warnings:
            parsed.warn(values_number, message)
        comparator = _comparator(name, region)
        if comparator:
            if figure.not_applicable:
                continue
            if not re.fullmatch(r"\d{4}", period):
                parsed.error(periods_number, f"Row {periods_number}, column "
                                             f"{column_letter(index)}: '{period}' is not the "
                                             f"year of the {name} figure (e.g. 2014).")
                continue
            parsed.facts.append(Fact(BENCHMARK, measure.pk, (comparator, int(period)), figure,
                                     values_number, where))
        else:
            month = parse_month(period)
            if month is None:
                parsed.error(periods_number, f"Row {periods_number}, column "
                                             f"{column_letter(index)}: '{period}' is not the "
                                             f"month of the {name or 'own'} figure "
                                             "(e.g. Jan 2015).")
                continue
            if figure.value is not None and figure.value < 0:
                parsed.error(values_number, f"{where}: '{text}' is negative")
                continue
            parsed.facts.append(Fact(MONTHLY, measure.pk, (month,), figure, values_number,
                                     where))
    return start + 3


def _report_leftovers(lines, used, parsed) -> None:
    """Nothing is dropped silently: every other non-empty row is named."""
    narrative, block = [], []

    def flush():
        if block:
            first, last = block[0][0], block[-1][0]
            rows = f"Rows {first}–{last}" if first != last else f"Row {first}"
            parsed.warn(first, f"{rows} ('{_short(block[0][1][0] or '…')}'): not a "
                               "success-measure table or a benchmark block; not imported.")
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
        parsed.warn(None, f"Text outside the tables (commentary) is not imported: "
                          f"row{'s' if len(narrative) > 1 else ''} {rows}.")


# --- the plan: facts compared with the database ------------------------------


def _figure_text(figure: Figure | None, measure: Measure | None = None) -> str:
    if figure is None or figure.blank:
        return "–"
    if figure.not_applicable:
        return formatting.NOT_APPLICABLE
    return _number_text(figure.value, measure.decimal_places if measure else 0)


def _number_text(value: Decimal | None, places: int = 0) -> str:
    if value is None:
        return "–"
    exponent = -value.normalize().as_tuple().exponent
    return f"{rag.round_to(value, max(places, exponent, 0)):,}"


@dataclass(frozen=True)
class PlannedWrite:
    """One row to create or change, with its old and new values as people read them."""

    action: str  # "create" | "change"
    kind: str  # MONTHLY ...
    measure: str  # title
    period: str  # 'January 2015', 'Stat. neighbours 2014', 'from April 2014'
    old: str
    new: str
    row: int
    key: tuple = field(compare=True, repr=False)  # (kind, measure id, *natural key)
    new_values: tuple = field(compare=True, repr=False)  # ((field, value), ...)

    @property
    def subject(self) -> str:
        return SUBJECTS[self.kind]


@dataclass(frozen=True)
class RagDifference:
    row: int
    measure: str
    in_file: str  # as written
    computed: str  # the product's word
    explanation: str


@dataclass
class RowReport:
    row: int | None
    writes: list[PlannedWrite]
    errors: list[str]
    warnings: list[str]


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    kind: str
    sections: list[str]
    writes: list[PlannedWrite] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    rag_differences: list[RagDifference] = field(default_factory=list)
    parsed: Parsed | None = field(default=None, repr=False)

    @property
    def creates(self) -> list[PlannedWrite]:
        return [w for w in self.writes if w.action == "create"]

    @property
    def changes(self) -> list[PlannedWrite]:
        return [w for w in self.writes if w.action == "change"]

    @property
    def is_empty(self) -> bool:
        return not self.writes

    @property
    def can_apply(self) -> bool:
        return not self.errors and bool(self.writes)

    @property
    def fingerprint(self) -> str:
        """The same for the same writes from the same old values: confirm checks it."""
        return _fingerprint(self.writes)

    @property
    def months(self) -> list[date]:
        return sorted({w.key[2] for w in self.writes if w.kind == MONTHLY})

    def by_row(self) -> list[RowReport]:
        reports: dict[int | None, RowReport] = {}

        def report(row):
            return reports.setdefault(row, RowReport(row, [], [], []))

        for finding in self.errors:
            report(finding.row).errors.append(finding.message)
        for finding in self.warnings:
            report(finding.row).warnings.append(finding.message)
        for write in self.writes:
            report(write.row).writes.append(write)
        return sorted(reports.values(), key=lambda r: (r.row is not None, r.row or 0))

    def describe(self) -> list[str]:
        """The plan as lines of text (the management command prints them)."""
        lines = [f"{self.filename}: {self.kind}; found " + ("; ".join(self.sections) or
                                                             "nothing to import") + "."]
        lines.append(f"{len(self.creates)} to create, {len(self.changes)} to change, "
                     f"{len(self.errors)} errors, {len(self.warnings)} warnings.")
        for write in self.writes:
            lines.append(f"  {write.action:<6} row {write.row:<4} {write.measure}: "
                         f"{write.subject} {write.period}: {write.old} -> {write.new}")
        for finding in self.errors:
            lines.append(f"  ERROR   {finding.message}")
        for finding in self.warnings:
            lines.append(f"  warning {finding.message}")
        return lines


def _canonical(value) -> str:
    """35, 35.0 and 35.0000 are one value: a fingerprint must not tell them apart."""
    return _plain(value) if isinstance(value, Decimal) else repr(value)


def _fingerprint(writes) -> str:
    payload = [[repr(w.key), w.old, w.new, [(name, _canonical(v)) for name, v in w.new_values]]
               for w in writes]
    return hashlib.sha256(json.dumps(sorted(payload)).encode()).hexdigest()


def plan_import(content: bytes, filename: str) -> ImportPlan:
    """What importing the file would create and change. Writes nothing.
    Raises FileRefused when the file cannot be read at all."""
    rows = read_rows(content, filename)
    parsed = parse(rows, Measure.objects.all())
    plan = ImportPlan(filename=filename, sha256=hashlib.sha256(content).hexdigest(),
                      kind=rows.kind, sections=parsed.sections, parsed=parsed)
    _compare(plan, parsed)
    return plan


def _merge_facts(parsed: Parsed) -> dict[tuple, Fact]:
    """One fact per target row; the same figure stated twice is fine, two differing are not."""
    merged = {}
    for fact in parsed.facts:
        key = (fact.kind, fact.measure_id, *fact.key)
        other = merged.get(key)
        if other is None:
            merged[key] = fact
        elif not other.figure.same_as(fact.figure) or other.due != fact.due:
            parsed.error(fact.row, f"{fact.where} says {_figure_text(fact.figure)} but "
                                   f"{other.where} says {_figure_text(other.figure)} for the "
                                   "same figure.")
    return merged


def _compare(plan: ImportPlan, parsed: Parsed) -> None:
    measures = {m.pk: m for m in Measure.objects.all()}
    facts = _merge_facts(parsed)
    writes = []
    writes += _plan_monthly(facts, measures, plan.filename, parsed)
    writes += _plan_reference(facts, measures)
    _check_baseline_claims(parsed, measures)
    plan.rag_differences = _rag_differences(parsed, measures)
    order = list(SUBJECTS)
    plan.writes = sorted(writes, key=lambda w: (w.row, order.index(w.kind), repr(w.key)))
    plan.errors = list(parsed.errors)
    plan.warnings = list(parsed.warnings)


def _authority() -> ServiceArea | None:
    return ServiceArea.objects.filter(parent__isnull=True).first()


def _plan_monthly(facts, measures, filename, parsed) -> list[PlannedWrite]:
    monthly = [f for key, f in facts.items() if key[0] == MONTHLY]
    if not monthly:
        return []
    authority = _authority()
    if authority is None:
        parsed.error(None, "There is no authority-wide service area to import figures into: "
                           "create it first (the service area with no parent).")
        return []
    months = {f.key[0] for f in monthly}
    returns = {r.month: r for r in MonthlyReturn.objects.filter(area=authority, month__in=months)}
    values = {
        (v.monthly_return.month, v.measure_id): v
        for v in ReturnValue.objects.filter(monthly_return__in=returns.values())
        .select_related("monthly_return")
    }
    # Where service areas' approved returns carry the measure, the scorecard pools
    # theirs rather than showing the authority's own figure.
    area_figures = set(
        ReturnValue.objects.filter(
            monthly_return__month__in=months, monthly_return__area__parent__isnull=False,
            monthly_return__status=MonthlyReturn.Status.APPROVED,
        ).filter(Q(value__isnull=False) | Q(numerator__isnull=False)
                 | Q(denominator__isnull=False) | ~Q(not_applicable_reason=""))
        .values_list("monthly_return__month", "measure_id"))
    refused_months, pooled = set(), defaultdict(list)
    writes = []
    for fact in sorted(monthly, key=lambda f: (f.key[0], f.row)):
        month = fact.key[0]
        measure = measures[fact.measure_id]
        existing_return = returns.get(month)
        if existing_return and existing_return.status != MonthlyReturn.Status.APPROVED:
            if month not in refused_months:
                refused_months.add(month)
                parsed.error(fact.row, (
                    f"{fact.where}: the authority's return for {month:%B %Y} is "
                    f"{existing_return.get_status_display().lower()}, not approved. Figures "
                    "for that month can be imported only into an approved return (or when "
                    "there is none): approve or delete it first."))
            continue
        if (month, measure.pk) in area_figures:
            pooled[month].append(measure.title)
        value = values.get((month, fact.measure_id))
        if value is not None and (value.numerator is not None or value.denominator is not None):
            entered = engine.outturn(measure, engine.Figure(value.numerator, value.denominator,
                                                            value.value), None)
            shown = rag.round_to(entered, measure.decimal_places)
            if fact.figure.not_applicable or shown != rag.round_to(fact.figure.value,
                                                                   measure.decimal_places):
                parsed.error(fact.row, (
                    f"{fact.where}: {measure.title} for {month:%B %Y} was entered as counts "
                    f"({_number_text(value.numerator)} of {_number_text(value.denominator)}), "
                    f"giving {_number_text(shown)}; the file says "
                    f"{_figure_text(fact.figure, measure)}. Change the counts in the return "
                    "instead."))
            continue
        old = Figure(value.value, bool(value.not_applicable_reason)) if value else None
        if old is not None and old.same_as(fact.figure):
            continue
        reason = (f"n/a in {filename}"[:200]) if fact.figure.not_applicable else ""
        writes.append(PlannedWrite(
            action="change" if value is not None else "create",
            kind=MONTHLY, measure=measure.title, period=f"{month:%B %Y}",
            old=_figure_text(old, measure), new=_figure_text(fact.figure, measure),
            row=fact.row, key=(MONTHLY, measure.pk, month),
            new_values=(("value", fact.figure.value), ("not_applicable_reason", reason)),
        ))
    for month, titles in sorted(pooled.items()):
        parsed.warn(None, (
            f"{month:%B %Y}: service areas' approved returns give figures for "
            + ", ".join(sorted(set(titles))) + "; the scorecard pools those, so the imported "
            "authority figures will not show while they do."))
    return writes


def _plan_reference(facts, measures) -> list[PlannedWrite]:
    """Baselines, benchmarks and targets."""
    ids = {f.measure_id for f in facts.values()}
    baselines = {(b.measure_id, b.date): b for b in Baseline.objects.filter(measure_id__in=ids)}
    benchmarks = {(b.measure_id, b.comparator, b.year): b
                  for b in Benchmark.objects.filter(measure_id__in=ids)}
    targets = defaultdict(list)
    for target in Target.objects.filter(measure_id__in=ids).order_by("starts"):
        targets[(target.measure_id, target.kind)].append(target)
    writes = []
    for key, fact in facts.items():
        kind, measure = key[0], measures[fact.measure_id]
        new = fact.figure.value
        places = measure.decimal_places
        if kind == BASELINE:
            (when,) = fact.key
            old = baselines.get((measure.pk, when))
            if old is None or old.value != new:
                writes.append(PlannedWrite(
                    "change" if old else "create", BASELINE, measure.title, f"{when:%B %Y}",
                    _number_text(old.value if old else None, places), _number_text(new, places),
                    fact.row, (BASELINE, measure.pk, when),
                    (("value", new), ("label", fact.label[:120]))))
        elif kind == BENCHMARK:
            comparator, year = fact.key
            old = benchmarks.get((measure.pk, comparator, year))
            label = f"{COMPARATOR_LABELS[comparator]} {year}"
            if old is None or old.value != new:
                writes.append(PlannedWrite(
                    "change" if old else "create", BENCHMARK, measure.title, label,
                    _number_text(old.value if old else None, places), _number_text(new, places),
                    fact.row, (BENCHMARK, measure.pk, comparator, year), (("value", new),)))
        elif kind in (IN_YEAR, LONG_TERM):
            (first,) = fact.key
            in_force = None
            for target in targets[(measure.pk, kind)]:
                if target.starts <= (fact.current_month or first):
                    in_force = target
            if in_force and in_force.value == new and in_force.due == fact.due:
                continue
            writes.append(_target_write(kind, measure, fact, in_force, first))
    return writes


def _target_text(value, due, places) -> str:
    if value is None:
        return "–"
    return _number_text(value, places) + (f" by {due:%b %Y}" if due else "")


def _target_write(kind, measure, fact, in_force, first) -> PlannedWrite:
    """Change the target in force when it was set within the table's year; otherwise
    a new target from the table's first month."""
    places = measure.decimal_places
    old_text = _target_text(in_force.value, in_force.due, places) if in_force else "–"
    new_text = _target_text(fact.figure.value, fact.due, places)
    if in_force is not None and in_force.starts >= first:
        starts, action = in_force.starts, "change"
    else:
        starts, action = first, "create"
    return PlannedWrite(action, kind, measure.title, f"from {starts:%B %Y}", old_text, new_text,
                        fact.row, (kind, measure.pk, starts),
                        (("value", fact.figure.value), ("due", fact.due)))


def _check_baseline_claims(parsed, measures) -> None:
    for claim in parsed.baseline_claims:
        measure = measures[claim.measure_id]
        stored = Baseline.objects.filter(measure_id=claim.measure_id).order_by("-date").first()
        if stored is None:
            parsed.warn(claim.row, (
                f"Row {claim.row} '{_short(measure.title)}': the baseline "
                f"{_number_text(claim.value)} is not imported: the file does not say its "
                "date. Add it under Baselines."))
        elif rag.round_to(stored.value, 0) != rag.round_to(claim.value, 0):
            parsed.warn(claim.row, (
                f"Row {claim.row} '{_short(measure.title)}': the baseline "
                f"{_number_text(claim.value)} differs from the stored {stored.label} "
                f"({_number_text(stored.value)}); it is not imported because the file does "
                "not say its date."))


def _rag_differences(parsed, measures) -> list[RagDifference]:
    differences = []
    for claim in parsed.rag_claims:
        measure = measures[claim.measure_id]
        target = claim.target
        if target is None and claim.month is not None:
            in_force = (Target.objects.filter(measure=measure, kind=Target.Kind.IN_YEAR,
                                              starts__lte=claim.month)
                        .order_by("-starts").first())
            target = in_force.value if in_force else None
        outturn = rag.round_to(claim.outturn.value, measure.decimal_places)
        computed = rag.rate(outturn, target, measure.polarity, measure.tolerance,
                            measure.tolerance_kind, measure.green_band)
        if computed == claim.word:
            continue
        polarity = measure.get_polarity_display().lower()
        tolerance = (f"{_number_text(measure.tolerance)} points"
                     if measure.tolerance_kind == Measure.Tolerance.POINTS
                     else f"{_number_text(measure.tolerance)}% of the target")
        explanation = (f"{_figure_text(claim.outturn, measure)} against a target of "
                       f"{_number_text(target, measure.decimal_places)}; {polarity}; tolerance "
                       f"{tolerance}")
        difference = RagDifference(claim.row, measure.title, claim.text,
                                   formatting.RATING_WORDS[computed], explanation)
        differences.append(difference)
        parsed.warn(claim.row, (
            f"Row {claim.row} '{_short(measure.title)}': the file's RAG is {claim.text}, the "
            f"product rates it {difference.computed} ({explanation}). The file's rating is not "
            "imported: the scorecard shows the product's."))
    return differences


# --- applying the plan ----------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    changed: int
    months: list[date]


def apply_plan(*, plan: ImportPlan, user) -> ImportResult:
    """Write the plan in one transaction, audited with the file's name and the
    importer; queue a recalculation after commit. Re-plans under a lock first and
    refuses if anything changed since the plan was made."""
    if plan.errors:
        raise ImportRefused("The file has errors: nothing has been imported. Fix them and "
                            "upload it again.")
    if plan.parsed is None:
        raise ImportRefused("The plan has no figures to apply.")
    with transaction.atomic(), audit.context(user=user, action="import", source=plan.filename):
        engine.advisory_lock(IMPORT_LOCK_KEY)
        fresh = Parsed(facts=list(plan.parsed.facts), rag_claims=[], baseline_claims=[])
        check = ImportPlan(plan.filename, plan.sha256, plan.kind, plan.sections)
        _compare(check, fresh)
        if check.errors or check.fingerprint != plan.fingerprint:
            raise ImportRefused("The stored figures changed after the preview was made: "
                                "nothing has been imported. Upload the file again to see "
                                "what it would change now.")
        if not plan.writes:
            return ImportResult(0, 0, [])
        _write(plan, user)
        transaction.on_commit(_queue_recalculation)
    logger.info("Imported %s for %s: %s created, %s changed", plan.filename, user,
                len(plan.creates), len(plan.changes))
    return ImportResult(len(plan.creates), len(plan.changes), plan.months)


def _queue_recalculation():
    from .tasks import queue_recalculation

    queue_recalculation(trigger="import")


def _write(plan: ImportPlan, user) -> None:
    now = timezone.now()
    by_kind = defaultdict(list)
    for write in plan.writes:
        by_kind[write.kind].append(write)

    if by_kind[MONTHLY]:
        authority = ServiceArea.objects.get(parent__isnull=True)
        months = {w.key[2] for w in by_kind[MONTHLY]}
        returns = {r.month: r for r in MonthlyReturn.objects.select_for_update()
                   .filter(area=authority, month__in=months)}
        for month in sorted(months):
            monthly_return = returns.get(month)
            if monthly_return is None:
                returns[month] = MonthlyReturn.objects.create(
                    area=authority, month=month, status=MonthlyReturn.Status.APPROVED,
                    source=plan.filename[:200], approved_by=user, approved_at=now,
                    updated_by=user)
                continue
            if monthly_return.status != MonthlyReturn.Status.APPROVED:
                # Checked under the row lock: an open return is someone's work in progress
                # (or was reopened since the preview); the workflow owns it.
                raise ImportRefused(
                    f"The authority's return for {month:%B %Y} is "
                    f"{monthly_return.get_status_display().lower()}: nothing has been "
                    "imported. Finish it through its own page, or leave that month out of "
                    "the file.")
            if monthly_return.submitted_by_id == user.pk:
                raise ImportRefused(f"You submitted the authority's return for {month:%B %Y}: "
                                    "another performance officer must import figures into it.")
            monthly_return.source = plan.filename[:200]
            monthly_return.approved_by, monthly_return.approved_at = user, now
            monthly_return.updated_by = user
            monthly_return.version += 1
            monthly_return.save(update_fields=["source", "approved_by", "approved_at",
                                               "updated_by", "version", "updated_at"])
        values = {(v.monthly_return.month, v.measure_id): v for v in ReturnValue.objects
                  .filter(monthly_return__in=returns.values()).select_related("monthly_return")}
        created, changed = [], []
        for write in by_kind[MONTHLY]:
            _, measure_id, month = write.key
            fields = dict(write.new_values)
            value = values.get((month, measure_id))
            if value is None:
                created.append(ReturnValue(monthly_return=returns[month], measure_id=measure_id,
                                           **fields))
            else:
                for name, new in fields.items():
                    setattr(value, name, new)
                changed.append(value)
        ReturnValue.objects.bulk_create(created)
        ReturnValue.objects.bulk_update(changed, ["value", "not_applicable_reason"])

    for write in by_kind[BASELINE]:
        _, measure_id, when = write.key
        fields = dict(write.new_values)
        baseline = Baseline.objects.filter(measure_id=measure_id, date=when).first()
        if baseline is None:
            Baseline.objects.create(measure_id=measure_id, date=when, **fields)
        else:  # the label people gave it stays
            baseline.value = fields["value"]
            baseline.save(update_fields=["value"])
    for write in by_kind[BENCHMARK]:
        _, measure_id, comparator, year = write.key
        Benchmark.objects.update_or_create(
            measure_id=measure_id, comparator=comparator, year=year,
            defaults={"value": dict(write.new_values)["value"]},
            create_defaults={"value": dict(write.new_values)["value"],
                             "source": plan.filename[:200]})
    for kind in (IN_YEAR, LONG_TERM):
        for write in by_kind[kind]:
            _, measure_id, starts = write.key
            fields = dict(write.new_values)
            Target.objects.update_or_create(
                measure_id=measure_id, kind=kind, starts=starts,
                defaults={"value": fields["value"], "due": fields["due"]})
