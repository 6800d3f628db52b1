import copy
import hashlib
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseServerError, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import ListView, TemplateView

from . import (
    charts,
    disclosure,
    engine,
    exports,
    health,
    recalculation,
    reports,
    runs,
    selectors,
)
from .filters import ScorecardFilter
from .models import CalculationRun, Measure, ServiceArea
from .months import parse_month
from .tables import ScorecardTable


def home(request):
    """Each role lands where its monthly work starts."""
    user = request.user
    if user.is_superuser:
        return redirect("admin:index")
    if user.has_perm("scorecard.approve_monthlyreturn"):
        return redirect("approval-queue")
    if user.has_perm("scorecard.submit_monthlyreturn"):
        return redirect("my-returns")
    if user.has_perm("scorecard.view_scorecard"):
        return redirect("summary")
    raise PermissionDenied("Your account has no role yet: ask the administrator.")


@requires_csrf_token
def server_error(request):
    """The 500 page in the service's layout, from the service name alone: no
    context processors, so nothing that could fail again (the database, the
    session) is touched while saying that something failed."""
    return HttpResponseServerError(
        render_to_string("500.html", {"service_name": settings.SERVICE_NAME})
    )


def month_or_404(text: str) -> date:
    """The month asked for in a URL (`months.parse_month`); 404 when it is none."""
    try:
        return parse_month(text)
    except ValueError as error:
        raise Http404("No such month") from error


@login_not_required
@require_GET
def healthz(request):
    healthy, report = health.health()
    return JsonResponse(report, status=200 if healthy else 503)


class CalculationRunsView(PermissionRequiredMixin, ListView):
    """The last runs of the recalculation, so that a missed night is noticed."""

    permission_required = "scorecard.view_calculationrun"
    template_name = "scorecard/runs.html"
    context_object_name = "runs"

    def get_queryset(self):
        runs.mark_abandoned()
        return CalculationRun.objects.order_by("-started_at")[:50]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            waiting=recalculation.oldest_open_request(),
            waiting_limit_minutes=settings.RECALCULATION_WAITING_LIMIT_MINUTES,
            **kwargs,
        )


# Every query parameter that changes the scorecard table's HTML: the filters and
# the sort (its sort links carry all of them). The table is rendered from these
# alone and cached under these alone, so a parameter one user sends never shows
# in another user's page.
TABLE_PARAMS = (*ScorecardFilter.Meta.fields, "sort")


def table_query(query: QueryDict) -> QueryDict:
    kept = QueryDict(mutable=True)
    for name in TABLE_PARAMS:
        if name in query:
            kept.setlist(name, query.getlist(name))
    return kept


class ScorecardView(PermissionRequiredMixin, TemplateView):
    """The reference layout: measures down, April..March across, filterable,
    sortable, exportable. The rendered table is cached per calculation run."""

    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/scorecard.html"

    def get(self, request, *args, **kwargs):
        filterset = ScorecardFilter(
            request.GET or None, user=request.user, months=reports.months_with_results()
        )
        area, month = filterset.resolve()
        export_format = request.GET.get("export")
        if export_format and (area is None or export_format not in exports.CONTENT_TYPES):
            raise Http404("No such export")
        context = {"filter": filterset, "area": area, "month": month}
        if month is not None:
            context["notice"] = reports.month_notice(filterset.months, month)
        if area is not None and month is not None:
            run = engine.latest_successful_run()
            context["run"] = run
            if export_format:
                return self.export(filterset, area, month, export_format)
            shown = table_query(request.GET)
            key = self.cache_key(run, area, month, shown)
            cached = cache.get(key)
            if cached is None:
                table = self.table(filterset, area, month)
                cached = {
                    "table": render_table(request, table, shown),
                    "provisional": table.scorecard.provisional,
                    "small_numbers_note": table.scorecard.small_numbers_note,
                }
                cache.set(key, cached, timeout=24 * 60 * 60)
            context.update(cached, table=mark_safe(cached["table"]))  # noqa: S308 - our render
        return self.render_to_response(self.get_context_data(**context))

    def table(self, filterset, area, month):
        scorecard = reports.build_scorecard(area=area, month=month, measures=filterset.qs)
        return ScorecardTable(scorecard, order_by=self.request.GET.get("sort"))

    def cache_key(self, run, area, month, shown: QueryDict):
        digest = hashlib.sha256(shown.urlencode().encode()).hexdigest()[:16]
        return f"scorecard-table:{run.pk if run else 0}:{area.pk}:{month}:{digest}"

    def export(self, filterset, area, month, export_format):
        return exports.download(
            self.table(filterset, area, month),
            export_format,
            f"scorecard-{area.slug}-{month:%Y-%m}",
        )


