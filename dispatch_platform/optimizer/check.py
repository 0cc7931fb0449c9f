"""A checker of every contract rule, used on every solution before it is reported.

`route_violations` judges one scheduled route (hard rules: windows, shift, capacity, max_jobs,
max_duration, skills, allowed technicians, pick-up before its job on the same route); `route_excess` says
by how much, so a repair can pick the stop whose removal helps most. `check_solution` judges a solution
in the contract's JSON shape, recomputing every reported figure from the route order, so it also works on
solutions that did not come from this package.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from .problem import Job, Problem, Technician
from .solution import Route, Visit, schedule_route

TOL = 0.01  # minutes, and distance units for the reported figures (the contract's tolerance)


def _structure_violations(tech: Technician, visits: list[Visit], jobs: dict[str, Job]) -> list[str]:
    out: list[str] = []
    picked: set[str] = set()
    seen_jobs: set[str] = set()
    for kind, job_id in visits:
        job = jobs.get(job_id)
        if job is None:
            out.append(f"{tech.id}: unknown job {job_id!r}")
            continue
        if kind == "pickup":
            if job.pickup is None:
                out.append(f"{tech.id}: pickup stop for {job_id} which has no pickup")
            if job_id in picked:
                out.append(f"{tech.id}: pickup of {job_id} twice")
            picked.add(job_id)
            continue
        if job_id in seen_jobs:
            out.append(f"{tech.id}: job {job_id} twice")
        seen_jobs.add(job_id)
        if job.pickup is not None and job_id not in picked:
            out.append(f"{tech.id}: job {job_id} served before (or without) its pickup on this route")
        if not job.skills <= tech.skills:
            out.append(f"{tech.id}: lacks skills {sorted(job.skills - tech.skills)} for {job_id}")
        if job.allowed_technicians is not None and tech.id not in job.allowed_technicians:
            out.append(f"{tech.id}: not allowed for {job_id}")
    for job_id in picked - seen_jobs:
        out.append(f"{tech.id}: pickup of {job_id} without serving the job on this route")
    return out


def route_excess(problem: Problem, tech: Technician, route: Route, jobs: dict[str, Job]) -> float:
    """How far the route is from feasible on the numeric rules (0 when they all hold within TOL)."""
    excess = 0.0
    for s in route.stops:
        if s.kind == "job":
            excess += max(0.0, s.start - jobs[s.job].window[1] - TOL)
    excess += max(0.0, route.return_time - tech.shift[1] - TOL)
    if tech.capacity is not None:
        excess += max(0.0, route.load - tech.capacity - 1e-9)
    if tech.max_jobs is not None:
        excess += max(0, route.jobs - tech.max_jobs)
    if tech.max_duration is not None:
        excess += max(0.0, route.duration - tech.max_duration - TOL)
    return excess


def route_violations(problem: Problem, tech: Technician, route: Route, jobs: dict[str, Job]) -> list[str]:
    out = _structure_violations(tech, route.visits(), jobs)
    for s in route.stops:
        if s.kind == "job" and s.start > jobs[s.job].window[1] + TOL:
            out.append(f"{tech.id}: {s.job} starts at {s.start:.3f}, after its window ends at {jobs[s.job].window[1]:g}")
    if route.stops and route.return_time > tech.shift[1] + TOL:
        out.append(f"{tech.id}: back at {route.return_time:.3f}, after the shift ends at {tech.shift[1]:g}")
    if tech.capacity is not None and route.load > tech.capacity + 1e-9:
        out.append(f"{tech.id}: load {route.load:g} over capacity {tech.capacity:g}")
    if tech.max_jobs is not None and route.jobs > tech.max_jobs:
        out.append(f"{tech.id}: {route.jobs} jobs, over max_jobs {tech.max_jobs}")
    if tech.max_duration is not None and route.stops and route.duration > tech.max_duration + TOL:
        out.append(f"{tech.id}: route lasts {route.duration:.3f} min, over max_duration {tech.max_duration:g}")
    return out


def plan_route_ok(problem: Problem, tech: Technician, visits: list[Visit], jobs: dict[str, Job]) -> bool:
    """Fast yes/no for repair and insertion loops."""
    if not visits:
        return True
    if _structure_violations(tech, visits, jobs):
        return False
    route = schedule_route(problem, tech, visits, jobs)
    return route_excess(problem, tech, route, jobs) == 0.0


def _close(a: Any, b: float, tol: float = TOL) -> bool:
    return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a) and abs(a - b) <= tol


def check_solution(problem: Problem, solution: Mapping[str, Any]) -> list[str]:
    """Every broken contract rule of a solution in JSON shape (an empty list means it is correct)."""
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    out: list[str] = []
    served: list[str] = []
    used_techs: set[str] = set()
    total_distance = 0.0
    total_lateness = 0.0
    n_used = 0
    for ri, raw_route in enumerate(solution.get("routes") or []):
        tech_id = raw_route.get("technician")
        tech = techs.get(tech_id)
        if tech is None:
            out.append(f"routes[{ri}]: unknown technician {tech_id!r}")
            continue
        if tech_id in used_techs:
            out.append(f"routes[{ri}]: technician {tech_id} has two routes")
        used_techs.add(tech_id)
        visits: list[Visit] = []
        for si, stop in enumerate(raw_route.get("stops") or []):
            if "job" in stop:
                visits.append(("job", stop["job"]))
            elif "pickup" in stop:
                visits.append(("pickup", stop["pickup"]))
            else:
                out.append(f"routes[{ri}].stops[{si}]: neither job nor pickup")
        structure = _structure_violations(tech, visits, jobs)
        if any("unknown job" in s or "has no pickup" in s for s in structure):
            out.extend(structure)
            continue
        route = schedule_route(problem, tech, visits, jobs)
        out.extend(route_violations(problem, tech, route, jobs))
        for si, (mine, stop) in enumerate(zip(route.stops, raw_route.get("stops") or [], strict=False)):
            for key, value in (("arrival", mine.arrival), ("start", mine.start), ("end", mine.end)):
                if not _close(stop.get(key), value):
                    out.append(f"routes[{ri}].stops[{si}].{key}: reported {stop.get(key)!r}, recomputed {value:.3f}")
        if not _close(raw_route.get("distance"), route.distance):
            out.append(f"routes[{ri}].distance: reported {raw_route.get('distance')!r}, recomputed {route.distance:.3f}")
        if route.stops and not _close(raw_route.get("return"), route.return_time):
            out.append(f"routes[{ri}].return: reported {raw_route.get('return')!r}, recomputed {route.return_time:.3f}")
        served.extend(job for kind, job in visits if kind == "job")
        total_distance += route.distance
        total_lateness += route.lateness
        n_used += 1 if route.stops else 0
    unassigned = list(solution.get("unassigned") or [])
    everywhere = served + unassigned
    for job_id, count in Counter(everywhere).items():  # list.count per job was O(n^2) at 10,000 jobs
        if count > 1:
            out.append(f"job {job_id} appears {count} times")
    for job_id in jobs.keys() - set(everywhere):
        out.append(f"job {job_id} is neither routed nor unassigned")
    for job_id in set(unassigned) - jobs.keys():
        out.append(f"unassigned: unknown job {job_id!r}")
    if not _close(solution.get("distance"), total_distance, max(TOL, 1e-9 * total_distance)):
        out.append(f"distance: reported {solution.get('distance')!r}, recomputed {total_distance:.3f}")
    if solution.get("technicians_used") != n_used:
        out.append(f"technicians_used: reported {solution.get('technicians_used')!r}, recomputed {n_used}")
    if not _close(solution.get("lateness"), total_lateness):
        out.append(f"lateness: reported {solution.get('lateness')!r}, recomputed {total_lateness:.3f}")
    return out
