"""How statistical process control is shown (issue 17, point 2): variation and
assurance in one cell, each an icon with its words, never the icon alone; the
same words in text for exports; why there is none where there is none."""

from decimal import Decimal as D

from scorecard import engine, formatting, spc
from scorecard.models import ScorecardResult


def result(**fields):
    return ScorecardResult(due=True, value=D("31"), **fields)


def test_words_say_variation_then_assurance():
    shown = result(
        spc_variation=spc.SPECIAL_CAUSE_CONCERNING, spc_assurance=spc.CONSISTENTLY_FAILING
    )
    assert formatting.spc_words(shown) == "Special cause, concerning; consistently failing"


def test_without_a_target_the_words_are_the_variation_alone():
    shown = result(spc_variation=spc.COMMON_CAUSE, spc_assurance="")
    assert formatting.spc_words(shown) == "Common cause"


def test_without_spc_the_words_say_why():
    assert formatting.spc_words(result(spc_note=spc.NOT_ENOUGH_POINTS)) == (
        "Fewer than 12 points: no statistical process control"
    )
    withheld = result(spc_note=engine.WITHHELD_FROM_SPC)
    assert formatting.spc_words(withheld).startswith("Withheld (small numbers)")


def test_a_month_not_due_shows_nothing():
    assert formatting.spc_words(ScorecardResult(due=False)) == ""
    assert formatting.spc_markup(ScorecardResult(due=False)) == ""
    assert formatting.spc_markup(None) == ""


def test_the_cell_carries_each_icon_beside_its_words_and_the_rules_broken():
    shown = result(
        spc_variation=spc.SPECIAL_CAUSE_IMPROVING,
        spc_assurance=spc.HIT_AND_MISS,
        spc_signals=[spc.RUN, spc.BEYOND_LIMIT],
    )
    cell = formatting.spc_markup(shown)
    assert cell.count("<svg") == 2
    assert cell.count('aria-hidden="true"') == 2  # the words are what a screen reader reads
    assert "app-spc__icon--improving" in cell and "app-spc__icon--hit-and-miss" in cell
    assert "Special cause, improving" in cell
    assert "A run of points on one side of the mean; a point beyond a process limit" in cell
    assert "The target lies within the limits: it will be hit and missed at random" in cell


def test_every_variation_and_assurance_has_an_icon():
    for words in (
        spc.COMMON_CAUSE,
        spc.SPECIAL_CAUSE_IMPROVING,
        spc.SPECIAL_CAUSE_CONCERNING,
        spc.SPECIAL_CAUSE_NEUTRAL,
        spc.CONSISTENTLY_PASSING,
        spc.CONSISTENTLY_FAILING,
        spc.HIT_AND_MISS,
    ):
        shown = result(spc_variation=words)
        assert words.capitalize() in formatting.spc_markup(shown)


def test_without_spc_the_cell_says_why_without_an_icon():
    cell = formatting.spc_markup(result(spc_note=spc.NOT_ENOUGH_POINTS))
    assert "<svg" not in cell and "Fewer than 12 points" in cell
