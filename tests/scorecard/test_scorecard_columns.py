"""The scorecard's columns (issues 17 and 18): what fits one screen shown by
default, in the reference scorecard's order, with units in every figure; the
other columns one choice away, by a plain GET form or a link, kept per reader;
SPC, comparisons and commentary in the table and its exports."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from scorecard import engine, roles, spc
from scorecard.models import Measure, MonthlyReturn, ReturnValue, ServiceArea, Target
from scorecard.tables import CHOICE_NAMES
from tests import factories

pytestmark = pytest.mark.django_db

FITS = [
    "measure",
    "m07",  # Nov 2014
    "m08",  # Dec 2014
    "m09",  # Jan 2015
    "stat_neighbours",
    "region",
    "england",
    "outturn",
    "target",
    "rag",
    "spc",
    "direction",
    "commentary",
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def header_columns(html) -> list[str]:
    """The table's column names, in order, from its header cells' classes."""
    thead = html.split('<thead class="govuk-table__head">')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" class="govuk-table__header col-(\w+)"', thead)


def header_text(html) -> list[str]:
    thead = html.split('<thead class="govuk-table__head">')[1].split("</thead>")[0]
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', thead, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def row_html(html, title) -> str:
    start = html.index(f">{title}</a>")
    return html[start : html.index("</tr>", start)]


def cell(html, title, column) -> str:
    found = re.search(
        rf'class="govuk-table__cell col-{column}">(.*?)</td>', row_html(html, title), re.S
    )
    return found.group(1) if found else ""


def test_by_default_the_columns_that_fit_the_screen_in_the_references_order(director_client):
    html = director_client.get("/scorecard/").content.decode()
    assert header_columns(html) == FITS
    assert header_text(html)[:8] == [
        "Measure",
        "Nov 2014",
        "Dec 2014",
        "Jan 2015",
        "Stat. neighbours",
        "South East",
        "National",  # the reference's name for England's average
        "Outturn",
    ]


def test_every_figure_says_its_unit(director_client):
    html = director_client.get("/scorecard/").content.decode()
    assert cell(html, "% repeat referrals", "outturn") == "31.0%"
    assert cell(html, "% repeat referrals", "target") == "25.0%"
    assert cell(html, "% repeat referrals", "m08") == "25.0%"
    assert cell(html, "% repeat referrals", "england").startswith("23.4%")
    rate = "Rate per 10,000 subject to a Child Protection Plan"
    assert cell(html, rate, "outturn") == '29.1<span class="app-unit"> per 10,000</span>'
    assert cell(html, rate, "england").startswith('42.1<span class="app-unit"> per 10,000</span>')


def test_spc_stands_beside_rag_in_words(director_client):
    html = director_client.get("/scorecard/").content.decode()
    columns = header_columns(html)
    assert columns.index("spc") == columns.index("rag") + 1
    # the sample holds ten months: too few for SPC, which says so
    assert "Fewer than 12 points" in cell(html, "% repeat referrals", "spc")


def test_a_long_history_shows_variation_and_assurance_in_words(client):
    measure = factories.measure(
        unit=Measure.Unit.COUNT,
        entry=Measure.Entry.COUNT,
        decimal_places=0,
        group_id="workforce",
        polarity=Measure.Polarity.HIGHER,
        title="Steady count",
    )
    Target.objects.create(
        measure=measure, kind=Target.Kind.IN_YEAR, value=10, starts=date(2010, 4, 1)
    )
    team = factories.area("Steady team")
    factories.monthly_counts(measure, team, [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 11, 10])
    engine.recalculate()
    client.force_login(factories.user("dir", roles.DIRECTORS))
    html = client.get(f"/scorecard/?area={team.pk}&month=2015-02").content.decode()
    spc_cell = cell(html, "Steady count", "spc")
    assert spc.COMMON_CAUSE.capitalize() in spc_cell
    assert spc.HIT_AND_MISS.capitalize() in spc_cell
    assert 'aria-hidden="true"' in spc_cell  # the icon; the words are what is read


def test_columns_chosen_with_a_plain_get_form_are_kept_for_the_reader(director_client):
    chosen = director_client.get(
        "/scorecard/?group=referrals&columns=chosen&show=baseline&show=year_to_date&show=nonsense"
    ).content.decode()
    columns = header_columns(chosen)
    assert "baseline" in columns and "year_to_date" in columns
    assert "commentary" not in columns  # not ticked
    assert columns.index("baseline") == 1  # baseline first, as the reference has it
    assert 'name="show" type="checkbox" value="baseline" checked' in chosen
    # the form keeps the filters shown
    assert '<input type="hidden" name="group" value="referrals">' in chosen
    # the next visit, with no choice in its address, shows the same columns
    assert header_columns(director_client.get("/scorecard/").content.decode()) == [
        c for c in columns
    ]


def test_every_column_is_one_link_away_and_back(director_client):
    html = director_client.get("/scorecard/").content.decode()
    assert 'href="?columns=all">Show every column</a>' in html
    every = header_columns(director_client.get("/scorecard/?columns=all").content.decode())
    assert set(CHOICE_NAMES) - {"earlier_months"} <= set(every)
    months = [c for c in every if re.fullmatch(r"m\d\d", c)]
    assert months == [f"m{i:02d}" for i in range(12)]  # April 2014 to March 2015
    again = director_client.get("/scorecard/").content.decode()
    assert header_columns(again) == every
    assert 'columns=fit">Show only the columns that fit the screen</a>' in again
    assert header_columns(director_client.get("/scorecard/?columns=fit").content.decode()) == FITS


def test_one_readers_choice_is_not_anothers(client, sample, django_user_model):
    client.force_login(django_user_model.objects.get(username="director"))
    client.get("/scorecard/?columns=all")
    client.force_login(django_user_model.objects.get(username="officer"))
    assert header_columns(client.get("/scorecard/").content.decode()) == FITS


def test_comparisons_as_columns(client):
    factories.approved_returns(measures=1, area_count=1, months=14, name="Team")
    engine.recalculate()
    measure = Measure.objects.get()
    Target.objects.create(
        measure=measure,
        kind=Target.Kind.LONG_TERM,
        value=90,
        starts=date(2014, 4, 1),
        due=date(2016, 2, 1),
    )
    client.force_login(factories.user("dir", roles.DIRECTORS))
    authority = ServiceArea.objects.authority()
    html = client.get(f"/scorecard/?area={authority.pk}&month=2015-02&columns=all").content.decode()
    title = measure.title
    # month i from January 2014 is ((i % 9) + 1) of 10: February 2015 is 5 of 10
    assert cell(html, title, "outturn").startswith("50.0%")
    assert cell(html, title, "last_year") == '20.0% <span class="app-period">Feb 2014</span>'
    assert cell(html, title, "year_to_date") == "49.1%"  # 54 of 110, April to February
    assert cell(html, title, "rolling_12_months") == "47.5%"  # 57 of 120, March to February
    # 10% in October 2014 to 50% in February 2015, all short of 80: Red since October
    assert cell(html, title, "rating_months") == "Red for 5 months"
    # 40 points in 12 months; August 2014 was 80%: -5 points a month since
    assert cell(html, title, "trajectory") == (
        "To reach 90.0% by February 2016: +3.3 points a month needed; "
        "the last 6 months: -5.0 points a month, not on course at the last 6 months&#x27; pace"
    )
    team = ServiceArea.objects.get(slug="team-0")
    html = client.get(f"/scorecard/?area={team.pk}&month=2015-02&columns=all").content.decode()
    # below the authority, months with fewer than 5 children are withheld: so are
    # the totals over them, which would give them away
    assert cell(html, title, "outturn").startswith("50.0%")
    assert cell(html, title, "year_to_date") == cell(html, title, "rolling_12_months") == "c"


def test_the_latest_commentary_collapsed_with_a_copy_for_print(director_client):
    html = director_client.get("/scorecard/").content.decode()
    commentary = cell(html, "Number of referrals", "commentary")
    assert commentary.startswith('<details class="govuk-details app-commentary-details">')
    assert "<details" in commentary and " open" not in commentary.split(">")[0]
    assert commentary.count("Referrals in January have decreased by 26%") == 2
    assert '<div class="app-print-only app-commentary-print">' in commentary


def test_a_team_scorecard_shows_the_teams_own_commentary(client, sample, django_user_model):
    first_response = ServiceArea.objects.get(slug="first-response")
    january = MonthlyReturn.objects.get(area=first_response, month=date(2015, 1, 1))
    referrals = Measure.objects.get(code="repeat-referrals")
    ReturnValue.objects.update_or_create(
        monthly_return=january,
        measure=referrals,
        defaults={"commentary": "First Response's own words"},
    )
    client.force_login(django_user_model.objects.get(username="director"))
    team = client.get(f"/scorecard/?area={first_response.pk}").content.decode()
    assert "First Response&#x27;s own words" in cell(team, "% repeat referrals", "commentary")
    assert "decreased by 26%" not in team  # the authority's words on referrals
    authority = client.get("/scorecard/").content.decode()
    assert "First Response&#x27;s own words" in cell(authority, "% repeat referrals", "commentary")


def test_the_export_carries_spc_and_commentary_in_words(director_client):
    response = director_client.get("/scorecard/?group=referrals&export=csv")
    text = response.content.decode("utf-8-sig")
    rows = {r["Measure"]: r for r in csv.DictReader(io.StringIO(text)) if r.get("Measure")}
    referrals = rows["% repeat referrals"]
    assert referrals["Variation and assurance (SPC)"].startswith("Fewer than 12 points")
    assert "Referrals in January have decreased by 26%" in rows["Number of referrals"]["Commentary"]
    assert "<" not in text


def test_the_measure_page_shows_the_comparisons(director_client):
    url = reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
    html = director_client.get(url).content.decode()
    assert "Same month last year (January 2014)" in html
    assert "No figure a year before" in html
    assert "Financial year to date (April 2014 to January 2015)" in html
    # the reference gives percentages only: no year to date, and it says why
    assert "given as percentages without their numerators and denominators" in html
    assert "Red for 1 month" in html
    assert (
        "To reach 23.0% by January 2016: -0.7 points a month needed; the last 6 months: "
        "0.0 points a month, not on course" in html
    )


def test_the_completeness_grid_shows_the_newest_month_first(client, sample, django_user_model):
    client.force_login(django_user_model.objects.get(username="officer"))
    html = client.get(reverse("completeness")).content.decode()
    thead = html.split("<thead")[1].split("</thead>")[0]
    months = re.findall(r">(\w{3} \d{4})</th>", thead)
    assert months[0] == "Feb 2015" and months == sorted(
        months,
        key=lambda m: (m[-4:], "JanFebMarAprMayJunJulAugSepOctNovDec".index(m[:3])),
        reverse=True,
    )


def scorecard_statements(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/scorecard/?columns=all")
    assert response.status_code == 200
    return len(queries)


def test_every_column_costs_the_same_statements_however_much_is_shown(client):
    """Comparisons, SPC and commentary read with the rest: no statement per row."""
    factories.approved_returns(measures=3, area_count=2, months=4, name="Small")
    engine.recalculate()
    director = factories.user("dir", roles.DIRECTORS)
    client.force_login(director)
    small = scorecard_statements(client)
    factories.approved_returns(measures=40, area_count=6, months=14, name="Large")
    for value in ReturnValue.objects.all()[:30]:
        value.commentary = f"Words on {value.measure_id}"
        value.save()
    engine.recalculate()
    client.force_login(director)
    assert scorecard_statements(client) == small
