"""Every account changes and resets its own password (Django's views, the
service's pages).

Both are rate-limited by the sign-in lockout (django-axes, settings.AXES_*),
not by a limiter of their own:
* a wrong current password on the change page is a failed sign-in for that
  username (it is checked with `authenticate`), and a locked username cannot
  change its password either;
* every request for a reset link counts against the address asked for, whether
  or not an account has it, so the page answers the same either way.
A locked page is answered by `security.lockout_response`.
"""

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, _unicode_ci_compare
from django.core.exceptions import ValidationError
from django.shortcuts import render

from .security import client_ip

logger = logging.getLogger("security")


def reset_credentials(email: str) -> dict:
    """What the lockout counts reset requests under: the address, kept apart
    from usernames."""
    return {"username": f"password-reset:{email.strip().lower()}"}


class ChangePasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
    }

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if (
            authenticate(self.request, username=self.user.get_username(), password=old_password)
            is None
        ):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        logger.info(
            "password changed user=%r ip=%s",
            self.request.user.get_username(),
            client_ip(self.request),
        )
        return super().form_valid(form)


def link_minutes() -> int:
    """How long a reset link works (settings.PASSWORD_RESET_TIMEOUT), in minutes."""
    return settings.PASSWORD_RESET_TIMEOUT // 60


class LinkMinutes:
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "minutes": link_minutes()}


class ResetPasswordForm(PasswordResetForm):
    """Django's, but an active account without a password yet (a team manager's
    made by the set-up upload, `reference_data`) gets a link too: the reset is how
    it sets its first password. Inactive accounts still get none."""

    def get_users(self, email):
        email_field = get_user_model().get_email_field_name()
        return (
            user
            for user in get_user_model()._default_manager.filter(
                **{f"{email_field}__iexact": email, "is_active": True}
            )
            if _unicode_ci_compare(email, getattr(user, email_field))
        )


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetPasswordForm

    def form_valid(self, form):
        request = self.request
        email = form.cleaned_data["email"]
        AxesProxyHandler.user_login_failed(
            sender=type(self), request=request, credentials=reset_credentials(email)
        )
        locked = bool(getattr(request, "axes_locked_out", False))
        logger.info(
            "password reset requested email=%r ip=%s%s",
            email,
            client_ip(request),
            " locked=yes" if locked else "",
        )
        if locked:  # the lockout page answers (security.lockout_response); nothing is sent
            return self.render_to_response(self.get_context_data(form=form))
        self.extra_email_context = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "service_name": settings.SERVICE_NAME,
            "minutes": link_minutes(),
        }
        return super().form_valid(form)


class PasswordResetDoneView(LinkMinutes, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(LinkMinutes, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        username = form.user.get_username()
        logger.info("password reset user=%r ip=%s", username, client_ip(self.request))
        # Whoever holds the link could set the password anyway: a sign-in lockout
        # on the account would only keep its owner out with the new one.
        AxesProxyHandler.reset_attempts(username=username)
        return super().form_valid(form)


def locked_page(request, minutes: int):
    """The change or reset page again, saying it is locked and for how long
    (None for any other page: the sign-in page answers those)."""
    wait = f"Try again after {minutes} minutes." if minutes else "Ask an administrator."
    match getattr(request.resolver_match, "url_name", None):
        case "password_change":
            form = ChangePasswordForm(request.user, request=request)
            message = (
                "This account is locked because of too many failed attempts to sign in "
                f"or to enter its current password. {wait}"
            )
            template = PasswordChangeView.template_name
        case "password_reset":
            form = ResetPasswordForm(initial={"email": request.POST.get("email", "")})
            message = f"Too many reset links have been asked for this address. {wait}"
            template = PasswordResetView.template_name
        case _:
            return None
    return render(request, template, {"form": form, "lockout_message": message}, status=429)
