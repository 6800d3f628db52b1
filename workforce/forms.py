"""The staffing section of a return's entry form: a section of the same form,
posted, checked and saved with the figures (see
`scorecard.extensions`, by `workforce.part`)."""

from decimal import Decimal

from django import forms

from . import selectors, services, validation


def _text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


class StaffingForm(forms.Form):
    template_name_section = "workforce/staffing_section.html"

    def __init__(self, data=None, *, staffing=None, previous=None, submitting=False):
        super().__init__(data, prefix="staffing")
        self.staffing, self.previous, self.submitting = staffing, previous, submitting
        self.entry = validation.StaffingEntry(typed={})
        for spec in validation.FIELDS:
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                required=False,
                max_length=40,
                initial=_text(getattr(staffing, spec.name, None)),
            )
        self.fields["commentary"] = forms.CharField(
            label="Staffing commentary",
            help_text="What changed in the team's staffing this month and why, e.g. posts "
            "filled to meet demand. Shown with the workforce figures once approved.",
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=getattr(staffing, "commentary", ""),
        )

    @classmethod
    def for_return(cls, monthly_return, data=None, *, submitting=False):
        """The section of a team's return, while the scorecard has workforce
        measures for the team (or the return already holds staffing figures)."""
        if monthly_return.area.is_authority:
            return None
        staffing, previous = selectors.staffing_for_return(monthly_return)
        if staffing is None and not selectors.reports_staffing(monthly_return.area):
            return None
        return cls(data, staffing=staffing, previous=previous, submitting=submitting)

    def clean(self):
        cleaned = super().clean()
        self.entry = validation.StaffingEntry(
            typed={spec.name: cleaned.get(spec.name, "") for spec in validation.FIELDS}
        )
        for finding in validation.check(self.entry, submitting=self.submitting):
            self.add_error(finding.field, f"Staffing: {finding.message}")
        return cleaned

    def save_section(self, monthly_return) -> list[str]:
        """The items of the return this changed, for `services.save_return`."""
        changed = services.staffing_save(
            monthly_return=monthly_return,
            figures=self.entry.parsed,
            commentary=self.cleaned_data.get("commentary", ""),
        )
        return [f"staffing:{name}" for name in changed]

    def error_summary(self) -> list[tuple[str, str]]:
        return [
            (self[name].id_for_label, error)
            for name in self.fields
            if name in self.errors
            for error in self.errors[name]
        ]

    @property
    def commentary_field(self):
        return self["commentary"]

    def rows(self):
        """(bound field, last month's figure as text, this month's as saved) for the template."""
        return [
            (
                self[spec.name],
                _text(getattr(self.previous, spec.name, None)),
                _text(getattr(self.staffing, spec.name, None)),
            )
            for spec in validation.FIELDS
        ]
