"""Reads of tickets, always scoped to one organization."""

from __future__ import annotations

from django.db.models import F, Min, Q, QuerySet

from dispatch_platform.tenancy.models import Organization

from .choices import OPEN_STATUSES
from .filters import TicketFilterSet
from .models import Ticket, TicketEvent

# Clocks that still decide urgency: not met, not stopped, not paused (a paused due time moves on resume).
URGENT_CLOCK = Q(sla_clocks__state__in=("running", "at_risk", "breached"), sla_clocks__met_at__isnull=True)


def ticket_base(*, organization: Organization) -> QuerySet[Ticket]:
    return (
        Ticket.objects.for_organization(organization)
        .select_related("site", "site__customer", "site__organization", "technician")
        .prefetch_related("sla_clocks")
    )


def ticket_list(*, organization: Organization, filters: dict | None = None) -> QuerySet[Ticket]:
    qs = ticket_base(organization=organization).order_by("-opened_at", "-id")
    return TicketFilterSet(filters or {}, queryset=qs).qs


def ticket_get(*, organization: Organization, ticket_id: int) -> Ticket | None:
    return ticket_base(organization=organization).filter(pk=ticket_id).first()


def ticket_queue(*, organization: Organization, filters: dict | None = None) -> QuerySet[Ticket]:
    """Open tickets, most urgent first: the earliest live SLA due time (overdue ones lead), then priority."""
    qs = (
        ticket_base(organization=organization)
        .filter(status__in=OPEN_STATUSES)
        .annotate(
            next_due=Min("sla_clocks__due_at", filter=URGENT_CLOCK),
        )
        .order_by(F("next_due").asc(nulls_last=True), "priority", "opened_at")
    )
    return TicketFilterSet(filters or {}, queryset=qs).qs


def technician_jobs(*, organization: Organization, technician_id: int) -> QuerySet[Ticket]:
    """A technician's current jobs in route order (scheduled start, then SLA due)."""
    return (
        ticket_base(organization=organization)
        .filter(technician_id=technician_id, status__in=OPEN_STATUSES)
        .annotate(next_due=Min("sla_clocks__due_at", filter=URGENT_CLOCK))
        .order_by(F("scheduled_start").asc(nulls_last=True), F("next_due").asc(nulls_last=True), "opened_at")
    )


def ticket_events(*, organization: Organization, ticket: Ticket) -> QuerySet[TicketEvent]:
    return TicketEvent.objects.for_organization(organization).filter(ticket=ticket).order_by("created_at", "id")


