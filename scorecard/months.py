"""Months: the first day of each stands for the month. Plain dates in and out.

`parse_month` is the one reading of a month typed in a URL or a command
(YYYY-MM); the importer reads the spreadsheets' many spellings of a month
heading with its own `importing.layout.read_month_heading`.
"""

from datetime import date, timedelta

from . import aggregation


def parse_month(text: str) -> date:
    """'2015-01' -> 1 January 2015; ValueError otherwise."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except ValueError as error:
        raise ValueError(f"expected a month as YYYY-MM, e.g. 2015-01, not {text!r}") from error


def month_just_ended(today: date) -> date:
    """The first of the month before `today`'s."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from `first` to `last`, both included."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = aggregation.add_months(month, 1)
    return months
