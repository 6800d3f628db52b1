"""Figures that fit wherever they go (issue 12, point 4): the largest figure the
return page accepts, in every team's return, approved and recalculated on
PostgreSQL, gives a run that succeeds; the next figure up is refused at entry;
and a run that still cannot store a result says which figure it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import modify_settings
from django.urls import reverse

from scorecard import engine, figures, limits, roles, services
from scorecard.models import (
    CalculationRun,
    MeasureGroup,
    MonthlyReturn,
    Population,
    PublishedFigure,
    ReturnValue,
    ScorecardResult,
)
from tests import factories
from tests.scorecard import oversized
from workforce.models import Staffing

FEB = date(2015, 2, 1)
TEAMS = 7
LARGEST = "9,999,999,999"  # 10,000,000,000 is refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(db):
    return {
        "ratio": factories.measure(title="% seen", polarity="none"),
        "count": factories.measure(
            title="Referrals", unit="count", entry="count", polarity="none", decimal_places=0
        ),
        "rate": factories.measure(
            title="Referrals per 10,000 children",
            unit="rate_10k",
            entry="count",
            polarity="none",
            decimal_places=1,
        ),
        "value": factories.measure(
            title="Caseload", unit="count", entry="value", polarity="none", decimal_places=4
        ),
    }


def typed_for(measure, figure):
    if measure.entry == "ratio":
        return {"numerator": figure, "denominator": figure}
    if measure.entry == "count":
        return {"numerator": figure}
    return {"value": figure}


def enter(client, monthly_return, measures, figure, *, submit):
    data = {
        "version": MonthlyReturn.objects.get(pk=monthly_return.pk).version,
        "submit" if submit else "save": "1",
    }
    for measure in measures.values():
        data.update(
            {f"m{measure.pk}_{name}": text for name, text in typed_for(measure, figure).items()}
        )
    return client.post(reverse("return-detail", args=[monthly_return.pk]), data)


def teams_enter_and_officer_approves(client, measures, figure):
    officer = factories.user("po-limits", roles.PERFORMANCE_OFFICERS, is_staff=True)
    authority = factories.authority()
    Population.objects.create(area=authority, year=2015, children_0_17=1)
    for n in range(TEAMS):
        team = factories.area(f"Team {n}")
        Population.objects.create(area=team, year=2015, children_0_17=1)
        manager = factories.user(f"tm-limits-{n}", roles.TEAM_MANAGERS, areas=[team])
        monthly_return = factories.monthly_return(team, FEB)
        for measure in measures.values():
            factories.value(monthly_return, measure)
        client.force_login(manager)
        response = enter(client, monthly_return, measures, figure, submit=True)
        assert response.status_code == 302, response.content.decode()[:2000]
        services.transition_return(user=officer, monthly_return=monthly_return, action="approve")


def test_the_largest_figure_accepted_in_every_teams_return_recalculates(client, measures):
    teams_enter_and_officer_approves(client, measures, LARGEST)
    largest = Decimal(9_999_999_999)
    assert set(ReturnValue.objects.values_list("numerator", flat=True)) == {largest, None}

    run = engine.recalculate(months=[FEB], trigger="test")

    assert run.outcome == CalculationRun.Outcome.SUCCEEDED
    authority = factories.authority()
    pooled = ScorecardResult.objects.get(measure=measures["ratio"], area=authority, month=FEB)
    assert (pooled.numerator, pooled.denominator, pooled.value) == (
        TEAMS * largest,
        TEAMS * largest,
        100,
    )
    count = ScorecardResult.objects.get(measure=measures["count"], area=authority, month=FEB)
    assert count.value == TEAMS * largest
    rate = ScorecardResult.objects.get(measure=measures["rate"], area=authority, month=FEB)
    assert rate.value == TEAMS * largest * 10_000  # a population of one child
    assert PublishedFigure.objects.get(measure=measures["rate"], area=authority).value == (
        TEAMS * largest * 10_000
    )


def test_a_figure_past_the_limit_is_refused_at_entry_with_a_clear_message(
    client, measures, area, team_manager
):
    monthly_return = factories.monthly_return(area, FEB)
    for measure in measures.values():
        factories.value(monthly_return, measure)
    client.force_login(team_manager)
    response = enter(client, monthly_return, measures, "10,000,000,000", submit=False)
    assert response.status_code == 400
    html = response.content.decode()
    assert "% seen: The numerator must be less than 10,000,000,000" in html
    assert "Referrals: The figure must be less than 10,000,000,000" in html
    assert "Caseload: The figure must be less than 10,000,000,000" in html
    assert not ReturnValue.objects.filter(numerator__isnull=False).exists()
    assert not ReturnValue.objects.filter(value__isnull=False).exists()


def test_the_largest_staffing_figures_in_every_team_recalculate(db):
    from tests.workforce.conftest import MEASURES

    for code, spec in MEASURES.items():
        factories.measure(code=code, group_id=MeasureGroup.WORKFORCE, polarity="lower", **spec)
    largest = limits.STAFFING_BOUND - Decimal("0.01")
    for n in range(TEAMS):
        team = factories.area(f"Team {n}")
        for back in range(12):  # a complete year, so turnover is computed too
            month = date(2014, 3 + back, 1) if back < 10 else date(2015, back - 9, 1)
            monthly_return = MonthlyReturn.objects.create(
                area=team,
                month=month,
                status=MonthlyReturn.Status.APPROVED,
                approved_at="2015-03-01T12:00Z",
            )
            Staffing.objects.create(
                monthly_return=monthly_return,
                fte_in_post=Decimal("0.01"),
                establishment_fte=largest,
                vacancies_fte=largest,
                agency_fte=largest,
                starters_fte=largest,
                leavers_fte=largest,
                days_available=largest,
                days_lost=largest,
                open_cases=limits.STAFFING_BOUND - 1,
            )

    run = engine.recalculate(months=[FEB], trigger="test")

    assert run.outcome == CalculationRun.Outcome.SUCCEEDED
    assert ScorecardResult.objects.filter(
        area=factories.authority(), value__isnull=False, month=FEB
    ).count() == len(MEASURES)


def test_a_result_too_large_to_store_fails_the_run_naming_the_figure(db, measures):
    """No figure the forms or the importer accept gets here; a figure source
    that produced one must not fail as 'numeric field overflow'."""
    team = factories.area("North")
    monthly_return = factories.monthly_return(
        team, FEB, status=MonthlyReturn.Status.APPROVED, approved_at="2015-03-01T12:00Z"
    )
    factories.value(monthly_return, measures["value"], value=1)
    huge = limits.RESULT_VALUE.bound

    oversized.FIGURES[(measures["value"].code, team.pk, FEB)] = figures.Figure(value=huge)
    try:
        with (
            modify_settings(INSTALLED_APPS={"append": "tests.scorecard.oversized"}),
            pytest.raises(engine.CalculationFailed) as failure,
        ):
            engine.recalculate(months=[FEB], trigger="test")
    finally:
        oversized.FIGURES.clear()
    message = str(failure.value)
    assert "North, Caseload, February 2015: the value 100,000,000,000,000,000,000" in message
    run = CalculationRun.objects.get()
    assert run.outcome == CalculationRun.Outcome.FAILED
    assert "North, Caseload, February 2015" in run.error
    assert "numeric field overflow" not in run.error


def test_the_result_columns_hold_the_largest_pooled_figures():
    """The bound, worked out: the most summands allowed, each the largest figure."""
    summands = 10**limits.POOLED_DIGITS - 1
    largest = limits.ENTERED_BOUND - 1
    assert limits.RESULT_COUNT.holds(summands * largest)
    assert limits.RESULT_VALUE.holds(summands * largest * 10_000 / 1)  # per 10,000, one child
    assert limits.RESULT_VALUE.holds(Decimal(100))
    assert limits.RESULT_COUNT.holds(summands * (limits.STAFFING_BOUND - Decimal("0.01")) * 12)
    # turnover: 12 months of leavers over the smallest average in post
    turnover = 12 * (limits.STAFFING_BOUND - Decimal("0.01")) * 100 / (Decimal("0.01") / 12)
    assert limits.RESULT_VALUE.holds(turnover)
    assert not limits.RESULT_COUNT.holds(limits.RESULT_COUNT.bound - Decimal("0.001"))


@pytest.mark.parametrize(
    "model, name, column",
    [
        (ReturnValue, "numerator", limits.ENTERED_COUNT),
        (ReturnValue, "denominator", limits.ENTERED_COUNT),
        (ReturnValue, "value", limits.ENTERED_VALUE),
        (ScorecardResult, "numerator", limits.RESULT_COUNT),
        (ScorecardResult, "denominator", limits.RESULT_COUNT),
        (ScorecardResult, "value", limits.RESULT_VALUE),
        (ScorecardResult, "year_to_date", limits.RESULT_VALUE),
        (ScorecardResult, "rolling_12_months", limits.RESULT_VALUE),
        (ScorecardResult, "published_value", limits.RESULT_VALUE),
        (ScorecardResult, "target", limits.RESULT_TARGET),
        (PublishedFigure, "value", limits.RESULT_VALUE),
        (Staffing, "fte_in_post", limits.STAFFING_FIGURE),
        (Staffing, "days_available", limits.STAFFING_FIGURE),
        (Staffing, "open_cases", limits.STAFFING_COUNT),
    ],
)
def test_every_column_is_as_wide_as_the_limits_say(model, name, column):
    field = model._meta.get_field(name)
    assert (field.max_digits, field.decimal_places) == (
        column.field["max_digits"],
        column.field["decimal_places"],
    )
