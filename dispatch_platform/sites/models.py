from __future__ import annotations

from django.db import models
from django.db.models import Q

from dispatch_platform.tenancy.models import OrganizationOwned

from .choices import Clearance, Criticality


class Customer(OrganizationOwned):
    """A client of an MSP tenant, or a business unit of an in-house IT tenant."""

    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="%(app_label)s_%(class)s_unique_organization_name",
                violation_error_message="A customer with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_organization_external_id",
                violation_error_message="A customer with this external id already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Site(OrganizationOwned):
    """A place technicians go to: an office, a store, a data centre."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    external_id = models.CharField(max_length=100, blank=True, default="")
    address = models.CharField(max_length=300, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    state = models.CharField(max_length=100, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, default="US")
    latitude = models.FloatField()
    longitude = models.FloatField()
    timezone = models.CharField(max_length=64)
    region = models.CharField(max_length=100, blank=True, default="", db_index=True)
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.NORMAL)
    # {"mon": [["08:00", "18:00"]], ...} in local time; null = the organization's default hours.
    business_hours = models.JSONField(null=True, blank=True)
    # {"country": "US", "subdivision": "CA"} or null (no public holidays).
    holidays = models.JSONField(null=True, blank=True)
    # Local dates the site is closed besides public holidays (e.g. a move): ["2026-12-24", ...]
    closures = models.JSONField(default=list, blank=True)
    contact_name = models.CharField(max_length=200, blank=True, default="")
    contact_phone = models.CharField(max_length=50, blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    access_notes = models.TextField(blank=True, default="")
    clearance_required = models.CharField(max_length=10, choices=Clearance.choices, default=Clearance.NONE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_organization_external_id",
                violation_error_message="A site with this external id already exists.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="%(app_label)s_%(class)s_coordinates_in_range",
                violation_error_message="Latitude must be within ±90 and longitude within ±180.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name
