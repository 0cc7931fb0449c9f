"""Regional decomposition in pure steps, for a tenant with thousands of daily jobs.

One model over everything is too big to search well in minutes (PyVRP's per-skill-set matrices and
OR-Tools' model are O(nodes^2)). So the problem is cut into regional parts, the parts are solved
independently, and the pieces are merged. The steps are separate functions so that the same code serves
`solve_decomposed` (CLI `--decompose`, benchmark: parts in local processes) and the dispatch app (each part
a Celery task, possibly on another machine, the merge in whichever task finishes the last part):

    budget(time_limit, n_jobs) -> (first_pass_seconds, search_seconds)    how the time limit is shared
    split(problem, max_jobs_per_part, seed=) -> [Part]                    Part.to_dict() / Part.from_dict()
    solve_part(part, deadline, seed=) -> Solution                         one part, until an absolute deadline
    merge(problem, [Plan | None], deadline) -> Solution                   second pass, border insertion, check

1. `split`: jobs are clustered geographically: k-means (numpy, k-means++ start, fixed seed) on 3-D unit
   vectors (haversine) or the plane (euclidean), k = ceil(jobs / max_jobs_per_part); a cluster still larger
   than max_jobs_per_part is split in two again until none is. Each technician belongs to ONE part: the
   part with the most jobs they could serve alone (skills, allowed technicians, reachable within their
   shift: `scaled.compatibility`), ties to the nearest job; so a technician is in at most one route by
   construction. A job's `allowed_technicians` is cut down to the technicians of its part. A region where
   no technician belongs gives no part: its jobs are left to the merge.
2. The parts are solved with `solve`, each against an absolute deadline, so that the whole run still
   honours its time limit whether the parts run side by side or one after another (`part_deadline`).
3. `merge`, across the borders: jobs left unserved (by their part, by a part that failed, or by no part)
   are offered to the technicians left idle (a new sub-problem of just those, solved with the time left),
   then every still-unserved job gets a cheapest feasible insertion into the route of any technician who
   could reach it, whichever part they were in, and where nobody able has room left, one job is moved off
   such a technician's route to a colleague to make room (`make_room`). This is how a technician near a
   border serves jobs on the other side: the parts never share a technician (which would let two parts book
   the same person), the merge hands the border's leftovers to whoever can still fit them.
4. The merged plan is re-evaluated (`evaluate`) and passed through `check_solution`; a route the checker
   refused would be repaired (never expected: each part already returned checked routes).

`solve` itself stays one model whatever the size; the caller chooses decomposition (the dispatch app above
PLAN_DECOMPOSE_ABOVE_JOBS jobs, the scale benchmark with DECOMPOSE=1).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import logging
import math
import multiprocessing
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .check import check_solution
from .distance import distance
from .problem import Job, Problem, parse_problem, problem_to_dict
from .repair import insert_jobs, repair_plan
from .scaled import compatibility
from .solution import Plan, Solution, evaluate

log = logging.getLogger(__name__)

# Advice for callers. At 2,000 x 200 in 60 s one model served ~1,140 jobs against ~1,117 decomposed; far above
# it one model stops fitting (PyVRP holds one n^2 int64 matrix per skill set: ~17 GB at 10,000 jobs).
DECOMPOSE_ABOVE_JOBS = 3000
FIRST_PASS_SHARE = 0.9  # of the time limit for the parts; the rest for the second pass and the merge
FINAL_SECONDS_PER_JOB = 3e-4  # the merge's evaluate + check (+ JSON by the caller)
MIN_PART_SECONDS = 1.0  # a part that starts late still gets a construction and a short search
SECOND_PASS_MIN_SECONDS = 2.0  # below this the idle technicians' sub-problem is not worth building
ROOM_TECHS = 3  # making room for a stuck job: busy technicians tried, nearest first
ROOM_TARGETS = 8  # ... and technicians offered the job moved out of the way, nearest first


@dataclasses.dataclass(frozen=True)
class Part:
    """One region: a sub-problem, and where its jobs and technicians sit in the whole problem."""

    index: int
    problem: Problem
    jobs: tuple[int, ...]  # indices into the whole problem's jobs
    technicians: tuple[int, ...]  # indices into the whole problem's technicians

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; "problem" is the contract's problem JSON, solvable on its own by the CLI."""
        return {"index": self.index, "jobs": list(self.jobs), "technicians": list(self.technicians),
                "problem": problem_to_dict(self.problem)}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Part:
        return cls(index=int(raw["index"]), problem=parse_problem(raw["problem"]),
                   jobs=tuple(int(i) for i in raw["jobs"]), technicians=tuple(int(v) for v in raw["technicians"]))


