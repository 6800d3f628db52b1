"""The database refuses what the forms would refuse, whatever the code path."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from scorecard.models import MonthlyReturn, ReturnValue, Target
from tests import factories

pytestmark = pytest.mark.django_db


def refused(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_one_return_per_area_and_month(area):
    factories.monthly_return(area, date(2015, 2, 1))
    refused(lambda: factories.monthly_return(area, date(2015, 2, 1)))


def test_a_return_is_for_a_whole_month(area):
    refused(lambda: factories.monthly_return(area, date(2015, 2, 14)))


def test_one_value_per_return_and_measure(area):
    monthly_return = factories.monthly_return(area)
    measure = factories.measure()
    factories.value(monthly_return, measure, 1, 2)
    refused(lambda: factories.value(monthly_return, measure, 1, 2))


def test_numerator_never_above_denominator(area):
    monthly_return = factories.monthly_return(area)
    refused(lambda: factories.value(monthly_return, factories.measure(), 11, 10))
    factories.value(monthly_return, factories.measure(), 10, 10)  # equal is allowed


@pytest.mark.parametrize("field", ["numerator", "denominator", "value"])
def test_no_negative_figures(area, field):
    monthly_return = factories.monthly_return(area)
    refused(lambda: factories.value(monthly_return, factories.measure(), **{field: -1}))


def test_approver_is_never_the_submitter(area, team_manager):
    now = timezone.now()
    monthly_return = factories.monthly_return(area, submitted_by=team_manager, submitted_at=now)
    monthly_return.status = MonthlyReturn.Status.APPROVED
    monthly_return.approved_by = team_manager
    monthly_return.approved_at = now
    refused(lambda: monthly_return.save())


def test_a_long_term_target_says_when(db):
    measure = factories.measure()
    refused(
        lambda: Target.objects.create(
            measure=measure, kind=Target.Kind.LONG_TERM, value=100, starts=date(2014, 4, 1)
        )
    )


def test_bulk_updates_cannot_bypass_the_constraints(area):
    value = factories.value(factories.monthly_return(area), factories.measure(), 5, 10)
    refused(lambda: ReturnValue.objects.filter(pk=value.pk).update(numerator=20))
