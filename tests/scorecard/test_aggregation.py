from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from scorecard import aggregation


def test_percentages_are_pooled_never_averaged():
    # 1/10 and 9/10: the average of percentages would be 50%; the truth is 10/20 = 50%...
    # so use unequal denominators: 1/10 (10%) and 45/50 (90%) -> 46/60 = 76.67%, not 50%.
    pooled = aggregation.pooled_percentage([(D(1), D(10)), (D(45), D(50))])
    assert pooled == D(46) * 100 / D(60)
    assert pooled != (D(10) + D(90)) / 2


def test_zero_and_missing_denominators_give_no_value():
    assert aggregation.percentage(D(0), D(0)) is None
    assert aggregation.percentage(D(1), None) is None
    assert aggregation.pooled_percentage([]) is None
    assert aggregation.pooled_percentage([(None, D(4)), (D(1), None)]) is None
    assert aggregation.pooled_percentage([(D(0), D(0))]) is None


def test_a_total_of_nothing_is_no_figure_not_zero():
    assert aggregation.total([D(3), None, D(4)]) == D(7)
    assert aggregation.total([None, None]) is None
    assert aggregation.total([]) is None


def test_rate_per_10000_uses_the_population():
    assert aggregation.rate_per_10000(D(350), 120_000) == D(350) * 10000 / D(120000)
    assert aggregation.rate_per_10000(D(350), None) is None
    assert aggregation.rate_per_10000(None, 120_000) is None


def test_financial_year_runs_april_to_march():
    assert aggregation.financial_year_start(date(2015, 1, 1)) == date(2014, 4, 1)
    assert aggregation.financial_year_start(date(2015, 4, 1)) == date(2015, 4, 1)
    assert aggregation.financial_year_start(date(2015, 3, 1)) == date(2014, 4, 1)
    assert aggregation.financial_year_start(date(2015, 5, 20)) == date(2015, 4, 1)  # the 1st


def test_add_months_crosses_years():
    assert aggregation.add_months(date(2015, 1, 1), -1) == date(2014, 12, 1)
    assert aggregation.add_months(date(2014, 12, 1), 1) == date(2015, 1, 1)
    assert aggregation.add_months(date(2015, 3, 1), -12) == date(2014, 3, 1)


def test_add_months_gives_the_first_of_the_month_even_from_its_end():
    assert aggregation.add_months(date(2015, 1, 31), 1) == date(2015, 2, 1)
    assert aggregation.add_months(date(2015, 3, 31), -1) == date(2015, 2, 1)


pairs = st.lists(
    st.tuples(st.integers(0, 500), st.integers(1, 500)).map(lambda p: (D(min(p)), D(max(p)))),
    min_size=1,
    max_size=12,
)


@given(pairs)
def test_aggregated_percentage_is_sum_of_numerators_over_sum_of_denominators(data):
    expected = sum(n for n, _ in data) * 100 / sum(d for _, d in data)
    assert aggregation.pooled_percentage(data) == expected
    assert 0 <= aggregation.pooled_percentage(data) <= 100
