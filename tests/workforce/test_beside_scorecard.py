"""The workforce in the same story as the performance measures: a team's
scorecard shows its staffing beside its measures, and the RAG summary the
staff group's with the teams' staffing commentary; both read approved figures
only and make no more statements as the teams and months grow."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard import aggregation, engine
from scorecard.models import MonthlyReturn, ServiceArea
from tests import factories
from workforce.models import Staffing

from .conftest import staffing

pytestmark = pytest.mark.django_db
SAID = (
    "First Response went from 13 to 27 social workers from September and a further 4 "
    "to meet increases in demand in January."
)


def staffing_block(html):
    start = html.index('<section class="app-staffing"')
    return html[start : html.index("</section>", start)]


def test_a_teams_scorecard_shows_its_staffing_beside_its_measures(login):
    first_response = ServiceArea.objects.get(slug="first-response")
    html = login("director").get(f"/scorecard/?area={first_response.pk}&month=2015-01")
    block = staffing_block(html.content.decode())
    assert "Staffing of First Response</h2>" in block
    assert "<caption" in block and "First Response: staffing as at January 2015" in block
    assert (
        '<th scope="row" class="govuk-table__header">Qualified social workers in post (FTE)</th>\n'
        '    <td class="govuk-table__cell govuk-table__cell--numeric">31</td>'
    ) in block
    assert "Qualified social workers in post (headcount)</th>" in block
    for label in ("Vacancy rate", "Agency share", "Sickness rate", "Turnover over 12 months"):
        assert label in block
    assert f"<strong>First Response:</strong> {SAID}" in block


def test_december_shows_the_teams_sickness_rated_in_words(login):
    first_response = ServiceArea.objects.get(slug="first-response")
    html = login("director").get(f"/scorecard/?area={first_response.pk}&month=2014-12")
    block = staffing_block(html.content.decode())
    assert "3.1%" in block and ">Green</strong>" in block
    assert "No staffing commentary." in block  # the words came in January


def test_the_rag_summary_carries_the_staff_group_and_the_teams_words(login):
    html = login("director").get("/summary/?month=2015-01").content.decode()
    block = staffing_block(html)
    assert "Qualified social workers, all teams (Buckinghamshire Children" in block
    assert f"<strong>First Response:</strong> {SAID}" in block
    assert "11.6%" in block  # the staff group's turnover


def test_only_approved_staffing_and_words_are_shown(login, sample):
    care = ServiceArea.objects.get(slug="care-services")
    draft = MonthlyReturn.objects.create(area=care, month=date(2015, 1, 1))
    Staffing.objects.create(monthly_return=draft, fte_in_post=40, commentary="Draft words")
    cache.clear()
    html = login("director").get(f"/scorecard/?area={care.pk}&month=2015-01").content.decode()
    block = staffing_block(html)
    assert "Draft words" not in block and ">40<" not in block
    assert "no approved figure" in block
    summary = login("director").get("/summary/?month=2015-01").content.decode()
    assert "Draft words" not in summary


def test_a_team_manager_reads_no_other_teams_words_in_the_summary(login):
    care = ServiceArea.objects.get(slug="care-services")
    monthly_return = MonthlyReturn.objects.get(area=care, month=date(2014, 12, 1))
    Staffing.objects.create(monthly_return=monthly_return, commentary="Words of Care Services")
    cache.clear()
    assert (
        "Words of Care Services"
        in login("director").get("/summary/?month=2015-01").content.decode()
    )
    assert "Words of Care Services" not in (
        login("manager").get("/summary/?month=2015-01").content.decode()
    )


def build(team_count, months, name):
    teams = [factories.area(f"{name} {i}") for i in range(team_count)]
    for i in range(months):
        month = aggregation.add_months(date(2014, 2, 1), i)
        for team in teams:
            staffing(
                team,
                month,
                fte_in_post=20,
                headcount_in_post=21,
                establishment_fte=24,
                vacancies_fte=4,
                agency_fte=2,
                starters_fte=1,
                leavers_fte=1,
                days_available=400,
                days_lost=8,
                open_cases=300,
            )
    engine.recalculate()
    return teams


def statements(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert '<section class="app-staffing"' in response.content.decode()
    return len(queries)


def test_the_staffing_beside_the_scorecard_costs_the_same_at_any_size(
    client, director, workforce_measures
):
    client.force_login(director)
    small_team = build(team_count=1, months=12, name="Small")[0]
    small = [
        statements(client, f"/scorecard/?area={small_team.pk}&month=2015-01"),
        statements(client, "/summary/?month=2015-01"),
    ]
    large_team = build(team_count=8, months=24, name="Large")[0]
    large = [
        statements(client, f"/scorecard/?area={large_team.pk}&month=2015-01"),
        statements(client, "/summary/?month=2015-01"),
    ]
    assert large == small
