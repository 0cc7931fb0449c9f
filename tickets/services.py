"""Writes of the tickets app: one function per business action, each atomic and audited."""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from dispatch_platform.common.bulk import objects_insert, rows_insert
from dispatch_platform.common.exceptions import ApplicationError, ConflictError
from dispatch_platform.sites.models import Site
from dispatch_platform.tenancy.models import ApiClient, Organization
from inventory.models import Part
from inventory.selectors import parts_by_sku
from inventory.services import van_stock_consume
from technicians.models import Technician
from technicians.selectors import Requirements, qualification_gaps

from . import lifecycle, signals
from .choices import ResolutionCode, TicketStatus
from .models import Ticket, TicketEvent

# Fields an intake (API, ITSM adapter) may set; everything else is the platform's.
INTAKE_FIELDS = (
    "title",
    "description",
    "priority",
    "site",
    "job_type",
    "required_skills",
    "required_certifications",
    "asset",
    "contact",
    "diagnostics",
    "parts",
    "opened_at",
    "access_start",
    "access_end",
    "sla_policy_id",
)
# Intake fields that null clears (elsewhere null is "not given").
CLEARABLE_FIELDS = frozenset({"access_start", "access_end", "sla_policy_id"})


@dataclass(frozen=True)
class Actor:
    """Who did it, for the audit trail: a person, an API client, or the system itself."""

    user: Any = None
    client: ApiClient | None = None
    label: str = "system"

    @property
    def user_id(self) -> int | None:
        """The person's id for the audit trail; None for a client, the system, or a user not saved."""
        return getattr(self.user, "pk", None)

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls(user=user, label=user.get_full_name() or user.username)

    @classmethod
    def for_client(cls, client: ApiClient) -> Actor:
        return cls(client=client, label=f"api:{client.name}")


SYSTEM = Actor()


def ticket_event_record(
    *, ticket: Ticket, kind: str, actor: Actor, from_status: str = "", to_status: str = "", message: str = "",
    data: dict | None = None, at: dt.datetime | None = None,
) -> TicketEvent:
    event = TicketEvent(
        organization_id=ticket.organization_id,
        ticket=ticket,
        kind=kind,
        actor_user_id=actor.user_id,
        actor_client=actor.client,
        actor_label=actor.label,
        from_status=from_status,
        to_status=to_status,
        message=message,
        data=data or {},
    )
    event.save()
    if at is not None:
        # created_at is auto_now_add; a backdated event (history import) sets it explicitly.
        TicketEvent.objects.filter(pk=event.pk).update(created_at=at)
    return event


_EVENT_COLUMNS = ("organization_id", "ticket_id", "kind", "actor_user_id",
                  "actor_client_id", "actor_label", "from_status", "to_status", "message", "data")


def ticket_events_record_many(*, actor: Actor, events: list[tuple[Ticket, str, str, str, dict]]) -> None:
    """Many audit events at once (a bulk intake's): each (ticket, kind, to_status, message, data), all now."""
    client_id = actor.client.pk if actor.client is not None else None
    rows_insert(TicketEvent, _EVENT_COLUMNS, [
        (ticket.organization_id, ticket.pk, kind, actor.user_id, client_id, actor.label, "", to_status, message,
         data)
        for ticket, kind, to_status, message, data in events
    ])


def _reserve_ticket_numbers(organization: Organization, count: int = 1) -> tuple[list[str], str]:
    """The next `count` ticket numbers, and the organization's configuration token under the same lock.

    The organization row is the counter: one UPDATE … RETURNING both takes the row lock (serialising
    number allocation per tenant until commit) and reads the new value, in a single round trip. A change of
    the tenant's configuration takes that lock too (tenancy.config_token): until this transaction ends,
    the token names the SLA policies and webhook subscriptions it sees."""
    table = Organization._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET ticket_sequence = ticket_sequence + %s WHERE id = %s "  # noqa: S608
                       "RETURNING ticket_sequence, config_token", [count, organization.pk])
        last, config_token = cursor.fetchone()
    return [f"WO-{n:06d}" for n in range(last - count + 1, last + 1)], config_token


