"""Quarterly and annual measures, year-to-date figures and benchmark periods, from
the returns to the pages: the months between quarters are not due (never
missing), 'since last period' compares quarter with quarter, charts join the
quarters, completeness counts only what is due."""

from datetime import date

import pytest
from django.urls import reverse

from scorecard import deadlines, engine, opening, reports, selectors
from scorecard.models import Benchmark, Measure, MonthlyReturn, ScorecardResult, Target
from scorecard.views import measure_chart
from tests import factories

APPROVED = MonthlyReturn.Status.APPROVED
JUN, JUL, AUG, SEP, OCT = (date(2014, m, 1) for m in (6, 7, 8, 9, 10))
pytestmark = pytest.mark.django_db


@pytest.fixture
def north(db):
    return factories.area("North")


@pytest.fixture
def quarterly(north):
    measure = factories.measure(title="% visits in time", frequency="quarterly")
    measure.reporting_areas.set([north])
    Target.objects.create(measure=measure, kind="in_year", value=85, starts=date(2014, 4, 1))
    return measure


@pytest.fixture
def monthly(north):
    measure = factories.measure(title="% seen")
    measure.reporting_areas.set([north])
    return measure


def approved_return(area, month):
    monthly_return, _ = MonthlyReturn.objects.get_or_create(
        area=area, month=month, defaults={"status": APPROVED, "approved_at": "2014-11-01T12:00Z"}
    )
    return monthly_return


@pytest.fixture
def june_and_september(north, quarterly, monthly):
    """Approved returns for June to September; the quarterly figure only in June
    (80%) and September (90%), the monthly one every month."""
    for month in (JUN, JUL, AUG, SEP):
        monthly_return = approved_return(north, month)
        factories.value(monthly_return, monthly, numerator=9, denominator=10)
    factories.value(approved_return(north, JUN), quarterly, numerator=8, denominator=10)
    factories.value(approved_return(north, SEP), quarterly, numerator=9, denominator=10)


def result(measure, area, month):
    return ScorecardResult.objects.get(measure=measure, area=area, month=month)


def test_the_months_between_quarters_are_not_due_rather_than_missing(
    north, quarterly, june_and_september
):
    engine.recalculate()
    for month in (JUL, AUG):
        between = result(quarterly, north, month)
        assert not between.due
        assert not between.provisional
        assert between.returns_expected == 0
        assert between.rating == "none" and between.value is None
    assert result(quarterly, north, SEP).due and result(quarterly, north, SEP).value == 90


def test_since_last_period_compares_september_with_june(north, quarterly, june_and_september):
    engine.recalculate()
    september = result(quarterly, north, SEP)
    assert september.against_last_month == "improving"  # 90% against June's 80%
    assert result(quarterly, factories.authority(), SEP).against_last_month == "improving"


def test_the_scorecard_shows_not_due_and_the_latest_quarter_labelled(
    client, director, north, quarterly, june_and_september
):
    approved_return(north, OCT)
    engine.recalculate(months=[JUN, JUL, AUG, SEP, OCT])
    scorecard = reports.build_scorecard(area=north, month=OCT)
    row = next(r for r in scorecard.rows if r.measure == quarterly)
    assert row.current.month == SEP and row.current_period == "Q2 2014-15 (Jul–Sep 2014)"
    client.force_login(director)
    html = client.get(reverse("scorecard"), {"area": north.pk, "month": "2014-10"}).content
    html = html.decode()
    assert "not due" in html
    assert "Q2 2014-15 (Jul–Sep 2014)" in html


def test_the_summary_compares_the_quarter_shown_with_the_one_shown_last_month(
    north, quarterly, june_and_september
):
    approved_return(north, OCT)
    engine.recalculate(months=[JUN, JUL, AUG, SEP, OCT])
    authority = factories.authority()
    october = reports.build_summary(area=authority, month=OCT, visible_areas=[north, authority])
    item = next(i for _, items in october.groups for i in items if i.measure == quarterly)
    assert item.current.month == SEP and item.previous.month == SEP


def test_the_return_form_does_not_ask_for_a_quarterly_measure_between_quarters(
    client, north, quarterly, monthly
):
    opening.open_returns(JUL)
    opening.open_returns(SEP)
    july = MonthlyReturn.objects.get(area=north, month=JUL)
    assert list(july.values.values_list("measure", flat=True)) == [monthly.pk]
    september = MonthlyReturn.objects.get(area=north, month=SEP)
    assert set(september.values.values_list("measure", flat=True)) == {monthly.pk, quarterly.pk}


