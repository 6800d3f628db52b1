import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from scorecard.models import CalculationRun, MonthlyReturn, ScorecardResult
from workforce.validation import FIELDS as STAFFING_FIELDS

pytestmark = pytest.mark.django_db


def test_health_is_200_when_the_database_and_a_recent_run_answer(client, sample, settings):
    settings.CELERY_BROKER_URL = ""  # the embedded mode: tasks in-process
    response = client.get("/healthz")  # no login
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "not configured",
        "worker": "in-process",
        "calculation": "ok",
        "outbox": "ok",
    }


def test_health_is_503_naming_the_part_when_the_last_run_is_too_old(client, sample):
    CalculationRun.objects.update(finished_at=timezone.now() - timedelta(hours=27))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["calculation"] == "failing"  # the reason goes to the log only
    assert response.json()["database"] == "ok"


def test_health_is_503_when_the_broker_does_not_answer(client, sample, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "failing"


def test_health_checks_a_real_broker(client, sample, settings):
    import os

    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    assert client.get("/healthz").json()["broker"] == "ok"


def test_officers_see_the_last_runs(client, sample, officer, director):
    client.force_login(officer)
    response = client.get("/calculations/")
    assert response.status_code == 200
    assert "Succeeded" in response.content.decode()
    client.force_login(director)
    assert client.get("/calculations/").status_code == 403


def test_the_command_runs_the_same_calculation(sample):
    out = io.StringIO()
    call_command("recalculate_scorecards", "--month", "2015-01", stdout=out)
    assert "rows written" in out.getvalue()
    assert CalculationRun.objects.first().trigger == "command"
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("recalculate_scorecards", "--month", "January")


def test_approving_a_return_updates_the_scorecard_without_a_command(
    client, sample, django_user_model, django_capture_on_commit_callbacks
):
    manager = django_user_model.objects.get(username="manager")
    officer = django_user_model.objects.get(username="officer")
    feb = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    repeat = feb.values.get(measure__code="repeat-referrals").measure
    client.force_login(manager)
    data = {"version": MonthlyReturn.objects.get(pk=feb.pk).version, "submit": "1"}
    for value in feb.values.select_related("measure"):
        prefix = f"m{value.measure_id}"
        if value.measure.entry == "ratio":
            data.update(
                {
                    f"{prefix}_numerator": "20",
                    f"{prefix}_denominator": "100",
                    f"{prefix}_commentary": "Explained",
                }
            )
        else:
            data.update({f"{prefix}_numerator": "100", f"{prefix}_commentary": "Explained"})
    # The sample's returns carry a staffing section (the workforce app): it is submitted too.
    data.update({f"staffing-{spec.name}": "1" for spec in STAFFING_FIELDS})
    response = client.post(f"/returns/{feb.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/returns/{feb.pk}/review/",
            {"action": "approve", "version": MonthlyReturn.objects.get(pk=feb.pk).version},
        )
    stored = ScorecardResult.objects.get(measure=repeat, area=feb.area, month=feb.month)
    assert stored.value == 20
    assert CalculationRun.objects.first().trigger == "approval"


def test_at_most_one_recalculation_waits_at_a_time(db):
    from django.db import transaction

    from scorecard import recalculation
    from scorecard.models import RecalculationRequest

    with transaction.atomic():
        recalculation.request("approval")
        recalculation.request("import")  # covered by the one already waiting
    [waiting] = RecalculationRequest.objects.filter(done_at__isnull=True)
    assert waiting.trigger == "approval"


# --- /healthz tells the truth ---------------------------------------------------


def test_health_reports_a_worker_that_stopped_ticking(client, sample, settings):
    from scorecard import runs
    from scorecard.models import Heartbeat

    settings.CELERY_BROKER_URL = ""  # the broker itself is not what is checked here
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tasks go to a worker
    assert client.get("/healthz").json()["worker"] == "failing"  # it never ticked
    runs.beat()
    assert client.get("/healthz").json()["worker"] == "ok"
    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "failing" and response.json()["database"] == "ok"


def test_health_reports_a_last_run_that_failed(client, sample, settings):
    settings.CELERY_BROKER_URL = ""
    CalculationRun.objects.create(
        trigger="approval",
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome="failed",
        error="DataError: numeric field overflow",
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["calculation"] == "failing"
    assert response.json()["database"] == "ok" and response.json()["outbox"] == "ok"


def test_health_reports_work_left_waiting_in_the_outbox(client, sample, settings):
    from scorecard.models import RecalculationRequest

    settings.CELERY_BROKER_URL = ""
    waiting = RecalculationRequest.objects.create(trigger="approval")
    assert client.get("/healthz").json()["outbox"] == "ok"  # just asked for
    RecalculationRequest.objects.filter(pk=waiting.pk).update(
        requested_at=timezone.now() - timedelta(minutes=11)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["outbox"] == "failing" and response.json()["calculation"] == "ok"


def answer_within(seconds, call):
    """Call in a thread; what it returned, failing the test if it is still hanging."""
    import threading

    from django.db import connections

    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        finally:
            connections.close_all()  # the thread's own connection

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still no answer after {seconds} s"
    return outcome["value"]


def test_health_answers_when_a_broker_accepts_and_never_replies(client, sample, settings):
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        response = answer_within(10, lambda: client.get("/healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "failing" and response.json()["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_health_answers_when_a_table_is_locked(client, settings):
    """A migration (or anything) holding a table lock makes every query on it
    wait; the statement timeout turns the wait into an answer."""
    from tests import database

    settings.CELERY_BROKER_URL = ""
    locker = database.connect()
    try:
        locker.execute("LOCK TABLE scorecard_calculationrun IN ACCESS EXCLUSIVE MODE")
        response = answer_within(10, lambda: client.get("/healthz"))
    finally:
        locker.close()
    assert response.status_code == 503
    assert response.json()["calculation"] == "failing"
    assert response.json()["database"] == "ok"
