"""Faults on the real servers: Redis stopped in the middle of a journey, a
worker killed in the middle of a run, PostgreSQL restarted under the running
app. Each test stops or kills the real process; nothing is mocked.

The data is committed (transaction=True): workers and servers started here use
connections of their own.
"""

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from django.urls import reverse

from config import celery_app
from scorecard import engine, roles, tasks
from scorecard.models import (
    CalculationRun,
    MonthlyReturn,
    RecalculationRequest,
    ReturnValue,
    ScorecardResult,
)
from tests import database, factories

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
JAN = date(2015, 1, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, *, timeout=60, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {timeout} s")


class RedisServer:
    """A redis-server of the test's own, on a port it keeps, to stop and start again."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.answers, timeout=20, what="redis-server answering")

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _forget_broker_connections():
    import kombu.pools

    kombu.pools.reset()  # the producer pools, kept per broker URL for the process
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings, redis_server):
    """The app as deployed: tasks go through this Redis, the cache is this Redis."""
    overrides = {"task_always_eager": False, "broker_url": redis_server.url, "result_backend": None}
    # Read before the settings change: Celery copies the Django settings into
    # its conf the first time it is read.
    saved = {key: celery_app.conf[key] for key in overrides}
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "scorecard.caching.ForgivingRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    celery_app.conf.update(overrides)
    _forget_broker_connections()
    yield redis_server
    celery_app.conf.update(saved)
    _forget_broker_connections()


@contextmanager
def worker_thread():
    import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping

    db_settings = connections["default"].settings_dict
    saved_max_age, db_settings["CONN_MAX_AGE"] = db_settings["CONN_MAX_AGE"], 0
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False):
            yield
    finally:
        db_settings["CONN_MAX_AGE"] = saved_max_age


@pytest.fixture
def submitted_return():
    """A January return submitted by its team manager, waiting for an officer."""
    factories.authority()
    area = factories.area("First Response")
    manager = factories.user("tm-a", roles.TEAM_MANAGERS, areas=[area])
    officer = factories.user("po-1", roles.PERFORMANCE_OFFICERS, is_staff=True)
    measure = factories.measure(title="% seen")
    monthly_return = factories.monthly_return(
        area, month=JAN, status=MonthlyReturn.Status.SUBMITTED, submitted_by=manager
    )
    ReturnValue.objects.create(
        monthly_return=monthly_return, measure=measure, numerator=3, denominator=4
    )
    return {"return": monthly_return, "officer": officer, "measure": measure}


def test_an_approval_with_redis_stopped_succeeds_and_is_recalculated_when_redis_returns(
    client, broker, submitted_return
):
    monthly_return = submitted_return["return"]
    broker.stop()

    client.force_login(submitted_return["officer"])
    response = client.post(
        reverse("return-transition", args=[monthly_return.pk]),
        {"action": "approve", "version": monthly_return.version},
        follow=True,
    )

    assert response.status_code == 200
    assert f"{monthly_return} approved." in response.content.decode()
    assert MonthlyReturn.objects.get(pk=monthly_return.pk).status == "approved"
    [waiting] = RecalculationRequest.objects.all()
    assert waiting.trigger == "approval" and waiting.done_at is None
    assert not CalculationRun.objects.exists()
    # The director's scorecard (page-cached in Redis) still answers.
    director = factories.user("dir-1", roles.DIRECTORS)
    client.force_login(director)
    assert client.get(reverse("scorecard")).status_code == 200

    broker.start()
    _forget_broker_connections()
    with worker_thread():
        tasks.tick.delay()  # what beat sends every minute
        run = wait_until(
            lambda: CalculationRun.objects.exclude(outcome="running").first(),
            what="the recalculation",
        )
    assert run.outcome == "succeeded" and run.trigger == "approval"
    waiting.refresh_from_db()
    assert waiting.done_at is not None and waiting.run_id == run.pk
    stored = ScorecardResult.objects.get(
        measure=submitted_return["measure"], area__parent__isnull=True, month=JAN
    )
    assert stored.value == 75


def test_an_approval_with_the_mail_server_down_still_succeeds(client, settings, submitted_return):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    monthly_return = submitted_return["return"]
    client.force_login(submitted_return["officer"])
    response = client.post(
        reverse("return-transition", args=[monthly_return.pk]),
        {"action": "approve", "version": monthly_return.version},
        follow=True,
    )
    assert response.status_code == 200
    assert f"{monthly_return} approved." in response.content.decode()


# --- a worker killed in the middle of a run ------------------------------------


def start_worker_process(redis_url, log_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database.url(),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CALCULATION_HEARTBEAT_SECONDS="0.5",
        CALCULATION_ABANDONED_AFTER_SECONDS="3",
        CELERY_VISIBILITY_TIMEOUT="5",
        DJANGO_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def pool_children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def kill_group(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_a_worker_killed_in_the_middle_of_a_run_loses_nothing(broker, tmp_path):
    measure = factories.three_in_four_seen(JAN)
    waiting = RecalculationRequest.objects.create(trigger="approval")
    log_path = tmp_path / "worker.log"

    # Hold the calculation's lock, so the run is still going when its worker dies.
    blocker = database.connect(autocommit=True)
    blocker.execute("SELECT pg_advisory_lock(%s)", [engine.ADVISORY_LOCK_KEY])
    first = start_worker_process(broker.url, log_path)
    second = None
    try:
        tasks.run_recalculations.delay()
        dying = wait_until(
            lambda: CalculationRun.objects.filter(
                outcome="running", heartbeat_at__isnull=False
            ).first(),
            what="a run with a heartbeat",
        )
        for child in pool_children(first.pid):
            os.kill(child, signal.SIGKILL)  # the pool process running the task
        time.sleep(1)
        kill_group(first)  # and the worker itself: a fresh one has to finish the work
        blocker.execute("SELECT pg_advisory_unlock(%s)", [engine.ADVISORY_LOCK_KEY])

        second = start_worker_process(broker.url, log_path)
        finished = wait_until(
            lambda: CalculationRun.objects.filter(outcome="succeeded").first(),
            timeout=90,
            what="a run completing after the kill",
        )
    finally:
        blocker.close()
        kill_group(first)
        if second is not None:
            kill_group(second)
        print(log_path.read_text(errors="replace")[-6000:])
        print(list(CalculationRun.objects.values()), list(RecalculationRequest.objects.values()))

    dying.refresh_from_db()
    assert dying.outcome == "abandoned"
    assert "stopped before it finished" in dying.error
    waiting.refresh_from_db()
    assert waiting.run_id == finished.pk and waiting.done_at is not None
    assert waiting.attempts == 2
    stored = ScorecardResult.objects.get(measure=measure, area__parent__isnull=True, month=JAN)
    assert stored.value == 75 and stored.run_id == finished.pk


def test_the_calculations_page_shows_an_abandoned_run(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.CALCULATION_ABANDONED_AFTER_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)
    lost = CalculationRun.objects.create(
        trigger="approval", started_at=long_ago, heartbeat_at=long_ago
    )
    alive = CalculationRun.objects.create(
        trigger="nightly", started_at=long_ago, heartbeat_at=timezone.now()
    )
    client.force_login(factories.user("po-1", roles.PERFORMANCE_OFFICERS, is_staff=True))
    page = client.get(reverse("calculation-runs")).content.decode()
    assert "Abandoned" in page and "stopped before it finished" in page
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.outcome == "abandoned" and alive.outcome == "running"


# --- PostgreSQL restarted under the running app -----------------------------------


def restart_postgres():
    data, pg_ctl = os.environ.get("SERVICES_PGDATA"), os.environ.get("SERVICES_PG_CTL")
    if not (data and pg_ctl):
        pytest.fail("SERVICES_PGDATA is not set: run the tests with `make test`")
    log = str(Path(data).parent / "postgres.log")  # where tests/services.py logs it
    # No pipes: the restarted server would hold them open after pg_ctl returns.
    subprocess.run(
        [*shlex.split(pg_ctl), "-D", data, "-l", log, "-m", "fast", "-w", "restart"],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


def test_a_database_restart_under_the_running_app_is_not_an_error_page(client):
    director = factories.user("dir-1", roles.DIRECTORS)
    client.force_login(director)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    # As deployed: the web connects as the application's role, which owns nothing.
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database.url(settings.DATABASE_APP_ROLE),
        DJANGO_DEBUG="0",
        REDIS_URL="",
        CELERY_BROKER_URL="",
    )
    # One sync worker: one persistent connection, the one the restart breaks.
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def get(path):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    try:
        assert wait_until(lambda: get("/scorecard/"), timeout=30, what="gunicorn answering") == 200
        restart_postgres()
        connections.close_all()  # this test's own connection went with the restart
        assert get("/scorecard/") == 200
        assert get("/summary/") == 200  # and the next request too
    finally:
        kill_group(server)
