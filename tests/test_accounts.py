"""Every account changes and resets its own password: the service's pages, the
sign-in lockout as their rate limit, one answer whether or not an address has
an account, and reset links that work once, for a short time."""

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

PASSWORD = "scorecard-demo-2015"
NEW = "a-fresh-long-passphrase-2026"
WRONG = "not-the-password"
LINK = re.compile(r"https?://\S+/account/reset/\S+/")


def user(username):
    return get_user_model().objects.get(username=username)


def change(client, old, new=NEW, confirm=None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": confirm or new},
    )


def ask_for_link(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def security_messages(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "security"]


# --- Where the pages are found ----------------------------------------------------------


def test_every_signed_in_page_links_to_change_your_password(client, sample):
    client.force_login(user("director"))
    html = client.get(reverse("summary")).content.decode()
    assert f'href="{reverse("password_change")}">Change your password</a>' in html


def test_the_sign_in_page_links_to_forgotten_your_password(client, sample):
    html = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgotten your password?</a>' in html


@pytest.mark.parametrize(
    "name, args",
    [
        ("password_reset", []),
        ("password_reset_done", []),
        ("password_reset_complete", []),
        ("password_reset_confirm", ["MQ", "not-a-token"]),
    ],
)
def test_the_reset_pages_open_without_signing_in(client, sample, name, args):
    assert client.get(reverse(name, args=args)).status_code == 200


def test_changing_a_password_needs_signing_in(client, sample):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Changing a password ----------------------------------------------------------------


@pytest.mark.parametrize("username", ["manager", "officer", "director", "admin"])
def test_every_account_can_change_its_own_password(client, sample, username):
    client.force_login(user(username))
    form = client.get(reverse("password_change")).content.decode()
    for name, label in [
        ("old_password", "Current password"),
        ("new_password1", "New password"),
        ("new_password2", "New password confirmation"),
    ]:
        assert f'<label class="govuk-label" for="id_{name}">{label}</label>' in form
    response = change(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert user(username).check_password(NEW)
    done = client.get(response["Location"])  # still signed in here
    assert "Your password has been changed" in done.content.decode()


def test_a_wrong_current_password_is_shown_in_the_error_summary(client, sample):
    client.force_login(user("manager"))
    response = change(client, WRONG)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Change your password" in html
    assert "There is a problem" in html
    assert '<a href="#id_old_password">Your current password is not right.' in html
    assert 'aria-describedby="id_old_password-error"' in html
    assert user("manager").check_password(PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reason(client, sample):
    client.force_login(user("manager"))
    html = change(client, PASSWORD, new="short").content.decode()
    assert '<a href="#id_new_password2">This password is too short.' in html
    assert user("manager").check_password(PASSWORD)


def test_wrong_current_passwords_lock_the_change_as_wrong_passwords_lock_signing_in(client, sample):
    client.force_login(user("manager"))
    for _ in range(4):
        assert change(client, WRONG).status_code == 200
    locked = change(client, WRONG)
    assert locked.status_code == 429
    assert "This account is locked because of too many failed attempts" in (locked.content.decode())
    assert "Try again after 15 minutes" in locked.content.decode()
    right = change(client, PASSWORD)
    assert right.status_code == 429  # even the right password, until the cool-off ends
    assert user("manager").check_password(PASSWORD)
    client.logout()
    signing_in = client.post(reverse("login"), {"username": "manager", "password": PASSWORD})
    assert signing_in.status_code == 429  # one lockout, the sign-in one
    typed = "".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert WRONG not in typed and PASSWORD not in typed and NEW not in typed


def test_a_password_change_is_logged(client, sample, caplog):
    caplog.set_level(logging.INFO, logger="security")
    client.force_login(user("manager"))
    change(client, PASSWORD)
    assert "password changed user='manager' ip=127.0.0.1" in security_messages(caplog)


# --- Resetting a forgotten password -----------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(client, sample):
    known = ask_for_link(client, "manager@example.org")
    unknown = ask_for_link(client, "nobody@example.org")
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert "If an account has that email address" in known.content.decode()
    assert [message.to for message in mail.outbox] == [["manager@example.org"]]


def test_the_link_sets_a_new_password_once(client, sample):
    ask_for_link(client, "Manager@Example.org")
    (message,) = mail.outbox
    link = LINK.search(message.body).group(0)
    assert link.startswith(settings.SITE_URL.rstrip("/") + "/account/reset/")
    assert "30 minutes" in message.body
    assert "Reset your password" in message.subject
    form = client.get(link, follow=True)
    assert "Set a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert "Your password has been set" in done.content.decode()
    assert user("manager").check_password(NEW)
    again = client.get(link, follow=True).content.decode()
    assert "The link to reset your password has expired" in again


def test_setting_a_new_password_ends_a_sign_in_lockout(client, sample):
    for _ in range(5):
        client.post(reverse("login"), {"username": "manager", "password": WRONG})
    assert (
        client.post(reverse("login"), {"username": "manager", "password": PASSWORD}).status_code
        == 429
    )
    ask_for_link(client, "manager@example.org")
    link = LINK.search(mail.outbox[0].body).group(0)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    signed_in = client.post(reverse("login"), {"username": "manager", "password": NEW})
    assert signed_in.status_code == 302
    assert "_auth_user_id" in client.session


def reset_link(user_, minutes_ago):
    generator = default_token_generator
    issued = generator._num_seconds(generator._now()) - minutes_ago * 60
    token = generator._make_token_with_timestamp(user_, issued, generator.secret)
    return reverse(
        "password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(user_.pk)), token]
    )


def test_a_reset_link_works_for_30_minutes():
    assert settings.PASSWORD_RESET_TIMEOUT == 30 * 60


def test_an_expired_link_is_refused_with_a_clear_message(client, sample):
    fresh = client.get(reset_link(user("manager"), minutes_ago=29), follow=True)
    assert "Set a new password" in fresh.content.decode()
    expired = client.get(reset_link(user("manager"), minutes_ago=31), follow=True)
    html = expired.content.decode()
    assert "The link to reset your password has expired" in html
    assert "A link works once, for 30 minutes" in html
    assert f'href="{reverse("password_reset")}">Ask for a new link</a>' in html
    assert "id_new_password1" not in html


def test_an_invalid_address_is_shown_in_the_error_summary(client, sample):
    html = ask_for_link(client, "not an address").content.decode()
    assert '<a href="#id_email">Enter a valid email address.' in html
    assert '<label class="govuk-label" for="id_email">Email</label>' in html
    assert mail.outbox == []


@pytest.mark.parametrize("email", ["manager@example.org", "nobody@example.org"])
def test_asking_for_links_too_often_is_locked_the_same_for_any_address(client, sample, email):
    for _ in range(4):
        assert ask_for_link(client, email).redirect_chain
    locked = ask_for_link(client, email)
    assert locked.status_code == 429
    assert "Too many reset links have been asked for this address" in locked.content.decode()
    assert ask_for_link(client, email.upper()).status_code == 429
    sent = len(mail.outbox)
    assert sent == (4 if email.startswith("manager") else 0)
    assert ask_for_link(client, "director@example.org").redirect_chain  # another address
    assert len(mail.outbox) == sent + 1


def test_a_reset_is_logged(client, sample, caplog):
    caplog.set_level(logging.INFO, logger="security")
    ask_for_link(client, "manager@example.org")
    link = LINK.search(mail.outbox[0].body).group(0)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert security_messages(caplog) == [
        "password reset requested email='manager@example.org' ip=127.0.0.1",
        "password reset user='manager' ip=127.0.0.1",
    ]
