"""Keeps SLA clocks in step with tickets: the tickets app signals, these receivers call sla.services."""

from django.dispatch import receiver

from tickets import signals

from . import services
from . import signals as signals_sla


@receiver(signals.tickets_opened, dispatch_uid="sla.tickets_opened")
def start_clocks(sender, tickets, actor, config_token=None, **kwargs):
    # The clocks' audit events go back to the sender, which records them with the tickets' own.
    return services.started_events(services.sla_clocks_start_many(tickets=tickets, actor=actor, record=False,
                                                                  config_token=config_token))


@receiver(signals.ticket_status_changed, dispatch_uid="sla.ticket_status_changed")
def follow_status(sender, ticket, old_status, new_status, at, actor, **kwargs):
    services.sla_on_status_change(ticket=ticket, old_status=old_status, new_status=new_status, at=at, actor=actor)


@receiver(signals.ticket_priority_changed, dispatch_uid="sla.ticket_priority_changed")
def retime(sender, ticket, old_priority, actor, **kwargs):
    services.sla_clocks_retime(ticket=ticket, actor=actor)


@receiver(signals_sla.sla_clock_changed, dispatch_uid="sla.escalate")
def escalate(sender, clock_ids, event, **kwargs):
    if event in ("at_risk", "breached"):
        from .tasks import sla_escalate

        sla_escalate.delay(list(clock_ids), event)
