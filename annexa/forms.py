"""Forms: the Annex A upload, the team mapping, and the data-quality section of
a return (a section of the return's form, `scorecard.extensions`)."""

import hashlib
from datetime import date

from django import forms
from django.utils import timezone

from scorecard import uploads
from scorecard.models import ServiceArea
from scorecard.text import is_blank, tidy

from . import quality, reading
from .models import ReturnFindings


class AnnexAUploadForm(uploads.UploadForm):
    file = forms.FileField(
        label="Upload the Annex A workbook",
        error_messages={
            "required": "Select the Annex A workbook (.xlsx) to upload",
            "empty": "The file is empty.",
        },
    )
    extracted_on = forms.DateField(
        label="The day the lists were extracted",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Enter the day the lists were extracted",
            "invalid": "Enter the day the lists were extracted as a date, like 3/11/2026",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > reading.max_bytes():
            raise forms.ValidationError(
                f"The file is too large: the largest Annex A workbook that can be read is "
                f"{reading.size_text(reading.max_bytes())}."
            )
        return upload

    def clean_extracted_on(self):
        day = self.cleaned_data["extracted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The day the lists were extracted cannot be in the future")
        if day < date(2000, 1, 1):
            raise forms.ValidationError("Enter the day the lists were extracted, after 2000")
        return day

    def content(self) -> bytes:
        return self.cleaned_data["file"].read(reading.max_bytes() + 1)


class TeamMappingForm(forms.Form):
    """One select per team the lists name: the service area it is."""

    def __init__(self, *args, teams: list[tuple[str, str, int | None]], **kwargs):
        super().__init__(*args, **kwargs)
        areas = ServiceArea.objects.filter(parent__isnull=False, active=True)
        choices = [("", "Not mapped")] + [(str(a.pk), a.name) for a in areas]
        self.teams = teams
        for key, label, area_id in teams:
            self.fields[self.name_for(key)] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=str(area_id or "")
            )

    @staticmethod
    def name_for(key: str) -> str:
        """A field name of the team's own, whatever other teams are listed."""
        return "team_" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def chosen(self) -> dict[str, tuple[str, int | None]]:
        return {
            key: (label, int(self.cleaned_data[self.name_for(key)] or 0) or None)
            for key, label, _ in self.teams
        }


class FindingsSection(forms.Form):
    """The lists' data-quality findings for the team's return: explained in a
    commentary before the return is submitted (a soft check, as the figures'
    are)."""

    template_name_section = "annexa/findings_section.html"
    commentary = forms.CharField(
        label="Explain the data-quality findings", required=False, widget=forms.Textarea
    )

    def __init__(self, data=None, *, held: ReturnFindings, submitting=False):
        super().__init__(data, prefix="annexa", initial={"commentary": held.commentary})
        self.held, self.submitting = held, submitting

    @classmethod
    def for_return(cls, monthly_return, data=None, *, submitting=False):
        held = ReturnFindings.objects.filter(monthly_return=monthly_return).first()
        if held is None or not held.findings:
            return None
        return cls(data, held=held, submitting=submitting)

    def findings(self) -> list[quality.Finding]:
        return [quality.Finding(code, count) for code, count in self.held.findings]

    def clean(self):
        cleaned = super().clean()
        if self.submitting and is_blank(cleaned.get("commentary", "")):
            self.add_error(
                "commentary",
                "Annex A: explain the data-quality findings in the commentary before you submit",
            )
        return cleaned

    def save_section(self, monthly_return) -> list[str]:
        commentary = tidy(self.cleaned_data.get("commentary", ""))
        if commentary == self.held.commentary:
            return []
        ReturnFindings.objects.filter(pk=self.held.pk).update(commentary=commentary)
        return ["annex-a:findings"]

    def error_summary(self) -> list[tuple[str, str]]:
        return [(self["commentary"].id_for_label, e) for e in self.errors.get("commentary", [])]