def budget(time_limit: float, n_jobs: int) -> tuple[float, float]:
    """(first-pass seconds, search seconds), both counted from the start: the parts must be done by the
    first, the merge's search by the second; what is left of the limit is for evaluate + check."""
    final = min(0.3, 0.05 * time_limit) + FINAL_SECONDS_PER_JOB * n_jobs
    search = max(0.0, time_limit - final)
    return search * FIRST_PASS_SHARE, search


def part_deadline(now: float, first_end: float, *, slots: int, jobs: int, waiting_jobs: int,
                  others_until: Sequence[float] = ()) -> float:
    """When a part that starts `now` must end: its share, by jobs, of the solver time left before
    `first_end` on `slots` solvers running side by side.

    `others_until` are the deadlines of the parts already running (each holds its solver until then);
    `waiting_jobs` counts the jobs of the parts without a deadline yet, this one included. One solver
    (slots=1) gives each part its share of what is left, so time a part did not use goes to the next;
    n parts on n solvers each get everything up to `first_end`."""
    left = max(0.0, first_end - now)
    held = sum(max(0.0, min(until, first_end) - now) for until in others_until)
    free = max(0.0, max(1, slots) * left - held)
    return now + min(left, free * jobs / max(1, waiting_jobs, jobs))


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


def sub_problem(problem: Problem, job_idx: Sequence[int], tech_idx: Sequence[int]) -> Problem:
    techs = tuple(problem.technicians[v] for v in sorted(tech_idx))
    ids = frozenset(t.id for t in techs)
    jobs: list[Job] = []
    for i in sorted(job_idx):
        job = problem.jobs[i]
        if job.allowed_technicians is not None:
            job = dataclasses.replace(job, allowed_technicians=job.allowed_technicians & ids)
        jobs.append(job)
    return dataclasses.replace(problem, technicians=techs, jobs=tuple(jobs))


def _compatible(problem: Problem) -> list[list[int]]:
    return compatibility(problem, list(problem.technicians), {j.id: j for j in problem.jobs})


def split(problem: Problem, max_jobs_per_part: int, *, seed: int = 0,
          compatible: list[list[int]] | None = None) -> list[Part]:
    """The regional parts, largest first (step 1 of the module docstring). `compatible` (per job, the
    technician indices who could serve it alone) saves recomputing it when the caller has it."""
    if max_jobs_per_part < 1:
        raise ValueError(f"max_jobs_per_part must be at least 1, got {max_jobs_per_part}")
    if not problem.jobs or not problem.technicians:
        return []
    if compatible is None:
        compatible = _compatible(problem)
    job_parts = partition_jobs(problem, max_jobs_per_part, seed=seed)
    tech_parts = assign_technicians(problem, job_parts, compatible)
    pairs = [(sorted(j), sorted(t)) for j, t in zip(job_parts, tech_parts, strict=True) if t]
    return [Part(index=i, problem=sub_problem(problem, j, t), jobs=tuple(j), technicians=tuple(t))
            for i, (j, t) in enumerate(pairs)]


def _summary(part: Problem, sol: Solution, limit: float) -> dict[str, Any]:
    return {"jobs": len(part.jobs), "technicians": len(part.technicians), "limit": round(limit, 1),
            "served": len(part.jobs) - len(sol.unassigned), "seconds": round(sol.solve_seconds, 1),
            "phases": sol.info.get("phases")}


def solve_part(part: Part | Problem, deadline: float, *, seed: int = 0) -> Solution:
    """`solve` one part until an absolute time.monotonic() deadline (at least MIN_PART_SECONDS); a summary
    of the part is in `info["part"]`."""
    from .solver import solve

    sub = part.problem if isinstance(part, Part) else part
    limit = max(MIN_PART_SECONDS, deadline - time.monotonic())
    sol = solve(sub, limit, seed=seed)
    sol.info["part"] = _summary(sub, sol, limit)
    return sol


def _solve_part(part: Problem, deadline: float, seed: int) -> tuple[Plan, dict]:
    """Process-pool worker: only the plan travels back (the clock is shared by processes on one machine)."""
    sol = solve_part(part, deadline, seed=seed)
    return sol.plan(), sol.info["part"]


