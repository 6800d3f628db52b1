"""Monthly returns: 'My returns', the entry form, the review, the approval queue."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import ListView

from . import (
    aggregation,
    audit,
    deadlines,
    drafting,
    engine,
    extensions,
    selectors,
    services,
    workflow,
)
from .forms import ReturnForm, TransitionForm, review_flags, typed_figure
from .models import MonthlyReturn


# Further sections of a return that other apps own (the workforce app's staffing
# figures, its `extensions.ScorecardPart.return_section`): entered in the same
# form, saved in the same transaction, reviewed and approved with the return. A
# section is a form class with
#   for_return(monthly_return, data=None, *, submitting=False): a form, or None
#       when the section is not part of that return;
#   template_name_section: rendered with `section` (the form) and `editable`;
#   is_valid() and error_summary(): [(field id, message)];
#   save_section(monthly_return): called by `services.save_return` inside its
#       transaction, on the locked return.
def return_sections(monthly_return, data=None, *, submitting=False) -> list:
    return [
        form
        for part in extensions.parts()
        if (section := part.return_section)
        if (form := section.for_return(monthly_return, data, submitting=submitting)) is not None
    ]


class ReturnsAccessMixin(LoginRequiredMixin):
    """Returns are for the people who enter or approve them; directors read scorecards."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not (
            user.has_perm("scorecard.submit_monthlyreturn") or selectors.is_approver(user)
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _with_deadlines(returns):
    today = timezone.localdate()
    for monthly_return in returns:
        monthly_return.due = deadlines.due_date_for(monthly_return)
        monthly_return.deadline_state = deadlines.deadline_state_for(monthly_return, today)
    return returns


class MyReturnsView(ReturnsAccessMixin, ListView):
    template_name = "returns/my_returns.html"
    context_object_name = "returns"

    def get_queryset(self):
        return selectors.entry_returns_for_user(self.request.user).order_by("-month", "area__order")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _with_deadlines(context["returns"])
        return context