def test_a_july_return_holding_a_quarterly_row_submits_without_it(
    client, north, quarterly, monthly
):
    manager = factories.user("tm", "Team managers", areas=[north])
    july = factories.monthly_return(north, JUL)
    seen = factories.value(july, monthly)
    factories.value(july, quarterly)  # opened before the measure became quarterly
    assert [line.measure for line in selectors.return_lines(july)] == [monthly]
    client.force_login(manager)
    response = client.post(
        reverse("return-detail", args=[july.pk]),
        {"version": 1, f"m{monthly.pk}_numerator": "9", f"m{monthly.pk}_denominator": "10"}
        | {"submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()
    assert MonthlyReturn.objects.get(pk=july.pk).status == "submitted"
    seen.refresh_from_db()
    assert seen.numerator == 9


def test_a_big_change_is_judged_against_last_quarter(north, quarterly):
    factories.value(approved_return(north, JUN), quarterly, numerator=4, denominator=10)
    september = factories.monthly_return(north, SEP)
    factories.value(september, quarterly)
    (line,) = selectors.return_lines(september)
    assert line.previous == 40  # June's figure, not August's (none)
    from scorecard.forms import ReturnForm

    form = ReturnForm(
        {
            "version": 1,
            f"m{quarterly.pk}_numerator": "9",
            f"m{quarterly.pk}_denominator": "10",
        },
        lines=[line],
    )
    assert form.is_valid()
    (note,) = [n for n in form.notes[quarterly.pk] if "change" in n]
    assert "from last quarter" in note
    assert line.previous_label == "Last quarter"


def test_completeness_counts_only_the_figures_due(north, quarterly, monthly):
    opening.open_returns(JUL)
    opening.open_returns(SEP)
    grid = deadlines.completeness_grid([JUL, SEP], [north], today=date(2014, 12, 1))
    july, september = grid.rows[0].cells
    assert (july.figures_in, july.figures_due) == (0, 1)
    assert (september.figures_in, september.figures_due) == (0, 2)


def test_the_chart_joins_the_quarters(north, quarterly, june_and_september):
    engine.recalculate()
    detail = reports.build_measure_detail(
        measure=quarterly, area=north, month=SEP, visible_areas=[north]
    )
    chart = str(measure_chart(detail))
    assert chart.count('class="chart__outturn"') == 1  # one line, June to September
    assert chart.count('class="chart__point') == 2
    assert detail.current.month == SEP


def test_a_year_to_date_figure_is_never_summed_across_months(north):
    ytd = factories.measure(title="% plans in time, year to date", year_to_date=True)
    ytd.reporting_areas.set([north])
    factories.value(approved_return(north, date(2014, 4, 1)), ytd, numerator=1, denominator=10)
    factories.value(approved_return(north, date(2014, 5, 1)), ytd, numerator=6, denominator=20)
    engine.recalculate()
    may = result(ytd, north, date(2014, 5, 1))
    assert may.year_to_date == 30  # May's own year-to-date figure, not 7 of 30
    assert may.rolling_12_months is None  # no March (a whole year) in the last 12 months


def test_a_year_to_date_measure_says_so_beside_its_figure(client, director, north):
    ytd = factories.measure(title="% plans in time", year_to_date=True)
    ytd.reporting_areas.set([north])
    factories.value(approved_return(north, date(2014, 5, 1)), ytd, numerator=6, denominator=20)
    engine.recalculate()
    client.force_login(director)
    html = client.get(reverse("scorecard"), {"area": north.pk, "month": "2014-05"}).content
    assert "year to date" in html.decode()
    page = client.get(reverse("measure-detail", args=[ytd.code]), {"area": north.pk})
    assert "year to date" in page.content.decode()


def test_a_benchmark_belongs_to_a_period_and_is_compared_from_its_start(north, monthly):
    Benchmark.objects.create(measure=monthly, comparator="england", period="2014-15", value=95)
    Benchmark.objects.create(measure=monthly, comparator="region", period="Q3 2014-15", value=80)
    for month in (date(2014, 3, 1), SEP, date(2014, 10, 1)):
        factories.value(approved_return(north, month), monthly, numerator=9, denominator=10)
    engine.recalculate()
    assert result(monthly, north, date(2014, 3, 1)).benchmark_comparison == {}
    assert result(monthly, north, SEP).benchmark_comparison == {"england": "worse"}
    assert result(monthly, north, date(2014, 10, 1)).benchmark_comparison == {
        "england": "worse",
        "region": "better",
    }
    row = next(
        r for r in reports.build_scorecard(area=north, month=OCT).rows if r.measure == monthly
    )
    shown = {comparator: str(b.period) for comparator, b in row.benchmarks.items()}
    assert shown == {"england": "2014-15", "region": "Q3 2014-15"}


def test_a_measure_is_monthly_unless_said_otherwise(db):
    measure = factories.measure()
    assert measure.frequency == Measure.Frequency.MONTHLY and not measure.year_to_date


def test_an_officer_types_the_benchmark_period_and_a_wrong_one_is_refused_at_the_field(
    client, administrator, monthly
):
    client.force_login(administrator)
    url = reverse("admin:scorecard_benchmark_add")
    typed = {"measure": monthly.pk, "comparator": "england", "value": "23.4", "source": ""}
    refused = client.post(url, typed | {"period": "2020-22"})
    assert refused.status_code == 200
    assert "is not a period: give a financial year (2020-21)" in refused.content.decode()
    assert not Benchmark.objects.exists()
    assert client.post(url, typed | {"period": "Q1 2021-22"}).status_code == 302
    saved = Benchmark.objects.get()
    assert (saved.period_kind, saved.period_start) == ("quarter", date(2021, 4, 1))
