"""The application's database role cannot rewrite the audit trail (issue 12).

`make test` creates the two roles of a deployment: the owner that migrates
(the suite's own connection) and DATABASE_APP_ROLE, which the web and the worker
use in production. These tests connect as the app role, as the application would.
"""

import json
import uuid

import pghistory
import pytest
from django.conf import settings
from psycopg import errors

from scorecard.database_roles import audit_tables
from scorecard.models import ServiceArea
from tests import database, factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def as_app_role():
    if not settings.DATABASE_APP_ROLE:
        pytest.fail("DATABASE_APP_ROLE is not set: run the tests with `make test`")
    session = database.connect(settings.DATABASE_APP_ROLE, autocommit=True)
    yield session
    session.close()


@pytest.fixture
def audited_change():
    """A service area renamed by user 7: one event, with its context."""
    area = factories.area("First Response")
    with pghistory.context(user=7):
        ServiceArea.objects.filter(pk=area.pk).update(name="First Response Team")
    event = area.events.order_by("-pgh_id").first()
    assert event.pgh_context.metadata["user"] == 7
    return area, event


def test_the_app_role_owns_nothing(as_app_role):
    owned = as_app_role.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE r.rolname = current_user"
    ).fetchone()[0]
    assert owned == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET pgh_label = 'rewritten'",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "DROP TABLE {table}",
    ],
)
def test_the_app_role_cannot_rewrite_or_erase_an_event_table(
    as_app_role, audited_change, statement
):
    assert "scorecard_serviceareaevent" in audit_tables()
    with pytest.raises(errors.InsufficientPrivilege):
        as_app_role.execute(statement.format(table="scorecard_serviceareaevent"))
    _, event = audited_change
    event.refresh_from_db()
    assert event.pgh_label == "update"


@pytest.mark.parametrize(
    "statement",
    [
        """UPDATE pghistory_context SET metadata = '{"user": 99}'""",
        "DELETE FROM pghistory_context",
        "TRUNCATE pghistory_context CASCADE",
        "ALTER TABLE pghistory_context DISABLE TRIGGER ALL",
    ],
)
def test_the_app_role_cannot_rewrite_who_made_a_change(as_app_role, audited_change, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        as_app_role.execute(statement)
    _, event = audited_change
    event.pgh_context.refresh_from_db()
    assert event.pgh_context.metadata["user"] == 7


def test_the_app_role_records_history_but_cannot_borrow_a_past_context(as_app_role, audited_change):
    area, event = audited_change

    def change_as(context_id, metadata, name):
        with as_app_role.transaction():
            as_app_role.execute(
                "SELECT set_config('pghistory.context_id', %s, true),"
                " set_config('pghistory.context_metadata', %s, true)",
                [str(context_id), json.dumps(metadata)],
            )
            as_app_role.execute(
                "UPDATE scorecard_servicearea SET name = %s WHERE id = %s", [name, area.pk]
            )

    # What the application does: a new context, recorded with the event.
    fresh = uuid.uuid4()
    change_as(fresh, {"user": 8}, "First Response (North)")
    newest = area.events.order_by("-pgh_id").first()
    assert newest.pgh_context_id == fresh and newest.pgh_context.metadata == {"user": 8}

    # A session that reuses a past change's context id cannot rename its user.
    change_as(event.pgh_context_id, {"user": 99}, "First Response (South)")
    event.pgh_context.refresh_from_db()
    assert event.pgh_context.metadata["user"] == 7
