"""The directors' pages read from a PostgreSQL replica; writes, transactions and
the engine use the primary; a person who wrote sees their change at once; a
replica that is down costs no error page (issue 15, point 7).

The replica is a real hot standby streaming from `make test`'s PostgreSQL
(tests/replica.py), started once for this module. It is made to lag by pausing
its replay: a change made on the primary then shows on a page only if the page
read the primary, which is how each test tells where a page read from.
"""

import logging

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard import replica as routing
from scorecard import roles, tasks
from scorecard.models import CalculationRun, Measure, MeasureGroup
from tests import factories
from tests.replica import Replica

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", routing.REPLICA])

SEEN = "children-seen"
TITLE = "% children seen during assessment"
RENAMED = "% children seen during their assessment"
RENAMED_GROUP = '<option value="care_leavers">Leaving care</option>'  # the scorecard's filter


@pytest.fixture(scope="module")
def replica(django_db_setup):
    standby = Replica()
    try:
        yield standby.start()
    finally:
        standby.stop()


@pytest.fixture(autouse=True)
def replaying(replica):
    yield
    replica.resume()  # a test that paused the replica leaves it replaying


@pytest.fixture
def sample_on_replica(replica, sample):
    """The sample, calculated, on the primary and replayed on the replica."""
    replica.catch_up()


@pytest.fixture
def director_client(sample_on_replica, django_user_model):
    """A browser of its own (the `client` fixture is another person's)."""
    browser = Client()
    browser.force_login(django_user_model.objects.get(username="director"))
    return browser


def page(client, url):
    cache.clear()  # the pages are cached per calculation run: ask the database each time
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def read_where(client, url):
    """The page, and the statements it sent to the primary and to the replica."""
    with (
        CaptureQueriesContext(connection) as primary,
        CaptureQueriesContext(connections[routing.REPLICA]) as standby,
    ):
        html = page(client, url)
    return html, primary.captured_queries, standby.captured_queries


def scorecard_tables(queries):
    return [q["sql"] for q in queries if '"scorecard_' in q["sql"] or '"workforce_' in q["sql"]]


def measure_page():
    return reverse("measure-detail", kwargs={"code": SEEN})


