"""How large a figure may be, in one place: what a person may enter, the columns
that store it, and the columns that store what the engine makes of it.

Every size below is derived from the entry limits, so that no figure the forms
or the importer accept can overflow a column when the engine pools it:

- a return's figure (numerator, denominator, count or value) is less than
  10 ** ENTERED_DIGITS, with at most VALUE_PLACES decimal places;
- a staffing figure is less than 10 ** STAFFING_DIGITS;
- the engine adds up at most 10 ** POOLED_DIGITS figures (service areas times
  months), so a pooled numerator or denominator is less than
  10 ** (ENTERED_DIGITS + POOLED_DIGITS);
- the largest quotient it stores is a rate per 10,000 children with a child
  population of at least one: a pooled count times 10 ** RATE_DIGITS.
  (A percentage is at most 100: a numerator is never above its denominator; a
  staffing quotient, such as turnover, stays far below this bound.)

`check_result` is the last guard: a result that would not fit is named (area,
measure, month, figure) rather than left to fail as 'numeric field overflow'.
No ORM.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Column:
    integer_digits: int
    places: int

    @property
    def field(self) -> dict:
        """The DecimalField arguments of a column that holds it."""
        return {"max_digits": self.integer_digits + self.places, "decimal_places": self.places}

    @property
    def bound(self) -> Decimal:
        """Every figure the column holds is less than this (in size)."""
        return Decimal(10) ** self.integer_digits

    @functools.cached_property
    def _largest(self) -> Decimal:
        """Every number the column stores is less than this before rounding."""
        return self.bound - Decimal(1).scaleb(-self.places) / 2

    def holds(self, number: Decimal) -> bool:
        """Whether the column can store the number once rounded to its places."""
        return number.is_finite() and abs(number) < self._largest


ENTERED_DIGITS = 10  # a return's figure is less than 10,000,000,000
VALUE_PLACES = 4  # a measure shows at most four places, so a value keeps four
COUNT_PLACES = 2  # numerators and denominators: whole numbers typed, staffing FTE pooled
STAFFING_DIGITS = 6  # a staffing figure is less than 1,000,000
STAFFING_PLACES = 2  # FTE and working days to two places; open cases are whole
POOLED_DIGITS = 6  # at most 1,000,000 figures summed into one result
RATE_DIGITS = 4  # per 10,000 children

# What people enter and the importer writes.
ENTERED_COUNT = Column(ENTERED_DIGITS, COUNT_PLACES)  # ReturnValue.numerator, .denominator
ENTERED_VALUE = Column(ENTERED_DIGITS, VALUE_PLACES)  # ReturnValue.value, targets, benchmarks
STAFFING_FIGURE = Column(STAFFING_DIGITS, STAFFING_PLACES)  # FTE, working days
STAFFING_COUNT = Column(STAFFING_DIGITS, 0)  # open cases

# What the engine stores.
RESULT_COUNT = Column(ENTERED_DIGITS + POOLED_DIGITS, COUNT_PLACES)
RESULT_VALUE = Column(ENTERED_DIGITS + POOLED_DIGITS + RATE_DIGITS, VALUE_PLACES)
RESULT_TARGET = ENTERED_VALUE

ENTERED_BOUND = ENTERED_VALUE.bound  # "must be less than 10,000,000,000"
STAFFING_BOUND = STAFFING_FIGURE.bound

RESULT_COLUMNS = {
    "numerator": RESULT_COUNT,
    "denominator": RESULT_COUNT,
    "value": RESULT_VALUE,
    "target": RESULT_TARGET,
    "year_to_date": RESULT_VALUE,
    "rolling_12_months": RESULT_VALUE,
    "published_value": RESULT_VALUE,
    "spc_mean": RESULT_VALUE,
    "spc_upper": RESULT_VALUE,
    "spc_lower": RESULT_VALUE,
}


class TooLarge(Exception):
    """A computed result that no column can hold: says which one and why."""


def check_result(*, area: str, measure: str, month, figures: dict) -> None:
    """Raise TooLarge naming the area, measure, month and figure when one of the
    result's `figures` ({field: Decimal or None}) would not fit its column."""
    for name, number in figures.items():
        column = RESULT_COLUMNS[name]
        if number is not None and not column.holds(number):
            raise TooLarge(
                f"{area}, {measure}, {month:%B %Y}: the {name.replace('_', ' ')} {number:,f} "
                f"is too large to store (it must be less than {column.bound:,}). Check the "
                "figures entered for this measure and month."
            )
