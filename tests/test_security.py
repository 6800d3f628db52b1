"""Security hardening: login throttling, the security log, the content security
policy, session lifetimes, CSRF and escaping. Users come from the sample."""

import io
import logging
import re
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from scorecard import exports, log_filters, security
from scorecard.models import Measure, MonthlyReturn, ReturnValue, ServiceArea

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "scorecard-demo-2015"
WRONG = "not-the-password"
LOCKED = "This account is locked for 15 minutes"
FEB, JAN = date(2015, 2, 1), date(2015, 1, 1)
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client):
    return "_auth_user_id" in client.session


def user(username):
    return get_user_model().objects.get(username=username)


def security_messages(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "security"]


# --- Login throttling ------------------------------------------------------------------


def test_throttling_locks_by_username_not_by_address():
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_four_failures_show_the_usual_error_and_the_fifth_locks_the_username(client, sample):
    for _ in range(4):
        response = sign_in(client, "manager", WRONG)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = sign_in(client, "manager", WRONG)
    html = response.content.decode()
    assert response.status_code == 429
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert LOCKED in html
    assert 'value="manager"' in html  # the sign-in page again, username kept


def test_a_locked_username_cannot_sign_in_even_with_the_right_password(client, sample):
    for _ in range(5):
        sign_in(client, "manager", WRONG)
    response = sign_in(client, "manager")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_another_username_from_the_same_address_still_signs_in(client, sample):
    for _ in range(5):
        sign_in(client, "manager", WRONG)
    colleague = Client()  # same office, same address (127.0.0.1)
    response = sign_in(colleague, "officer")
    assert response.status_code == 302
    assert signed_in(colleague)


def test_after_the_cool_off_the_username_signs_in_again(client, sample):
    from axes.models import AccessAttempt

    for _ in range(5):
        sign_in(client, "manager", WRONG)
    assert sign_in(client, "manager").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = sign_in(client, "manager")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_earlier_failures(client, sample):
    for _ in range(4):
        sign_in(client, "manager", WRONG)
    assert sign_in(client, "manager").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(client, "manager", WRONG).status_code == 200


# --- The security log ----------------------------------------------------------------


def test_sign_in_success_failure_and_sign_out_are_logged_with_who_and_where(client, sample, caplog):
    caplog.set_level(logging.INFO, logger="security")
    sign_in(client, "director", WRONG, REMOTE_ADDR="198.51.100.7")
    sign_in(client, "director", REMOTE_ADDR="198.51.100.7")
    client.post(reverse("logout"), REMOTE_ADDR="198.51.100.7")
    assert security_messages(caplog) == [
        "login failed user='director' ip=198.51.100.7",
        "login succeeded user='director' ip=198.51.100.7",
        "logout user='director' ip=198.51.100.7",
    ]
    record = next(r for r in caplog.records if r.name == "security")
    assert abs(record.created - time.time()) < 60  # when: every record carries its time
    assert "%(asctime)s" in settings.LOGGING["formatters"]["plain"]["format"]


def test_a_lockout_is_logged(client, sample, caplog):
    caplog.set_level(logging.INFO, logger="security")
    for _ in range(5):
        sign_in(client, "manager", WRONG)
    assert "account locked user='manager' ip=127.0.0.1 failures=5" in security_messages(caplog)
    assert "login failed user='manager' ip=127.0.0.1 locked=yes" in security_messages(caplog)


def test_permission_denied_is_logged(client, sample, caplog):
    client.force_login(user("director"))
    caplog.clear()
    assert client.get(reverse("my-returns")).status_code == 403
    assert security_messages(caplog) == [
        "access refused status=403 user='director' ip=127.0.0.1 method=GET path='/returns/' "
        "reason=permission-denied"
    ]


def test_a_return_outside_the_users_scope_is_not_found_and_logged(client, sample, caplog):
    first_response = MonthlyReturn.objects.get(area__slug="first-response", month=FEB)
    client.force_login(user("manager2"))
    caplog.clear()
    url = reverse("return-detail", args=[first_response.pk])
    assert client.get(url).status_code == 404
    assert security_messages(caplog) == [
        f"access refused status=404 user='manager2' ip=127.0.0.1 method=GET path='{url}' "
        "reason=not-found"
    ]


def test_a_url_that_matches_nothing_is_not_logged(client, sample, caplog):
    client.force_login(user("director"))
    caplog.clear()
    assert client.get("/wp-login.php").status_code == 404
    assert security_messages(caplog) == []


