import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from scorecard import tasks
from scorecard.models import CalculationRun, MonthlyReturn, ScorecardResult
from workforce.validation import FIELDS as STAFFING_FIELDS

pytestmark = pytest.mark.django_db


def test_health_is_200_when_the_database_and_a_recent_run_answer(client, sample, settings):
    settings.CELERY_BROKER_URL = ""  # the embedded mode: tasks in-process
    response = client.get("/healthz")  # no login
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured",
                               "calculation": "ok"}


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
        client, sample, django_user_model, django_capture_on_commit_callbacks):
    manager = django_user_model.objects.get(username="manager")
    officer = django_user_model.objects.get(username="officer")
    feb = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    repeat = feb.values.get(measure__code="repeat-referrals").measure
    client.force_login(manager)
    data = {"version": MonthlyReturn.objects.get(pk=feb.pk).version, "submit": "1"}
    for value in feb.values.select_related("measure"):
        prefix = f"m{value.measure_id}"
        if value.measure.entry == "ratio":
            data.update({f"{prefix}_numerator": "20", f"{prefix}_denominator": "100",
                         f"{prefix}_commentary": "Explained"})
        else:
            data.update({f"{prefix}_numerator": "100", f"{prefix}_commentary": "Explained"})
    # The sample's returns carry a staffing section (the workforce app): it is submitted too.
    data.update({f"staffing-{spec.name}": "1" for spec in STAFFING_FIELDS})
    response = client.post(f"/returns/{feb.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/returns/{feb.pk}/review/", {
            "action": "approve", "version": MonthlyReturn.objects.get(pk=feb.pk).version})
    stored = ScorecardResult.objects.get(measure=repeat, area=feb.area, month=feb.month)
    assert stored.value == 20
    assert CalculationRun.objects.first().trigger == "approval"


def test_at_most_one_recalculation_waits_at_a_time(db, settings):
    from django.core.cache import cache

    cache.set(tasks.QUEUED_KEY, "approval")  # one is already waiting
    before = CalculationRun.objects.count()
    tasks.queue_recalculation(trigger="approval")
    assert CalculationRun.objects.count() == before  # nothing more was queued
    cache.delete(tasks.QUEUED_KEY)
    tasks.queue_recalculation(trigger="approval")
    assert CalculationRun.objects.count() == before + 1
