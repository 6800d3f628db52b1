from datetime import date

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from . import reports, selectors
from .forms import ScorecardChoiceForm
from .models import ScorecardResult
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
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError as error:
        raise Http404("No such month") from error


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
        month, area = (months[0] if months else None), areas.filter(parent__isnull=True).first()
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