def render_table(request, table, query: QueryDict):
    """The table's HTML, its links built from `query` alone."""
    seen = copy.copy(request)
    seen.GET = query
    return render_to_string("tables/govuk_table.html", {"table": table, "request": seen})


class SummaryView(PermissionRequiredMixin, TemplateView):
    """The director's home: the RAG summary of a month."""

    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = reports.months_with_results()
        month = reports.default_month(months)
        if self.request.GET.get("month"):
            month = month_or_404(self.request.GET["month"])
        context["months"] = months
        if month is not None:
            context["notice"] = reports.month_notice(months, month)
            context["summary"] = reports.build_summary(
                area=ServiceArea.objects.authority(),
                month=month,
                visible_areas=selectors.scorecard_areas_for_user(self.request.user),
            )
        return context


class MeasureDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/measure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        measure = get_object_or_404(Measure, code=self.kwargs["code"], active=True)
        areas = selectors.scorecard_areas_for_user(self.request.user)
        area_id = self.request.GET.get("area", "")
        if area_id and not (area_id.isascii() and area_id.isdigit()):
            raise Http404("No such area")
        area = get_object_or_404(areas, pk=area_id) if area_id else ServiceArea.objects.authority()
        month = (
            month_or_404(self.request.GET["month"])
            if self.request.GET.get("month")
            else reports.default_month(reports.months_with_results())
        )
        if month is None:
            raise Http404("Nothing has been calculated yet")
        detail = reports.build_measure_detail(
            measure=measure, area=area, month=month, visible_areas=areas.order_by("order")
        )
        context.update(
            detail=detail,
            areas=areas,
            chart=measure_chart(detail),
            notice=reports.month_notice(reports.months_with_results(), month),
        )
        if any(r and r.suppressed for _, r in detail.series) or any(
            r and r.suppressed for _, r in detail.by_area
        ):
            context["small_numbers_note"] = disclosure.NOTE.format(
                threshold=settings.SMALL_NUMBER_THRESHOLD
            )
        return context


def measure_chart(detail):
    latest_benchmarks = {}
    labels = dict(reports.comparators())
    for benchmark in detail.benchmarks:
        latest_benchmarks[benchmark.comparator] = benchmark
    # Start at the first month with a figure, but show at least a year.
    first = next(
        (i for i, (_, r) in enumerate(detail.series) if r and r.value is not None),
        len(detail.series),
    )
    series = detail.series[min(first, len(detail.series) - 12) :]
    return charts.trend_chart(
        months=[m for m, _ in series],
        outturns=[r.value if r and not r.suppressed else None for _, r in series],
        provisional=[bool(r and r.provisional) for _, r in series],
        targets=[r.target if r else None for _, r in series],
        benchmarks=[
            (b.comparator, f"{labels[b.comparator]} {b.period}", b.value)
            for b in latest_benchmarks.values()
        ],
        measure=detail.measure,
        title=f"{detail.measure.title}, {detail.area}: {detail.measure.frequency} outturn to "
        f"{detail.month:%B %Y} against the target and benchmarks",
    )
