"""Counting the library's measures from the Annex A lists, by the derivations
in `derivations.json` (data, one entry per measure, no code per measure).

Plain functions, no database: rows in (from `reading`), counts out, per month
of the window, per allocated team (as written in the lists) and for the
authority (every row). Working days from `scorecard.workdays`, the product's
one calendar. Only counts leave this module.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scorecard import aggregation, workdays

from . import reading

DERIVATIONS_FILE = Path(__file__).resolve().parent / "derivations.json"
AUTHORITY = ""  # the team key of the authority's figures: every row, whatever its team
WINDOW_MONTHS = 12
ROW_KINDS = ("in_month", "open_at_month_end", "open_at_extract", "at_extract")


@dataclass(frozen=True)
class Derivation:
    measure: str
    list: int
    rows: dict
    numerator: dict | None = None
    note: str = ""

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None

    def fields(self) -> set[str]:
        return _fields(self.rows) | _fields(self.numerator or {})


def _fields(condition: dict) -> set[str]:
    found = set()
    for kind, argument in condition.items():
        if kind == "all":
            for part in argument:
                found |= _fields(part)
        elif kind in ("in_month", "present"):
            found.add(argument)
        elif kind in ("open_at_month_end", "open_at_extract"):
            found |= set(argument)
        elif kind in ("is", "at_least", "code_in"):
            found.add(argument[0])
        elif kind == "within_working_days":
            found |= set(argument[:2])
    return found


@functools.cache
def derivations() -> tuple[Derivation, ...]:
    data = json.loads(DERIVATIONS_FILE.read_text(encoding="utf-8"))
    return tuple(Derivation(**entry) for entry in data["derivations"])


# --- conditions ----------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _working_days(start: date, end: date) -> int:
    return workdays.working_days_between(start, end)


def meets(condition: dict, row: dict) -> bool:
    """Whether a row meets a numerator condition (absent or blank values do not)."""
    for kind, argument in condition.items():
        if kind == "all":
            if not all(meets(part, row) for part in argument):
                return False
        elif kind == "is":
            if row.get(argument[0]) is not argument[1]:
                return False
        elif kind == "at_least":
            value = row.get(argument[0])
            if value is None or value < argument[1]:
                return False
        elif kind == "present":
            if row.get(argument) is None:
                return False
        elif kind == "code_in":
            if row.get(argument[0]) not in argument[1]:
                return False
        elif kind == "within_working_days":
            start, end = row.get(argument[0]), row.get(argument[1])
            if start is None or end is None or end < start:
                return False
            if _working_days(start, end) > argument[2]:
                return False
        else:
            raise ValueError(f"unknown condition {kind!r}")
    return True


def months_counted(rows: dict, row: dict, months: list[date], ends=None) -> list[date]:
    """The months of the window (first days) a row counts in; `ends`: the
    months' last days, [(month, last day)], when the caller has them at hand."""
    ((kind, argument),) = rows.items()
    if kind == "in_month":
        when = row.get(argument)
        if when is None:
            return []
        month = when.replace(day=1)
        return [month] if months[0] <= month <= months[-1] else []
    if kind == "at_extract":
        return [months[-1]]
    start, end = (row.get(name) for name in argument)
    if start is None:
        return []
    if ends is None:
        ends = [(month, workdays.month_end(month)) for month in months]
    candidates = ends[-1:] if kind == "open_at_extract" else ends
    return [month for month, last in candidates if start <= last and (end is None or end > last)]


# --- the window --------------------------------------------------------------


def window(extracted_on: date, workbook: reading.Workbook) -> list[date]:
    """The whole months the lists describe: up to 12 ending with the month before
    the extract's, starting no earlier than the first month any referral,
    assessment or enquiry falls in (the month-end stocks go back as far)."""
    last = aggregation.add_months(extracted_on.replace(day=1), -1)
    first_allowed = aggregation.add_months(last, -(WINDOW_MONTHS - 1))
    earliest = last
    for number, name in ((3, "referral_date"), (4, "assessment_authorised"), (5, "strategy_date")):
        for row in workbook.lists.get(number, reading.ListRows(number, "", set(), [])).rows:
            when = row.get(name)
            if when is not None and when.replace(day=1) < earliest:
                earliest = when.replace(day=1)
    start = max(earliest, first_allowed)
    months, month = [], start
    while month <= last:
        months.append(month)
        month = aggregation.add_months(month, 1)
    return months


# --- the counts --------------------------------------------------------------


@dataclass
class Counts:
    """What the lists give: {(measure code, team key, month): [numerator, denominator]}
    (the denominator None for a count), and why any derivation gave nothing."""

    months: list[date]
    figures: dict = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)  # code -> why
    teams: Counter = field(default_factory=Counter)  # team as written -> rows


def team_key(row: dict) -> str:
    return _key(row.get("team") or "")


@functools.lru_cache(maxsize=4096)
def _key(team: str) -> str:
    return reading.normalised(team)


def missing(derivation: Derivation, workbook: reading.Workbook) -> str:
    """Why the workbook cannot give this derivation ('' when it can)."""
    rows = workbook.lists.get(derivation.list)
    title = reading.LISTS[derivation.list][0]
    if rows is None:
        return f"List {derivation.list} ({title}) is not in the workbook."
    absent = sorted(derivation.fields() - rows.columns)
    if absent:
        headings = {c.field: c.headings[0] for c in reading.LISTS[derivation.list][1]}
        names = ", ".join(f"'{headings[name]}'" for name in absent)
        return f"List {derivation.list} ({title}) has no column {names}."
    return ""


def count(workbook: reading.Workbook, extracted_on: date, wanted=None) -> Counts:
    """Every derivation (or those of the codes in `wanted`) counted per team and
    month, and for the authority (every row). A derivation whose list or column
    is missing gives no figures at all, never zeros."""
    months = window(extracted_on, workbook)
    ends = [(month, workdays.month_end(month)) for month in months]
    counts = Counts(months)
    for derivation in derivations():
        if wanted is not None and derivation.measure not in wanted:
            continue
        why = missing(derivation, workbook)
        if why:
            counts.unavailable[derivation.measure] = why
            continue
        tally = defaultdict(lambda: [0, 0])
        for row in workbook.lists[derivation.list].rows:
            counted = months_counted(derivation.rows, row, months, ends)
            if not counted:
                continue
            hit = meets(derivation.numerator, row) if derivation.is_ratio else True
            team = team_key(row)
            for month in counted:
                for key in (team, AUTHORITY) if team != AUTHORITY else (AUTHORITY,):
                    figures = tally[(key, month)]
                    figures[0] += hit
                    figures[1] += 1
        teams = {team_key(row) for row in workbook.lists[derivation.list].rows} | {AUTHORITY}
        as_at_extract = next(iter(derivation.rows)) in ("open_at_extract", "at_extract")
        for team in teams:
            for month in months[-1:] if as_at_extract else months:
                numerator, rows = tally.get((team, month), (0, 0))
                counts.figures[(derivation.measure, team, month)] = (
                    (numerator, rows) if derivation.is_ratio else (rows, None)
                )
    for rows in workbook.lists.values():
        for row in rows.rows:
            counts.teams[" ".join(str(row.get("team") or "").split())] += 1
    return counts
