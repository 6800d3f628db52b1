"""The scorecard's filters (django-filter): which year, month and area, and
which measures. Choices come from the user's scope, so a filter can never
reach an area the user may not see."""

import django_filters
from django import forms
from django.db.models import Q

from . import aggregation, periods, reports, selectors
from .models import Measure, MeasureGroup, Rating
from .months import parse_month


def financial_year_label(start) -> str:
    return str(periods.financial_year_of(start))


class ScorecardFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label="Financial year", method="keep", empty_label=None)
    month = django_filters.ChoiceFilter(
        label="Month (as at)", method="keep", empty_label="Latest in the year"
    )
    area = django_filters.ModelChoiceFilter(
        label="Service area", method="keep", queryset=None, empty_label=None
    )
    group = django_filters.ModelChoiceFilter(
        label="Group",
        queryset=MeasureGroup.objects.all(),
        to_field_name="code",
        empty_label="All groups",
    )
    rag = django_filters.ChoiceFilter(
        label="RAG", choices=Rating.choices, method="filter_rag", empty_label="Any rating"
    )
    headline = django_filters.BooleanFilter(
        label="Headline success measures only", method="filter_headline", widget=forms.CheckboxInput
    )

    class Meta:
        model = Measure
        fields = ["year", "month", "area", "group", "rag", "headline"]

    def __init__(self, data=None, *, user, months, **kwargs):
        super().__init__(
            data, queryset=Measure.objects.filter(active=True).select_related("group"), **kwargs
        )
        self.months = months
        years = sorted({aggregation.financial_year_start(m) for m in months}, reverse=True)
        self.filters["year"].extra["choices"] = [
            (y.isoformat()[:7], financial_year_label(y)) for y in years
        ]
        self.filters["month"].extra["choices"] = [(m.isoformat()[:7], f"{m:%B %Y}") for m in months]
        self.areas = selectors.scorecard_areas_for_user(user)
        self.filters["area"].queryset = self.areas
        self.area = self.month = None
        # Each list of choices read once (a model choice field counts its rows, then
        # reads them), and the months' statuses once for the default and the notice.
        self.area_list = list(self.areas)
        self.listed_choice("area", {str(a.pk): a for a in self.area_list}, empty_label=None)
        groups = {g.code: g for g in MeasureGroup.objects.all()}
        self.listed_choice("group", groups, empty_label=self.filters["group"].extra["empty_label"])
        self.statuses = reports.month_statuses(months) if months else {}

    def listed_choice(self, name, objects: dict, empty_label):
        """The form's field for a model choice as a choice among `objects` (read
        once), cleaned to the object as the model choice field would."""
        model_field = self.form.fields[name]
        choices = [(key, str(obj)) for key, obj in objects.items()]
        self.form.fields[name] = forms.TypedChoiceField(
            label=model_field.label,
            choices=choices if empty_label is None else [("", empty_label), *choices],
            coerce=objects.__getitem__,
            required=False,
            empty_value=None,
        )

    def resolve(self):
        """The area and month to show: chosen, or the authority and the month a
        director can rely on (`reports.default_month`) in the chosen financial year."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.area = data.get("area") or next((a for a in self.area_list if a.is_authority), None)
        months = self.months
        if data.get("year"):
            start = parse_month(data["year"])
            months = [m for m in months if aggregation.financial_year_start(m) == start]
        if data.get("month"):
            self.month = parse_month(data["month"])
        else:
            self.month = reports.default_month(months, self.statuses)
        return self.area, self.month

    def keep(self, queryset, name, value):
        return queryset  # chooses what the rows show, not which rows

    def filter_rag(self, queryset, name, value):
        """By the rating the scorecard shows: each measure's as at the month
        (`reports.as_at`), so a quarterly measure keeps its quarter's rating."""
        as_at = Q()
        for frequency in periods.DUE_MONTHS:
            as_at |= Q(
                frequency=frequency, results__month=periods.latest_due(frequency, self.month)
            )
        return queryset.filter(as_at, results__area=self.area, results__rating=value)

    def filter_headline(self, queryset, name, value):
        return queryset.filter(is_headline=True) if value else queryset
