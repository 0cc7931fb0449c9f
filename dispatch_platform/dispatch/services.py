"""Writes of the dispatch app: optimiser plans — run, store as a proposal, apply, give up on a lost run.
(Plans solved by regional parts: plan_parts.py.)"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dispatch_platform.common.exceptions import ApplicationError, ConflictError
from dispatch_platform.optimizer import check_solution, parse_problem, solve
from dispatch_platform.tenancy.models import Organization
from technicians.models import Technician
from tickets import lifecycle
from tickets.choices import TicketStatus
from tickets.models import Ticket
from tickets.services import Actor, ticket_assign, ticket_eta_set

from .models import Assignment, DispatchPlan, DispatchPlanSplit
from .problem import BuiltProblem, build_problem

logger = logging.getLogger(__name__)

MAX_TIME_LIMIT = 300
# What a run may take beyond its time limit to read the tenant's day and build the problem (travel
# matrix included) before the solver starts.
BUILD_ALLOWANCE_SECONDS = 120
# How long past its deadline a running plan is waited for before an overdue check gives up on it
# (dispatch_plan_overdue, plan_parts.dispatch_plan_parts_overdue): room for a busy queue, at least a minute.
OVERDUE_GRACE_MIN_SECONDS = 60
LOST_RUN_ERROR = "the optimiser did not finish: worker lost or overloaded; run the plan again"


# Events within this many seconds of a re-plan request join it instead of starting another run.
REPLAN_DEBOUNCE_SECONDS = 60
REPLAN_TIME_LIMIT = 10


@transaction.atomic
def dispatch_plan_create(*, organization: Organization, user=None, time_limit: int = 10, region: str = "",
                         trigger: str = "manual", countdown: float = 0) -> DispatchPlan:
    """Queues an optimiser run over the tenant's open tickets (Celery `optimize` queue)."""
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise ApplicationError("Bad time limit", {"time_limit": [f"Between 1 and {MAX_TIME_LIMIT} seconds."]})
    plan = DispatchPlan.objects.create(organization=organization, created_by=user if getattr(user, "pk", None) else None,
                                       time_limit_seconds=time_limit, region=region, trigger=trigger)
    from . import tasks

    transaction.on_commit(lambda: tasks.dispatch_plan_run.apply_async(args=[plan.pk], countdown=countdown))
    return plan


@transaction.atomic
def replan_request(*, organization: Organization, region: str, trigger: str) -> DispatchPlan | None:
    """A re-plan for one region after an event, debounced: while a triggered plan for the region waits to
    run, further events join it. Returns the new plan, or None when an earlier one absorbs the event."""
    # The organization row serialises concurrent requests for the same tenant.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    waiting = DispatchPlan.objects.filter(organization=organization, region=region, status=DispatchPlan.Status.QUEUED,
                                          created_at__gte=timezone.now() - dt.timedelta(seconds=REPLAN_DEBOUNCE_SECONDS))
    if waiting.exclude(trigger="manual").exists():
        return None
    return dispatch_plan_create(organization=organization, time_limit=REPLAN_TIME_LIMIT, region=region,
                                trigger=trigger, countdown=REPLAN_DEBOUNCE_SECONDS)


def dispatch_plan_start_due(plan: DispatchPlan) -> dt.datetime:
    """When a queued plan is due to be picked up by a worker: a triggered re-plan first waits out the
    debounce (replan_request), a manual one at once."""
    wait = 0 if plan.trigger == "manual" else REPLAN_DEBOUNCE_SECONDS
    return plan.created_at + dt.timedelta(seconds=wait)


