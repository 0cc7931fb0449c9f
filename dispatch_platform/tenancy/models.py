from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from dispatch_platform.common.models import BaseModel


class Organization(BaseModel):
    """A tenant: an IT organisation or managed-service provider. The hard isolation boundary."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    default_timezone = models.CharField(max_length=64, default="America/New_York")
    # null = Mon–Fri 08:00–17:00; same shape as Site.business_hours.
    default_business_hours = models.JSONField(null=True, blank=True)
    escalation_emails = models.JSONField(default=list, blank=True)
    # Local dates every site of the tenant is closed (company shutdown), besides public holidays.
    closures = models.JSONField(default=list, blank=True)
    # Apply optimiser plans made by re-plan triggers without waiting for a dispatcher.
    auto_dispatch = models.BooleanField(default=False)
    # Last ticket number handed out (WO-000123); incremented under a row lock by tickets.services.
    ticket_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization | int) -> OrganizationQuerySet:
        org_id = organization if isinstance(organization, int) else organization.pk
        return self.filter(organization_id=org_id)


class OrganizationOwned(BaseModel):
    """Every tenant-owned row carries a non-null organization; query it through `for_organization`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(BaseModel):
    """A user's role in one organization."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        DISPATCHER = "dispatcher", "Dispatcher"
        TECHNICIAN = "technician", "Technician"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                name="%(app_label)s_%(class)s_unique_user_organization",
                violation_error_message="This user is already a member of the organization.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_dispatch(self) -> bool:
        return self.role in (self.Role.ADMIN, self.Role.DISPATCHER)


def validate_rate(value: str) -> None:
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or not period or period[0] not in "smhd":
        raise ValidationError(f"'{value}' is not a rate like 600/min, 20/s, 10000/hour or 100000/day.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(BaseModel):
    """An ITSM system or script calling the API with a bearer token (stored hashed only)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_clients")
    name = models.CharField(max_length=200)
    # The token's first characters, kept in clear to find the row; the rest is only hashed.
    token_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    rate_limit = models.CharField(max_length=20, default="600/min", validators=[validate_rate],
                                  help_text="requests/period, e.g. 600/min or 20/s")
    # ITSM mapping: priority map, site lookup, default job type (edited in the admin).
    mapping = models.JSONField(default=dict, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="%(app_label)s_%(class)s_unique_organization_name",
                violation_error_message="An API client with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization.slug})"

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_token(token))
