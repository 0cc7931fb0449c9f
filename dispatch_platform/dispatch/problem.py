"""The database as an optimiser problem (shared/optimizer-contract.md): open tickets and technicians.

Times are minutes from `now`. Distances are haversine km; travel minutes = km × road factor ÷ speed.

A job's time window (when its visit may start) is the site's first open stretch in the horizon; a ticket
with an access window gets that window instead, whatever the site's hours: the access the site granted for
this ticket is often outside them (the store's 06:00–08:00 before it opens). A ticket whose access window is
past or starts beyond the horizon is left out of the plan: sending someone outside it finds the door shut,
and a later plan (or the dispatcher, with a new window) takes it up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from dispatch_platform.common.calendar import BusinessCalendar, CalendarError
from dispatch_platform.sites.selectors import site_calendar
from dispatch_platform.tenancy.models import Organization
from inventory.models import StockLevel, StockLocation
from technicians.models import Certification, Technician
from technicians.selectors import Requirements, qualification_gaps
from tickets.choices import TicketStatus
from tickets.models import Ticket

from .travel import HaversineTravel, default_travel

HORIZON_MINUTES = 24 * 60
# Tickets the optimiser may (re)plan; en-route and on-site work is pinned to its technician.
PLANNABLE = (TicketStatus.NEW, TicketStatus.TRIAGED, TicketStatus.SCHEDULED, TicketStatus.DISPATCHED,
             TicketStatus.NEEDS_REVISIT)
PINNED = (TicketStatus.EN_ROUTE, TicketStatus.ON_SITE)
DURATION_BY_JOB_TYPE = {"break_fix": 60, "install": 120, "move_add_change": 90, "maintenance": 60}
# Cost per minute late against the response due time, and the cost of leaving the job for another day.
LATENESS_COST = {"P1": 50.0, "P2": 15.0, "P3": 4.0, "P4": 1.0}
UNASSIGNED_PENALTY = {"P1": 1_000_000, "P2": 200_000, "P3": 50_000, "P4": 20_000}
# Left out of the plan, a job due before anyone who may serve it is back at work is a certain breach,
# unlike one due later: its penalty adds a breach priced like leaving a job of the next priority up (a P3
# due today outranks a P2 due tomorrow, which tomorrow can still serve in time), and the lateness it will
# have by then (so an already overdue job is not dropped for a fresh one of its priority to save minutes).
BREACH_PENALTY = {"P1": 1_000_000, "P2": 1_000_000, "P3": 200_000, "P4": 50_000}
NEXT_SHIFT_DAYS = 8  # how far to look for a technician's next shift (a long weekend with holidays)


@dataclass
class BuiltProblem:
    problem: dict
    now: dt.datetime
    tickets: dict[str, Ticket] = field(default_factory=dict)
    technicians: dict[str, Technician] = field(default_factory=dict)

    @property
    def input_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.problem, sort_keys=True).encode()).hexdigest()

    def moment(self, minutes: float) -> dt.datetime:
        return self.now + dt.timedelta(minutes=minutes)


def _minutes(now: dt.datetime, moment: dt.datetime) -> float:
    return round((moment - now).total_seconds() / 60, 3)


def response_due(ticket: Ticket) -> dt.datetime | None:
    """The due time of the ticket's response clock while it still counts (not met, paused or cancelled).
    Uses the prefetched `sla_clocks`."""
    return next((c.due_at for c in ticket.sla_clocks.all()
                 if c.kind == "response" and c.met_at is None and c.state not in ("cancelled", "paused")), None)


def _window(now: dt.datetime, calendar: BusinessCalendar) -> list[float] | None:
    """The first open stretch in the horizon (a job must start inside it; its service may run past close)."""
    for start, end in calendar.open_intervals(now, now + dt.timedelta(minutes=HORIZON_MINUTES)):
        if (end - start).total_seconds() / 60 >= 1:
            return [max(0.0, _minutes(now, start)), _minutes(now, end)]
    return None


def _access_window(now: dt.datetime, start: dt.datetime, end: dt.datetime) -> list[float] | None:
    """The ticket's access window [start, end) inside the horizon, if a minute of it is left."""
    start, end = max(now, start), min(end, now + dt.timedelta(minutes=HORIZON_MINUTES))
    if (end - start).total_seconds() / 60 < 1:
        return None
    return [_minutes(now, start), _minutes(now, end)]


def _shift(now: dt.datetime, technician: Technician) -> tuple[list[float], float] | None:
    """The technician's shift in the horizon (its first open stretch) and when he can next work after it
    (minutes from now): the next stretch's start, or the horizon's end if this one runs on past it."""
    try:
        calendar = BusinessCalendar.from_spec(timezone=technician.timezone, business_hours=technician.shift)
    except CalendarError:
        return None
    shift = _window(now, calendar)
    if shift is None:
        return None
    if shift[1] >= HORIZON_MINUTES:
        return shift, float(HORIZON_MINUTES)
    end = now + dt.timedelta(minutes=shift[1])
    later = (s for s, e in calendar.open_intervals(end, now + dt.timedelta(days=NEXT_SHIFT_DAYS))
             if s > end and (e - s).total_seconds() >= 60)
    start = next(later, None)
    return shift, _minutes(now, start) if start is not None else NEXT_SHIFT_DAYS * 24 * 60.0


def _certain_breach_cost(priority: str, due: float, lateness_cost: float, next_chance: float | None) -> float:
    """What leaving the job out of this plan adds to its penalty (0 unless it then cannot be on time)."""
    if next_chance is None or due >= next_chance:
        return 0.0
    return (BREACH_PENALTY[priority] if due > 0 else 0.0) + lateness_cost * (next_chance - due)


