"""Reads of tickets, always scoped to one organization."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Min, Q, QuerySet
from django.db.models.functions import Lower

from dispatch_platform.sites.models import Site
from dispatch_platform.tenancy.models import Organization

from .choices import OPEN_STATUSES
from .filters import TicketFilterSet
from .models import Attachment, Ticket, TicketEvent

# Clocks that still decide urgency: not met, not stopped, not paused (a paused due time moves on resume).
URGENT_CLOCK = Q(sla_clocks__state__in=("running", "at_risk", "breached"), sla_clocks__met_at__isnull=True)


def ticket_base(*, organization: Organization) -> QuerySet[Ticket]:
    return (
        Ticket.objects.for_organization(organization)
        .select_related("site", "site__customer", "site__organization", "technician")
        # The clocks' policy: the answer names the policy the clocks run under (one query per page).
        .prefetch_related("sla_clocks", "sla_clocks__policy")
    )


def ticket_list(*, organization: Organization) -> QuerySet[Ticket]:
    """Newest first. The API's filter backend applies TicketFilterSet to it from the query string."""
    return ticket_base(organization=organization).order_by("-opened_at", "-id")


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




def ticket_get_by_external_id(*, organization: Organization, source: str, external_id: str) -> Ticket | None:
    return Ticket.objects.for_organization(organization).filter(source=source, external_id=external_id).first()


def ticket_notes(*, organization: Organization, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket_events(organization=organization, ticket=ticket).filter(kind=TicketEvent.Kind.NOTE)


def ticket_attachments(*, organization: Organization, ticket: Ticket) -> QuerySet[Attachment]:
    """The ticket's files, oldest first."""
    return Attachment.objects.for_organization(organization).filter(ticket=ticket).order_by("created_at", "id")


def ticket_has_note(*, organization: Organization, ticket: Ticket, text: str, external_key: str = "") -> bool:
    """Whether the ticket has this note already (with `external_key`: this text under that ITSM id)."""
    notes = ticket_notes(organization=organization, ticket=ticket).filter(message=text.strip())
    if external_key:
        notes = notes.filter(data__external_key=external_key)
    return notes.exists()


SITE_LOOKUPS = ("external_id", "name", "postal_code")


def site_match(*, organization: Organization, references: list[str], lookups: tuple[str, ...]) -> Site | None:
    """The site the first reference names, trying `lookups` in order for each (names case-insensitively).

    One query whatever the number of references: candidates are fetched together and ranked here.
    """
    refs = [r.strip() for r in references if r and r.strip()]
    if not refs:
        return None
    lowered = [r.lower() for r in refs]
    condition = Q(pk__in=[])
    for lookup in lookups:
        if lookup == "name":
            condition |= Q(lname__in=lowered)
        else:
            condition |= Q(**{f"{lookup}__in": refs})
    candidates = list(Site.objects.for_organization(organization).annotate(lname=Lower("name")).filter(condition))
    for ref in refs:
        for lookup in lookups:
            for site in candidates:
                value = site.lname if lookup == "name" else getattr(site, lookup)
                if value and value == (ref.lower() if lookup == "name" else ref):
                    return site
    return None


@dataclass(frozen=True)
class SlaPolicyRef:
    """An SLA policy an intake may name (`sla_policy`): enough to check it without the SLA app."""

    pk: int
    name: str
    active: bool
    priorities: frozenset[str]


class SlaPolicyChoices:
    """The tenant's SLA policies that a set of references (ids or exact names) names, read in one query."""

    def __init__(self, refs: Iterable[SlaPolicyRef]):
        self.by_id = {ref.pk: ref for ref in refs}
        self.by_name: dict[str, list[SlaPolicyRef]] = {}
        for ref in self.by_id.values():
            self.by_name.setdefault(ref.name, []).append(ref)

    def resolve(self, reference: int | str) -> tuple[SlaPolicyRef | None, str]:
        """(the policy, "") or (None, why not)."""
        if isinstance(reference, int) or reference.strip().isdigit():
            ref = self.by_id.get(int(reference))
            return (ref, "") if ref else (None, f"No SLA policy with id {reference} in this organization.")
        named = self.by_name.get(reference, [])
        if len(named) > 1:
            return None, f"More than one SLA policy is named '{reference}': give its id."
        if not named:
            return None, f"No SLA policy named '{reference}' in this organization."
        return named[0], ""


def sla_policy_choices(*, organization: Organization, references: Iterable) -> SlaPolicyChoices:
    """The policies `references` (ids, names) name, with the priorities each has a target for."""
    ids, names = set(), set()
    for reference in references:
        if isinstance(reference, int) and not isinstance(reference, bool):
            ids.add(reference)
        elif isinstance(reference, str) and reference.strip().isdigit():
            ids.add(int(reference))
        elif isinstance(reference, str) and reference.strip():
            names.add(reference)
    if not ids and not names:
        return SlaPolicyChoices([])
    # The SLA app is a higher layer: its model is reached through our foreign key, as a ModelSerializer would.
    policy_model = Ticket._meta.get_field("sla_policy").related_model
    rows: dict[int, tuple[str, bool, set[str]]] = {}
    for pk, name, active, priority in (
            policy_model.objects.for_organization(organization).filter(Q(pk__in=ids) | Q(name__in=names))
            .values_list("pk", "name", "active", "targets__priority")):
        rows.setdefault(pk, (name, active, set()))[2].update({priority} - {None})
    return SlaPolicyChoices(SlaPolicyRef(pk=pk, name=name, active=active, priorities=frozenset(priorities))
                            for pk, (name, active, priorities) in rows.items())
