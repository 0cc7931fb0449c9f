"""Recommendations: insert the ticket into each qualified technician's current route and rank the results.

For every qualified technician (skill, valid certification, clearance, active, not on time off) the
ticket is tried at every position of their route of open jobs (in-progress work stays first). The best
position is the one with the least added travel plus knock-on lateness of the jobs already on the route.
Its ETA, SLA slack, added travel and knock-on lateness explain the score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Min, Prefetch, Q
from django.utils import timezone

from dispatch_platform.common.calendar import BusinessCalendar, CalendarError
from dispatch_platform.sites.choices import CLEARANCE_RANK
from dispatch_platform.tenancy.models import Organization
from inventory.models import StockLevel, StockLocation
from technicians.models import Technician
from technicians.selectors import Requirements, qualification_gaps
from tickets.choices import ACTIVE_WORK_STATUSES, TicketStatus
from tickets.models import Ticket

from .problem import DURATION_BY_JOB_TYPE, LATENESS_COST, response_due
from .travel import TravelModel, default_travel

Point = tuple[float, float]
# Minutes lost collecting parts at a warehouse or locker (besides the drive there).
PICKUP_MINUTES = 10


@dataclass
class Stop:
    """A job on a route: where, how long, and its response due time (None: no clock)."""

    ticket_id: int
    number: str
    point: Point
    duration: float
    due: dt.datetime | None
    pinned: bool = False


@dataclass
class Recommendation:
    technician: Technician
    score: float
    eta: dt.datetime
    travel_km: float
    travel_minutes: float
    slack_minutes: float | None
    load: int
    position: int = 0
    added_travel_km: float = 0.0
    knock_on_minutes: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Timeline:
    etas: list[dt.datetime]
    km: float


def _simulate(start: dt.datetime, origin: Point, stops: list[Stop], travel: TravelModel) -> _Timeline:
    t, here, km, etas = start, origin, 0.0, []
    for stop in stops:
        km += travel.km(here, stop.point)
        t += dt.timedelta(minutes=travel.minutes(here, stop.point))
        etas.append(t)
        t += dt.timedelta(minutes=stop.duration)
        here = stop.point
    return _Timeline(etas=etas, km=km)


def _lateness(stops: list[Stop], etas: list[dt.datetime]) -> float:
    return sum(max(0.0, (eta - s.due).total_seconds() / 60) for s, eta in zip(stops, etas, strict=True) if s.due)


def _shift_start(technician: Technician, now: dt.datetime) -> tuple[dt.datetime, str | None]:
    try:
        shift = BusinessCalendar.from_spec(timezone=technician.timezone, business_hours=technician.shift)
    except CalendarError:
        return now, None
    if shift.is_open(now):
        return now, None
    start = shift.add_business_minutes(now, 0)
    return start, f"off shift now; next shift starts {start.astimezone(ZoneInfo(technician.timezone)):%a %H:%M} local"


def _routes(organization: Organization, technician_ids: list[int], exclude_ticket: int) -> dict[int, list[Stop]]:
    """Each technician's open jobs in route order: on site / en route first, then by scheduled start, due.

    Read as plain rows (no model instances): with hundreds of technicians this is the hot path.
    """
    response_due = Min("sla_clocks__due_at", filter=Q(sla_clocks__kind="response", sla_clocks__met_at__isnull=True)
                       & ~Q(sla_clocks__state__in=("cancelled", "paused")))
    rows = (
        Ticket.objects.for_organization(organization)
        .filter(technician_id__in=technician_ids, status__in=ACTIVE_WORK_STATUSES)
        .exclude(pk=exclude_ticket)
        .values("pk", "number", "technician_id", "status", "scheduled_start", "job_type", "site__latitude",
                "site__longitude")
        .annotate(due=response_due)
    )
    order = {TicketStatus.ON_SITE: 0, TicketStatus.EN_ROUTE: 1}
    far_future = dt.datetime.max.replace(tzinfo=dt.UTC)
    routes: dict[int, list[tuple]] = {}
    for r in rows:
        key = (order.get(r["status"], 2), r["scheduled_start"] or far_future, r["due"] or far_future, r["pk"])
        stop = Stop(ticket_id=r["pk"], number=r["number"], point=(r["site__latitude"], r["site__longitude"]),
                    duration=DURATION_BY_JOB_TYPE.get(r["job_type"], 60), due=r["due"], pinned=r["status"] in order)
        routes.setdefault(r["technician_id"], []).append((key, stop))
    return {tid: [s for _, s in sorted(stops, key=lambda x: x[0])] for tid, stops in routes.items()}


def _candidates(organization: Organization, requirements: Requirements, now: dt.datetime, skus: set[str]):
    """Active technicians not on time off who pass the qualification filter in SQL; each is re-checked
    with qualification_gaps (the one definition of "qualified") on the few rows that come back."""
    qs = Technician.objects.for_organization(organization).filter(active=True).exclude(
        Q(time_off__starts_at__lte=now) & Q(time_off__ends_at__gt=now))
    for code in requirements.skills:
        qs = qs.filter(skills__code=code)
    today = timezone.localdate(now)
    for code in requirements.certifications:
        qs = qs.filter(Q(certifications__code=code) & (Q(certifications__expires_on__isnull=True)
                                                        | Q(certifications__expires_on__gte=today)))
    needed = CLEARANCE_RANK.get(requirements.clearance, 0)
    qs = qs.filter(clearance__in=[c for c, rank in CLEARANCE_RANK.items() if rank >= needed])
    qs = qs.distinct().prefetch_related("skills", "certifications", Prefetch(
        "van__levels", queryset=StockLevel.objects.filter(part__sku__in=skus, quantity__gt=0).select_related("part")))
    return [t for t in qs if not qualification_gaps(t, requirements, on=today)]


def _pickup_points(organization: Organization, skus: set[str]) -> list[Point]:
    if not skus:
        return []
    points = []
    for loc in (StockLocation.objects.for_organization(organization).exclude(kind=StockLocation.Kind.VAN)
                .prefetch_related(Prefetch("levels", queryset=StockLevel.objects.filter(
                    part__sku__in=skus, quantity__gt=0).select_related("part")))):
        if skus <= {lvl.part.sku for lvl in loc.levels.all()}:
            points.append((loc.latitude, loc.longitude))
    return points


def ticket_recommendations(*, organization: Organization, ticket: Ticket, now: dt.datetime | None = None,
                           limit: int = 5, travel: TravelModel | None = None) -> list[Recommendation]:
    """The best `limit` qualified technicians for the ticket, each at the best place in their route."""
    now = now or timezone.now()
    travel = travel or default_travel()
    site = ticket.site
    requirements = Requirements(skills=frozenset(ticket.required_skills),
                                certifications=frozenset(ticket.required_certifications),
                                clearance=site.clearance_required)
    skus = {p["sku"] for p in ticket.parts or []}
    technicians = _candidates(organization, requirements, now, skus)
    routes = _routes(organization, [t.pk for t in technicians], ticket.pk)
    pickups = _pickup_points(organization, skus)
    new = Stop(ticket_id=ticket.pk, number=ticket.number, point=(site.latitude, site.longitude),
               duration=DURATION_BY_JOB_TYPE.get(ticket.job_type, 60), due=response_due(ticket))
    results = [_best_insertion(t, routes.get(t.pk, []), new, requirements, skus, pickups, ticket, now, travel)
               for t in technicians]
    results.sort(key=lambda r: -r.score)
    return results[:limit]


def _best_insertion(tech, route, new, requirements, skus, pickups, ticket, now, travel) -> Recommendation:
    start, shift_note = _shift_start(tech, now)
    origin = tech.position
    base = _simulate(start, origin, route, travel)
    base_late = _lateness(route, base.etas)
    carried = {lvl.part.sku for lvl in tech.van.levels.all()} if getattr(tech, "van", None) else set()
    needs_pickup = bool(skus) and not skus <= carried
    weight = LATENESS_COST.get(ticket.priority, 4.0)

    best = None
    first_free = sum(1 for s in route if s.pinned)  # nothing goes before work already under way
    for i in range(first_free, len(route) + 1):
        candidate = route[:i] + [new] + route[i:]
        timeline = _simulate(start, origin, candidate, travel)
        eta = timeline.etas[i]
        detour_km = 0.0
        if needs_pickup and pickups:
            # Collect the parts on the way to this job: the nearest warehouse/locker to the leg's start.
            leg_from = candidate[i - 1].point if i else origin
            depot = min(pickups, key=lambda p: travel.km(leg_from, p) + travel.km(p, new.point))
            detour_km = travel.km(leg_from, depot) + travel.km(depot, new.point) - travel.km(leg_from, new.point)
            detour_minutes = (travel.minutes(leg_from, depot) + travel.minutes(depot, new.point)
                              - travel.minutes(leg_from, new.point) + PICKUP_MINUTES)
            eta += dt.timedelta(minutes=detour_minutes)
            timeline.etas[i + 1:] = [e + dt.timedelta(minutes=detour_minutes) for e in timeline.etas[i + 1:]]
        others = candidate[:i] + candidate[i + 1:]
        other_etas = timeline.etas[:i] + timeline.etas[i + 1:]
        knock_on = _lateness(others, other_etas) - base_late
        own_late = max(0.0, (eta - new.due).total_seconds() / 60) if new.due else 0.0
        added_km = timeline.km + detour_km - base.km
        # Kilometres, plus this ticket's lateness at its priority's rate, plus lateness pushed onto others.
        cost = added_km + weight * own_late + 10.0 * knock_on
        if best is None or cost < best[0]:
            best = (cost, i, eta, added_km, knock_on, own_late)
    cost, position, eta, added_km, knock_on, own_late = best

    direct_km = travel.km(origin if position == 0 else route[position - 1].point, new.point)
    direct_min = travel.minutes(origin if position == 0 else route[position - 1].point, new.point)
    reasons = []
    if requirements.skills:
        reasons.append("has " + ", ".join(sorted(requirements.skills)))
    for code in sorted(requirements.certifications):
        cert = next(c for c in tech.certifications.all() if c.code == code)
        reasons.append(f"{code} valid" + (f" until {cert.expires_on:%Y-%m-%d}" if cert.expires_on else ""))
    if requirements.clearance != "none":
        reasons.append(f"clearance {tech.clearance} (site needs {requirements.clearance})")
    if route:
        reasons.append(f"slot {position + 1} of {len(route) + 1} on the route; +{added_km:.0f} km driving")
    else:
        where = "current position" if tech.current_latitude is not None else "home base"
        reasons.append(f"free; {direct_km:.0f} km from {where} (~{direct_min:.0f} min drive)")
    if shift_note:
        reasons.append(shift_note)
    if knock_on > 0.5:
        reasons.append(f"delays other jobs past their SLA by {knock_on:.0f} min in total")
    elif route:
        reasons.append("no knock-on lateness for jobs already on the route")
    slack = None
    score = 100.0 - min(45.0, added_km / 3) - 4.0 * len(route) - min(30.0, knock_on / 5)
    if new.due is not None:
        slack = (new.due - eta).total_seconds() / 60
        if slack >= 0:
            reasons.append(f"ETA {eta.astimezone(ZoneInfo(ticket.site.timezone)):%H:%M} local, {slack:.0f} min before the response target")
        else:
            reasons.append(f"ETA {-slack:.0f} min after the response target (breach)")
            score -= 30 + min(20.0, -slack / 30)
    if skus:
        if not needs_pickup:
            reasons.append("carries the parts: " + ", ".join(sorted(skus)))
            score += 5
        elif pickups:
            reasons.append("collects " + ", ".join(sorted(skus - carried)) + " on the way")
        else:
            reasons.append("parts not in stock anywhere: " + ", ".join(sorted(skus - carried)))
            score -= 10
    return Recommendation(technician=tech, score=round(max(score, 0.0), 1), eta=eta, travel_km=round(direct_km, 1),
                          travel_minutes=round(direct_min, 1), slack_minutes=None if slack is None else round(slack, 1),
                          load=len(route), position=position, added_travel_km=round(added_km, 1),
                          knock_on_minutes=round(knock_on, 1), reasons=reasons)
