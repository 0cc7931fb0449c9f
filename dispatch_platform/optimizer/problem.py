"""The optimiser's input: frozen dataclasses and a strict parser of the contract's problem JSON.

`parse_problem(dict) -> Problem` validates everything the solver relies on and raises
`InvalidProblem(field, message)` naming the offending field path (``jobs[3].window``), so the CLI can
exit 2 with a one-line reason and the dispatch app can show the dispatcher what is wrong.

Required by the contract (no "optional" mark): technicians[].id/start/shift, jobs[].id/location/window/
duration. Defaults for the rest: version 1, metric "euclidean", speed 1, road_factor 1, distance_cost 1,
technician end = start, skills = [], demand 0, lateness_cost 1 per minute when a `due` is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

METRICS = ("euclidean", "haversine")
DEFAULT_LATENESS_COST = 1.0

Coord = tuple[float, float]


class InvalidProblem(ValueError):
    """The problem breaks the contract; `field` is the path of the offending field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Pickup:
    location: Coord
    duration: float = 0.0


@dataclass(frozen=True)
class Technician:
    id: str
    start: Coord
    end: Coord
    shift: tuple[float, float]
    skills: frozenset[str] = frozenset()
    capacity: float | None = None
    fixed_cost: float = 0.0
    max_jobs: int | None = None
    max_duration: float | None = None


@dataclass(frozen=True)
class Job:
    id: str
    location: Coord
    window: tuple[float, float]
    duration: float
    demand: float = 0.0
    skills: frozenset[str] = frozenset()
    priority: int | None = None
    due: float | None = None
    lateness_cost: float = 0.0
    unassigned_penalty: float | None = None  # None: the job must be served if at all possible
    allowed_technicians: frozenset[str] | None = None
    pickup: Pickup | None = None

    @property
    def optional(self) -> bool:
        return self.unassigned_penalty is not None


@dataclass(frozen=True)
class Problem:
    technicians: tuple[Technician, ...]
    jobs: tuple[Job, ...]
    metric: str = "euclidean"
    speed: float = 1.0
    road_factor: float = 1.0
    distance_cost: float = 1.0
    version: int = 1

    def job(self, job_id: str) -> Job:
        return self._jobs_by_id()[job_id]

    def technician(self, tech_id: str) -> Technician:
        return self._techs_by_id()[tech_id]

    # Lookups are rebuilt on demand (frozen dataclass, no cache slot); callers that loop build a dict once.
    def _jobs_by_id(self) -> dict[str, Job]:
        return {j.id: j for j in self.jobs}

    def _techs_by_id(self) -> dict[str, Technician]:
        return {t.id: t for t in self.technicians}


# --------------------------------------------------------------------------------------------- parsing
_MISSING = object()


