"""Reading an Annex A workbook: its bytes, in memory, to the lists' rows as
plain values (dates, yes/no, counts, codes, the allocated team).

Read as a person reads an export: the list sheets in any order and named
loosely ("List 3", "L3 Referrals", "Annex A List 8 - Children in care"), the
headers matched by their normalised names with the variants the guidance and
the case-management systems use, coded values with their prefixes ("a) Male",
"b) No", "F1: Full time in higher education"), Excel dates and dates typed as
text, blanks, `#N/A`, non-breaking spaces, formula cells (their cached value)
and extra columns (ignored).

Nothing here is kept, logged or put in a message but counts, list numbers,
column names and row numbers: never a cell's value (see the README, "Annex A").
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings

from scorecard.importing.reading import size_text, zip_contents

# --- what each list holds ----------------------------------------------------

ID, DATE, YESNO, COUNT, CODE, TEXT, SUITABLE = (
    "id",
    "date",
    "yes/no",
    "count",
    "code",
    "text",
    "suitable",
)


@dataclass(frozen=True)
class Column:
    field: str  # the name the derivations use
    kind: str
    headings: tuple[str, ...]  # the guidance's heading first, then variants


def _col(name, kind, *headings):
    return Column(name, kind, headings)


TEAM = _col("team", TEXT, "Allocated Team", "Team", "Allocated team name", "Responsible team")
CHILD = _col(
    "child_id",
    ID,
    "Child Unique ID",
    "Child ID",
    "Unique ID",
    "Person ID",
    "Child unique identifier",
)

# Headings of Ofsted's Annex A guidance (ILACS, "Annex A: the child-level lists"),
# with the variants exports carry. See tests/data/annexa/README.md.
LISTS: dict[int, tuple[str, tuple[Column, ...]]] = {
    3: (
        "Referrals",
        (
            CHILD,
            _col("referral_date", DATE, "Date of Referral", "Referral Date", "Referral start date"),
            _col(
                "nfa",
                YESNO,
                "Referral NFA?",
                "Referral NFA",
                "Referral resulting in NFA",
                "No further action",
            ),
            _col(
                "previous_referrals",
                COUNT,
                "Number of Referrals in Last 12 Months",
                "Number of previous referrals in last 12 months",
                "Referrals in last 12 months",
                "Previous referrals within 12 months",
            ),
            TEAM,
        ),
    ),
    4: (
        "Assessments",
        (
            CHILD,
            _col(
                "assessment_start",
                DATE,
                "Continuous Assessment Start Date",
                "Assessment start date",
                "Date assessment started",
                "Start date of assessment",
                "Start date",
            ),
            _col(
                "child_seen",
                YESNO,
                "Child Seen During Continuous Assessment",
                "Child seen during assessment",
                "Child seen",
                "Was the child seen?",
            ),
            _col(
                "assessment_authorised",
                DATE,
                "Continuous Assessment Date of Authorisation",
                "Date of authorisation",
                "Assessment authorisation date",
                "Date assessment authorised",
                "Assessment completed date",
                "Date of authorisation of assessment",
            ),
            TEAM,
        ),
    ),
    5: (
        "Section 47 enquiries and ICPCs",
        (
            CHILD,
            _col(
                "strategy_date",
                DATE,
                "Strategy discussion initiating Section 47 Enquiry Start Date",
                "Strategy discussion initiating S47",
                "Strategy discussion initiating Section 47",
                "Date of strategy discussion",
                "Strategy discussion date",
                "Section 47 start date",
                "S47 start date",
            ),
            _col(
                "icpc_date",
                DATE,
                "Date of Initial Child Protection Conference",
                "Date of ICPC",
                "ICPC date",
                "Initial child protection conference date",
            ),
            TEAM,
        ),
    ),
    6: (
        "Children in need",
        (
            CHILD,
            _col(
                "cin_start",
                DATE,
                "CIN Start Date",
                "Child in need start date",
                "Date CIN episode started",
                "Case start date",
                "Start date of CIN episode",
            ),
            _col(
                "cin_end",
                DATE,
                "CIN Closure Date",
                "CIN end date",
                "Child in need end date",
                "Case closure date",
                "Date CIN episode ended",
            ),
            TEAM,
        ),
    ),
    7: (
        "Child protection plans",
        (
            CHILD,
            _col(
                "cp_start",
                DATE,
                "Child Protection Plan Start Date",
                "CP plan start date",
                "Plan start date",
                "Start date of CP plan",
            ),
            _col(
                "cp_last_visit",
                DATE,
                "Date of last statutory visit",
                "Last statutory visit",
                "Date of last visit",
                "Last statutory visit date",
            ),
            _col(
                "cp_end",
                DATE,
                "Child Protection Plan End Date",
                "CP plan end date",
                "Plan end date",
                "End date of CP plan",
                "Date plan ended",
            ),
            _col(
                "previous_plans",
                COUNT,
                "Number of Previous Child Protection Plans",
                "Number of previous CP plans",
                "Previous CP plans",
                "Number of previous plans",
            ),
            TEAM,
        ),
    ),
    8: (
        "Children in care",
        (
            CHILD,
            _col(
                "cla_start",
                DATE,
                "Date started to be looked after",
                "Date period of care commenced",
                "Date became looked after",
                "Start date of period of care",
                "CLA start date",
                "Date entered care",
            ),
            _col(
                "cla_end",
                DATE,
                "Date ceased to be looked after",
                "Date period of care ended",
                "CLA end date",
                "Date left care",
            ),
            _col(
                "placements_12m",
                COUNT,
                "Number of placements in the last 12 months",
                "Number of placements in last 12 months",
                "Placements in last 12 months",
                "Number of placement moves in last 12 months",
            ),
            _col(
                "cla_last_visit",
                DATE,
                "Date of last statutory visit",
                "Last statutory visit",
                "Date of last visit",
            ),
            _col(
                "health_check",
                DATE,
                "Date of last health assessment",
                "Date of latest health assessment",
                "Last health assessment",
                "Health check date",
                "Date of last health check",
            ),
            _col(
                "dental_check",
                DATE,
                "Date of last dental check",
                "Date of latest dental check",
                "Last dental check",
                "Dental check date",
            ),
            TEAM,
        ),
    ),
    9: (
        "Care leavers",
        (
            CHILD,
            _col(
                "in_touch",
                YESNO,
                "Is the LA in touch with the care leaver?",
                "In touch",
                "LA in touch",
                "In touch with care leaver",
                "Is the local authority in touch with the care leaver?",
            ),
            _col(
                "suitable",
                SUITABLE,
                "Is the accommodation suitable?",
                "Accommodation suitability",
                "Suitability of accommodation",
                "Suitable accommodation",
                "Does the care leaver live in suitable accommodation?",
            ),
            _col(
                "activity",
                CODE,
                "Activity",
                "Main activity",
                "Care leaver activity",
                "Education, employment or training activity",
            ),
            TEAM,
        ),
    ),
}

BLANKS = {"", "#n/a", "n/a", "na", "#ref!", "#value!", "#name?", "#div/0!", "-", "null", "none"}
NBSP = "\u00a0"
SHEET_NUMBER = re.compile(r"(?:^|[^a-z])(?:list|l)\s*0?(\d{1,2})(?![0-9])")
CODE_PREFIX = re.compile(r"^\s*([a-z0-9]{1,3})\s*[):.\-]\s*", re.IGNORECASE)
TEXT_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?$")
EXCEL_EPOCH = date(1899, 12, 30)
HEADER_ROWS_SEARCHED = 10


def normalised(text) -> str:
    """A heading as compared: letters and digits in lower case, single spaces."""
    text = str(text or "").replace(NBSP, " ").casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; the message says why, without its content."""


