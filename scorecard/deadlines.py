"""When returns are due, which need chasing, and who has sent what.

The dates come from `workdays`; this module only reads the returns.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from . import selectors, workdays, workflow
from .models import MonthlyReturn, ServiceArea

MISSING = "missing"


def due_date_for_month(month: date) -> date:
    return workdays.due_date(month, settings.RETURN_DUE_WORKING_DAYS)


def due_date_for(monthly_return: MonthlyReturn) -> date:
    """The day the return is due: RETURN_DUE_WORKING_DAYS working days after its month."""
    return due_date_for_month(monthly_return.month)


def submitted_on(monthly_return: MonthlyReturn) -> date | None:
    """The local date a return now with the officers (or approved) was sent; None
    while it is a draft or has been returned to its area."""
    if monthly_return.status not in workflow.SENT:
        return None
    moment = monthly_return.submitted_at or monthly_return.approved_at
    return timezone.localdate(moment) if moment else None


def deadline_state_for(monthly_return: MonthlyReturn, today: date) -> str:
    """`workdays.deadline_state` for a return, as of `today`."""
    return workdays.deadline_state(
        due_date_for(monthly_return), today, submitted_on(monthly_return)
    )


def returns_due_for_reminder(today: date) -> list[MonthlyReturn]:
    """Draft or returned returns of active areas due within two working days of
    `today`, or already overdue; oldest month first."""
    horizon = workdays.add_working_days(today, workdays.DUE_SOON_WORKING_DAYS)
    # A month's return falls due after the month ends, so later months cannot be due.
    candidates = (
        MonthlyReturn.objects.filter(
            status__in=workflow.EDITABLE, area__active=True, month__lte=horizon.replace(day=1)
        )
        .select_related("area")
        .order_by("month", "area__order", "area__name")
    )
    return [r for r in candidates if due_date_for_month(r.month) <= horizon]


@dataclass(frozen=True)
class GridCell:
    month: date
    status: str  # "Draft", "Submitted", "Returned", "Approved" or "Missing"
    status_code: str  # MonthlyReturn.Status value, or "missing"
    due: date
    deadline_state: str  # workdays.deadline_state: "on time", "due soon", ... or ""
    return_id: int | None  # None where no return exists
    # the return's lines due this month (a quarterly measure's only at its quarter's
    # end), and how many hold a figure or a reason; both 0 where no return exists
    figures_due: int = 0
    figures_in: int = 0


@dataclass(frozen=True)
class GridRow:
    area: ServiceArea
    cells: list[GridCell]


@dataclass(frozen=True)
class CompletenessGrid:
    months: list[date]
    rows: list[GridRow]


def completeness_grid(
    months: list[date], areas: Iterable[ServiceArea], *, today: date | None = None
) -> CompletenessGrid:
    """Rows are `areas` (in the order given), columns are `months`.

    Two queries, for the returns and their figures (and one for `areas` if it
    is an unevaluated queryset), however many areas and months.
    """
    today = today or timezone.localdate()
    months, areas = list(months), list(areas)
    found = {
        (r.area_id, r.month): r
        for r in MonthlyReturn.objects.filter(area__in=areas, month__in=months).only(
            "id", "area", "month", "status", "submitted_at", "approved_at"
        )
    }
    figures = selectors.figures_due_and_in(found.values())
    due = {month: due_date_for_month(month) for month in months}
    rows = []
    for area in areas:
        cells = []
        for month in months:
            monthly_return = found.get((area.pk, month))
            if monthly_return is None:
                status, code, return_id, sent = "Missing", MISSING, None, None
                figures_due, figures_in = 0, 0
            else:
                status = monthly_return.get_status_display()
                code, return_id = monthly_return.status, monthly_return.pk
                sent = submitted_on(monthly_return)
                figures_due, figures_in = figures[return_id]
            cells.append(
                GridCell(
                    month=month,
                    status=status,
                    status_code=code,
                    due=due[month],
                    deadline_state=workdays.deadline_state(due[month], today, sent),
                    return_id=return_id,
                    figures_due=figures_due,
                    figures_in=figures_in,
                )
            )
        rows.append(GridRow(area=area, cells=cells))
    return CompletenessGrid(months=months, rows=rows)
