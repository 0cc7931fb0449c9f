"""The engine: `solve(problem, time_limit) -> Solution`.

Plain OR-Tools (PATH_CHEAPEST_ARC + guided local search) was measured ~3.4 % above the best known Solomon
distances in 10 s and found no first solution at all on seven of them; PyVRP's iterated local search was
~0.2 %. So, PyVRP gets most of the budget (its model covers all but soft due times, left to OR-Tools; pick-ups
are its shipments), its routes are re-checked against the full problem and
repaired, and OR-Tools' model of record (every constraint, `ortools_model.py`) continues from them with
guided local search for the rest of the time. If PyVRP fails, OR-Tools starts from its parallel cheapest
insertion, which always exists because every job sits in a disjunction. Whatever the engine, the routes
go through `repair.py` and the checker, and the figures are recomputed in double precision
(`solution.evaluate`), so the reported solution always passes the contract's checker.

`time_limit` is an upper bound on wall time: small problems stop earlier (SMALL_PROBLEM_SECONDS_PER_NODE).
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from .check import check_solution
from .ortools_model import FIRST_SOLUTION, build_model, solve_model
from .problem import Problem
from .pyvrp_model import solve_pyvrp, supported
from .repair import gather_pickups, insert_jobs, repair_plan
from .scaled import ScaledProblem, model_route_feasible, scale_problem
from .solution import Plan, Solution, Visit, evaluate

log = logging.getLogger(__name__)

Engine = Literal["auto", "ortools", "pyvrp"]
SMALL_PROBLEM_SECONDS_PER_NODE = 0.25  # a 4-job problem is done in 1 s whatever the limit
MIN_BUDGET = 0.5
PYVRP_SHARE_EXACT = 0.93  # PyVRP sees the whole objective: OR-Tools polishes and certifies (it rarely
#                           improved on PyVRP in the Solomon benchmark with 15 % of the time)
PYVRP_SHARE_PARTIAL = 0.5  # soft due times: OR-Tools needs time to trade distance against lateness


def _plan_from_nodes(sp: ScaledProblem, routes: list[list[int]]) -> Plan:
    plan: Plan = {}
    for v, nodes in enumerate(routes):
        visits: list[Visit] = []
        for n in nodes:
            node = sp.nodes[n]
            if node.kind in ("job", "pickup") and node.job is not None:
                visits.append(("job" if node.kind == "job" else "pickup", node.job))
        plan[sp.techs[v].id] = visits
    return plan


def _nodes_from_plan(sp: ScaledProblem, plan: Plan) -> list[list[int]]:
    out: list[list[int]] = []
    for v, tech in enumerate(sp.techs):
        nodes = []
        for kind, job in plan.get(tech.id, []):
            table = sp.job_node if kind == "job" else sp.pickup_node
            if job in table:
                nodes.append(table[job])
        # A route the integer model refuses would make OR-Tools refuse the whole start: leave it empty,
        # OR-Tools re-inserts its jobs.
        out.append(nodes if model_route_feasible(sp, v, nodes) else [])
    return out


def _finish(problem: Problem, sp: ScaledProblem, plan: Plan, *, deadline: float | None, insert: bool = True) -> Plan:
    plan = repair_plan(problem, plan)
    if insert:
        served = {j for visits in plan.values() for k, j in visits if k == "job"}
        missing = [j for j in sp.servable if j not in served]
        if missing:
            plan = insert_jobs(problem, plan, missing, deadline=deadline)
    if sp.pickup_node:
        plan = gather_pickups(problem, plan)
    return plan


def solve(problem: Problem, time_limit: float, *, engine: Engine = "auto", seed: int = 0) -> Solution:
    """Best solution found within `time_limit` seconds (wall). Never raises on a valid Problem."""
    t0 = time.monotonic()
    reserve = min(0.3, 0.05 * time_limit)
    sp = scale_problem(problem)
    n_nodes = len(sp.servable) + len(sp.pickup_node)
    budget = time_limit
    if engine == "auto":
        budget = min(time_limit, max(MIN_BUDGET, SMALL_PROBLEM_SECONDS_PER_NODE * n_nodes))
    deadline = t0 + max(0.05, budget - reserve)

    def remaining() -> float:
        return max(0.05, deadline - time.monotonic())

    candidates: list[Solution] = []
    info: dict[str, object] = {"engine": engine}
    if not sp.servable or not sp.techs:
        candidates.append(evaluate(problem, {}))
    elif engine == "ortools":
        # The baseline as the issue measured it: must-serve jobs are hard, first solution by cheapest arc.
        model = build_model(sp, hard_mandatory=True)
        routes = solve_model(model, remaining(), first_solution=FIRST_SOLUTION.PATH_CHEAPEST_ARC)
        if routes is None:
            sol = evaluate(problem, {}, solve_seconds=time.monotonic() - t0, info={"engine": engine})
            return Solution(**{**sol.__dict__, "status": "no_solution"})
        candidates.append(evaluate(problem, _finish(problem, sp, _plan_from_nodes(sp, routes),
                                                    deadline=None, insert=False)))
    elif engine == "pyvrp":
        routes, feasible = solve_pyvrp(sp, remaining(), seed=seed)
        info["pyvrp_feasible"] = feasible
        candidates.append(evaluate(problem, _finish(problem, sp, _plan_from_nodes(sp, routes),
                                                    deadline=None, insert=False)))
    else:
        warm: list[list[int]] | None = None
        if supported(sp):
            share = PYVRP_SHARE_PARTIAL if sp.due else PYVRP_SHARE_EXACT
            try:
                routes, feasible = solve_pyvrp(sp, remaining() * share, seed=seed)
                info["pyvrp_feasible"] = feasible
                plan = _finish(problem, sp, _plan_from_nodes(sp, routes), deadline=t0 + budget - reserve / 2)
                candidates.append(evaluate(problem, plan, info={"from": "pyvrp"}))
                warm = _nodes_from_plan(sp, plan)
            except Exception:  # a warm start is a bonus: never let it cost the answer
                log.exception("PyVRP warm start failed; OR-Tools continues alone")
        try:
            model = build_model(sp)
            routes = solve_model(model, remaining(), initial=warm)
        except Exception:
            log.exception("OR-Tools search failed")
            routes = None
        if routes is not None:
            plan = _finish(problem, sp, _plan_from_nodes(sp, routes), deadline=t0 + budget - reserve / 2)
            candidates.append(evaluate(problem, plan, info={"from": "ortools"}))
        if not candidates:
            # Last resort: cheapest insertion from nothing, still checked like everything else.
            plan = insert_jobs(problem, {}, sp.servable, deadline=t0 + budget)
            candidates.append(evaluate(problem, repair_plan(problem, plan), info={"from": "insertion"}))

    best = min(candidates, key=Solution.key)
    info.update(best.info)
    best = evaluate(problem, best.plan(), solve_seconds=time.monotonic() - t0, info=info)
    problems = check_solution(problem, best.to_dict())
    if problems:  # never expected: repair_plan already made every route pass the same rules
        log.error("solution failed the checker, repairing it again: %s", problems[:3])
        best = evaluate(problem, repair_plan(problem, best.plan()), solve_seconds=time.monotonic() - t0, info=info)
    return best
