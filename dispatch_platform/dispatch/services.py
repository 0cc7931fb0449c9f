"""Writes of the dispatch app: optimiser plans — run, store as a proposal, apply."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dispatch_platform.common.exceptions import ApplicationError, ConflictError
from dispatch_platform.optimizer import check_solution, decompose, parse_problem, solve
from dispatch_platform.tenancy.models import Organization
from technicians.models import Technician
from tickets import lifecycle
from tickets.choices import TicketStatus
from tickets.models import Ticket
from tickets.services import Actor, ticket_assign, ticket_eta_set

from .models import Assignment, DispatchPlan, DispatchPlanPart, DispatchPlanSplit
from .problem import BuiltProblem, build_problem

logger = logging.getLogger(__name__)

MAX_TIME_LIMIT = 300


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


def dispatch_plan_run(*, plan_id: int) -> DispatchPlan:
    """Builds the problem from the database, solves it (outside any transaction: a solve takes seconds and
    SQLite's IMMEDIATE transactions would hold the write lock), and stores the proposal with its KPIs.

    Above settings.PLAN_DECOMPOSE_ABOVE_JOBS jobs the problem is split by region instead and each part
    queued as its own task (dispatch_plan_part_solve), so that as many workers as there are solve it side
    by side; the plan stays `running` until the task that finishes the last part has merged them."""
    claimed = DispatchPlan.objects.filter(pk=plan_id, status=DispatchPlan.Status.QUEUED).update(
        status=DispatchPlan.Status.RUNNING, updated_at=timezone.now())
    plan = DispatchPlan.objects.select_related("organization").get(pk=plan_id)
    if not claimed:
        return plan  # another worker has it, or it ran already
    try:
        built = build_problem(organization=plan.organization, region=plan.region)
        problem = parse_problem(built.problem)
        started = time.monotonic()
        if len(problem.jobs) > settings.PLAN_DECOMPOSE_ABOVE_JOBS:
            parts = decompose.split(problem, part_max_jobs())
            if parts:  # none: nobody on shift, the single model reports every job unassigned
                _queue_parts(plan, built, parts)
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
            return plan  # given up on meanwhile (dispatch_plan_parts_overdue): keep what the dispatcher saw
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


# --- Plans solved by regional parts ------------------------------------------------------------------
# The optimiser's advice for one part; never above the threshold itself, so that lowering
# PLAN_DECOMPOSE_ABOVE_JOBS (to spread a mid-sized tenant over several workers) also makes the parts smaller.
PART_MAX_JOBS = 800
# Parts handed out within this long of the split wait SETTLE_SECONDS before taking their share of the time:
# long enough for idle workers to claim the other parts, so that parts running side by side each get the
# whole first pass instead of the share one worker would have.
SETTLE_WINDOW_SECONDS = 2.0
SETTLE_SECONDS = 0.3
# How long past its deadline a split plan may stay running before dispatch_plan_parts_overdue steps in:
# room for parts that waited in a busy queue, at least a minute.
OVERDUE_GRACE_MIN_SECONDS = 60


def part_max_jobs() -> int:
    return max(1, min(PART_MAX_JOBS, settings.PLAN_DECOMPOSE_ABOVE_JOBS))


def _overdue_grace(plan: DispatchPlan) -> dt.timedelta:
    return dt.timedelta(seconds=max(OVERDUE_GRACE_MIN_SECONDS, plan.time_limit_seconds))


def _queue_parts(plan: DispatchPlan, built: BuiltProblem, parts: list[decompose.Part]) -> None:
    """Stores the split and its parts, then queues one task per part and the overdue check. The deadlines
    are absolute (wall clock: the parts may run on other machines) and count from the start of the split,
    so the plan honours its time limit however the parts are spread."""
    now = timezone.now()
    first, search = decompose.budget(plan.time_limit_seconds, len(built.problem["jobs"]))
    with transaction.atomic():
        split_row = DispatchPlanSplit.objects.create(
            plan=plan, problem=built.problem, problem_now=built.now, max_jobs_per_part=part_max_jobs(),
            tickets={jid: t.pk for jid, t in built.tickets.items()},
            technicians={tid: t.pk for tid, t in built.technicians.items()},
            started_at=now, first_pass_until=now + dt.timedelta(seconds=first),
            search_until=now + dt.timedelta(seconds=search))
        DispatchPlanPart.objects.bulk_create(
            DispatchPlanPart(plan=plan, index=p.index, problem=p.to_dict(), jobs=len(p.jobs),
                             technicians=len(p.technicians)) for p in parts)
        DispatchPlan.objects.filter(pk=plan.pk).update(
            input_hash=built.input_hash, kpis=_parts_progress(plan.pk), updated_at=timezone.now())
        transaction.on_commit(lambda: _send_parts(plan, split_row, [p.index for p in parts]))


def _send_parts(plan: DispatchPlan, split_row: DispatchPlanSplit, indices: list[int]) -> None:
    from . import tasks

    # With CELERY_TASK_ALWAYS_EAGER each part runs right here, one after the other, the last one merging.
    for index in indices:
        tasks.dispatch_plan_part_solve.apply_async(args=[plan.pk, index])
    countdown = (split_row.search_until - timezone.now() + _overdue_grace(plan)).total_seconds()
    tasks.dispatch_plan_parts_overdue.apply_async(args=[plan.pk], countdown=max(0.0, countdown))


def _parts_progress(plan_id: int) -> dict:
    statuses = list(DispatchPlanPart.objects.filter(plan_id=plan_id).values_list("status", flat=True))
    failed = (DispatchPlanPart.Status.FAILED, DispatchPlanPart.Status.TIMED_OUT)
    return {"parts": len(statuses), "parts_solved": statuses.count(DispatchPlanPart.Status.SOLVED),
            "parts_failed": sum(1 for s in statuses if s in failed)}


def dispatch_plan_part_solve(*, plan_id: int, index: int, worker: str = "") -> DispatchPlanPart | None:
    """Solves one part of a split plan until its share of the plan's time; the task that finishes the last
    part merges them all and completes the plan. A part that raises is recorded as failed and the merge goes
    on without it (its jobs are offered to idle technicians and across borders, or left unassigned)."""
    claimed = DispatchPlanPart.objects.filter(
        plan_id=plan_id, index=index, status=DispatchPlanPart.Status.QUEUED,
        plan__status=DispatchPlan.Status.RUNNING,
    ).update(status=DispatchPlanPart.Status.RUNNING, started_at=timezone.now(), worker=worker[:200])
    if not claimed:
        return None  # delivered twice, or the plan was completed or given up on without this part
    split_row = DispatchPlanSplit.objects.get(plan_id=plan_id)
    if (timezone.now() - split_row.started_at).total_seconds() < SETTLE_WINDOW_SECONDS:
        time.sleep(SETTLE_SECONDS)
    try:
        deadline = _part_deadline(plan_id, index)
        row = DispatchPlanPart.objects.get(plan_id=plan_id, index=index)
        part = decompose.Part.from_dict(row.problem)
        solution = decompose.solve_part(part, deadline)
        result = solution.to_dict()
        _check(part.problem, result)
        done = {"status": DispatchPlanPart.Status.SOLVED, "solution": result,
                "served": len(part.jobs) - len(result["unassigned"]),
                "solve_seconds": round(solution.solve_seconds, 2)}
    except Exception as exc:  # noqa: BLE001 - recorded on the part; the plan goes on without it
        logger.exception("Plan %s part %s failed", plan_id, index)
        done = {"status": DispatchPlanPart.Status.FAILED, "error": str(exc)[:2000]}
    with transaction.atomic():
        # The plan's row lock serialises the parts' endings: exactly one of them sees the last part done.
        plan = DispatchPlan.objects.select_for_update().get(pk=plan_id)
        ended = DispatchPlanPart.objects.filter(
            plan_id=plan_id, index=index, status=DispatchPlanPart.Status.RUNNING,
        ).update(finished_at=timezone.now(), **done)
        if not ended:  # timed out by dispatch_plan_parts_overdue: the merge went on without this part
            return DispatchPlanPart.objects.get(plan_id=plan_id, index=index)
        progress = _parts_progress(plan_id)
        DispatchPlan.objects.filter(pk=plan_id).update(kpis={**plan.kpis, **progress},
                                                       updated_at=timezone.now())
        merge_now = (plan.status == DispatchPlan.Status.RUNNING
                     and progress["parts_solved"] + progress["parts_failed"] == progress["parts"]
                     and DispatchPlanSplit.objects.filter(plan_id=plan_id, merge_started_at__isnull=True)
                     .update(merge_started_at=timezone.now()))
    if merge_now:
        _merge_parts(plan_id)
    return DispatchPlanPart.objects.get(plan_id=plan_id, index=index)


def _part_deadline(plan_id: int, index: int) -> float:
    """The part's absolute deadline (time.monotonic() of this process), decided under the plan's row lock
    from what the other parts hold: see optimizer.decompose.part_deadline."""
    with transaction.atomic():
        DispatchPlan.objects.select_for_update().filter(pk=plan_id).first()
        split_row = DispatchPlanSplit.objects.get(plan_id=plan_id)
        rows = list(DispatchPlanPart.objects.filter(plan_id=plan_id)
                    .values("index", "status", "jobs", "deadline_at"))
        running = [r for r in rows if r["status"] == DispatchPlanPart.Status.RUNNING]
        slots = max(split_row.slots, len(running))
        undecided = [r for r in rows if r["status"] == DispatchPlanPart.Status.QUEUED
                     or (r["status"] == DispatchPlanPart.Status.RUNNING and r["deadline_at"] is None)]
        mine = next(r for r in rows if r["index"] == index)
        now = timezone.now()
        until = decompose.part_deadline(
            now.timestamp(), split_row.first_pass_until.timestamp(), slots=slots, jobs=mine["jobs"],
            waiting_jobs=sum(r["jobs"] for r in undecided),
            others_until=[r["deadline_at"].timestamp() for r in running
                          if r["index"] != index and r["deadline_at"] is not None])
        deadline_at = dt.datetime.fromtimestamp(until, tz=dt.UTC)
        DispatchPlanPart.objects.filter(plan_id=plan_id, index=index).update(deadline_at=deadline_at)
        if slots != split_row.slots:
            DispatchPlanSplit.objects.filter(pk=split_row.pk).update(slots=slots)
    return time.monotonic() + (deadline_at - timezone.now()).total_seconds()


def _merge_parts(plan_id: int) -> DispatchPlan:
    """The parts' routes merged (second pass, insertion across borders, checked) and proposed as the plan."""
    plan = DispatchPlan.objects.select_related("organization").get(pk=plan_id)
    split_row = DispatchPlanSplit.objects.get(plan_id=plan_id)
    parts = list(DispatchPlanPart.objects.filter(plan_id=plan_id).order_by("index"))
    solved = [p for p in parts if p.status == DispatchPlanPart.Status.SOLVED]
    not_solved = [f"part {p.index} {p.get_status_display().lower()}: {p.error}"
                  for p in parts if p not in solved]
    try:
        if not solved:
            raise RuntimeError(f"none of the {len(parts)} regional parts was solved "
                               f"({'; '.join(not_solved[:3])})")
        problem = parse_problem(split_row.problem)
        clock = time.monotonic() - timezone.now().timestamp()  # wall -> this process's monotonic clock
        results = [decompose.routes_plan(p.solution) if p in solved else None for p in parts]
        solution = decompose.merge(problem, results, split_row.search_until.timestamp() + clock,
                                   max_jobs_per_part=split_row.max_jobs_per_part,
                                   workers=1,  # a Celery prefork child cannot have children of its own
                                   started=split_row.started_at.timestamp() + clock)
        result = solution.to_dict()
        _check(problem, result)
        built = _rebuilt(plan, split_row)
    except Exception as exc:  # noqa: BLE001 - the plan records any failure for the dispatcher to see
        logger.exception("Plan %s: merging the parts failed", plan_id)
        return _fail(plan_id, str(exc))
    kpis = {"solve_seconds": round((timezone.now() - split_row.started_at).total_seconds(), 2),
            "decomposed": True, "parts": len(parts), "parts_solved": len(solved),
            "parts_failed": len(parts) - len(solved), "parts_not_solved": not_solved[:5],
            "second_pass_jobs": solution.info["second_pass"].get("jobs", 0),
            "inserted_across_borders": solution.info["inserted_across_borders"]}
    return _propose(plan, built, result, kpis)


def _rebuilt(plan: DispatchPlan, split_row: DispatchPlanSplit) -> BuiltProblem:
    """The BuiltProblem the split was made from, its tickets and technicians read again by primary key."""
    tickets = Ticket.objects.for_organization(plan.organization).in_bulk(list(split_row.tickets.values()))
    techs = Technician.objects.for_organization(plan.organization).in_bulk(list(split_row.technicians.values()))
    gone = len(split_row.tickets) - len(tickets) + len(split_row.technicians) - len(techs)
    if gone:
        raise RuntimeError(f"{gone} ticket(s) or technician(s) were deleted while the plan was being solved")
    return BuiltProblem(problem=split_row.problem, now=split_row.problem_now,
                        tickets={jid: tickets[pk] for jid, pk in split_row.tickets.items()},
                        technicians={tid: techs[pk] for tid, pk in split_row.technicians.items()})


def dispatch_plan_parts_overdue(*, plan_id: int) -> float | None:
    """Beat-free safety net, queued with each split for its deadline plus a grace: a split plan still
    running then has a part that never ended (its worker died, or it still waits in a busy queue). The parts
    not done are marked timed out and the merge goes on without them; a merge that started but never
    finished (its worker died) fails the plan. Returns seconds after which to look again, or None."""
    merge_now = False
    with transaction.atomic():
        plan = DispatchPlan.objects.select_for_update().filter(pk=plan_id).first()
        split_row = DispatchPlanSplit.objects.filter(plan_id=plan_id).first()
        if plan is None or split_row is None or plan.status != DispatchPlan.Status.RUNNING:
            return None
        now = timezone.now()
        if split_row.merge_started_at is None:
            DispatchPlanPart.objects.filter(
                plan_id=plan_id, status__in=[DispatchPlanPart.Status.QUEUED, DispatchPlanPart.Status.RUNNING],
            ).update(status=DispatchPlanPart.Status.TIMED_OUT, finished_at=now,
                     error="not solved by the plan's deadline (no worker free, or its worker stopped)")
            DispatchPlanSplit.objects.filter(pk=split_row.pk).update(merge_started_at=now)
            merge_now = True
        elif now - split_row.merge_started_at < _overdue_grace(plan):
            return (split_row.merge_started_at + _overdue_grace(plan) - now).total_seconds() + 1
    if merge_now:
        _merge_parts(plan_id)
        return None
    logger.error("Plan %s: the merge of its parts started at %s and never finished",
                 plan_id, split_row.merge_started_at)
    _fail(plan_id, "merging the regional parts did not finish (its worker stopped); run the plan again")
    return None


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