# --- cells to values ---------------------------------------------------------


def _text(raw) -> str:
    return str(raw).replace(NBSP, " ").strip()


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and _text(raw).casefold() in BLANKS)


def read_date(raw) -> date | None:
    """A date from a date cell, an Excel serial number or text (dd/mm/yyyy,
    yyyy-mm-dd, '3 November 2026'); None if it is none of these."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1 <= raw < 2_958_466:  # 1900 to 9999
            return EXCEL_EPOCH + timedelta(days=int(raw))
        return None
    text = _text(raw)
    if match := TEXT_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
        return _valid(year, month, day)
    if match := ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _valid(year, month, day)
    for pattern in ("%d %B %Y", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %b %y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _valid(year, month, day) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _unprefixed(text: str) -> str:
    """'b) No' -> 'No'; 'F1: Full time...' -> 'Full time...'."""
    return CODE_PREFIX.sub("", text, count=1).strip()


def read_yes_no(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return {1: True, 0: False}.get(raw)
    text = _text(raw).casefold()
    for candidate in (text, _unprefixed(text)):
        if candidate in {"y", "yes", "true", "1"}:
            return True
        if candidate in {"n", "no", "false", "0"}:
            return False
        if candidate.startswith("yes"):
            return True
        if candidate.startswith("no ") or candidate.startswith("no,") or candidate == "no":
            return False
    return None


def read_suitable(raw) -> bool | None:
    text = _text(raw).casefold()
    if "unsuitable" in text or "not suitable" in text:
        return False
    if "suitable" in text:
        return True
    return read_yes_no(raw)


def read_count(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw >= 0 else None
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() and raw >= 0 else None
    text = _unprefixed(_text(raw)) if not _text(raw).isdigit() else _text(raw)
    if text.endswith("+"):
        text = text[:-1]
    return int(text) if text.isdigit() else None


def read_code(raw) -> str | None:
    """The code of a coded value: 'F1: Full time in higher education' -> 'F1';
    a bare code ('G6') as it is."""
    text = _text(raw)
    match = re.match(r"^\s*([A-Za-z]\d{1,2})\b", text)
    if match:
        return match.group(1).upper()
    return text.upper() or None


def read_text(raw) -> str | None:
    text = " ".join(_text(raw).split())
    return text or None


READERS = {
    ID: read_text,
    TEXT: read_text,
    DATE: read_date,
    YESNO: read_yes_no,
    COUNT: read_count,
    CODE: read_code,
    SUITABLE: read_suitable,
}


# --- the workbook ------------------------------------------------------------


@dataclass
class ListRows:
    number: int
    sheet: str
    columns: set[str]  # the fields found
    rows: list[dict]
    # {field: how many cells could not be read} (the value is never kept)
    unreadable: Counter = field(default_factory=Counter)


@dataclass
class Workbook:
    lists: dict[int, ListRows]
    ignored_sheets: list[str]
    notes: list[str]  # about the whole file, e.g. a list given twice

    def row_count(self) -> int:
        return sum(len(rows.rows) for rows in self.lists.values())


def max_bytes() -> int:
    return settings.ANNEXA_MAX_BYTES


def list_number(sheet_name: str) -> int | None:
    """The Annex A list a sheet holds, from its name: 'List 3', 'L3 Referrals',
    'Annex A List 8 - Children in care'; None for any other sheet."""
    match = SHEET_NUMBER.search(normalised(sheet_name))
    if match and int(match.group(1)) in range(1, 12):
        return int(match.group(1))
    return None


def _open(content: bytes):
    import openpyxl

    if not content:
        raise WorkbookRefused("The file is empty.")
    if len(content) > max_bytes():
        raise WorkbookRefused(
            f"The file is {size_text(len(content))}: the largest Annex A workbook that can be "
            f"read is {size_text(max_bytes())}."
        )
    archive = zip_contents(content)
    names, expanded = archive or (set(), 0)
    if "xl/workbook.xml" not in names:
        raise WorkbookRefused(
            "The file is not an Excel workbook (.xlsx): save the lists from Excel as .xlsx."
        )
    if expanded > 20 * max_bytes():
        raise WorkbookRefused(
            f"The workbook expands to {size_text(expanded)} when opened: too large to read."
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise WorkbookRefused(
            f"The workbook cannot be opened ({type(error).__name__}). Open it in Excel, "
            "save it as .xlsx and upload it again."
        ) from error


def _header(rows: list[tuple], columns: tuple[Column, ...]):
    """(index of the header row, {field: column index}) or (None, {})."""
    wanted = {
        normalised(heading): column.field for column in columns for heading in column.headings
    }
    best = (None, {})
    for index, cells in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        found = {}
        for position, cell in enumerate(cells):
            name = wanted.get(normalised(cell))
            if name is not None and name not in found:
                found[name] = position
        if len(found) > len(best[1]):
            best = (index, found)
    return best if len(best[1]) >= 2 else (None, {})


def _read_list(number: int, sheet) -> ListRows:
    _, columns = LISTS[number]
    kinds = {column.field: column.kind for column in columns}
    iterator = sheet.iter_rows(values_only=True)
    head = []
    for cells in iterator:
        head.append(cells)
        if len(head) == HEADER_ROWS_SEARCHED:
            break
    at, positions = _header(head, columns)
    result = ListRows(number, sheet.title, set(positions), [])
    if at is None:
        return result
    readers = [(name, position, READERS[kinds[name]]) for name, position in positions.items()]

    def rows():
        yield from head[at + 1 :]
        yield from iterator

    for cells in rows():
        if cells is None or all(is_blank(cell) for cell in cells):
            continue
        row = {}
        for name, position, reader in readers:
            raw = cells[position] if position < len(cells) else None
            if is_blank(raw):
                row[name] = None
                continue
            value = reader(raw)
            if value is None:
                result.unreadable[name] += 1
            row[name] = value
        result.rows.append(row)
    return result


def read_workbook(content: bytes) -> Workbook:
    """The lists the workbook holds, by their number; `WorkbookRefused` if it is
    not a workbook that can be read. Held in memory only."""
    workbook = _open(content)
    try:
        lists, ignored, notes = {}, [], []
        for sheet in workbook.worksheets:
            number = list_number(sheet.title)
            if number not in LISTS:
                ignored.append(sheet.title)
                continue
            if number in lists:
                notes.append(
                    f"List {number} is on two sheets ({lists[number].sheet} and {sheet.title}): "
                    f"only {lists[number].sheet} is read."
                )
                continue
            lists[number] = _read_list(number, sheet)
        return Workbook(lists, ignored, notes)
    finally:
        workbook.close()
