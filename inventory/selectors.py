"""Reads of the inventory app, always scoped to one organization."""

from __future__ import annotations

from django.db.models import QuerySet

from dispatch_platform.tenancy.models import Organization

from .models import Part, StockLevel


def parts_by_sku(*, organization: Organization, skus: list[str]) -> dict[str, Part]:
    """The organization's catalogue parts among `skus`, by SKU (unknown SKUs are simply absent)."""
    return {part.sku: part for part in Part.objects.for_organization(organization).filter(sku__in=set(skus))}


def van_stock(*, organization: Organization, technician_id: int) -> QuerySet[StockLevel]:
    """What the technician's van holds now (parts with a positive count), by SKU."""
    return (StockLevel.objects.filter(location__organization=organization, location__technician_id=technician_id,
                                      location__kind="van", quantity__gt=0)
            .select_related("part").order_by("part__sku"))