def _new_ticket(organization: Organization, source: str, external_id: str, number: str, data: dict,
                now: dt.datetime | None = None) -> Ticket:
    ticket = Ticket(organization=organization, source=source, external_id=external_id, number=number,
                    **{f: data[f] for f in INTAKE_FIELDS if f in data and data[f] is not None})
    if ticket.opened_at is None:
        ticket.opened_at = now or timezone.now()
    return ticket


def _missing_required(data: dict) -> dict[str, list[str]]:
    return {f: ["This field is required."] for f in ("title", "priority", "site") if not data.get(f)}


def _announce_opened(tickets: list[Ticket], actor: Actor, config_token: str) -> None:
    """One signal for all new tickets (SLA clocks, re-plans, webhooks), then the audit trail in one insert:
    each ticket's "created" event, followed by the events the receivers returned."""
    returned = signals.tickets_opened.send(sender=Ticket, tickets=tickets, actor=actor, config_token=config_token)
    events = [(t, TicketEvent.Kind.CREATED, t.status, "",
               {"source": t.source, "external_id": t.external_id, "priority": t.priority}) for t in tickets]
    for _, their_events in returned:
        events.extend(their_events or ())
    ticket_events_record_many(actor=actor, events=events)


def _json_safe(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Site):
        return value.pk
    return value


def ticket_upsert(*, organization: Organization, actor: Actor, source: str, external_id: str,
                  data: dict[str, Any]) -> tuple[Ticket, bool]:
    """Creates the ticket for (source, external_id), or updates it if it exists. Returns (ticket, created).

    `data` holds validated INTAKE_FIELDS; `site` is a Site of this organization.
    """
    try:
        return _ticket_upsert_once(organization=organization, actor=actor, source=source,
                                   external_id=external_id, data=data)
    except IntegrityError:
        # A concurrent request created the same (source, external_id) between our look and our insert (the
        # insert waited for its commit). Everything of ours is rolled back; the second look finds its ticket
        # and updates it. Retrying costs nothing in the common case, where a savepoint around every insert
        # would cost two round trips.
        return _ticket_upsert_once(organization=organization, actor=actor, source=source,
                                   external_id=external_id, data=data)


@transaction.atomic
def _ticket_upsert_once(*, organization: Organization, actor: Actor, source: str, external_id: str,
                        data: dict[str, Any]) -> tuple[Ticket, bool]:
    site = data.get("site")
    if site is not None and site.organization_id != organization.pk:
        raise ApplicationError("Unknown site", {"site": ["No such site in this organization."]})
    existing = (
        Ticket.objects.for_organization(organization)
        .select_for_update()
        .filter(source=source, external_id=external_id)
        .first()
    )
    if existing is None:
        return _ticket_create(organization=organization, actor=actor, source=source,
                              external_id=external_id, data=data), True
    return ticket_update(organization=organization, actor=actor, ticket=existing, data=data), False


def _ticket_clean(ticket: Ticket) -> None:
    """The fields' own checks, without a query: the relations come resolved within the organization (the
    API's scoped fields, ticket_upsert's and ticket_update's site checks), and uniqueness and the access
    window's constraint are the database's to decide — a concurrent twin raises IntegrityError, which
    ticket_upsert turns into an update (checking first would race, and answer 400)."""
    ticket.full_clean(exclude=["organization", "site", "technician", "sla_policy"], validate_constraints=False)


def _ticket_create(*, organization: Organization, actor: Actor, source: str, external_id: str,
                   data: dict[str, Any]) -> Ticket:
    if missing := _missing_required(data):
        raise ApplicationError("Missing fields", missing)
    numbers, config_token = _reserve_ticket_numbers(organization)
    ticket = _new_ticket(organization, source, external_id, numbers[0], data)
    _ticket_clean(ticket)
    ticket.save()
    _announce_opened([ticket], actor, config_token)
    return ticket


