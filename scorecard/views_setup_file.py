"""The set-up as one spreadsheet, on the officers' Set-up page: download it;
upload it back (upload, preview, confirm).

The rules are in `reference_data`; these views carry the file between the
preview and the confirmation. The file waits in the user's session (base64,
with its sha256 and the plan's fingerprint) under a random token: confirming
writes it only if it is the file previewed and would do what the preview showed.
"""

import base64
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views import View

from . import importing, reference_data, roles
from .exports import CONTENT_TYPES

SESSION_KEY = "scorecard_setup_upload"


class SetupFileForm(forms.Form):
    file = forms.FileField(
        label="Upload a set-up workbook",
        error_messages={
            "required": "Select the set-up workbook (.xlsx) to upload",
            "empty": "The file is empty.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.max_bytes():
            raise forms.ValidationError(
                f"The file is {importing.size_text(upload.size)}: the largest file that can be "
                f"uploaded is {importing.size_text(importing.max_bytes())}."
            )
        return upload


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
    file_errors = list(form.errors.get("file", [])) + ([refusal] if refusal else [])
    return render(
        request,
        "setup/upload.html",
        {
            "form": form,
            "file_errors": file_errors,
            "error_summary": [("id_file", error) for error in file_errors],
            "max_size": importing.size_text(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


def _preview_page(request, plan, content: bytes, status=200, notice=""):
    """Show the plan; keep the file for the confirmation only when it can be written."""
    token = ""
    if plan.can_apply:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_KEY] = {
            "token": token,
            "filename": plan.filename,
            "sha256": plan.sha256,
            "fingerprint": plan.fingerprint,
            "content": base64.b64encode(content).decode("ascii"),
        }
    else:
        request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "setup/upload_preview.html",
        {
            "plan": plan,
            "sheets": plan.by_sheet(),
            "file_errors_and_warnings": plan.file_findings,
            "token": token,
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
        upload = form.cleaned_data["file"]
        content = upload.read(importing.max_bytes() + 1)
        try:
            plan = reference_data.plan_upload(content, upload.name)
        except reference_data.FileRefused as refusal:
            return _upload_page(request, SetupFileForm(), status=400, refusal=str(refusal))
        return _preview_page(request, plan, content, status=400 if plan.errors else 200)


class SetupUploadConfirmView(SetupFileAccess, View):
    def get(self, request):
        return redirect("setup-upload")

    def post(self, request):
        stored = request.session.get(SESSION_KEY)
        token = request.POST.get("token", "")
        if not stored or not token or not constant_time_compare(stored["token"], token):
            return _upload_page(
                request,
                SetupFileForm(),
                status=409,
                refusal="This preview has expired or was replaced by another: upload the file "
                "again.",
            )
        content = base64.b64decode(stored["content"])
        filename = stored["filename"]
        try:
            plan = reference_data.apply_upload(
                content=content,
                filename=filename,
                user=request.user,
                sha256=stored["sha256"],
                fingerprint=stored["fingerprint"],
            )
        except reference_data.SetupRefused as refusal:
            request.session.pop(SESSION_KEY, None)
            fresh = None
            if refusal.code != reference_data.findings.FILE_CHANGED:
                fresh = reference_data.plan_upload(content, filename)
            if fresh is None:
                return _upload_page(request, SetupFileForm(), status=409, refusal=str(refusal))
            return _preview_page(request, fresh, content, status=409, notice=str(refusal))
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            f"Uploaded {filename}: {plan.creates} created, {plan.changed} changed, "
            f"{plan.removes} removed. The scorecards are being recalculated.",
        )
        return redirect("setup")
