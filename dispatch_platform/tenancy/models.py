from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from dispatch_platform.common.models import BaseModel

from .config_token import new_config_token


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
    # Changes (by database triggers) whenever a row of the tenant's configuration does: see config_token.
    config_token = models.CharField(max_length=32, default=new_config_token, editable=False)

    # Written by the database alone (numbers reserved by UPDATE … RETURNING, the token by triggers): an
    # instance loaded a while ago (the admin's form) must not put its old values back when saved.
    DATABASE_OWNED = ("ticket_sequence", "config_token")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in self.DATABASE_OWNED]
        super().save(*args, **kwargs)


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


_RATE_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(value: str) -> tuple[int, int]:
    """"600/min" → (600, 60): requests, per period in seconds (the period's first letter decides, as in DRF)."""
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or not period or period[0] not in _RATE_PERIOD_SECONDS:
        raise ValidationError(f"'{value}' is not a rate like 600/min, 20/s, 10000/hour or 100000/day.")
    return int(count), _RATE_PERIOD_SECONDS[period[0]]


def validate_rate(value: str) -> None:
    parse_rate(value)


# The ITSM mapping of an ApiClient (shape: tickets/integrations/__init__.py). Its vocabulary is the tickets app's,
# which sits above tenancy (DESIGN §3) and cannot be imported here, so the values are repeated;
# tests/tickets/integrations/test_integrations_mapping.py fails as soon as they drift from tickets.
MAPPING_PRIORITIES = ("P1", "P2", "P3", "P4")
MAPPING_STATUSES = ("new", "triaged", "scheduled", "dispatched", "en_route", "on_site", "completed", "closed",
                    "on_hold", "needs_revisit", "cancelled")
MAPPING_JOB_TYPES = ("break_fix", "install", "move_add_change", "maintenance")
MAPPING_SITE_LOOKUPS = ("external_id", "name", "postal_code")
JIRA_STATUS_CATEGORIES = ("new", "indeterminate", "done", "undefined")
# Our ticket fields a `field_map` may fill from a vendor field (tickets.integrations.common.field_map_fields).
MAPPING_FIELD_MAP_TARGETS = ("description", "diagnostics", "job_type", "required_skills", "required_certifications",
                             "asset.make", "asset.model", "asset.serial", "contact.name", "contact.phone",
                             "contact.email")
_SHARED_KEYS = ("priority_map", "site_lookup", "site_field", "field_map", "default_job_type", "default_skills")
# A field of the vendor's body: names of letters, digits and underscores (a number picks a list item),
# joined by dots, e.g. "fields.customfield_10050", "location", "ticket.custom_fields.store_zip".
VENDOR_PATH = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$")
MAPPING_KEYS: dict[str, tuple[str, ...]] = {
    "servicenow": (*_SHARED_KEYS, "state_map", "timezone"),
    "jira": (*_SHARED_KEYS, "status_map", "secret"),
    "freshservice": (*_SHARED_KEYS, "status_map"),
}

Problems = list[tuple[str, str]]  # (suffix of the key path, e.g. "['Blocker']" or "", what is wrong)


def _listing(values) -> str:
    return ", ".join(values)


def _check_priority_map(source: str, value: Any) -> Problems:
    if not isinstance(value, dict):
        return [("", "must be an object of ITSM priority → P1..P4.")]
    return [(f"[{k!r}]", f"{v!r} is not one of {_listing(MAPPING_PRIORITIES)}.")
            for k, v in value.items() if v not in MAPPING_PRIORITIES]


def _check_status_map(source: str, value: Any) -> Problems:
    if not isinstance(value, dict):
        return [("", "must be an object of ITSM status → ticket status (or null to ignore that status).")]
    problems = [(f"[{k!r}]", f"{v!r} is not a ticket status ({_listing(MAPPING_STATUSES)}) or null.")
                for k, v in value.items() if v is not None and v not in MAPPING_STATUSES]
    if source == "jira":
        # A category key that names no Jira category would never match: say so now, not never.
        problems += [(f"[{k!r}]", f"Jira status categories are {_listing(JIRA_STATUS_CATEGORIES)}.")
                     for k in value if str(k).lower().startswith("category:")
                     and str(k).split(":", 1)[1].strip().lower() not in JIRA_STATUS_CATEGORIES]
    return problems


def _check_site_lookup(source: str, value: Any) -> Problems:
    lookups = [value] if isinstance(value, str) else value
    if not isinstance(lookups, list) or not lookups or not all(isinstance(v, str) for v in lookups):
        return [("", f"must be one of {_listing(MAPPING_SITE_LOOKUPS)} or a list of them.")]
    return [("", f"{v!r} is not one of {_listing(MAPPING_SITE_LOOKUPS)}.") for v in lookups
            if v not in MAPPING_SITE_LOOKUPS]


