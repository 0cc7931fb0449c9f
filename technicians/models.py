from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from dispatch_platform.sites.choices import Clearance
from dispatch_platform.tenancy.models import OrganizationOwned


class Skill(OrganizationOwned):
    """A skill code a ticket can require ("network", "pos", "printers")."""

    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="%(app_label)s_%(class)s_unique_organization_code",
                violation_error_message="A skill with this code already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Technician(OrganizationOwned):
    """A field engineer: where they start, what they can do, when they work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="technician"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    external_id = models.CharField(max_length=100, blank=True, default="")
    home_latitude = models.FloatField()
    home_longitude = models.FloatField()
    current_latitude = models.FloatField(null=True, blank=True)
    current_longitude = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64)
    region = models.CharField(max_length=100, blank=True, default="", db_index=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="technicians")
    clearance = models.CharField(max_length=10, choices=Clearance.choices, default=Clearance.NONE)
    background_check_on = models.DateField(null=True, blank=True)
    # Same shape as Site.business_hours, in the technician's time zone; null = Mon–Fri 08:00–17:00.
    shift = models.JSONField(null=True, blank=True)
    hourly_cost = models.DecimalField(max_digits=8, decimal_places=2, default=60)
    max_jobs_per_day = models.PositiveSmallIntegerField(default=8)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="%(app_label)s_%(class)s_unique_organization_external_id",
                violation_error_message="A technician with this external id already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def position(self) -> tuple[float, float]:
        """Where the technician is now, as far as we know: last reported position, else home base."""
        if self.current_latitude is not None and self.current_longitude is not None:
            return self.current_latitude, self.current_longitude
        return self.home_latitude, self.home_longitude


class Certification(models.Model):
    """A certification a technician holds, valid until `expires_on` (null = does not expire)."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="certifications")
    code = models.CharField(max_length=50)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "code"],
                name="%(app_label)s_%(class)s_unique_technician_code",
                violation_error_message="The technician already holds this certification.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} (until {self.expires_on})" if self.expires_on else self.code

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class TimeOff(models.Model):
    """A period the technician is unavailable (leave, training, sickness)."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="%(app_label)s_%(class)s_ends_after_start",
                violation_error_message="Time off must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.technician_id} off {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"
