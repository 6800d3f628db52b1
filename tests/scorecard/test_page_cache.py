"""The directors' pages cached per calculation run: as many statements whatever
the data, never an older run's figures after a new run, warmed after each run,
and a run that never fails for want of a cache."""

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard import engine, reports, roles, tasks
from scorecard.models import CalculationRun, Measure, RecalculationRequest, ReturnValue
from tests import factories

pytestmark = pytest.mark.django_db

JAN = date(2015, 1, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def director(client):
    client.force_login(factories.user("dir", roles.DIRECTORS))
    return client


def pages():
    measure = Measure.objects.order_by("pk").first()
    return {
        "scorecard": "/scorecard/",
        "summary": "/summary/",
        "exceptions": "/exceptions/",
        "measure": reverse("measure-detail", args=[measure.code]),
    }


def statements(client, url, *, cold):
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


def test_the_directors_pages_make_as_many_statements_however_large_the_data(
    client, django_assert_num_queries
):
    factories.approved_returns(measures=3, area_count=2, months=4, name="Small")
    engine.recalculate()
    client = director(client)
    client.get("/account/password/")  # the first request after signing in writes to the session
    small, small_cached = {}, {}
    for name, url in pages().items():
        small[name] = statements(client, url, cold=True)
        small_cached[name] = statements(client, url, cold=False)[0]

    factories.approved_returns(measures=40, area_count=6, months=26, name="Large")
    engine.recalculate()
    for name, url in pages().items():
        count, small_page = small[name]
        cache.clear()
        with django_assert_num_queries(count):
            large_page = client.get(url)
        assert len(large_page.content) > len(small_page.content), name  # more is shown
        with django_assert_num_queries(small_cached[name]):
            client.get(url)
        assert small_cached[name] < count, name  # the cache spares the statements


def test_the_months_are_read_once_per_run():
    factories.approved_returns(measures=2, area_count=1, months=3, name="Some")
    run = engine.recalculate()
    assert reports.months_with_results(run) == [
        date(2014, 3, 1),
        date(2014, 2, 1),
        date(2014, 1, 1),
    ]
    with CaptureQueriesContext(connection) as queries:
        reports.months_with_results(run)
    assert len(queries) == 0
    factories.approved_returns(measures=2, area_count=1, months=5, name="More")
    assert reports.months_with_results()[0] == date(2014, 3, 1)  # same run, same list
    engine.recalculate()
    assert reports.months_with_results()[0] == date(2014, 5, 1)  # a new run: read again


def change_januarys_repeat_referrals_to(value):
    ReturnValue.objects.filter(
        measure__code="repeat-referrals",
        monthly_return__month=JAN,
        monthly_return__area__parent__isnull=True,
    ).update(value=value)


def test_a_director_never_sees_an_older_runs_figures_after_a_new_run(client, sample):
    client = director(client)
    measure_url = reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
    summary_url = "/summary/?month=2015-01"
    for url in (measure_url, summary_url):
        page = client.get(url).content.decode()
        assert "31.0%" in page and "24.0%" not in page
    change_januarys_repeat_referrals_to(24)
    # the figures are the last run's until the next run: the cached pages say so too
    assert "24.0%" not in client.get(measure_url).content.decode()
    engine.recalculate(trigger="test")
    for url in (measure_url, summary_url):
        assert "24.0%" in client.get(url).content.decode(), url


def test_a_new_run_that_failed_leaves_the_last_good_runs_figures(client, sample):
    client = director(client)
    url = reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
    before = without_tokens(client.get(url))
    CalculationRun.objects.create(
        trigger="broken", started_at="2030-01-01T00:00Z", outcome="failed"
    )
    assert without_tokens(client.get(url)) == before


def without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_each_readers_areas_are_their_own(client, sample, django_user_model):
    manager = django_user_model.objects.get(username="manager")  # First Response only
    url = reverse("measure-detail", args=["repeat-referrals"]) + "?month=2015-01"
    director(client).get(url)  # cached with every area's breakdown
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "First Response" in page
    assert "Children in Need South" not in page


def test_after_a_run_the_directors_first_pages_are_already_rendered(client, sample):
    client = director(client)
    cold = {name: statements(client, url, cold=True)[0] for name, url in pages().items()}
    cold["area scorecard"] = statements(client, area_scorecard_url(), cold=True)[0]
    cache.clear()
    RecalculationRequest.objects.create(trigger="test")
    tasks.run_recalculations.delay()  # eager in the tests: the worker's task, run here
    assert CalculationRun.objects.first().outcome == CalculationRun.Outcome.SUCCEEDED
    for name, url in [*pages().items(), ("area scorecard", area_scorecard_url())]:
        warm, _ = statements(client, url, cold=False)
        assert warm < cold[name], name  # nothing was rendered: it came from the cache


def area_scorecard_url():
    from scorecard.models import ServiceArea

    area = ServiceArea.objects.filter(parent__isnull=False, active=True).order_by("order").first()
    return f"/scorecard/?area={area.pk}"


def test_warming_with_redis_not_answering_never_fails_the_run(sample, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "scorecard.caching.ForgivingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        }
    }
    RecalculationRequest.objects.create(trigger="test")
    run_pk = tasks.run_recalculations.delay().get()
    run = CalculationRun.objects.get(pk=run_pk)
    assert run.outcome == CalculationRun.Outcome.SUCCEEDED
    assert "carrying on without it" in caplog.text


def test_a_page_another_reader_is_rendering_is_waited_for_not_rendered_again():
    import threading

    from scorecard import page_cache

    entry_key = page_cache.key("test-page", 7, "x")
    cache.add(f"{entry_key}:rendering", 1)  # another reader started rendering it
    threading.Timer(0.2, lambda: cache.set(entry_key, "their render")).start()
    rendered = []
    assert page_cache.cached("test-page", 7, ("x",), lambda: rendered.append(1)) == "their render"
    assert not rendered
    # once it is there, nobody renders it again; a key nobody renders is rendered here
    assert page_cache.cached("test-page", 7, ("x",), lambda: "again") == "their render"
    assert page_cache.cached("test-page", 8, ("x",), lambda: "new run") == "new run"


def test_the_workforce_page_is_rendered_once_per_run(client, sample):
    from workforce.models import Staffing

    client = director(client)
    url = "/workforce/?month=2015-01"
    first = without_tokens(client.get(url))
    with CaptureQueriesContext(connection) as cold:
        cache.clear()
        client.get(url)
    with CaptureQueriesContext(connection) as cached:
        again = without_tokens(client.get(url))
    assert len(cached) < len(cold) and again == first
    Staffing.objects.filter(
        monthly_return__month=JAN, monthly_return__area__name="First Response"
    ).update(fte_in_post=123.25, headcount_in_post=124)
    assert "123.25" not in client.get(url).content.decode()  # the last run's figures...
    engine.recalculate(trigger="test")
    assert "123.25" in client.get(url).content.decode()  # ...until the next run
