"""Ticket and SLA changes become webhook events (written in the same transaction as the change)."""

from django.dispatch import receiver

from sla import signals as sla_signals
from sla.models import SlaClock
from tickets import signals
from tickets.choices import TicketStatus

from .payloads import completion_data
from .services import webhook_events_emit


@receiver(signals.tickets_opened, dispatch_uid="outbound.tickets_opened")
def on_opened(sender, tickets, actor, config_token=None, **kwargs):
    # All of one organization (tickets_opened), whose config token the sender read.
    if tickets:
        webhook_events_emit(organization_id=tickets[0].organization_id, config_token=config_token,
                            events=[(t, "ticket.created", {}) for t in tickets])


@receiver(signals.ticket_status_changed, dispatch_uid="outbound.status")
def on_status(sender, ticket, old_status, new_status, at, actor, **kwargs):
    events = [(ticket, "ticket.status_changed", {"from": old_status, "to": new_status, "at": at.isoformat()})]
    if new_status == TicketStatus.COMPLETED:
        events.append((ticket, "ticket.completed", completion_data(ticket)))
    webhook_events_emit(organization_id=ticket.organization_id, events=events)


@receiver(signals.ticket_assigned, dispatch_uid="outbound.assigned")
def on_assigned(sender, ticket, technician, actor, **kwargs):
    webhook_events_emit(organization_id=ticket.organization_id, events=[
        (ticket, "ticket.assigned", {"technician": {"id": technician.pk, "name": technician.name}})])


@receiver(signals.ticket_eta_changed, dispatch_uid="outbound.eta")
def on_eta(sender, ticket, old_eta, actor, **kwargs):
    webhook_events_emit(organization_id=ticket.organization_id, events=[
        (ticket, "ticket.eta_changed", {"previous": old_eta.isoformat() if old_eta else None})])


@receiver(sla_signals.sla_clock_changed, dispatch_uid="outbound.sla")
def on_sla(sender, clock_ids, event, **kwargs):
    if event not in ("at_risk", "breached"):
        return
    clocks = SlaClock.objects.filter(pk__in=clock_ids).select_related("ticket", "ticket__technician").prefetch_related(
        "ticket__sla_clocks")
    by_org: dict[int, list] = {}
    for c in clocks:
        by_org.setdefault(c.organization_id, []).append(
            (c.ticket, f"sla.{event}", {"clock": c.kind, "due_at": c.due_at.isoformat(), "priority": c.priority}))
    for organization_id, events in by_org.items():
        webhook_events_emit(organization_id=organization_id, events=events)
