"""The set-up as one spreadsheet, on the officers' Set-up page: download it;
upload it back (upload, preview, confirm).

The rules are in `reference_data`; these views carry the file between the
preview and the confirmation (`uploads`): confirming writes it only if it is
the file previewed and would do what the preview showed.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from . import importing, reference_data, roles, uploads
from .exports import CONTENT_TYPES

SESSION_KEY = "scorecard_setup_upload"


class SetupFileForm(uploads.UploadForm):
    file = forms.FileField(
        label="Upload a set-up workbook",
        error_messages={
            "required": "Select the set-up workbook (.xlsx) to upload",
            "empty": "The file is empty.",
        },
    )


class SetupFileAccess(PermissionRequiredMixin):
    permission_required = roles.SET_UP_PERMISSIONS


class SetupDownloadView(SetupFileAccess, View):
    def get(self, request):
        response = HttpResponse(
            reference_data.export_workbook(), content_type=CONTENT_TYPES["xlsx"]
        )
        name = f"set-up-{timezone.localdate():%Y-%m-%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _upload_page(request, form, status=200, refusal=""):
    return render(
        request,
        "setup/upload.html",
        {
            "form": form,
            **uploads.file_errors(form, refusal),
            "max_size": importing.size_text(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


def _preview_page(request, plan, content: bytes, status=200, notice=""):
    """Show the plan; keep the file for the confirmation only when it can be written."""
    return render(
        request,
        "setup/upload_preview.html",
        {
            "plan": plan,
            "sheets": plan.by_sheet(),
            "file_errors_and_warnings": plan.file_findings,
            "token": uploads.keep(request, SESSION_KEY, plan, content),
            "notice": notice,
            "error_summary": [(_anchor(finding), str(finding)) for finding in plan.errors],
            "form": SetupFileForm(),
            "max_size": importing.size_text(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


def _anchor(finding) -> str:
    if finding.sheet is None:
        return "whole-file"
    return "sheet-" + finding.sheet.lower().replace(" ", "-")


class SetupUploadView(SetupFileAccess, View):
    def get(self, request):
        return _upload_page(request, SetupFileForm())

    def post(self, request):
        form = SetupFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return _upload_page(request, form, status=400)
        content = form.content()
        try:
            plan = reference_data.plan_upload(content, form.cleaned_data["file"].name)
        except reference_data.FileRefused as refusal:
            return _upload_page(request, SetupFileForm(), status=400, refusal=str(refusal))
        return _preview_page(request, plan, content, status=400 if plan.errors else 200)


class SetupUploadConfirmView(SetupFileAccess, View):
    def get(self, request):
        return redirect("setup-upload")

    def post(self, request):
        try:
            kept = uploads.take(request, SESSION_KEY)
        except uploads.NotKept as refusal:
            return _upload_page(request, SetupFileForm(), status=409, refusal=str(refusal))
        try:
            plan = reference_data.apply_upload(
                content=kept.content,
                filename=kept.filename,
                user=request.user,
                sha256=kept.sha256,
                fingerprint=kept.fingerprint,
            )
        except reference_data.SetupRefused as refusal:
            uploads.done(request, SESSION_KEY)
            if refusal.code == reference_data.findings.FILE_CHANGED:
                return _upload_page(request, SetupFileForm(), status=409, refusal=str(refusal))
            fresh = reference_data.plan_upload(kept.content, kept.filename)
            return _preview_page(request, fresh, kept.content, status=409, notice=str(refusal))
        uploads.done(request, SESSION_KEY)
        messages.success(
            request,
            f"Uploaded {kept.filename}: {plan.creates} created, {plan.changed} changed, "
            f"{plan.removes} removed. The scorecards are being recalculated.",
        )
        return redirect("setup")
