"""Writes to returns through the services, on PostgreSQL: workflow, four eyes,
versions, concurrency and the audit trail."""

import threading
from datetime import date

import pytest
from django.db import connection

from scorecard import audit, services, validation, workflow
from scorecard.forms import _rules
from scorecard.models import MonthlyReturn, ReturnValue
from tests import factories

FEB = date(2015, 2, 1)


@pytest.fixture
def measure(db):
    return factories.measure(
        title="% children seen", numerator_label="Seen", denominator_label="Assessments"
    )


@pytest.fixture
def open_return(area, measure):
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure)
    return monthly_return


def lines(monthly_return, **typed):
    result = []
    for value in ReturnValue.objects.filter(monthly_return=monthly_return).select_related(
        "measure"
    ):
        entry = validation.Entry(_rules(value.measure), **typed)
        findings = validation.check(entry, submitting=False)
        assert not [f for f in findings if f.severity == validation.HARD], findings
        result.append(services.LineInput(value.pk, entry))
    return result


def save(user, monthly_return, submit=False, **typed):
    monthly_return.refresh_from_db()
    return services.save_return(
        user=user,
        monthly_return=monthly_return,
        lines=lines(monthly_return, **typed),
        expected_version=monthly_return.version,
        submit=submit,
    )


def test_the_monthly_cycle(open_return, team_manager, officer):
    save(team_manager, open_return, numerator="8", denominator="10")
    submitted = save(team_manager, open_return, submit=True, numerator="9", denominator="10")
    assert submitted.status == workflow.SUBMITTED and submitted.submitted_by == team_manager
    returned = services.transition_return(
        user=officer, monthly_return=open_return, action=workflow.RETURN, reason="Check the 9"
    )
    assert returned.status == workflow.RETURNED and returned.reason == "Check the 9"
    save(team_manager, open_return, submit=True, numerator="7", denominator="10")
    approved = services.transition_return(
        user=officer, monthly_return=open_return, action=workflow.APPROVE
    )
    assert approved.status == workflow.APPROVED and approved.approved_by == officer
    assert ReturnValue.objects.get(monthly_return=open_return).numerator == 7


def test_an_approved_return_is_locked(open_return, team_manager, officer):
    save(team_manager, open_return, submit=True, numerator="9", denominator="10")
    services.transition_return(user=officer, monthly_return=open_return, action=workflow.APPROVE)
    with pytest.raises(services.Refused, match="approved"):
        save(team_manager, open_return, numerator="1", denominator="10")
    assert ReturnValue.objects.get(monthly_return=open_return).numerator == 9


def test_the_approver_can_never_be_the_submitter(db, officer, measure):
    authority_return = factories.monthly_return(factories.authority(), FEB)
    factories.value(authority_return, measure)
    save(officer, authority_return, submit=True, numerator="9", denominator="10")
    with pytest.raises(services.Refused, match="four eyes"):
        services.transition_return(
            user=officer, monthly_return=authority_return, action=workflow.APPROVE
        )
    authority_return.refresh_from_db()
    assert authority_return.status == workflow.SUBMITTED


def test_another_areas_manager_cannot_save_or_submit(open_return, other_team_manager):
    with pytest.raises(services.Refused):
        save(other_team_manager, open_return, submit=True, numerator="1", denominator="2")
    assert ReturnValue.objects.get(monthly_return=open_return).numerator is None


def test_a_form_saved_over_a_newer_version_is_refused_naming_who_and_when(
    open_return, team_manager, area
):
    colleague = factories.user(
        "deputy", "Team managers", areas=[area], first_name="Dee", last_name="Puty"
    )
    seen_version = open_return.version
    save(colleague, open_return, numerator="5", denominator="10")
    with pytest.raises(services.StaleVersion, match="Dee Puty changed this return on"):
        services.save_return(
            user=team_manager,
            monthly_return=open_return,
            lines=lines(open_return, numerator="6", denominator="10"),
            expected_version=seen_version,
            submit=False,
        )
    assert ReturnValue.objects.get(monthly_return=open_return).numerator == 5


