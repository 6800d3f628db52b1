"""Who sees what. Every list, page, export and form choice goes through here,
so a row outside a user's scope is simply not found."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Q, QuerySet, When

from . import aggregation, engine, figures, periods
from .models import Measure, MonthlyReturn, ReturnValue, ServiceArea, Target


def can_see_all_areas(user) -> bool:
    return user.has_perm("scorecard.view_all_areas")


def service_areas_for_user(user) -> QuerySet[ServiceArea]:
    """The service areas whose returns and figures the user may see."""
    areas = ServiceArea.objects.all()
    if can_see_all_areas(user):
        return areas
    return areas.filter(memberships__user=user)


def scorecard_areas_for_user(user) -> QuerySet[ServiceArea]:
    """The areas whose scorecard the user may read: their own, and the
    authority's published figures for everyone."""
    areas = ServiceArea.objects.all()
    if can_see_all_areas(user):
        return areas
    return (areas.filter(memberships__user=user) | areas.filter(parent__isnull=True)).distinct()


def returns_for_user(user) -> QuerySet[MonthlyReturn]:
    return MonthlyReturn.objects.filter(area__in=service_areas_for_user(user)).select_related(
        "area"
    )


def is_entrant(user, monthly_return: MonthlyReturn) -> bool:
    """Whoever enters this return's figures: the area's team manager, or a
    performance officer for the authority-level return."""
    if not user.has_perm("scorecard.submit_monthlyreturn"):
        return False
    if monthly_return.area.is_authority:
        return user.has_perm("scorecard.approve_monthlyreturn")
    return monthly_return.area.memberships.filter(user=user).exists()


def items_shaped_by(user, monthly_return: MonthlyReturn) -> int:
    """How many figures or commentaries of the return's current round of approval
    the user entered or changed."""
    return monthly_return.contributions.filter(cycle=monthly_return.cycle, user=user).count()


def is_approver(user) -> bool:
    return user.has_perm("scorecard.approve_monthlyreturn")


def entry_returns_for_user(user) -> QuerySet[MonthlyReturn]:
    """The returns this user enters: 'My returns'."""
    if not user.has_perm("scorecard.submit_monthlyreturn"):
        return MonthlyReturn.objects.none()
    areas = ServiceArea.objects.filter(memberships__user=user)
    if is_approver(user):
        areas = areas | ServiceArea.objects.filter(parent__isnull=True)
    return MonthlyReturn.objects.filter(area__in=areas.distinct()).select_related("area")


@dataclass
class ReturnLine:
    """One measure of a return with what the entry form shows beside it."""

    value: ReturnValue
    measure: Measure
    previous: Decimal | None  # the last period's figure for the same area
    history: list  # the area's figures over the last 12 months (the months due)
    target: Decimal | None
    # a rate imported as history has no count to compare with (`previous` is
    # None), but it is what last period was: shown as the rate it is
    previous_rate: Decimal | None = None

    @property
    def previous_label(self) -> str:
        """'Last month', or 'Last quarter' for a quarterly measure."""
        return periods.last_period_words(self.measure.frequency).capitalize()


def comparable_figure(measure: Measure, value: ReturnValue | None) -> Decimal | None:
    """The figure a line compares with others, as entered (`figures.comparable`)."""
    if value is None:
        return None
    figure = figures.Figure(
        value.numerator, value.denominator, value.value, bool(value.not_applicable_reason)
    )
    return figures.comparable(measure, figure, as_entered=True)


def _holds_figure(value: ReturnValue) -> bool:
    return (value.numerator, value.denominator, value.value) != (None, None, None) or bool(
        value.not_applicable_reason
    )


# `_holds_figure` as the database asks it (a test holds the two to the same answers)
HOLDS_FIGURE = (
    Q(numerator__isnull=False)
    | Q(denominator__isnull=False)
    | Q(value__isnull=False)
    | ~Q(not_applicable_reason="")
)


