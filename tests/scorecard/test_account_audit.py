"""Service areas, team memberships, accounts and their roles are audited like the
figures: who changed what, when, old and new (issue 12)."""

import pghistory
import pytest
from django.contrib.auth.models import Group

from scorecard import roles
from scorecard.models import ServiceArea, TeamMembership, UserEvent, UserGroupsEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_giving_and_taking_a_role_is_recorded_with_who_did_it(administrator):
    person = factories.user("new-po")
    officers = Group.objects.get(name=roles.PERFORMANCE_OFFICERS)
    with pghistory.context(user=administrator.pk):
        person.groups.add(officers)
        person.groups.remove(officers)
    events = UserGroupsEvent.objects.filter(user_id=person.pk).order_by("pgh_id")
    assert [(event.pgh_label, event.group_id) for event in events] == [
        ("insert", officers.pk),
        ("delete", officers.pk),
    ]
    assert all(event.pgh_context.metadata["user"] == administrator.pk for event in events)


def test_an_account_change_is_recorded_without_its_password(administrator):
    person = factories.user("leaver")
    with pghistory.context(user=administrator.pk):
        person.is_active = False
        person.set_password("another-long-password-2")
        person.save()
    last = UserEvent.objects.filter(pgh_obj_id=person.pk).order_by("-pgh_id").first()
    assert last.pgh_label == "update" and last.is_active is False
    assert not hasattr(last, "password")
    assert last.pgh_context.metadata["user"] == administrator.pk


def test_service_areas_and_team_memberships_are_recorded():
    area = factories.area("First Response")
    manager = factories.user("tm-a", roles.TEAM_MANAGERS, areas=[area])
    ServiceArea.objects.filter(pk=area.pk).update(name="First Response Team")
    TeamMembership.objects.filter(user=manager).delete()
    assert [e.name for e in area.events.order_by("pgh_id")] == [
        "First Response",
        "First Response Team",
    ]
    membership_events = TeamMembership.pgh_event_model.objects.filter(user_id=manager.pk)
    assert sorted(e.pgh_label for e in membership_events) == ["delete", "insert"]