@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_get_exactly_one_transition(area, measure):
    from scorecard import roles

    manager = factories.user("tm", roles.TEAM_MANAGERS, areas=[area])
    officers = [factories.user(f"po{i}", roles.PERFORMANCE_OFFICERS) for i in range(2)]
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure)
    save(manager, monthly_return, submit=True, numerator="9", denominator="10")
    version = MonthlyReturn.objects.get(pk=monthly_return.pk).version

    barrier = threading.Barrier(2)
    outcomes = []

    def act(officer, action, reason):
        try:
            barrier.wait(timeout=10)
            services.transition_return(
                user=officer,
                monthly_return=monthly_return,
                action=action,
                reason=reason,
                expected_version=version,
            )
            outcomes.append(("done", action))
        except services.Refused as refusal:
            outcomes.append(("refused", str(refusal)))
        finally:
            connection.close()  # each thread had its own PostgreSQL connection

    threads = [
        threading.Thread(target=act, args=(officers[0], workflow.APPROVE, "")),
        threading.Thread(target=act, args=(officers[1], workflow.RETURN, "Wrong")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o[0] for o in outcomes) == ["done", "refused"]
    final = MonthlyReturn.objects.get(pk=monthly_return.pk)
    done_action = next(o[1] for o in outcomes if o[0] == "done")
    assert final.status == {"approve": workflow.APPROVED, "return": workflow.RETURNED}[done_action]
    assert final.version == version + 1


@pytest.mark.django_db(transaction=True)  # each change commits, as each request does
def test_the_audit_trail_records_every_figure_change_with_old_and_new(
    open_return, team_manager, officer
):
    save(team_manager, open_return, numerator="8", denominator="10")
    save(
        team_manager,
        open_return,
        submit=True,
        numerator="9",
        denominator="10",
        commentary="Two late visits",
    )
    services.transition_return(
        user=officer,
        monthly_return=open_return,
        action=workflow.RETURN,
        reason="Check the numerator",
    )
    save(
        team_manager,
        open_return,
        submit=True,
        numerator="7",
        denominator="10",
        commentary="Two late visits",
    )
    services.transition_return(user=officer, monthly_return=open_return, action=workflow.APPROVE)
    # a bulk update that bypasses the services is recorded too
    ReturnValue.objects.filter(monthly_return=open_return).update(denominator=12)

    entries = audit.timeline(open_return)
    changes = [(e.action, c.field, c.old, c.new) for e in entries for c in e.changes]
    numerator = [(old, new) for _, field, old, new in changes if field == "numerator"]
    assert [(str(o) if o is not None else None, str(n)) for o, n in numerator] == [
        (None, "8.00"),
        ("8.00", "9.00"),
        ("9.00", "7.00"),
    ]
    assert ("changed", "denominator", "10.00", "12.00") in [
        (a, f, str(o), str(n)) for a, f, o, n in changes
    ]
    statuses = [(e.action, c.old, c.new) for e in entries for c in e.changes if c.field == "status"]
    assert statuses == [
        ("created", None, "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    returned = next(e for e in entries if e.action == "return")
    assert returned.reason == "Check the numerator"
    assert returned.who == officer.get_full_name()
    assert all(e.when for e in entries)


def test_audit_records_cannot_be_changed_or_deleted(open_return, team_manager):
    from django.contrib import admin
    from django.db import DatabaseError, transaction

    save(team_manager, open_return, numerator="8", denominator="10")
    events = ReturnValue.pgh_event_model.objects.filter(monthly_return_id=open_return.pk)
    assert events.exists()
    for attempt in (lambda: events.update(numerator=1), lambda: events.delete()):
        with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
            attempt()
    assert not admin.site.is_registered(ReturnValue.pgh_event_model)
    assert not admin.site.is_registered(MonthlyReturn.pgh_event_model)
