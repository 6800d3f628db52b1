"""The performance officer's import page: upload, preview, confirm.

The rules are in `importing`; these views only carry the file between the
preview and the confirmation (`uploads`): confirming re-plans the file and
refuses if the plan is not the one previewed.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from . import change_sets, importing, uploads
from .models import ImportChangeSet
from .services import Refused

SESSION_KEY = "scorecard_import"


class ImportForm(uploads.UploadForm):
    verb = "imported"
    file = forms.FileField(
        label="Upload a scorecard spreadsheet",
        error_messages={
            "required": "Select a spreadsheet to import",
            "empty": "The file is empty: it has no rows to import.",
        },
    )


class ImportAccessMixin(PermissionRequiredMixin):
    permission_required = "scorecard.import_scorecard"


def _upload_page(request, form, status=200, refusal=""):
    """The upload form; `refusal` is a message for the file field beside the form's own."""
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            **uploads.file_errors(form, refusal),
            "max_size": importing.size_text(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


def _preview_page(request, plan, content: bytes, status=200, notice=""):
    """Show the plan; keep the file for the confirmation only when it can be applied."""
    error_summary = [(f"row-{e.row}" if e.row else "", e.message) for e in plan.errors]
    return render(
        request,
        "imports/preview.html",
        {
            "plan": plan,
            "token": uploads.keep(request, SESSION_KEY, plan, content),
            "notice": notice,
            "error_summary": error_summary,
            "form": ImportForm(),
            "max_size": importing.size_text(settings.IMPORT_MAX_BYTES),
        },
        status=status,
    )


class ImportView(ImportAccessMixin, View):
    def get(self, request):
        return _upload_page(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return _upload_page(request, form, status=400)
        content = form.content()
        try:
            plan = importing.plan_import(content, form.cleaned_data["file"].name)
        except importing.FileRefused as refusal:
            return _upload_page(request, ImportForm(), status=400, refusal=str(refusal))
        return _preview_page(request, plan, content, status=200 if not plan.errors else 400)


class ImportConfirmView(ImportAccessMixin, View):
    def get(self, request):
        return redirect("import")

    def post(self, request):
        try:
            kept = uploads.take(request, SESSION_KEY)
        except uploads.NotKept as refusal:
            return _upload_page(request, ImportForm(), status=409, refusal=str(refusal))
        plan = importing.plan_import(kept.content, kept.filename)
        if plan.errors or plan.fingerprint != kept.fingerprint:
            return _preview_page(
                request,
                plan,
                kept.content,
                status=409,
                notice=(
                    "The stored figures changed after your preview, so nothing has been "
                    "imported. This is what the file would do now: check it and confirm again."
                ),
            )
        uploads.done(request, SESSION_KEY)
        if change_sets.needs_second_officer(plan):
            change_set = change_sets.propose(user=request.user, plan=plan, content=kept.content)
            messages.success(
                request,
                f"{kept.filename} is waiting for another performance officer "
                "to approve it: nothing is imported until then.",
            )
            return redirect("import-change-set", pk=change_set.pk)
        try:
            result = importing.apply_plan(plan=plan, user=request.user)
        except importing.ImportRefused as refusal:
            return _upload_page(request, ImportForm(), status=409, refusal=str(refusal))
        messages.success(
            request,
            f"Imported {kept.filename}: {result.created} created, "
            f"{result.changed} changed. The scorecards are being "
            "recalculated.",
        )
        return redirect("import")


class ChangeSetListView(ImportAccessMixin, View):
    """Imports waiting for a second officer, and the last ones decided."""

    def get(self, request):
        return render(
            request,
            "imports/change_sets.html",
            {
                "pending": ImportChangeSet.objects.filter(status=ImportChangeSet.Status.PENDING)
                .select_related("proposed_by")
                .defer("content"),
                "decided": ImportChangeSet.objects.exclude(status=ImportChangeSet.Status.PENDING)
                .select_related("proposed_by", "reviewed_by")
                .defer("content")[:20],
            },
        )


class ChangeSetDetailView(ImportAccessMixin, View):
    """The same old → new table the maker confirmed; approve or reject (with a reason)."""

    def get_change_set(self, pk):
        return get_object_or_404(
            ImportChangeSet.objects.select_related("proposed_by", "reviewed_by"), pk=pk
        )

    def get(self, request, pk, refusal="", status=200):
        change_set = self.get_change_set(pk)
        own = change_set.proposed_by_id == request.user.pk
        return render(
            request,
            "imports/change_set.html",
            {
                "change_set": change_set,
                "own": own,
                "refusal": refusal,
                "error_summary": [("id_reason" if "reason" in refusal else "", refusal)]
                if refusal
                else [],
            },
            status=status,
        )

    def post(self, request, pk):
        change_set = self.get_change_set(pk)
        action = request.POST.get("action")
        try:
            if action == "approve":
                result = change_sets.approve(user=request.user, change_set=change_set)
                messages.success(
                    request,
                    f"Imported {change_set.filename}: {result.created} "
                    f"created, {result.changed} changed. The scorecards "
                    "are being recalculated.",
                )
            elif action == "reject":
                change_sets.reject(
                    user=request.user, change_set=change_set, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"{change_set.filename} rejected: nothing imported.")
            else:
                return self.get(request, pk, refusal="Choose approve or reject.", status=400)
        except Refused as refusal:
            return self.get(request, pk, refusal=str(refusal), status=409)
        return redirect("import-change-set", pk=pk)
