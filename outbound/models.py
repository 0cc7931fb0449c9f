from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dispatch_platform.tenancy.models import OrganizationOwned, TenantConfig
from tickets.models import Ticket

from .network import validate_public_url

EVENTS = (
    "ticket.created",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.eta_changed",
    "ticket.completed",
    "sla.at_risk",
    "sla.breached",
)


def validate_event_names(value) -> None:
    """A subscription's events: known names only (a typo such as "ticket.create" would silently never fire)."""
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise ValidationError("A list of event names.", code="invalid")
    if unknown := [name for name in value if name not in EVENTS]:
        raise ValidationError(f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENTS)}.", code="unknown")


class WebhookSubscription(TenantConfig):
    """Where a tenant wants its events POSTed (its ITSM, a chat bridge, a data lake)."""

    class Format(models.TextChoices):
        JSON = "json", "Dispatch JSON"
        SERVICENOW = "servicenow", "ServiceNow write-back (work note + state)"

    url = models.URLField(max_length=500, validators=[validate_public_url],
                          help_text="Where to POST; for the ServiceNow format, the instance "
                                    "(https://acme.service-now.com)")
    events = models.JSONField(default=list, blank=True, validators=[validate_event_names],
                              help_text="Event names; empty = all")
    secret = models.CharField(max_length=200, blank=True,
                              help_text="Signs each delivery (HMAC-SHA256); Dispatch JSON format only")
    format = models.CharField(max_length=12, choices=Format.choices, default=Format.JSON)
    # ServiceNow format: the Table API's Basic auth (a user with the itil role, or rights to read and write
    # incidents), kept like the secret; the API never shows the password.
    servicenow_user = models.CharField(max_length=150, blank=True, default="")
    servicenow_password = models.CharField(max_length=200, blank=True, default="")
    servicenow_close_code = models.CharField(
        max_length=80, blank=True, default="Solution provided",
        help_text="Resolution code sent when resolving the incident on ticket.completed (a choice of the "
                  "incident's close_code, e.g. 'Solved (Permanently)' on older instances); empty: never resolve")
    description = models.CharField(max_length=200, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]

    def clean(self):
        super().clean()
        if errors := self.format_errors():
            raise ValidationError(errors)

    def format_errors(self) -> dict[str, str]:
        """What the chosen format still needs: the secret (JSON) or the Table API's credentials (ServiceNow)."""
        if self.format == self.Format.SERVICENOW:
            return {f: "The ServiceNow format needs it (Table API Basic auth)."
                    for f in ("servicenow_user", "servicenow_password") if not getattr(self, f)}
        if not self.secret:
            return {"secret": "The Dispatch JSON format signs each delivery with it."}
        return {}

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.events) or 'all events'})"

    def wants(self, name: str) -> bool:
        return self.active and (not self.events or name in self.events)


class WebhookEvent(OrganizationOwned):
    """The outbox: one row per event, written in the transaction of the change it reports."""

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    payload = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class WebhookDelivery(OrganizationOwned):
    """One event to one subscription: its attempts and outcome (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed, will retry"
        DEAD = "dead", "Gave up"
        SKIPPED = "skipped", "Skipped: not for this subscription (ServiceNow format, not a ServiceNow incident)"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the event so that "is an earlier one for this ticket still open?" is one indexed query.
    ticket_id_copy = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Since it was queued or last redelivered "
                                                "(counts towards WEBHOOK_MAX_ATTEMPTS)")
    attempts_total = models.PositiveIntegerField(default=0, help_text="Every attempt, across redeliveries "
                                                 "(the attempt log's numbers)")
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivered_at = models.DateTimeField(null=True, blank=True)
    redelivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="%(app_label)s_%(class)s_unique_subscription_event",
                                    violation_error_message="This event was already queued for this subscription."),
        ]
        indexes = [
            # outbound.services.webhook_deliveries_due scans open deliveries by next attempt.
            models.Index(fields=["next_attempt_at"], name="outbound_delivery_due_idx",
                         condition=Q(status__in=["pending", "failed"])),
            # The per-ticket ordering check.
            models.Index(fields=["subscription", "ticket_id_copy", "id"], name="outbound_delivery_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription.url}: {self.status}"


class WebhookAttempt(OrganizationOwned):
    """One attempt at a delivery, as the receiver answered it (the delivery keeps the last one in `last_*`).
    Written by outbound.services.webhook_deliver; goes with its delivery."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(help_text="1 for the first attempt; keeps counting across redeliveries")
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None: no HTTP answer")
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.CharField(max_length=500, blank=True, default="",
                                        help_text="The start of the receiver's answer")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}: {self.status_code or self.error}"
