"""The workforce part of the synthetic benchmark data (`scorecard.benchmark_data`):
each team's staffing figures on its approved returns, written with COPY.

Made to sit near the workforce measures' typical figures (sickness about 4%,
vacancies about 14%, agency about 10%, turnover about 12%, caseloads about 18) and within the
staffing constraints (vacancies within the establishment, leavers within those
in post and the starters, days lost within the days available).
"""

import math
from decimal import Decimal

from scorecard.bulk import copy_rows

from .models import FIGURE_FIELDS, Staffing


def _two_places(figure: float) -> Decimal:
    return Decimal(str(round(figure, 2)))


def figures(scale: float, rng) -> dict[str, Decimal]:
    establishment = _two_places(20 * scale)
    in_post = _two_places(float(establishment) * rng.uniform(0.78, 0.95))
    starters = _two_places(rng.uniform(0, 0.4))
    days_available = _two_places(float(in_post) * 20)
    return {
        "fte_in_post": in_post,
        # each person at most 1 FTE: some part-time
        "headcount_in_post": Decimal(math.ceil(float(in_post) * rng.uniform(1.0, 1.12))),
        "establishment_fte": establishment,
        "vacancies_fte": establishment - in_post,
        "agency_fte": _two_places(float(in_post) * rng.uniform(0.04, 0.16)),
        "starters_fte": starters,
        "leavers_fte": _two_places(rng.uniform(0, 0.35)),
        "days_available": days_available,
        "days_lost": _two_places(float(days_available) * rng.uniform(0.02, 0.06)),
        "open_cases": Decimal(round(float(in_post) * rng.uniform(14, 22))),
    }


def load(*, returns, rng, scale) -> dict[str, int]:
    def rows():
        for return_id, area_id, _month in returns:
            staffing = figures(scale[area_id], rng)
            yield (return_id, *(staffing[name] for name in FIGURE_FIELDS), "")

    columns = ["monthly_return_id", *FIGURE_FIELDS, "commentary"]  # no commentary: synthetic
    written = copy_rows(Staffing._meta.db_table, columns, rows())
    return {"staffing figures": written}
