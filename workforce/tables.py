"""The workforce table: one row per team and one for the qualified social
workers of all teams. Its exports are `workforce.exports`, from the same rows."""

from decimal import Decimal

import django_tables2 as tables
from django.utils.html import format_html

from scorecard import formatting
from scorecard.formatting import rating_tag
from scorecard.tables import BaseTable

from . import measures


def fte(value: Decimal | None) -> str:
    """FTE as typed: '27', '12.5', '0.75'; '' when missing."""
    if value is None:
        return ""
    return f"{value.normalize():,f}"


class StaffingColumn(tables.Column):
    def __init__(self, name, label, **kwargs):
        self.field = name
        super().__init__(verbose_name=label, empty_values=(), orderable=False, **kwargs)

    def render(self, record):
        return fte(record.staffing.get(self.field))

    def value(self, record):
        return self.render(record)


class ResultColumn(tables.Column):
    """A stored result's value at its measure's places; marked when provisional."""

    def __init__(self, code, label, **kwargs):
        self.code = code
        super().__init__(verbose_name=label, empty_values=(), orderable=False, **kwargs)

    def text(self, record):
        result = record.results.get(self.code)
        if result is None:
            return ""
        if result.not_applicable:
            return formatting.NOT_APPLICABLE
        return formatting.number(result.value, result.measure.decimal_places)

    def render(self, record):
        text, result = self.text(record), record.results.get(self.code)
        if text:
            return format_html("{}{}", text, formatting.provisional_markup(result))
        return text

    def value(self, record):
        return self.text(record)


class RatingColumn(tables.Column):
    """The engine's stored rating, as a word with its colour; the word alone in exports."""

    def __init__(self, code, label, **kwargs):
        self.code = code
        super().__init__(verbose_name=label, empty_values=(), orderable=False, **kwargs)

    def rating(self, record):
        result = record.results.get(self.code)
        return result.rating if result else "none"

    def render(self, record):
        return rating_tag(self.rating(record))

    def value(self, record):
        return formatting.RATING_WORDS[self.rating(record)]


class WorkforceTable(BaseTable):
    team = tables.Column(accessor="label", verbose_name="Team", orderable=False)
    fte_in_post = StaffingColumn("fte_in_post", "In post (FTE)")
    headcount = StaffingColumn("headcount_in_post", "In post (headcount)")
    vacancies = StaffingColumn("vacancies_fte", "Vacancies (FTE)")
    vacancy_rate = ResultColumn(measures.VACANCY, "Vacancy rate (%)")
    agency = StaffingColumn("agency_fte", "Agency (FTE)")
    agency_rate = ResultColumn(measures.AGENCY, "Agency rate (%)")
    sickness = ResultColumn(measures.SICKNESS, "Sickness rate (%)")
    sickness_rag = RatingColumn(measures.SICKNESS, "Sickness RAG")
    caseload = ResultColumn(measures.CASELOAD, "Cases per FTE")

    class Meta(BaseTable.Meta):
        attrs = {"class": "govuk-table"}
        orderable = False
        empty_text = "No teams to show."

    def __init__(self, page, **kwargs):
        super().__init__(page.rows, **kwargs)
        self.caption = f"Workforce by team, {page.month:%B %Y}"
