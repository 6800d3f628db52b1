"""A return's whole journey in the browser, as new users would go through it:
entry with a mistake, submission, return with a reason, correction, approval,
the recalculation, and the director's pages and export. axe-core checks every
main page on the way, for each role, and each page is kept as a screenshot."""

import re
from decimal import Decimal

import openpyxl
from playwright.sync_api import expect

from scorecard.models import CalculationRun, MonthlyReturn

from .helpers import FIGURES, REPEAT, STAFFING, fill_return, open_february

CORRECTED_NUMERATOR, DENOMINATOR = "42", "120"
EXPECTED_OUTTURN = "35.0"  # 42 / 120, to one decimal place
COMMENTARY = (
    "Two families were referred again after their cases closed in January; "
    "the team is reviewing step-down to early help."
)
REASON = "Please check the repeat referrals: the case list shows 42, not 45."


def test_a_return_from_entry_to_the_directors_scorecard(sign_in, tmp_path):
    # --- the team manager signs in, as a new user would -----------------------
    manager = sign_in("team-manager", None)
    page = manager.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    manager.check_accessibility("sign-in", role="anonymous")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("scorecard-demo-2015")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My returns")
    manager.check_accessibility("my-returns")

    open_february(page)
    manager.check_accessibility("return-form")

    # A figure that is not a number: the error summary, and the message at the field.
    repeat = page.get_by_role("group", name=REPEAT, exact=True)
    numerator = repeat.get_by_label("Referrals within 12 months of a previous referral")
    numerator.fill("forty-five")
    repeat.get_by_label("All referrals in the month").fill(DENOMINATOR)
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend's script runs under the CSP
    expect(summary.get_by_role("link")).to_have_text(
        f"{REPEAT}: Enter the numerator as a number, like 12"
    )
    expect(repeat.locator(".govuk-error-message")).to_contain_text(
        "Enter the numerator as a number"
    )
    expect(numerator).to_have_value("forty-five")  # what was typed is kept
    expect(numerator).to_have_attribute("aria-describedby", re.compile(r"-error$"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    manager.check_accessibility("return-form-with-errors")
    summary.get_by_role("link").click()
    expect(numerator).to_be_focused()

    # Fixed, every line filled; submitting asks for the commentary a Red figure needs.
    fill_return(page, FIGURES, STAFFING)
    page.get_by_role("button", name="Submit for approval").click()
    expect(summary).to_contain_text("would rate Red against the target")
    expect(summary.get_by_role("link")).to_have_count(1)
    manager.check_accessibility("return-form-red-needs-commentary")
    summary.get_by_role("link").click()
    commentary = page.get_by_label(f"Commentary on {REPEAT}")
    expect(commentary).to_be_focused()
    commentary.fill(COMMENTARY)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Return submitted for approval."
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("Submitted")
    manager.check_accessibility("return-submitted")

    # --- the performance officer returns it with a reason ---------------------
    officer = sign_in("performance-officer", "officer")
    opage = officer.page
    expect(opage.get_by_role("heading", level=1)).to_have_text("Awaiting approval")
    officer.check_accessibility("approval-queue")
    opage.get_by_role("link", name="First Response, February 2015").click()
    expect(opage.get_by_role("row", name=re.compile(REPEAT))).to_contain_text(
        re.compile(r"45(\.0+)? of 120(\.0+)?\s*37\.5")
    )
    officer.check_accessibility("review")
    # Returning without a reason is refused, with the GOV.UK error pattern.
    opage.get_by_role("button", name="Return", exact=True).click()
    expect(opage.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason you are returning this return"
    )
    officer.check_accessibility("review-with-errors")
    opage.get_by_label("Reason for returning the return").fill(REASON)
    opage.get_by_role("button", name="Return", exact=True).click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text(
        "returned to the team"
    )
    expect(opage.get_by_text("No returns are waiting for approval.")).to_be_visible()

    # --- the team manager sees the reason, corrects and resubmits -------------
    manager.goto("/returns/")
    expect(page.get_by_role("row", name=re.compile("February 2015"))).to_contain_text("Returned")
    open_february(page)
    expect(page.locator(".govuk-inset-text:not(.app-draft)")).to_contain_text(REASON)
    manager.check_accessibility("return-returned")
    expect(commentary).to_have_value(COMMENTARY)
    numerator.fill(CORRECTED_NUMERATOR)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Return submitted for approval."
    )

    # --- the officer approves; the recalculation runs through the task --------
    officer.goto("/approvals/")
    opage.get_by_role("link", name="First Response, February 2015").click()
    expect(opage.get_by_role("row", name=re.compile(REPEAT))).to_contain_text(
        re.compile(rf"{CORRECTED_NUMERATOR}(\.0+)? of {DENOMINATOR}(\.0+)?\s*{EXPECTED_OUTTURN}")
    )
    opage.get_by_role("button", name="Approve", exact=True).click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text("approved")
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    assert monthly_return.status == MonthlyReturn.Status.APPROVED
    # approval asks for a recalculation through the outbox; it runs after commit (in-process here)
    run = CalculationRun.objects.filter(trigger="approval").latest("started_at")
    assert run.finished_at is not None and run.outcome == CalculationRun.Outcome.SUCCEEDED

    # The officer's other pages.
    officer.goto("/completeness/")
    officer.check_accessibility("completeness")
    officer.goto("/calculations/")
    expect(opage.get_by_role("table").first).to_contain_text("approval")
    officer.check_accessibility("calculations")
    officer.goto("/import/")
    officer.check_accessibility("import")
    officer.goto("/setup/library/")
    opage.get_by_label("Use % children looked after with an up-to-date dental check").check()
    opage.get_by_label(
        "Your title for % children looked after with an up-to-date dental check"
    ).fill("Dental checks")
    opage.get_by_role("button", name="Use the ticked measures").click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text("1 measure added")
    officer.check_accessibility("measure-library")
    officer.goto("/setup/")
    officer.check_accessibility("setup")
    opage.get_by_role("link", name="Measures and groups").click()
    officer.check_accessibility("setup-groups")
    opage.get_by_role("link", name="% children seen during assessment").click()
    opage.get_by_text("Add a target").click()
    opage.get_by_label("Target", exact=True).fill("1e3")
    opage.get_by_label("First month in force").fill("2016-04")
    opage.get_by_role("button", name="Add target").click()
    expect(opage.locator(".govuk-error-summary")).to_contain_text(
        "Enter the target as a number, like 12 or 12.5"
    )
    officer.check_accessibility("setup-measure-error")
    opage.get_by_label("Target", exact=True).fill("91.5")
    opage.get_by_role("button", name="Add target").click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text("Target added.")
    expect(
        opage.get_by_role("table", name="Targets for % children seen during assessment")
    ).to_contain_text("91.5")
    officer.goto("/setup/populations/")
    officer.check_accessibility("setup-populations")
    officer.goto("/setup/managers/")
    officer.check_accessibility("setup-managers")

    # The whole set-up as one workbook: downloaded, a target changed, uploaded back.
    officer.goto("/setup/")
    with opage.expect_download() as download_info:
        opage.get_by_role("link", name="Download the set-up").click()
    setup_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(setup_path)

    def with_long_term_icpc_target(value):
        workbook = openpyxl.load_workbook(setup_path)
        targets = workbook["Targets"]
        headings = [cell.value for cell in targets[1]]
        for row in targets.iter_rows(min_row=2):
            if [row[headings.index("Measure")].value, row[headings.index("Kind")].value] == [
                "icpc-15-days",
                "Long-term target",
            ]:
                row[headings.index("Value")].value = value
        changed = tmp_path / f"set-up-{value}.xlsx"
        workbook.save(changed)
        return changed

    opage.get_by_role("link", name="Upload a set-up").click()
    officer.check_accessibility("setup-upload")
    opage.get_by_label("Upload a set-up workbook").set_input_files(
        with_long_term_icpc_target("1e3")
    )
    opage.get_by_role("button", name="Check the file").click()
    expect(opage.locator(".govuk-error-summary")).to_contain_text("column Value: '1e3'")
    officer.check_accessibility("setup-upload-preview-errors")
    opage.get_by_label("Upload a set-up workbook").set_input_files(with_long_term_icpc_target(95))
    opage.get_by_role("button", name="Check the file").click()
    expect(
        opage.get_by_role("table", name="What the Targets sheet would create, change and remove")
    ).to_contain_text("icpc-15-days: Long-term target from April 2014")
    officer.check_accessibility("setup-upload-preview")
    opage.get_by_role("button", name=re.compile("^Write the set-up")).click()
    expect(opage.locator(".govuk-notification-banner--success")).to_contain_text(
        "0 created, 1 changed, 0 removed"
    )

    # The return's history: each step, who and when, with old and new values (the
    # return's page shows the latest changes; its history page all of them).
    officer.goto(f"/returns/{monthly_return.pk}/history/")
    steps = opage.locator(".app-timeline__item")

    def step(heading):
        return steps.filter(has=opage.get_by_role("heading", name=heading, exact=True))

    def changes(item):  # [(field, old, new)] as shown
        return [
            tuple(cell.strip() for cell in row.split("\t"))
            for row in item.locator("tbody tr").evaluate_all("rows => rows.map(r => r.innerText)")
        ]

    def number(text):  # "45.00" -> "45": the history shows stored decimals
        return text if text in ("–", "") else f"{Decimal(text):f}".rstrip("0").rstrip(".")

    expect(step("Submit")).to_have_count(2)
    assert [changes(item) for item in step("Submit").all()] == [
        [("Status", "draft", "submitted")],
        [("Status", "returned", "submitted")],
    ]
    repeat_steps = step(f"Submit: {REPEAT}")
    expect(repeat_steps).to_have_count(2)
    first, second = (changes(item) for item in repeat_steps.all())
    assert [(f, old, number(new)) for f, old, new in first[:2]] == [
        ("Numerator", "–", "45"),
        ("Denominator", "–", DENOMINATOR),
    ], first
    assert first[2][0] == "Commentary" and first[2][1] in ("", "–"), first
    assert first[2][2] == COMMENTARY, first
    assert [(f, number(old), number(new)) for f, old, new in second] == [
        ("Numerator", "45", CORRECTED_NUMERATOR)
    ], second
    expect(step("Return")).to_contain_text(f"Reason: {REASON}")
    expect(step("Return")).to_contain_text("Priya Shah")
    assert ("Status", "submitted", "returned") in changes(step("Return"))
    assert changes(step("Approve")) == [("Status", "submitted", "approved")]
    officer.check_accessibility("return-approved-history")

    # --- the manager's scorecard and summary ----------------------------------
    manager.goto("/scorecard/?month=2015-02")
    manager.check_accessibility("scorecard")
    manager.goto("/summary/")
    manager.check_accessibility("summary")

    # --- the director ----------------------------------------------------------
    director = sign_in("director", "director")
    dpage = director.page
    expect(dpage.get_by_role("heading", level=1)).to_contain_text("RAG summary")
    dpage.get_by_label("Month").select_option(label="February 2015")
    dpage.get_by_role("button", name="Show").click()
    expect(dpage.get_by_role("heading", level=1)).to_have_text("RAG summary for February 2015")
    expect(dpage).to_have_url(re.compile(r"month=2015-02"))
    red = dpage.locator(".app-red-item", has_text=REPEAT)
    expect(red).to_contain_text(EXPECTED_OUTTURN)
    expect(red).to_contain_text(COMMENTARY)
    director.check_accessibility("summary")

    director.goto("/scorecard/measures/repeat-referrals/?month=2015-02")
    expect(dpage.get_by_role("heading", level=1)).to_have_text(REPEAT)
    february = dpage.get_by_role("row", name=re.compile(r"^February 2015"))
    expect(february.first).to_contain_text(EXPECTED_OUTTURN)
    chart = dpage.locator("svg.chart")
    expect(chart).to_have_attribute("role", "img")
    # February 2015 is the chart's last month, so its point sits at the right edge
    # of the plot: the circle furthest right, and the only one there.
    points = chart.locator("circle.chart__point")
    xs = [float(cx) for cx in points.evaluate_all("cs => cs.map(c => c.getAttribute('cx'))")]
    right_edge = float(chart.locator("line.chart__grid").first.get_attribute("x2"))
    assert xs.count(right_edge) == 1 and max(xs) == right_edge, (
        f"no point for February 2015 at the plot's right edge ({right_edge}): {xs}"
    )
    director.check_accessibility("measure-detail")

    director.goto("/scorecard/?month=2015-02")
    expect(dpage.get_by_role("row", name=re.compile(re.escape(REPEAT)))).to_contain_text(
        EXPECTED_OUTTURN
    )
    director.check_accessibility("scorecard")
    with dpage.expect_download() as download_info:
        dpage.get_by_role("link", name="Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("2015-02.xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == "Measure")  # below the title block
    row = next(r for r in rows if r[header.index("Measure")] == REPEAT)
    outturn = row[header.index("Outturn")]
    february_cell = row[header.index("Feb 2015")]
    expected = Decimal(CORRECTED_NUMERATOR) / Decimal(DENOMINATOR) * 100
    # a number, at the page's one place
    assert f"{expected:.1f}" == EXPECTED_OUTTURN
    assert Decimal(str(outturn)) == Decimal(str(february_cell)) == Decimal(EXPECTED_OUTTURN), row

    director.goto("/workforce/")
    director.check_accessibility("workforce")

    for session in (manager, officer, director):
        assert not session.console_errors, f"{session.role}: {session.console_errors}"
