"""The engine: `solve(problem, time_limit) -> Solution`.

Plain OR-Tools (PATH_CHEAPEST_ARC + guided local search) was measured ~3.4 % above the best known Solomon
distances in 10 s and found no first solution at all on seven of them; PyVRP's iterated local search was
~0.2 %. So, PyVRP gets most of the budget (its model covers all but soft due times, left to OR-Tools; pick-ups
are its shipments), its routes are re-checked against the full problem and
repaired, and OR-Tools' model of record (every constraint, `ortools_model.py`) continues from them with
guided local search for the rest of the time. If PyVRP fails, OR-Tools starts from its parallel cheapest
insertion, which always exists because every job sits in a disjunction. Whatever the engine, the routes
go through `repair.py` and the checker, and the figures are recomputed in double precision
(`solution.evaluate`), so the reported solution always passes the contract's checker. Neither engine can
price a breach as such (see `breach.py`): each plan then goes through `reduce_breaches`, which moves the
avoidable ones on time where the objective (a breach charge on top of the minutes) gains.

`time_limit` is an upper bound on wall time: small problems stop earlier (SMALL_PROBLEM_SECONDS_PER_NODE).
Every phase runs against one deadline: a construction heuristic (`construct.py`, < 0.1 s at 2,000 x 200)
always gives a checked fallback first; PyVRP and OR-Tools are priced before they start (their data and
model are O(nodes^2) and cannot be interrupted) and skipped when they would not fit; PyVRP stops on the
absolute deadline; insertion stops at it; the final evaluate + check has its own reserve. Above LARGE_NODES
PyVRP starts from the construction and takes most of the time (OR-Tools only when a few seconds of search
remain after its model). For thousands of jobs see `decompose.solve_decomposed` (regional parts in
parallel processes); `solve` itself never decomposes.
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from .breach import reduce_breaches
from .check import check_solution
from .construct import construct
from .ortools_model import FIRST_SOLUTION, build_model, solve_model
from .problem import Problem
from .pyvrp_model import n_profiles, solve_pyvrp, supported
from .repair import gather_pickups, insert_jobs, repair_plan
from .scaled import ScaledProblem, model_route_feasible, scale_problem
from .solution import Plan, Solution, Visit, evaluate

log = logging.getLogger(__name__)

Engine = Literal["auto", "ortools", "pyvrp"]
SMALL_PROBLEM_SECONDS_PER_NODE = 0.25  # a 4-job problem is done in 1 s whatever the limit
MIN_BUDGET = 0.5
PYVRP_SHARE_EXACT = 0.93  # PyVRP sees the whole objective: OR-Tools polishes and certifies (it rarely
#                           improved on PyVRP in the Solomon benchmark with 15 % of the time)
# Soft due times: OR-Tools trades distance against lateness after PyVRP. On the realistic day (217 nodes)
# its descent from PyVRP's plan settles within ~1 s and guided local search then only cycles, so PyVRP's
# basin decides the day: with half of a 10 s limit, 2 runs of 6 ended in a worse one (134 jobs served, 8 %
# more km per job); with 0.75, 20 runs of 21 (10 s and 20 s) served 136 at 16.0-16.5 km per job.
PYVRP_SHARE_PARTIAL = 0.75
# Large problems (more model nodes than LARGE_NODES): PyVRP starts from the construction (its own start is an
# exhaustive local search from a random solution, unbounded in time) and gets most of the budget even with
# due times: at 2,000 x 200 OR-Tools' guided local search moved the objective by < 0.1 % in 10 s.
LARGE_NODES = 600
PYVRP_SHARE_LARGE = 0.85
PYVRP_SHARE_ALONE = 0.97  # the rest: repair, insertion, the final check
MIN_SEARCH = 1.0  # large problems: seconds of search below which an engine is not started at all
# Prices of the phases that cannot be interrupted, measured at 2,149 nodes on this 2-core machine and
# doubled for load: PyVRP copies one int64 distance matrix per profile plus the durations; OR-Tools copies
# two transit matrices, then closing the model and reading the start take as long again.
PYVRP_SECONDS_PER_CELL = 4e-8
ORTOOLS_SECONDS_PER_CELL = 1.5e-6
# Beyond these the engines are not started at all (the construction is returned): at 10,000 jobs in one
# model PyVRP alone would need ~17 GB; use decompose.solve_decomposed there.
MAX_PYVRP_CELLS = 250_000_000  # 2 GB of int64 per copy
MAX_ORTOOLS_CELLS = 25_000_000  # 5,000 nodes: two transit matrices as Python lists first
ORTOOLS_OVERSHOOT_PER_NODE = 3e-3  # measured 1.3 s past a 11.6 s limit at 560 nodes x 60 vehicles
FINAL_SECONDS_PER_JOB = 2e-4  # evaluate + check + JSON: ~0.1 s at 2,000 jobs
BREACH_SHARE = 0.1  # of the time left, at most, for moving avoidable breaches on time (0.1 s on the realistic day)


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
            candidates = {j: [sp.techs[v].id for v in sp.compatible[j]] for j in missing}
            plan = insert_jobs(problem, plan, missing, deadline=deadline, candidates=candidates)
        if sp.due:
            # Its moves are plain Python: on a large late day they could eat the search time of the engine next.
            now = time.monotonic()
            cap = None if deadline is None else min(deadline, now + BREACH_SHARE * max(0.0, deadline - now))
            plan = reduce_breaches(problem, plan, deadline=cap,
                                   candidates={j: [sp.techs[v].id for v in sp.compatible[j]] for j in sp.servable})
    if sp.pickup_node:
        plan = gather_pickups(problem, plan)
    return plan


def _reserve(problem: Problem, time_limit: float) -> float:
    """Seconds kept for the last evaluate + check + JSON (they cannot be interrupted)."""
    return min(0.3, 0.05 * time_limit) + FINAL_SECONDS_PER_JOB * len(problem.jobs)


def solve(problem: Problem, time_limit: float, *, engine: Engine = "auto", seed: int = 0) -> Solution:
    """Best solution found within `time_limit` seconds (wall). Never raises on a valid Problem.

    Every phase is priced against the deadline before it starts (PyVRP's data, OR-Tools' model: both
    O(nodes^2)) and skipped when it would not fit; a construction heuristic runs first so that there is
    always a checked solution to return."""
    t0 = time.monotonic()
    reserve = _reserve(problem, time_limit)
    sp = scale_problem(problem)
    n_nodes = len(sp.servable) + len(sp.pickup_node)
    large = n_nodes > LARGE_NODES
    budget = time_limit
    if engine == "auto":
        budget = min(time_limit, max(MIN_BUDGET, SMALL_PROBLEM_SECONDS_PER_NODE * n_nodes))
    deadline = t0 + max(0.05, budget - reserve)

    def remaining() -> float:
        return max(0.05, deadline - time.monotonic())

    def left() -> float:
        return deadline - time.monotonic()

    candidates: list[Solution] = []
    info: dict[str, object] = {"engine": engine}
    phases: list[tuple[str, float]] = []  # (phase, wall seconds it took), reported in info
    last = [t0]

    def mark(phase: str) -> None:
        now = time.monotonic()
        phases.append((phase, round(now - last[0], 2)))
        last[0] = now

    mark("scale")
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
        # The fallback first: a second or less even at 2,000 x 200, feasible in the integer model.
        built = construct(sp, deadline=deadline)
        plan = repair_plan(problem, _plan_from_nodes(sp, built))
        candidates.append(evaluate(problem, plan, info={"from": "construction"}))
        mark("construction")
        warm: list[list[int]] | None = built
        n2 = len(sp.nodes) ** 2
        min_search = MIN_SEARCH if large else 0.0
        cells = n2 * (n_profiles(sp) + 1) if large else 0  # PyVRP's int64 matrices: one per profile + durations
        pyvrp_cost = PYVRP_SECONDS_PER_CELL * cells
        pyvrp_fits = cells <= MAX_PYVRP_CELLS  # memory guard (each is copied once more on the way in)
        if supported(sp) and pyvrp_fits and left() > pyvrp_cost + min_search:
            share = PYVRP_SHARE_PARTIAL if sp.due else PYVRP_SHARE_EXACT
            if large:
                # OR-Tools only if it would get a few seconds of search after its model; else PyVRP takes it all.
                after = remaining() - pyvrp_cost
                ortools_need = ORTOOLS_SECONDS_PER_CELL * n2 + 3 * MIN_SEARCH
                share = PYVRP_SHARE_LARGE if after * (1 - PYVRP_SHARE_LARGE) > ortools_need else PYVRP_SHARE_ALONE
            try:
                routes, feasible = solve_pyvrp(sp, max(pyvrp_cost + min_search, remaining() * share), seed=seed,
                                               initial=built if large else None)
                info["pyvrp_feasible"] = feasible
                mark("pyvrp")
                plan = _finish(problem, sp, _plan_from_nodes(sp, routes), deadline=deadline)
                candidates.append(evaluate(problem, plan, info={"from": "pyvrp"}))
                mark("repair+insert")
                warm = _nodes_from_plan(sp, plan)
            except Exception:  # a warm start is a bonus: never let it cost the answer
                log.exception("PyVRP warm start failed; OR-Tools continues alone")
        else:
            info["pyvrp_skipped"] = True
        ortools_cost = ORTOOLS_SECONDS_PER_CELL * n2 if large else 0.0
        if n2 <= MAX_ORTOOLS_CELLS and left() > ortools_cost + min_search:
            try:
                model = build_model(sp)
                mark("ortools model")
                # Guided local search (and its finalizers) overshoot the limit by up to ~2.5 ms per node.
                routes = solve_model(model, remaining() - min(0.5 * remaining(), ORTOOLS_OVERSHOOT_PER_NODE * n_nodes),
                                     initial=warm)
                mark("ortools search")
            except Exception:
                log.exception("OR-Tools search failed")
                routes = None
            if routes is not None:
                plan = _finish(problem, sp, _plan_from_nodes(sp, routes), deadline=deadline)
                candidates.append(evaluate(problem, plan, info={"from": "ortools"}))
                mark("repair+insert")
        else:
            info["ortools_skipped"] = True

    best = min(candidates, key=Solution.key)
    info.update(best.info)
    if phases:
        info["phases"] = phases
    best = evaluate(problem, best.plan(), solve_seconds=time.monotonic() - t0, info=info)
    problems = check_solution(problem, best.to_dict())
    if problems:  # never expected: repair_plan already made every route pass the same rules
        log.error("solution failed the checker, repairing it again: %s", problems[:3])
        best = evaluate(problem, repair_plan(problem, best.plan()), solve_seconds=time.monotonic() - t0, info=info)
    return best
