"""Reporting periods: how often a measure's figure is due, the period a figure
describes, and the periods benchmarks belong to. Plain dates in and out; no ORM.

The year is the English financial year, April to March. A quarterly measure's
figure is due at each quarter's end (June, September, December, March); an
annual one in March. The months between are *not due*: not missing, not
compared with, not plotted. The strings are the models' choices
(`Measure.Frequency`, `Benchmark.PeriodKind`), checked against them by a test.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date

from . import aggregation

# Measure.Frequency
MONTHLY, QUARTERLY, ANNUAL = "monthly", "quarterly", "annual"
DUE_MONTHS = {
    MONTHLY: frozenset(range(1, 13)),
    QUARTERLY: frozenset({6, 9, 12, 3}),
    ANNUAL: frozenset({3}),
}
# what the figure before this one is, in words ("a change of 40% from last quarter")
LAST_PERIOD_WORDS = {MONTHLY: "last month", QUARTERLY: "last quarter", ANNUAL: "last year"}

# Benchmark.PeriodKind
MONTH, QUARTER, FINANCIAL_YEAR, CALENDAR_YEAR = (
    "month",
    "quarter",
    "financial_year",
    "calendar_year",
)
LENGTH_IN_MONTHS = {MONTH: 1, QUARTER: 3, FINANCIAL_YEAR: 12, CALENDAR_YEAR: 12}
# the months a period of each kind may start in
STARTS_IN = {
    MONTH: frozenset(range(1, 13)),
    QUARTER: frozenset({4, 7, 10, 1}),
    FINANCIAL_YEAR: frozenset({4}),
    CALENDAR_YEAR: frozenset({1}),
}


def is_due(frequency: str, month: date) -> bool:
    """Whether a measure reported at `frequency` expects a figure for `month`."""
    return month.month in DUE_MONTHS[frequency]


def due_months(frequency: str, months) -> list[date]:
    """The months of `months` in which a figure is due, in the order given."""
    return [month for month in months if is_due(frequency, month)]


@functools.cache  # asked of every result of a run, of a few dozen months
def latest_due(frequency: str, month: date) -> date:
    """`month` itself where a figure is due in it, else the due month before it:
    the figure that stands 'as at' `month` (December's quarter, as at January)."""
    while not is_due(frequency, month):
        month = aggregation.add_months(month, -1)
    return month


@functools.cache
def previous_due(frequency: str, month: date) -> date:
    """The due month before `month`: what a figure for `month` is compared with
    ('since last period'), June for September, not August."""
    return latest_due(frequency, aggregation.add_months(month, -1))


def last_period_words(frequency: str) -> str:
    return LAST_PERIOD_WORDS[frequency]


@dataclass(frozen=True, order=True)
class Period:
    """A stretch of whole months: a month, a financial-year quarter, a financial
    year or a calendar year. `starts` is the first day of its first month."""

    starts: date
    kind: str

    def __post_init__(self):
        if self.kind not in STARTS_IN:
            raise ValueError(f"not a kind of period: {self.kind!r}")
        if self.starts.day != 1 or self.starts.month not in STARTS_IN[self.kind]:
            raise ValueError(f"a {self.kind.replace('_', ' ')} cannot start on {self.starts}")

    @property
    def ends(self) -> date:
        """The first day of its last month."""
        return aggregation.add_months(self.starts, LENGTH_IN_MONTHS[self.kind] - 1)

    def __contains__(self, month: date) -> bool:
        return self.starts <= month.replace(day=1) <= self.ends

    def __str__(self) -> str:
        """As `parse_period` reads it: '2021-06', 'Q1 2021-22', '2020-21', '2021'.
        A month that would read as a financial year ('2011-12') is 'Dec 2011'."""
        if self.kind == MONTH:
            if self.starts.month == (self.starts.year + 1) % 100:
                return f"{self.starts:%b %Y}"
            return f"{self.starts:%Y-%m}"
        if self.kind == QUARTER:
            return f"Q{quarter_number(self.starts)} {_financial_year_text(self.starts)}"
        if self.kind == FINANCIAL_YEAR:
            return _financial_year_text(self.starts)
        return f"{self.starts.year}"

    @property
    def label(self) -> str:
        """For people: 'June 2021', 'Q1 2021-22 (Apr–Jun 2021)', '2020-21', '2021'."""
        if self.kind == MONTH:
            return f"{self.starts:%B %Y}"
        if self.kind == QUARTER:
            return f"{self} ({self.starts:%b}–{self.ends:%b %Y})"
        return str(self)


def _financial_year_text(month: date) -> str:
    start = aggregation.financial_year_start(month).year
    return f"{start}-{(start + 1) % 100:02d}"


def quarter_number(month: date) -> int:
    """1 for April-June ... 4 for January-March: the financial year's quarters."""
    return (month.month - 4) % 12 // 3 + 1


def month_period(month: date) -> Period:
    return Period(month.replace(day=1), MONTH)


def quarter_of(month: date) -> Period:
    return Period(aggregation.add_months(month.replace(day=1), -((month.month - 4) % 3)), QUARTER)


def financial_year_of(month: date) -> Period:
    return Period(aggregation.financial_year_start(month.replace(day=1)), FINANCIAL_YEAR)


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), CALENDAR_YEAR)


