"""The set-up pages' forms. Numbers are read as a person reads them
(`validation.read_figure`), months as the browser's month field sends them."""

from datetime import date

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from . import limits, periods, roles, validation
from .models import Benchmark, Measure, MeasureGroup, Population, ServiceArea, Target
from .months import parse_month


class FigureField(forms.CharField):
    """A non-negative decimal typed by a person, read exactly or refused."""

    def __init__(self, *, noun, places=limits.VALUE_PLACES, bound=limits.ENTERED_BOUND, **kw):
        self.noun, self.places, self.bound = noun, places, bound
        super().__init__(**kw)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "spellcheck": "false"}

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        number, problem = validation.read_figure(text, places=self.places, bound=self.bound)
        if problem:
            raise forms.ValidationError(
                validation.figure_message(problem, self.noun, places=self.places, bound=self.bound)
            )
        return number


def figure_field(model, name: str, noun: str, **kwargs) -> FigureField:
    """A FigureField that accepts exactly what the model's column can hold."""
    column = model._meta.get_field(name)
    integer_digits = column.max_digits - column.decimal_places
    return FigureField(
        noun=noun,
        places=column.decimal_places,
        bound=limits.Column(integer_digits, column.decimal_places).bound,
        **kwargs,
    )


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value

    def to_python(self, value):
        text = super().to_python(value).strip()
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError:
            raise forms.ValidationError(
                f"Enter the {self.label.lower()} as a year and month, like 2025-04"
            ) from None


def _a(noun: str) -> str:
    """'An in-year target', 'A long-term target': the sentence's first words."""
    return f"{'An' if noun[0].lower() in 'aeiou' else 'A'} {noun}"


