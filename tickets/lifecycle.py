"""The ticket state machine (DESIGN §6): the one place that says which transitions are legal."""

from __future__ import annotations

from .choices import TicketStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.TRIAGED, S.SCHEDULED, S.DISPATCHED, S.ON_HOLD, S.CANCELLED}),
    S.TRIAGED: frozenset({S.SCHEDULED, S.DISPATCHED, S.ON_HOLD, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.TRIAGED, S.DISPATCHED, S.ON_HOLD, S.CANCELLED}),
    S.DISPATCHED: frozenset({S.TRIAGED, S.SCHEDULED, S.EN_ROUTE, S.ON_HOLD, S.CANCELLED}),
    S.EN_ROUTE: frozenset({S.DISPATCHED, S.ON_SITE, S.ON_HOLD, S.CANCELLED}),
    S.ON_SITE: frozenset({S.COMPLETED, S.NEEDS_REVISIT, S.ON_HOLD}),
    S.ON_HOLD: frozenset({S.TRIAGED, S.SCHEDULED, S.DISPATCHED, S.CANCELLED}),
    S.NEEDS_REVISIT: frozenset({S.SCHEDULED, S.DISPATCHED, S.ON_HOLD, S.CANCELLED}),
    # A completed ticket may be re-opened when the fix did not hold; closing is the ITSM's sign-off.
    S.COMPLETED: frozenset({S.CLOSED, S.NEEDS_REVISIT}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Statuses that need a technician on the ticket.
NEEDS_TECHNICIAN = frozenset({S.DISPATCHED, S.EN_ROUTE, S.ON_SITE, S.COMPLETED})
# Statuses from which assigning a technician moves the ticket to "dispatched".
ASSIGNABLE = frozenset({S.NEW, S.TRIAGED, S.SCHEDULED, S.DISPATCHED, S.NEEDS_REVISIT})
# What a technician may tap on their phone, from each status.
TECHNICIAN_TAPS: dict[str, tuple[str, ...]] = {
    S.DISPATCHED: (S.EN_ROUTE,),
    S.EN_ROUTE: (S.ON_SITE,),
    S.ON_SITE: (S.COMPLETED, S.NEEDS_REVISIT, S.ON_HOLD),
}


def allowed_transitions(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, frozenset()))


def is_allowed(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())
