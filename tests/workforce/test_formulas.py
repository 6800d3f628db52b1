"""The workforce formulas at their edges: plain Decimals, no database."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from workforce import formulas

FTE = st.decimals(min_value=0, max_value=500, places=2)


def test_sickness_is_days_lost_over_days_available():
    assert formulas.sickness(D("15.8"), D(200)).percent == D("7.9")
    assert formulas.sickness(D("15.8"), D(200)) == formulas.Ratio(D("15.8"), D(200))


def test_no_days_available_gives_no_sickness_rate_not_an_error():
    assert formulas.sickness(D(0), D(0)).percent is None
    assert formulas.sickness(D(0), D(0)) == formulas.Ratio(D(0), D(0))  # still pools
    assert formulas.sickness(None, D(200)) is None
    assert formulas.sickness(D(3), None) is None


def test_vacancy_rate_is_over_the_establishment():
    assert formulas.vacancy(D("4.5"), D(30)).percent == D(15)
    assert formulas.vacancy(D(0), D(0)).percent is None  # no establishment


def test_agency_rate_is_over_everyone_at_work_in_post_and_agency():
    assert formulas.agency(D(5), D(15)).percent == D(25)  # 5 of 20, not 5 of 15
    assert formulas.agency(D(5), D(15)) == formulas.Ratio(D(5), D(20))
    assert formulas.agency(D(4), D(0)).percent == D(100)  # a team staffed by agency alone
    assert formulas.agency(D(0), D(0)).percent is None  # no staff at all


def test_no_agency_rate_without_both_figures():
    assert formulas.agency(None, D(15)) is None
    assert formulas.agency(D(5), None) is None


def test_caseload_is_cases_per_fte_in_post():
    assert formulas.caseload(D(310), D(20)).quotient == D("15.5")
    assert formulas.caseload(D(310), D(20)).percent == D(1550)  # parts kept for pooling


def test_no_staff_gives_no_caseload():
    assert formulas.caseload(D(12), D(0)).quotient is None
    assert formulas.caseload(D(0), D(0)).quotient is None
    assert formulas.caseload(None, D(20)) is None


def year(leavers="1", in_post="10"):
    return [(D(leavers), D(in_post))] * 12


def test_turnover_is_a_years_leavers_over_the_average_fte_in_post():
    months = [(D(1), D(100))] * 6 + [(D("0.8"), D(200))] * 6  # average 150
    assert formulas.turnover(months).percent == (D("10.8") * 100 / D(150))
    assert formulas.turnover(months) == formulas.Ratio(D("10.8"), D(150))


def test_a_partial_year_gives_no_turnover():
    assert formulas.turnover(year()[:11]) is None  # eleven months of figures
    with_gap = year()
    with_gap[5] = (None, D(10))  # a month without its leavers
    assert formulas.turnover(with_gap) is None
    with_gap[5] = (D(1), None)
    assert formulas.turnover(with_gap) is None
    assert formulas.turnover([]) is None


def test_no_staff_all_year_gives_no_turnover():
    assert formulas.turnover(year(leavers="0", in_post="0")).percent is None


@given(lost=FTE, extra=FTE)
def test_sickness_never_exceeds_100_percent_when_days_lost_are_within_available(lost, extra):
    rate = formulas.sickness(lost, lost + extra).percent
    if lost + extra == 0:
        assert rate is None  # no days available: no rate, not an error
    else:
        assert rate == lost * 100 / (lost + extra) and D(0) <= rate <= D(100)


@given(agency=FTE, in_post=FTE)
def test_agency_rate_is_a_share_between_0_and_100(agency, in_post):
    rate = formulas.agency(agency, in_post).percent
    if agency + in_post == 0:
        assert rate is None
    else:
        assert rate == agency * 100 / (agency + in_post) and D(0) <= rate <= D(100)
