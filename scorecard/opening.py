"""Opening a month: a draft return for every active area, with a blank row for
each measure it reports, ready for the team manager to fill in."""

from datetime import date

from django.db import transaction

from . import periods, workflow
from .models import Measure, MonthlyReturn, ReturnValue, ServiceArea


@transaction.atomic
def open_returns(month: date) -> int:
    """Create the month's missing returns (draft) and missing blank values; return
    how many returns it created.

    Every active area with a measure due gets a return, the authority included.
    The authority's return has a row for each active authority-level measure; an
    area's has one for each active area-level measure that lists it among its
    reporting areas, or lists none. An area with nothing due that month gets no
    return (so a month is not left waiting for an empty one). Only measures due
    in the month have a row: a quarterly measure's only at its quarter's end
    (`periods.is_due`). Safe to run again:
    it only adds what is missing, and adds rows only to returns still with
    their area (draft or returned), never to ones submitted or approved.
    """
    if month.day != 1:
        raise ValueError(f"month must be the first of a month, not {month}")
    areas = list(ServiceArea.objects.filter(active=True))
    measures = [
        measure
        for measure in Measure.objects.filter(active=True).only("id", "level", "frequency")
        if periods.is_due(measure.frequency, month)
    ]
    reporting = {}  # measure id -> set of area ids; absent means every area
    for measure_id, area_id in Measure.reporting_areas.through.objects.filter(
        measure__active=True
    ).values_list("measure_id", "servicearea_id"):
        reporting.setdefault(measure_id, set()).add(area_id)

    def measures_for(area: ServiceArea) -> list[int]:
        if area.is_authority:
            return [m.pk for m in measures if m.level == Measure.Level.AUTHORITY]
        return [
            m.pk
            for m in measures
            if m.level == Measure.Level.AREA and area.pk in reporting.get(m.pk, {area.pk})
        ]

    areas = [area for area in areas if measures_for(area)]
    before = MonthlyReturn.objects.filter(month=month).count()
    MonthlyReturn.objects.bulk_create(
        [MonthlyReturn(area=area, month=month) for area in areas], ignore_conflicts=True
    )
    returns = {
        r.area_id: r
        for r in MonthlyReturn.objects.filter(
            month=month, area__in=areas, status__in=workflow.EDITABLE
        )
    }
    existing = set(
        ReturnValue.objects.filter(monthly_return__in=returns.values()).values_list(
            "monthly_return_id", "measure_id"
        )
    )
    ReturnValue.objects.bulk_create(
        [
            ReturnValue(monthly_return=monthly_return, measure_id=measure_id)
            for area in areas
            if (monthly_return := returns.get(area.pk)) is not None
            for measure_id in measures_for(area)
            if (monthly_return.pk, measure_id) not in existing
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return MonthlyReturn.objects.filter(month=month).count() - before
