"""The Annex A pages in a browser, checked with axe: an officer maps the lists'
teams, uploads a workbook, previews and fills the drafts; the team manager
sees the data-quality findings on the return and must explain them."""

from datetime import date

from playwright.sync_api import expect

from annexa import derivations
from scorecard import library
from scorecard.models import MonthlyReturn
from tests.annexa.test_derivations import HAND_COUNTED
from tests.annexa.workbooks import annex_a


def test_an_officer_fills_the_drafts_and_the_manager_explains_the_findings(sign_in, tmp_path):
    library.adopt({d.measure: "" for d in derivations.derivations()})
    rows = {
        **HAND_COUNTED,
        5: [
            *HAND_COUNTED[5],
            {
                "team": "North",
                "child_id": "S9",
                "strategy_date": date(2026, 10, 9),
                "icpc_date": date(2026, 10, 8),
            },
        ],
    }
    path = tmp_path / "annex-a.xlsx"
    path.write_bytes(annex_a(rows))
    officer = sign_in("officer", "officer")
    page = officer.page

    def upload():
        officer.goto("/annex-a/")
        page.get_by_label("Upload the Annex A workbook").set_input_files(path)
        page.get_by_label("The day the lists were extracted").fill("03/11/2026")
        page.get_by_role("button", name="Check the workbook").click()

    officer.goto("/annex-a/")
    officer.check_accessibility("annexa-upload")
    page.get_by_role("button", name="Check the workbook").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the Annex A workbook")
    officer.check_accessibility("annexa-upload-errors")
    upload()
    expect(page.locator("#unmapped")).to_contain_text("North")
    page.get_by_role("link", name="Map them").click()
    page.get_by_label("North").select_option(label="First Response")
    page.get_by_label("South").select_option(label="Children in Need South")
    officer.check_accessibility("annexa-teams")
    page.get_by_role("button", name="Save the mapping").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("saved")
    upload()
    expect(page.locator("#findings")).to_be_visible()
    officer.check_accessibility("annexa-preview")
    page.get_by_role("button", name="Fill the returns as drafts").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("draft returns")

    october = MonthlyReturn.objects.get(area__slug="first-response", month="2026-10-01")
    assert october.status == MonthlyReturn.Status.DRAFT
    manager = sign_in("team-manager", "manager")
    manager.goto(f"/returns/{october.pk}/")
    heading = manager.page.get_by_role("heading", name="Annex A data quality", exact=True)
    expect(heading).to_be_visible()
    expect(manager.page.get_by_text("dated before the strategy discussion")).to_be_visible()
    manager.check_accessibility("annexa-return-findings")
