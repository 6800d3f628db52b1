from django.contrib import admin

from scorecard.admin import ReadOnlyAdmin

from .models import Staffing


@admin.register(Staffing)
class StaffingAdmin(ReadOnlyAdmin):
    """The staffing sections of returns, listed for administrators. Team managers
    enter them in the return's form: they are never changed here."""

    list_display = [
        "monthly_return",
        "fte_in_post",
        "establishment_fte",
        "vacancies_fte",
        "agency_fte",
        "days_available",
        "days_lost",
        "open_cases",
    ]
    list_filter = ["monthly_return__status", "monthly_return__area"]
    search_fields = ["monthly_return__area__name"]
    list_select_related = ["monthly_return__area"]
    raw_id_fields = ["monthly_return"]
