"""The sample's board pack as a board member reads it, made in the test's own
process (the worker's part is test_worker's): the scorecard's pages legible on
A4 landscape, a provisional month said to be provisional, and a figure revised
after it was published shown as published and as it is now."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from boardpack import rendering, services
from scorecard import reports, tables
from scorecard.models import ServiceArea
from scorecard.tables import ScorecardTable

from .pdf import contents_pages, flat, most_lines_in_a_cell, page_texts

JAN = date(2015, 1, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def director(sample, django_user_model):
    return django_user_model.objects.get(username="director")


def made(user, month=JAN):
    """(page texts, laid-out document) of the authority's pack for `month`."""
    pack = services.request_pack(user=user, area=ServiceArea.objects.authority(), month=month)
    html, _, _ = services.pack_html(pack)
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
    # no cell squeezed into a tall column of short lines: figures and words on
    # two lines at most, a target's note (why it is illustrative) on four
    lines = most_lines_in_a_cell(document, "scorecard")
    assert lines.pop("col-target") <= 4
    assert lines and max(lines.values()) <= 2, lines


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
    html, _, _ = services.pack_html(pack)
    styles = re.findall(r'<svg class="chart"[^>]*><style>(.*?)</style>', html, flags=re.DOTALL)
    assert styles  # the sample's exceptions have their charts
    for style in styles:
        drawn = " ".join(style.split())
        assert [rule for rule in rules if rule not in drawn] == []
