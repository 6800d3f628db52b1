"""The workforce page and its exports, on the sample: who sees which teams,
the seed's figures as people read them, and a fixed number of queries."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecard import aggregation, engine
from tests import factories
from workforce import measures

from .conftest import staffing

pytestmark = pytest.mark.django_db
ALL_TEAMS = "Qualified social workers, all teams (Buckinghamshire Children's Services)"
TEAMS = [
    "First Response",
    "Children in Need South",
    "Children in Need North",
    "Care Services",
    "Children with Disabilities & Children in Care",
    "Family Resilience Service",
]


def rows(response):
    text = response.content.decode("utf-8-sig")
    return {row["Team"]: row for row in csv.DictReader(io.StringIO(text))}


def test_directors_see_every_team_with_sickness_rated_in_words(login):
    response = login("director").get("/workforce/?month=2014-12")
    assert response.status_code == 200
    assert [row.label for row in response.context["page"].rows] == [*TEAMS, ALL_TEAMS]
    html = response.content.decode()
    assert "<caption" in html and "Workforce by team, December 2014" in html
    table = rows(login("director").get("/workforce/?month=2014-12&export=csv"))
    assert {team: table[team]["Sickness rate (%)"] for team in table} == {
        "First Response": "3.1",
        "Children in Need South": "3.6",
        "Children in Need North": "5.8",
        "Care Services": "2.7",
        "Children with Disabilities & Children in Care": "6.6",
        "Family Resilience Service": "7.9",
        ALL_TEAMS: "5.4",
    }
    assert table["Family Resilience Service"]["Sickness RAG"] == "Red"
    assert table["First Response"]["Sickness RAG"] == "Green"
    assert table["First Response"]["In post (FTE)"] == "27"
    assert '<strong class="govuk-tag rag rag--red">Red</strong>' in html


def test_the_page_opens_on_the_newest_month_with_turnover_against_the_neighbours(login):
    response = login("director").get("/workforce/")
    page = response.context["page"]
    assert page.month == date(2015, 1, 1)
    turnover = page.turnover[0]
    assert (turnover.label, turnover.result.value) == (ALL_TEAMS, Decimal("11.6"))
    assert page.turnover_benchmark.value == 16
    html = response.content.decode()
    assert "Turnover in the 12 months to January 2015" in html
    assert "16.0 (2014)" in html and ">Better</td>" in html
    assert 'aria-labelledby="turnover-title"' in html
    assert "Statistical neighbours (2014)" in html  # the comparator's bar, named in words


def test_first_responses_headcount_trend_as_a_chart_and_a_table(login):
    response = login("director").get("/workforce/?month=2015-01")
    page = response.context["page"]
    first_response = page.headcount[0]
    assert first_response.label == "First Response"
    assert [value for _, value in first_response.points] == [
        None,
        None,
        13,
        13,
        13,
        13,
        13,
        27,
        27,
        27,
        27,
        31,
    ]  # February 2014 to January 2015
    html = response.content.decode()
    assert (
        '<title id="headcount-first-response-title">First Response: qualified social '
        "workers in post (FTE), February 2014 to January 2015</title>"
    ) in html
    assert "Qualified social workers in post (FTE) by team and month" in html
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Jan 2015' in html
    )


def test_team_managers_see_their_own_team_and_the_staff_group_only(login):
    client = login("manager")  # First Response
    response = client.get("/workforce/?month=2014-12")
    assert response.status_code == 200
    assert [row.label for row in response.context["page"].rows] == ["First Response", ALL_TEAMS]
    html = response.content.decode()
    assert "Family Resilience Service" not in html
    assert list(rows(client.get("/workforce/?month=2014-12&export=csv"))) == [
        "First Response",
        ALL_TEAMS,
    ]


def test_someone_without_a_role_is_refused(client, sample):
    client.force_login(factories.user("nobody"))
    assert client.get("/workforce/").status_code == 403


def test_the_navigation_links_the_page_for_every_role(login):
    for username in ["director", "officer", "manager"]:
        html = login(username).get("/summary/").content.decode()
        assert 'href="/workforce/">Workforce</a>' in html


def test_the_csv_export_carries_words_not_markup(login):
    response = login("officer").get("/workforce/?month=2014-12&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="workforce-2014-12.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    assert "<" not in response.content.decode()
    assert list(rows(response)[ALL_TEAMS]) == [
        "Team",
        "In post (FTE)",
        "In post (headcount)",
        "Vacancies (FTE)",
        "Vacancy rate (%)",
        "Agency (FTE)",
        "Agency rate (%)",
        "Sickness rate (%)",
        "Sickness RAG",
        "Cases per FTE",
        "Provisional",
        "Staffing commentary",
    ]


def xlsx_table(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    at = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Team")
    header = [cell.value for cell in sheet[at]]
    table = {
        row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=at + 1)
    }
    return sheet, at, table


def test_the_xlsx_export_holds_numbers_with_their_formats_and_says_what_it_is(login):
    response = login("director").get("/workforce/?month=2014-12&export=xlsx")
    sheet, at, table = xlsx_table(response)
    assert sheet.title == "Workforce Dec 2014"
    assert sheet["A1"].value == "Workforce by team, December 2014"
    assert sheet["A2"].value == "Buckinghamshire Children's Services"
    assert sheet["A3"].value.startswith("Calculated at ")
    assert sheet.freeze_panes == f"B{at + 1}"
    sickness = table["Family Resilience Service"]["Sickness rate (%)"]
    assert (sickness.value, sickness.data_type, sickness.number_format) == (7.9, "n", "#,##0.0")
    rag = table["Family Resilience Service"]["Sickness RAG"]
    assert rag.value == "Red" and rag.fill.fgColor.rgb.endswith("F6D7D2")
    in_post = table["First Response"]["In post (FTE)"]
    assert (in_post.value, in_post.data_type) == (27, "n")
    assert table["First Response"]["In post (headcount)"].value == 27


def test_the_seeds_staffing_words_are_on_the_page_and_in_both_exports(login):
    said = (
        "First Response went from 13 to 27 social workers from September and a further 4 "
        "to meet increases in demand in January."
    )
    client = login("director")
    html = client.get("/workforce/?month=2015-01").content.decode()
    assert "Staffing commentary</h2>" in html and said in html
    csv_rows = rows(client.get("/workforce/?month=2015-01&export=csv"))
    assert csv_rows["First Response"]["Staffing commentary"] == f"First Response: {said}"
    assert csv_rows["First Response"]["In post (headcount)"] == "31"
    assert csv_rows["Care Services"]["Staffing commentary"] == ""
    _, _, table = xlsx_table(client.get("/workforce/?month=2015-01&export=xlsx"))
    assert table["First Response"]["Staffing commentary"].value == f"First Response: {said}"
    page = client.get("/workforce/?month=2014-12").content.decode()
    assert said not in page  # December's page shows nothing said later


@pytest.mark.parametrize(
    "query", ["?month=2015-13", "?month=January", "?month=2013-01", "?month=2014-12&export=pdf"]
)
def test_unknown_months_and_formats_are_not_found(login, query):
    assert login("director").get(f"/workforce/{query}").status_code == 404


def test_with_nothing_calculated_the_page_says_so(client, director):
    client.force_login(director)
    response = client.get("/workforce/")
    assert response.status_code == 200
    assert "There are no calculated workforce figures yet." in response.content.decode()


def build(team_count, months, name):
    teams = [factories.area(f"{name} {i}") for i in range(team_count)]
    for i in range(months):
        month = aggregation.add_months(date(2014, 2, 1), i)
        for team in teams:
            staffing(
                team,
                month,
                fte_in_post=20,
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


def count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/workforce/?month=2015-01")
    assert response.status_code == 200
    return len(queries), response


def test_the_number_of_queries_does_not_grow_with_the_data(client, director, workforce_measures):
    client.force_login(director)
    build(team_count=1, months=12, name="Small")
    small, _ = count_queries(client)
    build(team_count=8, months=24, name="Large")
    large, response = count_queries(client)
    assert len(response.context["page"].rows) == 10
    assert response.context["page"].rows[1].results[measures.TURNOVER].value == 60
    assert large == small, (small, large)