@transaction.atomic
def tickets_create_many(*, organization: Organization, actor: Actor,
                        items: list[tuple[str, str, dict[str, Any]]]) -> list[Ticket]:
    """Creates many new tickets in a few statements (bulk intake): items are (source, external_id, data)
    already validated, with title, priority and a site of this organization.

    All or nothing: if any (source, external_id) exists already (or is taken concurrently), the database
    raises IntegrityError and nothing is written; the caller then takes the items one by one.
    """
    for _, _, data in items:
        if _missing_required(data) or data["site"].organization_id != organization.pk:
            raise ValueError("tickets_create_many needs complete items of this organization")
    numbers, config_token = _reserve_ticket_numbers(organization, len(items))
    # A batch arrives at one moment: items without opened_at share it (and so their SLA due times).
    now = timezone.now()
    tickets = [_new_ticket(organization, source, external_id, number, data, now)
               for (source, external_id, data), number in zip(items, numbers, strict=True)]
    objects_insert(tickets, key=["number"])
    _announce_opened(tickets, actor, config_token)
    return tickets


@transaction.atomic
def ticket_update(*, organization: Organization, actor: Actor, ticket: Ticket, data: dict[str, Any]) -> Ticket:
    """Applies intake fields that changed; records what changed; a change of priority (or site, opening
    time, required SLA policy) re-times the SLA."""
    ticket = Ticket.objects.for_organization(organization).select_for_update().get(pk=ticket.pk)
    changes: dict[str, list] = {}
    for field in INTAKE_FIELDS:
        if field not in data or (data[field] is None and field not in CLEARABLE_FIELDS):
            continue
        old, new = getattr(ticket, field), data[field]
        if field == "site" and old.pk == new.pk:
            continue
        if old != new:
            changes[field] = [_json_safe(old), _json_safe(new)]
            setattr(ticket, field, new)
    if not changes:
        return ticket
    old_priority = changes.get("priority", [None])[0]
    if ticket.site.organization_id != organization.pk:
        raise ApplicationError("Unknown site", {"site": ["No such site in this organization."]})
    _ticket_clean(ticket)
    ticket.save()
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.UPDATED, actor=actor, data={"changes": changes})
    if old_priority is not None or {"opened_at", "site", "sla_policy_id"} & changes.keys():
        signals.ticket_priority_changed.send(sender=Ticket, ticket=ticket, old_priority=old_priority, actor=actor)
    return ticket


def _accrue_time_on_site(ticket: Ticket, at: dt.datetime) -> None:
    if ticket.on_site_since is not None:
        ticket.time_on_site_minutes += max(0.0, (at - ticket.on_site_since).total_seconds() / 60)
        ticket.on_site_since = None


# What a transition may record besides the status, and with which statuses: the work done on the visit.
COMPLETION_FIELDS: dict[str, frozenset[str]] = {
    "resolution_code": frozenset({TicketStatus.COMPLETED}),
    "resolution_notes": frozenset({TicketStatus.COMPLETED}),
    # A visit that ends in a revisit may still have fitted parts (one of two, or a part that did not help).
    "parts_used": frozenset({TicketStatus.COMPLETED, TicketStatus.NEEDS_REVISIT}),
}


def _part_lines(organization: Organization, parts_used: list[dict]) -> list[tuple[Part, int]]:
    """Parts used → (catalogue part, quantity), one line per SKU in first-seen order; 400 naming `parts_used`.

    Stricter than intake's `parts` (any SKU the ITSM sends): parts used move stock, so they are the tenant's
    catalogue parts (admin, or the CSV/XLSX parts import)."""
    errors, quantities = [], {}
    for index, line in enumerate(parts_used):
        sku = line.get("sku") if isinstance(line, dict) else None
        quantity = line.get("quantity", 1) if isinstance(line, dict) else None
        if not isinstance(sku, str) or not sku.strip() or len(sku.strip()) > 64:
            errors.append(f"Line {index + 1}: a SKU of 1 to 64 characters is required.")
        elif isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors.append(f"Line {index + 1} ({sku.strip()}): the quantity must be a whole number of at least 1.")
        else:
            quantities[sku.strip()] = quantities.get(sku.strip(), 0) + quantity
    catalogue = parts_by_sku(organization=organization, skus=list(quantities))
    errors += [f"Unknown SKU '{sku}': not in this organization's parts catalogue." for sku in quantities
               if sku not in catalogue]
    if errors:
        raise ApplicationError("Invalid parts used", {"parts_used": errors})
    return [(catalogue[sku], quantity) for sku, quantity in quantities.items()]