def dispatch_plan_run(*, plan_id: int) -> DispatchPlan:
    """Builds the problem from the database, solves it (outside any transaction: a solve takes seconds and
    SQLite's IMMEDIATE transactions would hold the write lock), and stores the proposal with its KPIs.

    Above settings.PLAN_DECOMPOSE_ABOVE_JOBS jobs the problem is split by region instead and each part
    queued as its own task (dispatch_plan_part_solve), so that as many workers as there are solve it side
    by side; the plan stays `running` until the task that finishes the last part has merged them.

    Whichever way it is solved, a plan that starts running gets dispatch_plan_overdue queued for its
    deadline, so that a run whose worker is lost does not stay `running` for ever."""
    claimed = DispatchPlan.objects.filter(pk=plan_id, status=DispatchPlan.Status.QUEUED).update(
        status=DispatchPlan.Status.RUNNING, updated_at=timezone.now())
    plan = DispatchPlan.objects.select_related("organization").get(pk=plan_id)
    if not claimed:
        return plan  # another worker has it, or it ran already
    _queue_overdue_check(plan)
    try:
        built = build_problem(organization=plan.organization, region=plan.region)
        problem = parse_problem(built.problem)
        started = time.monotonic()
        if len(problem.jobs) > settings.PLAN_DECOMPOSE_ABOVE_JOBS:
            # Imported here: plan_parts builds on this module's proposal and failure rules.
            from .plan_parts import dispatch_plan_parts_queue

            if dispatch_plan_parts_queue(plan=plan, built=built, problem=problem):
                plan.refresh_from_db()
                return plan
        solution = solve(problem, plan.time_limit_seconds)
        solve_seconds = time.monotonic() - started
        result = solution.to_dict()
        _check(problem, result)
    except Exception as exc:  # noqa: BLE001 - the plan records any failure for the dispatcher to see
        logger.exception("Plan %s failed", plan_id)
        return _fail(plan_id, str(exc))
    return _propose(plan, built, result, {"solve_seconds": round(solve_seconds, 2), "decomposed": False})


def overdue_grace(plan: DispatchPlan) -> dt.timedelta:
    return dt.timedelta(seconds=max(OVERDUE_GRACE_MIN_SECONDS, plan.time_limit_seconds))


def _queue_overdue_check(plan: DispatchPlan) -> None:
    """Queues dispatch_plan_overdue for the run's deadline: the time limit, building the problem, a grace."""
    from . import tasks

    due_at = timezone.now() + dt.timedelta(seconds=plan.time_limit_seconds + BUILD_ALLOWANCE_SECONDS)
    due_at += overdue_grace(plan)
    transaction.on_commit(
        lambda: tasks.dispatch_plan_overdue.apply_async(args=[plan.pk, due_at.isoformat()], eta=due_at))


def dispatch_plan_overdue(*, plan_id: int, due_at: dt.datetime) -> float | None:
    """Beat-free safety net, queued when a plan starts running for its deadline plus a grace: a plan still
    running then has lost its worker (killed, out of memory, past Celery's hard time limit, its machine
    gone) or one too overloaded to finish. It fails with a reason the dispatcher can act on; a result that
    turns up later is ignored (_propose keeps a plan that is no longer running). A split plan is left to
    its own check, plan_parts.dispatch_plan_parts_overdue, which can still merge the parts that ended.
    Called before due_at (eager Celery, clock skew), it changes nothing and returns the seconds left."""
    now = timezone.now()
    if now < due_at:
        return (due_at - now).total_seconds()
    with transaction.atomic():
        plan = DispatchPlan.objects.select_for_update().filter(pk=plan_id).first()
        if (plan is None or plan.status != DispatchPlan.Status.RUNNING
                or DispatchPlanSplit.objects.filter(plan_id=plan_id).exists()):
            return None
        logger.error("Plan %s: still running at its deadline %s; its worker was lost or overloaded",
                     plan_id, due_at)
        _fail(plan_id, LOST_RUN_ERROR)
    return None


def _check(problem, result: dict) -> None:
    if errors := check_solution(problem, result):
        raise RuntimeError("optimiser solution failed the contract check: " + "; ".join(errors[:3]))


def _fail(plan_id: int, error: str) -> DispatchPlan:
    DispatchPlan.objects.filter(pk=plan_id, status=DispatchPlan.Status.RUNNING).update(
        status=DispatchPlan.Status.FAILED, error=error[:2000], updated_at=timezone.now())
    return DispatchPlan.objects.select_related("organization").get(pk=plan_id)


