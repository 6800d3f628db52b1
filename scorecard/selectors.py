"""Who sees what. Every list, page, export and form choice goes through here,
so a row outside a user's scope is simply not found."""

from django.db.models import QuerySet

from .models import MonthlyReturn, ServiceArea


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


def authority() -> ServiceArea:
    return ServiceArea.objects.get(parent__isnull=True)
