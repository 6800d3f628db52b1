"""Due dates, who needs reminding, and the officers' completeness grid."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from scorecard import deadlines
from scorecard.models import MonthlyReturn, ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
JAN, FEB, DEC = date(2015, 1, 1), date(2015, 2, 1), date(2014, 12, 1)
Status = MonthlyReturn.Status


def at(year, month, day, hour=12):
    return datetime(year, month, day, hour, tzinfo=LONDON)


def test_due_date_follows_the_setting(area, settings):
    january = factories.monthly_return(area, month=JAN)
    assert deadlines.due_date_for(january) == date(2015, 2, 13)  # the default 10 days
    settings.RETURN_DUE_WORKING_DAYS = 5
    assert deadlines.due_date_for(january) == date(2015, 2, 6)


class TestReturnsDueForReminder:
    @pytest.fixture
    def returns(self, area, other_area):
        closed = factories.area("Closed Team")
        closed.active = False
        closed.save()
        return {
            "jan draft": factories.monthly_return(area, month=JAN),  # due Fri 13 Feb
            "jan returned": factories.monthly_return(
                other_area, month=JAN, status=Status.RETURNED, reason="Check the figures"
            ),
            "dec draft": factories.monthly_return(area, month=DEC),  # due Thu 15 Jan
            "dec submitted": factories.monthly_return(
                other_area, month=DEC, status=Status.SUBMITTED, submitted_at=at(2015, 1, 20)
            ),
            "feb draft": factories.monthly_return(area, month=FEB),  # due Fri 13 Mar
            "closed area": factories.monthly_return(closed, month=DEC),
            "authority": factories.monthly_return(factories.authority(), month=JAN),
        }

    def due(self, today, returns):
        names = {r.pk: name for name, r in returns.items()}
        return [names[r.pk] for r in deadlines.returns_due_for_reminder(today)]

    def test_within_two_working_days_or_overdue_and_not_yet_sent(self, returns):
        # Wednesday 11 Feb: January is due in two working days; December is overdue.
        # Oldest month first, then by area (order, name).
        assert self.due(date(2015, 2, 11), returns) == [
            "dec draft",
            "jan returned",
            "jan draft",
            "authority",
        ]

    def test_three_working_days_ahead_is_too_early(self, returns):
        assert self.due(date(2015, 2, 10), returns) == ["dec draft"]

    def test_a_weekend_does_not_count_towards_the_two_days(self, returns):
        # Friday 6 Feb to Friday 13 Feb is five working days: not yet.
        assert "jan draft" not in self.due(date(2015, 2, 6), returns)
        # Thursday 12 March: February's is due the next day.
        assert "feb draft" in self.due(date(2015, 3, 12), returns)

    def test_nothing_is_due_before_its_month_ends(self, returns):
        assert self.due(date(2014, 12, 31), returns) == []


class TestCompletenessGrid:
    def test_rows_are_areas_columns_are_months_and_missing_returns_say_so(
        self, area, other_area, officer, team_manager
    ):
        factories.monthly_return(
            area,
            month=DEC,
            status=Status.APPROVED,
            submitted_by=team_manager,
            submitted_at=at(2015, 1, 16),
            approved_by=officer,
            approved_at=at(2015, 1, 19),
        )
        january = factories.monthly_return(
            area,
            month=JAN,
            status=Status.SUBMITTED,
            submitted_by=team_manager,
            submitted_at=at(2015, 2, 12),
        )
        factories.monthly_return(
            other_area,
            month=DEC,
            status=Status.RETURNED,
            submitted_at=at(2015, 1, 14),
            reason="Wrong denominator",
        )
        factories.monthly_return(other_area, month=JAN)

        grid = deadlines.completeness_grid(
            [DEC, JAN, FEB], [area, other_area], today=date(2015, 2, 12)
        )

        assert grid.months == [DEC, JAN, FEB]
        assert [row.area for row in grid.rows] == [area, other_area]
        cells = {(row.area.name, cell.month): cell for row in grid.rows for cell in row.cells}
        assert [cell.month for cell in grid.rows[0].cells] == [DEC, JAN, FEB]

        def summary(name, month):
            cell = cells[(name, month)]
            return cell.status, cell.status_code, cell.due, cell.deadline_state

        assert summary("First Response", DEC) == ("Approved", "approved", date(2015, 1, 15), "late")
        assert summary("First Response", JAN) == (
            "Submitted",
            "submitted",
            date(2015, 2, 13),
            "on time",
        )
        assert summary("First Response", FEB) == ("Missing", "missing", date(2015, 3, 13), "")
        # Returned after an on-time submission: not with the officers, so overdue.
        assert summary("Children in Need South", DEC) == (
            "Returned",
            "returned",
            date(2015, 1, 15),
            "overdue",
        )
        assert summary("Children in Need South", JAN) == (
            "Draft",
            "draft",
            date(2015, 2, 13),
            "due soon",
        )
        assert cells[("First Response", JAN)].return_id == january.pk
        assert cells[("First Response", FEB)].return_id is None

    def test_a_missing_return_past_its_deadline_is_overdue(self, area):
        grid = deadlines.completeness_grid([JAN], [area], today=date(2015, 2, 16))
        cell = grid.rows[0].cells[0]
        assert (cell.status, cell.deadline_state) == ("Missing", "overdue")

    def test_submission_day_is_the_london_date(self, area):
        # 23:30 UTC on Friday 13 Feb is 23:30 in London (GMT) too: on time. In
        # summer, 23:30 UTC on the due date is already the next day in London.
        factories.monthly_return(
            area,
            month=date(2015, 5, 1),
            status=Status.SUBMITTED,
            submitted_at=datetime(2015, 6, 12, 23, 30, tzinfo=ZoneInfo("UTC")),
        )
        grid = deadlines.completeness_grid([date(2015, 5, 1)], [area], today=date(2015, 7, 1))
        cell = grid.rows[0].cells[0]
        assert cell.due == date(2015, 6, 12)
        assert cell.deadline_state == "late"

    def test_a_fixed_number_of_queries(self, django_assert_num_queries, area, other_area):
        months = [date(2014, m, 1) for m in range(1, 13)]
        more = [factories.area(f"Team {n}") for n in range(8)]
        for service_area in [area, other_area, *more]:
            for month in months[:6]:
                factories.monthly_return(service_area, month=month)
        areas = ServiceArea.objects.filter(parent__isnull=False)
        with django_assert_num_queries(3):  # the areas, the returns, their figures
            grid = deadlines.completeness_grid(months, areas, today=date(2015, 2, 1))
        assert len(grid.rows) == 10
        assert {cell.status for row in grid.rows for cell in row.cells} == {"Draft", "Missing"}


def test_deadline_state_for_a_return_sent_back_is_judged_as_unsent(area):
    january = factories.monthly_return(
        area, month=JAN, status=Status.SUBMITTED, submitted_at=at(2015, 2, 12)
    )
    assert deadlines.deadline_state_for(january, date(2015, 3, 2)) == "on time"
    january.status = Status.RETURNED
    assert deadlines.submitted_on(january) is None
    assert deadlines.deadline_state_for(january, date(2015, 3, 2)) == "overdue"