def _propose(plan: DispatchPlan, built: BuiltProblem, result: dict, extra_kpis: dict) -> DispatchPlan:
    """The solution as the plan's proposal (assignments, KPIs), then auto-dispatch where the tenant wants it."""
    with transaction.atomic():
        plan = DispatchPlan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
        if plan.status != DispatchPlan.Status.RUNNING:
            # Given up on meanwhile (dispatch_plan_overdue, plan_parts.dispatch_plan_parts_overdue): keep
            # what the dispatcher saw, the failure and its reason.
            logger.warning("Plan %s: a result arrived after the plan became %s; ignored", plan.pk, plan.status)
            return plan
        assignments, kpis = _assignments(plan, built, result)
        Assignment.objects.bulk_create(assignments)
        plan.input_hash = built.input_hash
        plan.objective = result["objective"]
        plan.kpis = {**kpis, **extra_kpis}
        plan.status = DispatchPlan.Status.PROPOSED
        plan.save()
    if plan.trigger != "manual" and plan.organization.auto_dispatch:
        dispatch_plan_apply(organization=plan.organization, plan=plan, actor=Actor(label="auto-dispatch"))
        plan.refresh_from_db()
    return plan


def _assignments(plan: DispatchPlan, built: BuiltProblem, result: dict) -> tuple[list[Assignment], dict]:
    rows, late_jobs, changes, kept = [], 0, 0, 0
    for route in result["routes"]:
        technician = built.technicians[route["technician"]]
        sequence = 0
        for stop in route["stops"]:
            if "job" not in stop:
                continue
            ticket = built.tickets[stop["job"]]
            sequence += 1
            rows.append(Assignment(plan=plan, ticket=ticket, technician=technician, sequence=sequence,
                                   planned_start=built.moment(stop["start"]), planned_end=built.moment(stop["end"])))
            job = next(j for j in built.problem["jobs"] if j["id"] == stop["job"])
            if "due" in job and stop["start"] > job["due"] + 0.01:
                late_jobs += 1
            if ticket.technician_id == technician.pk:
                kept += 1
            else:
                changes += 1
    unassigned = result["unassigned"]
    already_late = sum(1 for j in built.problem["jobs"] if "due" in j and j["due"] < 0)
    kpis = {
        "jobs": len(built.problem["jobs"]),
        "technicians_available": len(built.problem["technicians"]),
        "assigned": len(rows),
        "unassigned": len(unassigned),
        "unassigned_tickets": [built.tickets[j].number for j in unassigned],
        "technicians_used": result["technicians_used"],
        "travel_km": round(result["distance"] * built.problem["road_factor"], 1),
        "lateness_minutes": round(result["lateness"], 1),
        "sla_breaches_planned": late_jobs,
        "already_overdue": already_late,
        "reassignments": changes,
        "unchanged": kept,
    }
    return rows, kpis


def plan_diff(plan: DispatchPlan) -> list[dict]:
    """What applying the plan would change: one row per ticket whose technician differs from today's."""
    rows = []
    for a in plan.assignments.select_related("ticket", "technician", "ticket__technician", "ticket__site"):
        current = a.ticket.technician
        if current is None or current.pk != a.technician_id:
            rows.append({"assignment": a, "ticket": a.ticket, "from": current, "to": a.technician})
    return rows


@transaction.atomic
def dispatch_plan_apply(*, organization: Organization, plan: DispatchPlan, actor: Actor,
                        ticket_ids: list[int] | None = None) -> dict:
    """Assigns the plan's tickets to its technicians, each through ticket_assign (row locks, audit).

    A ticket that moved on since the plan was made (started, cancelled, assigned by hand to someone else)
    is skipped and reported, never overwritten.
    """
    plan = DispatchPlan.objects.select_for_update().get(pk=plan.pk, organization=organization)
    if plan.status != DispatchPlan.Status.PROPOSED:
        raise ConflictError(f"The plan is {plan.status}; only a proposed plan can be applied.",
                            {"status": [f"Plan is {plan.status}."]})
    assignments = plan.assignments.select_related("ticket", "technician").order_by("technician_id", "sequence")
    if ticket_ids is not None:
        assignments = assignments.filter(ticket_id__in=ticket_ids)
    applied, skipped = [], []
    # Lock technicians in a fixed order (by id) so two concurrent applies cannot deadlock.
    tech_ids = sorted({a.technician_id for a in assignments})
    list(Technician.objects.select_for_update().filter(pk__in=tech_ids).order_by("pk"))
    for a in assignments:
        ticket = Ticket.objects.select_for_update().get(pk=a.ticket_id)
        if ticket.status not in lifecycle.ASSIGNABLE:
            skipped.append({"ticket": ticket.number, "reason": f"now {ticket.status}"})
            continue
        if ticket.technician_id not in (None, a.technician_id) and ticket.updated_at > plan.created_at:
            skipped.append({"ticket": ticket.number, "reason": "assigned by hand since the plan was made"})
            continue
        if ticket.technician_id == a.technician_id and ticket.scheduled_start == a.planned_start:
            continue
        try:
            ticket_assign(organization=organization, actor=actor, ticket=ticket, technician=a.technician,
                          scheduled_start=a.planned_start)
            applied.append(ticket.number)
        except ApplicationError as exc:
            skipped.append({"ticket": ticket.number, "reason": exc.message})
    plan.status = DispatchPlan.Status.APPLIED
    plan.applied_at = timezone.now()
    plan.kpis = {**plan.kpis, "applied": len(applied), "skipped": skipped}
    plan.save(update_fields=["status", "applied_at", "kpis", "updated_at"])
    return {"applied": applied, "skipped": skipped}


