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

class DispatchPlanSplit(models.Model):
    """A plan solved by regional parts (above settings.PLAN_DECOMPOSE_ABOVE_JOBS): what was split and when
    its parts are due. The whole problem is kept here, off the plan row that lists and polls read, for the
    merge that the last part's task runs (plan_parts.dispatch_plan_part_solve)."""

    plan = models.OneToOneField(DispatchPlan, on_delete=models.CASCADE, related_name="split")
    problem = models.JSONField(help_text="The whole problem, contract JSON")
    # Contract ids -> primary keys, so the merge rebuilds the proposal without building the problem again.
    tickets = models.JSONField(default=dict)
    technicians = models.JSONField(default=dict)
    problem_now = models.DateTimeField(help_text="The problem's minute zero")
    max_jobs_per_part = models.PositiveIntegerField()
    started_at = models.DateTimeField(help_text="The time limit counts from here")
    first_pass_until = models.DateTimeField(help_text="Every part is due by then")
    search_until = models.DateTimeField(help_text="The merge's search is due by then")
    # Most parts seen solving at once: how many solvers the parts' deadlines are shared between.
    slots = models.PositiveSmallIntegerField(default=1)
    merge_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Split of plan {self.plan_id}"


class DispatchPlanPart(models.Model):
    """One regional sub-problem of a split plan, solved by its own Celery task on the `optimize` queue."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SOLVED = "solved", "Solved"
        FAILED = "failed", "Failed"
        TIMED_OUT = "timed_out", "Timed out"

    DONE = (Status.SOLVED, Status.FAILED, Status.TIMED_OUT)

    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="parts")
    index = models.PositiveSmallIntegerField()
    problem = models.JSONField(help_text="optimizer.decompose.Part.to_dict(): sub-problem and index maps")
    jobs = models.PositiveIntegerField(default=0)
    technicians = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    solution = models.JSONField(null=True, blank=True, help_text="The part's solution, contract JSON")
    served = models.PositiveIntegerField(null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True, default="", help_text="Celery worker that solved it")
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["plan_id", "index"]
        constraints = [models.UniqueConstraint(fields=["plan", "index"], name="dispatch_plan_part_unique_index")]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} part {self.index} ({self.status})"


# Named for the OpenAPI schema (ENUM_NAME_OVERRIDES): a plan status is not a ticket status.
PlanStatus = DispatchPlan.Status
