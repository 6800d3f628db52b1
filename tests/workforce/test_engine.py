"""The workforce measures computed by the scorecard engine from approved
staffing figures, for each team and for the qualified social workers of all
teams (pooled, never averaged)."""

from datetime import date
from decimal import Decimal as D

import pytest

from scorecard import aggregation, engine
from scorecard.models import MonthlyReturn, ScorecardResult
from tests import factories
from workforce import measures

from .conftest import staffing

pytestmark = pytest.mark.django_db
DEC, JAN = date(2014, 12, 1), date(2015, 1, 1)


@pytest.fixture
def teams(db):
    return factories.area("North"), factories.area("South")


def result(code, area, month):
    return ScorecardResult.objects.get(measure__code=code, area=area, month=month)


def stored(value):
    return value.quantize(D("0.0001"))


def test_sickness_per_team_and_pooled_for_the_staff_group(teams, workforce_measures):
    north, south = teams
    staffing(north, DEC, days_available=200, days_lost="15.8")  # 7.9%
    staffing(south, DEC, days_available=600, days_lost=6)  # 1%
    engine.recalculate()
    assert result(measures.SICKNESS, north, DEC).value == D("7.9")
    assert result(measures.SICKNESS, north, DEC).rating == "red"
    assert result(measures.SICKNESS, south, DEC).rating == "green"
    everyone = result(measures.SICKNESS, factories.authority(), DEC)
    assert everyone.value == stored(D("21.8") * 100 / D(800))  # 2.725%, not the mean 4.45%
    assert (everyone.numerator, everyone.denominator) == (D("21.8"), 800)


def test_vacancy_agency_and_caseload_for_teams_and_all_teams(teams, workforce_measures):
    north, south = teams
    staffing(
        north,
        JAN,
        fte_in_post=15,
        establishment_fte=20,
        vacancies_fte=5,
        agency_fte=5,
        open_cases=300,
    )
    staffing(
        south,
        JAN,
        fte_in_post=25,
        establishment_fte=25,
        vacancies_fte=0,
        agency_fte=0,
        open_cases=300,
    )
    engine.recalculate()
    authority = factories.authority()
    assert result(measures.VACANCY, north, JAN).value == 25
    assert result(measures.VACANCY, authority, JAN).value == stored(D(500) / D(45))
    assert result(measures.AGENCY, north, JAN).value == 25  # 5 of the 20 at work
    assert result(measures.AGENCY, authority, JAN).value == stored(D(500) / D(45))
    assert result(measures.CASELOAD, north, JAN).value == 20
    assert result(measures.CASELOAD, south, JAN).value == 12
    caseload = result(measures.CASELOAD, authority, JAN)
    assert caseload.value == 15  # 600 cases over 40 FTE, not the mean 16
    assert (caseload.numerator, caseload.denominator) == (600, 40)


def test_no_staff_and_no_days_give_no_figure_not_an_error(teams, workforce_measures):
    north, south = teams
    staffing(north, JAN, fte_in_post=0, agency_fte=0, open_cases=0, days_available=0, days_lost=0)
    engine.recalculate()
    for code in [measures.SICKNESS, measures.AGENCY, measures.CASELOAD]:
        assert result(code, north, JAN).value is None
        assert result(code, north, JAN).rating == "none"


def twelve_months(area, last, leavers, in_post, status=MonthlyReturn.Status.APPROVED):
    for back in range(12):
        month = aggregation.add_months(last, -back)
        staffing(
            area,
            month,
            status=status if month == last else MonthlyReturn.Status.APPROVED,
            leavers_fte=leavers,
            fte_in_post=in_post,
        )


def test_turnover_over_twelve_months_pooled_against_the_statistical_neighbours(
    teams, workforce_measures
):
    north, south = teams
    twelve_months(north, JAN, leavers="0.5", in_post=40)  # 6 over an average of 40
    twelve_months(south, JAN, leavers="0.25", in_post=20)  # 3 over an average of 20
    engine.recalculate()
    assert result(measures.TURNOVER, north, JAN).value == 15
    everyone = result(measures.TURNOVER, factories.authority(), JAN)
    assert everyone.value == 15  # 9 leavers over an average 60 FTE
    assert everyone.benchmark_comparison == {"stat_neighbours": "better"}  # 15.0 vs 16.0
    assert result(measures.TURNOVER, north, DEC).value is None  # only eleven months behind it


def test_seeds_turnover_of_11_6_percent_from_a_years_figures(teams, workforce_measures):
    north, _ = teams
    twelve_months(north, JAN, leavers="0.29", in_post=30)  # 3.48 of 30
    engine.recalculate()
    turnover = result(measures.TURNOVER, north, JAN)
    assert turnover.value == D("11.6")
    assert turnover.benchmark_comparison == {"stat_neighbours": "better"}


def test_only_approved_staffing_counts_even_in_last_years_months(teams, workforce_measures):
    north, south = teams
    twelve_months(north, JAN, leavers=1, in_post=40)
    MonthlyReturn.objects.filter(area=north, month=date(2014, 6, 1)).update(
        status=MonthlyReturn.Status.SUBMITTED, approved_at=None
    )
    staffing(south, JAN, status=MonthlyReturn.Status.SUBMITTED, days_available=10, days_lost=1)
    engine.recalculate()
    assert result(measures.TURNOVER, north, JAN).value is None  # June is not approved
    assert result(measures.SICKNESS, south, JAN).value is None
    assert result(measures.SICKNESS, factories.authority(), JAN).provisional


def test_workforce_measures_are_left_out_of_the_entry_form_lines(area, workforce_measures):
    from scorecard import opening, selectors

    other = factories.measure(title="% seen")
    opening.open_returns(date(2015, 2, 1))
    monthly_return = MonthlyReturn.objects.get(area=area, month=date(2015, 2, 1))
    assert monthly_return.values.count() == 6  # blank rows for every area measure
    assert [line.measure for line in selectors.return_lines(monthly_return)] == [other]
    assert engine.contributed_measures() == frozenset(measures.CODES)
