"""Sums across service areas and months, before any division.

Percentages are never averaged: an authority-wide percentage is the sum of the
numerators over the sum of the denominators. Plain values in and out; no ORM.
"""

from collections.abc import Iterable
from decimal import Decimal

HUNDRED = Decimal(100)
TEN_THOUSAND = Decimal(10000)


def total(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the values present; None when none is."""
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def percentage(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator ÷ denominator × 100; None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator * HUNDRED / denominator


def pooled_percentage(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Σ numerators ÷ Σ denominators × 100 over the pairs that have both figures."""
    complete = [(n, d) for n, d in pairs if n is not None and d is not None]
    if not complete:
        return None
    return percentage(
        sum((n for n, _ in complete), Decimal(0)), sum((d for _, d in complete), Decimal(0))
    )


def rate_per_10000(count: Decimal | None, population: int | None) -> Decimal | None:
    """count ÷ children aged 0-17 × 10,000."""
    if count is None or not population:
        return None
    return count * TEN_THOUSAND / Decimal(population)


def financial_year_start(month):
    """The April that starts the financial year the month falls in."""
    year = month.year if month.month >= 4 else month.year - 1
    return month.replace(year=year, month=4, day=1)


def add_months(month, count: int):
    index = month.year * 12 + month.month - 1 + count
    return month.replace(year=index // 12, month=index % 12 + 1, day=1)
