from django.contrib import admin

from .models import (
    Baseline,
    Benchmark,
    CalculationRun,
    Measure,
    MonthlyReturn,
    Population,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
    TeamMembership,
)


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "active", "order"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class BaselineInline(admin.TabularInline):
    model = Baseline
    extra = 0


class BenchmarkInline(admin.TabularInline):
    model = Benchmark
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "group", "unit", "polarity", "entry", "level",
                    "is_headline", "active", "order"]
    list_filter = ["group", "unit", "polarity", "entry", "level", "is_headline", "active"]
    search_fields = ["title", "code", "definition", "aliases"]
    filter_horizontal = ["reporting_areas"]
    inlines = [TargetInline, BaselineInline, BenchmarkInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["measure", "kind", "value", "starts", "due"]
    list_filter = ["kind", "measure__group"]
    search_fields = ["measure__title"]


@admin.register(Baseline)
class BaselineAdmin(admin.ModelAdmin):
    list_display = ["measure", "label", "value", "date"]
    search_fields = ["measure__title", "label"]


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    list_display = ["measure", "comparator", "year", "value", "source"]
    list_filter = ["comparator", "year"]
    search_fields = ["measure__title", "source"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "children_0_17"]
    list_filter = ["year"]
    search_fields = ["area__name"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "area"]
    list_filter = ["area"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "area__name"]
    autocomplete_fields = ["user", "area"]


class ReturnValueInline(admin.TabularInline):
    model = ReturnValue
    extra = 0
    fields = ["measure", "numerator", "denominator", "value", "not_applicable_reason",
              "commentary"]


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(admin.ModelAdmin):
    list_display = ["area", "month", "status", "submitted_by", "approved_by", "approved_at"]
    list_filter = ["status", "area", "month"]
    search_fields = ["area__name"]
    date_hierarchy = "month"
    inlines = [ReturnValueInline]
    readonly_fields = ["version", "updated_at", "updated_by"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the engine: visible, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalculationRun)
class CalculationRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "trigger", "outcome", "rows_written", "finished_at"]
    list_filter = ["outcome", "trigger"]
    search_fields = ["error"]


@admin.register(ScorecardResult)
class ScorecardResultAdmin(ReadOnlyAdmin):
    list_display = ["measure", "area", "month", "value", "target", "rating", "provisional", "run"]
    list_filter = ["rating", "provisional", "area", "measure__group"]
    search_fields = ["measure__title", "area__name"]
    date_hierarchy = "month"


@admin.register(ReturnValue)
class ReturnValueAdmin(admin.ModelAdmin):
    list_display = ["monthly_return", "measure", "numerator", "denominator", "value",
                    "not_applicable_reason"]
    list_filter = ["measure__group", "monthly_return__status", "monthly_return__area"]
    search_fields = ["measure__title", "monthly_return__area__name", "commentary"]
    list_select_related = ["monthly_return__area", "measure"]
