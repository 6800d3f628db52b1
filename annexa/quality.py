"""Data-quality findings from the Annex A lists: what a careful officer would
query before trusting the figures. Counted per allocated team (and for the
authority) with a code and a message, as the validation rules are; the child's
details never leave this module, only how many.

Plain functions, no database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from . import reading
from .derivations import AUTHORITY, team_key

REFERRAL_AFTER_ASSESSMENT = "referral_after_assessment"
ICPC_BEFORE_STRATEGY = "icpc_before_strategy"
CHILD_IN_TWO_TEAMS = "child_in_two_teams"
ENDS_BEFORE_START = "ends_before_start"
FUTURE_DATE = "future_date"

MESSAGES = {
    REFERRAL_AFTER_ASSESSMENT: "an assessment started before the child's referral (List 3 and 4)",
    ICPC_BEFORE_STRATEGY: "an initial child protection conference is dated before the strategy "
    "discussion (List 5)",
    CHILD_IN_TWO_TEAMS: "a child is allocated to two teams in the lists",
    ENDS_BEFORE_START: "a plan, episode or period of care ends before it starts (List 6, 7 or 8)",
    FUTURE_DATE: "a date is after the day the lists were extracted",
}

PERIODS = {6: ("cin_start", "cin_end"), 7: ("cp_start", "cp_end"), 8: ("cla_start", "cla_end")}


@dataclass(frozen=True)
class Finding:
    code: str
    count: int

    @property
    def message(self) -> str:
        return MESSAGES[self.code]

    def sentence(self) -> str:
        times = "1 time" if self.count == 1 else f"{self.count:,} times"
        return f"{self.message[0].upper()}{self.message[1:]}: {times}."


def _rows(workbook, number):
    found = workbook.lists.get(number)
    return found.rows if found else []


def findings(workbook: reading.Workbook, extracted_on: date) -> dict[str, list[Finding]]:
    """{team key (AUTHORITY for all): [Finding]}, each code once with its count."""
    tally: dict[str, Counter] = defaultdict(Counter)

    def add(code, *teams):
        for team in {*teams, AUTHORITY}:
            tally[team][code] += 1

    first_referral: dict[str, date] = {}
    for row in _rows(workbook, 3):
        child, when = row.get("child_id"), row.get("referral_date")
        if child and when and (child not in first_referral or when < first_referral[child]):
            first_referral[child] = when
    for row in _rows(workbook, 4):
        started, child = row.get("assessment_start"), row.get("child_id")
        if started and child in first_referral and first_referral[child] > started:
            add(REFERRAL_AFTER_ASSESSMENT, team_key(row))
    for row in _rows(workbook, 5):
        strategy, icpc = row.get("strategy_date"), row.get("icpc_date")
        if strategy and icpc and icpc < strategy:
            add(ICPC_BEFORE_STRATEGY, team_key(row))
    for number, (start, end) in PERIODS.items():
        for row in _rows(workbook, number):
            if row.get(start) and row.get(end) and row[end] < row[start]:
                add(ENDS_BEFORE_START, team_key(row))
    teams_of: dict[str, set[str]] = defaultdict(set)
    for rows in workbook.lists.values():
        for row in rows.rows:
            if any(isinstance(value, date) and value > extracted_on for value in row.values()):
                add(FUTURE_DATE, team_key(row))
            child, team = row.get("child_id"), team_key(row)
            if child and team:
                teams_of[child].add(team)
    for teams in teams_of.values():
        if len(teams) > 1:
            add(CHILD_IN_TWO_TEAMS, *teams)
    return {
        team: [Finding(code, count) for code, count in sorted(codes.items())]
        for team, codes in tally.items()
    }


def unreadable(workbook: reading.Workbook) -> list[str]:
    """Sentences for the cells that could not be read (counted as blank)."""
    sentences = []
    for number, rows in sorted(workbook.lists.items()):
        headings = {c.field: c.headings[0] for c in reading.LISTS[number][1]}
        for name, how_many in sorted(rows.unreadable.items()):
            values = "1 value" if how_many == 1 else f"{how_many:,} values"
            sentences.append(
                f"List {number}, '{headings[name]}': {values} could not be read and "
                "counted as blank."
            )
    return sentences
