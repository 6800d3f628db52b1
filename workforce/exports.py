"""The workforce table as a sheet to export (`scorecard.exports`): the same
figures as the page, numbers as numbers, with each team's staffing commentary."""

from scorecard import exports, formatting

from . import measures
from .reports import WorkforcePage

# (heading, staffing field) and (heading, measure code): the page's table's columns
STAFFING = [
    ("In post (FTE)", "fte_in_post"),
    ("In post (headcount)", "headcount_in_post"),
    ("Vacancies (FTE)", "vacancies_fte"),
]
RESULTS = [
    ("Vacancy rate (%)", measures.VACANCY),
    ("Agency (FTE)", None),  # a staffing figure, between the rates as on the page
    ("Agency rate (%)", measures.AGENCY),
    ("Sickness rate (%)", measures.SICKNESS),
    ("Sickness RAG", measures.SICKNESS),
    ("Cases per FTE", measures.CASELOAD),
]


def _staffing_cell(value):
    """FTE as typed ('27', '12.5'): its own places, as the page shows it."""
    if value is None:
        return None
    value = value.normalize()
    return exports.Number(value, max(0, -value.as_tuple().exponent))


def _result_cell(result):
    if result is None:
        return None
    if result.not_applicable:
        return formatting.NOT_APPLICABLE
    return exports.figure(result.value, result.measure.decimal_places)


def _rating_cell(result):
    rating = result.rating if result else "none"
    return exports.Rated(formatting.RATING_WORDS.get(rating, "No rating"), rating)


def workforce_sheet(page: WorkforcePage) -> exports.Sheet:
    headers = ["Team", *(heading for heading, _ in STAFFING), *(h for h, _ in RESULTS)]
    headers += ["Provisional", "Staffing commentary"]
    rows = []
    for row in page.rows:
        cells = [row.label, *(_staffing_cell(row.staffing.get(name)) for _, name in STAFFING)]
        for heading, code in RESULTS:
            if code is None:
                cells.append(_staffing_cell(row.staffing.get("agency_fte")))
            elif heading.endswith("RAG"):
                cells.append(_rating_cell(row.results.get(code)))
            else:
                cells.append(_result_cell(row.results.get(code)))
        cells.append("Yes" if row.provisional else "No")
        cells.append(exports.commentary_text(row.commentary, page.month) or None)
        rows.append(cells)
    approved = (
        f"Final: staffing figures approved for all {page.teams_shown} teams."
        if page.final
        else f"Provisional: staffing figures approved for {page.teams_approved} of "
        f"{page.teams_shown} teams; figures marked Provisional may change."
    )
    title = [
        f"Workforce by team, {page.month:%B %Y}",
        *([str(page.authority)] if page.authority else []),
        exports.calculated_line(page.run),
        approved,
        "The figures describe each team's qualified social workers; the last row is "
        "that staff group across all teams.",
        *page.target_notes,
    ]
    return exports.Sheet(
        name=f"Workforce {page.month:%b %Y}", title=title, headers=headers, rows=rows
    )
