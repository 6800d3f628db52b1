"""Checks on what a person typed into a return, one small named rule each.

Hard errors stop the save and nothing is written. Soft checks ask for a
commentary before the return can be submitted. Every rule returns findings
with a code, a message and the field it concerns; no ORM here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from . import figures, limits, numbers, periods, rag
from .text import is_blank

NUMERATOR, DENOMINATOR, VALUE, COMMENTARY = "numerator", "denominator", "value", "commentary"
HARD, SOFT = "hard", "soft"


@dataclass(frozen=True)
class MeasureRules:
    """What the checks need to know of a measure."""

    title: str
    entry: str  # ratio / count / value
    unit: str
    decimal_places: int
    polarity: str
    tolerance: Decimal
    tolerance_kind: str
    change_threshold_percent: Decimal
    green_band: Decimal = Decimal(0)
    frequency: str = periods.MONTHLY


@dataclass
class Entry:
    """One measure's line of a return, as typed, with the context the checks need."""

    measure: MeasureRules
    numerator: str = ""
    denominator: str = ""
    value: str = ""
    not_applicable_reason: str = ""
    commentary: str = ""
    # the last period's figure (last month's; last quarter's for a quarterly
    # measure: `periods.previous_due`), comparable with this one's
    previous: Decimal | None = None
    history: list[Decimal] = field(default_factory=list)  # the last 12 months' figures
    target: Decimal | None = None
    parsed: dict = field(default_factory=dict)  # field -> Decimal, filled by `parse`

    def fields(self) -> list[str]:
        return figures.entry_fields(self.measure.entry)

    def figure(self) -> Decimal | None:
        """The comparable figure as typed (`figures.comparable`)."""
        typed = figures.Figure(
            self.parsed.get(NUMERATOR), self.parsed.get(DENOMINATOR), self.parsed.get(VALUE)
        )
        return figures.comparable(self.measure, typed, as_entered=True)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    field: str
    severity: str


def _places_allowed(entry: Entry) -> int:
    # numerators and denominators are counts of children or cases
    return 0 if entry.measure.entry == figures.RATIO else entry.measure.decimal_places


# --- hard errors -----------------------------------------------------------

NOT_A_NUMBER, NEGATIVE, TOO_MANY_DIGITS, TOO_MANY_DECIMALS = (
    "not_a_number",
    "negative",
    "too_many_digits",
    "too_many_decimals",
)


def read_figure(
    text: str, *, places: int, bound: Decimal, percent: bool = False
) -> tuple[Decimal | None, str]:
    """A non-negative figure a person typed, read by `numbers.read`: (the number, "")
    or (None, the problem's code). It must be less than `bound` and have no more
    than `places` decimal places; `percent`: it may end in a % sign."""
    number = numbers.read(text, percent=percent)
    if number is None:
        return None, NOT_A_NUMBER
    if number < 0:
        return None, NEGATIVE
    if number >= bound:
        return None, TOO_MANY_DIGITS
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return None, TOO_MANY_DECIMALS
    return number, ""


def parse(entry: Entry) -> list[Finding]:
    """Not a number, negative, too many decimals or digits. Fills `entry.parsed`."""
    findings = []
    for name in entry.fields():
        text = getattr(entry, name)
        if not text.strip():
            continue
        label = name if entry.measure.entry == figures.RATIO else "figure"
        places = _places_allowed(entry)
        percent = name == VALUE and entry.measure.unit == figures.PERCENT
        number, problem = read_figure(
            text, places=places, bound=limits.ENTERED_BOUND, percent=percent
        )
        if problem:
            message = figure_message(problem, label, places=places, bound=limits.ENTERED_BOUND)
            findings.append(Finding(problem, message, name, HARD))
        else:
            entry.parsed[name] = number
    return findings


def figure_message(problem: str, label: str, *, places: int, bound: Decimal) -> str:
    """What to tell the person about a `read_figure` problem with their `label`."""
    return {
        NOT_A_NUMBER: f"Enter the {label} as a number, like 12{'' if places == 0 else ' or 12.5'}",
        NEGATIVE: f"The {label} cannot be negative",
        TOO_MANY_DIGITS: f"The {label} must be less than {bound:,}",
        TOO_MANY_DECIMALS: f"Enter the {label} as "
        + ("a whole number" if places == 0 else f"no more than {places} decimal places"),
    }[problem]


