"""What a figure is: the fields each kind of entry has, and the one rule for the
number a figure stands for (its percentage, count, rate or value).

Plain values in and out; no ORM. The string constants are the models' choices
(`Measure.Entry`, `Measure.Unit`), checked against them by a test.
"""

from decimal import Decimal
from typing import NamedTuple

from . import aggregation

# Measure.Entry: how a measure's figure is entered
RATIO, COUNT, VALUE = "ratio", "count", "value"
# Measure.Unit: the units a rule here, in `validation` or in `disclosure` tells apart
PERCENT, RATE_10K, UNIT_COUNT = "percent", "rate_10k", "count"

# the fields a person types for each kind of entry (the return's form, `validation`)
ENTRY_FIELDS = {RATIO: ("numerator", "denominator"), COUNT: ("numerator",), VALUE: ("value",)}


def entry_fields(entry: str) -> list[str]:
    """The fields a person types for a measure entered as `entry`."""
    return list(ENTRY_FIELDS[entry])


class Figure(NamedTuple):
    """One area's figures for one measure and month, as entered or contributed.
    A named tuple: a run makes one for every figure of a year of returns, and a
    tuple is several times quicker to make than a frozen dataclass."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    not_applicable: bool = False


def comparable(
    measure, figure: Figure | None, *, population: int | None = None, as_entered: bool = False
) -> Decimal | None:
    """The number a figure of `measure` (anything with its `entry` and `unit`: the
    model, or `validation.MeasureRules`) stands for: a percentage computed from its parts where
    they were entered, a count, otherwise the value as reported (imported history).

    A count of a measure per 10,000 children is that rate, from `population`; or,
    `as_entered`, the count itself (as the return's form compares it with last
    month's), where a rate imported as history is no count and gives None.
    """
    if figure is None or figure.not_applicable:
        return None
    entry, unit = measure.entry, measure.unit
    if entry == RATIO:
        if figure.denominator is not None:
            return aggregation.percentage(figure.numerator, figure.denominator)
        return figure.value
    if entry == COUNT:
        if figure.numerator is not None:
            if unit == RATE_10K and not as_entered:
                return aggregation.rate_per_10000(figure.numerator, population)
            return figure.numerator
        if unit == RATE_10K and as_entered:
            return None
        return figure.value
    return figure.value