def is_asked_for(value: ReturnValue, month, *, computed: frozenset[str]) -> bool:
    """Whether a return's line is one its team is asked to fill in: due in the
    month (`periods.is_due`), and not a measure another app computes
    (`computed`: `engine.contributed_measures()`) unless it holds a figure
    imported from history. `value.measure` must be at hand."""
    measure = value.measure
    return (measure.code not in computed or _holds_figure(value)) and periods.is_due(
        measure.frequency, month
    )


def figures_due_and_in(monthly_returns) -> dict[int, tuple[int, int]]:
    """{return id: (lines asked for, lines filled in: a figure or a reason it is
    not applicable)}, over the months due only (`is_asked_for`); one query, its
    rows counted by the database (a few per return, not one per line)."""
    computed = engine.contributed_measures()
    months = {r.pk: r.month for r in monthly_returns}
    counts = {pk: (0, 0) for pk in months}
    lines = (
        ReturnValue.objects.filter(monthly_return_id__in=list(months))
        .values("monthly_return_id", "measure__frequency")
        .annotate(
            contributed=Case(When(measure__code__in=computed, then=True), default=False),
            lines=Count("pk"),
            filled=Count("pk", filter=HOLDS_FIGURE),
        )
        .order_by()
    )
    for row in lines:
        return_id = row["monthly_return_id"]
        if not periods.is_due(row["measure__frequency"], months[return_id]):
            continue
        # a computed measure's line is asked for only where it holds an imported figure
        asked = row["filled"] if row["contributed"] else row["lines"]
        due, filled = counts[return_id]
        counts[return_id] = (due + asked, filled + row["filled"])
    return counts


def return_lines(monthly_return: MonthlyReturn) -> list[ReturnLine]:
    """The return's lines in scorecard order, each with the last period's figure
    (last month's; June's for a quarterly measure in September), the last 12
    months and the target in force. Four queries whatever the size.

    Measures another app computes (`engine.contributed_measures()`, e.g. the
    workforce rates from the staffing section) are left out, unless the line
    holds a figure imported from history. So are measures not due in the month
    (`periods.is_due`), whose figure is neither asked for nor counted."""
    computed = engine.contributed_measures()
    values = [
        value
        for value in ReturnValue.objects.filter(monthly_return=monthly_return)
        .select_related("measure__group")
        .order_by("measure__group__order", "measure__order", "measure__title")
        if is_asked_for(value, monthly_return.month, computed=computed)
    ]
    start = aggregation.add_months(monthly_return.month, -12)
    # the year before as plain figures, not model objects: a dozen months of lines
    earlier = {
        (measure_id, month): figures.Figure(numerator, denominator, value, bool(reason))
        for measure_id, month, numerator, denominator, value, reason in ReturnValue.objects.filter(
            monthly_return__area_id=monthly_return.area_id,
            monthly_return__month__gte=start,
            monthly_return__month__lt=monthly_return.month,
        ).values_list(
            "measure_id",
            "monthly_return__month",
            "numerator",
            "denominator",
            "value",
            "not_applicable_reason",
        )
    }
    targets = {}
    for target in Target.objects.filter(
        kind=Target.Kind.IN_YEAR,
        starts__lte=monthly_return.month,
        measure_id__in=[v.measure_id for v in values],
    ).order_by("starts"):
        targets[target.measure_id] = target.value
    last_12 = [aggregation.add_months(start, i) for i in range(12)]
    lines = []
    for value in values:
        measure = value.measure
        history = [
            figures.comparable(measure, earlier.get((measure.pk, month)), as_entered=True)
            for month in periods.due_months(measure.frequency, last_12)
        ]
        previous = periods.previous_due(measure.frequency, monthly_return.month)
        previous_figure = earlier.get((measure.pk, previous))
        previous_entered = figures.comparable(measure, previous_figure, as_entered=True)
        lines.append(
            ReturnLine(
                value=value,
                measure=measure,
                previous=previous_entered,
                history=[h for h in history if h is not None],
                target=targets.get(measure.pk),
                previous_rate=None
                if previous_entered is not None
                else figures.comparable(measure, previous_figure),
            )
        )
    return lines