def _parts_added(old: list[dict], lines: list[tuple[Part, int]]) -> list[dict]:
    """The ticket's parts used after this visit: earlier visits' lines plus these, summed per SKU."""
    totals: dict[str, int] = {}
    for line in old:
        totals[line["sku"]] = totals.get(line["sku"], 0) + line["quantity"]
    for part, quantity in lines:
        totals[part.sku] = totals.get(part.sku, 0) + quantity
    return [{"sku": sku, "quantity": quantity} for sku, quantity in totals.items()]


@transaction.atomic
def ticket_transition(*, organization: Organization, actor: Actor, ticket: Ticket, status: str, note: str = "",
                      at: dt.datetime | None = None, signed_off_by: str = "", resolution_code: str | None = None,
                      resolution_notes: str | None = None, parts_used: list[dict] | None = None) -> Ticket:
    """Moves the ticket along its lifecycle (tickets.lifecycle); an illegal move changes nothing (409).

    Completing may carry the customer's sign-off (the name of who accepted the work on site), a
    ResolutionCode and resolution notes (else the note is the resolution notes). Completing or a revisit may
    carry the parts used on this visit: added to the ticket's `parts_used` and taken out of the technician's
    van stock (inventory.services.van_stock_consume: never below zero; what the van lacked is recorded as a
    shortfall in the status event's data, and set on the returned ticket as `van_shortfall`).
    None means "not given"; any of them given with another status is refused (400 naming the field)."""
    at = at or timezone.now()
    ticket = Ticket.objects.for_organization(organization).select_for_update().get(pk=ticket.pk)
    old = ticket.status
    if status not in TicketStatus.values:
        raise ApplicationError("Unknown status", {"status": [f"'{status}' is not a ticket status."]})
    given = {"resolution_code": resolution_code, "resolution_notes": resolution_notes, "parts_used": parts_used}
    misplaced = {field: [f"Recorded only when the status becomes {' or '.join(sorted(COMPLETION_FIELDS[field]))}."]
                 for field, value in given.items() if value is not None and status not in COMPLETION_FIELDS[field]}
    if misplaced:
        raise ApplicationError(f"Not recorded with status {status}", misplaced)
    if resolution_code and resolution_code not in ResolutionCode.values:
        raise ApplicationError("Unknown resolution code", {"resolution_code": [
            f"'{resolution_code}' is not one of {', '.join(ResolutionCode.values)}."]})
    if not lifecycle.is_allowed(old, status):
        allowed = lifecycle.allowed_transitions(old)
        raise ConflictError(
            f"Cannot move a ticket from {old} to {status}.",
            {"status": [f"Allowed from {old}: {', '.join(allowed) or 'none'}."], "allowed": allowed},
        )
    if status in lifecycle.NEEDS_TECHNICIAN and ticket.technician_id is None:
        raise ConflictError(f"A ticket needs a technician to be {status}.",
                            {"technician": ["Assign a technician first."]})
    lines = _part_lines(organization, parts_used) if parts_used else []

    completion = {"resolution_code": ticket.resolution_code, "resolution_notes": ticket.resolution_notes,
                  "parts_used": ticket.parts_used}
    if old == TicketStatus.ON_SITE:
        _accrue_time_on_site(ticket, at)
    if status == TicketStatus.ON_SITE:
        ticket.on_site_since = at
        ticket.visits += 1
        ticket.first_on_site_at = ticket.first_on_site_at or at
    elif status == TicketStatus.COMPLETED:
        ticket.completed_at = at
        # First-time fix: fixed on the first visit, never sent back for a revisit.
        ticket.first_time_fix = ticket.visits <= 1 and ticket.first_time_fix is not False
        if resolution_notes is not None:
            ticket.resolution_notes = resolution_notes.strip()
        elif note:
            ticket.resolution_notes = note
        if resolution_code:
            ticket.resolution_code = resolution_code
        if signed_off_by.strip():
            ticket.signed_off_by = signed_off_by.strip()[:200]
    elif status == TicketStatus.NEEDS_REVISIT:
        ticket.first_time_fix = False
        ticket.completed_at = None
    if lines:
        ticket.parts_used = _parts_added(ticket.parts_used, lines)
    ticket.status = status
    ticket.save()
    data: dict[str, Any] = {}
    if changes := {field: [before, getattr(ticket, field)] for field, before in completion.items()
                   if getattr(ticket, field) != before}:
        data["changes"] = changes
    ticket.van_shortfall = []
    if lines:
        consumed = van_stock_consume(organization=organization, technician_id=ticket.technician_id, lines=lines,
                                     ticket_id=ticket.pk, reason=f"Used on {ticket.number}")
        ticket.van_shortfall = consumed.shortfall
        data.update(van=consumed.van_id, van_taken=consumed.taken, van_shortfall=consumed.shortfall)
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=actor, from_status=old, to_status=status,
                        message=note, data=data)
    signals.ticket_status_changed.send(sender=Ticket, ticket=ticket, old_status=old, new_status=status, at=at,
                                       actor=actor)
    return ticket


