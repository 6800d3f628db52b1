"""The performance officer's measure library page: tick the standard measures
the authority uses, optionally with its own title for each. The rules are in
`library`."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from . import library
from .models import Measure, MeasureGroup

OWN_TITLE_MAX = Measure._meta.get_field("title").max_length


def _rows(in_use: set[str], posted=None, errors=None):
    """The library's measures in their groups, with what was ticked and typed."""
    posted = posted or {}
    errors = errors or {}
    rows = [
        {
            "entry": entry,
            "in_use": entry.code in in_use,
            "ticked": entry.code in in_use or f"use-{entry.code}" in posted,
            "own_title": posted.get(f"title-{entry.code}", ""),
            "error": errors.get(entry.code, ""),
        }
        for entry in library.library()
    ]
    # the authority's own groups, names and order first, then the library's
    names = {**library.group_names(), **dict(MeasureGroup.objects.values_list("code", "name"))}
    order = [*MeasureGroup.objects.values_list("code", flat=True), *library.group_names()]
    rows.sort(key=lambda row: order.index(row["entry"].group))
    return [
        {"label": names[group], "rows": list(members)}
        for group, members in groupby(rows, key=lambda row: row["entry"].group)
    ]


class MeasureLibraryView(PermissionRequiredMixin, View):
    permission_required = "scorecard.add_measure"
    template_name = "scorecard/library.html"

    def get(self, request):
        return self._page(request)

    def post(self, request):
        known = library.by_code()
        choices, errors = {}, {}
        for code in known:
            own_title = " ".join(request.POST.get(f"title-{code}", "").split())
            if len(own_title) > OWN_TITLE_MAX:
                errors[code] = (
                    f"'{known[code].title}': your title is {len(own_title)} characters long; "
                    f"a title can be at most {OWN_TITLE_MAX}."
                )
            elif f"use-{code}" in request.POST or own_title:
                choices[code] = own_title
        in_use = set(Measure.objects.filter(code__in=known).values_list("code", flat=True))
        for code in choices:
            if code not in in_use and f"use-{code}" not in request.POST:
                errors[code] = (
                    f"'{known[code].title}': tick 'Use' to adopt it with your title, "
                    "or clear your title."
                )
        if not choices and not errors:
            errors[""] = "Tick at least one measure to use, or give an in-use measure your title."
        if not errors:
            try:
                adopted = library.adopt(choices)
            except library.AdoptionRefused as refusal:
                errors = refusal.errors
            else:
                messages.success(request, _adopted_message(adopted, choices, in_use))
                return redirect("measure-library")
        return self._page(request, request.POST, errors, status=400)

    def _page(self, request, posted=None, errors=None, status=200):
        errors = errors or {}
        in_use = set(
            Measure.objects.filter(code__in=library.by_code()).values_list("code", flat=True)
        )
        first = library.library()[0].code
        summary = [(f"title-{code or first}", message) for code, message in errors.items()]
        return render(
            request,
            self.template_name,
            {"groups": _rows(in_use, posted, errors), "error_summary": summary},
            status=status,
        )


def _adopted_message(adopted, choices, in_use) -> str:
    parts = []
    if adopted:
        parts.append(
            f"{len(adopted)} measure{'s' if len(adopted) != 1 else ''} added: "
            + ", ".join(measure.title for measure in adopted)
            + ". Set their targets next; the scorecards are being recalculated."
        )
    renamed = [code for code, title in choices.items() if title and code in in_use]
    if renamed:
        parts.append(f"Your titles were added to {len(renamed)} measure(s) already in use.")
    return " ".join(parts) or "Nothing changed: those measures were already in use."
