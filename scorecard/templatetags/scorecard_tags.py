from django import template

from scorecard import formatting

register = template.Library()


@register.filter
def figure(value, measure):
    """A figure as people read it: the measure's decimal places and unit."""
    return formatting.figure(value, measure)


@register.simple_tag
def rag_tag(rating):
    return formatting.rating_tag(rating or "none")


@register.simple_tag
def rating_cell(result, measure):
    """The RAG cell: tag, 'c' where withheld, or why there is no rating."""
    return formatting.rating_markup(result, measure)


@register.filter
def denominator(result, measure):
    """'n=100' beside a percentage, where it may be shown."""
    return formatting.denominator_text(result, measure)


@register.filter
def figure_count(value):
    """A count with thousands separators; '–' when missing."""
    return formatting.number(value, 0) or "–"


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
