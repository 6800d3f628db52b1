from django.contrib import admin

from . import reference
from .models import (
    Baseline,
    Benchmark,
    CalculationPart,
    CalculationRun,
    Heartbeat,
    ImportChangeSet,
    Measure,
    MeasureGroup,
    MonthlyReturn,
    Population,
    Publication,
    PublishedFigure,
    RecalculationRequest,
    ReturnContribution,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    StagedResult,
    Target,
    TeamMembership,
)
from .setup_forms import BenchmarkPeriodForm


class RecalculatesOnChange(admin.ModelAdmin):
    """What figures are rated and compared against: a change here queues a
    recalculation (after it is committed), so the scorecards follow it."""

    def save_model(self, request, obj, form, change):
        reference.save(obj)

    def delete_model(self, request, obj):
        reference.delete(obj)

    def delete_queryset(self, request, queryset):
        reference.delete_all(queryset)


@admin.register(ServiceArea)
class ServiceAreaAdmin(RecalculatesOnChange):
    """An area made inactive, or the authority's region changed, changes what the
    scorecards show: a change queues a recalculation like reference data."""

    list_display = ["name", "parent", "region", "active", "order"]
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
    form = BenchmarkPeriodForm
    extra = 0


@admin.register(Measure)
class MeasureAdmin(RecalculatesOnChange):
    list_display = [
        "title",
        "code",
        "group",
        "unit",
        "polarity",
        "entry",
        "level",
        "frequency",
        "is_headline",
        "active",
        "order",
    ]
    list_filter = [
        "group",
        "unit",
        "polarity",
        "entry",
        "level",
        "frequency",
        "year_to_date",
        "is_headline",
        "active",
    ]
    search_fields = ["title", "code", "definition", "aliases"]
    filter_horizontal = ["reporting_areas"]
    inlines = [TargetInline, BaselineInline, BenchmarkInline]


@admin.register(MeasureGroup)
class MeasureGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]


@admin.register(Target)
class TargetAdmin(RecalculatesOnChange):
    list_display = ["measure", "kind", "value", "starts", "due"]
    list_filter = ["kind", "measure__group"]
    search_fields = ["measure__title"]


@admin.register(Baseline)
class BaselineAdmin(RecalculatesOnChange):
    list_display = ["measure", "label", "value", "date"]
    search_fields = ["measure__title", "label"]


@admin.register(Benchmark)
class BenchmarkAdmin(RecalculatesOnChange):
    form = BenchmarkPeriodForm
    list_display = ["measure", "comparator", "period", "value", "source"]
    list_filter = ["comparator", "period_kind"]
    search_fields = ["measure__title", "source"]


@admin.register(Population)
class PopulationAdmin(RecalculatesOnChange):
    list_display = ["area", "year", "children_0_17"]
    list_filter = ["year"]
    search_fields = ["area__name"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "area"]
    list_filter = ["area"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "area__name"]
    autocomplete_fields = ["user", "area"]


class ReadOnlyInline(admin.TabularInline):
    """Figures change only through the services (the return's form, the import),
    which lock, version, audit and recalculate: here they are shown, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReturnValueInline(ReadOnlyInline):
    model = ReturnValue
    fields = ["measure", "numerator", "denominator", "value", "not_applicable_reason", "commentary"]


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(admin.ModelAdmin):
    """Status, submission and approval change only through the workflow (the
    return's own page), and figures only through the services: never here."""

    list_display = ["area", "month", "status", "submitted_by", "approved_by", "approved_at"]
    list_filter = ["status", "area", "month"]
    search_fields = ["area__name"]
    date_hierarchy = "month"
    inlines = [ReturnValueInline]
    readonly_fields = [
        "status",
        "version",
        "cycle",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "reason",
        "source",
        "updated_at",
        "updated_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a new return opens as a draft for an area and month
            return self.readonly_fields
        return ["area", "month", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # nothing of a return is edited here once it exists: it is shown read-only
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a return's figures and history are never deleted here


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


@admin.register(CalculationPart)
class CalculationPartAdmin(ReadOnlyAdmin):
    list_display = ["run", "first_month", "last_month", "done", "done_by", "rows_written"]
    list_filter = ["done"]


@admin.register(StagedResult)
class StagedResultAdmin(ReadOnlyAdmin):
    list_display = ["run", "measure", "area", "month", "value", "rating"]


@admin.register(ScorecardResult)
class ScorecardResultAdmin(ReadOnlyAdmin):
    list_display = ["measure", "area", "month", "value", "target", "rating", "provisional", "run"]
    list_filter = ["rating", "provisional", "area", "measure__group"]
    search_fields = ["measure__title", "area__name"]
    date_hierarchy = "month"


@admin.register(ReturnValue)
class ReturnValueAdmin(ReadOnlyAdmin):
    """Listed for administrators; changed only through the return's form or the import."""

    list_display = [
        "monthly_return",
        "measure",
        "numerator",
        "denominator",
        "value",
        "not_applicable_reason",
    ]
    list_filter = ["measure__group", "monthly_return__status", "monthly_return__area"]
    search_fields = ["measure__title", "monthly_return__area__name", "commentary"]
    list_select_related = ["monthly_return__area", "measure"]


@admin.register(ReturnContribution)
class ReturnContributionAdmin(ReadOnlyAdmin):
    """Who entered or changed which figures of a return, round by round (four eyes)."""

    list_display = ["monthly_return", "cycle", "user", "item"]
    list_filter = ["monthly_return__area"]
    list_select_related = ["monthly_return__area", "user"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["month", "published_at", "run"]


@admin.register(PublishedFigure)
class PublishedFigureAdmin(ReadOnlyAdmin):
    list_display = ["publication", "measure", "area", "value", "rating"]
    list_filter = ["publication__month", "area"]


@admin.register(ImportChangeSet)
class ImportChangeSetAdmin(ReadOnlyAdmin):
    """Imports waiting for (or decided by) a second performance officer."""

    list_display = ["filename", "status", "proposed_by", "proposed_at", "reviewed_by"]
    list_filter = ["status"]
    exclude = ["content"]


@admin.register(RecalculationRequest)
class RecalculationRequestAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "trigger", "attempts", "run", "done_at"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "beat_at"]
