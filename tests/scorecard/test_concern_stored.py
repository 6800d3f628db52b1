"""`concern.exceptions` over the engine's stored results: which areas, which
order, in a fixed number of queries; and the words of a real chart."""

from datetime import date
from decimal import Decimal as D

import pytest

from scorecard import concern, engine, spc
from scorecard.aggregation import add_months
from scorecard.models import Measure, ServiceArea, Target
from tests import factories

JANUARY = date(2015, 1, 1)
FIRST = date(2014, 1, 1)


# --- exceptions over stored results ---------------------------------------------


@pytest.fixture
def stored(db):
    """Two teams' approved January returns of three measures: one Red in both, one
    Green, one Red only in the first team."""
    from scorecard.models import MonthlyReturn, ReturnValue

    authority = factories.authority()
    north, south = factories.area("North"), factories.area("South")
    south.order = 2
    south.save()
    red, green, half = (factories.measure(title=t) for t in ("% red", "% green", "% half"))
    for measure in (red, green, half):
        Target.objects.create(
            measure=measure, kind=Target.Kind.IN_YEAR, value=80, starts=date(2014, 4, 1)
        )
    figures = {north: {red: 50, green: 90, half: 50}, south: {red: 60, green: 95, half: 95}}
    for team, by_measure in figures.items():
        approved = factories.monthly_return(
            team,
            month=JANUARY,
            status=MonthlyReturn.Status.APPROVED,
            approved_at="2015-02-10T12:00Z",
        )
        for measure, seen in by_measure.items():
            ReturnValue.objects.create(
                monthly_return=approved,
                measure=measure,
                numerator=seen,
                denominator=100,
                commentary=f"{team.name} on {measure.title}",
            )
    engine.recalculate()
    return authority, north, south, red, green, half


def test_exceptions_of_the_authority_and_its_teams_in_order(stored, django_assert_num_queries):
    authority, north, south, red, green, half = stored
    with django_assert_num_queries(4):
        found = concern.exceptions(
            area=authority, month=JANUARY, visible_areas=ServiceArea.objects.all()
        )
    # 30.0, 25.0 and 30.0 points short are all five tolerances or more: a tie,
    # in the scorecard's order, the authority first
    assert [(c.measure, c.area, c.score) for c in found] == [
        (red, authority, 9),  # 55.0%
        (red, north, 9),  # 50.0%
        (half, north, 9),  # 50.0%
        (red, south, 8),  # 60.0%: four tolerances short
        (half, authority, D("5.50")),  # 72.5%
    ]
    assert found[1].reasons == "Red for 1 month; 30.0 points worse than the 80.0% target"
    assert all(c.result.month == JANUARY and c.result.measure == c.measure for c in found)


def test_a_teams_exceptions_are_its_own(stored):
    authority, north, south, red, green, half = stored
    found = concern.exceptions(area=south, month=JANUARY, visible_areas=ServiceArea.objects.all())
    assert [(c.measure, c.area) for c in found] == [(red, south)]


def test_the_authoritys_exceptions_leave_out_the_teams_a_reader_may_not_see(stored):
    authority, north, south, red, green, half = stored
    found = concern.exceptions(area=authority, month=JANUARY, visible_areas=[authority, south])
    assert {c.area for c in found} == {authority, south}


def test_the_query_count_does_not_grow_with_measures_and_areas(stored, django_assert_num_queries):
    authority = stored[0]
    factories.approved_returns(measures=6, area_count=3, months=14, name="More")
    engine.recalculate()
    with django_assert_num_queries(4):
        concern.exceptions(
            area=authority, month=date(2015, 2, 1), visible_areas=ServiceArea.objects.all()
        )


def test_the_words_from_the_engines_own_chart(db):
    """A team's staffing count below its mean for the last 7 of 19 months, against a
    target above the upper limit: each part as the engine stored it."""
    measure = factories.measure(
        title="Social workers in post",
        unit=Measure.Unit.COUNT,
        entry=Measure.Entry.COUNT,
        decimal_places=0,
        group_id="workforce",
    )
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=25, starts=FIRST)
    team = factories.area("Staffing team")
    history = [20, 22, 19, 21, 20, 22, 19, 21, 20, 22, 19, 21, 15, 14, 15, 14, 15, 15, 14]
    factories.monthly_counts(measure, team, history, first=FIRST)
    engine.recalculate()
    last = add_months(FIRST, len(history) - 1)
    (found,) = [c for c in concern.exceptions(area=team, month=last, visible_areas=[team])]
    assert found.result.spc_variation == spc.SPECIAL_CAUSE_CONCERNING
    assert found.reasons == (
        "Red for 7 months; 11 worse than the 25 target; "
        "special cause concern: 7 or more months in a row below the mean; "
        "consistently failing: the target lies beyond the process limits; worse than last month"
    )
    assert found.score == (
        concern.RED
        + 6 * concern.RED_PER_FURTHER_PERIOD
        + D("2.2") * concern.PER_TOLERANCE_SHORT  # 11 short on a tolerance of 5
        + concern.SPECIAL_CAUSE_CONCERN
        + concern.CONSISTENTLY_FAILING
        + concern.WORSENING
    )
