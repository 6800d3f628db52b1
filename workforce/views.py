"""The workforce page: staffing by team for a month, trends, turnover against
the statistical neighbours; CSV and XLSX of the table. Reads stored results and
approved staffing figures only."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from scorecard import engine, exports, formatting, page_cache
from scorecard.views import month_or_404

from . import charts, measures, reports
from . import exports as workforce_exports
from .tables import WorkforceTable, fte


class WorkforceView(PermissionRequiredMixin, TemplateView):
    permission_required = "scorecard.view_scorecard"
    template_name = "workforce/workforce.html"

    def get(self, request, *args, **kwargs):
        run = engine.latest_successful_run()
        months = page_cache.cached(
            "workforce-months", page_cache.run_id(run), (), reports.workforce_months
        )
        month = self.chosen_month(months)
        context = {"months": months, "month": month}
        export_format = request.GET.get("export")
        if month is not None and export_format:
            if export_format not in exports.CONTENT_TYPES:
                raise Http404("No such export")
            page = reports.build_workforce_page(user=request.user, month=month, months=months)
            return exports.download(
                workforce_exports.workforce_sheet(page), export_format, f"workforce-{month:%Y-%m}"
            )
        if month is not None:
            context["figures"] = self.figures(run, month, months)
        elif export_format:
            raise Http404("Nothing to export")
        return self.render_to_response(self.get_context_data(**context))

    def figures(self, run, month, months):
        """The page's figures, tables and charts as HTML, rendered once per
        calculation run for the month and whose teams the reader may see."""

        def render():
            page = reports.build_workforce_page(user=self.request.user, month=month, months=months)
            context = {"page": page, "month": month, "table": WorkforceTable(page)}
            return render_to_string(
                "workforce/_figures.html", {**context, **self.charts(page)}, request=self.request
            )

        parts = (month, page_cache.areas_part(self.request.user))
        html = page_cache.cached("workforce", page_cache.run_id(run), parts, render)
        return mark_safe(html)  # noqa: S308 - our own template's render

    def chosen_month(self, months):
        text = self.request.GET.get("month")
        if not text:
            return reports.default_month(months)
        month = month_or_404(text)
        if month not in months:
            raise Http404("No workforce figures for that month")
        return month

    def charts(self, page):
        sickness_measure = page.measures.get(measures.SICKNESS)
        places = sickness_measure.decimal_places if sickness_measure else 1
        headcount = [
            (
                trend,
                charts.line_chart(
                    chart_id=f"headcount-{trend.area.slug}",
                    points=trend.points,
                    text=fte,
                    title=f"{trend.label}: qualified social workers in post (FTE), "
                    f"{page.trend_months[0]:%B %Y} to {page.month:%B %Y}",
                ),
            )
            for trend in page.headcount
        ]
        sickness = [
            (
                trend,
                charts.line_chart(
                    chart_id=f"sickness-{trend.area.slug}",
                    points=trend.points,
                    text=lambda value: f"{formatting.number(value, places)}%",
                    title=f"{trend.label}: sickness rate, "
                    f"{page.trend_months[0]:%B %Y} to {page.month:%B %Y}",
                ),
            )
            for trend in page.sickness
        ]
        turnover_measure = page.turnover_measure
        bars = [
            (line.label, line.result.value, False)
            for line in page.turnover
            if line.result and line.result.value is not None
        ]
        if bars and page.turnover_benchmark is not None:
            bars.append(
                (
                    f"Statistical neighbours ({page.turnover_benchmark.period})",
                    page.turnover_benchmark.value,
                    True,
                )
            )
        turnover_chart = (
            charts.bar_chart(
                chart_id="turnover",
                bars=bars,
                suffix="%",
                places=turnover_measure.decimal_places if turnover_measure else 1,
                title=f"Turnover of qualified social workers in the 12 months to "
                f"{page.month:%B %Y} against the statistical neighbours",
            )
            if bars
            else ""
        )
        return {
            "headcount_charts": headcount,
            "sickness_charts": sickness,
            "turnover_chart": turnover_chart,
            "sickness_measure": sickness_measure,
        }
