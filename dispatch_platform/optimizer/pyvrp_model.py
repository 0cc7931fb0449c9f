"""PyVRP (iterated local search) on the same integers as the OR-Tools model, as a warm start.

PyVRP covers: time windows, shifts (vehicle type windows), capacity and max_jobs (two load dimensions:
demand, and 1 per job), max_duration (shift_duration), fixed costs, optional jobs (prizes), skills and
allowed technicians (one routing profile per set of reachable jobs, with arcs into a forbidden job
costing FORBIDDEN_ARC). It does not cover soft due times (ignored here; OR-Tools prices them afterwards)
A job with a pick-up is a PyVRP shipment (collect at the locker, deliver = the job with its window). Its
load rule differs from ours (a shipment loads the van only from its pick-up on, we count every job's
demand over the whole route), which the checker and repair catch; OR-Tools then continues on the exact
model.

Two facts measured on this machine (shared/PLATFORM-NOTES.md): with arcs of ~1.8e13 for forbidden
clients PyVRP spent minutes building its start outside the time limit; 1e9 keeps it under 0.1 s. And its
max-duration rule is looser than ours (its start may move to cut later waiting), so its routes are always
re-checked against the full problem by the caller.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pyvrp
from pyvrp.stop import MultipleCriteria, NoImprovement

from .scaled import ScaledProblem, structurally_compatible

FORBIDDEN_ARC = 1_000_000_000


def supported(sp: ScaledProblem) -> bool:
    return len(sp.servable) > 0 and len(sp.techs) > 0


def build_data(sp: ScaledProblem) -> tuple[pyvrp.ProblemData, list[str], list[str]]:
    """ProblemData whose locations are the model's nodes in the same order (depots, jobs, pick-ups);
    returns it with the job id of each PyVRP client and of each PyVRP shipment."""
    n_dep = sp.n_depots
    client_ids = [j for j in sp.servable if j not in sp.pickup_node]
    shipment_ids = [j for j in sp.servable if j in sp.pickup_node]
    n_nodes = len(sp.nodes)
    locations = [pyvrp.Location(x=float(nd.location[0]), y=float(nd.location[1])) for nd in sp.nodes]
    jobs = {j.id: j for j in sp.problem.jobs}
    use_count = any(m is not None for m in sp.max_jobs)

    def load(jid: str) -> list[int]:
        return [int(sp.demand[sp.job_node[jid]])] + ([1] if use_count else [])

    depots = [pyvrp.Depot(location=d, tw_early=0, tw_late=sp.horizon) for d in range(n_dep)]
    clients = []
    for jid in client_ids:
        n = sp.job_node[jid]
        optional = jobs[jid].optional
        clients.append(pyvrp.Client(
            location=n, delivery=load(jid), service_duration=int(sp.service[n]),
            tw_early=int(sp.tw_lo[n]), tw_late=int(sp.tw_hi[n]),
            prize=int(sp.penalty[jid]) if optional else 0, required=not optional, name=jid))
    shipments = []
    for jid in shipment_ids:
        n, pn = sp.job_node[jid], sp.pickup_node[jid]
        optional = jobs[jid].optional
        shipments.append(pyvrp.Shipment(
            pickup_location=pn, delivery_location=n, pickup_tw_early=0, pickup_tw_late=sp.horizon,
            pickup_service_duration=int(sp.service[pn]), delivery_tw_early=int(sp.tw_lo[n]),
            delivery_tw_late=int(sp.tw_hi[n]), delivery_service_duration=int(sp.service[n]),
            amount=load(jid), prize=int(sp.penalty[jid]) if optional else 0, required=not optional, name=jid))

    # One profile per distinct set of jobs a technician may serve (usually very few distinct sets).
    profiles: dict[frozenset[int], int] = {}
    distance_matrices: list[np.ndarray] = []
    vehicle_types = []
    total_demand = int(sp.demand.sum())
    # Only the structural rules (skills, allowed technicians) become forbidden arcs: a job out of reach in
    # time is already ruled out by PyVRP's own time windows and shifts. Keying profiles on `sp.compatible`
    # (which includes reachability) gave one profile per technician at 2,000 x 200 over the US: 190 dense
    # int64 matrices of 2,149^2, 20 GB resident and 70 s of page faults before the search even started.
    job_objs = [jobs[jid] for jid in sp.servable]
    job_nodes = [sp.job_node[jid] for jid in sp.servable]
    for v, tech in enumerate(sp.techs):
        forbidden = frozenset(n for j, n in zip(job_objs, job_nodes, strict=True)
                              if not structurally_compatible(tech, j))
        if forbidden not in profiles:
            m = sp.cost.astype(np.int64).copy()
            if forbidden:
                m[:, sorted(forbidden)] = FORBIDDEN_ARC
                np.fill_diagonal(m, 0)
            profiles[forbidden] = len(distance_matrices)
            distance_matrices.append(m)
        cap = [total_demand if sp.capacity[v] is None else sp.capacity[v]]
        if use_count:
            cap.append(len(sp.servable) if sp.max_jobs[v] is None else sp.max_jobs[v])
        kwargs = {}
        if sp.max_duration[v] is not None:
            kwargs["shift_duration"] = sp.max_duration[v]
        vehicle_types.append(pyvrp.VehicleType(
            num_available=1, capacity=cap, start_depot=sp.start_node[v], end_depot=sp.end_node[v],
            fixed_cost=sp.fixed_cost[v], tw_early=sp.shift_lo[v], tw_late=max(sp.shift_lo[v], sp.shift_hi[v]),
            profile=profiles[forbidden], name=tech.id, **kwargs))
    duration = sp.travel.astype(np.int64)
    assert duration.shape == (n_nodes, n_nodes)
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, distance_matrices,
                             [duration] * len(distance_matrices), [], shipments)
    return data, client_ids, shipment_ids


def n_profiles(sp: ScaledProblem) -> int:
    """How many distance matrices `build_data` will make (to price it before building it)."""
    jobs = {j.id: j for j in sp.problem.jobs}
    sets = {frozenset(jid for jid in sp.servable if not structurally_compatible(t, jobs[jid])) for t in sp.techs}
    return len(sets)


def initial_solution(data: pyvrp.ProblemData, sp: ScaledProblem, client_ids: list[str],
                     routes: list[list[int]]) -> pyvrp.Solution | None:
    """A PyVRP solution from model routes of client jobs (pick-up jobs are left out of it)."""
    index = {sp.job_node[jid]: i for i, jid in enumerate(client_ids)}
    out = []
    for v, nodes in enumerate(routes):
        visits = [index[n] for n in nodes if n in index]
        if visits:
            out.append(pyvrp.Route(data, [pyvrp.Activity(pyvrp.ActivityType.CLIENT, i) for i in visits], v))
    try:
        return pyvrp.Solution(data, out)
    except Exception:  # an initial solution is a bonus: PyVRP builds its own without one
        return None


class Deadline:
    """PyVRP stopping criterion: stop at a time.monotonic() instant."""

    def __init__(self, at: float):
        self.at = at

    def __call__(self, best_cost: float) -> bool:
        return time.monotonic() >= self.at


def solve_pyvrp(sp: ScaledProblem, time_limit: float, *, seed: int = 0, no_improvement: int | None = None,
                initial: list[list[int]] | None = None,
                data: tuple[pyvrp.ProblemData, list[str], list[str]] | None = None) -> tuple[list[list[int]], bool]:
    """Run PyVRP; return model node lists per technician and whether PyVRP deems its best feasible.

    `initial` (model node lists per technician) is the start; without one PyVRP runs an exhaustive local
    search from a random solution, which is not bounded by the time limit (minutes at 2,000 jobs)."""
    t0 = time.monotonic()
    data_, client_ids, shipment_ids = data if data is not None else build_data(sp)
    init = initial_solution(data_, sp, client_ids, initial) if initial is not None else None
    # An absolute deadline (building the data, PyVRP's neighbour lists and its first local search all
    # count), not MaxRuntime, whose clock only starts at the first iteration.
    stop: object = Deadline(t0 + max(0.01, time_limit))
    if no_improvement:
        stop = MultipleCriteria([stop, NoImprovement(no_improvement)])
    with warnings.catch_warnings():
        # "penalty reached its maximum": expected when must-serve jobs cannot all fit; the caller repairs.
        warnings.simplefilter("ignore")
        result = pyvrp.solve(data_, stop=stop, seed=seed, collect_stats=False, display=False,
                             initial_solution=init)
    best = result.best
    routes: list[list[int]] = [[] for _ in sp.techs]
    for route in best.routes():
        v = route.vehicle_type()
        nodes: list[int] = []
        for a in route:
            if a.is_client():
                nodes.append(sp.job_node[client_ids[a.idx]])
            elif a.is_pickup():
                nodes.append(sp.pickup_node[shipment_ids[a.idx]])
            elif a.is_delivery():
                nodes.append(sp.job_node[shipment_ids[a.idx]])
        routes[v] = nodes
    return routes, best.is_feasible()
