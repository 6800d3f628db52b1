"""A rate per 10,000 children is entered as a count: the return's pages show
the count as a count and the target as the rate it is, so that 312 children
and a target of 35.0 per 10,000 never read as one number against the other."""

import html
import re
from datetime import date

import pytest
from django.urls import reverse

from scorecard.models import Measure, MonthlyReturn, Target
from tests import factories

pytestmark = pytest.mark.django_db
JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)


@pytest.fixture
def rate(db):
    measure = factories.measure(
        title="Rate per 10,000 looked after",
        unit=Measure.Unit.RATE_10K,
        entry=Measure.Entry.COUNT,
        polarity=Measure.Polarity.LOWER,
        numerator_label="Children looked after at the month end",
    )
    Target.objects.create(measure=measure, kind=Target.Kind.IN_YEAR, value=35, starts=JAN)
    return measure


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_entry_form_gives_the_rate_target_its_unit(client, team_manager, area, rate):
    january = factories.monthly_return(
        area, JAN, status=MonthlyReturn.Status.APPROVED, approved_at="2015-02-10T12:00Z"
    )
    factories.value(january, rate, numerator=298)
    february = factories.monthly_return(area, FEB)
    factories.value(february, rate)
    client.force_login(team_manager)
    page = text(client.get(reverse("return-detail", args=[february.pk])))
    assert "Last month: 298 . Target: 35.0 per 10,000 ." in page


def test_the_review_page_gives_the_rate_target_its_unit(client, officer, area, rate):
    february = factories.monthly_return(area, FEB, status=MonthlyReturn.Status.SUBMITTED)
    factories.value(february, rate, numerator=312)
    client.force_login(officer)
    page = text(client.get(reverse("return-detail", args=[february.pk])))
    assert "Rate per 10,000 looked after 312 312 35.0 per 10,000" in page


def test_a_rate_imported_as_history_is_last_month_as_the_rate_it_is(
    client, team_manager, area, rate
):
    january = factories.monthly_return(
        area, JAN, status=MonthlyReturn.Status.APPROVED, approved_at="2015-02-10T12:00Z"
    )
    factories.value(january, rate, value="37.3")  # as published: no count of children
    february = factories.monthly_return(area, FEB)
    factories.value(february, rate)
    client.force_login(team_manager)
    page = text(client.get(reverse("return-detail", args=[february.pk])))
    assert "Last month: 37.3 per 10,000 . Target: 35.0 per 10,000 ." in page