def _run_parts(parts: list[Problem], deadlines: list[float], workers: int, seed: int) -> list[tuple[Plan, dict]]:
    if workers > 1 and len(parts) > 1:
        try:
            ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold solver threads
            with cf.ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=ctx) as pool:
                futures = [pool.submit(_solve_part, p, d, seed) for p, d in zip(parts, deadlines, strict=True)]
                return [f.result() for f in futures]
        except Exception:  # e.g. daemonic processes may not have children: solve here, one after the other
            log.exception("could not solve the parts in processes; solving them in this process")
    # One process: the parts take turns, each its share of what is left (a part that finishes early hands
    # its time to the next).
    out = []
    waiting = sum(len(p.jobs) for p in parts)
    for p in parts:
        end = part_deadline(time.monotonic(), deadlines[-1], slots=1, jobs=len(p.jobs), waiting_jobs=waiting)
        out.append(_solve_part(p, end, seed))
        waiting -= len(p.jobs)
    return out


def routes_plan(solution: Mapping[str, Any]) -> Plan:
    """The route orders (technician id -> visits) of a solution in the contract's JSON."""
    plan: Plan = {}
    for route in solution.get("routes", ()):
        plan[route["technician"]] = [("job", s["job"]) if "job" in s else ("pickup", s["pickup"])
                                     for s in route["stops"]]
    return plan


def _union(problem: Problem, results: Sequence[Plan | None]) -> Plan:
    """The parts' routes in one plan. Parts never share a technician or a job; should a result (read back
    from storage, say) break that, the first claim wins and nothing unknown gets through."""
    jobs = {j.id for j in problem.jobs}
    techs = {t.id for t in problem.technicians}
    plan: Plan = {}
    taken: set[str] = set()
    for result in results:
        for tech_id, visits in (result or {}).items():
            if tech_id not in techs or tech_id in plan:
                continue
            mine = [(kind, job) for kind, job in visits if job in jobs and job not in taken]
            taken.update(job for _, job in mine)
            if any(kind == "job" for kind, _ in mine):
                plan[tech_id] = mine
    return plan


def _served(visits: Sequence[tuple[str, str]]) -> set[str]:
    return {job for kind, job in visits if kind == "job"}


def make_room(problem: Problem, plan: Plan, compatible: list[list[int]], deadline: float) -> tuple[Plan, int]:
    """Jobs still unserved although someone could reach them: each part filled its technicians' days with
    its own work, so the one technician qualified for a job across the border may have no room left while a
    colleague of theirs sits idle. For such a job, move one job off a nearby able technician's route to
    another technician and fit the stuck job in its place; kept only when the plan gets better (`key`).
    Returns the plan and how many jobs were moved."""
    techs = list(problem.technicians)
    start = {t.id: t.start for t in techs}
    index = {j.id: i for i, j in enumerate(problem.jobs)}
    served = {j for visits in plan.values() for j in _served(visits)}
    stuck = sorted((i for i, j in enumerate(problem.jobs) if j.id not in served and compatible[i]),
                   key=lambda i: (problem.jobs[i].optional, -(problem.jobs[i].unassigned_penalty or 0.0)))
    moved = 0
    for i in stuck:
        job = problem.jobs[i]
        busy = sorted((v for v in compatible[i] if plan.get(techs[v].id)),
                      key=lambda v: distance(problem, techs[v].start, job.location))[:ROOM_TECHS]
        found = None
        for v in busy:
            tid = techs[v].id
            for x in [j for kind, j in plan[tid] if kind == "job"]:
                if time.monotonic() > deadline:
                    return plan, moved
                without = {**plan, tid: [(k, j) for k, j in plan[tid] if j != x]}
                with_job = insert_jobs(problem, without, [job.id], candidates={job.id: [tid]})
                if job.id not in _served(with_job[tid]):
                    continue
                where = problem.jobs[index[x]].location
                targets = sorted((techs[w].id for w in compatible[index[x]] if w != v),
                                 key=lambda t: distance(problem, start[t], where))
                trial = insert_jobs(problem, with_job, [x], candidates={x: targets[:ROOM_TARGETS]})
                to = next((t for t in targets[:ROOM_TARGETS] if x in _served(trial[t])), None)
                if to is None:
                    continue
                touched = (tid, to)
                old = evaluate(problem, {t: plan.get(t, []) for t in touched})
                new = evaluate(problem, {t: trial[t] for t in touched})
                if new.key() < old.key():
                    found = {**plan, tid: trial[tid], to: trial[to]}
                    break
            if found is not None:
                break
        if found is not None:
            plan = found
            moved += 1
    return plan, moved


