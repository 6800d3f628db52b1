"""Opening a month: every active area gets a draft return with the right blank rows."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scorecard import months, opening, tasks
from scorecard.models import Measure, MonthlyReturn, ReturnValue
from tests import factories

pytestmark = pytest.mark.django_db

JAN = date(2015, 1, 1)
Status = MonthlyReturn.Status


@pytest.fixture
def world(area, other_area):
    closed = factories.area("Closed Team")
    closed.active = False
    closed.save()
    first_only = factories.measure(title="% first response only")
    first_only.reporting_areas.set([area])
    return {
        "authority": factories.authority(),
        "area": area,
        "other": other_area,
        "closed": closed,
        "everywhere": factories.measure(title="% every area"),
        "first only": first_only,
        "authority measure": factories.measure(title="% authority", level=Measure.Level.AUTHORITY),
        "retired": factories.measure(title="% retired", active=False),
        "retired authority": factories.measure(
            title="% retired authority", level=Measure.Level.AUTHORITY, active=False
        ),
    }


def rows(month=JAN):
    """{area name: (status, {measure titles})} for the month."""
    found = {}
    for monthly_return in (
        MonthlyReturn.objects.filter(month=month)
        .prefetch_related("values__measure")
        .select_related("area")
    ):
        found[monthly_return.area.name] = (
            monthly_return.status,
            {value.measure.title for value in monthly_return.values.all()},
        )
    return found


def test_every_active_area_gets_a_draft_with_its_measures(world):
    assert opening.open_returns(JAN) == 3

    assert rows() == {
        "The Authority": ("draft", {"% authority"}),
        "First Response": ("draft", {"% every area", "% first response only"}),
        "Children in Need South": ("draft", {"% every area"}),
    }
    assert not ReturnValue.objects.exclude(
        numerator=None, denominator=None, value=None, not_applicable_reason="", commentary=""
    ).exists()


def test_running_again_creates_and_changes_nothing(world, team_manager):
    opening.open_returns(JAN)
    entered = ReturnValue.objects.get(
        monthly_return__area=world["area"], measure=world["everywhere"]
    )
    entered.numerator, entered.denominator = 3, 4
    entered.save()
    before = {
        r.pk: (r.status, r.updated_at, r.version) for r in MonthlyReturn.objects.filter(month=JAN)
    }
    values_before = list(ReturnValue.objects.order_by("pk").values())

    assert opening.open_returns(JAN) == 0

    assert {
        r.pk: (r.status, r.updated_at, r.version) for r in MonthlyReturn.objects.filter(month=JAN)
    } == before
    assert list(ReturnValue.objects.order_by("pk").values()) == values_before


def test_a_measure_added_later_gets_rows_in_returns_still_being_edited(world, officer):
    opening.open_returns(JAN)
    MonthlyReturn.objects.filter(area=world["other"]).update(status=Status.SUBMITTED)
    MonthlyReturn.objects.filter(area=world["authority"]).update(status=Status.RETURNED)
    factories.measure(title="% new area measure")
    factories.measure(title="% new authority measure", level=Measure.Level.AUTHORITY)

    assert opening.open_returns(JAN) == 0

    assert rows() == {
        "The Authority": ("returned", {"% authority", "% new authority measure"}),
        "First Response": (
            "draft",
            {"% every area", "% first response only", "% new area measure"},
        ),
        # Submitted: what the officer is checking does not change under them.
        "Children in Need South": ("submitted", {"% every area"}),
    }


def test_an_existing_return_is_kept_and_the_rest_opened(world):
    factories.monthly_return(world["area"], month=JAN, status=Status.SUBMITTED, source="jan.xlsx")

    assert opening.open_returns(JAN) == 2

    assert MonthlyReturn.objects.get(area=world["area"], month=JAN).source == "jan.xlsx"
    assert rows()["First Response"] == ("submitted", set())


def test_a_fixed_number_of_queries_however_many_areas_and_measures(world):
    with CaptureQueriesContext(connection) as small:
        opening.open_returns(JAN)
    for n in range(10):
        factories.area(f"Team {n}")
        factories.measure(title=f"% extra {n}").reporting_areas.set([world["other"]])
    with CaptureQueriesContext(connection) as large:
        assert opening.open_returns(date(2015, 2, 1)) == 13
    assert len(large) == len(small)
    assert len(rows(date(2015, 2, 1))["Children in Need South"][1]) == 11


def test_the_month_must_be_a_first_of_month(world):
    with pytest.raises(ValueError, match="first of a month"):
        opening.open_returns(date(2015, 1, 31))


def test_month_just_ended():
    assert months.month_just_ended(date(2015, 3, 1)) == date(2015, 2, 1)
    assert months.month_just_ended(date(2015, 1, 31)) == date(2014, 12, 1)


class TestCommand:
    def run(self, *args):
        out = StringIO()
        call_command("open_returns", *args, stdout=out)
        return out.getvalue()

    def test_opens_the_month_given(self, world):
        assert self.run("--month", "2015-01") == "Opened 3 returns for January 2015.\n"
        assert self.run("--month", "2015-01") == "Opened 0 returns for January 2015.\n"
        assert set(rows()) == {"The Authority", "First Response", "Children in Need South"}

    @pytest.mark.parametrize("bad", ["2015-13", "January", "2015-1", "15-01", "2015-01-01", ""])
    def test_a_bad_month_is_a_clear_error(self, world, bad):
        with pytest.raises(CommandError, match=r"--month: expected a month as YYYY-MM"):
            self.run("--month", bad)
        assert not MonthlyReturn.objects.exists()

    def test_defaults_to_the_month_just_ended_in_london(self, world, monkeypatch):
        # 23:30 UTC on 31 March 2015 is 00:30 on 1 April in London (BST).
        monkeypatch.setattr(
            timezone, "now", lambda: datetime(2015, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
        )
        assert self.run() == "Opened 3 returns for March 2015.\n"


def test_the_task_opens_the_month_just_ended_by_the_london_date(world, monkeypatch):
    monkeypatch.setattr(
        timezone, "now", lambda: datetime(2015, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    assert tasks.open_returns.delay().get() == 3  # eager in the test settings
    assert MonthlyReturn.objects.filter(month=date(2015, 3, 1)).count() == 3
    assert tasks.open_returns.name == "scorecard.tasks.open_returns"


def test_an_area_with_nothing_due_gets_no_return_to_wait_for(area, other_area):
    """A new authority that reports nothing at its own level (and a team that
    reports nothing) is not left with an empty return holding the month provisional."""
    factories.measure(title="% first response only").reporting_areas.set([area])
    assert opening.open_returns(JAN) == 1
    assert list(MonthlyReturn.objects.values_list("area", flat=True)) == [area.pk]
    factories.measure(title="% authority", level=Measure.Level.AUTHORITY)
    assert opening.open_returns(JAN) == 1  # now the authority has something due
    assert MonthlyReturn.objects.filter(area=factories.authority()).exists()
    assert not MonthlyReturn.objects.filter(area=other_area).exists()
