"""Fewer SLA breaches: a post-optimisation on real-valued schedules, run on every engine's plan.

A dispatcher counts breaches (jobs started after their due time), not minutes. The engines cannot: OR-Tools'
Python API prices a cumul only linearly (SetCumulVarSoftUpperBound; no piecewise-linear cumul cost is
wrapped in ortools 9.15) and PyVRP ignores due times, so for them two jobs 15 minutes late cost as much as
one 30 minutes late and lateness gets spread over several jobs. The objective (`solution.py`) charges each
late job BREACH_MINUTES of its lateness cost on top of its minutes; this step moves the jobs whose breach
is avoidable to where they start on time, when that lowers the objective:

- relocate: the late job (with its pick-up) to any position of any technician who may serve it where it
  starts by its due time;
- relocate with ejection: the same, one job taken off the receiving route to make room, which goes to its
  cheapest feasible place on another route, or is left unassigned when its penalty is cheaper;
- make room: a job ahead of the late one on its route goes to its cheapest place (later on the same
  route, another route, or unassigned) so that the late one moves up and starts on time.

Every route it changes passes `plan_route_ok`, and a move is kept only if it lowers the objective, so it
never costs a served must-serve job and never makes a plan worse.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from .check import plan_route_ok
from .problem import Job, Problem, Technician
from .repair import _route_cost
from .solution import Plan, Visit, schedule_route

EPS = 1e-6  # cost units: a move must gain more than float noise
LATE = 1e-9  # minutes past due that count as late (as the benchmarks count a breach)


def _without(visits: list[Visit], job_id: str) -> list[Visit]:
    return [v for v in visits if v[1] != job_id]


def _insertions(visits: list[Visit], job: Job, k: int) -> list[list[Visit]]:
    """`visits` with the job at position k, its pick-up (if any) at every position before it."""
    with_job = visits[:k] + [("job", job.id)] + visits[k:]
    if job.pickup is None:
        return [with_job]
    return [with_job[:i] + [("pickup", job.id)] + with_job[i:] for i in range(k + 1)]


def _start_of(problem: Problem, tech: Technician, visits: list[Visit], jobs: dict[str, Job], job_id: str) -> float:
    route = schedule_route(problem, tech, visits, jobs)
    return next(s.start for s in route.stops if s.kind == "job" and s.job == job_id)


class _Breaches:
    def __init__(self, problem: Problem, plan: Plan, candidates: Mapping[str, Sequence[str]] | None,
                 deadline: float | None):
        self.problem = problem
        self.jobs = {j.id: j for j in problem.jobs}
        self.techs = {t.id: t for t in problem.technicians}
        self.plan: Plan = {t.id: list(plan.get(t.id, [])) for t in problem.technicians}
        self.deadline = deadline
        self.candidates = {
            j.id: [t for t in (candidates[j.id] if candidates is not None and j.id in candidates else self.techs)
                   if self._may_serve(self.techs[t], j)]
            for j in problem.jobs}
        self._cost: dict[str, float] = {}
        self._avoidable: dict[str, bool] = {}

    def _may_serve(self, tech: Technician, job: Job) -> bool:
        return job.skills <= tech.skills and (job.allowed_technicians is None or tech.id in job.allowed_technicians)

    def late(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def cost(self, tech_id: str, visits: list[Visit] | None = None) -> float:
        if visits is not None:
            return _route_cost(self.problem, self.techs[tech_id], visits, self.jobs)
        if tech_id not in self._cost:
            self._cost[tech_id] = _route_cost(self.problem, self.techs[tech_id], self.plan[tech_id], self.jobs)
        return self._cost[tech_id]

    def ok(self, tech_id: str, visits: list[Visit]) -> bool:
        return plan_route_ok(self.problem, self.techs[tech_id], visits, self.jobs)

    def avoidable(self, job: Job) -> bool:
        """Whether some technician could start the job by its due time, serving it alone."""
        if job.id not in self._avoidable:
            self._avoidable[job.id] = any(
                _start_of(self.problem, self.techs[t], _insertions([], job, 0)[0], self.jobs, job.id) <= job.due
                for t in self.candidates[job.id])
        return self._avoidable[job.id]

    def targets(self) -> list[tuple[str, str]]:
        """(job, technician) of every served job that is late although it need not be, dearest breach first."""
        out = []
        for tech_id, visits in self.plan.items():
            if not visits:
                continue
            for s in schedule_route(self.problem, self.techs[tech_id], visits, self.jobs).stops:
                job = self.jobs[s.job]
                if s.kind == "job" and job.due is not None and s.start > job.due + LATE and self.avoidable(job):
                    out.append((s.job, tech_id))
        return sorted(out, key=lambda t: (-self.jobs[t[0]].lateness_cost, t[0]))

    def cheapest_insertion(self, job: Job, routes: Mapping[str, list[Visit]], *,
                           keep: tuple[str, Job] | None = None) -> tuple[float, str, list[Visit]] | None:
        """Cheapest feasible place for the job among `routes`; `keep` (technician, job): a job on that
        technician's route that must stay on time."""
        best: tuple[float, str, list[Visit]] | None = None
        for tech_id, visits in routes.items():
            base = self.cost(tech_id, visits)
            for k in range(len(visits) + 1):
                for trial in _insertions(visits, job, k):
                    if not self.ok(tech_id, trial):
                        continue
                    if keep is not None and keep[0] == tech_id and keep[1].due is not None and \
                            _start_of(self.problem, self.techs[tech_id], trial, self.jobs, keep[1].id) > keep[1].due:
                        continue
                    delta = self.cost(tech_id, trial) - base
                    if best is None or delta < best[0]:
                        best = (delta, tech_id, trial)
        return best

    def best_move(self, job_id: str, src: str) -> tuple[float, dict[str, list[Visit]]] | None:
        """The cheapest move that makes the job start on time: (change of objective, new routes)."""
        job = self.jobs[job_id]
        assert job.due is not None
        src_without = _without(self.plan[src], job_id)
        gain = self.cost(src, src_without) - self.cost(src)
        best: tuple[float, dict[str, list[Visit]]] | None = None
        for tech_id in self.candidates[job_id]:
            if self.late():
                break
            tech = self.techs[tech_id]
            base = src_without if tech_id == src else self.plan[tech_id]
            base_cost = self.cost(tech_id, base)
            # The job starts no earlier than the end of the stop before it: past the due time there, every
            # later position is late too.
            ends = [tech.shift[0]] + [s.end for s in schedule_route(self.problem, tech, base, self.jobs).stops]
            for k in range(len(base) + 1):
                if ends[k] > job.due:
                    break
                for trial in _insertions(base, job, k):
                    if _start_of(self.problem, tech, trial, self.jobs, job_id) > job.due:
                        continue
                    if self.ok(tech_id, trial):
                        delta = self.cost(tech_id, trial) - base_cost + gain
                        if best is None or delta < best[0]:
                            best = (delta, {src: src_without, tech_id: trial} if tech_id != src else {src: trial})
                    best = self._eject(job, src, src_without, gain, tech_id, base_cost, trial, best)
        return best

    def _eject(self, job: Job, src: str, src_without: list[Visit], gain: float, tech_id: str, base_cost: float,
               trial: list[Visit], best: tuple[float, dict[str, list[Visit]]] | None
               ) -> tuple[float, dict[str, list[Visit]]] | None:
        for other in {j for kind, j in trial if kind == "job" and j != job.id}:
            reduced = _without(trial, other)
            if not self.ok(tech_id, reduced) or \
                    _start_of(self.problem, self.techs[tech_id], reduced, self.jobs, job.id) > job.due:
                continue
            partial = self.cost(tech_id, reduced) - base_cost + gain
            # Putting the ejected job anywhere costs at least nothing: only a gain already here can win.
            if partial >= (0.0 if best is None else best[0]) - EPS:
                continue
            x = self.jobs[other]
            elsewhere = {t: (src_without if t == src else self.plan[t]) for t in self.candidates[other] if t != tech_id}
            placed = self.cheapest_insertion(x, elsewhere)
            drop = x.unassigned_penalty if x.optional else None
            if placed is not None and (drop is None or placed[0] < drop):
                delta = partial + placed[0]
                routes = {src: src_without, tech_id: reduced, placed[1]: placed[2]}
            elif drop is not None:
                delta = partial + drop
                routes = {src: src_without, tech_id: reduced}
            else:
                continue
            if tech_id == src:
                routes[src] = reduced
            if best is None or delta < best[0]:
                best = (delta, routes)
        return best

    def make_room(self, job_id: str, src: str) -> tuple[float, dict[str, list[Visit]]] | None:
        """The cheapest move of one job ahead of the late one that lets it start on time."""
        job = self.jobs[job_id]
        assert job.due is not None
        visits = self.plan[src]
        ahead = [j for kind, j in visits[:visits.index(("job", job_id))] if kind == "job"]
        best: tuple[float, dict[str, list[Visit]]] | None = None
        for other in ahead:
            if self.late():
                break
            reduced = _without(visits, other)
            if _start_of(self.problem, self.techs[src], reduced, self.jobs, job_id) > job.due:
                continue
            partial = self.cost(src, reduced) - self.cost(src)
            x = self.jobs[other]
            routes = {t: (reduced if t == src else self.plan[t]) for t in self.candidates[other]}
            placed = self.cheapest_insertion(x, routes, keep=(src, job))
            options = []
            if placed is not None:
                options.append((partial + placed[0], {src: reduced, placed[1]: placed[2]}))
            if x.optional:
                options.append((partial + (x.unassigned_penalty or 0.0), {src: reduced}))
            for delta, moved in options:
                if best is None or delta < best[0]:
                    best = (delta, moved)
        return best

    def run(self) -> Plan:
        improved = True
        while improved and not self.late():
            improved = False
            for job_id, src in self.targets():
                if self.late():
                    break
                if job_id not in {j for _, j in self.plan[src]}:
                    continue  # moved by an earlier move of this pass
                moves = [m for m in (self.best_move(job_id, src), self.make_room(job_id, src)) if m is not None]
                move = min(moves, key=lambda m: m[0], default=None)
                if move is None or move[0] >= -EPS:
                    continue
                for tech_id, visits in move[1].items():
                    self.plan[tech_id] = visits
                    self._cost.pop(tech_id, None)
                improved = True
        return self.plan


def reduce_breaches(problem: Problem, plan: Plan, *, deadline: float | None = None,
                    candidates: Mapping[str, Sequence[str]] | None = None) -> Plan:
    """The plan with avoidable breaches moved on time wherever that lowers the objective; stops at
    `deadline` (time.monotonic()). `candidates` (job id -> technician ids) narrows where a job may go."""
    if not any(j.due is not None for j in problem.jobs):
        return plan
    return _Breaches(problem, plan, candidates, deadline).run()
