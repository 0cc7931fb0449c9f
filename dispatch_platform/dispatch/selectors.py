"""Recommendations: which qualified technician should take this ticket, and why."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from dispatch_platform.common.calendar import BusinessCalendar, CalendarError
from dispatch_platform.tenancy.models import Organization
from inventory.models import StockLevel
from technicians.models import Technician
from technicians.selectors import Requirements, qualification_gaps
from tickets.choices import ACTIVE_WORK_STATUSES
from tickets.models import Ticket

from .travel import TravelModel, default_travel

# Minutes a job already on a technician's list is expected to take, travel included (until routes exist).
MINUTES_PER_QUEUED_JOB = 90


@dataclass
class Recommendation:
    technician: Technician
    score: float
    eta: dt.datetime
    travel_km: float
    travel_minutes: float
    slack_minutes: float | None
    load: int
    reasons: list[str] = field(default_factory=list)


def _shift_calendar(technician: Technician) -> BusinessCalendar | None:
    try:
        return BusinessCalendar.from_spec(timezone=technician.timezone, business_hours=technician.shift, holidays=None)
    except CalendarError:
        return None


def ticket_recommendations(*, organization: Organization, ticket: Ticket, now: dt.datetime | None = None,
                           limit: int = 5, travel: TravelModel | None = None) -> list[Recommendation]:
    """Qualified technicians ranked by a score that explains itself: ETA against the SLA, travel, workload."""
    now = now or timezone.now()
    travel = travel or default_travel()
    site = ticket.site
    requirements = Requirements(
        skills=frozenset(ticket.required_skills),
        certifications=frozenset(ticket.required_certifications),
        clearance=site.clearance_required,
    )
    skus = {p["sku"] for p in ticket.parts or []}
    technicians = (
        Technician.objects.for_organization(organization)
        .filter(active=True)
        .exclude(time_off__starts_at__lte=now, time_off__ends_at__gt=now)
        .annotate(load=Count("tickets", filter=Q(tickets__status__in=ACTIVE_WORK_STATUSES) & ~Q(tickets__pk=ticket.pk)))
        .prefetch_related(
            "skills", "certifications",
            Prefetch("van__levels", queryset=StockLevel.objects.filter(part__sku__in=skus, quantity__gt=0).select_related("part")),
        )
    )
    response_due = next((c.due_at for c in ticket.sla_clocks.all() if c.kind == "response" and c.met_at is None), None)
    today = timezone.localdate(now)
    site_point = (site.latitude, site.longitude)
    results = []
    for tech in technicians:
        if qualification_gaps(tech, requirements, on=today):
            continue
        results.append(_recommend(tech, ticket, requirements, site_point, skus, response_due, now, travel, today))
    results.sort(key=lambda r: -r.score)
    return results[:limit]


def _recommend(tech, ticket, requirements, site_point, skus, response_due, now, travel, today) -> Recommendation:
    reasons = []
    if requirements.skills:
        reasons.append("has " + ", ".join(sorted(requirements.skills)))
    for code in sorted(requirements.certifications):
        cert = next(c for c in tech.certifications.all() if c.code == code)
        reasons.append(f"{code} valid" + (f" until {cert.expires_on:%Y-%m-%d}" if cert.expires_on else ""))
    if requirements.clearance != "none":
        reasons.append(f"clearance {tech.clearance} (site needs {requirements.clearance})")

    km = travel.km(tech.position, site_point)
    minutes = travel.minutes(tech.position, site_point)
    where = "current position" if tech.current_latitude is not None else "home base"
    reasons.append(f"{km:.0f} km from {where} (~{minutes:.0f} min drive)")

    start = now
    shift = _shift_calendar(tech)
    if shift is not None and not shift.is_open(now):
        start = shift.add_business_minutes(now, 0)
        reasons.append(f"off shift now; next shift starts {start.astimezone(ZoneInfo(tech.timezone)):%a %H:%M} local")
    else:
        reasons.append("on shift now")
    load = tech.load
    reasons.append("no other open jobs" if load == 0 else f"{load} job{'s' if load > 1 else ''} already assigned")
    eta = start + dt.timedelta(minutes=load * MINUTES_PER_QUEUED_JOB + minutes)

    score = 100.0 - min(45.0, minutes / 4) - 8.0 * load
    slack = None
    if response_due is not None:
        slack = (response_due - eta).total_seconds() / 60
        if slack >= 0:
            reasons.append(f"ETA {slack:.0f} min before the response target")
        else:
            reasons.append(f"ETA {-slack:.0f} min after the response target (breach)")
            score -= 30 + min(20.0, -slack / 30)
    if skus:
        carried = {lvl.part.sku for lvl in (tech.van.levels.all() if hasattr(tech, "van") else [])}
        if skus <= carried:
            reasons.append("carries the parts: " + ", ".join(sorted(skus)))
            score += 5
        else:
            reasons.append("needs a pick-up: " + ", ".join(sorted(skus - carried)))
    return Recommendation(technician=tech, score=round(max(score, 0.0), 1), eta=eta, travel_km=round(km, 1),
                          travel_minutes=round(minutes, 1), slack_minutes=None if slack is None else round(slack, 1),
                          load=load, reasons=reasons)


def plan_list(*, organization: Organization):
    from .models import DispatchPlan

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
