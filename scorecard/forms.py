from django import forms

from . import figures, validation, workflow
from .text import is_blank


def _rules(measure) -> validation.MeasureRules:
    return validation.MeasureRules(
        title=measure.title,
        entry=measure.entry,
        unit=measure.unit,
        decimal_places=measure.decimal_places,
        polarity=measure.polarity,
        tolerance=measure.tolerance,
        tolerance_kind=measure.tolerance_kind,
        change_threshold_percent=measure.change_threshold_percent,
        green_band=measure.green_band,
        frequency=measure.frequency,
    )


def _text(value) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


class ReturnForm(forms.Form):
    """A return's figures: one group of inputs per measure, checked by `validation`."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lines, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.submitting = submitting
        self.notes = {}  # measure id -> soft findings shown beside the line
        self.line_inputs = []
        for line in lines:
            measure, value = line.measure, line.value
            prefix = f"m{measure.pk}"
            line.prefix = prefix
            line.figure_fields = []
            labels = {
                "numerator": measure.numerator_label or "Numerator",
                "denominator": measure.denominator_label or "Denominator",
                "value": "Value" + (" (%)" if measure.unit == figures.PERCENT else ""),
            }
            if measure.entry == figures.COUNT:
                labels["numerator"] = measure.numerator_label or "Count"
            for name in figures.entry_fields(measure.entry):
                field_name = f"{prefix}_{name}"
                self.fields[field_name] = forms.CharField(
                    label=labels[name],
                    required=False,
                    max_length=40,
                    initial=_text(getattr(value, name)),
                )
                line.figure_fields.append(field_name)
            self.fields[f"{prefix}_not_applicable_reason"] = forms.CharField(
                label="Not applicable this month? Say why",
                required=False,
                max_length=200,
                initial=value.not_applicable_reason,
            )
            self.fields[f"{prefix}_commentary"] = forms.CharField(
                label="Commentary",
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=value.commentary,
            )
            self.fields[f"{prefix}_use_draft"] = forms.BooleanField(
                label="Put the drafted facts in the commentary box when I save",
                required=False,
            )

    def bound_lines(self):
        """The lines with their bound fields, for the template."""
        for line in self.lines:
            line.inputs = [self[name] for name in line.figure_fields]
            line.not_applicable_field = self[f"{line.prefix}_not_applicable_reason"]
            line.commentary_field = self[f"{line.prefix}_commentary"]
            line.use_draft_field = self[f"{line.prefix}_use_draft"]
            line.notes = self.notes.get(line.measure.pk, [])
        return self.lines

    def clean(self):
        cleaned = super().clean()
        for line in self.lines:
            prefix = line.prefix
            entry = validation.Entry(
                measure=_rules(line.measure),
                numerator=cleaned.get(f"{prefix}_numerator", ""),
                denominator=cleaned.get(f"{prefix}_denominator", ""),
                value=cleaned.get(f"{prefix}_value", ""),
                not_applicable_reason=cleaned.get(f"{prefix}_not_applicable_reason", ""),
                commentary=cleaned.get(f"{prefix}_commentary", ""),
                previous=line.previous,
                history=line.history,
                target=line.target,
            )
            findings = validation.check(entry, submitting=self.submitting)
            for finding in findings:
                if finding.severity == validation.HARD:
                    self.add_error(
                        f"{prefix}_{finding.field}", f"{line.measure.title}: {finding.message}"
                    )
                else:
                    self.notes.setdefault(line.measure.pk, []).append(finding.message)
            self.line_inputs.append((line.value.pk, entry))
        return cleaned

    def drafts_wanted(self) -> list:
        """(line, entry) of the lines whose drafted facts are to go into the
        commentary box: ticked, and without a commentary of a person's own
        (`services.save_return` stores the entry's commentary)."""
        return [
            (line, entry)
            for line, (_, entry) in zip(self.lines, self.line_inputs, strict=True)
            if self.cleaned_data.get(f"{line.prefix}_use_draft") and is_blank(entry.commentary)
        ]

    def kept_commentary(self) -> list:
        """The lines ticked for the drafted facts that already have a commentary,
        which is kept as the person wrote it."""
        return [
            line
            for line, (_, entry) in zip(self.lines, self.line_inputs, strict=True)
            if self.cleaned_data.get(f"{line.prefix}_use_draft") and not is_blank(entry.commentary)
        ]

    def error_summary(self):
        """(field id, message) for the GOV.UK error summary, in page order."""
        return [
            (self[name].id_for_label, error)
            for name in self.fields
            if name in self.errors
            for error in self.errors[name]
        ]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in workflow.TRANSITIONS])
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        transition = workflow.TRANSITIONS.get(cleaned.get("action"))
        if transition and transition.needs_reason and is_blank(cleaned.get("reason")):
            verb = "returning" if transition.name == workflow.RETURN else "reopening"
            self.add_error("reason", f"Give the reason you are {verb} this return")
        return cleaned


def typed_figure(entry: validation.Entry) -> figures.Figure:
    """A line's figures as typed and read (`validation.parse`), as they will be
    saved (`services.save_return`)."""
    parsed = entry.parsed
    return figures.Figure(
        parsed.get(validation.NUMERATOR),
        parsed.get(validation.DENOMINATOR),
        parsed.get(validation.VALUE),
        not is_blank(entry.not_applicable_reason),
    )


def stored_entry(line) -> validation.Entry:
    """A line as saved, for the reviewer's flags."""
    value = line.value
    entry = validation.Entry(
        measure=_rules(line.measure),
        numerator=_text(value.numerator),
        denominator=_text(value.denominator),
        value=_text(value.value),
        not_applicable_reason=value.not_applicable_reason,
        commentary=value.commentary,
        previous=line.previous,
        history=line.history,
        target=line.target,
    )
    validation.parse(entry)
    return entry


def review_flags(line) -> list[str]:
    entry = stored_entry(line)
    return [finding.message for rule in validation.SOFT_RULES for finding in rule(entry)]