class GroupForm(forms.ModelForm):
    class Meta:
        model = MeasureGroup
        fields = ["name", "order"]
        labels = {"name": "Group name", "order": "Position"}
        help_texts = {"order": "Groups are shown in this order, lowest first; blank: last."}
        error_messages = {"name": {"required": "Enter the group's name"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False

    def clean_order(self):
        order = self.cleaned_data["order"]
        if order is None:
            order = self.instance.order if self.instance.pk else last_group_order() + 1
        return order


def last_group_order() -> int:
    return max(MeasureGroup.objects.values_list("order", flat=True), default=0)


class NewMeasureForm(forms.ModelForm):
    """A measure of the authority's own, for what the library does not have."""

    class Meta:
        model = Measure
        fields = [
            "title",
            "group",
            "unit",
            "entry",
            "polarity",
            "level",
            "frequency",
            "decimal_places",
            "definition",
            "numerator_label",
            "denominator_label",
            "source",
        ]
        labels = {
            "title": "Title",
            "entry": "What a team enters",
            "polarity": "Better when",
            "level": "Reported by",
            "frequency": "Reported",
            "decimal_places": "Decimal places shown",
            "numerator_label": "What is counted (the numerator, or the count)",
            "denominator_label": "Out of (the denominator)",
            "source": "Source of the definition",
        }
        error_messages = {
            "title": {"required": "Enter the measure's title"},
            "group": {"required": "Choose the group it sits under"},
            "unit": {"required": "Choose its unit"},
            "entry": {"required": "Choose what a team enters"},
            "polarity": {"required": "Choose when it is better"},
        }
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entry") == Measure.Entry.RATIO and cleaned.get("unit") not in (
            None,
            Measure.Unit.PERCENT,
        ):
            self.add_error(
                "unit", "A numerator and denominator make a percentage: choose Percentage"
            )
        title = cleaned.get("title", "")
        self.instance.code = slugify(title)[:60]
        if title and not self.instance.code:
            self.add_error("title", "Give the title some letters or digits")
        elif Measure.objects.filter(code=self.instance.code).exists():
            self.add_error("title", "There is already a measure with a title like this")
        return cleaned


class MeasureSettingsForm(forms.ModelForm):
    # declared fields take their label and help here, not from Meta
    tolerance = figure_field(
        Measure,
        "tolerance",
        "tolerance",
        label="Amber tolerance",
        help_text="How far from the target a figure may be and still be Amber, not Red.",
    )
    green_band = figure_field(
        Measure,
        "green_band",
        "Green band",
        required=False,
        label="Green band",
        help_text=Measure._meta.get_field("green_band").help_text,
    )
    change_threshold_percent = figure_field(
        Measure,
        "change_threshold_percent",
        "threshold",
        label="Change from last period that needs a commentary (%)",
    )
    spc_baseline_start = MonthField(
        label="Process limits worked out from",
        required=False,
        help_text="After a known change in the process (a new threshold from April), the "
        "month whose figure the statistical process control limits start from, for example "
        "2016-04. Empty: from the first figure held.",
    )

    class Meta:
        model = Measure
        fields = [
            "frequency",
            "year_to_date",
            "reporting_areas",
            "group",
            "order",
            "tolerance",
            "tolerance_kind",
            "green_band",
            "min_denominator",
            "change_threshold_percent",
            "spc_baseline_start",
            "is_headline",
            "active",
        ]
        widgets = {"reporting_areas": forms.CheckboxSelectMultiple}
        labels = {
            "frequency": "Reported",
            "year_to_date": "Each figure is the year to date, from April",
            "reporting_areas": "Service areas that report it",
            "tolerance_kind": "The tolerance is in",
            "min_denominator": "Fewest children to rate",
            "is_headline": "Headline success measure",
            "active": "Shown on the scorecard and in returns",
            "order": "Position in its group",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporting_areas"].queryset = ServiceArea.objects.filter(
            active=True, parent__isnull=False
        )

    def clean_green_band(self):
        return self.cleaned_data["green_band"] or 0


class TargetForm(forms.ModelForm):
    value = figure_field(Target, "value", "target", label="Target")
    starts = MonthField(label="First month in force")
    due = MonthField(label="To be reached by", required=False)

    class Meta:
        model = Target
        fields = ["kind", "value", "starts", "due", "note"]
        labels = {"kind": "Kind of target", "note": "Note shown beside it"}
        help_texts = {"due": "Long-term targets only, for example 2027-03."}

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.measure = measure
        self.fields["kind"].choices = Target.Kind.choices  # no blank choice
        self.fields["kind"].initial = Target.Kind.IN_YEAR

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Target.Kind.LONG_TERM and not cleaned.get("due"):
            self.add_error("due", "Enter when a long-term target is to be reached")
        if cleaned.get("kind") == Target.Kind.IN_YEAR:
            cleaned["due"] = None
        held = Target.objects.filter(
            measure=self.instance.measure, kind=cleaned.get("kind"), starts=cleaned.get("starts")
        )
        if cleaned.get("starts") and held.exists():
            self.add_error(
                "starts",
                f"{_a(Target.Kind(cleaned['kind']).label.lower())} from "
                f"{cleaned['starts']:%B %Y} is already set: remove it first to replace it",
            )
        return cleaned


class BenchmarkPeriodForm(forms.ModelForm):
    """The period typed as people write it ('2020-21', '2021', 'Q1 2021-22',
    '2021-06'), read by `periods.parse_period` into its kind and first month."""

    period = forms.CharField(
        max_length=20,
        help_text="A financial year (2020-21), a calendar year (2021), a quarter of a financial "
        "year (Q1 2021-22 is April to June 2021) or a month (2021-06).",
    )

    class Meta:
        model = Benchmark
        fields = ["measure", "comparator", "period", "value", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.period is not None:
            self.initial["period"] = str(self.instance.period)

    def clean_period(self):
        try:
            return periods.parse_period(self.cleaned_data["period"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def _post_clean(self):
        if "period" in self.cleaned_data:
            self.instance.period = self.cleaned_data["period"]
        super()._post_clean()


class BenchmarkForm(BenchmarkPeriodForm):
    """A measure's benchmark on its set-up page."""

    value = figure_field(Benchmark, "value", "benchmark", label="Benchmark")

    class Meta:
        model = Benchmark
        fields = ["comparator", "period", "value", "source"]
        labels = {"comparator": "Compared with"}

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.measure = measure
        self.fields["comparator"].choices = Benchmark.Comparator.choices

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        held = Benchmark.objects.filter(
            measure=self.instance.measure, comparator=cleaned.get("comparator")
        )
        if (
            period is not None
            and held.filter(period_kind=period.kind, period_start=period.starts).exists()
        ):
            self.add_error(
                "period",
                f"{_a(Benchmark.Comparator(cleaned['comparator']).label)} benchmark for "
                f"{period} is already set: remove it first to replace it",
            )
        return cleaned


class PopulationForm(forms.ModelForm):
    class Meta:
        model = Population
        fields = ["area", "year", "children_0_17", "source"]
        labels = {"area": "Area", "children_0_17": "Children aged 0 to 17"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = ServiceArea.objects.filter(active=True)
        self.fields["area"].error_messages["required"] = "Choose the area"
        self.fields["year"].error_messages["required"] = "Enter the year, like 2025"
        self.fields["children_0_17"].error_messages["required"] = "Enter the number of children"


class ManagerForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Team manager",
        queryset=get_user_model()
        .objects.filter(groups__name=roles.TEAM_MANAGERS, is_active=True)
        .order_by("first_name", "last_name", "username"),
        error_messages={"required": "Choose the team manager"},
    )
    area = forms.ModelChoiceField(
        label="Service area they manage",
        queryset=ServiceArea.objects.filter(active=True, parent__isnull=False),
        error_messages={"required": "Choose the service area"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
