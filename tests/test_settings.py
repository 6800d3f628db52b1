"""Configuration that a typo would silently break."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DJANGO_DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "test-only-Zq8#vL2!pW9@xR4&mN7*tY1^bK6%hJ3(cF5)gD0-sA8+eU",
    "ALLOWED_HOSTS": "performance.example.gov.uk",
}


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_only_check_silenced_is_axes_lockout_by_username_on_purpose():
    # axes.W006 wants the address among the lockout parameters; a council office
    # shares one address, so lockout is by username alone (tests/test_security.py).
    assert settings.SILENCED_SYSTEM_CHECKS == ["axes.W006"]
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert "(1 silenced)" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_postgresql_database():
    for url in ("", "sqlite:////tmp/scorecard.sqlite3"):
        result = manage("check", **{**PRODUCTION, "DATABASE_URL": url})
        assert result.returncode != 0
        assert "DATABASE_URL" in result.stderr


def test_time_zone_is_london_and_aware():
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


def test_every_page_requires_login_unless_it_opts_out():
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


REPLICA_URL = "postgres://scorecard_app:pw@replica.example:5432/scorecard"


def test_a_replica_is_configured_from_its_url_given_up_on_quickly_and_never_migrated():
    show = (
        "from django.conf import settings; from django.db import router; "
        "r = settings.DATABASES['replica']; "
        "m = router.allow_migrate; "
        "print(r['HOST'], r['USER'], r['OPTIONS']['connect_timeout'], "
        "m('replica', 'scorecard'), m('default', 'scorecard'))"
    )
    result = manage("shell", "-c", show, **PRODUCTION, DATABASE_REPLICA_URL=REPLICA_URL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "replica.example",
        "scorecard_app",
        "2",
        "False",
        "True",
    ]


def test_production_refuses_a_replica_that_is_not_postgresql():
    result = manage("check", **PRODUCTION, DATABASE_REPLICA_URL="sqlite:////tmp/replica.sqlite3")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL" in result.stderr
