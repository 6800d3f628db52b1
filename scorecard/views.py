from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponseServerError, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import ListView, TemplateView

from . import (
    charts,
    concern,
    disclosure,
    engine,
    exports,
    health,
    page_cache,
    recalculation,
    reports,
    runs,
    selectors,
    tables,
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


def chosen_month(request, months, statuses) -> date | None:
    """The month in ?month= (404 when it is none), else the one a director can
    rely on (`reports.default_month`)."""
    if request.GET.get("month"):
        return month_or_404(request.GET["month"])
    return reports.default_month(months, statuses)


def latest_reading(request):
    """What a page of results reads: the latest successful run, the months it
    holds, their returns' statuses and the month chosen (`chosen_month`)."""
    run = engine.latest_successful_run()
    months = reports.months_with_results(run)
    statuses = reports.month_statuses(months)
    return run, months, statuses, chosen_month(request, months, statuses)


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


# The reader's choice of the scorecard's optional columns (`tables.CHOICES`),
# kept in their session: ?columns=chosen&show=... (the form), ?columns=all or
# ?columns=fit (the links) change it; any other request shows it.
COLUMNS_SESSION_KEY = "scorecard-columns"


def chosen_columns(request) -> frozenset:
    choice = request.GET.get("columns")
    if choice == "all":
        chosen = frozenset(tables.CHOICE_NAMES)
    elif choice == "fit":
        chosen = tables.DEFAULT_CHOICE
    elif choice == "chosen":
        chosen = frozenset(n for n in request.GET.getlist("show") if n in tables.CHOICE_NAMES)
    else:
        stored = request.session.get(COLUMNS_SESSION_KEY)
        if stored is None:
            return tables.DEFAULT_CHOICE
        return frozenset(n for n in stored if n in tables.CHOICE_NAMES)
    request.session[COLUMNS_SESSION_KEY] = sorted(chosen)
    return chosen


def commentary_areas(area, visible_areas):
    """Whose commentary an area's scorecard shows: its own; on the authority's,
    every area the reader may see (as the RAG summary does)."""
    return visible_areas() if area.is_authority else [area]


class ScorecardView(PermissionRequiredMixin, TemplateView):
    """The reference layout: measures down, April..March across, filterable,
    sortable, exportable, with a choice of columns kept per reader. The
    rendered table is cached per calculation run."""

    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/scorecard.html"

    def get(self, request, *args, **kwargs):
        run = engine.latest_successful_run()
        filterset = ScorecardFilter(
            request.GET or None, user=request.user, months=reports.months_with_results(run)
        )
        area, month = filterset.resolve()
        export_format = request.GET.get("export")
        if export_format and (area is None or export_format not in exports.CONTENT_TYPES):
            raise Http404("No such export")
        columns = chosen_columns(request)
        kept = table_query(request.GET)
        context = {
            "filter": filterset,
            "area": area,
            "month": month,
            "column_choices": [(name, label, name in columns) for name, label, _ in tables.CHOICES],
            "kept_query": kept,
            "every_column_shown": columns == frozenset(tables.CHOICE_NAMES),
            "totals_shown": bool(columns & {"year_to_date", "rolling_12_months"}),
        }
        if month is not None:
            context["notice"] = reports.month_notice(filterset.months, month, filterset.statuses)
        if area is not None and month is not None:
            context["run"] = run
            if export_format:
                return self.export(filterset, area, month, export_format)
            sort = request.GET.get("sort")
            cached = scorecard_table(
                run,
                area,
                month,
                lambda: filterset.qs,
                kept,
                sort,
                columns=columns,
                areas_part=page_cache.areas_part(request.user),
                visible_areas=lambda: selectors.scorecard_areas_for_user(request.user),
            )
            context.update(cached, table=mark_safe(cached["table"]))  # noqa: S308 - our render
        return self.render_to_response(self.get_context_data(**context))

    def export(self, filterset, area, month, export_format):
        return exports.download(
            exports.scorecard_sheet(
                area=area,
                month=month,
                visible_areas=selectors.scorecard_areas_for_user(self.request.user),
                measures=filterset.qs,
                statuses=filterset.statuses,
            ),
            export_format,
            f"scorecard-{area.slug}-{month:%Y-%m}",
        )


def scorecard_table(
    run,
    area,
    month,
    measures,
    shown: QueryDict,
    sort=None,
    *,
    columns=tables.DEFAULT_CHOICE,
    areas_part=page_cache.ALL_AREAS,
    visible_areas=ServiceArea.objects.all,
) -> dict:
    """The scorecard table's HTML with what is said beside it, cached per run
    (`page_cache`) under the area, the month, the table's query parameters, the
    columns chosen and whose commentary the reader may see (`areas_part`).
    `measures`, `visible_areas`: called for the measures to show (the filters'
    choice) and the areas whose commentary the reader may read, on a miss."""

    def render():
        scorecard = reports.build_scorecard(area=area, month=month, measures=measures())
        commentary = reports.latest_commentary(
            [row.measure.pk for row in scorecard.rows],
            month,
            commentary_areas(area, visible_areas),
        )
        table = ScorecardTable(scorecard, order_by=sort, commentary=commentary, columns=columns)
        return {
            "table": render_table(table, shown),
            "provisional": scorecard.provisional,
            "small_numbers_note": scorecard.small_numbers_note,
        }

    parts = (area.pk, month, shown.urlencode(), tuple(sorted(columns)), areas_part)
    return page_cache.cached("scorecard-table", page_cache.run_id(run), parts, render)


def render_table(table, query: QueryDict):
    """The table's HTML, its links built from `query` alone."""
    seen = HttpRequest()
    seen.GET = query
    return render_to_string("tables/govuk_table.html", {"table": table, "request": seen})


class SummaryView(PermissionRequiredMixin, TemplateView):
    """The director's home: the RAG summary of a month. What it shows of the
    results is rendered once per calculation run (`summary_figures`)."""

    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run, months, statuses, month = latest_reading(self.request)
        context.update(months=months, month=month, run=run)
        if month is not None:
            notice = reports.month_notice(months, month, statuses)
            authority = ServiceArea.objects.authority()
            context.update(notice=notice, authority=authority)
            context["figures"] = summary_figures(
                run,
                authority,
                month,
                notice.status,
                page_cache.areas_part(self.request.user),
                lambda: selectors.scorecard_areas_for_user(self.request.user),
            )
        return context


def summary_figures(run, area, month, status, areas_part, visible_areas):
    """The RAG summary's figures, counts and commentary as HTML, cached per run
    under the area, the month, its returns' approval counts and whose areas the
    reader may see (`page_cache.areas_part`; `visible_areas` called on a miss)."""

    def render():
        summary = reports.build_summary(area=area, month=month, visible_areas=visible_areas())
        return render_to_string(
            "scorecard/_summary_figures.html",
            {
                "summary": summary,
                "status": status,
                "run": run,
                # the exceptions page is for those who may see every area
                "links_exceptions": areas_part == page_cache.ALL_AREAS,
            },
        )

    parts = (area.pk, month, status.approved, status.expected, areas_part)
    return mark_safe(page_cache.cached("summary", page_cache.run_id(run), parts, render))  # noqa: S308


class ExceptionsView(PermissionRequiredMixin, TemplateView):
    """Every measure and area of concern in a month, highest concern first
    (`concern.exceptions`), for directors and officers. What it shows of the
    results is rendered once per calculation run (`exceptions_figures`)."""

    permission_required = ("scorecard.view_scorecard", "scorecard.view_all_areas")
    template_name = "scorecard/exceptions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run, months, statuses, month = latest_reading(self.request)
        areas = list(selectors.scorecard_areas_for_user(self.request.user).order_by("order"))
        area = next((a for a in areas if a.is_authority), None)
        if area_id := self.request.GET.get("area", ""):
            area = next((a for a in areas if str(a.pk) == area_id), None)
            if area is None:
                raise Http404("No such area")
        context.update(months=months, month=month, areas=areas, area=area, run=run)
        if month is not None and area is not None:
            notice = reports.month_notice(months, month, statuses)
            figures, page_words = exceptions_figures(
                run,
                area,
                month,
                page_cache.areas_part(self.request.user),
                lambda: areas,
                page=self.request.GET.get("page", ""),
            )
            context.update(notice=notice, figures=figures, page_words=page_words)
        return context


EXCEPTIONS_PER_PAGE = 50
# pages beyond it are cached as the first: a page number is part of the cache key
EXCEPTIONS_PAGES_AT_MOST = 1000


def exceptions_figures(run, area, month, areas_part, visible_areas, page="") -> tuple:
    """(HTML, words for the page's title: "page 2 of 5", or "" for a single page):
    one page of the exceptions table (`page`, as asked for: the last where
    beyond it, the first where not a page number), cached per run under the
    area, the month, whose areas the reader may see (`page_cache.areas_part`;
    `visible_areas` called on a miss) and the page."""
    number = int(page) if page.isascii() and page.isdigit() else 1
    number = number if 1 <= number <= EXCEPTIONS_PAGES_AT_MOST else 1

    def render():
        areas = visible_areas()
        found = concern.exceptions(area=area, month=month, visible_areas=areas)
        paginator = Paginator(found, EXCEPTIONS_PER_PAGE)
        shown = paginator.get_page(number)
        said = concern.with_commentary(
            shown.object_list, area=area, month=month, visible_areas=areas
        )
        # (rank, exception, commentary): ranked on from the page before
        rows = [(rank, *row) for rank, row in enumerate(said, start=shown.start_index())]
        html = render_to_string(
            "scorecard/_exceptions_figures.html",
            {
                "rows": rows,
                "area": area,
                "month": month,
                "run": run,
                "provisional": any(c.result.provisional for c in found),
                "page_obj": shown,
                "page_range": paginator.get_elided_page_range(shown.number),
                # the links to the other pages keep the month and area shown
                "query": f"month={month:%Y-%m}&"
                + ("" if area.is_authority else f"area={area.pk}&"),
            },
        )
        pages = paginator.num_pages
        return html, f"page {shown.number} of {pages}" if pages > 1 else ""

    parts = (area.pk, month, areas_part, number)
    # "exceptions-page": the entries cached before were the HTML alone
    html, page_words = page_cache.cached("exceptions-page", page_cache.run_id(run), parts, render)
    return mark_safe(html), page_words  # noqa: S308


class MeasureDetailView(PermissionRequiredMixin, TemplateView):
    """One measure: what it shows of the results is rendered once per
    calculation run (`measure_figures`)."""

    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/measure.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        measure = get_object_or_404(
            Measure.objects.select_related("group"), code=self.kwargs["code"], active=True
        )
        areas = selectors.scorecard_areas_for_user(self.request.user).order_by("order")
        area_id = self.request.GET.get("area", "")
        if area_id and not (area_id.isascii() and area_id.isdigit()):
            raise Http404("No such area")
        area = get_object_or_404(areas, pk=area_id) if area_id else ServiceArea.objects.authority()
        run, months, statuses, month = latest_reading(self.request)
        if month is None:
            raise Http404("Nothing has been calculated yet")
        context.update(
            measure=measure,
            area=area,
            month=month,
            areas=areas,
            notice=reports.month_notice(months, month, statuses),
            figures=measure_figures(
                run, measure, area, month, page_cache.areas_part(self.request.user), lambda: areas
            ),
        )
        return context


def measure_figures(run, measure, area, month, areas_part, visible_areas):
    """A measure's figures, trend, breakdown, commentary and approvals as HTML,
    cached per run under the measure, area, month and whose areas the reader may
    see (`page_cache.areas_part`; `visible_areas` called on a miss)."""

    def render():
        detail = reports.build_measure_detail(
            measure=measure, area=area, month=month, visible_areas=visible_areas()
        )
        context = {"detail": detail, "measure": measure, "chart": measure_chart(detail)}
        if any(r and r.suppressed for _, r in detail.series) or any(
            r and r.suppressed for _, r in detail.by_area
        ):
            context["small_numbers_note"] = disclosure.NOTE.format(
                threshold=settings.SMALL_NUMBER_THRESHOLD
            )
        return render_to_string("scorecard/_measure_figures.html", context)

    parts = (measure.pk, area.pk, month, areas_part)
    return mark_safe(page_cache.cached("measure", page_cache.run_id(run), parts, render))  # noqa: S308


def measure_chart(detail, *, comparators=None):
    """`comparators`: `reports.comparators()`, when drawing many charts (read once)."""
    latest_benchmarks = {}
    labels = dict(comparators or reports.comparators())
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
        f"{detail.month:%B %Y} against the target and benchmarks"
        + (", with the mean and process limits" if detail.process else ""),
        process=detail.process,
    )
