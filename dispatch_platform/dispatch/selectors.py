"""Reads of the dispatch app: plans and their routes. (Recommendations: recommend.py.)"""

from __future__ import annotations

from dispatch_platform.tenancy.models import Organization

from .models import DispatchPlan


def plan_list(*, organization: Organization):
    return DispatchPlan.objects.for_organization(organization).select_related("created_by").order_by("-created_at")


def plan_get(*, organization: Organization, plan_id: int):
    return plan_list(organization=organization).filter(pk=plan_id).first()


def plan_routes(plan) -> list[dict]:
    """The proposal per technician, in route order."""
    routes: dict[int, dict] = {}
    for a in plan.assignments.select_related("technician", "ticket", "ticket__site").order_by("technician__name", "sequence"):
        route = routes.setdefault(a.technician_id, {"technician": a.technician, "stops": []})
        route["stops"].append(a)
    return list(routes.values())
