"""Recommendations: insert the ticket into each qualified technician's current route and rank the results.

For every qualified technician (skill, valid certification, clearance, active, not on time off) the
ticket is tried at every position of their route of open jobs (in-progress work stays first). The best
position is the one with the least added travel plus knock-on lateness of the jobs already on the route.
Its ETA, SLA slack, added travel and knock-on lateness explain the score. A ticket with an access window
is reached no earlier than its start (an early technician waits, and the reasons say so); a technician
who can only arrive after its end is not recommended, like one without the skills.

With hundreds of technicians the time went on model instances and prefetches for every candidate and on
re-simulating every route per position. So the ranking reads technicians, routes and van stock as plain
rows and computes each insertion with the cached, exact arithmetic of `insertion.py`; only the top `limit`
become model instances and get reasons. The query count depends on the ticket (parts or not), not on the
number of technicians.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Case, Exists, F, Min, OuterRef, Prefetch, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from dispatch_platform.common.calendar import BusinessCalendar, CalendarError
from dispatch_platform.sites.choices import CLEARANCE_RANK
from dispatch_platform.tenancy.models import Organization
from inventory.models import StockLevel, StockLocation
from technicians.models import Technician, TimeOff
from technicians.selectors import Requirements, qualification_gaps
from tickets.choices import ACTIVE_WORK_STATUSES, TicketStatus
from tickets.models import Ticket

from .insertion import PICKUP_MINUTES, Detours, Insertion, Legs, Point, Stop, best_insertion
from .problem import DURATION_BY_JOB_TYPE, LATENESS_COST, response_due
from .travel import TravelModel, default_travel

__all__ = ["PICKUP_MINUTES", "Recommendation", "Stop", "ticket_recommendations"]


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


@dataclass(slots=True)
class _Candidate:
    """A technician as the ranking needs them (a plain row: a model instance each costs more than its
    whole insertion)."""

    pk: int
    timezone: str
    shift_json: str | None  # the database's text of the JSON: a key for working out each shift once
    home_latitude: float
    home_longitude: float
    current_latitude: float | None
    current_longitude: float | None

    position = property(Technician.position.fget)  # the model's own rule: last reported, else home


_CANDIDATE_FIELDS = ("pk", "timezone", "shift_json", "home_latitude", "home_longitude", "current_latitude",
                     "current_longitude")


@dataclass(slots=True)
class _Ranked:
    candidate: _Candidate
    route: list[Stop]
    insertion: Insertion
    shift_note: str | None
    needs_pickup: bool
    slack: float | None
    score: float


def _shift_start(tz: str, shift: dict | None, now: dt.datetime) -> tuple[dt.datetime, str | None]:
    try:
        calendar = BusinessCalendar.from_spec(timezone=tz, business_hours=shift)
    except CalendarError:
        return now, None
    if calendar.is_open(now):
        return now, None
    start = calendar.add_business_minutes(now, 0)
    return start, f"off shift now; next shift starts {start.astimezone(ZoneInfo(tz)):%a %H:%M} local"


def _routes(organization: Organization, technician_ids: list[int], exclude_ticket: int) -> dict[int, list[Stop]]:
    """Each technician's open jobs in route order: on site / en route first, then by scheduled start, due."""
    response_due = Min("sla_clocks__due_at", filter=Q(sla_clocks__kind="response", sla_clocks__met_at__isnull=True)
                       & ~Q(sla_clocks__state__in=("cancelled", "paused")))
    under_way = Case(When(status=TicketStatus.ON_SITE, then=Value(0)), When(status=TicketStatus.EN_ROUTE, then=Value(1)),
                     default=Value(2))
    rows = (
        Ticket.objects.for_organization(organization)
        .filter(technician_id__in=technician_ids, status__in=ACTIVE_WORK_STATUSES)
        .exclude(pk=exclude_ticket)
        .values_list("pk", "number", "technician_id", "status", "job_type", "site__latitude", "site__longitude")
        .annotate(due=response_due)
        # Sorted by the database: hundreds of small sorts on tuples of datetimes cost more in Python.
        .order_by(under_way, F("scheduled_start").asc(nulls_last=True), F("due").asc(nulls_last=True), "pk")
    )
    pinned = {TicketStatus.ON_SITE, TicketStatus.EN_ROUTE}
    routes: dict[int, list[Stop]] = {}
    for pk, number, technician_id, status, job_type, latitude, longitude, due in rows:
        stop = Stop(ticket_id=pk, number=number, point=(latitude, longitude),
                    duration=DURATION_BY_JOB_TYPE.get(job_type, 60), due=due, pinned=status in pinned)
        if (route := routes.get(technician_id)) is None:
            routes[technician_id] = [stop]
        else:
            route.append(stop)
    return routes


