"""The emails people rely on: who gets them, what they say, and the link."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from scorecard import notifications, roles
from scorecard.models import MonthlyReturn
from tests import factories

pytestmark = [
    pytest.mark.django_db,
]

SITE = "https://performance.example.gov.uk"
Status = MonthlyReturn.Status
JAN, FEB = date(2015, 1, 1), date(2015, 2, 1)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double up


def link(monthly_return):
    return f"{SITE}/returns/{monthly_return.pk}/"


def sent_to(message):
    return sorted(message.to + message.cc + message.bcc)


@pytest.fixture
def submitted(area, team_manager):
    return factories.monthly_return(
        area,
        month=FEB,
        status=Status.SUBMITTED,
        submitted_by=team_manager,
        submitted_at=datetime(2015, 3, 10, 9, tzinfo=ZoneInfo("Europe/London")),
    )


def test_a_submitted_return_goes_to_every_active_performance_officer(
    submitted, officer, second_officer, director, other_team_manager
):
    factories.user("po-gone", roles.PERFORMANCE_OFFICERS, is_active=False)
    no_email = factories.user("po-no-email", roles.PERFORMANCE_OFFICERS)
    no_email.email = ""
    no_email.save()

    assert notifications.notify_submitted(submitted) == 2

    assert sorted(sent_to(m)[0] for m in mail.outbox) == ["po-1@example.org", "po-2@example.org"]
    assert all(len(sent_to(m)) == 1 for m in mail.outbox)  # no one sees the others' addresses
    message = mail.outbox[0]
    assert message.subject == "Return submitted: First Response, February 2015"
    assert link(submitted) in message.body
    assert "Tm-A" in message.body  # who submitted it


def test_a_returned_return_goes_to_its_submitter_with_the_reason(submitted, officer):
    submitted.status = Status.RETURNED
    submitted.reason = "Referrals re-referred within 12 months looks too low: please check."
    submitted.save()

    assert notifications.notify_returned(submitted) == 1

    [message] = mail.outbox
    assert message.to == ["tm-a@example.org"]
    assert message.subject == "Return returned: First Response, February 2015"
    assert submitted.reason in message.body
    assert link(submitted) in message.body


def test_an_approved_return_goes_to_its_submitter(submitted, officer):
    submitted.status = Status.APPROVED
    submitted.approved_by = officer
    submitted.approved_at = datetime(2015, 3, 11, 9, tzinfo=ZoneInfo("Europe/London"))
    submitted.save()

    assert notifications.notify_approved(submitted) == 1

    [message] = mail.outbox
    assert message.to == ["tm-a@example.org"]
    assert message.subject == "Return approved: First Response, February 2015"
    assert link(submitted) in message.body


def test_no_submitter_or_an_inactive_one_gets_nothing(area, team_manager):
    imported = factories.monthly_return(area, month=FEB, status=Status.RETURNED, reason="x")
    assert notifications.notify_returned(imported) == 0
    team_manager.is_active = False
    team_manager.save()
    left = factories.monthly_return(
        area, month=JAN, status=Status.RETURNED, submitted_by=team_manager, reason="x"
    )
    assert notifications.notify_returned(left) == 0
    assert mail.outbox == []


class TestReminders:
    TODAY = date(2015, 2, 11)  # Wednesday: January's returns are due Friday 13 February

    @pytest.fixture
    def setup(self, area, other_area, team_manager, other_team_manager, officer):
        third = factories.area("Looked After Children")
        both = factories.user("tm-both", roles.TEAM_MANAGERS, areas=[area, third])
        quiet_area = factories.area("Care Leavers")
        factories.user("tm-quiet", roles.TEAM_MANAGERS, areas=[quiet_area])
        factories.user("tm-gone", roles.TEAM_MANAGERS, areas=[area], is_active=False)
        factories.user("po-member", roles.PERFORMANCE_OFFICERS, areas=[area])
        return {
            "first jan": factories.monthly_return(area, month=JAN),
            "first dec": factories.monthly_return(area, month=date(2014, 12, 1)),
            "third jan": factories.monthly_return(third, month=JAN, status=Status.RETURNED),
            "other jan": factories.monthly_return(
                other_area, month=JAN, status=Status.SUBMITTED, submitted_by=other_team_manager
            ),
            "quiet feb": factories.monthly_return(quiet_area, month=FEB),
            "both": both,
        }

    def test_one_email_per_team_manager_listing_their_returns(self, setup):
        assert notifications.send_reminders(self.TODAY) == 2

        by_recipient = {m.to[0]: m for m in mail.outbox}
        assert set(by_recipient) == {"tm-a@example.org", "tm-both@example.org"}
        assert all(len(sent_to(m)) == 1 for m in mail.outbox)

        tm_a = by_recipient["tm-a@example.org"]
        assert tm_a.subject == (
            "Returns due or overdue: First Response, December 2014; First Response, January 2015"
        )
        assert link(setup["first jan"]) in tm_a.body
        assert link(setup["first dec"]) in tm_a.body
        assert "First Response, January 2015: due soon, due Friday 13 February 2015" in tm_a.body
        assert "First Response, December 2014: overdue, due Thursday 15 January 2015" in tm_a.body
        assert link(setup["third jan"]) not in tm_a.body

        both = by_recipient["tm-both@example.org"]
        for name in ("first jan", "first dec", "third jan"):
            assert link(setup[name]) in both.body
        # A submitted return, and one not due for a month, are not chased.
        for message in mail.outbox:
            assert link(setup["other jan"]) not in message.body
            assert link(setup["quiet feb"]) not in message.body

    def test_a_single_return_names_its_area_and_month(self, area, team_manager):
        january = factories.monthly_return(area, month=JAN)
        assert notifications.send_reminders(self.TODAY) == 1
        [message] = mail.outbox
        assert message.subject == "Return due: First Response, January 2015"
        assert link(january) in message.body
        assert notifications.send_reminders(date(2015, 2, 16)) == 1
        assert mail.outbox[-1].subject == "Return overdue: First Response, January 2015"

    def test_nothing_due_sends_nothing(self, setup):
        # Monday 12 January: December's returns are due in three working days.
        assert notifications.send_reminders(date(2015, 1, 12)) == 0
        assert mail.outbox == []
        # Tuesday 13th: due in two; both of First Response's managers are told.
        assert notifications.send_reminders(date(2015, 1, 13)) == 2