def merge(problem: Problem, results: Sequence[Plan | None], deadline: float, *, max_jobs_per_part: int = 800,
          workers: int = 1, seed: int = 0, compatible: list[list[int]] | None = None, started: float | None = None,
          info: Mapping[str, Any] | None = None) -> Solution:
    """The whole problem's solution from the parts' plans (None: a part that failed or ran out of time; its
    jobs are unserved and its technicians idle, so the second pass takes them up if time allows).

    `deadline` (time.monotonic()) ends the search; evaluate and check come after it. `started` (monotonic)
    is when the whole run began, for `solve_seconds`; `info` is carried into the solution's info."""
    from .solver import solve

    started = time.monotonic() if started is None else started
    if compatible is None:
        compatible = _compatible(problem)
    techs = list(problem.technicians)
    plan = _union(problem, results)

    # Second pass: unserved jobs to idle technicians, then insertion across part borders.
    served = {j for visits in plan.values() for k, j in visits if k == "job"}
    idle = {v for v, t in enumerate(techs) if t.id not in plan}
    left = [i for i, j in enumerate(problem.jobs) if j.id not in served and set(compatible[i]) & idle]
    second: dict[str, Any] = {}
    if left and idle and deadline - time.monotonic() > SECOND_PASS_MIN_SECONDS:
        limit = (deadline - time.monotonic()) * 0.7
        sub = sub_problem(problem, left, sorted(idle))
        try:
            if len(sub.jobs) > max_jobs_per_part:
                sol = solve_decomposed(sub, limit, max_jobs_per_part=max_jobs_per_part, workers=workers, seed=seed)
            else:
                sol = solve(sub, limit, seed=seed)
        except Exception:  # the first pass's routes are worth keeping whatever happens here
            log.exception("second pass failed; going on with the insertion")
        else:
            for tech_id, visits in sol.plan().items():
                if visits:
                    plan[tech_id] = visits
            second = {"jobs": len(sub.jobs), "technicians": len(sub.technicians),
                      "served": len(sub.jobs) - len(sol.unassigned)}
    served = {j for visits in plan.values() for k, j in visits if k == "job"}
    candidates = {job.id: [techs[v].id for v in compatible[i]]
                  for i, job in enumerate(problem.jobs) if job.id not in served and compatible[i]}
    before = len(served)
    if candidates and time.monotonic() < deadline:
        plan = insert_jobs(problem, plan, list(candidates), deadline=deadline, candidates=candidates)
    moved = 0
    if candidates and time.monotonic() < deadline:
        plan, moved = make_room(problem, plan, compatible, deadline)
    inserted = sum(1 for visits in plan.values() for k, _ in visits if k == "job") - before

    info = {"engine": "decomposed", **(info or {}), "second_pass": second, "inserted_across_borders": inserted,
            "moved_to_make_room": moved}
    best = evaluate(problem, plan, solve_seconds=time.monotonic() - started, info=info)
    problems = check_solution(problem, best.to_dict())
    if problems:  # never expected: every route came out of a checked solution or a checked insertion
        log.error("merged solution failed the checker, repairing it: %s", problems[:3])
        best = evaluate(problem, repair_plan(problem, best.plan()), solve_seconds=time.monotonic() - started,
                        info=info)
    return best


def solve_decomposed(problem: Problem, time_limit: float, *, max_jobs_per_part: int = 800, workers: int = 2,
                     seed: int = 0) -> Solution:
    """Regional decomposition in this process and `workers` child processes (module docstring); the merged
    solution passes `check_solution`."""
    from .solver import solve

    t0 = time.monotonic()
    if len(problem.jobs) <= max_jobs_per_part or not problem.technicians:
        return solve(problem, time_limit, seed=seed)
    first, search = budget(time_limit, len(problem.jobs))
    compatible = _compatible(problem)
    parts = split(problem, max_jobs_per_part, seed=seed, compatible=compatible)
    setup = time.monotonic() - t0

    # Waves of `workers` parts (largest first) share the first pass equally; absolute deadlines.
    w = max(1, workers)
    waves = math.ceil(len(parts) / w) if parts else 1
    start = time.monotonic()
    first_end = t0 + first
    deadlines = [start + (first_end - start) * (i // w + 1) / waves for i in range(len(parts))]
    results = _run_parts([p.problem for p in parts], deadlines, w, seed) if parts else []
    info = {"parts": [r[1] for r in results], "setup_seconds": round(setup, 2),
            "first_pass_seconds": round(time.monotonic() - t0, 1)}
    return merge(problem, [r[0] for r in results], t0 + search, max_jobs_per_part=max_jobs_per_part,
                 workers=workers, seed=seed, compatible=compatible, started=t0, info=info)