class ApprovalQueueView(ReturnsAccessMixin, ListView):
    template_name = "returns/queue.html"
    context_object_name = "returns"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_approver(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            selectors.returns_for_user(self.request.user)
            .filter(status=MonthlyReturn.Status.SUBMITTED)
            .select_related("submitted_by")
            .order_by("submitted_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _with_deadlines(context["returns"])
        run = engine.latest_successful_run()
        context["findings"] = run.findings if run else []
        return context


class ReturnDetailView(ReturnsAccessMixin, View):
    """The return: the entry form while it is the user's to edit, otherwise the
    figures read-only with the review actions the user may take, and the timeline."""

    template_name = "returns/detail.html"

    def get_return(self):
        return get_object_or_404(
            selectors.returns_for_user(self.request.user), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        monthly_return = self.get_return()
        return self.render(monthly_return)

    def post(self, request, pk):
        monthly_return = self.get_return()
        if not self.can_enter(monthly_return):
            raise PermissionDenied
        submitting = "submit" in request.POST
        lines = selectors.return_lines(monthly_return)
        form = ReturnForm(request.POST, lines=lines, submitting=submitting)
        sections = return_sections(monthly_return, request.POST, submitting=submitting)
        sections_valid = all([section.is_valid() for section in sections])
        if not (form.is_valid() and sections_valid):
            return self.render(monthly_return, form=form, sections=sections, status=400)
        kept = form.kept_commentary()  # before the drafts fill the empty boxes
        drafted = self.put_in_drafts(monthly_return, form)
        try:
            services.save_return(
                user=request.user,
                monthly_return=monthly_return,
                lines=[services.LineInput(value_id, entry) for value_id, entry in form.line_inputs],
                expected_version=form.cleaned_data["version"],
                submit=submitting,
                sections=[section.save_section for section in sections],
            )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
            return self.render(self.get_return(), form=form, sections=sections, status=409)
        messages.success(
            request, "Return submitted for approval." if submitting else "Draft saved."
        )
        for line in drafted:
            messages.info(
                request,
                f"The drafted facts are in the commentary on {line.measure.title}: "
                "edit them and add why.",
            )
        for line in kept:
            messages.info(
                request,
                f"Your commentary on {line.measure.title} was kept: the drafted facts "
                "are only put in an empty commentary box.",
            )
        return redirect("return-detail", pk=monthly_return.pk)

    @staticmethod
    def put_in_drafts(monthly_return, form) -> list:
        """Put each ticked line's drafted facts, from its figures as typed, in its
        empty commentary; the lines it did."""
        wanted = form.drafts_wanted()
        drafts = drafting.for_return(
            monthly_return,
            [line for line, _ in wanted],
            {line.measure.pk: typed_figure(entry) for line, entry in wanted},
        )
        drafted = []
        for line, entry in wanted:
            if draft := drafts.get(line.measure.pk):
                entry.commentary = draft
                drafted.append(line)
        return drafted

    def can_enter(self, monthly_return):
        return workflow.can_enter(
            is_entrant=selectors.is_entrant(self.request.user, monthly_return),
            status=monthly_return.status,
        )

    def render(self, monthly_return, form=None, transition_form=None, status=200, sections=None):
        user = self.request.user
        editable = self.can_enter(monthly_return)
        if sections is None:
            sections = return_sections(monthly_return)
        lines = form.lines if form else selectors.return_lines(monthly_return)
        if editable and form is None:
            form = ReturnForm(lines=lines, initial={"version": monthly_return.version})
        shaped = selectors.items_shaped_by(user, monthly_return)
        actions = [
            t
            for t in workflow.allowed(
                status=monthly_return.status,
                is_entrant=selectors.is_entrant(user, monthly_return),
                is_approver=selectors.is_approver(user),
                is_submitter=monthly_return.submitted_by_id == user.pk,
                shaped=shaped,
            )
            if t.name != workflow.SUBMIT
        ]
        four_eyes_note = ""
        if (
            shaped
            and selectors.is_approver(user)
            and monthly_return.status == MonthlyReturn.Status.SUBMITTED
        ):
            four_eyes_note = workflow.shaped_refusal(shaped)
        if not editable:
            for line in lines:
                line.figure = selectors.comparable_figure(line.measure, line.value)
                line.flags = review_flags(line)
        drafts = drafting.for_return(monthly_return, lines)
        for line in lines:
            line.draft = drafts.get(line.measure.pk, "")
        _with_deadlines([monthly_return])
        context = {
            "monthly_return": monthly_return,
            "form": form if editable else None,
            "lines": form.bound_lines() if editable else lines,
            "actions": actions,
            "four_eyes_note": four_eyes_note,
            "transition_form": transition_form
            or TransitionForm(initial={"version": monthly_return.version}),
            **latest_changes(audit.timeline(monthly_return)),
            "audit_enabled": audit.enabled(),
            "sections": sections,
        }
        if form is not None and editable:
            context["error_summary"] = (
                form.error_summary()
                + [item for section in sections for item in section.error_summary()]
                + [("", error) for error in form.non_field_errors()]
            )
        if transition_form is not None and transition_form.errors:
            context["error_summary"] = [
                ("id_reason" if name == "reason" else "", error)
                for name, errors in transition_form.errors.items()
                for error in errors
            ]
        return render(self.request, self.template_name, context, status=status)


# The return's page shows its latest changes, the history page the rest a page at
# a time: a page's weight stays the same however often the return is saved.
CHANGES_ON_THE_RETURN = 10
CHANGES_PER_HISTORY_PAGE = 50


def latest_changes(timeline: list) -> dict:
    return {"timeline": timeline[-CHANGES_ON_THE_RETURN:], "timeline_total": len(timeline)}


class ReturnHistoryView(ReturnDetailView):
    """Every recorded change to the return, oldest first, a page at a time."""

    template_name = "returns/history.html"
    http_method_names = ["get", "head", "options"]

    def get(self, request, pk):
        monthly_return = self.get_return()
        paginator = Paginator(audit.timeline(monthly_return), CHANGES_PER_HISTORY_PAGE)
        page = paginator.get_page(request.GET.get("page"))  # a bad number: the nearest page
        return render(
            request,
            self.template_name,
            {
                "monthly_return": monthly_return,
                "audit_enabled": audit.enabled(),
                "timeline": page.object_list,
                "page_obj": page,
                "page_range": paginator.get_elided_page_range(page.number),
            },
        )


class ReturnTransitionView(ReturnDetailView):
    """Approve, return (with a reason) or reopen (with a reason): performance
    officers only, so nobody else learns here whether a return exists."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.is_approver(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return redirect("return-detail", pk=self.get_return().pk)

    def post(self, request, pk):
        monthly_return = self.get_return()
        form = TransitionForm(request.POST)
        if not form.is_valid():
            return self.render(monthly_return, transition_form=form, status=400)
        action = form.cleaned_data["action"]
        try:
            services.transition_return(
                user=request.user,
                monthly_return=monthly_return,
                action=action,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
            return self.render(self.get_return(), transition_form=form, status=409)
        done = {
            workflow.APPROVE: "approved",
            workflow.RETURN: "returned to the team",
            workflow.REOPEN: "reopened",
        }[action]
        messages.success(request, f"{monthly_return} {done}.")
        if action == workflow.APPROVE or action == workflow.RETURN:
            return redirect("approval-queue")
        return redirect("return-detail", pk=pk)


class CompletenessView(ApprovalQueueView):
    """Service areas down, months across: which returns are in, late or missing."""

    template_name = "returns/completeness.html"

    def get_queryset(self):
        return MonthlyReturn.objects.none()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = MonthlyReturn.objects.order_by("-month").values_list("month", flat=True).first()
        if latest is not None:
            months = [aggregation.add_months(latest, -i) for i in range(11, -1, -1)]
            areas = selectors.service_areas_for_user(self.request.user).filter(active=True)
            context["grid"] = deadlines.completeness_grid(months, areas.order_by("order"))
        return context
