"""What the browser tests share: the February 2015 return's figures and how a
team manager fills them in."""

import re

from playwright.sync_api import expect

REPEAT = "% repeat referrals"
# The team's February 2015: every line of the return, as (numerator, denominator)
# or (count,) by the measure's heading. Repeat referrals rate Red (target 25.0,
# lower is better); the rest are within their targets.
FIGURES = {
    "Number of referrals": ("120",),
    REPEAT: ("45", "120"),  # 37.5%: Red, needs a commentary
    "Number of assessments started": ("96",),
    "% assessments completed in 45 days": ("88", "100"),
    "% children seen during assessment": ("95", "100"),
    "% assessments ending in no further action": ("30", "100"),
    "% assessments leading to a CIN or CP plan": ("40", "100"),
}
STAFFING = {
    "Qualified social workers in post (FTE)": "31",
    "Qualified social workers in post (headcount)": "32",
    "Establishment (FTE)": "34",
    "Vacancies (FTE)": "3",
    "Agency qualified social workers (FTE)": "2",
    "Starters in the month (FTE)": "1",
    "Leavers in the month (FTE)": "1",
    "Working days available": "620",
    "Working days lost to sickness": "19",
    "Open cases held by qualified social workers": "540",
    "Staffing commentary": "A further social worker from the agency in February.",
}


def fill_return(page, figures, staffing):
    """Each measure's fieldset (named by its heading), then the staffing section."""
    for title, typed in figures.items():
        line = page.get_by_role("group", name=title, exact=True)
        inputs = line.locator("input.govuk-input[inputmode=decimal]")
        expect(inputs).to_have_count(len(typed))
        for i, text in enumerate(typed):
            inputs.nth(i).fill(text)
    for label, text in staffing.items():
        page.get_by_label(label, exact=True).fill(text)


def open_february(page):
    page.get_by_role("link", name=re.compile(r"^February 2015\W+First Response$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return for February 2015")
