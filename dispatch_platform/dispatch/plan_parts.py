"""Writes of the dispatch app for plans solved by regional parts (above settings.PLAN_DECOMPOSE_ABOVE_JOBS):
queue the parts, solve one part, merge them into the plan's proposal, rescue a split whose parts never ended.

services.dispatch_plan_run hands a large plan over here; the plan's proposal, failure and grace rules stay
in services, which this module uses (one way: services reaches here only from inside dispatch_plan_run)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dispatch_platform.optimizer import Problem, decompose, parse_problem
from technicians.models import Technician
from tickets.models import Ticket

from .models import DispatchPlan, DispatchPlanPart, DispatchPlanSplit
from .problem import BuiltProblem
from .services import _check, _fail, _propose, overdue_grace

logger = logging.getLogger(__name__)

# The optimiser's advice for one part; never above the threshold itself, so that lowering
# PLAN_DECOMPOSE_ABOVE_JOBS (to spread a mid-sized tenant over several workers) also makes the parts smaller.
PART_MAX_JOBS = 800
# Parts handed out within this long of the split wait SETTLE_SECONDS before taking their share of the time:
# long enough for idle workers to claim the other parts, so that parts running side by side each get the
# whole first pass instead of the share one worker would have.
SETTLE_WINDOW_SECONDS = 2.0
SETTLE_SECONDS = 0.3


def part_max_jobs() -> int:
    return max(1, min(PART_MAX_JOBS, settings.PLAN_DECOMPOSE_ABOVE_JOBS))


def dispatch_plan_parts_queue(*, plan: DispatchPlan, built: BuiltProblem, problem: Problem) -> bool:
    """Splits the running plan's problem by region and queues its parts (dispatch_plan_part_solve). False
    when it cannot be split (nobody on shift): the single model then reports every job unassigned."""
    parts = decompose.split(problem, part_max_jobs())
    if not parts:
        return False
    _queue_parts(plan, built, parts)
    return True


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
    countdown = (split_row.search_until - timezone.now() + overdue_grace(plan)).total_seconds()
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
        elif now - split_row.merge_started_at < overdue_grace(plan):
            return (split_row.merge_started_at + overdue_grace(plan) - now).total_seconds() + 1
    if merge_now:
        _merge_parts(plan_id)
        return None
    logger.error("Plan %s: the merge of its parts started at %s and never finished",
                 plan_id, split_row.merge_started_at)
    _fail(plan_id, "merging the regional parts did not finish (its worker stopped); run the plan again")
    return None


def dispatch_plan_parts_slim(*, now: dt.datetime | None = None) -> int:
    """Drops the sub-problems and solutions of split plans that ended more than PLAN_PARTS_KEEP_DAYS ago.
    They are kept that long to reproduce or debug a plan; each part's figures (jobs, served, solve time,
    worker) and the plan's own assignments and figures stay. Returns how many parts were slimmed."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.PLAN_PARTS_KEEP_DAYS)
    ended = DispatchPlan.objects.exclude(status__in=[DispatchPlan.Status.QUEUED, DispatchPlan.Status.RUNNING]) \
        .filter(updated_at__lt=cutoff).values("pk")
    with transaction.atomic():
        slimmed = (DispatchPlanPart.objects.filter(plan__in=ended).exclude(problem={})
                   .update(problem={}, solution=None))
        DispatchPlanSplit.objects.filter(plan__in=ended).exclude(problem={}).update(problem={}, tickets={},
                                                                                      technicians={})
    return slimmed
