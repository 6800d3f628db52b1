"""The director's exceptions page (issue 17, point 3) and the RAG summary's Reds
in the same order, with their SPC and commentary."""

import re
from datetime import date
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape

from scorecard import concern, engine, roles
from scorecard.models import MonthlyReturn, ReturnValue, ServiceArea, Target
from tests import factories

pytestmark = pytest.mark.django_db

JANUARY = date(2015, 1, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def rows(html):
    """Each table row's cells as text, in order."""
    found = []
    for row in re.findall(r'<tr class="govuk-table__row app-exception">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells])
    return found


def test_the_seeds_january_exceptions_in_order_of_concern(director_client):
    response = director_client.get("/exceptions/?month=2015-01")
    html = response.content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">Exceptions in' in html
    for heading in ("Rank", "Measure", "Area", "Figure", "Target", "RAG", "SPC"):
        assert f'<th scope="col" class="govuk-table__header">{heading}</th>' in html or (
            f'govuk-table__header--numeric">{heading}</th>' in html
        )
    shown = rows(html)
    assert [row[1] for row in shown] == [
        "% ICPC within 15 working days of the strategy discussion",
        "% assessments completed in 45 days",
        "% care leavers with an up-to-date pathway plan",
        "% repeat referrals",
        "% CLA placed no more than 20 miles from home",
        "% children seen during assessment",
    ]
    assert [row[0] for row in shown] == ["1", "2", "3", "4", "5", "6"]
    icpc = shown[0]
    assert icpc[2:6] == ["Buckinghamshire Children's Services", "44.0%", "70.0%", "Red"]
    assert icpc[6] == "Fewer than 12 points: no statistical process control"
    assert icpc[7] == (
        "Red for 1 month; 26.0 points worse than the 70.0% target; 21.7 points worse than "
        "statistical neighbours (65.7%, 2014) (score 11)"
    )
    assert shown[4][5] == "Green" and shown[4][7].startswith(
        "26.5 points worse than statistical neighbours (72.5%, 2014); worse than last month"
    )
    link = reverse("measure-detail", args=["icpc-15-days"]) + "?month=2015-01"
    assert f'href="{link}"' in html


def test_each_row_carries_its_latest_approved_commentary(director_client):
    jan = MonthlyReturn.objects.get(area__parent__isnull=True, month=JANUARY)
    ReturnValue.objects.filter(monthly_return=jan, measure__code="icpc-15-days").update(
        commentary="Conference capacity was reduced over Christmas."
    )
    engine.recalculate(trigger="test")
    shown = rows(director_client.get("/exceptions/?month=2015-01").content.decode())
    assert shown[0][8] == (
        "Buckinghamshire Children's Services: Conference capacity was reduced over Christmas."
    )
    assert shown[1][8] == "No commentary."


def test_the_navigation_puts_exceptions_straight_after_the_summary(director_client):
    html = director_client.get("/exceptions/").content.decode()
    labels = re.findall(
        r'class="govuk-service-navigation__link" href="[^"]*"[^>]*>([^<]+)</a>', html
    )
    assert labels[labels.index("RAG summary") + 1] == "Exceptions"
    assert 'href="/exceptions/" aria-current="page">Exceptions' in html


def test_an_area_not_among_the_readers_is_not_found(director_client):
    assert director_client.get("/exceptions/?area=999999").status_code == 404
    assert director_client.get("/exceptions/?area=x").status_code == 404
    assert director_client.get("/exceptions/?month=2015-13").status_code == 404


# --- teams ----------------------------------------------------------------------


@pytest.fixture
def teams(db):
    """Two teams' January: North Red on a measure (with its commentary), South
    Green on it (with its own), and a second measure Green everywhere."""
    factories.authority()
    north, south = factories.area("North"), factories.area("South")
    red, green = factories.measure(title="% seen in time"), factories.measure(title="% visited")
    for measure in (red, green):
        Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=80, starts=JANUARY)
    for team, seen in ((north, 50), (south, 95)):
        approved = factories.monthly_return(
            team,
            month=JANUARY,
            status=MonthlyReturn.Status.APPROVED,
            approved_at="2015-02-10T12:00Z",
        )
        factories.value(approved, red, 50 if team == north else 95, 100, commentary=f"{team} words")
        factories.value(approved, green, 90, 100)
    engine.recalculate()
    return north, south, red, green


def signed_in(client, role=roles.DIRECTORS):
    client.force_login(factories.user("reader", role))
    return client


def test_a_teams_row_links_to_its_own_measure_page_with_its_own_words(client, teams):
    north, south, red, _ = teams
    html = signed_in(client).get("/exceptions/?month=2015-01").content.decode()
    shown = rows(html)
    assert [(row[1], row[2]) for row in shown] == [
        ("% seen in time", "North"),  # 30.0 points short
        ("% seen in time", "The Authority"),  # 72.5%: 7.5 points short
    ]
    assert shown[0][8] == "North: North words"
    assert shown[1][8] == "North: North words South: South words"  # the authority: every team's
    link = reverse("measure-detail", args=[red.code]) + f"?month=2015-01&amp;area={north.pk}"
    assert f'href="{link}"' in html


def test_one_teams_exceptions_and_an_empty_month(client, teams):
    north, south, _, _ = teams
    client = signed_in(client)
    assert [
        row[2] for row in rows(client.get(f"/exceptions/?area={north.pk}").content.decode())
    ] == ["North"]
    html = client.get(f"/exceptions/?area={south.pk}&month=2015-01").content.decode()
    assert rows(html) == []
    assert "There are no exceptions for January 2015 in South" in html


def test_an_officer_reads_the_exceptions_and_a_team_manager_may_not(client, teams):
    north = teams[0]
    assert signed_in(client, roles.PERFORMANCE_OFFICERS).get("/exceptions/").status_code == 200
    client.force_login(factories.user("manager-n", roles.TEAM_MANAGERS, areas=[north]))
    assert client.get("/exceptions/").status_code == 403
    summary = client.get("/summary/?month=2015-01").content.decode()
    assert "% seen in time" in summary.split('id="revised"')[0]  # the authority's Red is listed
    assert "/exceptions/" not in summary  # with no link to a page the manager may not open
    client.force_login(factories.user("director-n", roles.DIRECTORS))
    assert "/exceptions/?month=2015-01" in client.get("/summary/").content.decode()


# --- the RAG summary ------------------------------------------------------------


def test_the_summarys_reds_follow_the_exceptions_order_with_their_reasons(director_client):
    response = director_client.get("/summary/?month=2015-01")
    summary = response.context["summary"]
    authority = ServiceArea.objects.authority()
    ranked = concern.exceptions(
        area=authority, month=JANUARY, visible_areas=ServiceArea.objects.all()
    )
    reds = [c.measure.code for c in ranked if c.area == authority and c.result.rating == "red"]
    assert (
        [item.measure.code for item in summary.red]
        == reds
        == [
            "icpc-15-days",
            "assessments-45-days",
            "care-leavers-pathway-plans",
            "repeat-referrals",
        ]
    )
    html = response.content.decode()
    positions = [html.index(f">{escape(item.measure.title)}</a></h3>") for item in summary.red]
    assert positions == sorted(positions)
    assert "<strong>Why it is a concern:</strong> Red for 1 month; 26.0 points worse" in html
    # SPC beside the RAG, in the Reds and in the groups
    red_part = html.split('id="revised"')[0]
    assert red_part.count("Fewer than 12 points: no statistical process control") == 4
    groups = html.split("By group")[1]
    assert groups.count("Fewer than 12 points: no statistical process control") >= 4


def test_the_summary_shows_the_commentary_under_each_red(director_client):
    jan = MonthlyReturn.objects.get(area__parent__isnull=True, month=JANUARY)
    ReturnValue.objects.filter(monthly_return=jan, measure__code="repeat-referrals").update(
        commentary="Repeat referrals rose with the new front door."
    )
    engine.recalculate(trigger="test")
    html = director_client.get("/summary/?month=2015-01").content.decode()
    red_list = html.split('id="revised"')[0]
    item = red_list.split(escape("% repeat referrals") + "</a></h3>")[1]
    assert "Repeat referrals rose with the new front door." in item.split("app-red-item")[0]


def test_the_exceptions_come_a_page_at_a_time_ranked_across_the_pages(director_client, monkeypatch):
    """The page's weight stays bounded however many exceptions there are (3.5 MB
    for the bench's 40 areas × 120 measures in one page): each page holds a fixed
    number, ranked on from the page before, and the pages are linked keeping the
    month and area."""
    from scorecard import views

    monkeypatch.setattr(views, "EXCEPTIONS_PER_PAGE", 4)
    first = director_client.get("/exceptions/?month=2015-01").content.decode()
    assert [row[0] for row in rows(first)] == ["1", "2", "3", "4"]
    assert "Exceptions 1 to 4 of 6, highest concern first." in first
    assert 'href="?month=2015-01&amp;page=2" rel="next"' in first
    second = director_client.get("/exceptions/?month=2015-01&page=2").content.decode()
    assert [row[0] for row in rows(second)] == ["5", "6"]
    assert [row[1] for row in rows(second)] == [
        "% CLA placed no more than 20 miles from home",
        "% children seen during assessment",
    ]
    assert 'aria-current="page">2</a>' in second
    assert "<title>Exceptions (page 2 of 2), " in second
    assert 'href="?month=2015-01&amp;page=1" rel="prev"' in second
    # a page past the last is the last; a page that is not a number, the first
    assert rows(director_client.get("/exceptions/?month=2015-01&page=9").content.decode()) == (
        rows(second)
    )
    assert rows(director_client.get("/exceptions/?month=2015-01&page=x").content.decode()) == (
        rows(first)
    )
