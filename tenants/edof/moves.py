"""The moves EDOF allows between its states, and the chains of moves they make.

`TRANSITIONS` is the one table (used by tenants/edof/dossier.py:transition);
`path` and `passed` read it for the import and the webhooks, which learn a
state possibly several moves ahead (tenants/edof/progress.py), and for the
declarations to the synchronisation service (tenants/edof/connector.py).
"""
from __future__ import annotations

from collections import deque

# The moves EDOF allows, from each state (Wedof's registration folder life cycle). The automatic
# cancellation of an unanswered request or an unaccepted proposal is EDOF's: canceledByFinancer.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "notProcessed": ("validated", "refusedByOrganism", "canceledByAttendee", "canceledByFinancer"),
    "validated": ("accepted", "refusedByAttendee", "canceledByAttendee", "canceledByOrganism", "canceledByFinancer"),
    "accepted": ("inTraining", "canceledByAttendee", "canceledByAttendeeNotRealized", "canceledByOrganism",
                 "canceledByFinancer", "refusedByFinancer"),
    "inTraining": ("terminated",),
    "terminated": ("serviceDoneDeclared",),
    "serviceDoneDeclared": ("serviceDoneValidated", "refusedByFinancer"),
}


def path(current: str, target: str) -> list[str] | None:
    """The states after `current` up to `target` by the fewest allowed moves; [] if equal, None if none."""
    if current == target:
        return []
    seen, queue = {current: None}, deque([current])
    while queue:
        state = queue.popleft()
        for following in TRANSITIONS.get(state, ()):
            if following in seen:
                continue
            seen[following] = state
            if following == target:
                steps = [following]
                while seen[steps[-1]] != current:
                    steps.append(seen[steps[-1]])
                return steps[::-1]
            queue.append(following)
    return None


def passed(current: str, target: str) -> bool:
    """True when the dossier already went through `target` on its way to `current`."""
    return path(target, current) is not None
