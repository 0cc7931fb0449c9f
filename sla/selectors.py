"""Reads of SLA policies and clocks."""

from __future__ import annotations

from django.db.models import Case, Q, QuerySet, Subquery, Value, When

from dispatch_platform.tenancy.models import Organization

from .models import Notification, SlaClock, SlaPolicy, SlaTarget


def sla_policy_list(*, organization: Organization) -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.for_organization(organization).prefetch_related("targets").select_related("customer")


def _policies_by_rank(*, organization: Organization, customer_id: int | None, region: str | None) -> QuerySet[SlaPolicy]:
    """Active policies that apply, most specific first: customer+region, customer, region, tenant default;
    the newest first among equals."""
    return (
        SlaPolicy.objects.for_organization(organization)
        .filter(active=True)
        .filter(Q(customer__isnull=True) | Q(customer_id=customer_id))
        .filter(Q(region__isnull=True) | Q(region="") | Q(region=region or ""))
        .annotate(rank=Case(When(customer__isnull=False, then=Value(0)), default=Value(2))
                  + Case(When(Q(region__isnull=False) & ~Q(region=""), then=Value(0)), default=Value(1)))
        .order_by("rank", "-created_at")
    )


def sla_targets_for(*, organization: Organization, customer_id: int | None,
                    region: str | None) -> dict[str, SlaTarget]:
    """The targets of the policy in force (the first of _policies_by_rank), by priority, each with its policy:
    one query. None of a policy without targets."""
    best = _policies_by_rank(organization=organization, customer_id=customer_id, region=region).values("pk")[:1]
    # Scoped through the policy: targets have no organization of their own.
    return {t.priority: t for t in SlaTarget.objects.select_related("policy").filter(policy_id=Subquery(best))}


def sla_clocks_for_ticket(*, organization: Organization, ticket_id: int) -> QuerySet[SlaClock]:
    return SlaClock.objects.for_organization(organization).filter(ticket_id=ticket_id).order_by("kind")


def notifications_for(*, organization: Organization, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.for_organization(organization).filter(user=user).select_related("ticket")
    return qs.filter(read_at__isnull=True) if unread_only else qs
