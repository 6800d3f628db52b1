"""The workforce measures as a figure source of the scorecard engine.

`staffing_figures(window)` reads the staffing sections of approved returns (one
query) and gives each team's figures for each workforce measure, as the parts
`formulas` computes. The engine treats them like figures typed into the return:
it counts them only for approved returns, and pools the teams into the
authority's figure (Σ numerators ÷ Σ denominators). The authority's figure is
therefore the qualified social worker staff group across all teams.
"""

from collections import defaultdict
from datetime import date

from scorecard import aggregation
from scorecard.engine import Window
from scorecard.figures import Figure

from . import formulas, measures, selectors
from .models import FIGURE_FIELDS


def _figure(ratio: formulas.Ratio | None, *, with_value: bool = False) -> Figure | None:
    if ratio is None:
        return None
    return Figure(
        numerator=ratio.numerator,
        denominator=ratio.denominator,
        value=ratio.quotient if with_value else None,
    )


def staffing_figures(window: Window) -> dict[tuple[str, int, date], Figure]:
    first = aggregation.add_months(window.first_month, -(formulas.TURNOVER_MONTHS - 1))
    rows = selectors.approved_staffing(window.areas, first, window.last_month).values_list(
        "monthly_return__area_id", "monthly_return__month", *FIGURE_FIELDS
    )
    by_area: dict[int, dict[date, dict]] = defaultdict(dict)
    for area_id, month, *values in rows:
        by_area[area_id][month] = dict(zip(FIGURE_FIELDS, values, strict=True))

    figures = {}
    for area_id, months in by_area.items():
        for month, staffing in months.items():
            if month < window.first_month:
                continue
            year = [
                months.get(aggregation.add_months(month, -back), {})
                for back in range(formulas.TURNOVER_MONTHS - 1, -1, -1)
            ]
            contributions = {
                measures.SICKNESS: _figure(
                    formulas.sickness(staffing["days_lost"], staffing["days_available"])
                ),
                measures.VACANCY: _figure(
                    formulas.vacancy(staffing["vacancies_fte"], staffing["establishment_fte"])
                ),
                measures.AGENCY: _figure(
                    formulas.agency(staffing["agency_fte"], staffing["fte_in_post"])
                ),
                measures.CASELOAD: _figure(
                    formulas.caseload(staffing["open_cases"], staffing["fte_in_post"]),
                    with_value=True,
                ),
                measures.TURNOVER: _figure(
                    formulas.turnover([(m.get("leavers_fte"), m.get("fte_in_post")) for m in year])
                ),
            }
            for code, figure in contributions.items():
                if figure is not None:
                    figures[(code, area_id, month)] = figure
    return figures
