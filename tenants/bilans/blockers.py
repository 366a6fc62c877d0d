"""Why an action is not allowed yet: the answer every `*_blockers` function gives ("allowed? / why not"),
and the refusal its POST raises from the same list (docs/RULES.md, "No dead ends (issue 13)").

Shared by the rules of the bilan (tenants/bilans/lifecycle.py) and of the features inside it
(tenants/synthesis/editing.py, tenants/agreements, tenants/questionnaires), so it imports nothing of them.
"""
from __future__ import annotations

from dataclasses import dataclass

from saas.errors import RuleViolation


@dataclass(frozen=True)
class Blocker:
    """Why an action is not allowed yet, in French, and the place of the bilan page that unblocks it.

    `place` is a tab of the bilan page ("overview", "sessions", "synthesis", …) or "centre" (the centre's
    settings); `waiver` names the explicit choice that lifts it (closing without the missing signatures).
    The view shows the same `reason` beside the disabled action that the refusal of the POST gives.
    """
    reason: str
    place: str | None = None
    waiver: str | None = None


class Blocked(RuleViolation):
    """A refusal by one of the `*_blockers` functions: the reason, and where the page unblocks it."""

    def __init__(self, blocker: Blocker):
        super().__init__(blocker.reason)
        self.place = blocker.place


def refuse(blockers: list[Blocker]) -> None:
    """Raise the first blocker's reason: the POST path of every `*_blockers` function."""
    if blockers:
        raise Blocked(blockers[0])


def reason_of(check, *args, **kwargs) -> str | None:
    """The French refusal of a rule that raises (tenants/bilans/cpf.py, consent.py), or None when it allows."""
    try:
        check(*args, **kwargs)
    except RuleViolation as refusal:
        return refusal.message
    return None
