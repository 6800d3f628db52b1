"""The directors' pages: the scorecard with its filters and exports, the RAG
summary, the measure detail; scope, speed and the cache."""

import csv
import io
import statistics
import time
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from scorecard import engine
from scorecard.models import Measure, ScorecardResult, ServiceArea

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def shown_measures(html):
    return {m.title for m in Measure.objects.all() if f">{escape(m.title)}</a>" in html}


def escape(text):
    from django.utils.html import escape as html_escape

    return html_escape(text)


def test_the_scorecard_opens_on_the_latest_month_with_figures(director_client):
    html = director_client.get("/scorecard/").content.decode()
    assert "as at January 2015" in html
    assert 'rag rag--red">Red<' in html


def test_filter_by_group(director_client):
    html = director_client.get("/scorecard/?group=care_leavers").content.decode()
    assert shown_measures(html) == {"% care leavers with an up-to-date pathway plan"}


def test_filter_by_rag(director_client):
    html = director_client.get("/scorecard/?rag=amber").content.decode()
    assert shown_measures(html) == {"% children seen during assessment"}
    html = director_client.get("/scorecard/?rag=green").content.decode()
    assert shown_measures(html) == {
        "% CLA placed no more than 20 miles from home",
        "% 16-18 year olds in care with an up-to-date pathway plan",
    }


def test_filter_headline_measures_only(director_client):
    html = director_client.get("/scorecard/?headline=on").content.decode()
    assert len(shown_measures(html)) == 7
    assert "Number of referrals" not in shown_measures(html)


def test_filter_by_month_and_financial_year(director_client):
    html = director_client.get("/scorecard/?month=2014-06").content.decode()
    assert "as at June 2014" in html
    html = director_client.get("/scorecard/?year=2014-04").content.decode()
    assert "as at January 2015" in html  # the newest month of that year


def test_filter_by_service_area(director_client):
    area = ServiceArea.objects.get(slug="first-response")
    html = director_client.get(f"/scorecard/?area={area.pk}").content.decode()
    assert "First Response, as at January 2015" in html


def test_a_team_manager_sees_their_areas_and_the_authority_only(client, sample, django_user_model):
    client.force_login(django_user_model.objects.get(username="manager"))
    response = client.get("/scorecard/")
    assert response.status_code == 200
    choices = {str(a) for a in response.context["filter"].filters["area"].queryset}
    assert choices == {"Buckinghamshire Children's Services", "First Response"}
    other = ServiceArea.objects.get(slug="cin-south")
    html = client.get(f"/scorecard/?area={other.pk}").content.decode()
    assert "Children in Need South" not in html.split("<h1")[1].split("</h1>")[0]
    measure_url = reverse("measure-detail", args=["repeat-referrals"])
    assert client.get(f"{measure_url}?area={other.pk}").status_code == 404


def test_the_csv_export_is_what_is_shown_in_words(director_client):
    response = director_client.get("/scorecard/?group=referrals&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Measure"] for r in rows] == ["Number of referrals", "% repeat referrals"]
    referrals = rows[1]
    assert (referrals["Outturn"], referrals["Target"], referrals["RAG"]) == ("31.0", "25.0", "Red")
    assert referrals["Since last month"] == "Worsening"
    assert "<" not in response.content.decode()
    assert "Last 12 months" not in rows[0]  # the sparkline is not a figure


def test_an_unknown_export_format_is_not_found(director_client):
    assert director_client.get("/scorecard/?export=pdf").status_code == 404


def test_the_rag_summary_counts_and_lists_red_measures_with_commentary(director_client):
    response = director_client.get("/summary/?month=2015-01")
    summary = response.context["summary"]
    counts = {c.rating: c.count for c in summary.counts}
    assert (counts["red"], counts["amber"], counts["green"]) == (4, 1, 2)
    assert {item.measure.code for item in summary.red} == {
        "repeat-referrals",
        "assessments-45-days",
        "care-leavers-pathway-plans",
        "icpc-15-days",
    }
    html = response.content.decode()
    red_change = next(c.change for c in summary.counts if c.rating == "red")
    assert red_change > 0 and f"{red_change} more than last month" in html
    assert reverse("measure-detail", args=["repeat-referrals"]) in html


def test_the_director_lands_on_the_rag_summary(director_client):
    assert director_client.get("/").url == "/summary/"


def test_the_measure_detail_has_chart_table_breakdown_and_approvals(director_client):
    url = reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
    response = director_client.get(url)
    html = response.content.decode()
    assert '<svg class="chart"' in html and '<title id="chart-title">' in html
    assert "Lower is better" in html
    assert "January 2015" in html and "31.0%" in html
    assert "Priya Shah" in html  # who approved January's figures
    assert response.context["detail"].current.value == 31


def test_the_measure_detail_shows_commentary_history(director_client):
    url = reverse("measure-detail", args=["referrals"]) + "?month=2015-01"
    assert "decreased by 26%" in director_client.get(url).content.decode()


