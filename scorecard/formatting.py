"""How figures are written for people: the measure's decimal places and unit."""

from decimal import Decimal

from django.utils.html import format_html

from . import rag

SUFFIX = {"percent": "%", "days": " days", "fte": " FTE"}
RATING_WORDS = {rag.GREEN: "Green", rag.AMBER: "Amber", rag.RED: "Red", rag.NO_RATING: "No rating"}
DIRECTION_WORDS = {
    rag.IMPROVING: "Improving",
    rag.WORSENING: "Worsening",
    rag.UNCHANGED: "Unchanged",
    rag.UP: "Up",
    rag.DOWN: "Down",
    "": "",
}
DIRECTION_ARROWS = {
    rag.IMPROVING: "▲", rag.WORSENING: "▼", rag.UNCHANGED: "►", rag.UP: "▲", rag.DOWN: "▼", "": "",
}
NOT_APPLICABLE = "n/a"


def number(value: Decimal | None, places: int) -> str:
    """The value at the measure's places, with thousands separators; '' when missing."""
    if value is None:
        return ""
    return f"{rag.round_to(value, places):,}"


def figure(value: Decimal | None, measure) -> str:
    """A figure as a person reads it: '31.0%', '1,204', '29.1'."""
    if value is None:
        return ""
    return number(value, measure.decimal_places) + SUFFIX.get(measure.unit, "")


def rating_tag(rating: str) -> str:
    """A RAG rating as a GOV.UK tag: the word always, the colour only beside it."""
    rating = rating if rating in RATING_WORDS else rag.NO_RATING
    return format_html('<strong class="govuk-tag rag rag--{}">{}</strong>', rating,
                       RATING_WORDS[rating])
