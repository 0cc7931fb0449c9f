"""Make any plan obey the contract, then put back what fits.

Engines solve a rounded model (and PyVRP a slightly looser one), so a route may break a hard rule by a
hair in double precision. `repair_plan` removes, route by route, the job whose removal helps most until
the route passes the checker; `insert_jobs` then tries the cheapest feasible insertion of each job left
out (must-serve jobs first), so a repair rarely costs a job. Both work on real-valued schedules only.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from .check import _structure_violations, plan_route_ok, route_excess
from .problem import Job, Problem, Technician
from .solution import Plan, Visit, schedule_route


def _without(visits: list[Visit], job_id: str) -> list[Visit]:
    return [v for v in visits if v[1] != job_id]


def _route_cost(problem: Problem, tech: Technician, visits: list[Visit], jobs: dict[str, Job]) -> float:
    if not visits:
        return 0.0
    r = schedule_route(problem, tech, visits, jobs)
    return r.distance * problem.distance_cost + r.lateness_cost + tech.fixed_cost


def _repair_route(problem: Problem, tech: Technician, visits: list[Visit], jobs: dict[str, Job]) -> list[Visit]:
    # Structure first: jobs this technician may not serve, pickups without their job (or after it).
    visits = [v for v in visits if v[1] in jobs]
    for _ in range(len(visits) + 1):
        bad = _structure_violations(tech, visits, jobs)
        if not bad:
            break
        job_ids = [j for _, j in visits]
        offender = next((j for j in job_ids if any(j in msg for msg in bad)), job_ids[0])
        visits = _without(visits, offender)
    while visits:
        route = schedule_route(problem, tech, visits, jobs)
        if route_excess(problem, tech, route, jobs) == 0.0:
            break
        best: tuple[float, float, str] | None = None
        for job_id in {j for k, j in visits if k == "job"}:
            trial = _without(visits, job_id)
            r = schedule_route(problem, tech, trial, jobs)
            # Prefer the removal that restores feasibility; among equals, drop the cheaper-to-lose job.
            loss = jobs[job_id].unassigned_penalty if jobs[job_id].optional else 1e18
            key = (route_excess(problem, tech, r, jobs), loss)
            if best is None or key < best[:2]:
                best = (key[0], key[1], job_id)
        assert best is not None
        visits = _without(visits, best[2])
    return visits


def repair_plan(problem: Problem, plan: Plan) -> Plan:
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    out: Plan = {}
    seen: set[str] = set()
    for tech_id, visits in plan.items():
        # A job may appear on one route only: later duplicates are dropped before anything else.
        mine = [v for v in visits if v[1] not in seen]
        seen.update(j for _, j in mine)
        if mine and not plan_route_ok(problem, techs[tech_id], mine, jobs):
            mine = _repair_route(problem, techs[tech_id], mine, jobs)
        out[tech_id] = mine
    return out


def insert_jobs(problem: Problem, plan: Plan, job_ids: Iterable[str], *, deadline: float | None = None,
                candidates: Mapping[str, Sequence[str]] | None = None) -> Plan:
    """Cheapest feasible insertion of each job (with its pickup) into the plan; optional jobs only when
    serving them costs less than their penalty. Stops early at `deadline` (time.monotonic()).

    `candidates` (job id -> technician ids) narrows the technicians tried for a job, e.g. to those who
    could reach it at all (`ScaledProblem.compatible`); at 2,000 x 200 trying every technician made one
    job cost ~50 ms, and the ~900 jobs an over-full day leaves out used the whole remaining budget."""
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    plan = {t.id: list(plan.get(t.id, [])) for t in problem.technicians}
    order = sorted(job_ids, key=lambda j: (jobs[j].optional, -(jobs[j].unassigned_penalty or 0.0)))
    for job_id in order:
        if deadline is not None and time.monotonic() > deadline:
            break
        job = jobs[job_id]
        best: tuple[float, str, list[Visit]] | None = None
        tried = plan.keys() if candidates is None else [t for t in candidates.get(job_id, ()) if t in plan]
        for tech_id in tried:
            visits = plan[tech_id]
            tech = techs[tech_id]
            if not job.skills <= tech.skills:
                continue
            if job.allowed_technicians is not None and tech_id not in job.allowed_technicians:
                continue
            if tech.max_jobs is not None and sum(1 for k, _ in visits if k == "job") >= tech.max_jobs:
                continue
            if tech.capacity is not None and \
                    sum(jobs[j].demand for k, j in visits if k == "job") + job.demand > tech.capacity + 1e-9:
                continue
            base = _route_cost(problem, tech, visits, jobs)
            n = len(visits)
            for j in range(n + 1):
                pickup_positions = range(j + 1) if job.pickup is not None else [None]
                for i in pickup_positions:
                    trial = visits[:j] + [("job", job_id)] + visits[j:]
                    if i is not None:
                        trial = trial[:i] + [("pickup", job_id)] + trial[i:]
                    if not plan_route_ok(problem, tech, trial, jobs):
                        continue
                    delta = _route_cost(problem, tech, trial, jobs) - base
                    if best is None or delta < best[0]:
                        best = (delta, tech_id, trial)
        if best is None:
            continue
        if job.optional and best[0] >= (job.unassigned_penalty or 0.0):
            continue
        plan[best[1]] = best[2]
    return plan


def gather_pickups(problem: Problem, plan: Plan) -> Plan:
    """Make several pick-ups at one locker consecutive stops (as the contract describes them).

    A later pick-up at the same place is moved right behind the first one: that never adds distance
    (the detour to the locker disappears) but it moves time earlier on the way, so the move is kept only
    if the route stays feasible and costs no more.
    """
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    out: Plan = {}
    for tech_id, visits in plan.items():
        tech = techs[tech_id]
        visits = list(visits)
        changed = True
        while changed:
            changed = False
            for i, (kind, job_id) in enumerate(visits):
                if kind != "pickup":
                    continue
                place = jobs[job_id].pickup.location  # type: ignore[union-attr]
                end = i + 1
                while end < len(visits) and visits[end][0] == "pickup" and \
                        jobs[visits[end][1]].pickup.location == place:  # type: ignore[union-attr]
                    end += 1
                later = next((k for k in range(end, len(visits)) if visits[k][0] == "pickup"
                              and jobs[visits[k][1]].pickup.location == place), None)  # type: ignore[union-attr]
                if later is None:
                    continue
                trial = visits[:end] + [visits[later]] + visits[end:later] + visits[later + 1:]
                if plan_route_ok(problem, tech, trial, jobs) and \
                        _route_cost(problem, tech, trial, jobs) <= _route_cost(problem, tech, visits, jobs) + 1e-9:
                    visits = trial
                    changed = True
                    break
        out[tech_id] = visits
    return out

