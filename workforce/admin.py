from django.contrib import admin

from .models import Staffing


@admin.register(Staffing)
class StaffingAdmin(admin.ModelAdmin):
    """The staffing sections of returns. Team managers enter them in the return's
    form; the database's constraints hold here too."""

    list_display = ["monthly_return", "fte_in_post", "establishment_fte", "vacancies_fte",
                    "agency_fte", "days_available", "days_lost", "open_cases"]
    list_filter = ["monthly_return__status", "monthly_return__area"]
    search_fields = ["monthly_return__area__name"]
    list_select_related = ["monthly_return__area"]
    raw_id_fields = ["monthly_return"]