@transaction.atomic
def ticket_assign(*, organization: Organization, actor: Actor, ticket: Ticket, technician: Technician,
                  scheduled_start: dt.datetime | None = None) -> Ticket:
    """Puts a qualified technician on the ticket and dispatches it.

    The technician's row is locked first so that two assignments of the same technician (a dispatcher
    by hand, a plan being applied) are serialised and each sees the other's result.
    """
    if technician.organization_id != organization.pk:
        raise ApplicationError("Unknown technician", {"technician": ["No such technician in this organization."]})
    Technician.objects.select_for_update().filter(pk=technician.pk).first()
    # of=("self",): lock the ticket row only, not the joined site (shared by many tickets).
    ticket = (Ticket.objects.for_organization(organization).select_for_update(of=("self",))
              .select_related("site").get(pk=ticket.pk))
    if ticket.status not in lifecycle.ASSIGNABLE:
        raise ConflictError(
            f"A ticket that is {ticket.status} cannot be (re)assigned.",
            {"status": [f"Assign only while {', '.join(sorted(lifecycle.ASSIGNABLE))}."]},
        )
    requirements = Requirements(
        skills=frozenset(ticket.required_skills),
        certifications=frozenset(ticket.required_certifications),
        clearance=ticket.site.clearance_required,
    )
    if gaps := qualification_gaps(technician, requirements, on=timezone.localdate()):
        raise ApplicationError("Technician not qualified", {"technician": [f"{technician.name}: {g}." for g in gaps]})

    previous = ticket.technician
    old_status = ticket.status
    ticket.technician = technician
    if scheduled_start is not None:
        ticket.scheduled_start = scheduled_start
    ticket.save(update_fields=["technician", "scheduled_start", "updated_at"])
    ticket_event_record(
        ticket=ticket, kind=TicketEvent.Kind.ASSIGNED, actor=actor,
        message=f"Assigned to {technician.name}" + (f" (was {previous.name})" if previous else ""),
        data={"technician": technician.pk, "previous": previous.pk if previous else None},
    )
    signals.ticket_assigned.send(sender=Ticket, ticket=ticket, technician=technician, actor=actor)
    if old_status != TicketStatus.DISPATCHED:
        ticket = ticket_transition(organization=organization, actor=actor, ticket=ticket,
                                   status=TicketStatus.DISPATCHED)
    return ticket


def _ticket_touch(ticket: Ticket) -> None:
    """Marks the ticket changed (updated_at): what hangs off it (a note, a file) is part of what an ITSM
    polling `updated_since` must see."""
    ticket.save(update_fields=["updated_at"])


def tickets_touch_unlocked(*, ticket_ids) -> set[int]:
    """Marks many tickets changed now in one UPDATE (the SLA sweep's clock changes); returns the ids touched.

    Tickets another transaction holds locked are skipped, not waited for (SKIP LOCKED on PostgreSQL): the
    sweep holds clock locks here, and a transition holds its ticket's lock while it waits for that ticket's
    clocks, so waiting could deadlock. The caller leaves the skipped tickets' changes for its next pass.
    On SQLite one write transaction runs at a time: nothing is locked, nothing skipped."""
    wanted = sorted(set(ticket_ids))
    if not wanted:
        return set()
    locked = list(Ticket.objects.filter(id__in=wanted).select_for_update(skip_locked=True)
                  .values_list("id", flat=True))
    Ticket.objects.filter(id__in=locked).update(updated_at=timezone.now())
    return set(locked)


