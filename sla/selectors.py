"""Reads of SLA policies and clocks."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dispatch_platform.tenancy.models import Organization

from .models import Notification, SlaClock, SlaPolicy


def sla_policy_list(*, organization: Organization) -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.for_organization(organization).prefetch_related("targets").select_related("customer")


def sla_policy_for(*, organization: Organization, customer_id: int | None, region: str | None) -> SlaPolicy | None:
    """The most specific active policy: customer+region, customer, region, tenant default."""
    candidates = (
        SlaPolicy.objects.for_organization(organization)
        .filter(active=True)
        .filter(Q(customer__isnull=True) | Q(customer_id=customer_id))
        .filter(Q(region__isnull=True) | Q(region="") | Q(region=region or ""))
        .order_by("-created_at")
    )

    def rank(policy: SlaPolicy) -> int:
        return (0 if policy.customer_id else 2) + (0 if policy.region else 1)

    return min(candidates, key=rank, default=None)


def sla_clocks_for_ticket(*, organization: Organization, ticket_id: int) -> QuerySet[SlaClock]:
    return SlaClock.objects.for_organization(organization).filter(ticket_id=ticket_id).order_by("kind")


def notifications_for(*, organization: Organization, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.for_organization(organization).filter(user=user).select_related("ticket")
    return qs.filter(read_at__isnull=True) if unread_only else qs
