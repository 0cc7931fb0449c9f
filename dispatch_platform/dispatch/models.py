from __future__ import annotations

from django.conf import settings
from django.db import models

from dispatch_platform.tenancy.models import OrganizationOwned
from technicians.models import Technician
from tickets.models import Ticket


class DispatchPlan(OrganizationOwned):
    """One optimiser run: its input fingerprint, result and KPIs, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PROPOSED = "proposed", "Proposed"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    input_hash = models.CharField(max_length=64, blank=True, default="")
    time_limit_seconds = models.PositiveIntegerField(default=10)
    region = models.CharField(max_length=100, blank=True, default="", help_text="Blank: every region")
    trigger = models.CharField(max_length=40, default="manual", help_text="manual, new_p1, cancellation, late, off_shift")
    objective = models.FloatField(null=True, blank=True)
    kpis = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Plan {self.pk} ({self.status})"


class Assignment(models.Model):
    """A ticket placed on a technician's route by a plan."""

    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="assignments")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="plan_assignments")
    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="plan_assignments")
    sequence = models.PositiveSmallIntegerField()
    planned_start = models.DateTimeField()
    planned_end = models.DateTimeField()

    class Meta:
        ordering = ["technician_id", "sequence"]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.technician_id} #{self.sequence}"

# Named for the OpenAPI schema (ENUM_NAME_OVERRIDES): a plan status is not a ticket status.
PlanStatus = DispatchPlan.Status