def _check_vendor_path(source: str, value: Any) -> Problems:
    if isinstance(value, str) and VENDOR_PATH.match(value):
        return []
    return [("", f"{value!r} is not a field path (names joined by dots, e.g. fields.customfield_10050).")]


def _check_field_map(source: str, value: Any) -> Problems:
    if not isinstance(value, dict):
        return [("", "must be an object of our ticket field → the ITSM's field path.")]
    problems = []
    for ours, path in value.items():
        if ours not in MAPPING_FIELD_MAP_TARGETS:
            problems.append((f"[{ours!r}]", f"not a ticket field it can fill; use {_listing(MAPPING_FIELD_MAP_TARGETS)}."))
        else:
            problems += [(f"[{ours!r}]", problem) for _, problem in _check_vendor_path(source, path)]
    return problems


def _check_job_type(source: str, value: Any) -> Problems:
    return [] if value in MAPPING_JOB_TYPES else [("", f"{value!r} is not one of {_listing(MAPPING_JOB_TYPES)}.")]


def _check_skills(source: str, value: Any) -> Problems:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return []
    return [("", "must be a list of skill names.")]


def _check_timezone(source: str, value: Any) -> Problems:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return [("", f"{value!r} is not an IANA time zone (e.g. America/Chicago).")]
    return []


def _check_secret(source: str, value: Any) -> Problems:
    return [] if isinstance(value, str) and value.strip() else [("", "must be a non-empty string.")]


_CHECKS = {
    "priority_map": _check_priority_map,
    "status_map": _check_status_map,
    "state_map": _check_status_map,
    "site_lookup": _check_site_lookup,
    "site_field": _check_vendor_path,
    "field_map": _check_field_map,
    "default_job_type": _check_job_type,
    "default_skills": _check_skills,
    "timezone": _check_timezone,
    "secret": _check_secret,
}


def mapping_errors(mapping: Any, sources: tuple[str, ...] | None = None) -> list[str]:
    """What is wrong with an ApiClient mapping: one message per problem, each starting with its key path.

    The one check of the mapping, run when it is saved (the field's validator) and again by the ITSM
    endpoints on each request (only for `sources`, the section the request reads), so a row written
    around model validation still answers with the same messages. A null value means "the default".
    """
    if mapping is None or mapping == {}:
        return []
    if not isinstance(mapping, dict):
        return [f"The mapping must be a JSON object with one key per ITSM source ({_listing(MAPPING_KEYS)})."]
    errors = []
    if sources is None:
        errors += [f"{key}: unknown ITSM source; use {_listing(MAPPING_KEYS)}." for key in mapping
                   if key not in MAPPING_KEYS]
    for source in sources or tuple(MAPPING_KEYS):
        section = mapping.get(source)
        if section is None:
            continue
        if not isinstance(section, dict):
            errors.append(f"{source}: must be an object.")
            continue
        for key, value in section.items():
            if key not in MAPPING_KEYS[source]:
                errors.append(f"{source}.{key}: unknown key; {source} takes {_listing(sorted(MAPPING_KEYS[source]))}.")
            elif value is not None:
                errors += [f"{source}.{key}{suffix}: {problem}" for suffix, problem in _CHECKS[key](source, value)]
    return errors


def validate_mapping(value: Any) -> None:
    if errors := mapping_errors(value):
        raise ValidationError(errors)


def new_public_id() -> str:
    return secrets.token_hex(12)


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
    # ITSM mapping: priority and status maps, site lookup, creation defaults (edited in the admin).
    mapping = models.JSONField(default=dict, blank=True, validators=[validate_mapping])
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Names the client in URLs that cannot carry its token (a Jira webhook's): not a secret, so such a URL
    # must authenticate otherwise (tickets.integrations.api.JiraSignatureAuthentication).
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)

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


def _lock_organizations(org_ids) -> None:
    """Take the organizations' row locks in id order (two deletions spanning tenants never deadlock)."""
    list(Organization.objects.select_for_update().filter(pk__in=set(org_ids)).order_by("pk").values_list("pk"))


class TenantConfigQuerySet(OrganizationQuerySet):
    def delete(self):
        # The admin's "delete selected" deletes through the queryset, not through Model.delete.
        with transaction.atomic():
            _lock_organizations(self.values_list("organization_id", flat=True))
            return super().delete()


class TenantConfig(OrganizationOwned):
    """A row of a tenant's configuration that tickets point at (an SLA policy, a webhook subscription).

    Deleting one (or a queryset of them) takes the organization's row lock first, as a ticket intake does
    from its number to its commit: Django collects the rows that point here (clocks, deliveries) before its
    DELETE, and an intake committing in between would make the DELETE fail on the foreign key. Its
    triggers: tenancy.config_token.
    """

    tenant_config_owner = "organization"

    objects = TenantConfigQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            _lock_organizations([self.organization_id])
            return super().delete(*args, **kwargs)
