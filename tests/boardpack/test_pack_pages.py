"""The sample's board pack as a board member reads it, made in the test's own
process (the worker's part is test_worker's): the scorecard's pages legible on
A4 landscape, a provisional month said to be provisional, and a figure revised
after it was published shown as published and as it is now."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from boardpack import rendering, services
from scorecard import engine, reports, tables, validation, workflow
from scorecard import services as services_
from scorecard.forms import _rules
from scorecard.models import MonthlyReturn, Publication, ReturnValue, ServiceArea
from scorecard.tables import ScorecardTable

from .pdf import contents_pages, flat, most_lines_in_a_cell, page_texts

DEC, JAN = date(2014, 12, 1), date(2015, 1, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def director(sample, django_user_model):
    return django_user_model.objects.get(username="director")


def made(user, month=JAN):
    """(page texts, laid-out document) of the authority's pack for `month`."""
    pack = services.request_pack(user=user, area=ServiceArea.objects.authority(), month=month)
    html, _ = services.pack_html(pack)
    rendered = rendering.render_pdf(html, base_url="http://testserver/")
    return page_texts(rendered.pdf), rendered.document


def scorecard_pages(texts):
    """The texts of the pages the full scorecard is printed on."""
    starts = contents_pages(texts[1])
    return texts[
        starts["The scorecard, with commentary"] - 1 : starts["The exceptions, one page each"] - 1
    ]


def test_the_scorecard_pages_carry_the_screens_columns_legibly(director):
    texts, document = made(director)
    pages = scorecard_pages(texts)
    # the columns the scorecard shows on a 1366 px screen, in its order
    fit = ScorecardTable(
        reports.build_scorecard(area=ServiceArea.objects.authority(), month=JAN),
        columns=tables.DEFAULT_CHOICE,
    )
    headers = [flat(str(column.header)) for column in fit.columns]
    assert headers[:4] == ["Measure", "Nov 2014", "Dec 2014", "Jan 2015"]
    for page in pages:
        assert all(header in page for header in headers), (headers, page[:300])
    for left_out in ("Baseline", "Trajectory to the long-term target", "Year to date", "Apr 2014"):
        assert all(left_out not in page for page in pages), left_out
    # no cell squeezed into a tall column of short lines: a figure on three at
    # most (a rate's "per 10,000" and a benchmark's year under it), SPC's words
    # on two; only a target's note (why it is illustrative) takes more
    lines = most_lines_in_a_cell(document, "scorecard")
    assert lines.pop("col-target") <= 6
    assert lines.pop("col-spc") <= 2
    assert lines and max(lines.values()) <= 3, lines


def test_the_packs_charts_are_coloured_as_the_measure_pages(director):
    """The screen's stylesheet is the one home of the charts' colours: a colour
    changed there is changed in the next pack's charts too."""
    screen = (Path(settings.BASE_DIR) / "static/css/app.css").read_text(encoding="utf-8")
    rules = [
        " ".join(rule.split())
        for rule in re.findall(r"^\.chart__[^{]*\{[^}]*\}", screen, flags=re.MULTILINE)
    ]
    assert len(rules) >= 10
    pack = services.request_pack(user=director, area=ServiceArea.objects.authority(), month=JAN)
    html, _ = services.pack_html(pack)
    styles = re.findall(r'<svg class="chart"[^>]*><style>(.*?)</style>', html, flags=re.DOTALL)
    assert styles  # the sample's exceptions have their charts
    for style in styles:
        drawn = " ".join(style.split())
        assert [rule for rule in rules if rule not in drawn] == []


def reopen(user, area, month, reason):
    monthly_return = MonthlyReturn.objects.get(area=area, month=month)
    return services_.transition_return(
        user=user, monthly_return=monthly_return, action=workflow.REOPEN, reason=reason
    )


def test_a_provisional_month_says_so_on_its_cover_and_every_scorecard_page(
    director, django_user_model
):
    officer = django_user_model.objects.get(username="officer")
    first_response = ServiceArea.objects.get(name="First Response")
    reopen(officer, first_response, JAN, "Missing visits")  # 1 of January's 2 returns approved
    engine.recalculate(trigger="test")
    texts, _ = made(director)
    cover = texts[0]
    assert "Provisional: 1 of 2 returns approved for January 2015. Every figure" in cover
    assert "(calculation " in cover and "), provisional" in cover
    pages = scorecard_pages(texts)
    assert pages
    for number, page in enumerate(pages, 1):
        assert "Provisional" in page, f"scorecard page {number}"


def test_a_figure_revised_after_it_was_published_shows_what_was_published_and_what_it_is_now(
    director, django_user_model
):
    officer, officer2 = (
        django_user_model.objects.get(username=name) for name in ("officer", "officer2")
    )
    authority = ServiceArea.objects.authority()
    assert Publication.objects.filter(month=DEC).exists()  # December was on the board
    reopened = reopen(officer, authority, DEC, "Late referrals found")
    line = ReturnValue.objects.get(monthly_return=reopened, measure__code="repeat-referrals")
    assert line.value == Decimal("25.0")
    corrected = validation.Entry(_rules(line.measure), numerator="27", denominator="100")
    assert validation.check(corrected, submitting=True) == []
    services_.save_return(
        user=officer2,
        monthly_return=reopened,
        lines=[services_.LineInput(line.pk, corrected)],
        expected_version=reopened.version,
        submit=True,
    )
    reopened.refresh_from_db()
    services_.transition_return(user=officer, monthly_return=reopened, action=workflow.APPROVE)
    engine.recalculate(trigger="test")

    texts, _ = made(director)
    whole = " ".join(texts)
    # the summary's revisions since last month's board: what was published, what it is now, why
    assert "% repeat referrals, December 2014" in whole
    assert "Published 25.0%, now 27.0%." in whole and "reason: Late referrals found" in whole
    # the scorecard's December: the figure now, marked revised with what was published
    [row] = [
        page[page.index(" % repeat referrals ") :]
        for page in scorecard_pages(texts)
        if " % repeat referrals " in page
    ]
    assert row.startswith(" % repeat referrals 26.0% 27.0% n=100 Revised published 25.0 31.0%")
    # and the exception's page lists it among its revisions
    [page] = [t for t in texts if ". % repeat referrals" in t and "Revisions" in t]
    assert "December 2014: Published 25.0%, now 27.0%." in page
