"""Writes of the ITSM adapters: apply one mapped record through the tickets services."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from dispatch_platform.common.exceptions import ApplicationError, NotFoundError
from dispatch_platform.tenancy.models import Organization

from .. import lifecycle, selectors
from ..choices import TicketStatus as S
from ..models import InboundDelivery, Ticket
from ..services import Actor, ticket_note_add, ticket_transition, ticket_upsert
from . import common

# Nobody is on the way yet: an ITSM that resolves or closes its record now has no use for the visit.
BEFORE_DISPATCH = frozenset({S.NEW, S.TRIAGED, S.SCHEDULED, S.ON_HOLD, S.NEEDS_REVISIT})
ITSM_DONE = frozenset({S.COMPLETED, S.CLOSED})
FINISHED = frozenset({S.CLOSED, S.CANCELLED})


def _apply_status_report(*, organization: Organization, actor: Actor, ticket: Ticket, source: str,
                         report: common.StatusReport) -> Ticket:
    """Moves the ticket where the ITSM's status says, if our lifecycle allows it from here.

    - completed / closed while nobody has been dispatched → cancelled (the ITSM no longer needs the visit);
    - already there, or finished on both sides (closed/cancelled here, done there) → nothing;
    - otherwise, a legal move goes through `ticket_transition` (audited, signals, SLA pause on hold);
    - an illegal one changes no status and adds a note (once per wording) so the dispatcher sees that the
      ITSM moved on: e.g. cancelled while the technician is on site. Not an error: the ITSM cannot act on
      our field state, and refusing would also drop the rest of the update it came with.
    """
    target, said = report.target, f"{report.vendor_field} '{report.vendor_value}'"
    if target in ITSM_DONE and ticket.status in BEFORE_DISPATCH:
        target, said = S.CANCELLED, f"{said} before dispatch"
    if target == ticket.status or (ticket.status in FINISHED and target in ITSM_DONE | {S.CANCELLED}):
        return ticket
    if not lifecycle.is_allowed(ticket.status, target):
        allowed = ", ".join(lifecycle.allowed_transitions(ticket.status)) or "none"
        reason = f"a ticket cannot go from {ticket.status} to {target} (allowed: {allowed})"
    elif target in lifecycle.NEEDS_TECHNICIAN and ticket.technician_id is None:
        reason = f"a ticket needs a technician to be {target}"
    else:
        return ticket_transition(organization=organization, actor=actor, ticket=ticket, status=target,
                                 note=f"From {source}: {said}.")
    text = f"From {source}: {said} not applied: {reason}."
    if not selectors.ticket_has_note(organization=organization, ticket=ticket, text=text):
        ticket_note_add(organization=organization, actor=actor, ticket=ticket, text=text)
    return ticket


def _renamed(exc: ApplicationError, names: dict[str, str]) -> ApplicationError:
    """The same error with our field names replaced by the vendor's (`site` → `location`)."""
    extra = {names.get(k, k): v for k, v in exc.extra.items()}
    return type(exc)(exc.message, extra)


def _upsert(*, organization: Organization, actor: Actor, intake: common.Intake,
            existing: Ticket | None) -> tuple[Ticket, bool]:
    data = dict(intake.data)
    if intake.site_refs:
        site = selectors.site_match(organization=organization, references=intake.site_refs,
                                    lookups=intake.site_lookups)
        if site is None:
            shown = "', '".join(intake.site_refs)
            raise common.error(intake.site_field, f"No site matches '{shown}'.")
        data["site"] = site
    elif existing is None:
        raise common.error(intake.site_field, "A new ticket needs a site; none was sent.")
    if existing is None:
        data = {**intake.defaults, **data}
    try:
        return ticket_upsert(organization=organization, actor=actor, source=intake.source,
                             external_id=intake.external_id, data=data)
    except ApplicationError as exc:
        raise _renamed(exc, intake.field_names)


@transaction.atomic
def itsm_intake(*, organization: Organization, actor: Actor, intake: common.Intake,
                delivery_id: str = "") -> tuple[Ticket, bool]:
    """Creates or updates the ticket of one ITSM record. Returns (ticket, created).

    1. A delivery id already seen (webhook re-delivery) changes nothing: the ticket as it is.
    2. The site reference must match a site; a new ticket needs one, an update may omit it.
    3. ticket_upsert (creation defaults from the mapping apply to new tickets only). A note-only intake (a
       Jira comment event) skips 2 and 3 and needs the ticket to exist (404 naming the vendor's key field).
    4. A work note is added once: the same text again is a repeat, not a new note; with a note key (a Jira
       comment id) the same text under the same key (so a comment that came by two events is one note).
    5. A status the ITSM reports is applied only where our lifecycle allows it from here: the ITSM
       closing an incident must not fail the whole update because field work is in another state. Every
       vendor's status follows `_apply_status_report` (closing before dispatch cancels; a refusal leaves
       a note).
    Any error undoes all of it.
    """
    delivery = None
    if delivery_id:
        try:
            with transaction.atomic():
                delivery = InboundDelivery.objects.create(organization=organization, source=intake.source,
                                                          delivery_id=delivery_id[:200])
        except IntegrityError:
            seen = (InboundDelivery.objects.for_organization(organization)
                    .get(source=intake.source, delivery_id=delivery_id[:200]))
            if seen.ticket_id is not None:
                return Ticket.objects.for_organization(organization).get(pk=seen.ticket_id), False

    existing = selectors.ticket_get_by_external_id(organization=organization, source=intake.source,
                                                   external_id=intake.external_id)
    if intake.note_only:
        if existing is None:
            vendor_field = intake.field_names.get("external_id", "external_id")
            raise NotFoundError("Unknown ticket", {vendor_field: [
                f"No ticket from {intake.source} '{intake.external_id}'; it is created by its issue's event."]})
        ticket, created = existing, False
    else:
        ticket, created = _upsert(organization=organization, actor=actor, intake=intake, existing=existing)

    if intake.note and not selectors.ticket_has_note(organization=organization, ticket=ticket, text=intake.note,
                                                     external_key=intake.note_key):
        ticket_note_add(organization=organization, actor=actor, ticket=ticket, text=intake.note,
                        external_key=intake.note_key)
    if intake.status_report is not None:
        ticket = _apply_status_report(organization=organization, actor=actor, ticket=ticket, source=intake.source,
                                      report=intake.status_report)
    if delivery is not None:
        delivery.ticket = ticket
        delivery.save(update_fields=["ticket", "updated_at"])
    return ticket, created
