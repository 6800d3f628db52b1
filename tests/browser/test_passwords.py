"""A team manager who forgot the password resets it from the sign-in page,
signs in with it, and changes it again from the header; every page and its
error summary checked with axe-core (WCAG 2.2 AA)."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

RESET_TO = "a-fresh-long-passphrase-2026"
CHANGED_TO = "another-long-passphrase-2027"


def test_forgotten_password_reset_then_changed_from_the_header(sign_in):
    visitor = sign_in("team-manager", None)
    page = visitor.page
    visitor.goto("/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a valid email address")
    visitor.check_accessibility("password-reset-error")
    page.get_by_role("link", name="Enter a valid email address").click()
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill("manager@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    visitor.check_accessibility("password-reset-sent")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/account/reset/\S+/", message.body).group(0)
    visitor.goto(urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    page.get_by_label("New password", exact=True).fill(RESET_TO)
    page.get_by_label("New password confirmation").fill("something else entirely")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("didn’t match")
    visitor.check_accessibility("password-reset-set-error")
    page.get_by_label("New password", exact=True).fill(RESET_TO)
    page.get_by_label("New password confirmation").fill(RESET_TO)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been set")
    visitor.check_accessibility("password-reset-complete")

    page.get_by_role("link", name="Sign in with your new password").click()
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(RESET_TO)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My returns")

    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Current password").fill("not-the-password")
    page.get_by_label("New password", exact=True).fill(CHANGED_TO)
    page.get_by_label("New password confirmation").fill(CHANGED_TO)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your current password is not right"
    )
    visitor.check_accessibility("password-change-error")
    page.get_by_label("Current password").fill(RESET_TO)
    page.get_by_label("New password", exact=True).fill(CHANGED_TO)
    page.get_by_label("New password confirmation").fill(CHANGED_TO)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    visitor.check_accessibility("password-change-done")
    assert visitor.console_errors == []
