"""No stored result outlives the figures it came from: a recalculation replaces
every result of the months it covers, and results of months that no longer
have a return go."""

from datetime import date

import pytest

from scorecard import engine
from scorecard.models import Measure, MonthlyReturn, ScorecardResult
from tests import factories
from tests.scorecard.test_engine import APPROVED, JAN, figure

pytestmark = pytest.mark.django_db

DEC = date(2014, 12, 1)


@pytest.fixture
def areas(db):
    return factories.area("North"), factories.area("South")


@pytest.fixture
def seen(areas):
    measure = factories.measure(title="% seen", level=Measure.Level.AREA)
    measure.reporting_areas.set(areas)
    return measure


def test_recalculating_an_emptied_database_leaves_no_results(sample):
    assert ScorecardResult.objects.exists()
    MonthlyReturn.objects.all().delete()
    engine.recalculate()
    assert not ScorecardResult.objects.exists()


def test_a_month_whose_returns_went_loses_its_results(areas, seen):
    north, south = areas
    figure(north, DEC, seen, numerator=1, denominator=10)
    figure(north, JAN, seen, numerator=2, denominator=10)
    engine.recalculate(months=[DEC, JAN])
    assert ScorecardResult.objects.filter(month=DEC).exists()

    MonthlyReturn.objects.filter(month=DEC).delete()
    engine.recalculate(months=[JAN])

    assert set(ScorecardResult.objects.values_list("month", flat=True)) == {JAN}


def test_a_full_recalculation_leaves_no_result_of_a_month_before_the_first_return(areas, seen):
    north, _ = areas
    figure(north, DEC, seen, numerator=1, denominator=10)
    figure(north, JAN, seen, numerator=2, denominator=10)
    engine.recalculate(months=[DEC, JAN])
    MonthlyReturn.objects.filter(month=DEC).delete()

    engine.recalculate()

    assert set(ScorecardResult.objects.values_list("month", flat=True)) == {JAN}
    assert MonthlyReturn.objects.filter(status=APPROVED).count() == 1
