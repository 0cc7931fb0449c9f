"""What the tickets app tells higher layers (SLA, dispatch, webhooks) without importing them.

Receivers run inside the sending service's transaction: a receiver that raises undoes the change.
"""

from django.dispatch import Signal

# tickets (a list of one organization's: one for a single intake, many for a bulk one), actor, config_token
# (that organization's configuration token, read under its row lock in this transaction: receivers may use
# their ConfigCache with it; see tenancy.config_token). A receiver may return audit events of its own,
# (ticket, kind, to_status, message, data) tuples: the sender records them with the tickets' "created"
# events in one insert (a new ticket's SLA clocks: three events, one statement).
tickets_opened = Signal()
# ticket, old_status, new_status, at, actor
ticket_status_changed = Signal()
# ticket, old_priority, actor
ticket_priority_changed = Signal()
# ticket, technician, actor
ticket_assigned = Signal()
# ticket, old_eta, actor
ticket_eta_changed = Signal()
