"""The reporting-period rules (`scorecard.periods`): which months are due, the
period a month's figure describes, the previous due month, and reading periods."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard import aggregation, periods
from scorecard.periods import ANNUAL, MONTHLY, QUARTERLY, Period

months = st.builds(date, st.integers(1995, 2095), st.integers(1, 12), st.just(1))
frequencies = st.sampled_from([MONTHLY, QUARTERLY, ANNUAL])


def test_quarterly_figures_are_due_at_the_financial_years_quarter_ends():
    year = [date(2014, m, 1) for m in range(4, 13)] + [date(2015, m, 1) for m in range(1, 4)]
    assert periods.due_months(QUARTERLY, year) == [
        date(2014, 6, 1),
        date(2014, 9, 1),
        date(2014, 12, 1),
        date(2015, 3, 1),
    ]
    assert periods.due_months(ANNUAL, year) == [date(2015, 3, 1)]
    assert periods.due_months(MONTHLY, year) == year


def test_the_previous_due_month_of_a_quarter_is_the_quarter_before():
    assert periods.previous_due(QUARTERLY, date(2014, 9, 1)) == date(2014, 6, 1)
    assert periods.previous_due(QUARTERLY, date(2014, 6, 1)) == date(2014, 3, 1)
    assert periods.previous_due(QUARTERLY, date(2014, 8, 1)) == date(2014, 6, 1)
    assert periods.previous_due(ANNUAL, date(2015, 3, 1)) == date(2014, 3, 1)
    assert periods.previous_due(MONTHLY, date(2015, 1, 1)) == date(2014, 12, 1)


def test_the_figure_as_at_a_month_between_quarters_is_the_last_quarters():
    assert periods.latest_due(QUARTERLY, date(2015, 1, 1)) == date(2014, 12, 1)
    assert periods.latest_due(QUARTERLY, date(2014, 12, 1)) == date(2014, 12, 1)
    assert periods.latest_due(ANNUAL, date(2015, 2, 1)) == date(2014, 3, 1)
    assert periods.latest_due(MONTHLY, date(2015, 2, 1)) == date(2015, 2, 1)


@given(frequencies, months)
def test_the_previous_due_month_is_due_and_no_due_month_lies_between(frequency, month):
    before = periods.previous_due(frequency, month)
    assert periods.is_due(frequency, before) and before < month
    between = aggregation.add_months(before, 1)
    while between < month:
        assert not periods.is_due(frequency, between)
        between = aggregation.add_months(between, 1)


def test_a_months_figure_describes_its_month_quarter_or_financial_year():
    assert periods.period_of(MONTHLY, date(2014, 9, 1)) == Period(date(2014, 9, 1), "month")
    assert periods.period_of(QUARTERLY, date(2014, 9, 1)) == Period(date(2014, 7, 1), "quarter")
    assert periods.period_of(QUARTERLY, date(2015, 3, 1)).label == "Q4 2014-15 (Jan–Mar 2015)"
    assert str(periods.period_of(ANNUAL, date(2015, 3, 1))) == "2014-15"


@pytest.mark.parametrize(
    "text, starts, kind",
    [
        ("2020-21", date(2020, 4, 1), "financial_year"),
        ("2020/21", date(2020, 4, 1), "financial_year"),
        ("1999-00", date(1999, 4, 1), "financial_year"),
        ("2011-12", date(2011, 4, 1), "financial_year"),  # never December 2011
        ("2021", date(2021, 1, 1), "calendar_year"),
        ("Q1 2021-22", date(2021, 4, 1), "quarter"),
        ("q4 2021-22", date(2022, 1, 1), "quarter"),
        ("2021-06", date(2021, 6, 1), "month"),
        ("June 2021", date(2021, 6, 1), "month"),
        ("Dec 2011", date(2011, 12, 1), "month"),
        ("  2014 ", date(2014, 1, 1), "calendar_year"),
    ],
)
def test_periods_are_read_as_people_write_them(text, starts, kind):
    assert periods.parse_period(text) == Period(starts, kind)


@pytest.mark.parametrize(
    "text", ["", "2020-22", "2021-13", "2021-00", "Q5 2021-22", "Q1 2021", "21", "Juneish 2021"]
)
def test_other_text_is_refused_saying_what_is_expected(text):
    with pytest.raises(ValueError, match="financial year \\(2020-21\\)"):
        periods.parse_period(text)


@given(st.sampled_from(["month", "quarter", "financial_year", "calendar_year"]), months)
def test_a_period_reads_back_as_it_is_written(kind, month):
    starts = month
    while starts.month not in periods.STARTS_IN[kind]:
        starts = aggregation.add_months(starts, -1)
    period = Period(starts, kind)
    assert periods.parse_period(str(period)) == period
    assert period.starts in period and period.ends in period
    assert aggregation.add_months(period.ends, 1) not in period


def test_a_month_that_looks_like_a_financial_year_is_written_by_name():
    assert str(periods.month_period(date(2011, 12, 1))) == "Dec 2011"
    assert str(periods.month_period(date(2021, 6, 1))) == "2021-06"


def test_a_period_cannot_start_where_its_kind_does_not():
    with pytest.raises(ValueError):
        Period(date(2021, 5, 1), "quarter")
    with pytest.raises(ValueError):
        Period(date(2021, 1, 1), "financial_year")


def test_the_period_in_force_is_the_latest_started_by_the_month():
    older, newer = periods.calendar_year(2014), periods.parse_period("2014-15")
    pairs = [(newer, "2014-15"), (older, "2014")]
    assert periods.in_force(pairs, date(2014, 3, 1)) == "2014"
    assert periods.in_force(pairs, date(2014, 4, 1)) == "2014-15"
    assert periods.in_force(pairs, date(2013, 12, 1)) is None