def test_forwarded_for_is_ignored_unless_a_trusted_proxy_is_configured(
    client, sample, caplog, settings
):
    from axes.models import AccessAttempt

    caplog.set_level(logging.INFO, logger="security")
    spoofed = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
    sign_in(client, "director", WRONG, **spoofed)
    assert security_messages(caplog)[-1] == "login failed user='director' ip=10.0.0.2"
    assert AccessAttempt.objects.get().ip_address == "10.0.0.2"

    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(
        client,
        "director",
        WRONG,
        HTTP_X_FORWARDED_FOR="203.0.113.1, 203.0.113.9",
        REMOTE_ADDR="10.0.0.2",
    )
    assert security_messages(caplog)[-1] == "login failed user='director' ip=203.0.113.9"


@pytest.mark.parametrize(
    "forwarded, proxies, expected",
    [
        ("", 0, "10.0.0.2"),
        ("203.0.113.9", 0, "10.0.0.2"),
        ("203.0.113.9", 1, "203.0.113.9"),
        ("1.2.3.4, 203.0.113.9", 1, "203.0.113.9"),  # the client's own claim is not believed
        ("203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),
        ("not-an-address", 1, "10.0.0.2"),
        ("203.0.113.9", 2, "10.0.0.2"),  # fewer hops than proxies: misconfigured
    ],
)
def test_client_ip(settings, forwarded, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert security.client_ip(request) == expected


# --- Content security policy -----------------------------------------------------------

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def policy(response):
    header = response["Content-Security-Policy"]
    parts = [part.strip().split(None, 1) for part in header.split(";") if part.strip()]
    return {name: value for name, value in parts}


@pytest.mark.parametrize(
    "who, url",
    [
        (None, "/login/"),
        ("director", "/scorecard/"),
        ("manager", "/returns/"),
        ("admin", "/admin/"),
    ],
)
def test_every_page_carries_the_content_security_policy(client, sample, who, url):
    if who:
        client.force_login(user(who))
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY


INLINE_EVENT = re.compile(
    r"\son(?:click|dblclick|load|unload|error|change|submit|reset|input|focus|blur|select"
    r"|key[a-z]+|mouse[a-z]+|pointer[a-z]+|touch[a-z]+)\s*=",
    re.IGNORECASE,
)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def inline_code(text):
    found = [
        tag
        for tag in SCRIPT_TAG.findall(text)
        if "src=" not in tag and "application/json" not in tag
    ]
    found += STYLE.findall(text) + INLINE_EVENT.findall(text)
    if "javascript:" in text.lower():
        found.append("javascript:")
    return found


def test_templates_and_markup_in_code_have_no_inline_scripts_styles_or_handlers():
    """What the policy would block: inline <script>, style="" (the SVG charts
    included: they are coloured by class), on...= handlers, javascript: URLs."""
    files = [
        # the board pack's templates are read by WeasyPrint on the server, never
        # served to a browser: its <style> is the PDF's, outside the policy
        *(p for p in ROOT.glob("templates/**/*.html") if "boardpack" not in p.parts),
        *ROOT.glob("templates/**/*.svg"),
        *(
            p
            for app in ("scorecard", "workforce")
            for p in ROOT.glob(f"{app}/**/*.py")
            if "migrations" not in p.parts
        ),
    ]
    offenders = {
        str(p.relative_to(ROOT)): inline_code(p.read_text(encoding="utf-8")) for p in files
    }
    assert {path: found for path, found in offenders.items() if found} == {}


# --- Sessions --------------------------------------------------------------------------


def set_last_activity(client, seconds_ago):
    session = client.session
    session[security.LAST_ACTIVITY_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_is_signed_out_with_a_message(client, sample, caplog):
    sign_in(client, "director")
    set_last_activity(client, settings.SESSION_IDLE_TIMEOUT + 1)
    caplog.set_level(logging.INFO, logger="security")
    response = client.get("/scorecard/?month=2015-01")
    assert response.status_code == 302
    assert response.url == "/login/?next=/scorecard/%3Fmonth%3D2015-01"
    assert not signed_in(client)
    page = client.get(response.url).content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in page
    assert "logout user='director' ip=127.0.0.1 reason=idle-timeout" in security_messages(caplog)


def test_a_session_used_within_the_idle_timeout_goes_on(client, sample):
    sign_in(client, "director")
    set_last_activity(client, settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get("/scorecard/").status_code == 200
    assert client.session[security.LAST_ACTIVITY_KEY] >= int(time.time()) - 5
    assert client.get("/scorecard/").status_code == 200


def test_the_session_is_not_written_on_every_request(client, sample):
    sign_in(client, "director")
    key = client.session.session_key
    stored = Session.objects.get(session_key=key).session_data
    for _ in range(3):
        response = client.get("/scorecard/")
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get(session_key=key).session_data == stored


def test_settings_define_an_idle_timeout_and_an_absolute_lifetime():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    assert "scorecard.security.IdleTimeoutMiddleware" in settings.MIDDLEWARE


def test_the_absolute_lifetime_counts_from_sign_in_and_is_not_extended_by_use(client, sample):
    before = timezone.now()
    sign_in(client, "director")
    key = client.session.session_key
    expires = Session.objects.get(session_key=key).expire_date
    lifetime = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + lifetime - timedelta(seconds=5) <= expires <= timezone.now() + lifetime
    set_last_activity(client, 10 * 60)  # the next request writes the session again
    time.sleep(1)
    assert settings.SESSION_COOKIE_NAME in client.get("/scorecard/").cookies  # written
    assert Session.objects.get(session_key=key).expire_date == expires


def test_a_session_past_its_absolute_lifetime_is_signed_out(client, sample):
    sign_in(client, "director")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/scorecard/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_deactivating_an_account_ends_its_sessions(client, sample):
    sign_in(client, "manager")
    assert client.get(reverse("my-returns")).status_code == 200
    get_user_model().objects.filter(username="manager").update(is_active=False)
    response = client.get(reverse("my-returns"))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_deactivated_account_cannot_sign_in(client, sample):
    get_user_model().objects.filter(username="manager").update(is_active=False)
    assert sign_in(client, "manager").status_code == 200
    assert not signed_in(client)


def test_a_password_change_in_the_admin_ends_the_users_other_sessions(client, sample):
    sign_in(client, "director")
    assert client.get("/scorecard/").status_code == 200
    administrator = Client()
    sign_in(administrator, "admin")
    director = user("director")
    response = administrator.post(
        reverse("admin:auth_user_password_change", args=[director.pk]),
        {
            "usable_password": "true",
            "password1": "a-new-long-passphrase-2015",
            "password2": "a-new-long-passphrase-2015",
        },
    )
    assert response.status_code == 302
    response = client.get("/scorecard/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert sign_in(Client(), "director", "a-new-long-passphrase-2015").status_code == 302


def test_a_password_changed_anywhere_ends_the_session(client, sample):
    sign_in(client, "manager")
    manager = user("manager")
    manager.set_password("another-long-passphrase-77")
    manager.save()
    response = client.get(reverse("my-returns"))
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("123456789012", "entirely numeric"),
        ("director2015!", "too similar"),
    ],
)
def test_password_validators_reject_weak_passwords(sample, password, message):
    director = user("director")
    with pytest.raises(ValidationError) as error:
        validate_password(password, director)
    assert any(message in text for text in error.value.messages)
    form = SetPasswordForm(director, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()


# --- CSRF ------------------------------------------------------------------------------


def test_a_login_post_without_the_csrf_token_is_refused():
    csrf_client = Client(enforce_csrf_checks=True)
    response = sign_in(csrf_client, "director")
    assert response.status_code == 403
    assert not signed_in(csrf_client)


def test_return_posts_without_the_csrf_token_are_refused_and_change_nothing(sample, caplog):
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month=FEB)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(user("manager"))
    caplog.clear()
    data = {"version": monthly_return.version, "save": "1"}
    response = csrf_client.post(reverse("return-detail", args=[monthly_return.pk]), data)
    assert response.status_code == 403
    response = csrf_client.post(
        reverse("return-transition", args=[monthly_return.pk]),
        {"version": monthly_return.version, "action": "approve"},
    )
    assert response.status_code == 403
    assert MonthlyReturn.objects.get(pk=monthly_return.pk).version == monthly_return.version
    assert len(security_messages(caplog)) == 2
    assert all("status=403 user='manager'" in m for m in security_messages(caplog))


def test_the_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


# --- Response headers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/scorecard/", "/scorecard/?export=csv", "/scorecard/?export=xlsx", "/summary/", "/returns/"],
)
def test_signed_in_pages_and_exports_are_never_stored(client, sample, url):
    client.force_login(user("director" if "returns" not in url else "manager"))
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "who, url", [(None, "/login/"), ("director", "/scorecard/"), ("director", "/no-such-page/")]
)
def test_every_page_says_which_browser_features_it_never_uses(client, sample, who, url):
    if who:
        client.force_login(user(who))
    policy = dict(
        part.strip().split("=", 1) for part in client.get(url)["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()"


@pytest.fixture
def service_log():
    """What the service's own log handler (settings.LOGGING) writes."""
    import logging as stdlib_logging

    handler = next(
        h
        for h in stdlib_logging.getLogger().handlers
        if any(isinstance(f, log_filters.RefusalWithoutTraceback) for f in h.filters)
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


def test_a_403_is_one_line_in_the_log_not_a_traceback(client, sample, service_log):
    client.force_login(user("director"))
    service_log.seek(0)
    service_log.truncate()
    assert client.get(reverse("my-returns")).status_code == 403
    lines = service_log.getvalue().splitlines()
    assert len(lines) == 1
    assert "access refused status=403 user='director'" in lines[0]


def test_a_csrf_refusal_is_one_line_in_the_log(sample, service_log):
    csrf_client = Client(enforce_csrf_checks=True)
    assert sign_in(csrf_client, "director").status_code == 403
    lines = service_log.getvalue().splitlines()
    assert len(lines) == 1
    assert "access refused status=403 user='anonymous'" in lines[0]


def test_a_suspicious_request_is_logged_without_a_traceback(client, sample, service_log):
    assert client.get("/login/", HTTP_HOST="evil.example").status_code == 400
    text = service_log.getvalue()
    assert "Invalid HTTP_HOST header" in text
    assert "Traceback" not in text


def test_a_server_error_keeps_its_traceback(service_log):
    import logging as stdlib_logging

    try:
        raise ValueError("broken")
    except ValueError:
        stdlib_logging.getLogger("django.request").error(
            "Internal Server Error: /x", exc_info=True, extra={"status_code": 500}
        )
    assert "Traceback" in service_log.getvalue()


# --- Escaping --------------------------------------------------------------------------


@pytest.fixture
def hostile(sample):
    """A measure title and commentaries that try to run a script."""
    cache.clear()  # rendered tables are cached per calculation run
    measure = Measure.objects.get(code="referrals")
    measure.title = f"{XSS} Number of referrals"
    measure.save()
    ReturnValue.objects.filter(measure=measure, monthly_return__month__in=[JAN, FEB]).update(
        commentary=f"{XSS} as typed"
    )
    return measure


def assert_escaped(html):
    assert XSS not in html
    assert XSS_ESCAPED in html


def test_the_scorecard_page_shows_hostile_text_escaped(client, hostile):
    client.force_login(user("director"))
    response = client.get("/scorecard/")
    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_the_return_entry_page_shows_hostile_text_escaped(client, hostile):
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month=FEB)
    client.force_login(user("manager"))
    response = client.get(reverse("return-detail", args=[monthly_return.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert f"{XSS_ESCAPED} as typed</textarea>" in html


def test_the_return_review_page_shows_hostile_text_escaped(client, hostile):
    monthly_return = MonthlyReturn.objects.get(area=ServiceArea.objects.authority(), month=JAN)
    client.force_login(user("officer"))
    response = client.get(reverse("return-detail", args=[monthly_return.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert f"{XSS_ESCAPED} as typed</td>" in html


def test_a_commentary_typed_into_the_form_is_shown_escaped(client, sample):
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month=FEB)
    client.force_login(user("manager"))
    url = reverse("return-detail", args=[monthly_return.pk])
    form = client.get(url).context["form"]
    data = {field.html_name: field.value() or "" for field in form}  # the form as shown
    commentary = next(name for name in form.fields if name.endswith("_commentary"))
    data.update({commentary: XSS, "save": "1"})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert ReturnValue.objects.filter(monthly_return=monthly_return, commentary=XSS).exists()
    assert_escaped(response.content.decode())


def test_the_exports_carry_hostile_text_as_text(hostile):
    sheet = exports.scorecard_sheet(
        area=ServiceArea.objects.authority(), month=JAN, visible_areas=ServiceArea.objects.all()
    )
    csv_text = exports.csv_text(sheet)
    assert f"{XSS} Number of referrals" in csv_text
    assert "&lt;" not in csv_text
    workbook = openpyxl.load_workbook(io.BytesIO(exports.workbook(sheet)))
    cells = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert f"{XSS} Number of referrals" in cells
    out = io.StringIO()
    call_command("export_scorecard", "--month", "2015-01", stdout=out, stderr=io.StringIO())
    assert f"{XSS} Number of referrals" in out.getvalue()
