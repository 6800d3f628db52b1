"""Emails about returns: submitted, returned, approved, and the reminders.

Plain text through Django's email framework, one message per recipient, each
with an absolute link to the return. Every function returns how many emails it
sent. Recipients are active users with an email address.
"""

import logging
import smtplib
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from . import deadlines, roles, workdays
from .models import MonthlyReturn, TeamMembership

logger = logging.getLogger(__name__)


def return_url(monthly_return: MonthlyReturn) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("return-detail", args=[monthly_return.pk])


def _title(monthly_return: MonthlyReturn) -> str:
    return f"{monthly_return.area.name}, {monthly_return.month:%B %Y}"


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _can_receive(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


def _send(messages: list[EmailMessage]) -> int:
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except (OSError, smtplib.SMTPException):
        # Sent after the change it reports was committed: a mail server that is
        # down must not turn a saved approval into an error page.
        logger.exception(
            "Could not send %s email(s): %s",
            len(messages),
            "; ".join(message.subject for message in messages),
        )
        return 0


def _message(to, subject: str, body: str) -> EmailMessage:
    return EmailMessage(subject=subject, body=body, to=[to.email])


def notify_submitted(monthly_return: MonthlyReturn) -> int:
    """Tell every performance officer a return is waiting for them."""
    officers = (
        get_user_model()
        .objects.filter(groups__name=roles.PERFORMANCE_OFFICERS, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )
    submitter = monthly_return.submitted_by
    who = _name(submitter) if submitter else "Someone"
    body = (
        f"{who} submitted the {_title(monthly_return)} return.\n\n"
        f"Check it, then approve it or return it with a reason:\n"
        f"{return_url(monthly_return)}\n"
    )
    subject = f"Return submitted: {_title(monthly_return)}"
    return _send([_message(officer, subject, body) for officer in officers])


def notify_returned(monthly_return: MonthlyReturn) -> int:
    """Tell whoever submitted the return that it has come back, and why."""
    submitter = monthly_return.submitted_by
    if not _can_receive(submitter):
        return 0
    due = deadlines.due_date_for(monthly_return)
    body = (
        f"The {_title(monthly_return)} return has been returned to you.\n\n"
        f"Reason:\n{monthly_return.reason or '(none given)'}\n\n"
        f"Correct it and submit it again (it was due on {_day(due)}):\n"
        f"{return_url(monthly_return)}\n"
    )
    subject = f"Return returned: {_title(monthly_return)}"
    return _send([_message(submitter, subject, body)])


def notify_approved(monthly_return: MonthlyReturn) -> int:
    """Tell whoever submitted the return that it has been approved."""
    submitter = monthly_return.submitted_by
    if not _can_receive(submitter):
        return 0
    body = (
        f"The {_title(monthly_return)} return has been approved. Its figures will be in "
        f"the scorecard after the next recalculation.\n\n"
        f"{return_url(monthly_return)}\n"
    )
    subject = f"Return approved: {_title(monthly_return)}"
    return _send([_message(submitter, subject, body)])


def send_reminders(today: date) -> int:
    """One email per team manager listing their areas' draft or returned returns
    due within two working days of `today` or overdue."""
    due = deadlines.returns_due_for_reminder(today)
    if not due:
        return 0
    memberships = (
        TeamMembership.objects.filter(
            area__in={r.area_id for r in due},
            user__groups__name=roles.TEAM_MANAGERS,
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user")
        .distinct()
    )
    areas_of = defaultdict(set)
    managers = {}
    for membership in memberships:
        areas_of[membership.user_id].add(membership.area_id)
        managers[membership.user_id] = membership.user

    messages = []
    for user_id, manager in sorted(managers.items(), key=lambda item: item[1].username):
        theirs = [r for r in due if r.area_id in areas_of[user_id]]
        messages.append(_reminder(manager, theirs, today))
    return _send(messages)


def _reminder(manager, returns: list[MonthlyReturn], today: date) -> EmailMessage:
    lines, states = [], set()
    for monthly_return in returns:
        due = deadlines.due_date_for(monthly_return)
        state = workdays.deadline_state(due, today, None)
        states.add(state)
        lines.append(
            f"- {_title(monthly_return)}: {state}, due {_day(due)}\n  {return_url(monthly_return)}"
        )
    word = {frozenset({workdays.OVERDUE}): "overdue", frozenset({workdays.DUE_SOON}): "due"}.get(
        frozenset(states), "due or overdue"
    )
    titles = "; ".join(_title(r) for r in returns)
    subject = f"Return {word}: {titles}" if len(returns) == 1 else f"Returns {word}: {titles}"
    body = (
        f"Dear {_name(manager)},\n\n"
        "These monthly returns for your service area are still to be submitted:\n\n"
        + "\n".join(lines)
        + "\n"
    )
    return EmailMessage(subject=subject, body=body, to=[manager.email])
