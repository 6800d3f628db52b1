"""Security plumbing: the "security" log (sign-ins, sign-outs, refused access),
the client's address, the response headers, the idle session timeout and the
login lockout page.

Connected from ScorecardConfig.ready(); the middleware classes are listed in
settings.MIDDLEWARE; django-axes calls `client_ip` and `lockout_response`.
"""

import ipaddress
import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("security")

LAST_ACTIVITY_KEY = "_security_last_activity"
# The last-activity time is written at most this often, so that reading pages
# does not write the session on every request. The idle timeout is therefore
# exact to within this many seconds.
ACTIVITY_WRITE_INTERVAL = 60


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT says
    that many proxies of ours stand in front, in which case the address the
    outermost of them saw, read from the right of X-Forwarded-For (the left is
    whatever the client chose to send)."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def _who(user) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return user.get_username()


# --- Sign-in, sign-out ------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    logger.info("login succeeded user=%r ip=%s", user.get_username(), client_ip(request))
    session = getattr(request, "session", None)
    if session is not None:
        # An absolute lifetime: the session ends SESSION_COOKIE_AGE after sign-in,
        # however often it is written afterwards (a plain SESSION_COOKIE_AGE would
        # restart from every write of the session).
        session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        session[LAST_ACTIVITY_KEY] = int(time.time())


def on_login_failed(sender, credentials, request=None, **kwargs):
    locked = bool(getattr(request, "axes_locked_out", False))
    logger.warning(
        "login failed user=%r ip=%s%s",
        (credentials or {}).get("username"),
        client_ip(request) if request is not None else None,
        " locked=yes" if locked else "",
    )


def on_logged_out(sender, request, user, **kwargs):
    reason = getattr(request, "security_logout_reason", "")
    logger.info(
        "logout user=%r ip=%s%s",
        _who(user),
        client_ip(request),
        f" reason={reason}" if reason else "",
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    logger.warning(
        "account locked user=%r ip=%s failures=%s",
        username,
        ip_address,
        getattr(request, "axes_failures_since_start", None),
    )


def connect_signals():
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="security_logged_in")
    user_login_failed.connect(on_login_failed, dispatch_uid="security_login_failed")
    user_logged_out.connect(on_logged_out, dispatch_uid="security_logged_out")
    user_locked_out.connect(on_locked_out, dispatch_uid="security_locked_out")


# --- Refused access -----------------------------------------------------------------


class RefusedAccessLogMiddleware:
    """Logs every 403 (PermissionDenied, CSRF failures) and every 404 that a view
    raised (a row outside the user's scope is not found); not 404s for URLs that
    match nothing, which are noise from scanners."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        raised = getattr(request, "security_refusal", None)
        if response.status_code == 403 or (response.status_code == 404 and raised):
            logger.warning(
                "access refused status=%s user=%r ip=%s method=%s path=%r%s",
                response.status_code,
                _who(getattr(request, "user", None)),
                client_ip(request),
                request.method,
                request.get_full_path(),
                f" reason={raised}" if raised else "",
            )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request.security_refusal = "permission-denied"
        elif isinstance(exception, Http404):
            request.security_refusal = "not-found"
        return None


# --- Response headers ---------------------------------------------------------------


class ResponseHeadersMiddleware:
    """Every page says which browser features it never uses (Permissions-Policy),
    and no page or export shown to a signed-in user is kept by the browser or a
    proxy (Cache-Control: no-store). Static files are served before this runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


# --- Idle timeout -------------------------------------------------------------------


class IdleTimeoutMiddleware:
    """Signs out a user who has done nothing for SESSION_IDLE_TIMEOUT seconds and
    sends them to sign in again, with a message. Must come after the session,
    authentication and messages middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = settings.SESSION_IDLE_TIMEOUT
            if isinstance(last, int) and now - last > timeout:
                path = request.get_full_path()
                request.security_logout_reason = "idle-timeout"
                logout(request)
                messages.info(
                    request,
                    f"You were signed out because you had not used the "
                    f"service for {timeout // 60} minutes. Sign in again "
                    f"to continue.",
                )
                return redirect_to_login(path)
            if not isinstance(last, int) or now - last >= ACTIVITY_WRITE_INTERVAL:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


# --- Login lockout (django-axes) ----------------------------------------------------


def lockout_minutes(request=None) -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again (or the password page the user was on, see
    accounts.locked_page), with an error summary saying the account is locked
    and for how long (settings.AXES_LOCKOUT_CALLABLE)."""
    from django.contrib.auth.forms import AuthenticationForm

    from .accounts import locked_page

    minutes = lockout_minutes(request)
    page = locked_page(request, minutes)
    if page is not None:
        return page
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    if minutes:
        message = (
            f"This account is locked for {minutes} minutes because of too many failed "
            f"attempts to sign in. Try again after {minutes} minutes, or ask an "
            f"administrator to unlock it."
        )
    else:
        message = (
            "This account is locked because of too many failed attempts to sign in. "
            "Ask an administrator to unlock it."
        )
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "next": request.POST.get("next", ""),
        "lockout_message": message,
    }
    return render(request, "registration/login.html", context, status=429)