def test_the_cached_table_is_never_stale_after_a_new_run(director_client):
    first = director_client.get("/scorecard/?group=referrals").content.decode()
    assert "31.0" in first
    result = ScorecardResult.objects.get(
        measure__code="repeat-referrals", area__parent__isnull=True, month=date(2015, 1, 1)
    )
    from scorecard.models import ReturnValue

    ReturnValue.objects.filter(
        measure=result.measure,
        monthly_return__month="2015-01-01",
        monthly_return__area__parent__isnull=True,
    ).update(value=24)
    assert "31.0" in director_client.get("/scorecard/?group=referrals").content.decode()
    engine.recalculate(trigger="test")
    assert "24.0" in director_client.get("/scorecard/?group=referrals").content.decode()


def page_queries(client, django_assert_max_num_queries, limit):
    cache.clear()
    with django_assert_max_num_queries(limit):
        response = client.get("/scorecard/")
    assert response.status_code == 200
    return response


def test_the_scorecard_makes_a_fixed_number_of_queries(
    client, django_user_model, django_assert_max_num_queries
):
    from scorecard import roles
    from tests import factories

    factories.approved_returns(measures=3, area_count=2, months=4, name="Small")
    engine.recalculate()
    director = factories.user("dir", roles.DIRECTORS)
    client.force_login(director)
    small = page_queries(client, django_assert_max_num_queries, 22)
    factories.approved_returns(measures=40, area_count=6, months=14, name="Large")
    engine.recalculate()
    large = page_queries(client, django_assert_max_num_queries, 22)
    assert large.content.count(b"<tr") > 5 * small.content.count(b"<tr")


def test_benchmark_120_measures_over_12_months(client, capsys):
    """Not a timed test: it prints the median server time for the closing note."""
    from scorecard import roles
    from tests import factories

    factories.approved_returns(measures=120, area_count=3, months=12, name="Bench")
    engine.recalculate()
    client.force_login(factories.user("dir", roles.DIRECTORS))

    def median_ms(clear):
        times = []
        for _ in range(15):
            if clear:
                cache.clear()
            start = time.perf_counter()
            response = client.get("/scorecard/")
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        return statistics.median(times)

    cold, warm = median_ms(clear=True), median_ms(clear=False)
    with capsys.disabled():
        print(
            f"\nscorecard page, 120 measures x 12 months: median {warm:.1f} ms "
            f"(cached table), {cold:.1f} ms (rendered afresh)"
        )
    assert Measure.objects.count() == 120


def test_exported_text_is_never_run_as_a_spreadsheet_formula(director_client):
    from scorecard.exports import neutralised

    assert neutralised('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralised("@SUM(A1)") == "'@SUM(A1)"
    assert neutralised("-1.5") == "-1.5" and neutralised("31.0") == "31.0"
    Measure.objects.filter(code="referrals").update(title="=1+1 referrals")
    cache.clear()
    response = director_client.get("/scorecard/?group=referrals&export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Measure"] == "'=1+1 referrals"


def test_commentary_shown_is_only_approved_and_only_in_the_readers_scope(
    client, sample, django_user_model
):
    from scorecard.models import MonthlyReturn, ReturnValue

    jan_authority = MonthlyReturn.objects.get(area__parent__isnull=True, month="2015-01-01")
    cin_south, _ = MonthlyReturn.objects.get_or_create(
        area=ServiceArea.objects.get(slug="cin-south"), month=date(2015, 1, 1)
    )
    referrals = Measure.objects.get(code="repeat-referrals")
    ReturnValue.objects.create(
        monthly_return=cin_south, measure=referrals, commentary="Draft note from CIN South"
    )
    ReturnValue.objects.filter(monthly_return=jan_authority, measure=referrals).update(
        commentary="Approved authority note"
    )
    for username in ("director", "manager"):
        client.force_login(django_user_model.objects.get(username=username))
        summary = client.get("/summary/?month=2015-01").content.decode()
        detail = client.get(
            reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
        ).content.decode()
        assert "Approved authority note" in summary and "Approved authority note" in detail
        assert "Draft note from CIN South" not in summary + detail


def test_a_parameter_one_user_sends_never_shows_in_another_users_page(
    client, sample, django_user_model
):
    client.force_login(django_user_model.objects.get(username="manager"))
    own = client.get("/scorecard/?sort=title&foo=evil").content.decode()
    assert "Red<" in own  # the table was rendered, and cached
    client.force_login(django_user_model.objects.get(username="director"))
    html = client.get("/scorecard/?sort=title").content.decode()
    assert "Red<" in html
    assert "evil" not in html


def test_every_parameter_in_the_sort_links_is_part_of_the_cache_key(director_client):
    chosen_year = director_client.get("/scorecard/?year=2014-04&sort=title").content.decode()
    assert "year=2014-04" in chosen_year
    plain = director_client.get("/scorecard/?sort=title").content.decode()
    assert "as at January 2015" in plain
    assert "year=2014-04" not in plain
