from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dispatch_platform.sites.models import Customer
from dispatch_platform.tenancy.models import OrganizationOwned, TenantConfig
from tickets.choices import Priority
from tickets.models import Ticket


class SlaPolicy(TenantConfig):
    """Targets per priority for a tenant, a customer contract and/or a region; most specific wins."""

    name = models.CharField(max_length=200)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="sla_policies")
    region = models.CharField(max_length=100, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One priority's response (on-site) and resolution targets within a policy."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    # TARGET: {"kind": "duration", "minutes": 240, "calendar": "24x7"|"business_hours"}
    #       | {"kind": "next_business_day"} | {"kind": "business_days", "days": 5}
    response = models.JSONField()
    resolution = models.JSONField()
    at_risk_percent = models.PositiveSmallIntegerField(default=75)
    penalty_per_breach = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    penalty_per_hour_late = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    tenant_config_owner = "policy"  # a change re-issues the tenant's config token (tenancy.config_token)

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority"],
                name="%(app_label)s_%(class)s_unique_policy_priority",
                violation_error_message="This policy already has a target for this priority.",
            ),
            models.CheckConstraint(
                condition=Q(at_risk_percent__gte=1, at_risk_percent__lte=99),
                name="%(app_label)s_%(class)s_at_risk_percent_range",
                violation_error_message="at_risk_percent must be between 1 and 99.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.priority}"


class SlaClock(OrganizationOwned):
    """A ticket's response or resolution clock under the policy it started with."""

    class Kind(models.TextChoices):
        RESPONSE = "response", "Response (on site)"
        RESOLUTION = "resolution", "Resolution"

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        AT_RISK = "at_risk", "At risk"
        MET = "met", "Met"
        BREACHED = "breached", "Breached"
        CANCELLED = "cancelled", "Cancelled"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="clocks")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    target = models.JSONField()  # the target as it was when the clock started
    at_risk_percent = models.PositiveSmallIntegerField(default=75)
    # The contract's penalties as they were when the clock started (a policy change does not rewrite them).
    penalty_per_breach = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    penalty_per_hour_late = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    at_risk_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    # Whether the clock went at-risk, kept after it is met or breached (reports, escalation).
    was_at_risk = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.FloatField(default=0)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                name="%(app_label)s_%(class)s_unique_ticket_kind",
                violation_error_message="The ticket already has this clock.",
            )
        ]
        indexes = [
            # sla.services.sla_sweep scans running clocks by these moments.
            models.Index(
                fields=["at_risk_at"], name="sla_clock_running_risk_idx", condition=Q(state="running")
            ),
            models.Index(
                fields=["due_at"], name="sla_clock_live_due_idx", condition=Q(state__in=["running", "at_risk"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.state} due {self.due_at:%Y-%m-%d %H:%M}"


class EscalationRule(OrganizationOwned):
    """Who is told when a clock goes at risk or breaches (e.g. P1 at risk → the duty manager)."""

    class Event(models.TextChoices):
        AT_RISK = "at_risk", "At risk"
        BREACHED = "breached", "Breached"

    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True, default="",
                                help_text="Blank: every priority")
    event = models.CharField(max_length=10, choices=Event.choices)
    notify_roles = models.JSONField(default=list, blank=True, help_text='In-app, e.g. ["dispatcher", "admin"]')
    notify_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    emails = models.JSONField(default=list, blank=True, help_text="E-mail addresses, e.g. the duty manager")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "event"]

    def __str__(self) -> str:
        return f"{self.priority or 'any'} {self.event} → {', '.join(self.notify_roles + self.emails)}"


class Notification(OrganizationOwned):
    """An in-app message to one user (the dispatcher's bell)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    message = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The bell counts a user's unread notifications on every page load.
            models.Index(fields=["user"], name="sla_notif_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.message
