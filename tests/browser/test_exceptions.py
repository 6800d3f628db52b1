"""The exceptions page as a director reads it in Chromium, on a laptop and a
phone: accessible, the table whole at 1366 px, nothing but the table's own
scroll area scrolling sideways at 375 px, and each row opening its measure."""

from playwright.sync_api import expect


def test_the_exceptions_at_1366_and_375_pixels(sign_in):
    director = sign_in("director", "director")
    page = director.page
    page.set_viewport_size({"width": 1366, "height": 900})
    director.goto("/exceptions/?month=2015-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exceptions for January 2015")
    table = page.get_by_role("table", name="Exceptions in Buckinghamshire Children's Services")
    first = table.locator("tbody tr").first
    expect(first.get_by_role("rowheader")).to_have_text(
        "% ICPC within 15 working days of the strategy discussion"
    )
    expect(first).to_contain_text("Red for 1 month; 26.0 points worse than the 70.0% target")
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, box  # no column off the screen
    director.check_accessibility("exceptions-1366")

    page.set_viewport_size({"width": 375, "height": 800})
    director.goto("/exceptions/?month=2015-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    director.check_accessibility("exceptions-375")

    first = page.locator("table.app-exceptions tbody tr").first
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "% ICPC within 15 working days of the strategy discussion"
    )
    assert "month=2015-01" in page.url
    assert not director.console_errors
