"""The OR-Tools routing model of record: every contract constraint, on the integers of `scaled.py`.

- time windows: a "Time" dimension whose transit is service(from) + travel, slack allowed (waiting);
- shifts: each vehicle's start and end cumul ranges; the start is free within the shift (leaving later);
- max_duration: span upper bound of the Time dimension (waiting after leaving counts);
- skills and allowed_technicians: allowed vehicles per node (decided once in `scaled.py`);
- capacity: a "Load" dimension; max_jobs: a "Jobs" count dimension;
- soft due: soft upper bound on the job's Time cumul at lateness_cost per unit (linear only: the Python API
  of ortools 9.15 wraps no piecewise-linear cumul cost, so the objective's breach charge is `breach.py`'s);
- optional jobs: a disjunction with the job's penalty; must-serve jobs get a penalty larger than any
  cost serving them could add, so they are dropped only when no technician can take them;
- fixed cost: vehicle fixed cost; distance cost: arc cost of all vehicles;
- pickups: a separate node in the same disjunction as its job, paired with AddPickupAndDelivery (same
  vehicle, before the job) and a cumul ordering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .scaled import ScaledProblem

FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy
METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic


@dataclass
class OrToolsModel:
    sp: ScaledProblem
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension


def build_model(sp: ScaledProblem, *, hard_mandatory: bool = False) -> OrToolsModel:
    """The full model. `hard_mandatory` leaves must-serve jobs out of any disjunction (plain OR-Tools as
    the issue measured it: then a first solution may not exist); the engine never uses it."""
    n = len(sp.nodes)
    n_veh = len(sp.techs)
    manager = pywrapcp.RoutingIndexManager(n, n_veh, sp.start_node, sp.end_node)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    # Matrices, not Python callbacks: OR-Tools then never calls back into the interpreter while searching.
    cost_cb = routing.RegisterTransitMatrix(sp.cost.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    transit = sp.travel + sp.service[:, None]
    time_cb = routing.RegisterTransitMatrix(transit.tolist())
    # OR-Tools schedules every vehicle's route, even an empty one (start -> end). A technician who cannot
    # even get home within his shift (now across the country from home: the realistic day has one) can
    # serve nothing (`scaled.compatible` never lists him, so every node's VehicleVar excludes him), but
    # with his shift end as a hard bound his empty route alone made the whole model infeasible: OR-Tools
    # found no solution at all and the soft due times were never priced. His end is left late instead.
    homeward = [int(sp.travel[sp.start_node[v], sp.end_node[v]]) for v in range(n_veh)]
    stranded = [sp.shift_lo[v] + homeward[v] > sp.shift_hi[v]
                or (sp.max_duration[v] is not None and homeward[v] > sp.max_duration[v]) for v in range(n_veh)]
    capacity = max([sp.horizon] + [sp.shift_lo[v] + homeward[v] for v in range(n_veh) if stranded[v]])
    routing.AddDimension(time_cb, capacity, capacity, False, "Time")
    time = routing.GetDimensionOrDie("Time")

    for v in range(n_veh):
        end_hi = sp.shift_lo[v] + homeward[v] if stranded[v] else sp.shift_hi[v]
        time.CumulVar(routing.Start(v)).SetRange(sp.shift_lo[v], max(sp.shift_lo[v], sp.shift_hi[v]))
        time.CumulVar(routing.End(v)).SetRange(sp.shift_lo[v], max(sp.shift_lo[v], end_hi))
        if sp.max_duration[v] is not None and not stranded[v]:
            time.SetSpanUpperBoundForVehicle(sp.max_duration[v], v)
        if sp.fixed_cost[v]:
            routing.SetFixedCostOfVehicle(sp.fixed_cost[v], v)
        # Keep the schedule tight (leave as late as useful, come back as early as possible); it does not
        # change the routes' cost, only which of the equal schedules the solver reports.
        routing.AddVariableMaximizedByFinalizer(time.CumulVar(routing.Start(v)))
        routing.AddVariableMinimizedByFinalizer(time.CumulVar(routing.End(v)))

    if any(c is not None for c in sp.capacity):
        total = int(sp.demand.sum())
        load_cb = routing.RegisterUnaryTransitVector(sp.demand.tolist())
        routing.AddDimensionWithVehicleCapacity(
            load_cb, 0, [total if c is None else c for c in sp.capacity], True, "Load")
    if any(m is not None for m in sp.max_jobs):
        counts = [1 if node.kind == "job" else 0 for node in sp.nodes]
        count_cb = routing.RegisterUnaryTransitVector(counts)
        routing.AddDimensionWithVehicleCapacity(
            count_cb, 0, [len(sp.servable) if m is None else m for m in sp.max_jobs], True, "Jobs")

    jobs = {j.id: j for j in sp.problem.jobs}
    for jid in sp.servable:
        node = sp.job_node[jid]
        index = manager.NodeToIndex(node)
        time.CumulVar(index).SetRange(int(sp.tw_lo[node]), int(sp.tw_hi[node]))
        allowed = sp.compatible[jid]
        indices = [index]
        if jid in sp.pickup_node:
            p_index = manager.NodeToIndex(sp.pickup_node[jid])
            indices.insert(0, p_index)
            routing.AddPickupAndDelivery(p_index, index)
            solver.Add(routing.VehicleVar(p_index) == routing.VehicleVar(index))
            solver.Add(time.CumulVar(p_index) <= time.CumulVar(index))
        if len(allowed) < n_veh:
            for i in indices:
                # -1 keeps "unperformed" possible (the disjunction decides whether it is acceptable).
                routing.VehicleVar(i).SetValues([-1, *allowed])
        if jid in sp.due:
            due, per_unit = sp.due[jid]
            time.SetCumulVarSoftUpperBound(index, due, per_unit)
        if hard_mandatory and not jobs[jid].optional:
            continue
        # Penalised once per inactive node: a pair pays half each, so dropping both costs the job's penalty.
        penalty = sp.penalty[jid]
        routing.AddDisjunction(indices, max(1, penalty // len(indices)), len(indices))
    return OrToolsModel(sp, manager, routing, time)


def search_parameters(time_limit: float, *, first_solution: int = FIRST_SOLUTION.PARALLEL_CHEAPEST_INSERTION,
                      metaheuristic: int = METAHEURISTIC.GUIDED_LOCAL_SEARCH) -> pywrapcp.DefaultRoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    params.local_search_metaheuristic = metaheuristic
    params.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    return params


def solve_model(model: OrToolsModel, time_limit: float, *, initial: list[list[int]] | None = None,
                first_solution: int = FIRST_SOLUTION.PARALLEL_CHEAPEST_INSERTION) -> list[list[int]] | None:
    """Search for `time_limit` seconds; return the routes as node lists per vehicle (None: no solution).

    `initial` (node lists per vehicle, depots excluded) is a warm start; a start the model refuses is
    ignored and the first-solution strategy is used instead. The limit covers closing the model and
    reading the start (seconds at 2,000 nodes), not only the search.
    """
    routing, manager = model.routing, model.manager
    end = time.monotonic() + time_limit
    params = search_parameters(time_limit, first_solution=first_solution)
    assignment = None
    if initial is not None:
        routes = [[manager.NodeToIndex(nd) for nd in r] for r in initial]
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(routes, True)
        if start is not None:
            params = search_parameters(max(0.01, end - time.monotonic()), first_solution=first_solution)
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        params = search_parameters(max(0.01, end - time.monotonic()), first_solution=first_solution)
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return None
    out: list[list[int]] = []
    for v in range(len(model.sp.techs)):
        index = routing.Start(v)
        nodes: list[int] = []
        index = assignment.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        out.append(nodes)
    return out
