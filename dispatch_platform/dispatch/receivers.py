"""Re-plan triggers: events of the tickets app that change the day enough to plan again."""

from django.dispatch import receiver

from tickets import signals
from tickets.choices import TicketStatus

from . import services


@receiver(signals.tickets_opened, dispatch_uid="dispatch.replan_on_p1")
def replan_on_new_p1(sender, tickets, actor, **kwargs):
    regions = {(t.organization, t.site.region) for t in tickets if t.priority == "P1"}
    for organization, region in sorted(regions, key=lambda r: (r[0].pk, r[1])):
        services.replan_request(organization=organization, region=region, trigger="new_p1")


@receiver(signals.ticket_status_changed, dispatch_uid="dispatch.replan_on_cancel")
def replan_on_cancellation(sender, ticket, old_status, new_status, at, actor, **kwargs):
    # Only a cancellation that frees a technician's time changes anyone's day.
    if new_status == TicketStatus.CANCELLED and ticket.technician_id:
        services.replan_request(organization=ticket.organization, region=ticket.site.region, trigger="cancellation")


@receiver(signals.ticket_assigned, dispatch_uid="dispatch.eta_on_assign")
def eta_on_assign(sender, ticket, technician, actor, **kwargs):
    services.ticket_eta_estimate(ticket=ticket, actor=actor)


@receiver(signals.ticket_status_changed, dispatch_uid="dispatch.eta_on_status")
def eta_on_status(sender, ticket, old_status, new_status, at, actor, **kwargs):
    # Setting off: the drive from where the technician is now replaces the planned estimate.
    if new_status == TicketStatus.EN_ROUTE:
        services.ticket_eta_estimate(ticket=ticket, actor=actor)
