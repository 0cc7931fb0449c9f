"""The optimiser's output and the one place where a route's figures are computed.

Every figure reported is recomputed here in double precision from the route ORDER alone — never taken
from a solver's scaled integers — by scheduling each stop as early as possible: the technician leaves home
at shift[0]; arrival = previous end + travel; a job starts at max(arrival, window[0]) (waiting if early);
a pick-up starts on arrival (it has no window); end = start + duration; return = last end + travel home.

`objective` (the number the solver minimises; the engines see all of it but the breach charge, which
`breach.py` deals with) is the total cost:
    distance * distance_cost
  + fixed_cost of every technician used
  + lateness_cost * (BREACH_MINUTES + minutes late) against `due`, over served jobs started after it
  + unassigned_penalty of every optional job left unassigned.
A job without `unassigned_penalty` that no technician can serve is listed in `unassigned` but adds nothing
to `objective` (no price was given for it); solutions are compared first on how many such jobs are left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .distance import distance, travel_minutes
from .problem import Coord, Job, Problem, Technician

# A late job costs as if it were this much later again: a breach is an event for the customer (and the
# dispatcher counts breaches), so one job an hour late is better than two jobs half an hour late each,
# which a purely per-minute price would rate the same. The contract prices lateness per minute only; the
# step is this optimiser's choice of objective (the reported `lateness` stays the minutes).
BREACH_MINUTES = 60.0

StopKind = Literal["job", "pickup"]
Visit = tuple[StopKind, str]  # ("job", "J1") or ("pickup", "J1"): what a route is made of
Plan = dict[str, list[Visit]]  # technician id -> visits in order


@dataclass(frozen=True)
class Stop:
    kind: StopKind
    job: str
    arrival: float
    start: float
    end: float
    location: Coord

    def to_dict(self) -> dict[str, Any]:
        return {self.kind: self.job, "arrival": self.arrival, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Route:
    technician: str
    stops: tuple[Stop, ...]
    distance: float
    return_time: float
    # The latest the technician can leave home without coming back later or missing a window: the route's
    # duration for max_duration is return_time - departure. See `schedule_route`.
    departure: float
    load: float
    jobs: int
    lateness: float
    lateness_cost: float  # including the breach charge (BREACH_MINUTES) of each late job

    @property
    def duration(self) -> float:
        return self.return_time - self.departure

    def visits(self) -> list[Visit]:
        return [(s.kind, s.job) for s in self.stops]

    def to_dict(self) -> dict[str, Any]:
        return {"technician": self.technician, "stops": [s.to_dict() for s in self.stops],
                "distance": self.distance, "return": self.return_time}


@dataclass(frozen=True)
class Solution:
    status: str
    routes: tuple[Route, ...]
    unassigned: tuple[str, ...]
    objective: float
    distance: float
    technicians_used: int
    lateness: float
    solve_seconds: float = 0.0
    # Jobs without unassigned_penalty left unassigned: compared before the objective.
    mandatory_unassigned: int = 0
    info: dict[str, Any] = field(default_factory=dict, compare=False)

    def key(self) -> tuple[int, float]:
        """Sort key: fewer unserved must-serve jobs first, then lower cost."""
        return (self.mandatory_unassigned, self.objective)

    def plan(self) -> Plan:
        return {r.technician: r.visits() for r in self.routes}

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "routes": [r.to_dict() for r in self.routes],
            "unassigned": list(self.unassigned),
            "objective": self.objective,
            "distance": self.distance,
            "technicians_used": self.technicians_used,
            "lateness": self.lateness,
            "solve_seconds": self.solve_seconds,
        }


def schedule_route(problem: Problem, tech: Technician, visits: Sequence[Visit], jobs: dict[str, Job]) -> Route:
    """Times, distance, load and lateness of one route, each stop as early as possible."""
    t = tech.shift[0]
    here = tech.start
    dist_total = 0.0
    load = 0.0
    n_jobs = 0
    lateness = 0.0
    lateness_cost = 0.0
    stops: list[Stop] = []
    # max_duration counts from leaving home to returning; waiting on the way counts, but leaving later
    # instead of waiting does not. The reported times stay "as early as possible" (leaving at shift[0]);
    # the duration is that of the same route left as late as possible: a delay d moves stop k by
    # max(0, d - waited_k) (waited_k: waiting up to stop k), so the return does not move while d <= total
    # waiting, and d is bounded by each window end: d <= window_end_k - start_k + waited_k. This is the
    # duration OR-Tools' span and PyVRP's route duration measure, and the one under which every
    # bench/sdvrptw .sol route keeps its 500-minute limit (the shared notes; the stricter "only the first
    # stop's waiting is avoided" reading would put those routes up to 608 minutes).
    waited = 0.0
    delay_room = float("inf")
    for kind, job_id in visits:
        job = jobs[job_id]
        if kind == "pickup":
            if job.pickup is None:
                raise ValueError(f"job {job_id} has no pickup")
            where, dur, window_start = job.pickup.location, job.pickup.duration, None
        else:
            where, dur, window_start = job.location, job.duration, job.window[0]
        d = distance(problem, here, where)
        tt = travel_minutes(problem, d)
        arrival = t + tt
        start = arrival if window_start is None else max(arrival, window_start)
        if kind == "job":
            waited += start - arrival
            delay_room = min(delay_room, job.window[1] - start + waited)
        end = start + dur
        if kind == "job":
            load += job.demand
            n_jobs += 1
            if job.due is not None and start > job.due:
                lateness += start - job.due
                lateness_cost += (BREACH_MINUTES + start - job.due) * job.lateness_cost
        stops.append(Stop(kind, job_id, arrival, start, end, where))
        dist_total += d
        here, t = where, end
    d = distance(problem, here, tech.end) if stops else 0.0
    ret = t + travel_minutes(problem, d) if stops else tech.shift[0]
    dist_total += d
    departure = tech.shift[0] + max(0.0, min(waited, delay_room))
    return Route(tech.id, tuple(stops), dist_total, ret, departure, load, n_jobs, lateness, lateness_cost)


def evaluate(problem: Problem, plan: Plan | Iterable[tuple[str, Sequence[Visit]]], *,
             solve_seconds: float = 0.0, info: dict[str, Any] | None = None) -> Solution:
    """Build the reported solution from route orders (technician id -> visits); empty routes are left out."""
    jobs = {j.id: j for j in problem.jobs}
    techs = {t.id: t for t in problem.technicians}
    items = plan.items() if isinstance(plan, dict) else plan
    routes: list[Route] = []
    served: set[str] = set()
    for tech_id, visits in items:
        if not visits:
            continue
        route = schedule_route(problem, techs[tech_id], visits, jobs)
        routes.append(route)
        served.update(job for kind, job in visits if kind == "job")
    # Keep the problem's technician order so the output is stable whatever the engine.
    order = {t.id: i for i, t in enumerate(problem.technicians)}
    routes.sort(key=lambda r: order[r.technician])
    unassigned = tuple(j.id for j in problem.jobs if j.id not in served)
    dist = sum((r.distance for r in routes), 0.0)
    objective = dist * problem.distance_cost
    objective += sum(techs[r.technician].fixed_cost for r in routes)
    objective += sum(r.lateness_cost for r in routes)
    objective += sum(jobs[j].unassigned_penalty or 0.0 for j in unassigned)
    mandatory = sum(1 for j in unassigned if not jobs[j].optional)
    return Solution(
        status="solved", routes=tuple(routes), unassigned=unassigned, objective=objective, distance=dist,
        technicians_used=len(routes), lateness=sum((r.lateness for r in routes), 0.0), solve_seconds=solve_seconds,
        mandatory_unassigned=mandatory, info=dict(info or {}),
    )