def period_of(frequency: str, month: date) -> Period:
    """The period a measure's figure for `month` describes: the month, its
    quarter, or its financial year."""
    return {MONTHLY: month_period, QUARTERLY: quarter_of, ANNUAL: financial_year_of}[frequency](
        month
    )


def in_force(periods, month: date):
    """Of (Period, item) pairs, the item of the latest period that has started by
    `month` (a benchmark is compared with the months it describes and every
    month after, until a later period's figure comes); None when none has."""
    started = [(period, item) for period, item in periods if period.starts <= month]
    return max(started, key=lambda pair: (pair[0].starts, pair[0].ends))[1] if started else None


_MONTH_NAMES = {
    name: number
    for number in range(1, 13)
    for name in (f"{date(2000, number, 1):%b}".lower(), f"{date(2000, number, 1):%B}".lower())
}
_YEAR_THEN_TWO = re.compile(r"(\d{4})\s*[-/]\s*(\d{2})")
_QUARTER = re.compile(r"q([1-4])\s+(\d{4})\s*[-/]\s*(\d{2})")
_MONTH_NAMED = re.compile(r"([a-z]+)\s+(\d{4})")


def parse_period(text: str) -> Period:
    """'2020-21' (or 2020/21) a financial year, '2021' a calendar year, 'Q1 2021-22'
    a financial-year quarter (Q1 is April-June), '2021-06' or 'June 2021' a month;
    ValueError saying what is expected otherwise.

    'YYYY-YY' with consecutive years is a financial year, so '2011-12' is the
    year 2011-12; December 2011 is written 'Dec 2011'."""
    cleaned = " ".join(text.split()).lower()
    try:
        if re.fullmatch(r"\d{4}", cleaned):
            return calendar_year(int(cleaned))
        if match := _QUARTER.fullmatch(cleaned):
            quarter, start, end = int(match[1]), int(match[2]), int(match[3])
            if end == (start + 1) % 100:
                first = aggregation.add_months(date(start, 4, 1), (quarter - 1) * 3)
                return Period(first, QUARTER)
        elif match := _YEAR_THEN_TWO.fullmatch(cleaned):
            start, end = int(match[1]), int(match[2])
            if end == (start + 1) % 100:
                return Period(date(start, 4, 1), FINANCIAL_YEAR)
            if 1 <= end <= 12 and "/" not in cleaned:
                return Period(date(start, end, 1), MONTH)
        elif (match := _MONTH_NAMED.fullmatch(cleaned)) and match[1] in _MONTH_NAMES:
            return Period(date(int(match[2]), _MONTH_NAMES[match[1]], 1), MONTH)
    except ValueError:
        pass  # a year out of range: refused below like any other text
    raise ValueError(
        f"'{text.strip()}' is not a period: give a financial year (2020-21), a calendar "
        "year (2021), a quarter (Q1 2021-22) or a month (2021-06)"
    )