def test_the_replica_is_a_standby_reached_as_the_application_role(replica):
    with connections[routing.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_user")
        assert cursor.fetchone() == (True, "scorecard_app")


def test_the_directors_pages_read_the_scorecard_from_the_replica(replica, director_client):
    for url in (reverse("summary"), reverse("scorecard"), measure_page(), reverse("workforce")):
        _, on_primary, on_replica = read_where(director_client, url)
        assert scorecard_tables(on_replica), url
        # the primary answers only who is signed in and what they may see
        assert scorecard_tables(on_primary) == [], url


def test_a_directors_page_shows_what_the_replica_holds_until_it_catches_up(
    replica, director_client
):
    replica.pause()
    Measure.objects.filter(code=SEEN).update(title=RENAMED)
    lagging = page(director_client, measure_page())
    assert TITLE in lagging and RENAMED not in lagging

    replica.catch_up()
    assert RENAMED in page(director_client, measure_page())


def test_pages_that_are_not_the_directors_read_the_primary(sample_on_replica, client):
    client.force_login(factories.user("po-9", roles.PERFORMANCE_OFFICERS))
    _, on_primary, on_replica = read_where(client, reverse("approval-queue"))
    assert on_replica == []
    assert scorecard_tables(on_primary)


def test_who_saved_a_change_sees_it_at_once_while_others_see_it_after_the_lag(
    replica, sample_on_replica, client, director_client
):
    client.force_login(factories.user("po-9", roles.PERFORMANCE_OFFICERS))
    group = MeasureGroup.objects.get(code="care_leavers")
    replica.pause()
    response = client.post(
        reverse("setup-groups"),
        {
            "action": "save_group",
            "group": group.pk,
            f"group-{group.pk}-name": "Leaving care",
            f"group-{group.pk}-order": str(group.order),
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert routing.COOKIE in response.cookies

    # the officer's scorecard is read from the primary: the replica has not
    # replayed their save yet
    own, _, on_replica = read_where(client, reverse("scorecard"))
    assert RENAMED_GROUP in own
    assert scorecard_tables(on_replica) == []
    # a director who saved nothing reads the replica, which still lags
    assert RENAMED_GROUP not in page(director_client, reverse("scorecard"))

    replica.catch_up()
    caught_up = client.get(reverse("scorecard"))
    assert RENAMED_GROUP in caught_up.content.decode()
    # once the replica has replayed the save, the officer reads from it again
    assert caught_up.cookies[routing.COOKIE].value == ""
    _, _, on_replica = read_where(client, reverse("scorecard"))
    assert scorecard_tables(on_replica)


def test_writes_and_transactions_on_a_replica_page_use_the_primary(replica):
    factories.measure(code=SEEN, title=TITLE)
    replica.catch_up()
    replica.pause()
    with routing.reading():
        measure = Measure.objects.get(code=SEEN)
        assert measure._state.db == routing.REPLICA
        measure.title = RENAMED
        measure.save()  # to the primary, though read from the replica
        assert Measure.objects.get(code=SEEN).title == TITLE  # the replica lags
        with transaction.atomic():
            # a transaction reads what it (and the primary) has
            assert Measure.objects.get(code=SEEN).title == RENAMED
            locked = Measure.objects.select_for_update().get(code=SEEN)
            assert locked._state.db == "default"


def test_the_engine_reads_and_writes_the_primary_even_from_a_replica_page(
    replica, sample_on_replica
):
    runs_before = CalculationRun.objects.count()
    replica.pause()
    with (
        routing.reading(),
        CaptureQueriesContext(connections[routing.REPLICA]) as on_replica,
    ):
        tasks.recalculate_scorecards.delay(trigger="nightly")
    assert on_replica.captured_queries == []
    assert CalculationRun.objects.count() == runs_before + 1
    assert CalculationRun.objects.first().outcome == CalculationRun.Outcome.SUCCEEDED


def test_a_replica_that_is_down_costs_no_error_page(replica, director_client, settings, caplog):
    settings.DATABASE_REPLICA_RETRY_SECONDS = 0  # try it again on every request
    page(director_client, measure_page())  # a connection to the replica is open
    replica.crash()
    try:
        Measure.objects.filter(code=SEEN).update(title=RENAMED)
        with caplog.at_level(logging.WARNING, logger="scorecard.replica"):
            # the open connection is cut, then no connection can be made
            for _ in range(2):
                with CaptureQueriesContext(connection) as on_primary:
                    html = page(director_client, measure_page())
                assert RENAMED in html  # read from the primary
                assert scorecard_tables(on_primary.captured_queries)
        assert sum("Replica not used" in r.getMessage() for r in caplog.records) == 2
    finally:
        replica.restart()
    replica.catch_up()
    _, _, on_replica = read_where(director_client, measure_page())
    assert scorecard_tables(on_replica)


def test_a_replica_that_stops_during_a_page_costs_no_error_page(
    replica, director_client, settings, caplog
):
    settings.DATABASE_REPLICA_RETRY_SECONDS = 0  # the next tests may use it at once
    Measure.objects.filter(code=SEEN).update(title=RENAMED)
    replica.pause()  # the replica has the old title: a page read from it would show it

    def stop_at_the_first_scorecard_query(execute, sql, params, many, context):
        if '"scorecard_' in sql and replica.server.started:
            replica.crash()
        return execute(sql, params, many, context)

    try:
        with (
            caplog.at_level(logging.WARNING, logger="scorecard.replica"),
            connections[routing.REPLICA].execute_wrapper(stop_at_the_first_scorecard_query),
        ):
            html = page(director_client, measure_page())
        assert not replica.server.started  # it did stop during the page
        assert RENAMED in html  # the page again, from the primary
        assert "Replica not used" in caplog.text
    finally:
        replica.restart()
