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

    def resolve(self):
        """The area and month to show: chosen, or the authority and the month a
        director can rely on (`reports.default_month`) in the chosen financial year."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        self.area = data.get("area") or self.areas.authority()
        months = self.months
        if data.get("year"):
            start = parse_month(data["year"])
            months = [m for m in months if aggregation.financial_year_start(m) == start]
        if data.get("month"):
            self.month = parse_month(data["month"])
        else:
            self.month = reports.default_month(months)
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
