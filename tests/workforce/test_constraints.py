"""The database refuses what the form would refuse, whatever path writes it."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from tests import factories
from workforce.models import Staffing

from .conftest import staffing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "figures",
    [
        {"fte_in_post": -1},
        {"open_cases": -3},
        {"days_available": 10, "days_lost": 11},
        {"fte_in_post": 10, "starters_fte": 1, "leavers_fte": 12},
        {"establishment_fte": 10, "vacancies_fte": 11},
        {"fte_in_post": "10.5", "headcount_in_post": 10},
        {"headcount_in_post": -1},
    ],
)
def test_the_database_refuses_impossible_staffing(area, figures):
    with pytest.raises(IntegrityError), transaction.atomic():
        staffing(area, date(2015, 1, 1), **figures)


def test_one_staffing_section_per_return(area):
    first = staffing(area, date(2015, 1, 1), fte_in_post=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Staffing.objects.create(monthly_return=first.monthly_return)


def test_blank_figures_are_allowed_in_a_draft(area):
    monthly_return = factories.monthly_return(area)
    assert Staffing.objects.create(monthly_return=monthly_return).fte_in_post is None
