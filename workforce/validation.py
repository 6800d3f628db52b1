"""Checks on the staffing figures a team manager typed, one small named rule each.

Like `scorecard.validation`: every rule takes the typed section and returns
findings with a code, a message and the field it concerns; no ORM. A hard
finding stops the whole return being saved, so nothing is half-saved.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from scorecard import limits
from scorecard.validation import (
    HARD,
    NEGATIVE,
    NOT_A_NUMBER,
    TOO_MANY_DECIMALS,
    TOO_MANY_DIGITS,
    Finding,
    read_figure,
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # as the form shows it
    noun: str  # as a message names it, mid-sentence
    places: int


FIGURE, COUNT = limits.STAFFING_FIGURE.places, limits.STAFFING_COUNT.places
FIELDS = [
    FieldSpec(
        "fte_in_post",
        "Qualified social workers in post (FTE)",
        "FTE of qualified social workers in post",
        FIGURE,
    ),
    FieldSpec(
        "headcount_in_post",
        "Qualified social workers in post (headcount)",
        "headcount of qualified social workers in post",
        COUNT,
    ),
    FieldSpec("establishment_fte", "Establishment (FTE)", "establishment FTE", FIGURE),
    FieldSpec("vacancies_fte", "Vacancies (FTE)", "vacancies FTE", FIGURE),
    FieldSpec("agency_fte", "Agency qualified social workers (FTE)", "agency FTE", FIGURE),
    FieldSpec("starters_fte", "Starters in the month (FTE)", "starters FTE", FIGURE),
    FieldSpec("leavers_fte", "Leavers in the month (FTE)", "leavers FTE", FIGURE),
    FieldSpec("days_available", "Working days available", "working days available", FIGURE),
    FieldSpec(
        "days_lost", "Working days lost to sickness", "working days lost to sickness", FIGURE
    ),
    FieldSpec(
        "open_cases", "Open cases held by qualified social workers", "number of open cases", COUNT
    ),
]


@dataclass
class StaffingEntry:
    """The staffing section as typed: field name -> text."""

    typed: dict[str, str]
    parsed: dict[str, Decimal] = field(default_factory=dict)  # filled by `parse`

    def text(self, name: str) -> str:
        return (self.typed.get(name) or "").strip()


# --- hard errors -----------------------------------------------------------


def parse(entry: StaffingEntry) -> list[Finding]:
    """Not a number, negative, too many decimals or digits. Fills `entry.parsed`."""
    findings = []
    for spec in FIELDS:
        text = entry.text(spec.name)
        if not text:
            continue
        example = "like 12" if spec.places == 0 else "like 12 or 12.5"
        number, problem = read_figure(text, places=spec.places, bound=limits.STAFFING_BOUND)
        message = {
            NOT_A_NUMBER: f"Enter the {spec.noun} as a number, {example}",
            NEGATIVE: f"The {spec.noun} cannot be negative",
            TOO_MANY_DIGITS: f"The {spec.noun} must be less than {limits.STAFFING_BOUND:,}",
            TOO_MANY_DECIMALS: f"Enter the {spec.noun} as "
            + (
                "a whole number"
                if spec.places == 0
                else f"a number with no more than {spec.places} decimal places"
            ),
        }.get(problem)
        if message:
            findings.append(Finding(problem, message, spec.name, HARD))
        else:
            entry.parsed[spec.name] = number
    return findings


def days_lost_within_available(entry: StaffingEntry) -> list[Finding]:
    lost, available = entry.parsed.get("days_lost"), entry.parsed.get("days_available")
    if lost is not None and available is not None and lost > available:
        return [
            Finding(
                "days_lost_above_available",
                "The working days lost to sickness cannot be more than the working days available",
                "days_lost",
                HARD,
            )
        ]
    return []


def leavers_within_headcount_and_starters(entry: StaffingEntry) -> list[Finding]:
    leavers = entry.parsed.get("leavers_fte")
    in_post, starters = entry.parsed.get("fte_in_post"), entry.parsed.get("starters_fte")
    if None not in (leavers, in_post, starters) and leavers > in_post + starters:
        return [
            Finding(
                "leavers_above_headcount",
                "The leavers FTE cannot be more than the FTE in post plus the starters FTE",
                "leavers_fte",
                HARD,
            )
        ]
    return []


def fte_within_headcount(entry: StaffingEntry) -> list[Finding]:
    fte, headcount = entry.parsed.get("fte_in_post"), entry.parsed.get("headcount_in_post")
    if fte is not None and headcount is not None and fte > headcount:
        return [
            Finding(
                "fte_above_headcount",
                "The FTE in post cannot be more than the headcount in post: each person "
                "works at most 1 FTE",
                "fte_in_post",
                HARD,
            )
        ]
    return []


def vacancies_within_establishment(entry: StaffingEntry) -> list[Finding]:
    vacancies, establishment = (
        entry.parsed.get("vacancies_fte"),
        entry.parsed.get("establishment_fte"),
    )
    if vacancies is not None and establishment is not None and vacancies > establishment:
        return [
            Finding(
                "vacancies_above_establishment",
                "The vacancies FTE cannot be more than the establishment FTE",
                "vacancies_fte",
                HARD,
            )
        ]
    return []


def complete_on_submit(entry: StaffingEntry) -> list[Finding]:
    return [
        Finding(
            "missing",
            f"Enter the {spec.noun} before you submit (0 if there are none)",
            spec.name,
            HARD,
        )
        for spec in FIELDS
        if spec.name not in entry.parsed and not entry.text(spec.name)
    ]


RULES: list[Callable[[StaffingEntry], list[Finding]]] = [
    days_lost_within_available,
    leavers_within_headcount_and_starters,
    fte_within_headcount,
    vacancies_within_establishment,
]


def check(entry: StaffingEntry, *, submitting: bool) -> list[Finding]:
    """Every finding for the section. A draft may leave figures blank; a
    submitted return needs them all."""
    findings = parse(entry)
    for rule in RULES:
        findings += rule(entry)
    if submitting:
        findings += complete_on_submit(entry)
    return findings