def numerator_within_denominator(entry: Entry) -> list[Finding]:
    numerator, denominator = entry.parsed.get(NUMERATOR), entry.parsed.get(DENOMINATOR)
    if numerator is not None and denominator is not None and numerator > denominator:
        return [
            Finding(
                "numerator_above_denominator",
                "The numerator cannot be more than the denominator",
                NUMERATOR,
                HARD,
            )
        ]
    return []


def percentage_in_range(entry: Entry) -> list[Finding]:
    value = entry.parsed.get(VALUE)
    if entry.measure.unit == figures.PERCENT and value is not None and value > 100:
        return [
            Finding(
                "percentage_out_of_range", "A percentage must be between 0 and 100", VALUE, HARD
            )
        ]
    return []


def not_applicable_means_no_figures(entry: Entry) -> list[Finding]:
    if not is_blank(entry.not_applicable_reason) and entry.parsed:
        return [
            Finding(
                "not_applicable_with_figures",
                "Leave the figures blank when the measure is not applicable",
                entry.fields()[0],
                HARD,
            )
        ]
    return []


def complete_on_submit(entry: Entry) -> list[Finding]:
    if not is_blank(entry.not_applicable_reason):
        return []
    return [
        Finding(
            "missing",
            f"Enter the {name if entry.measure.entry == figures.RATIO else 'figure'}"
            " before you submit, or say why it is not applicable",
            name,
            HARD,
        )
        for name in entry.fields()
        if name not in entry.parsed and not getattr(entry, name).strip()
    ]


# --- soft checks: need a commentary before submit -------------------------


def big_change(entry: Entry) -> list[Finding]:
    current, previous = entry.figure(), entry.previous
    if current is None or previous is None or previous == 0:
        return []
    change = abs(current - previous) / abs(previous) * 100
    if change > entry.measure.change_threshold_percent:
        return [
            Finding(
                "big_change",
                f"This is a change of {rag.round_to(change, 0)}% from "
                f"{periods.last_period_words(entry.measure.frequency)} "
                f"(more than {rag.round_to(entry.measure.change_threshold_percent, 0)}%):"
                " explain it in the commentary",
                COMMENTARY,
                SOFT,
            )
        ]
    return []


def outside_own_range(entry: Entry) -> list[Finding]:
    current = entry.figure()
    if current is None or len(entry.history) < 2:
        return []
    low, high = min(entry.history), max(entry.history)
    if current < low or current > high:
        return [
            Finding(
                "outside_range",
                "This is outside the team's own range over the last 12 months: "
                "explain it in the commentary",
                COMMENTARY,
                SOFT,
            )
        ]
    return []


def would_rate_red(entry: Entry) -> list[Finding]:
    current = rag.round_to(entry.figure(), entry.measure.decimal_places)
    rating = rag.rate(
        current,
        entry.target,
        entry.measure.polarity,
        entry.measure.tolerance,
        entry.measure.tolerance_kind,
        entry.measure.green_band,
    )
    if rating == rag.RED:
        return [
            Finding(
                "would_rate_red",
                "This figure would rate Red against the target: explain it in the commentary",
                COMMENTARY,
                SOFT,
            )
        ]
    return []


HARD_RULES: list[Callable[[Entry], list[Finding]]] = [
    numerator_within_denominator,
    percentage_in_range,
    not_applicable_means_no_figures,
]
SOFT_RULES: list[Callable[[Entry], list[Finding]]] = [big_change, outside_own_range, would_rate_red]


def check(entry: Entry, *, submitting: bool) -> list[Finding]:
    """Every finding for one line. On submit, soft findings without a commentary
    become hard: the return cannot go until they are explained."""
    findings = parse(entry)
    for rule in HARD_RULES:
        findings += rule(entry)
    if submitting:
        findings += complete_on_submit(entry)
    if any(f.severity == HARD for f in findings):
        return findings
    soft = [f for rule in SOFT_RULES for f in rule(entry)]
    if submitting and soft and is_blank(entry.commentary):
        findings += [Finding(f.code, f.message, f.field, HARD) for f in soft]
    else:
        findings += soft
    return findings
