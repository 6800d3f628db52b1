"""The performance officer's Annex A pages: upload (read in memory), preview,
confirm or abandon; and the mapping of the lists' teams to service areas.

The workbook never leaves the request that uploads it: it is received in
memory (never a temporary file), read, counted and dropped. What waits for the
confirmation, in the session and for an hour at most, is the plan's counts.
"""

import io
import secrets
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from scorecard import uploads

from . import planning, reading
from .forms import AnnexAUploadForm, TeamMappingForm
from .models import TeamMapping

SESSION_KEY = "annexa_plan"
KEPT_FOR = timedelta(hours=1)


class InMemoryUploadHandler(MemoryFileUploadHandler):
    """Every upload held in memory, whatever its size (Django writes a large one
    to a temporary file otherwise); beyond the limit, only its size is counted."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = True

    def new_file(self, *args, **kwargs):
        self.file, self.received = io.BytesIO(), 0
        try:
            super().new_file(*args, **kwargs)  # sets the name; stops the other handlers
        finally:
            self.file, self.received = io.BytesIO(), 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= reading.max_bytes() + 1:
            self.file.write(raw_data)

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            self.file,
            self.field_name,
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
        )


class AnnexAAccess(PermissionRequiredMixin):
    permission_required = ("scorecard.import_scorecard", "scorecard.approve_monthlyreturn")


def _upload_page(request, form, status=200, refusal=""):
    errors = uploads.file_errors(form, refusal)
    extracted_errors = list(form.errors.get("extracted_on", []))
    errors["error_summary"] += [("id_extracted_on", error) for error in extracted_errors]
    return render(
        request,
        "annexa/upload.html",
        {
            "form": form,
            **errors,
            "extracted_errors": extracted_errors,
            "max_size": reading.size_text(reading.max_bytes()),
            "mappings": TeamMapping.objects.count(),
        },
        status=status,
    )


def _keep(request, plan) -> str:
    token = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "token": token,
        "kept_at": timezone.now().isoformat(),
        "plan": plan.kept(),
        "unmapped": [label for label, _ in plan.unmapped],
    }
    return token


def _take(request) -> dict:
    stored = request.session.get(SESSION_KEY)
    token = request.POST.get("token", "")
    if not stored or not token or not constant_time_compare(stored["token"], token):
        raise uploads.NotKept(uploads.EXPIRED)
    if timezone.now() - datetime.fromisoformat(stored["kept_at"]) > KEPT_FOR:
        request.session.pop(SESSION_KEY, None)
        raise uploads.NotKept(
            "This preview is more than an hour old and has been discarded: upload the "
            "workbook again."
        )
    return stored["plan"]


@method_decorator(csrf_exempt, name="dispatch")  # csrf_protect below, once the handler is set
class AnnexAUploadView(AnnexAAccess, View):
    def get(self, request):
        stored = request.session.get(SESSION_KEY)
        if stored and timezone.now() - datetime.fromisoformat(stored["kept_at"]) > KEPT_FOR:
            request.session.pop(SESSION_KEY)  # an abandoned preview's counts go too
        return _upload_page(request, AnnexAUploadForm())

    def post(self, request):
        request.upload_handlers = [InMemoryUploadHandler(request)]
        return self.checked_post(request)

    @method_decorator(csrf_protect)
    def checked_post(self, request):
        form = AnnexAUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _upload_page(request, form, status=400)
        content = form.content()
        try:
            plan = planning.plan(content, form.cleaned_data["extracted_on"])
        except reading.WorkbookRefused as refusal:
            return _upload_page(request, form, status=400, refusal=str(refusal))
        finally:
            del content  # the workbook goes with the request: nothing holds it
        return render(
            request,
            "annexa/preview.html",
            {
                "plan": plan,
                "filename": form.cleaned_data["file"].name,
                "token": _keep(request, plan),
            },
        )


class AnnexAConfirmView(AnnexAAccess, View):
    def get(self, request):
        return redirect("annexa-upload")

    def post(self, request):
        try:
            kept = _take(request)
        except uploads.NotKept as refusal:
            return _upload_page(request, AnnexAUploadForm(), status=409, refusal=str(refusal))
        if "abandon" in request.POST:
            uploads.done(request, SESSION_KEY)
            messages.success(request, "Abandoned: nothing was filled, and nothing is kept.")
            return redirect("annexa-upload")
        try:
            applied = planning.apply(kept, request.user)
        except planning.Refused as refusal:
            uploads.done(request, SESSION_KEY)
            return _upload_page(request, AnnexAUploadForm(), status=409, refusal=str(refusal))
        uploads.done(request, SESSION_KEY)
        text = (
            f"Filled {applied.values} figures in {applied.returns} draft returns from the "
            f"Annex A lists extracted {kept['extracted_on']}. Each team checks, explains and "
            "submits its return; approval is as usual."
        )
        messages.success(request, text)
        for left in applied.left:
            messages.warning(request, left)
        return redirect("annexa-upload")


class TeamMappingView(AnnexAAccess, View):
    """The lists' "Allocated Team" values and the service area each is: mapped once,
    changed here; teams the last preview found unmapped are listed to map."""

    def teams(self, request):
        known = {m.key: (m.label, m.area_id) for m in TeamMapping.objects.all()}
        stored = request.session.get(SESSION_KEY) or {}
        for label in stored.get("unmapped", []):
            key = reading.normalised(label)
            if key and key not in known:
                known[key] = (label, None)
        return [(key, label, area_id) for key, (label, area_id) in sorted(known.items())]

    def get(self, request):
        return self.page(request, TeamMappingForm(teams=self.teams(request)))

    def post(self, request):
        form = TeamMappingForm(request.POST, teams=self.teams(request))
        if not form.is_valid():
            return self.page(request, form, status=400)
        with transaction.atomic():
            for key, (label, area_id) in form.chosen().items():
                if area_id is None:
                    TeamMapping.objects.filter(key=key).delete()
                else:
                    TeamMapping.objects.update_or_create(
                        key=key, defaults={"label": label, "area_id": area_id}
                    )
        messages.success(request, "Team mapping saved. Upload the workbook again to use it.")
        return redirect("annexa-teams")

    def page(self, request, form, status=200):
        return render(request, "annexa/teams.html", {"form": form}, status=status)
