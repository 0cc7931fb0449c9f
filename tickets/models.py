from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from dispatch_platform.sites.models import Site
from dispatch_platform.tenancy.models import ApiClient, OrganizationOwned
from technicians.models import Technician

from .choices import JobType, Priority, TicketStatus


class Ticket(OrganizationOwned):
    """A work order: field work at a site, usually raised in an ITSM system."""

    source = models.CharField(max_length=40, default="api")
    external_id = models.CharField(max_length=100)
    number = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    job_type = models.CharField(max_length=20, choices=JobType.choices, default=JobType.BREAK_FIX)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tickets")
    required_skills = models.JSONField(default=list, blank=True)
    required_certifications = models.JSONField(default=list, blank=True)
    asset = models.JSONField(default=dict, blank=True)  # {"make", "model", "serial"}
    contact = models.JSONField(default=dict, blank=True)  # {"name", "phone", "email"}
    diagnostics = models.TextField(blank=True, default="")
    parts = models.JSONField(default=list, blank=True)  # [{"sku", "quantity"}]: requested at intake
    # When the site lets the technician in for this ticket (e.g. the store's 06:00–09:00 on one day): the
    # optimiser and the recommendations time the visit's start inside it. Both or neither.
    access_start = models.DateTimeField(null=True, blank=True)
    access_end = models.DateTimeField(null=True, blank=True)
    # The contract tier the intake named (e.g. "Gold 2h"): the clocks run under it instead of the most
    # specific policy. A string reference: the SLA app is a higher layer (it reads this, tickets never do).
    sla_policy = models.ForeignKey("sla.SlaPolicy", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="required_by_tickets", db_index=False)  # partial index below
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW, db_index=True)
    technician = models.ForeignKey(
        Technician, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    opened_at = models.DateTimeField()
    scheduled_start = models.DateTimeField(null=True, blank=True)
    eta = models.DateTimeField(null=True, blank=True)
    first_on_site_at = models.DateTimeField(null=True, blank=True)
    on_site_since = models.DateTimeField(null=True, blank=True)  # set while on site: time on site accrues
    completed_at = models.DateTimeField(null=True, blank=True)
    # A ResolutionCode when set through ticket_transition; free here so that imported history keeps its own codes.
    resolution_code = models.CharField(max_length=50, blank=True, default="")
    resolution_notes = models.TextField(blank=True, default="")
    # What the technician fitted, over all visits: [{"sku", "quantity"}] of the tenant's catalogue.
    parts_used = models.JSONField(default=list, blank=True)
    first_time_fix = models.BooleanField(null=True, blank=True)
    visits = models.PositiveSmallIntegerField(default=0)
    time_on_site_minutes = models.FloatField(default=0)
    signed_off_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "external_id"],
                name="%(app_label)s_%(class)s_unique_organization_source_external_id",
                violation_error_message="A ticket with this source and external id already exists.",
            ),
            models.UniqueConstraint(
                fields=["organization", "number"],
                name="%(app_label)s_%(class)s_unique_organization_number",
                violation_error_message="A ticket with this number already exists.",
            ),
            models.CheckConstraint(
                condition=(Q(access_start__isnull=True, access_end__isnull=True)
                           | Q(access_start__isnull=False, access_end__isnull=False,
                               access_end__gt=models.F("access_start"))),
                name="%(app_label)s_%(class)s_access_window_valid",
                violation_error_message="An access window needs a start and an end after it.",
            ),
        ]
        indexes = [
            # The dispatcher queue and the technician's day filter on these.
            models.Index(fields=["organization", "status"], name="tickets_org_status_idx"),
            models.Index(fields=["technician", "status"], name="tickets_tech_status_idx"),
            # Reports scan closed tickets by month.
            models.Index(fields=["organization", "opened_at"], name="tickets_org_opened_idx"),
            # ITSM incremental sync: updated_since with ordering=updated_at pages by (updated_at, id).
            models.Index(fields=["organization", "updated_at", "id"], name="tickets_org_updated_idx"),
            # Deleting a policy finds the tickets that named it. Most name none: a full index would cost every
            # insert (bulk intake) a NULL entry.
            models.Index(fields=["sla_policy"], condition=Q(sla_policy__isnull=False),
                         name="tickets_required_policy_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def access_window(self) -> tuple[dt.datetime, dt.datetime] | None:
        """(start, end) of the access window, or None (the check constraint keeps both bounds or neither)."""
        if self.access_start is None or self.access_end is None:
            return None
        return self.access_start, self.access_end


class TicketEvent(OrganizationOwned):
    """Append-only audit trail: who or what changed the ticket, when, old → new."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Note"
        SLA = "sla", "SLA"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, default="system")
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20, blank=True, default="")
    message = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="tickets_event_ticket_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["created", "updated", "status", "assigned", "note", "sla"]),
                name="%(app_label)s_%(class)s_known_kind",
                violation_error_message="Unknown event kind.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.from_status}→{self.to_status}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Tenant and ticket in the path keep files apart on disk and in object storage.
    return f"attachments/{instance.organization_id}/{instance.ticket_id}/{filename}"


class Attachment(OrganizationOwned):
    """A file on a ticket: an asset photo, a signed job sheet, a log. Stored through Django's storage API."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, default="file", help_text="photo, signature, document, file")
    uploaded_by = models.CharField(max_length=200, default="system")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.content_type}, {self.size} B)"


class InboundDelivery(OrganizationOwned):
    """A webhook delivery already processed (e.g. Jira's X-Atlassian-Webhook-Identifier): a re-delivery is a no-op."""

    source = models.CharField(max_length=40)
    delivery_id = models.CharField(max_length=200)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "delivery_id"],
                name="%(app_label)s_%(class)s_unique_organization_source_delivery",
                violation_error_message="This delivery was already processed.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.delivery_id}"
