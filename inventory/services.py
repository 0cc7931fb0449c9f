"""Writes of the inventory app: one function per business action, each atomic and recorded as StockMovements."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from dispatch_platform.tenancy.models import Organization

from .models import Part, StockLevel, StockLocation, StockMovement


@dataclass(frozen=True)
class VanConsumption:
    """What using parts on a job did to the technician's van: taken from its stock, and what it lacked."""

    van_id: int | None
    taken: list[dict]  # [{"sku", "quantity"}]
    shortfall: list[dict]  # [{"sku", "quantity"}]: used, but not in the van's stock count


@transaction.atomic
def van_stock_consume(*, organization: Organization, technician_id: int | None, lines: list[tuple[Part, int]],
                      ticket_id: int, reason: str) -> VanConsumption:
    """Takes parts used on a job out of the technician's van stock, never below zero.

    A part the van's count lacks is not refused: it is already fitted in the customer's equipment (picked from
    a locker or warehouse, handed over by a colleague, or the count has drifted), so the job's record stays
    true and the lack is returned as a shortfall for someone to reconcile. A technician without a van has
    nothing taken (everything is a shortfall of van None).
    """
    van = None if technician_id is None else (StockLocation.objects.for_organization(organization)
                                              .filter(technician_id=technician_id, kind=StockLocation.Kind.VAN).first())
    if van is None:
        return VanConsumption(None, [], [{"sku": part.sku, "quantity": qty} for part, qty in lines])
    # Locked in part order, so two jobs of the same van completing together take turns, never deadlock.
    levels = {level.part_id: level for level in StockLevel.objects.select_for_update()
              .filter(location=van, part__in=[part for part, _ in lines]).order_by("part_id")}
    taken, shortfall, movements = [], [], []
    for part, quantity in lines:
        level = levels.get(part.pk)
        take = min(quantity, level.quantity if level is not None else 0)
        if take:
            StockLevel.objects.filter(pk=level.pk).update(quantity=F("quantity") - take)
            level.quantity -= take
            taken.append({"sku": part.sku, "quantity": take})
            movements.append(StockMovement(organization=organization, part=part, from_location=van, to_location=None,
                                           quantity=take, reason=reason[:200], ticket_id=ticket_id))
        if quantity > take:
            shortfall.append({"sku": part.sku, "quantity": quantity - take})
    StockMovement.objects.bulk_create(movements)
    return VanConsumption(van.pk, taken, shortfall)