def _candidates(organization: Organization, requirements: Requirements, today: dt.date,
                now: dt.datetime) -> list[_Candidate]:
    """Active technicians not on time off who pass the qualification filter in SQL, by name. The few that
    make the top are re-checked with qualification_gaps (the one definition of "qualified")."""
    # One Exists for the time-off row: `exclude(Q(time_off__a) & Q(time_off__b))` would test a and b
    # on any two rows, dropping someone with a past and a future leave but none now.
    on_leave = TimeOff.objects.filter(technician=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
    qs = Technician.objects.for_organization(organization).filter(active=True).exclude(Exists(on_leave))
    for code in requirements.skills:
        qs = qs.filter(skills__code=code)
    for code in requirements.certifications:
        qs = qs.filter(Q(certifications__code=code) & (Q(certifications__expires_on__isnull=True)
                                                        | Q(certifications__expires_on__gte=today)))
    needed = CLEARANCE_RANK.get(requirements.clearance, 0)
    qs = qs.filter(clearance__in=[c for c, rank in CLEARANCE_RANK.items() if rank >= needed])
    qs = qs.distinct().annotate(shift_json=Cast("shift", TextField())).order_by("name", "pk")
    return [_Candidate(*row) for row in qs.values_list(*_CANDIDATE_FIELDS)]


def _qualified(organization: Organization, ids: list[int], requirements: Requirements,
               today: dt.date) -> dict[int, Technician]:
    """The technicians among `ids` that qualification_gaps passes, as instances (for the response)."""
    if not ids:
        return {}
    qs = Technician.objects.for_organization(organization).filter(pk__in=ids).prefetch_related(
        "skills", "certifications")
    return {t.pk: t for t in qs if not qualification_gaps(t, requirements, on=today)}


def _van_parts(technician_ids: list[int], skus: set[str]) -> dict[int, set[str]]:
    """Which of the parts each technician's van holds (in stock)."""
    carried: dict[int, set[str]] = {}
    for technician_id, sku in StockLevel.objects.filter(
            location__technician_id__in=technician_ids, part__sku__in=skus, quantity__gt=0).values_list(
            "location__technician_id", "part__sku").order_by():
        carried.setdefault(technician_id, set()).add(sku)
    return carried


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
    today = timezone.localdate(now)
    travel = travel or default_travel()
    site = ticket.site
    requirements = Requirements(skills=frozenset(ticket.required_skills),
                                certifications=frozenset(ticket.required_certifications),
                                clearance=site.clearance_required)
    skus = {p["sku"] for p in ticket.parts or []}
    candidates = _candidates(organization, requirements, today, now)
    ids = [c.pk for c in candidates]
    routes = _routes(organization, ids, ticket.pk)
    carried = _van_parts(ids, skus) if skus and ids else {}
    pickups = _pickup_points(organization, skus)
    new = Stop(ticket_id=ticket.pk, number=ticket.number, point=(site.latitude, site.longitude),
               duration=DURATION_BY_JOB_TYPE.get(ticket.job_type, 60), due=response_due(ticket),
               window=ticket.access_window)
    legs = Legs(travel)
    detours = Detours(legs, pickups, new.point) if pickups else None
    weight = LATENESS_COST.get(ticket.priority, 4.0)
    shift_starts: dict[tuple[str, str | None], tuple[dt.datetime, str | None]] = {}

    ranked = []
    for c in candidates:
        # Technicians mostly share a few shifts: work out (and decode) each distinct one once.
        key = (c.timezone, c.shift_json)
        if (shift_start := shift_starts.get(key)) is None:
            shift = None if c.shift_json is None else json.loads(c.shift_json)
            shift_start = shift_starts[key] = _shift_start(c.timezone, shift, now)
        start, shift_note = shift_start
        route = routes.get(c.pk, [])
        needs_pickup = bool(skus) and not skus <= carried.get(c.pk, set())
        insertion = best_insertion(start, c.position, route, new, legs, weight=weight,
                                   detours=detours if needs_pickup else None)
        if insertion is None:
            continue  # arrives only after the access window closes
        slack = None if new.due is None else (new.due - insertion.eta).total_seconds() / 60
        ranked.append(_Ranked(candidate=c, route=route, insertion=insertion, shift_note=shift_note,
                              needs_pickup=needs_pickup, slack=slack,
                              score=_score(insertion, len(route), slack, skus, needs_pickup, pickups)))
    ranked.sort(key=lambda r: -r.score)  # stable: equal scores keep name order

    # Walk down the ranking until `limit` pass the re-check: three queries a batch, and a second batch only
    # if the SQL filter above and qualification_gaps ever disagree.
    chosen: list[tuple[_Ranked, Technician]] = []
    taken = 0
    while len(chosen) < limit and taken < len(ranked):
        batch = ranked[taken:taken + limit - len(chosen)]
        taken += len(batch)
        technicians = _qualified(organization, [r.candidate.pk for r in batch], requirements, today)
        chosen += [(r, technicians[r.candidate.pk]) for r in batch if r.candidate.pk in technicians]
    return [_recommendation(tech, r, new, requirements, skus, carried.get(tech.pk, set()), pickups, ticket, legs)
            for r, tech in chosen]


def _score(insertion: Insertion, load: int, slack: float | None, skus: set[str], needs_pickup: bool,
           pickups: list[Point]) -> float:
    score = 100.0 - min(45.0, insertion.added_km / 3) - 4.0 * load - min(30.0, insertion.knock_on / 5)
    if slack is not None and slack < 0:
        score -= 30 + min(20.0, -slack / 30)
    if skus:
        if not needs_pickup:
            score += 5
        elif not pickups:
            score -= 10
    return round(max(score, 0.0), 1)


def _recommendation(tech: Technician, ranked: _Ranked, new: Stop, requirements: Requirements, skus: set[str],
                    carried: set[str], pickups: list[Point], ticket: Ticket, legs: Legs) -> Recommendation:
    # Where they start is read from the row the insertion used, not from `tech`, read a moment later.
    route, ins, slack, origin = ranked.route, ranked.insertion, ranked.slack, ranked.candidate.position
    direct_km, direct_min, _ = legs.get(origin if ins.position == 0 else route[ins.position - 1].point, new.point)
    reasons = []
    if requirements.skills:
        reasons.append("has " + ", ".join(sorted(requirements.skills)))
    for code in sorted(requirements.certifications):
        cert = next(c for c in tech.certifications.all() if c.code == code)
        reasons.append(f"{code} valid" + (f" until {cert.expires_on:%Y-%m-%d}" if cert.expires_on else ""))
    if requirements.clearance != "none":
        reasons.append(f"clearance {tech.clearance} (site needs {requirements.clearance})")
    if route:
        reasons.append(f"slot {ins.position + 1} of {len(route) + 1} on the route; +{ins.added_km:.0f} km driving")
    else:
        where = "current position" if ranked.candidate.current_latitude is not None else "home base"
        reasons.append(f"free; {direct_km:.0f} km from {where} (~{direct_min:.0f} min drive)")
    if ranked.shift_note:
        reasons.append(ranked.shift_note)
    if ins.wait_minutes >= 0.5:
        opens = ticket.access_start.astimezone(ZoneInfo(ticket.site.timezone))
        reasons.append(f"waits {ins.wait_minutes:.0f} min for the access window (opens {opens:%a %H:%M} local)")
    if ins.knock_on > 0.5:
        reasons.append(f"delays other jobs past their SLA by {ins.knock_on:.0f} min in total")
    elif route:
        reasons.append("no knock-on lateness for jobs already on the route")
    if slack is not None:
        if slack >= 0:
            reasons.append(f"ETA {ins.eta.astimezone(ZoneInfo(ticket.site.timezone)):%H:%M} local, "
                           f"{slack:.0f} min before the response target")
        else:
            reasons.append(f"ETA {-slack:.0f} min after the response target (breach)")
    if skus:
        if not ranked.needs_pickup:
            reasons.append("carries the parts: " + ", ".join(sorted(skus)))
        elif pickups:
            reasons.append("collects " + ", ".join(sorted(skus - carried)) + " on the way")
        else:
            reasons.append("parts not in stock anywhere: " + ", ".join(sorted(skus - carried)))
    return Recommendation(technician=tech, score=ranked.score, eta=ins.eta, travel_km=round(direct_km, 1),
                          travel_minutes=round(direct_min, 1), slack_minutes=None if slack is None else round(slack, 1),
                          load=len(route), position=ins.position, added_travel_km=round(ins.added_km, 1),
                          knock_on_minutes=round(ins.knock_on, 1), reasons=reasons)
