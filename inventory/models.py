from __future__ import annotations

from django.db import models
from django.db.models import Q

from dispatch_platform.tenancy.models import OrganizationOwned


class Part(OrganizationOwned):
    """A spare part by SKU."""

    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit_cost = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "sku"],
                name="%(app_label)s_%(class)s_unique_organization_sku",
                violation_error_message="A part with this SKU already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class StockLocation(OrganizationOwned):
    """Where parts are kept: a warehouse, a technician's van or a smart locker."""

    class Kind(models.TextChoices):
        WAREHOUSE = "warehouse", "Warehouse"
        VAN = "van", "Van"
        LOCKER = "locker", "Smart locker"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    latitude = models.FloatField()
    longitude = models.FloatField()
    technician = models.OneToOneField(
        "technicians.Technician", null=True, blank=True, on_delete=models.CASCADE, related_name="van"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class StockLevel(models.Model):
    """How many of a part a location holds now."""

    location = models.ForeignKey(StockLocation, on_delete=models.CASCADE, related_name="levels")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="levels")
    quantity = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location", "part"],
                name="%(app_label)s_%(class)s_unique_location_part",
                violation_error_message="This location already has a stock level for this part.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="%(app_label)s_%(class)s_quantity_not_negative",
                violation_error_message="Stock cannot go below zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} @ {self.location_id}: {self.quantity}"


class Reservation(OrganizationOwned):
    """Parts held at a location for a ticket until picked up or released."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        PICKED = "picked", "Picked up"
        RELEASED = "released", "Released"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="reservations")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="reservations")
    location = models.ForeignKey(StockLocation, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part_id} for ticket {self.ticket_id} ({self.status})"


class StockMovement(OrganizationOwned):
    """Append-only record of every change of stock."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="movements")
    from_location = models.ForeignKey(
        StockLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="outgoing"
    )
    to_location = models.ForeignKey(
        StockLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming"
    )
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True, default="")
    ticket = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part_id}: {self.from_location_id} → {self.to_location_id}"
