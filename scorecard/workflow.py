"""The life of a monthly return: its states, its transitions, and who may make each.

    draft ──submit──► submitted ──approve──► approved (locked)
      ▲                  │                      │
      └──save── returned ◄──return (reason)─────┘◄── reopen (reason)

Plain rules on plain values; `services` applies them under a row lock.
"""

from dataclasses import dataclass

from .text import is_blank

DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
EDITABLE = {DRAFT, RETURNED}  # with its area: figures may be entered
SENT = {SUBMITTED, APPROVED}  # with the officers, or approved

SUBMIT, APPROVE, RETURN, REOPEN = "submit", "approve", "return", "reopen"
PAST = {SUBMIT: "submitted", APPROVE: "approved", RETURN: "returned", REOPEN: "reopened"}


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset
    target: str
    needs_reason: bool
    # "entrant": whoever may enter the return's figures; "approver": a performance
    # officer who did not submit it (four eyes).
    actor: str


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(SUBMIT, "Submit", frozenset(EDITABLE), SUBMITTED, False, "entrant"),
        Transition(APPROVE, "Approve", frozenset({SUBMITTED}), APPROVED, False, "approver"),
        Transition(RETURN, "Return", frozenset({SUBMITTED}), RETURNED, True, "approver"),
        Transition(REOPEN, "Reopen", frozenset({APPROVED}), RETURNED, True, "approver"),
    ]
}


class TransitionRefused(Exception):
    """A transition that this user may not make now; the message says why."""


def can_enter(*, is_entrant: bool, status: str) -> bool:
    """May save figures: an entrant (their own area, or an officer on the
    authority's return) while the return is draft or returned."""
    return is_entrant and status in EDITABLE


def shaped_refusal(shaped: int) -> str:
    """Why someone who entered or changed figures of a return may not approve it."""
    figures = "1 figure" if shaped == 1 else f"{shaped} figures"
    return f"You changed {figures} in this return, so someone else must approve it (four eyes)."


def check(
    name: str,
    *,
    status: str,
    is_entrant: bool,
    is_approver: bool,
    is_submitter: bool,
    shaped: int = 0,
    reason: str = "",
) -> Transition:
    """`shaped`: how many figures or commentaries of this round of the return the
    user entered or changed (the approval's four eyes cover them too)."""
    """The transition if this user may make it from this state; else TransitionRefused."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionRefused(f"Unknown action: {name}.")
    if status not in transition.sources:
        article = "An" if status[0] in "aeiou" else "A"
        raise TransitionRefused(f"{article} {status} return cannot be {PAST[name]}.")
    if transition.actor == "entrant" and not is_entrant:
        raise TransitionRefused("Only the team responsible for this return can submit it.")
    if transition.actor == "approver":
        if not is_approver:
            raise TransitionRefused("Only a performance officer can do that.")
        if is_submitter:
            raise TransitionRefused(
                "You submitted this return, so someone else must review it (four eyes)."
            )
        if name == APPROVE and shaped:
            raise TransitionRefused(shaped_refusal(shaped))
    if transition.needs_reason and is_blank(reason):
        raise TransitionRefused("Give a reason.")
    return transition


def allowed(
    *, status: str, is_entrant: bool, is_approver: bool, is_submitter: bool, shaped: int = 0
) -> list[Transition]:
    """The transitions the user could make now (a reason aside): for the buttons."""
    result = []
    for name in TRANSITIONS:
        try:
            result.append(
                check(
                    name,
                    status=status,
                    is_entrant=is_entrant,
                    is_approver=is_approver,
                    is_submitter=is_submitter,
                    shaped=shaped,
                    reason="x",
                )
            )
        except TransitionRefused:
            continue
    return result
