"""The integer view of a problem that both engines (OR-Tools, PyVRP) solve.

Solvers need integer times and costs, so minutes are multiplied by TIME_SCALE and costs by COST_SCALE.
Rounding is always CONSERVATIVE for feasibility: travel and service times are rounded up, window starts
up, window/shift ends down. Model times are then never earlier than the true (double precision) times of
the same route, so a route feasible in the model is feasible for real; the rare real-feasible route lost
to a rounding of 1/TIME_SCALE minute is a negligible price. Both engines read the SAME integers, so a
route one of them finds is accepted as a warm start by the other.

Jobs that no technician could serve even alone (skills, allowed technicians, demand over capacity,
max_jobs 0, window or shift unreachable, max_duration too short) are decided here, once, and never enter
the models: they go straight to `unassigned`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .check import TOL, plan_route_ok
from .distance import distance_matrix, pair_distances
from .problem import Coord, Job, Problem, Technician
from .solution import BREACH_MINUTES, Visit

TIME_SCALE = 1000  # model time unit: 1/1000 minute
COST_SCALE = 1000  # model cost unit: 1/1000 of the problem's cost unit
LOAD_SCALE = 1000  # demands may be fractional; loads are compared in 1/1000 units


@dataclass(frozen=True)
class Node:
    kind: str  # "depot", "job" or "pickup"
    job: str | None  # the job id for job/pickup nodes
    location: Coord


@dataclass
class ScaledProblem:
    problem: Problem
    offset: float  # model time 0 = this many problem minutes (the earliest shift start)
    nodes: list[Node]  # depots first, then jobs, then pickups
    n_depots: int
    job_node: dict[str, int]
    pickup_node: dict[str, int]
    dist: np.ndarray  # float metric distance between nodes
    travel: np.ndarray  # int64, ceil(travel minutes * TIME_SCALE)
    cost: np.ndarray  # int64, round(distance * distance_cost * COST_SCALE)
    service: np.ndarray  # int64 per node, ceil(duration * TIME_SCALE)
    tw_lo: np.ndarray  # int64 per node (0 for depots/pickups)
    tw_hi: np.ndarray  # int64 per node (horizon for depots/pickups)
    horizon: int
    techs: list[Technician]
    start_node: list[int]
    end_node: list[int]
    shift_lo: list[int]
    shift_hi: list[int]
    max_duration: list[int | None]
    capacity: list[int | None]
    max_jobs: list[int | None]
    fixed_cost: list[int]
    demand: np.ndarray  # int64 per node (jobs only)
    due: dict[str, tuple[int, int]]  # job id -> (due in model time, cost per model time unit)
    penalty: dict[str, int]  # job id -> model cost of leaving it unassigned
    compatible: dict[str, list[int]]  # job id -> technician indices that could serve it alone
    servable: list[str]  # job ids in the model, problem order
    unservable: list[str]  # job ids that no technician can serve

    def time_to_model(self, t: float, *, up: bool) -> int:
        x = (t - self.offset) * TIME_SCALE
        # A hair of tolerance so that an exactly representable bound is not pushed over by float noise.
        return math.ceil(x - 1e-6) if up else math.floor(x + 1e-6)


def _compatible(problem: Problem, tech: Technician, job: Job, jobs: dict[str, Job]) -> bool:
    if not job.skills <= tech.skills:
        return False
    if job.allowed_technicians is not None and tech.id not in job.allowed_technicians:
        return False
    if tech.capacity is not None and job.demand > tech.capacity + 1e-9:
        return False
    if tech.max_jobs is not None and tech.max_jobs < 1:
        return False
    visits: list[Visit] = [("pickup", job.id), ("job", job.id)] if job.pickup else [("job", job.id)]
    return plan_route_ok(problem, tech, visits, jobs)


def structurally_compatible(tech: Technician, job: Job) -> bool:
    """Skills and allowed technicians: the rules that do not depend on time or distance."""
    return job.skills <= tech.skills and (job.allowed_technicians is None or tech.id in job.allowed_technicians)


# The vectorised single-job route below agrees with `plan_route_ok` up to float noise; a pair whose margin
# is within this many minutes of a limit is decided by `plan_route_ok` itself, so the answer is exact.
_MARGIN = 1e-6
_CHUNK = 4096  # jobs per vectorised block (bounds memory at 10,000 jobs x 1,000 technicians)


def compatibility(problem: Problem, techs: list[Technician], jobs: dict[str, Job]) -> list[list[int]]:
    """For each job (problem order), the technicians who could serve it alone: `_compatible` for every
    pair, vectorised with numpy (2,000 x 200 pairs in Python took ~5 s; this takes ~0.1 s)."""
    out: list[list[int]] = []
    if not techs:
        return [[] for _ in problem.jobs]
    skill_names = sorted({s for t in techs for s in t.skills} | {s for j in problem.jobs for s in j.skills})
    bit = {s: i for i, s in enumerate(skill_names)}

    def mask(skills: frozenset[str]) -> int:
        return sum(1 << bit[s] for s in skills)

    use_objects = len(skill_names) > 62
    tech_mask = np.array([0 if use_objects else mask(t.skills) for t in techs], dtype=np.int64)
    t_start = np.asarray([t.start for t in techs], dtype=float)
    t_end = np.asarray([t.end for t in techs], dtype=float)
    s0 = np.asarray([t.shift[0] for t in techs], dtype=float)
    s1 = np.asarray([t.shift[1] for t in techs], dtype=float)
    cap = np.asarray([np.inf if t.capacity is None else t.capacity for t in techs], dtype=float)
    no_jobs = np.asarray([t.max_jobs is not None and t.max_jobs < 1 for t in techs])
    max_dur = np.asarray([np.inf if t.max_duration is None else t.max_duration for t in techs], dtype=float)
    factor = problem.road_factor / problem.speed
    tech_index = {t.id: v for v, t in enumerate(techs)}
    all_jobs = list(problem.jobs)
    for lo in range(0, len(all_jobs), _CHUNK):
        block = all_jobs[lo:lo + _CHUNK]
        loc = np.asarray([j.location for j in block], dtype=float)
        go = pair_distances(problem, loc, t_start) * factor  # (jobs, techs) minutes
        back = pair_distances(problem, loc, t_end) * factor
        w0 = np.asarray([j.window[0] for j in block])[:, None]
        w1 = np.asarray([j.window[1] for j in block])[:, None]
        dur = np.asarray([j.duration for j in block])[:, None]
        demand = np.asarray([j.demand for j in block])[:, None]
        arrival = s0[None, :] + go
        start = np.maximum(arrival, w0)
        waited = start - arrival
        room = w1 - start + waited
        ret = start + dur + back
        departure = s0[None, :] + np.maximum(0.0, np.minimum(waited, room))
        # Margin by which each numeric rule holds (positive: holds; the checker allows TOL on each).
        slack = np.minimum(w1 + TOL - start, s1[None, :] + TOL - ret)
        slack = np.minimum(slack, max_dur[None, :] + TOL - (ret - departure))
        ok_struct = (demand <= cap[None, :] + 1e-9) & ~no_jobs[None, :]
        if use_objects:
            ok_struct &= np.array([[j.skills <= t.skills for t in techs] for j in block])
        else:
            job_mask = np.array([mask(j.skills) for j in block], dtype=np.int64)[:, None]
            ok_struct &= (job_mask & ~tech_mask[None, :]) == 0
        for i, job in enumerate(block):
            row = ok_struct[i]
            if job.allowed_technicians is not None:
                allowed = np.zeros(len(techs), dtype=bool)
                allowed[[tech_index[t] for t in job.allowed_technicians if t in tech_index]] = True
                row = row & allowed
            if job.pickup is not None:  # two stops: the exact check (rare)
                out.append([int(v) for v in np.flatnonzero(row) if _compatible(problem, techs[v], job, jobs)])
                continue
            sl = slack[i]
            sure = np.flatnonzero(row & (sl > _MARGIN))
            unsure = np.flatnonzero(row & (np.abs(sl) <= _MARGIN))
            if len(unsure):
                extra = [int(v) for v in unsure if _compatible(problem, techs[v], job, jobs)]
                out.append(sorted([int(v) for v in sure] + extra))
            else:
                out.append([int(v) for v in sure])
    return out


def scale_problem(problem: Problem) -> ScaledProblem:
    jobs = {j.id: j for j in problem.jobs}
    techs = list(problem.technicians)
    offset = min((t.shift[0] for t in techs), default=0.0)

    # Depot nodes: one per distinct home location, shared by technicians who live at the same place.
    depot_index: dict[Coord, int] = {}
    for t in techs:
        for c in (t.start, t.end):
            depot_index.setdefault(c, len(depot_index))
    nodes = [Node("depot", None, c) for c in depot_index]

    compatible: dict[str, list[int]] = {}
    servable: list[str] = []
    unservable: list[str] = []
    for job, ok in zip(problem.jobs, compatibility(problem, techs, jobs), strict=True):
        if ok:
            compatible[job.id] = ok
            servable.append(job.id)
        else:
            unservable.append(job.id)

    job_node: dict[str, int] = {}
    for jid in servable:
        job_node[jid] = len(nodes)
        nodes.append(Node("job", jid, jobs[jid].location))
    pickup_node: dict[str, int] = {}
    for jid in servable:
        if jobs[jid].pickup is not None:
            pickup_node[jid] = len(nodes)
            nodes.append(Node("pickup", jid, jobs[jid].pickup.location))

    dist = distance_matrix(problem, [n.location for n in nodes])
    minutes = dist * (problem.road_factor / problem.speed)
    travel = np.ceil(minutes * TIME_SCALE - 1e-6).astype(np.int64)
    np.fill_diagonal(travel, 0)
    travel = np.maximum(travel, 0)
    cost = np.rint(dist * problem.distance_cost * COST_SCALE).astype(np.int64)

    sp = ScaledProblem(
        problem=problem, offset=offset, nodes=nodes, n_depots=len(depot_index), job_node=job_node,
        pickup_node=pickup_node, dist=dist, travel=travel, cost=cost,
        service=np.zeros(len(nodes), np.int64), tw_lo=np.zeros(len(nodes), np.int64),
        tw_hi=np.zeros(len(nodes), np.int64), horizon=0, techs=techs,
        start_node=[depot_index[t.start] for t in techs], end_node=[depot_index[t.end] for t in techs],
        shift_lo=[], shift_hi=[], max_duration=[], capacity=[], max_jobs=[], fixed_cost=[],
        demand=np.zeros(len(nodes), np.int64), due={}, penalty={}, compatible=compatible,
        servable=servable, unservable=unservable,
    )
    sp.shift_lo = [max(0, sp.time_to_model(t.shift[0], up=True)) for t in techs]
    sp.shift_hi = [sp.time_to_model(t.shift[1], up=False) for t in techs]
    sp.horizon = max(sp.shift_hi, default=0)
    sp.max_duration = [None if t.max_duration is None else math.floor(t.max_duration * TIME_SCALE + 1e-6)
                       for t in techs]
    sp.capacity = [None if t.capacity is None else math.floor(t.capacity * LOAD_SCALE + 1e-6) for t in techs]
    sp.max_jobs = [t.max_jobs for t in techs]
    sp.fixed_cost = [round(t.fixed_cost * COST_SCALE) for t in techs]
    sp.tw_hi[:] = sp.horizon

    for jid, n in job_node.items():
        job = jobs[jid]
        sp.service[n] = math.ceil(job.duration * TIME_SCALE - 1e-6)
        sp.tw_lo[n] = min(sp.horizon, max(0, sp.time_to_model(job.window[0], up=True)))
        sp.tw_hi[n] = max(0, min(sp.horizon, sp.time_to_model(job.window[1], up=False)))
        # A window narrower than the rounding could come out empty; an empty range would make the whole
        # model infeasible, so keep one instant (the real-valued checker still judges the result).
        sp.tw_lo[n] = min(sp.tw_lo[n], sp.tw_hi[n])
        sp.demand[n] = math.ceil(job.demand * LOAD_SCALE - 1e-6)
        if job.due is not None and job.lateness_cost > 0:
            per_unit = job.lateness_cost * COST_SCALE / TIME_SCALE
            sp.due[jid] = (max(0, sp.time_to_model(job.due, up=False)), max(1, round(per_unit)))
    for jid, n in pickup_node.items():
        sp.service[n] = math.ceil(jobs[jid].pickup.duration * TIME_SCALE - 1e-6)

    # Leaving a must-serve job out must cost more than anything serving it could add (all arcs, all fixed
    # costs, all optional penalties, all lateness), but n of them must still fit in an int64.
    optional = {jid: round(jobs[jid].unassigned_penalty * COST_SCALE) for jid in servable if jobs[jid].optional}
    bound = (int(cost.max(initial=0)) * (len(nodes) + 1) + sum(sp.fixed_cost) + sum(optional.values())
             + sum(c * (sp.horizon + round(BREACH_MINUTES * TIME_SCALE)) for _, c in sp.due.values()))
    big = min(10 * bound + 10**9, (2**62) // (len(nodes) + 1))
    sp.penalty = {jid: optional.get(jid, big) for jid in servable}
    return sp


def model_route_feasible(sp: ScaledProblem, v: int, route_nodes: list[int]) -> bool:
    """Whether a route (node indices, no depots) satisfies the integer model of technician v.

    Used before a route is handed to another engine as a warm start (OR-Tools refuses a whole start if
    one route breaks its model). max_duration is judged with the strict rule of `solution.py` (leave late
    only to avoid waiting at the first stop), which implies OR-Tools' span bound.
    """
    if not route_nodes:
        return True
    t = sp.shift_lo[v]
    prev = sp.start_node[v]
    load = 0
    count = 0
    waited = 0
    room: int | None = None
    picked: set[str] = set()
    for n in route_nodes:
        node = sp.nodes[n]
        if node.kind == "depot" or v not in sp.compatible.get(node.job or "", ()):
            return False
        arrival = t + int(sp.service[prev]) + int(sp.travel[prev, n])
        t = max(arrival, int(sp.tw_lo[n]))
        if node.kind == "job":
            waited += t - arrival
            slack = int(sp.tw_hi[n]) - t + waited
            room = slack if room is None else min(room, slack)
        if t > sp.tw_hi[n]:
            return False
        if node.kind == "pickup":
            picked.add(node.job)
        else:
            if node.job in sp.pickup_node and node.job not in picked:
                return False
            load += int(sp.demand[n])
            count += 1
        prev = n
    end = t + int(sp.service[prev]) + int(sp.travel[prev, sp.end_node[v]])
    if end > sp.shift_hi[v]:
        return False
    if sp.capacity[v] is not None and load > sp.capacity[v]:
        return False
    if sp.max_jobs[v] is not None and count > sp.max_jobs[v]:
        return False
    departure = sp.shift_lo[v] + max(0, min(waited, waited if room is None else room))
    if sp.max_duration[v] is not None and end - departure > sp.max_duration[v]:
        return False
    return True
