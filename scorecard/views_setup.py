"""The performance officer's set-up pages: measure groups and their order, each
measure's tolerances, targets and benchmarks, populations, and who manages which
service area. Each change goes through `reference` (audited, recalculated)."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views import View

from . import reference
from .models import Measure, MeasureGroup, Population, TeamMembership
from .setup_forms import (
    BenchmarkForm,
    GroupForm,
    ManagerForm,
    MeasureSettingsForm,
    NewMeasureForm,
    PopulationForm,
    TargetForm,
)


def error_summary(*forms) -> list[tuple[str, str]]:
    """(field id, message) for every error of the forms, for the page's summary."""
    summary = []
    for form in forms:
        first = next(iter(form.visible_fields()), None)
        for error in form.non_field_errors():
            summary.append((first.id_for_label if first else "", error))
        for field in form:
            summary.extend((field.id_for_label, error) for error in field.errors)
    return summary


class SetupView(PermissionRequiredMixin, View):
    """GET shows the page; POST runs the `action` the button names, redirecting
    after a change and showing the page again, with its errors, after a refusal."""

    permission_required = "scorecard.change_measure"
    template_name = ""
    actions: dict[str, str] = {}

    def get(self, request, **kwargs):
        return self.page(self.forms())

    def post(self, request, **kwargs):
        handler = self.actions.get(request.POST.get("action", ""))
        if handler is None:
            return self.page(self.forms(), status=400, refusal="Choose what to do.")
        return getattr(self, handler)()

    def forms(self, **bound) -> dict:
        return bound

    def context(self) -> dict:
        return {}

    def page(self, forms, status=200, refusal=""):
        summary = error_summary(*(f for f in forms.values() if hasattr(f, "visible_fields")))
        if refusal:
            summary.append(("", refusal))
        return render(
            self.request,
            self.template_name,
            {**self.context(), **forms, "error_summary": summary},
            status=status,
        )

    def done(self, message):
        messages.success(self.request, message)
        return redirect(self.request.path)

    def changed_or_refused(self, form, name, message):
        if not form.is_valid():
            return self.page(self.forms(**{name: form}), status=400)
        with transaction.atomic():  # the row and its many-to-many fields, or neither
            reference.save(form.save(commit=False))
            form.save_m2m()
        return self.done(message)


class SetupIndexView(PermissionRequiredMixin, View):
    permission_required = "scorecard.change_measure"

    def get(self, request):
        return render(request, "setup/index.html")


class GroupsView(SetupView):
    template_name = "setup/groups.html"
    actions = {"add_group": "add_group", "save_group": "save_group"}

    def forms(self, **bound):
        """The add form and one form per group (`bound` may replace any of them)."""
        forms = {"new_group": GroupForm(prefix="new")}
        for group in MeasureGroup.objects.all():
            forms[f"group-{group.pk}"] = GroupForm(instance=group, prefix=f"group-{group.pk}")
        return {**forms, **bound}

    def context(self):
        return {"groups": MeasureGroup.objects.prefetch_related("measures")}

    def page(self, forms, status=200, refusal=""):
        forms["group_forms"] = [
            (group, forms[f"group-{group.pk}"]) for group in self.context()["groups"]
        ]
        return super().page(forms, status, refusal)

    def add_group(self):
        form = GroupForm(self.request.POST, prefix="new")
        if form.is_valid():
            form.instance.code = slugify(form.cleaned_data["name"])[:30].replace("-", "_")
            if MeasureGroup.objects.filter(code=form.instance.code).exists():
                form.add_error("name", "There is already a group with a name like this")
        if not form.is_valid():
            return self.page(self.forms(new_group=form), status=400)
        form.save()  # a group rates nothing: no recalculation
        return self.done(f"Group '{form.instance.name}' added.")

    def save_group(self):
        group = get_object_or_404(MeasureGroup, pk=self.request.POST.get("group"))
        prefix = f"group-{group.pk}"
        form = GroupForm(self.request.POST, instance=group, prefix=prefix)
        if not form.is_valid():
            return self.page(self.forms(**{prefix: form}), status=400)
        form.save()
        return self.done(f"Group '{group.name}' saved.")


