"""The workforce beside the scorecard's own pages, which never import this app:
their templates include `workforce/_team_staffing.html` (a team's scorecard) and
`workforce/_summary_staffing.html` (the RAG summary), which call these tags.
Each renders `reports.build_staffing_snapshot` once per calculation run
(`page_cache`) for the area, the month and whose teams the reader may see."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from scorecard import page_cache, selectors

from .. import reports

register = template.Library()


def _snapshot_html(user, area, month, run, template_name: str) -> str:
    def render():
        snapshot = reports.build_staffing_snapshot(
            area=area, month=month, visible_areas=selectors.scorecard_areas_for_user(user)
        )
        return render_to_string(template_name, {"snapshot": snapshot}) if snapshot else ""

    parts = (template_name, area.pk, month, page_cache.areas_part(user))
    html = page_cache.cached("staffing-snapshot", page_cache.run_id(run), parts, render)
    return mark_safe(html)  # noqa: S308 - our own template's render


@register.simple_tag(takes_context=True)
def staffing_snapshot(context, area, month, run=None, template_name=""):
    """The area's staffing for the month as HTML ("" without workforce measures)."""
    if area is None or month is None:
        return ""
    return _snapshot_html(context["request"].user, area, month, run, template_name)