def _get(obj: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    if key not in obj or obj[key] is None:
        if default is _MISSING:
            raise InvalidProblem(f"{path}.{key}" if path else key, "is required")
        return default
    return obj[key]


def _number(value: Any, field: str, *, minimum: float | None = None, strictly_positive: bool = False) -> float:
    # bool is an int subclass in Python; "true" is never a sensible number of minutes.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidProblem(field, f"must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidProblem(field, "must be finite")
    if strictly_positive and value <= 0:
        raise InvalidProblem(field, f"must be > 0, got {value:g}")
    if minimum is not None and value < minimum:
        raise InvalidProblem(field, f"must be >= {minimum:g}, got {value:g}")
    return value


def _integer(value: Any, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
        raise InvalidProblem(field, f"must be an integer, got {value!r}")
    if int(value) < minimum:
        raise InvalidProblem(field, f"must be >= {minimum}, got {int(value)}")
    return int(value)


def _ident(value: Any, field: str) -> str:
    # Ids must be strings: echoing an int id back as "5" would not match the caller's own id.
    if not isinstance(value, str) or value == "":
        raise InvalidProblem(field, f"must be a non-empty string, got {value!r}")
    return value


def _coord(value: Any, field: str, metric: str) -> Coord:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise InvalidProblem(field, f"must be a pair of numbers, got {value!r}")
    a = _number(value[0], f"{field}[0]")
    b = _number(value[1], f"{field}[1]")
    if metric == "haversine":
        if not -90.0 <= a <= 90.0:
            raise InvalidProblem(f"{field}[0]", f"latitude must be within [-90, 90], got {a:g}")
        if not -180.0 <= b <= 180.0:
            raise InvalidProblem(f"{field}[1]", f"longitude must be within [-180, 180], got {b:g}")
    return (a, b)


def _interval(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise InvalidProblem(field, f"must be a pair [start, end], got {value!r}")
    lo = _number(value[0], f"{field}[0]")
    hi = _number(value[1], f"{field}[1]")
    if lo > hi:
        raise InvalidProblem(field, f"start {lo:g} is after end {hi:g}")
    return (lo, hi)


def _skills(value: Any, field: str) -> frozenset[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidProblem(field, f"must be a list of strings, got {value!r}")
    out = []
    for i, s in enumerate(value):
        if not isinstance(s, str):
            raise InvalidProblem(f"{field}[{i}]", f"must be a string, got {s!r}")
        out.append(s)
    return frozenset(out)


def _technician(raw: Any, path: str, metric: str) -> Technician:
    if not isinstance(raw, Mapping):
        raise InvalidProblem(path, "must be an object")
    start = _coord(_get(raw, "start", path), f"{path}.start", metric)
    end = _coord(raw["end"], f"{path}.end", metric) if raw.get("end") is not None else start
    capacity = raw.get("capacity")
    max_jobs = raw.get("max_jobs")
    max_duration = raw.get("max_duration")
    return Technician(
        id=_ident(_get(raw, "id", path), f"{path}.id"),
        start=start,
        end=end,
        shift=_interval(_get(raw, "shift", path), f"{path}.shift"),
        skills=_skills(raw.get("skills") or [], f"{path}.skills"),
        capacity=None if capacity is None else _number(capacity, f"{path}.capacity", minimum=0),
        fixed_cost=_number(raw.get("fixed_cost") or 0, f"{path}.fixed_cost", minimum=0),
        max_jobs=None if max_jobs is None else _integer(max_jobs, f"{path}.max_jobs"),
        max_duration=None if max_duration is None else _number(max_duration, f"{path}.max_duration", minimum=0),
    )


def _job(raw: Any, path: str, metric: str, tech_ids: set[str]) -> Job:
    if not isinstance(raw, Mapping):
        raise InvalidProblem(path, "must be an object")
    job_id = _ident(_get(raw, "id", path), f"{path}.id")
    location = _coord(_get(raw, "location", path), f"{path}.location", metric)
    window = _interval(_get(raw, "window", path), f"{path}.window")
    duration = _number(_get(raw, "duration", path), f"{path}.duration", minimum=0)
    demand = _number(raw.get("demand") or 0, f"{path}.demand", minimum=0)
    skills = _skills(raw.get("skills") or [], f"{path}.skills")

    priority = raw.get("priority")
    if priority is not None:
        priority = _integer(priority, f"{path}.priority", minimum=1)
        if priority > 4:
            raise InvalidProblem(f"{path}.priority", f"must be 1..4, got {priority}")

    due = raw.get("due")
    due = None if due is None else _number(due, f"{path}.due")
    lateness_cost = raw.get("lateness_cost")
    if lateness_cost is None:
        lateness_cost = DEFAULT_LATENESS_COST if due is not None else 0.0
    lateness_cost = _number(lateness_cost, f"{path}.lateness_cost", minimum=0)

    penalty = raw.get("unassigned_penalty")
    penalty = None if penalty is None else _number(penalty, f"{path}.unassigned_penalty", minimum=0)

    allowed = raw.get("allowed_technicians")
    if allowed is not None:
        if not isinstance(allowed, Sequence) or isinstance(allowed, str):
            raise InvalidProblem(f"{path}.allowed_technicians", f"must be a list of technician ids, got {allowed!r}")
        ids = []
        for i, t in enumerate(allowed):
            tid = _ident(t, f"{path}.allowed_technicians[{i}]")
            if tid not in tech_ids:
                raise InvalidProblem(f"{path}.allowed_technicians[{i}]", f"unknown technician id {tid!r}")
            ids.append(tid)
        allowed = frozenset(ids)

    pickup = raw.get("pickup")
    if pickup is not None:
        ppath = f"{path}.pickup"
        if not isinstance(pickup, Mapping):
            raise InvalidProblem(ppath, "must be an object with location and duration")
        pickup = Pickup(
            location=_coord(_get(pickup, "location", ppath), f"{ppath}.location", metric),
            duration=_number(pickup.get("duration") or 0, f"{ppath}.duration", minimum=0),
        )

    return Job(
        id=job_id, location=location, window=window, duration=duration, demand=demand, skills=skills,
        priority=priority, due=due, lateness_cost=lateness_cost, unassigned_penalty=penalty,
        allowed_technicians=allowed, pickup=pickup,
    )


def parse_problem(raw: Any) -> Problem:
    """Validate the contract's problem JSON (already decoded) and build a `Problem`."""
    if not isinstance(raw, Mapping):
        raise InvalidProblem("problem", "must be a JSON object")
    version = raw.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise InvalidProblem("version", f"unsupported version {version!r} (this optimiser reads version 1)")
    metric = raw.get("metric", "euclidean")
    if metric not in METRICS:
        raise InvalidProblem("metric", f"unknown metric {metric!r}, expected one of {', '.join(METRICS)}")
    speed = _number(raw.get("speed", 1.0), "speed", strictly_positive=True)
    road_factor = _number(raw.get("road_factor", 1.0), "road_factor", strictly_positive=True)
    distance_cost = _number(raw.get("distance_cost", 1.0), "distance_cost", minimum=0)

    raw_techs = _get(raw, "technicians", "")
    if not isinstance(raw_techs, Sequence) or isinstance(raw_techs, str):
        raise InvalidProblem("technicians", "must be a list")
    raw_jobs = _get(raw, "jobs", "")
    if not isinstance(raw_jobs, Sequence) or isinstance(raw_jobs, str):
        raise InvalidProblem("jobs", "must be a list")

    techs: list[Technician] = []
    seen: set[str] = set()
    for i, t in enumerate(raw_techs):
        tech = _technician(t, f"technicians[{i}]", metric)
        if tech.id in seen:
            raise InvalidProblem(f"technicians[{i}].id", f"duplicate technician id {tech.id!r}")
        seen.add(tech.id)
        techs.append(tech)

    jobs: list[Job] = []
    seen_jobs: set[str] = set()
    for i, j in enumerate(raw_jobs):
        job = _job(j, f"jobs[{i}]", metric, seen)
        if job.id in seen_jobs:
            raise InvalidProblem(f"jobs[{i}].id", f"duplicate job id {job.id!r}")
        seen_jobs.add(job.id)
        jobs.append(job)

    return Problem(technicians=tuple(techs), jobs=tuple(jobs), metric=metric, speed=speed,
                   road_factor=road_factor, distance_cost=distance_cost, version=1)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The inverse of `parse_problem` (used by the bench readers to write contract JSON)."""
    def tech(t: Technician) -> dict[str, Any]:
        return {"id": t.id, "start": list(t.start), "end": list(t.end), "shift": list(t.shift),
                "skills": sorted(t.skills), "capacity": t.capacity, "fixed_cost": t.fixed_cost,
                "max_jobs": t.max_jobs, "max_duration": t.max_duration}

    def job(j: Job) -> dict[str, Any]:
        d: dict[str, Any] = {"id": j.id, "location": list(j.location), "window": list(j.window),
                             "duration": j.duration, "demand": j.demand, "skills": sorted(j.skills)}
        if j.priority is not None:
            d["priority"] = j.priority
        if j.due is not None:
            d["due"] = j.due
            d["lateness_cost"] = j.lateness_cost
        if j.unassigned_penalty is not None:
            d["unassigned_penalty"] = j.unassigned_penalty
        if j.allowed_technicians is not None:
            d["allowed_technicians"] = sorted(j.allowed_technicians)
        if j.pickup is not None:
            d["pickup"] = {"location": list(j.pickup.location), "duration": j.pickup.duration}
        return d

    return {"version": 1, "metric": problem.metric, "speed": problem.speed, "road_factor": problem.road_factor,
            "distance_cost": problem.distance_cost, "technicians": [tech(t) for t in problem.technicians],
            "jobs": [job(j) for j in problem.jobs]}
