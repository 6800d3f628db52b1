from django import template
from django.utils.html import format_html

from scorecard import disclosure, formatting

register = template.Library()


@register.filter
def figure(value, measure):
    """A figure as people read it: the measure's decimal places, thousands
    separators and unit ('1,204', '31.0%'), from the exact Decimal."""
    return formatting.figure(value, measure)


@register.filter
def as_entered(value, measure):
    """A return's figure as entered: a rate's count as the whole number it is."""
    return formatting.as_entered(value, measure)


@register.filter
def with_unit(value, measure):
    """A figure that always says its unit ('31.0%', '35.0 per 10,000'), where a
    rate stands beside the count it is worked out from."""
    return formatting.with_unit(value, measure)


@register.filter
def figure_plain(value, measure):
    """A figure at the measure's places without its unit, where the column's
    heading names the unit ('Turnover (%)'); exactly as stored without a measure."""
    if measure is None or measure == "":
        return formatting.exact(value)
    return formatting.number(value, measure.decimal_places)


@register.filter
def exact(value):
    """A number as stored, with separators and no trailing zeros: what a person
    entered, a tolerance, an FTE ('12,345', '12.5')."""
    return formatting.exact(value)


@register.filter
def seconds(duration):
    """How long something took, '1.25 s': not a figure."""
    return formatting.seconds(duration)


@register.simple_tag
def suppressed_mark():
    """What a withheld (small-number) figure shows instead: `disclosure.SUPPRESSED`."""
    return disclosure.SUPPRESSED


@register.simple_tag
def rag_tag(rating):
    return formatting.rating_tag(rating or "none")


@register.simple_tag
def rating_cell(result, measure):
    """The RAG cell: tag, 'c' where withheld, or why there is no rating."""
    return formatting.rating_markup(result, measure)


@register.simple_tag
def spc_cell(result):
    """Variation and assurance as icons with their words, or why there is no SPC."""
    return formatting.spc_markup(result)


@register.filter
def denominator(result, measure):
    """'n=100' beside a percentage, where it may be shown."""
    return formatting.denominator_text(result, measure)


@register.filter
def figure_count(value):
    """A count with thousands separators; '–' when missing."""
    return formatting.number(value, 0) or "–"


@register.simple_tag
def period_note(measure, period=""):
    """'year to date', 'Q3 2014-15 (Oct–Dec 2014)': what a figure covers, where it
    is not simply its month (`formatting.period_note`)."""
    return formatting.period_note(measure, period or "")


@register.simple_tag
def provisional_mark(result):
    return formatting.provisional_markup(result)


@register.simple_tag
def revision_mark(result, measure):
    return formatting.revision_markup(result, measure)


@register.simple_tag
def revision_summary(result, measure):
    return formatting.revision_summary(result, measure)


@register.simple_tag
def published_text(result, measure):
    return formatting.published_text(result, measure)


GOVUK_INPUT_CLASSES = {
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "textarea": "govuk-textarea",
}


@register.simple_tag
def govuk_widget(field, width=""):
    """A form field's input in GOV.UK style, tied to its hint and error message."""
    kind = field.widget_type
    css = GOVUK_INPUT_CLASSES.get(kind, "govuk-input")
    if field.errors and kind != "checkbox":
        css += f" {css.split()[0]}--error"
    if width and kind not in ("checkbox", "select"):
        css += f" govuk-input--width-{width}"
    described = [f"{field.id_for_label}-hint"] if field.help_text else []
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


DEADLINE_TAGS = {
    "overdue": ("red", "Overdue"),
    "late": ("orange", "Late"),
    "due soon": ("yellow", "Due soon"),
    "on time": ("green", "On time"),
}


@register.simple_tag
def status_tag(status, label):
    """A return's status as a tag: its words, with a colour per status."""
    return format_html(
        '<strong class="govuk-tag status-tag status-tag--{}">{}</strong>', status, label
    )


@register.simple_tag
def deadline_tag(state):
    """Where a return stands against its deadline, in words and colour; nothing
    for a state with no tag."""
    if state not in DEADLINE_TAGS:
        return ""
    colour, words = DEADLINE_TAGS[state]
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, words)
