"""The workforce measures as plain arithmetic: Decimals in, a `Ratio` out; no ORM.

Each formula gives the two parts it divides rather than the quotient alone, so
that the engine can pool a staff group across teams the way it pools every
percentage: the sum of the numerators over the sum of the denominators.

- sickness rate    = working days lost to sickness ÷ working days available (%)
- vacancy rate     = vacancies (FTE) ÷ establishment (FTE) (%)
- agency rate      = agency FTE ÷ (FTE in post + agency FTE) (%): the share of the
                     qualified social workers at work who are agency staff, as the
                     DfE children's social work workforce statistics define it
- turnover         = FTE leavers over the 12 months ÷ average FTE in post over
                     those months (%); only over a complete 12 months
- average caseload = open cases held by qualified social workers ÷ FTE in post
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scorecard import aggregation

TURNOVER_MONTHS = 12


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal

    @property
    def percent(self) -> Decimal | None:
        """numerator ÷ denominator × 100; None when there is nothing to divide by."""
        return aggregation.percentage(self.numerator, self.denominator)

    @property
    def quotient(self) -> Decimal | None:
        """numerator ÷ denominator; None when there is nothing to divide by."""
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Ratio | None:
    if numerator is None or denominator is None:
        return None
    return Ratio(numerator, denominator)


def sickness(days_lost: Decimal | None, days_available: Decimal | None) -> Ratio | None:
    return _ratio(days_lost, days_available)


def vacancy(vacancies: Decimal | None, establishment: Decimal | None) -> Ratio | None:
    return _ratio(vacancies, establishment)


def agency(agency_fte: Decimal | None, fte_in_post: Decimal | None) -> Ratio | None:
    if agency_fte is None or fte_in_post is None:
        return None
    return Ratio(agency_fte, fte_in_post + agency_fte)


def caseload(open_cases: Decimal | None, fte_in_post: Decimal | None) -> Ratio | None:
    return _ratio(open_cases, fte_in_post)


def turnover(months: Sequence[tuple[Decimal | None, Decimal | None]]) -> Ratio | None:
    """`months`: (FTE leavers, FTE in post) for each of the 12 months ending with
    the month reported, oldest first. A turnover rate is a year's figure and is
    compared with annual benchmarks, so a partial year (fewer months, or a month
    without both figures) gives none rather than an understated one."""
    if len(months) != TURNOVER_MONTHS:
        return None
    if any(leavers is None or in_post is None for leavers, in_post in months):
        return None
    leavers = sum((leavers for leavers, _ in months), Decimal(0))
    average_in_post = sum((in_post for _, in_post in months), Decimal(0)) / TURNOVER_MONTHS
    return Ratio(leavers, average_in_post)
