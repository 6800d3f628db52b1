from django import forms

from .models import ServiceArea


class ScorecardChoiceForm(forms.Form):
    """Which scorecard to show: a month (as at) and the authority or one area."""

    month = forms.TypedChoiceField(label="Month (as at)", coerce=str, required=False)
    area = forms.ModelChoiceField(label="Service area", queryset=ServiceArea.objects.none(),
                                  required=False, empty_label=None)

    def __init__(self, *args, months, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.strftime("%Y-%m"), f"{m:%B %Y}") for m in months]
        self.fields["area"].queryset = areas
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-select"
