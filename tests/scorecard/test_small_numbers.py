"""Counts below the threshold are shown as 'c' below the authority level."""

import csv
import io
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse

from scorecard import disclosure, engine, roles
from scorecard.models import MonthlyReturn
from tests import factories

FEB = date(2015, 2, 1)


def test_the_rule():
    small = dict(
        is_authority=False,
        about_children=True,
        unit="count",
        entry="count",
        value=3,
        numerator=3,
        denominator=None,
        threshold=5,
    )
    assert disclosure.suppressed(**small)
    assert not disclosure.suppressed(**{**small, "is_authority": True})
    assert not disclosure.suppressed(**{**small, "value": 5})
    assert not disclosure.suppressed(**{**small, "value": 0})  # none is not a child
    assert not disclosure.suppressed(**{**small, "about_children": False})  # staffing
    ratio = dict(
        is_authority=False,
        about_children=True,
        unit="percent",
        entry="ratio",
        value=75,
        numerator=3,
        denominator=4,
        threshold=5,
    )
    assert disclosure.suppressed(**ratio)
    assert not disclosure.suppressed(**{**ratio, "numerator": 30, "denominator": 40})


@pytest.fixture
def small_counts(db):
    cache.clear()
    north, south = factories.area("North"), factories.area("South")
    referrals = factories.measure(
        title="Number of referrals", unit="count", entry="count", polarity="none", decimal_places=0
    )
    for area, count in ((north, 3), (south, 40)):
        monthly_return = factories.monthly_return(
            area, FEB, status=MonthlyReturn.Status.APPROVED, approved_at="2015-03-10T12:00Z"
        )
        factories.value(monthly_return, referrals, numerator=count)
    engine.recalculate()
    return north, south, referrals


def export_rows(client, area):
    response = client.get(f"/scorecard/?area={area.pk}&export=csv")
    text = response.content.decode("utf-8-sig")
    return {row["Measure"]: row for row in csv.DictReader(io.StringIO(text))}


def test_small_counts_show_as_c_below_the_authority_in_pages_and_exports(client, small_counts):
    north, south, referrals = small_counts
    client.force_login(factories.user("dir", roles.DIRECTORS))
    assert export_rows(client, north)["Number of referrals"]["Feb 2015"] == "c"
    # secondary suppression: with the authority's 43 shown, South's 40 would give
    # North's 3 away, so South is withheld too
    assert export_rows(client, south)["Number of referrals"]["Feb 2015"] == "c"
    authority = factories.authority()
    assert export_rows(client, authority)["Number of referrals"]["Feb 2015"] == "43"
    page = client.get(f"/scorecard/?area={north.pk}").content.decode()
    assert "fewer than 5, not shown below the authority level" in page
    detail = client.get(reverse("measure-detail", args=[referrals.code]) + "?month=2015-02")
    shown = {area.name: result.suppressed for area, result in detail.context["detail"].by_area}
    assert shown == {"The Authority": False, "North": True, "South": True}
    assert "fewer than 5" in detail.content.decode()