@transaction.atomic
def ticket_note_add(*, organization: Organization, actor: Actor, ticket: Ticket, text: str,
                    external_key: str = "") -> TicketEvent:
    """`external_key`: the note's id in the ITSM it came from (a Jira comment's), kept in the event's data."""
    if not text.strip():
        raise ApplicationError("Empty note", {"text": ["A note needs some text."]})
    ticket = Ticket.objects.for_organization(organization).get(pk=ticket.pk)
    _ticket_touch(ticket)
    return ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=actor, message=text.strip(),
                               data={"external_key": external_key} if external_key else None)


def _is_utf8_text(upload) -> bool:
    """The whole file decodes as UTF-8 and holds no NUL byte (a binary file renamed .txt has both)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def _starts_with(*magics: bytes):
    return lambda head, upload: any(head.startswith(magic) for magic in magics)


HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})

# What a ticket may carry, by declared type, and how a file of that type is recognised: (head, upload) → bool,
# head being its first 16 bytes.
ATTACHMENT_TYPES = {
    "image/jpeg": _starts_with(b"\xff\xd8\xff"),
    "image/png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    # A RIFF container holds WAV and AVI too: WebP says so in the fourcc at bytes 8-12.
    "image/webp": lambda head, upload: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
    # An ISO media file: a box size, then `ftyp` and a HEIF brand (an MP4 is `ftyp` too, with other brands).
    "image/heic": lambda head, upload: head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS,
    "application/pdf": _starts_with(b"%PDF-"),
    "text/plain": lambda head, upload: _is_utf8_text(upload),
}


@transaction.atomic
def ticket_attachment_add(*, organization: Organization, actor: Actor, ticket: Ticket, upload, kind: str = "file"):
    """Stores an uploaded file on the ticket after checking its size, declared type and leading bytes."""
    from django.conf import settings

    from .models import Attachment

    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ApplicationError("File too large", {"file": [f"{upload.size} bytes; the limit is {limit} bytes."]})
    if upload.size == 0:
        raise ApplicationError("Empty file", {"file": ["The file is empty."]})
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ATTACHMENT_TYPES:
        raise ApplicationError("File type not allowed", {
            "file": [f"'{content_type or 'unknown'}' is not allowed; use one of {', '.join(sorted(ATTACHMENT_TYPES))}."]})
    head = upload.read(16)
    upload.seek(0)
    if not ATTACHMENT_TYPES[content_type](head, upload):
        why = " (UTF-8 text without NUL bytes)" if content_type == "text/plain" else ""
        raise ApplicationError("File content does not match its type",
                               {"file": [f"The file does not look like {content_type}{why}."]})
    ticket = Ticket.objects.for_organization(organization).get(pk=ticket.pk)
    _ticket_touch(ticket)
    name = (upload.name or "upload").rsplit("/", 1)[-1][:200]
    attachment = Attachment(organization=organization, ticket=ticket, filename=name, content_type=content_type,
                            size=upload.size, kind=kind, uploaded_by=actor.label)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE, actor=actor, message=f"Attached {name}",
                        data={"attachment": attachment.pk, "kind": kind, "size": upload.size})
    return attachment


@transaction.atomic
def ticket_eta_set(*, organization: Organization, actor: Actor, ticket: Ticket, eta: dt.datetime | None,
                   reason: str) -> Ticket:
    """Records when the technician is expected on site; a change is audited and announced (ITSM write-back)."""
    ticket = Ticket.objects.for_organization(organization).select_for_update(of=("self",)).get(pk=ticket.pk)
    if eta is not None:
        eta = eta.replace(microsecond=0)
    if ticket.eta == eta:
        return ticket
    old, ticket.eta = ticket.eta, eta
    ticket.save(update_fields=["eta", "updated_at"])
    ticket_event_record(ticket=ticket, kind=TicketEvent.Kind.UPDATED, actor=actor,
                        message=f"ETA {eta:%Y-%m-%d %H:%M} UTC ({reason})" if eta else f"ETA cleared ({reason})",
                        data={"changes": {"eta": [_json_safe(old), _json_safe(eta)]}, "reason": reason})
    signals.ticket_eta_changed.send(sender=Ticket, ticket=ticket, old_eta=old, actor=actor)
    return ticket
