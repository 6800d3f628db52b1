"""The board packs of a month: asking for a new one, watching it being made,
downloading it. For directors and performance officers: a pack shows every
area's figures and commentary, so it needs the right to see every area."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from scorecard import engine, reports, selectors
from scorecard.models import ServiceArea
from scorecard.months import parse_month
from scorecard.views import month_or_404

from . import rendering, services
from .models import BoardPack

PERMISSIONS = ("scorecard.view_scorecard", "scorecard.view_all_areas")
# Seconds between refreshes of a pack's page while it is being made (an HTTP
# Refresh header: no script needed).
REFRESH_SECONDS = 3


class BoardPacksView(PermissionRequiredMixin, TemplateView):
    permission_required = PERMISSIONS
    template_name = "boardpack/packs.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.page(request.GET.get("month")))

    def post(self, request, *args, **kwargs):
        month_text, area_id = request.POST.get("month", ""), request.POST.get("area", "")
        areas = selectors.scorecard_areas_for_user(request.user).filter(active=True)
        months = reports.months_with_results(engine.latest_successful_run())
        errors = []
        try:
            month = parse_month(month_text)
        except ValueError:
            month = None
        if month is None or month not in months:
            errors.append(("month", "Choose a month with calculated figures."))
        area = areas.filter(pk=area_id).first() if area_id.isascii() and area_id.isdigit() else None
        if area is None:
            errors.append(("area", "Choose the service area the pack is for."))
        if why := rendering.unavailable():
            errors.append(("make", why))
        if errors:
            context = self.page(month_text if month else None, errors=errors)
            return self.render_to_response(context, status=400)
        pack = services.request_pack(user=request.user, area=area, month=month)
        return redirect("board-pack", pk=pack.pk)

    def page(self, month_text, errors=()):
        run = engine.latest_successful_run()
        months = reports.months_with_results(run)
        month = month_or_404(month_text) if month_text else reports.default_month(months)
        areas = selectors.scorecard_areas_for_user(self.request.user).filter(active=True)
        packs = (
            BoardPack.objects.filter(month=month)
            .defer("pdf")
            .select_related("area", "requested_by", "run")
            if month
            else BoardPack.objects.none()
        )
        return self.get_context_data(
            month=month,
            months=months,
            areas=areas.order_by("order"),
            authority=ServiceArea.objects.authority(),
            packs=packs,
            unavailable=rendering.unavailable(),
            errors=list(errors),
            marking=settings.PROTECTIVE_MARKING,
        )


class BoardPackView(PermissionRequiredMixin, TemplateView):
    permission_required = PERMISSIONS
    template_name = "boardpack/pack_status.html"

    def get(self, request, *args, **kwargs):
        pack = get_object_or_404(
            BoardPack.objects.defer("pdf").select_related("area", "requested_by", "run"),
            pk=kwargs["pk"],
        )
        response = self.render_to_response(self.get_context_data(pack=pack))
        if pack.status in (BoardPack.Status.WAITING, BoardPack.Status.BUILDING):
            response["Refresh"] = str(REFRESH_SECONDS)
        return response


class BoardPackDownloadView(PermissionRequiredMixin, View):
    permission_required = PERMISSIONS

    def get(self, request, *args, **kwargs):
        pack = get_object_or_404(
            BoardPack.objects.only("pdf", "filename"),
            pk=kwargs["pk"],
            status=BoardPack.Status.READY,
        )
        response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
        return response