@transaction.atomic
def dispatch_plan_discard(*, organization: Organization, plan: DispatchPlan) -> DispatchPlan:
    updated = DispatchPlan.objects.filter(pk=plan.pk, organization=organization,
                                          status__in=[DispatchPlan.Status.PROPOSED, DispatchPlan.Status.FAILED])
    if not updated.update(status=DispatchPlan.Status.DISCARDED):
        raise ConflictError("Only a proposed or failed plan can be discarded.", {"status": [plan.status]})
    plan.refresh_from_db()
    return plan


LATE_AFTER_MINUTES = 15


def replan_watch(*, now: dt.datetime | None = None) -> list[DispatchPlan]:
    """Beat: re-plan regions where a technician is running late (not en route 15 min after the planned
    start) or has gone off shift with dispatched work still waiting."""
    from dispatch_platform.common.calendar import BusinessCalendar, CalendarError
    from tickets.choices import TicketStatus

    now = now or timezone.now()
    waiting = (Ticket.objects.filter(status=TicketStatus.DISPATCHED, technician__isnull=False)
               .select_related("organization", "site", "technician"))
    regions: dict[tuple[int, str], tuple[Organization, str]] = {}
    for ticket in waiting:
        tech = ticket.technician
        late = ticket.scheduled_start and ticket.scheduled_start < now - dt.timedelta(minutes=LATE_AFTER_MINUTES)
        try:
            off = not BusinessCalendar.from_spec(timezone=tech.timezone, business_hours=tech.shift).is_open(now)
        except CalendarError:
            off = False
        if late or off:
            regions.setdefault((ticket.organization_id, ticket.site.region),
                               (ticket.organization, "late" if late else "off_shift"))
    plans = []
    for (_, region), (organization, trigger) in sorted(regions.items()):
        if plan := replan_request(organization=organization, region=region, trigger=trigger):
            plans.append(plan)
    return plans


def ticket_eta_estimate(*, ticket: Ticket, actor: Actor) -> Ticket:
    """The ETA a customer is told: en route, now plus the drive from the technician's last known position;
    dispatched, the scheduled start if planned, else when the jobs before it on the route are done."""
    from .recommend import DURATION_BY_JOB_TYPE
    from .travel import default_travel

    if ticket.technician_id is None:
        return ticket
    technician = Technician.objects.get(pk=ticket.technician_id)
    travel = default_travel()
    site = (ticket.site.latitude, ticket.site.longitude)
    now = timezone.now()
    if ticket.status == TicketStatus.EN_ROUTE:
        eta, reason = now + dt.timedelta(minutes=travel.minutes(technician.position, site)), "en route"
    elif ticket.scheduled_start is not None:
        eta, reason = ticket.scheduled_start, "scheduled"
    else:
        ahead = Ticket.objects.filter(technician=technician, status__in=[TicketStatus.EN_ROUTE, TicketStatus.ON_SITE]
                                      ).exclude(pk=ticket.pk).values_list("job_type", flat=True)
        busy = sum(DURATION_BY_JOB_TYPE.get(j, 60) for j in ahead)
        eta = now + dt.timedelta(minutes=busy + travel.minutes(technician.position, site))
        reason = "assigned"
    return ticket_eta_set(organization=ticket.organization, actor=actor, ticket=ticket, eta=eta, reason=reason)
