"""A fast construction heuristic on the integer model: the solution that always exists.

Sequential cheapest insertion (must-serve and high-penalty jobs first) with O(1) time-window checks per
position (earliest start forward, latest start backward, the classic push-forward test), so 2,000 jobs x
200 technicians take about a second in pure Python. Every route it returns is feasible in the integer model
of `scaled.py` (max_duration routes are re-checked with `model_route_feasible`), hence feasible for real
and accepted as a warm start by both engines. Jobs with a pick-up are left to the engines and to
`repair.insert_jobs`. It is the solver's fallback (returned if the engines run out of time) and PyVRP's
initial solution, which spares PyVRP its unbounded first local search from a random solution.
"""

from __future__ import annotations

import time

import numpy as np

from .scaled import TIME_SCALE, ScaledProblem, model_route_feasible
from .solution import BREACH_MINUTES

BREACH_UNITS = round(BREACH_MINUTES * TIME_SCALE)  # a late job's step charge, in model time units
MAX_CANDIDATES = 24  # technicians tried per job, nearest homes first (all of them when fewer are compatible)


class _Route:
    __slots__ = ("v", "nodes", "est", "lst", "load", "count")

    def __init__(self, v: int):
        self.v = v
        self.nodes: list[int] = []
        self.load = 0
        self.count = 0
        self.est: list[int] = []
        self.lst: list[int] = []


def construct(sp: ScaledProblem, *, deadline: float | None = None) -> list[list[int]]:
    """Routes (model node lists per technician, depots excluded); stops inserting at `deadline`."""
    n_veh = len(sp.techs)
    routes = [_Route(v) for v in range(n_veh)]
    travel, cost, service = sp.travel, sp.cost, sp.service
    tw_lo, tw_hi = sp.tw_lo, sp.tw_hi
    jobs = {j.id: j for j in sp.problem.jobs}

    def refresh(r: _Route) -> None:
        v = r.v
        seq = [sp.start_node[v], *r.nodes, sp.end_node[v]]
        est = [sp.shift_lo[v]]
        for k in range(1, len(seq)):
            a = est[-1] + int(service[seq[k - 1]]) + int(travel[seq[k - 1], seq[k]])
            est.append(max(a, int(tw_lo[seq[k]])) if k < len(seq) - 1 else a)
        lst = [0] * len(seq)
        lst[-1] = sp.shift_hi[v]
        for k in range(len(seq) - 2, 0, -1):
            lst[k] = min(int(tw_hi[seq[k]]), lst[k + 1] - int(service[seq[k]]) - int(travel[seq[k], seq[k + 1]]))
        r.est, r.lst = est, lst

    for r in routes:
        refresh(r)

    def order_key(jid: str) -> tuple[int, int, int]:
        n = sp.job_node[jid]
        return (-sp.penalty[jid], int(tw_hi[n] - tw_lo[n]), n)

    todo = sorted((j for j in sp.servable if j not in sp.pickup_node), key=order_key)
    start_nodes = np.asarray(sp.start_node, dtype=np.int64)
    for i, jid in enumerate(todo):
        if deadline is not None and i % 64 == 0 and time.monotonic() > deadline:
            break
        u = sp.job_node[jid]
        cands = sp.compatible[jid]
        if len(cands) > MAX_CANDIDATES:
            near = np.argsort(travel[start_nodes[cands], u], kind="stable")[:MAX_CANDIDATES]
            cands = [cands[k] for k in near]
        demand_u = int(sp.demand[u])
        best: tuple[int, int, int] | None = None  # (delta, vehicle, position)
        for v in cands:
            r = routes[v]
            if sp.max_jobs[v] is not None and r.count >= sp.max_jobs[v]:
                continue
            if sp.capacity[v] is not None and r.load + demand_u > sp.capacity[v]:
                continue
            seq_prev = sp.start_node[v]
            nodes = r.nodes
            for k in range(len(nodes) + 1):
                nxt = nodes[k] if k < len(nodes) else sp.end_node[v]
                a = r.est[k] + int(service[seq_prev]) + int(travel[seq_prev, u])
                tu = max(a, int(tw_lo[u]))
                if tu <= tw_hi[u]:
                    b = tu + int(service[u]) + int(travel[u, nxt])
                    if k < len(nodes):
                        b = max(b, int(tw_lo[nxt]))
                    if b <= r.lst[k + 1]:
                        delta = int(cost[seq_prev, u]) + int(cost[u, nxt]) - int(cost[seq_prev, nxt])
                        if not nodes:
                            delta += sp.fixed_cost[v]
                        if jid in sp.due:
                            due, per_unit = sp.due[jid]
                            if tu > due:
                                delta += (tu - due + BREACH_UNITS) * per_unit
                        if (best is None or delta < best[0]) and (
                                sp.max_duration[v] is None
                                or model_route_feasible(sp, v, nodes[:k] + [u] + nodes[k:])):
                            best = (delta, v, k)
                seq_prev = nxt
        if best is None:
            continue
        if jobs[jid].optional and best[0] >= sp.penalty[jid]:
            continue
        _, v, k = best
        r = routes[v]
        r.nodes.insert(k, u)
        r.load += demand_u
        r.count += 1
        refresh(r)
    return [r.nodes for r in routes]
