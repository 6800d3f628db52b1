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
