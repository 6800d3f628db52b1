"""The scorecard fits a 1366 px screen, no page scrolls sideways at 375 px, the
column choice works without JavaScript, and the commentary a director sees
collapsed on the screen is printed in full (issue 18, point 4; issue 17, point 6)."""

import re

from playwright.sync_api import expect

WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 375, "height": 740}
# The columns a director reads together, by their header cells
MUST_SHOW = [
    "measure",
    "outturn",
    "target",
    "rag",
    "spc",
    "england",
    "stat_neighbours",
    "direction",
]
MAIN_PAGES = {
    "director": [
        "/summary/",
        "/scorecard/",
        "/scorecard/measures/repeat-referrals/",
        "/workforce/",
    ],
    "officer": ["/approvals/", "/completeness/", "/setup/", "/setup/measures/", "/returns/"],
    "manager": ["/returns/"],
}


def test_at_1366_px_the_scorecards_key_columns_are_on_the_screen(sign_in):
    director = sign_in("director", "director")
    page = director.page
    page.set_viewport_size(WIDE)
    director.goto("/scorecard/")
    width = page.evaluate("innerWidth")
    for name in MUST_SHOW:
        box = page.locator(f"table.scorecard-table thead th.col-{name}").bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box, width)
    expect(page.locator("table.scorecard-table thead th.col-england")).to_have_text("National")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    director.screenshot("scorecard-1366")


def test_at_375_px_no_main_page_scrolls_sideways(sign_in, sample_site):
    for role, paths in MAIN_PAGES.items():
        session = sign_in(role, role)
        page = session.page
        page.set_viewport_size(NARROW)
        paths = list(paths)
        if role == "manager":  # the return entry page too
            session.goto("/returns/")
            href = page.locator("table a[href^='/returns/']").first.get_attribute("href")
            paths.append(href)
        for path in paths:
            session.goto(path)
            widths = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], (role, path, widths)
            session.screenshot(f"375-{path}")


def test_choosing_columns_without_javascript_is_remembered(sign_in):
    director = sign_in("director", "director", javascript=False)
    page = director.page
    page.set_viewport_size(WIDE)
    director.goto("/scorecard/")
    baseline = page.locator("table.scorecard-table thead th.col-baseline")
    expect(baseline).to_have_count(0)
    page.get_by_text("Choose the columns").click()  # a <details>: no script needed
    page.get_by_label("Baseline").check()
    page.get_by_label("Financial year to date").check()
    page.get_by_role("button", name="Show these columns").click()
    expect(page).to_have_url(re.compile(r"columns=chosen"))
    expect(baseline).to_have_text("Baseline")
    expect(page.locator("table.scorecard-table thead th.col-year_to_date")).to_be_visible()
    director.goto("/scorecard/")  # the choice is kept
    expect(baseline).to_have_text("Baseline")
    page.get_by_role("link", name="Show every column").click()
    expect(page.locator("table.scorecard-table thead th.col-trajectory")).to_be_visible()
    director.screenshot("scorecard-every-column")
    page.get_by_role("link", name="Show only the columns that fit the screen").click()
    expect(baseline).to_have_count(0)


def test_commentary_is_collapsed_on_the_screen_and_printed_in_full(sign_in):
    director = sign_in("director", "director")
    page = director.page
    page.set_viewport_size(WIDE)
    director.goto("/scorecard/?group=referrals")
    words = "Referrals in January have decreased by 26%"
    row = page.get_by_role("row", name=re.compile(r"^Number of referrals"))
    details = row.locator("details.app-commentary-details")
    expect(details).to_be_visible()
    expect(details).not_to_have_attribute("open", "")
    expect(details.get_by_text(words)).to_be_hidden()
    expect(row.locator(".app-print-only")).to_be_hidden()
    details.locator("summary").click()
    expect(details.get_by_text(words)).to_be_visible()
    details.locator("summary").click()  # closed again, as a director leaves it
    page.emulate_media(media="print")
    expect(row.locator(".app-print-only").get_by_text(words)).to_be_visible()
    expect(details).to_be_hidden()
    director.screenshot("scorecard-printed")


def test_the_completeness_grid_keeps_the_area_in_view(sign_in):
    officer = sign_in("performance-officer", "officer")
    page = officer.page
    page.set_viewport_size(NARROW)
    officer.goto("/completeness/")
    headers = page.locator("table.app-completeness thead th")
    expect(headers.nth(1)).to_have_text("Feb 2015")  # the newest month first
    area = page.locator("table.app-completeness tbody th").first
    wrapper = page.locator(".app-table-wrapper")
    newest = page.locator("table.app-completeness tbody td").first
    wrapper.evaluate("wrapper => { wrapper.scrollLeft = 2000 }")
    assert wrapper.evaluate("w => w.scrollLeft") > 0
    box, area_box = wrapper.bounding_box(), area.bounding_box()
    # the area stays at the scroll area's left edge while the months scroll under it
    assert (
        box["x"] <= area_box["x"] and area_box["x"] + area_box["width"] <= box["x"] + box["width"]
    )
    assert newest.bounding_box()["x"] < box["x"]  # the first month has scrolled away
    officer.screenshot("completeness-375-scrolled")