class NewMeasureView(SetupView):
    template_name = "setup/new_measure.html"
    actions = {"add_measure": "add_measure"}

    def forms(self, **bound):
        return {"measure_form": NewMeasureForm(prefix="measure"), **bound}

    def add_measure(self):
        form = NewMeasureForm(self.request.POST, prefix="measure")
        if not form.is_valid():
            return self.page(self.forms(measure_form=form), status=400)
        measure = form.save(commit=False)
        measure.order = (
            max(form.cleaned_data["group"].measures.values_list("order", flat=True), default=0) + 10
        )
        reference.save(measure)
        messages.success(self.request, f"Measure '{measure.title}' added: set its targets next.")
        return redirect("setup-measure", code=measure.code)


class MeasureSetupView(SetupView):
    template_name = "setup/measure.html"
    actions = {
        "save_settings": "save_settings",
        "add_target": "add_target",
        "remove_target": "remove_target",
        "add_benchmark": "add_benchmark",
        "remove_benchmark": "remove_benchmark",
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.measure = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.has_perm(self.permission_required):
            self.measure = get_object_or_404(Measure, code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def forms(self, **bound):
        return {
            "settings_form": MeasureSettingsForm(instance=self.measure, prefix="settings"),
            "target_form": TargetForm(measure=self.measure, prefix="target"),
            "benchmark_form": BenchmarkForm(measure=self.measure, prefix="benchmark"),
            **bound,
        }

    def context(self):
        return {
            "measure": self.measure,
            "targets": self.measure.targets.all(),
            "benchmarks": self.measure.benchmarks.all(),
        }

    def save_settings(self):
        form = MeasureSettingsForm(self.request.POST, instance=self.measure, prefix="settings")
        return self.changed_or_refused(form, "settings_form", "Settings saved.")

    def add_target(self):
        form = TargetForm(self.request.POST, measure=self.measure, prefix="target")
        return self.changed_or_refused(form, "target_form", "Target added.")

    def add_benchmark(self):
        form = BenchmarkForm(self.request.POST, measure=self.measure, prefix="benchmark")
        return self.changed_or_refused(form, "benchmark_form", "Benchmark added.")

    def remove_target(self):
        target = get_object_or_404(self.measure.targets, pk=self.request.POST.get("target"))
        reference.delete(target)
        return self.done(f"Target removed: {target.get_kind_display()} from {target.starts:%B %Y}.")

    def remove_benchmark(self):
        benchmark = get_object_or_404(
            self.measure.benchmarks, pk=self.request.POST.get("benchmark")
        )
        reference.delete(benchmark)
        return self.done(
            f"Benchmark removed: {benchmark.get_comparator_display()} {benchmark.period}."
        )


class PopulationsView(SetupView):
    permission_required = "scorecard.change_population"
    template_name = "setup/populations.html"
    actions = {"add_population": "add_population", "remove_population": "remove_population"}

    def forms(self, **bound):
        return {"population_form": PopulationForm(prefix="population"), **bound}

    def context(self):
        return {"populations": Population.objects.select_related("area")}

    def add_population(self):
        form = PopulationForm(self.request.POST, prefix="population")
        return self.changed_or_refused(form, "population_form", "Population added.")

    def remove_population(self):
        population = get_object_or_404(Population, pk=self.request.POST.get("population"))
        reference.delete(population)
        return self.done(f"Population removed: {population.area} {population.year}.")


class ManagersView(SetupView):
    permission_required = "scorecard.change_teammembership"
    template_name = "setup/managers.html"
    actions = {"add_manager": "add_manager", "remove_manager": "remove_manager"}

    def forms(self, **bound):
        return {"manager_form": ManagerForm(prefix="manager"), **bound}

    def context(self):
        return {
            "memberships": TeamMembership.objects.select_related("user", "area").order_by(
                "area__order", "area__name", "user__first_name"
            )
        }

    def add_manager(self):
        form = ManagerForm(self.request.POST, prefix="manager")
        if form.is_valid():
            user, area = form.cleaned_data["user"], form.cleaned_data["area"]
            if TeamMembership.objects.filter(user=user, area=area).exists():
                form.add_error("area", f"{user.get_full_name() or user} already manages {area}")
        if not form.is_valid():
            return self.page(self.forms(manager_form=form), status=400)
        TeamMembership.objects.create(user=user, area=area)  # rates nothing: no recalculation
        return self.done(f"{user.get_full_name() or user} now manages {area}.")

    def remove_manager(self):
        membership = get_object_or_404(TeamMembership, pk=self.request.POST.get("membership"))
        membership.delete()
        return self.done(
            f"{membership.user.get_full_name() or membership.user} no longer "
            f"manages {membership.area}."
        )
