"""Every transition for every role: allowed or refused."""

import pytest

from scorecard import workflow as w

ROLES = {
    # name: (is_entrant, is_approver, is_submitter)
    "team manager of the area": (True, False, False),
    "team manager who submitted": (True, False, True),
    "team manager of another area": (False, False, False),
    "performance officer": (False, True, False),
    "officer who submitted (authority return)": (True, True, True),
    "director": (False, False, False),
}

ALLOWED = {
    # (action, from status): roles that may
    (w.SUBMIT, w.DRAFT): {
        "team manager of the area",
        "team manager who submitted",
        "officer who submitted (authority return)",
    },
    (w.SUBMIT, w.RETURNED): {
        "team manager of the area",
        "team manager who submitted",
        "officer who submitted (authority return)",
    },
    (w.APPROVE, w.SUBMITTED): {"performance officer"},
    (w.RETURN, w.SUBMITTED): {"performance officer"},
    (w.REOPEN, w.APPROVED): {"performance officer"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(w.TRANSITIONS))
@pytest.mark.parametrize("status", [w.DRAFT, w.SUBMITTED, w.RETURNED, w.APPROVED])
def test_every_transition_for_every_role(role, action, status):
    is_entrant, is_approver, is_submitter = ROLES[role]
    may = role in ALLOWED.get((action, status), set())
    arguments = dict(
        status=status,
        is_entrant=is_entrant,
        is_approver=is_approver,
        is_submitter=is_submitter,
        reason="Figures do not match the system",
    )
    if may:
        assert w.check(action, **arguments).target
    else:
        with pytest.raises(w.TransitionRefused):
            w.check(action, **arguments)


def test_the_approver_is_never_the_submitter():
    with pytest.raises(w.TransitionRefused, match="four eyes"):
        w.check(w.APPROVE, status=w.SUBMITTED, is_entrant=True, is_approver=True, is_submitter=True)


@pytest.mark.parametrize("action", [w.RETURN, w.REOPEN])
def test_returning_and_reopening_need_a_reason(action):
    status = w.SUBMITTED if action == w.RETURN else w.APPROVED
    with pytest.raises(w.TransitionRefused, match="reason"):
        w.check(
            action,
            status=status,
            is_entrant=False,
            is_approver=True,
            is_submitter=False,
            reason="  ",
        )


def test_approved_returns_are_locked():
    assert not w.can_enter(is_entrant=True, status=w.APPROVED)
    assert not w.can_enter(is_entrant=True, status=w.SUBMITTED)
    assert w.can_enter(is_entrant=True, status=w.RETURNED)


INVISIBLE = [
    "",
    "   ",
    "\t\n",
    "\u200b",
    "\u200c\u200d",
    "\u2060",
    "\ufeff",
    "\u00a0\u3000",
    " \u200b \ufeff\x00",
]


@pytest.mark.parametrize("reason", INVISIBLE)
@pytest.mark.parametrize("action", [w.RETURN, w.REOPEN])
def test_a_reason_of_invisible_characters_is_no_reason(action, reason):
    status = w.SUBMITTED if action == w.RETURN else w.APPROVED
    with pytest.raises(w.TransitionRefused, match="Give a reason"):
        w.check(
            action,
            status=status,
            is_entrant=False,
            is_approver=True,
            is_submitter=False,
            reason=reason,
        )


@pytest.mark.parametrize(
    "action, status, message",
    [
        (w.REOPEN, w.SUBMITTED, "A submitted return cannot be reopened."),
        (w.APPROVE, w.APPROVED, "An approved return cannot be approved."),
        (w.SUBMIT, w.SUBMITTED, "A submitted return cannot be submitted."),
        (w.RETURN, w.APPROVED, "An approved return cannot be returned."),
    ],
)
def test_a_refused_transition_reads_as_english(action, status, message):
    with pytest.raises(w.TransitionRefused) as refused:
        w.check(
            action,
            status=status,
            is_entrant=True,
            is_approver=True,
            is_submitter=False,
            reason="A reason",
        )
    assert str(refused.value) == message


def refusal(action, **arguments):
    with pytest.raises(w.TransitionRefused) as refused:
        w.check(action, **arguments)
    return str(refused.value)


def test_each_refusal_says_why():
    officer = dict(is_entrant=False, is_approver=True, is_submitter=False)
    assert refusal("publish", status=w.SUBMITTED, **officer) == "Unknown action: publish."
    assert refusal(w.SUBMIT, status=w.DRAFT, **officer) == (
        "Only the team responsible for this return can submit it."
    )
    assert (
        refusal(
            w.APPROVE, status=w.SUBMITTED, is_entrant=True, is_approver=False, is_submitter=False
        )
        == "Only a performance officer can do that."
    )
    assert refusal(
        w.RETURN,
        status=w.SUBMITTED,
        is_entrant=True,
        is_approver=True,
        is_submitter=True,
        reason="Wrong month",
    ) == ("You submitted this return, so someone else must review it (four eyes).")
    assert refusal(w.RETURN, status=w.SUBMITTED, **officer) == "Give a reason."  # none given


def test_whoever_changed_figures_may_return_the_return_but_not_approve_it():
    officer = dict(status=w.SUBMITTED, is_entrant=False, is_approver=True, is_submitter=False)
    assert refusal(w.APPROVE, shaped=1, **officer) == (
        "You changed 1 figure in this return, so someone else must approve it (four eyes)."
    )
    assert refusal(w.APPROVE, shaped=3, **officer) == (
        "You changed 3 figures in this return, so someone else must approve it (four eyes)."
    )
    assert w.check(w.RETURN, shaped=3, reason="Figures do not match", **officer).target == (
        w.RETURNED
    )
    assert w.check(w.APPROVE, **officer).target == w.APPROVED


def buttons(**arguments):
    return [transition.name for transition in w.allowed(**arguments)]


def test_the_buttons_are_the_transitions_the_user_may_make_now():
    officer = dict(is_entrant=False, is_approver=True, is_submitter=False)
    assert buttons(status=w.SUBMITTED, **officer) == [w.APPROVE, w.RETURN]
    assert buttons(status=w.SUBMITTED, shaped=2, **officer) == [w.RETURN]
    assert buttons(status=w.APPROVED, **officer) == [w.REOPEN]
    assert buttons(status=w.DRAFT, **officer) == []
    assert buttons(status=w.RETURNED, is_entrant=True, is_approver=False, is_submitter=True) == [
        w.SUBMIT
    ]
    assert (
        buttons(status=w.SUBMITTED, is_entrant=True, is_approver=True, is_submitter=True) == []
    )  # their own submission: four eyes