def _van_skus(technician: Technician) -> set[str]:
    van = getattr(technician, "van", None)  # a missing van raises a subclass of AttributeError
    return {lvl.part.sku for lvl in van.levels.all()} if van else set()


def _nearest_pickup(site_point, sku_set, stock_points) -> list[float] | None:
    """The nearest warehouse or locker holding every part the job needs."""
    candidates = [point for point, skus in stock_points if sku_set <= skus]
    if not candidates:
        return None
    return list(min(candidates, key=lambda p: (p[0] - site_point[0]) ** 2 + (p[1] - site_point[1]) ** 2))


def build_problem(*, organization: Organization, now: dt.datetime | None = None,
                  travel: HaversineTravel | None = None, region: str = "") -> BuiltProblem:
    """The tenant's open work (one region's, when `region` is given) and technicians on shift."""
    now = (now or timezone.now()).replace(microsecond=0)
    travel = travel or default_travel()
    today = timezone.localdate(now)
    technicians = list(
        Technician.objects.for_organization(organization).filter(active=True)
        .exclude(time_off__starts_at__lte=now, time_off__ends_at__gt=now)
        .prefetch_related("skills", Prefetch("certifications", queryset=Certification.objects.all()),
                          Prefetch("van__levels", queryset=StockLevel.objects.filter(quantity__gt=0).select_related("part")))
        .order_by("pk")
    )
    tickets_qs = Ticket.objects.for_organization(organization).filter(status__in=PLANNABLE + PINNED)
    if region:
        technicians = [t for t in technicians if t.region == region]
        tickets_qs = tickets_qs.filter(site__region=region)
    tickets = list(tickets_qs.select_related("site", "site__organization").prefetch_related("sla_clocks").order_by("pk"))
    stock_points = []
    for loc in StockLocation.objects.for_organization(organization).exclude(kind=StockLocation.Kind.VAN).prefetch_related(
            Prefetch("levels", queryset=StockLevel.objects.filter(quantity__gt=0).select_related("part"))):
        stock_points.append(((loc.latitude, loc.longitude), {lvl.part.sku for lvl in loc.levels.all()}))

    built = BuiltProblem(problem={}, now=now)
    techs_json = []
    next_chance: dict[str, float] = {}
    for tech in technicians:
        shifts = _shift(now, tech)
        if shifts is None:
            continue
        tid = f"T{tech.pk}"
        shift, next_chance[tid] = shifts
        built.technicians[tid] = tech
        techs_json.append({
            "id": tid, "start": list(tech.position), "end": [tech.home_latitude, tech.home_longitude],
            "shift": shift, "skills": sorted(s.code for s in tech.skills.all()), "max_jobs": tech.max_jobs_per_day,
        })
    van_skus = {tid: _van_skus(tech) for tid, tech in built.technicians.items()}
    jobs_json = []
    allowed_for: dict[Requirements, list[str]] = {}
    site_windows: dict[int, list[float] | None] = {}
    for ticket in tickets:
        jid = f"J{ticket.pk}"
        site_point = [ticket.site.latitude, ticket.site.longitude]
        duration = DURATION_BY_JOB_TYPE.get(ticket.job_type, 60)
        requirements = Requirements(skills=frozenset(ticket.required_skills),
                                    certifications=frozenset(ticket.required_certifications),
                                    clearance=ticket.site.clearance_required)
        if ticket.status in PINNED:
            if ticket.technician_id is None or f"T{ticket.technician_id}" not in built.technicians:
                continue
            allowed = [f"T{ticket.technician_id}"]
            window = [0.0, float(HORIZON_MINUTES)]
            duration = 15 if ticket.status == TicketStatus.ON_SITE else duration
        else:
            # Thousands of tickets share a few requirement sets and sites: each is worked out once
            # (2,000 tickets × 200 technicians took 13 s one by one).
            if requirements not in allowed_for:
                allowed_for[requirements] = [tid for tid, tech in built.technicians.items()
                                             if not qualification_gaps(tech, requirements, on=today)]
            allowed = list(allowed_for[requirements])
            if ticket.access_window is not None:
                window = _access_window(now, *ticket.access_window)
            else:
                if ticket.site_id not in site_windows:
                    site_windows[ticket.site_id] = _window(now, site_calendar(ticket.site, ticket.site.organization))
                window = site_windows[ticket.site_id]
            if window is None:
                continue
        job = {"id": jid, "location": site_point, "window": window, "duration": duration,
               "skills": sorted(requirements.skills), "priority": int(ticket.priority[1]),
               "allowed_technicians": allowed,
               "unassigned_penalty": UNASSIGNED_PENALTY[ticket.priority] * (100 if ticket.status in PINNED else 1)}
        if (due := response_due(ticket)) is not None:
            job["due"] = _minutes(now, due)
            job["lateness_cost"] = LATENESS_COST[ticket.priority]
            job["unassigned_penalty"] += _certain_breach_cost(
                ticket.priority, job["due"], job["lateness_cost"], min((next_chance[t] for t in allowed), default=None))
        skus = {p["sku"] for p in ticket.parts or []}
        if skus and ticket.status not in PINNED and not all(skus <= van_skus[t] for t in allowed):
            # Someone who may be sent lacks the parts: the route collects them on the way.
            if (pickup := _nearest_pickup(site_point, skus, stock_points)) is not None:
                job["pickup"] = {"location": pickup, "duration": 10}
        built.tickets[jid] = ticket
        jobs_json.append(job)
    built.problem = {
        "version": 1, "metric": "haversine", "speed": travel.speed_kmh / 60.0, "road_factor": travel.road_factor,
        "distance_cost": 1.0, "technicians": techs_json, "jobs": jobs_json,
    }
    return built
