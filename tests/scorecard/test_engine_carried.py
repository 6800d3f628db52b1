"""A full run goes on from the end of each financial year into the next (its
chart's running state, its rating and periods in a row), reading a year of
returns before each year rather than every month held, and gives exactly what
reading every month gives: compared result by result over years of history,
with monthly, quarterly and annual measures, small numbers withheld and a
chart's baseline reset."""

from datetime import date

import pytest
from django.utils import timezone

from scorecard import engine, periods
from scorecard.aggregation import add_months
from scorecard.models import (
    CalculationRun,
    Measure,
    MonthlyReturn,
    ReturnValue,
    ScorecardResult,
    Target,
)
from tests import factories


@pytest.fixture
def years_of_history(db):
    """Three teams' approved returns of 40 months (January 2014 to April 2017:
    five financial years), small numbers among them."""
    factories.approved_returns(measures=2, area_count=3, months=40, name="Long")
    Measure.objects.filter(pk=Measure.objects.order_by("pk").first().pk).update(
        spc_baseline_start=date(2015, 7, 1)
    )
    returns = list(MonthlyReturn.objects.order_by("month", "pk"))
    for frequency in (periods.QUARTERLY, periods.ANNUAL):
        measure = factories.measure(frequency=frequency, polarity=Measure.Polarity.LOWER)
        Target.objects.create(
            measure=measure, kind=Target.Kind.IN_YEAR, value=40, starts=date(2010, 4, 1)
        )
        ReturnValue.objects.bulk_create(
            ReturnValue(monthly_return=r, measure=measure, numerator=i * 7 % 11 + 1, denominator=12)
            for i, r in enumerate(returns)
            if periods.is_due(frequency, r.month)
        )


def test_each_year_goes_on_from_the_year_before_and_gives_what_reading_every_month_gives(
    years_of_history,
):
    run = CalculationRun.objects.create(trigger="compared", started_at=timezone.now())
    years = engine.financial_years(engine.months_to_cover())
    assert len(years) == 5
    held = years[0][0]
    carried = None
    for year in years:
        going_on = engine.calculate(year, run, changed=None, carried=carried)
        every_month = engine.calculate(year, run, changed=None)
        assert every_month.read_from == min(held, add_months(year[0], -12))
        if add_months(year[0], -12) > held:
            assert going_on.read_from == add_months(year[0], -12)
        assert going_on.rows == every_month.rows
        assert going_on.missing_populations == every_month.missing_populations
        carried = going_on.carried_on()
    assert any(row.spc_variation for row in going_on.rows)  # the charts have limits by then
    assert any(row.suppressed for row in going_on.rows)


def test_a_full_run_stores_what_reading_every_month_gives(years_of_history):
    run = engine.recalculate(trigger="full")  # in one process, a year at a time
    stored = {
        (result.measure_id, result.area_id, result.month): result for result in run.results.all()
    }
    for year in engine.financial_years(engine.months_to_cover()):
        for row in engine.calculate(year, run, changed=None).rows:
            result = stored.pop((row.measure_id, row.area_id, row.month))
            assert (result.rating, result.rating_months, result.spc_state) == (
                row.rating,
                row.rating_months,
                row.spc_state,
            )
            assert (result.spc_variation, result.spc_signals, result.spc_points) == (
                row.spc_variation,
                row.spc_signals,
                row.spc_points,
            )
    assert not stored


def test_a_year_whose_year_before_was_not_worked_out_reads_every_month(years_of_history):
    run = CalculationRun.objects.create(trigger="compared", started_at=timezone.now())
    years = engine.financial_years(engine.months_to_cover())
    before_last = engine.calculate(years[-3], run, changed=None).carried_on()
    # the year after `before_last` is skipped: its states are not those of the year before
    last = engine.calculate(years[-1], run, changed=None, carried=before_last)
    assert last.read_from == years[0][0]  # the first month held
    assert last.rows == engine.calculate(years[-1], run, changed=None).rows


def test_a_year_going_on_from_stored_results_gives_what_reading_every_month_gives(
    years_of_history,
):
    """As a part after one done by another worker does, from its staged results."""
    run = engine.recalculate(trigger="full")
    year = engine.financial_years(engine.months_to_cover())[-2]
    carried = engine.CarriedStates.read(ScorecardResult.objects.all(), [year[0]])
    going_on = engine.calculate(year, run, changed=None, carried=carried)
    assert going_on.read_from == add_months(year[0], -12)
    assert going_on.rows == engine.calculate(year, run, changed=None).rows
