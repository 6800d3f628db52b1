"""The same service with JavaScript off: a team manager enters and submits,
the officer approves, the director reads the figure. Every step is a plain
link or form, so nothing may depend on a script."""

import re

from playwright.sync_api import expect

from .helpers import FIGURES, REPEAT, STAFFING, fill_return, open_february

COMMENTARY = "Fewer repeat referrals since the early help step-down panel started."
FIGURES_NO_JS = {**FIGURES, REPEAT: ("18", "120")}  # 15.0%: Green against 25.0
EXPECTED_OUTTURN = "15.0"


def test_enter_submit_approve_and_read_without_javascript(sign_in):
    manager = sign_in("team-manager", "manager", javascript=False)
    page = manager.page
    # GOV.UK Frontend marks the body when its script runs: it must not have.
    expect(page.locator("body")).not_to_have_class(re.compile("govuk-frontend-supported"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My returns")
    manager.screenshot("my-returns")
    open_february(page)
    fill_return(page, FIGURES_NO_JS, STAFFING)
    page.get_by_label(f"Commentary on {REPEAT}").fill(COMMENTARY)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Return submitted for approval."
    )
    manager.screenshot("return-submitted")

    officer = sign_in("performance-officer", "officer", javascript=False)
    opage = officer.page
    expect(opage.get_by_role("heading", level=1)).to_have_text("Awaiting approval")
    opage.get_by_role("link", name="First Response, February 2015").click()
    expect(opage.get_by_role("row", name=re.compile(re.escape(REPEAT)))).to_contain_text(COMMENTARY)
    officer.screenshot("review")
    opage.get_by_role("button", name="Approve", exact=True).click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text("approved")

    director = sign_in("director", "director", javascript=False)
    dpage = director.page
    director.goto("/scorecard/")
    # The filter is a plain GET form.
    dpage.get_by_label("Month (as at)").select_option(label="February 2015")
    dpage.get_by_role("button", name="Show").click()
    expect(dpage).to_have_url(re.compile(r"month=2015-02"))
    row = dpage.get_by_role("row", name=re.compile(re.escape(REPEAT)))
    expect(row).to_contain_text(EXPECTED_OUTTURN)
    director.screenshot("scorecard")
    row.get_by_role("link", name=re.compile(re.escape(REPEAT))).first.click()
    expect(dpage.get_by_role("heading", level=1)).to_have_text(REPEAT)
    expect(dpage.get_by_role("row", name=re.compile(r"^February 2015")).first).to_contain_text(
        EXPECTED_OUTTURN
    )
    director.screenshot("measure-detail")
