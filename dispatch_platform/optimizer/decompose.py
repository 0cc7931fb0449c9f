"""Regional decomposition: `solve_decomposed(problem, time_limit, *, max_jobs_per_part=800, workers=2)`.

For a tenant with thousands of daily jobs one model over everything is too big to search well in minutes
(PyVRP's per-skill-set matrices and OR-Tools' model are O(nodes^2)). So:

1. Jobs are clustered geographically: k-means (numpy, k-means++ start, fixed seed) on 3-D unit vectors
   (haversine) or the plane (euclidean), k = ceil(jobs / max_jobs_per_part); a cluster still larger than
   max_jobs_per_part is split in two again until none is.
2. Each technician belongs to ONE part: the part with the most jobs they could serve alone (skills,
   allowed technicians, reachable within their shift: `scaled.compatibility`), ties to the nearest job.
   So a technician is used in at most one route by construction. A job's `allowed_technicians` is cut
   down to the technicians of its part.
3. The parts are solved with `solve` in parallel processes (`workers`, ProcessPoolExecutor; in-process one
   after the other if processes cannot be started, e.g. inside a daemonic Celery worker), largest first,
   each against an absolute deadline, so a part that finishes early hands its time to the next one.
4. Second pass across the borders: jobs left unserved are offered to the technicians left idle (a new
   sub-problem of just those, solved with the time left), then every still-unserved job gets a cheapest
   feasible insertion into the routes of the technicians who could reach it, whichever part they were in.
5. The merged plan is re-evaluated (`evaluate`) and passed through `check_solution`; a route the checker
   refused would be repaired (never expected: each part already returned checked routes).

`solve` itself stays one model whatever the size; the caller chooses decomposition (the dispatch app above
`DECOMPOSE_ABOVE_JOBS` jobs, the scale benchmark with DECOMPOSE=1).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging
import math
import multiprocessing
import time

import numpy as np

from .check import check_solution
from .problem import Job, Problem
from .repair import insert_jobs, repair_plan
from .scaled import compatibility
from .solution import Plan, Solution, evaluate

log = logging.getLogger(__name__)

# Advice for callers. At 2,000 x 200 in 60 s one model served ~1,140 jobs against ~1,117 decomposed; far above
# it one model stops fitting (PyVRP holds one n^2 int64 matrix per skill set: ~17 GB at 10,000 jobs).
DECOMPOSE_ABOVE_JOBS = 3000
FIRST_PASS_SHARE = 0.9  # of the time limit for the parts; the rest for the second pass and the merge
FINAL_SECONDS_PER_JOB = 3e-4  # the merge's evaluate + check (+ JSON by the caller)


def _points(problem: Problem, coords: np.ndarray) -> np.ndarray:
    if problem.metric == "haversine":
        lat, lon = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=1)
    return coords.astype(float)


def kmeans(points: np.ndarray, k: int, *, seed: int = 0, iterations: int = 50) -> np.ndarray:
    """Labels of a k-means clustering (k-means++ start, Lloyd iterations); deterministic for a seed."""
    n = len(points)
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centres = [points[rng.integers(n)]]
    d2 = ((points - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        total = d2.sum()
        nxt = points[rng.choice(n, p=d2 / total)] if total > 0 else points[rng.integers(n)]
        centres.append(nxt)
        d2 = np.minimum(d2, ((points - nxt) ** 2).sum(axis=1))
    c = np.array(centres)
    labels = np.zeros(n, dtype=np.int64)
    for it in range(iterations):
        dist = ((points[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)
        new = dist.argmin(axis=1)
        if it and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = points[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    return labels


def partition_jobs(problem: Problem, max_jobs_per_part: int, *, seed: int = 0) -> list[list[int]]:
    """Job indices per part, each part at most max_jobs_per_part jobs, geographically compact."""
    coords = np.asarray([j.location for j in problem.jobs], dtype=float).reshape(-1, 2)
    points = _points(problem, coords)
    k = math.ceil(len(points) / max_jobs_per_part)
    labels = kmeans(points, k, seed=seed)
    todo = [np.flatnonzero(labels == j) for j in range(k)]
    parts: list[list[int]] = []
    while todo:
        idx = todo.pop()
        if len(idx) == 0:
            continue
        if len(idx) <= max_jobs_per_part:
            parts.append([int(i) for i in idx])
            continue
        half = kmeans(points[idx], 2, seed=seed) == 1
        if half.all() or not half.any():  # identical points: split by order
            half = np.arange(len(idx)) >= len(idx) // 2
        todo += [idx[~half], idx[half]]
    parts.sort(key=len, reverse=True)
    return parts


def assign_technicians(problem: Problem, parts: list[list[int]], compatible: list[list[int]]) -> list[list[int]]:
    """Technician indices per part: each technician in exactly one part (see the module docstring)."""
    n_techs = len(problem.technicians)
    part_of_job = np.empty(len(problem.jobs), dtype=np.int64)
    for p, idx in enumerate(parts):
        part_of_job[idx] = p
    counts = np.zeros((n_techs, len(parts)), dtype=np.int64)
    for j, techs in enumerate(compatible):
        if techs:
            np.add.at(counts, (np.asarray(techs), part_of_job[j]), 1)
    # Ties (and technicians who can serve nothing): the part of the nearest job.
    starts = _points(problem, np.asarray([t.start for t in problem.technicians], dtype=float).reshape(-1, 2))
    jobs_pts = _points(problem, np.asarray([j.location for j in problem.jobs], dtype=float).reshape(-1, 2))
    nearest_part = np.empty(n_techs, dtype=np.int64)
    for lo in range(0, n_techs, 256):
        d = ((starts[lo:lo + 256, None, :] - jobs_pts[None, :, :]) ** 2).sum(axis=2)
        nearest_part[lo:lo + 256] = part_of_job[d.argmin(axis=1)]
    out: list[list[int]] = [[] for _ in parts]
    for v in range(n_techs):
        best = int(counts[v].max())
        choice = int(nearest_part[v]) if best == 0 or counts[v, nearest_part[v]] == best else int(counts[v].argmax())
        out[choice].append(v)
    return out


def sub_problem(problem: Problem, job_idx: list[int], tech_idx: list[int]) -> Problem:
    techs = tuple(problem.technicians[v] for v in sorted(tech_idx))
    ids = frozenset(t.id for t in techs)
    jobs: list[Job] = []
    for i in sorted(job_idx):
        job = problem.jobs[i]
        if job.allowed_technicians is not None:
            job = dataclasses.replace(job, allowed_technicians=job.allowed_technicians & ids)
        jobs.append(job)
    return dataclasses.replace(problem, technicians=techs, jobs=tuple(jobs))


def _solve_part(part: Problem, deadline: float, seed: int) -> tuple[Plan, dict]:
    """Worker: `solve` until an absolute time.monotonic() deadline (the clock is shared by processes)."""
    from .solver import solve

    limit = max(1.0, deadline - time.monotonic())
    sol = solve(part, limit, seed=seed)
    return sol.plan(), {"jobs": len(part.jobs), "technicians": len(part.technicians), "limit": round(limit, 1),
                        "served": len(part.jobs) - len(sol.unassigned), "seconds": round(sol.solve_seconds, 1),
                        "phases": sol.info.get("phases")}


def _run_parts(parts: list[Problem], deadlines: list[float], workers: int, seed: int) -> list[tuple[Plan, dict]]:
    if workers > 1 and len(parts) > 1:
        try:
            ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold solver threads
            with cf.ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=ctx) as pool:
                futures = [pool.submit(_solve_part, p, d, seed) for p, d in zip(parts, deadlines, strict=True)]
                return [f.result() for f in futures]
        except Exception:  # e.g. daemonic processes may not have children: solve here, one after the other
            log.exception("could not solve the parts in processes; solving them in this process")
    # One process: the parts take turns, each up to its share of what is left.
    out = []
    now = time.monotonic()
    total = sum(len(p.jobs) for p in parts) or 1
    span = max(0.0, deadlines[-1] - now)
    for p in parts:
        end = min(deadlines[-1], time.monotonic() + span * len(p.jobs) / total)
        out.append(_solve_part(p, end, seed))
    return out


def solve_decomposed(problem: Problem, time_limit: float, *, max_jobs_per_part: int = 800, workers: int = 2,
                     seed: int = 0) -> Solution:
    """Regional decomposition (module docstring); the merged solution passes `check_solution`."""
    from .solver import solve

    t0 = time.monotonic()
    if len(problem.jobs) <= max_jobs_per_part or not problem.technicians:
        return solve(problem, time_limit, seed=seed)
    final = min(0.3, 0.05 * time_limit) + FINAL_SECONDS_PER_JOB * len(problem.jobs)
    end = t0 + time_limit - final
    jobs = {j.id: j for j in problem.jobs}
    techs = list(problem.technicians)

    compatible = compatibility(problem, techs, jobs)
    parts = partition_jobs(problem, max_jobs_per_part, seed=seed)
    tech_parts = assign_technicians(problem, parts, compatible)
    subs = [sub_problem(problem, j, t) for j, t in zip(parts, tech_parts, strict=True) if t]
    setup = time.monotonic() - t0

    # Waves of `workers` parts (largest first) share the first pass equally; absolute deadlines.
    first_end = t0 + (time_limit - final) * FIRST_PASS_SHARE
    w = max(1, workers)
    waves = math.ceil(len(subs) / w) if subs else 1
    start = time.monotonic()
    deadlines = [start + (first_end - start) * (i // w + 1) / waves for i in range(len(subs))]
    results = _run_parts(subs, deadlines, w, seed) if subs else []
    plan: Plan = {}
    for p, _ in results:
        for tech_id, visits in p.items():
            if visits:
                plan[tech_id] = visits
    first_pass = time.monotonic() - t0

    # Second pass: unserved jobs to idle technicians, then insertion across part borders.
    served = {j for visits in plan.values() for k, j in visits if k == "job"}
    idle = {v for v, t in enumerate(techs) if t.id not in plan}
    left = [i for i, j in enumerate(problem.jobs) if j.id not in served and set(compatible[i]) & idle]
    second: dict = {}
    if left and idle and end - time.monotonic() > 2.0:
        limit = (end - time.monotonic()) * 0.7
        sub = sub_problem(problem, left, sorted(idle))
        if len(sub.jobs) > max_jobs_per_part:
            sol = solve_decomposed(sub, limit, max_jobs_per_part=max_jobs_per_part, workers=workers, seed=seed)
        else:
            sol = solve(sub, limit, seed=seed)
        for tech_id, visits in sol.plan().items():
            if visits:
                plan[tech_id] = visits
        second = {"jobs": len(sub.jobs), "technicians": len(sub.technicians),
                  "served": len(sub.jobs) - len(sol.unassigned)}
    served = {j for visits in plan.values() for k, j in visits if k == "job"}
    missing = [j.id for i, j in enumerate(problem.jobs) if j.id not in served and compatible[i]]
    before = len(served)
    if missing and time.monotonic() < end:
        candidates = {problem.jobs[i].id: [techs[v].id for v in compatible[i]]
                      for i, j in enumerate(problem.jobs) if j.id not in served and compatible[i]}
        plan = insert_jobs(problem, plan, missing, deadline=end, candidates=candidates)
    inserted = sum(1 for visits in plan.values() for k, _ in visits if k == "job") - before

    info = {"engine": "decomposed", "parts": [r[1] for r in results], "setup_seconds": round(setup, 2),
            "first_pass_seconds": round(first_pass, 1), "second_pass": second, "inserted_across_borders": inserted}
    best = evaluate(problem, plan, solve_seconds=time.monotonic() - t0, info=info)
    problems = check_solution(problem, best.to_dict())
    if problems:  # never expected: every route came out of a checked solution or a checked insertion
        log.error("merged solution failed the checker, repairing it: %s", problems[:3])
        best = evaluate(problem, repair_plan(problem, best.plan()), solve_seconds=time.monotonic() - t0, info=info)
    return best
