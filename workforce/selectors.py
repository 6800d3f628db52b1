"""Reads of staffing figures. Who may see which area is decided by
`scorecard.selectors`; these only narrow what it allows."""

from datetime import date

from django.db.models import Q, QuerySet

from scorecard import aggregation
from scorecard.models import Measure, MonthlyReturn, ServiceArea

from . import measures
from .models import Staffing


def reports_staffing(area: ServiceArea) -> bool:
    """A team's return carries a staffing section while the scorecard has an
    active workforce measure the team reports (as with any other measure: the
    measure lists it among its reporting areas, or lists none)."""
    if area.is_authority:
        return False
    return Measure.objects.filter(
        Q(reporting_areas__isnull=True) | Q(reporting_areas=area),
        code__in=measures.CODES,
        active=True,
        level=Measure.Level.AREA,
    ).exists()


def staffing_for_return(monthly_return: MonthlyReturn) -> tuple[Staffing | None, Staffing | None]:
    """The return's staffing figures and the same area's a month earlier; one query."""
    previous_month = aggregation.add_months(monthly_return.month, -1)
    found = {
        staffing.monthly_return.month: staffing
        for staffing in Staffing.objects.filter(
            monthly_return__area_id=monthly_return.area_id,
            monthly_return__month__in=[monthly_return.month, previous_month],
        ).select_related("monthly_return")
    }
    return found.get(monthly_return.month), found.get(previous_month)


def approved_staffing(
    areas: QuerySet[ServiceArea] | list, first: date, last: date
) -> QuerySet[Staffing]:
    """Staffing figures of approved returns only: the figures that count."""
    return Staffing.objects.filter(
        monthly_return__status=MonthlyReturn.Status.APPROVED,
        monthly_return__area__in=areas,
        monthly_return__month__gte=first,
        monthly_return__month__lte=last,
    )
