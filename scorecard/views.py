from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET
from django.views.generic import ListView, TemplateView

from . import health, opening, reports, selectors
from .forms import ScorecardChoiceForm
from .models import CalculationRun, ScorecardResult
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
        return redirect("scorecard")
    raise PermissionDenied("Your account has no role yet: ask the administrator.")


def parse_month(text: str) -> date:
    try:
        return opening.parse_month(text)
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
        return CalculationRun.objects.order_by("-started_at")[:50]


class ScorecardView(PermissionRequiredMixin, TemplateView):
    permission_required = "scorecard.view_scorecard"
    template_name = "scorecard/scorecard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        areas = selectors.scorecard_areas_for_user(self.request.user)
        months = list(
            ScorecardResult.objects.order_by("-month").values_list("month", flat=True).distinct()
        )
        form = ScorecardChoiceForm(self.request.GET or None, months=months, areas=areas)
        month, area = reports.latest_month(), areas.filter(parent__isnull=True).first()
        if form.is_valid():
            month = parse_month(form.cleaned_data["month"]) if form.cleaned_data["month"] else month
            area = form.cleaned_data["area"] or area
        context["form"] = form
        if month is None or area is None:
            return context
        scorecard = reports.build_scorecard(area=area, month=month)
        table = ScorecardTable(scorecard, order_by=self.request.GET.get("sort"))
        context.update(scorecard=scorecard, table=table)
        return context
