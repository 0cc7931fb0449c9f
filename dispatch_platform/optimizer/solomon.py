"""Solomon VRPTW text instances mapped onto the contract (shared/optimizer-contract.md).

One technician per vehicle, starting and ending at the depot, shift = the depot's window, capacity = the
vehicle capacity, speed 1, euclidean metric (unrounded), no skills. Job ids are the customer numbers.
"""

from __future__ import annotations

from pathlib import Path

from .problem import Job, Problem, Technician


def read_solomon(path: str | Path) -> Problem:
    lines = [ln.split() for ln in Path(path).read_text().splitlines()]
    rows = [ln for ln in lines if ln]
    vehicle_at = next(i for i, ln in enumerate(rows) if ln[0].upper() == "VEHICLE")
    n_vehicles, capacity = int(rows[vehicle_at + 2][0]), float(rows[vehicle_at + 2][1])
    customers = [ln for ln in rows if len(ln) == 7 and all(_is_number(x) for x in ln)]
    depot, others = customers[0], customers[1:]
    depot_xy = (float(depot[1]), float(depot[2]))
    shift = (float(depot[4]), float(depot[5]))
    width = len(str(n_vehicles))
    techs = tuple(Technician(id=f"V{v + 1:0{width}d}", start=depot_xy, end=depot_xy, shift=shift, capacity=capacity)
                  for v in range(n_vehicles))
    jobs = tuple(Job(id=c[0], location=(float(c[1]), float(c[2])), window=(float(c[4]), float(c[5])),
                     duration=float(c[6]), demand=float(c[3])) for c in others)
    return Problem(technicians=techs, jobs=jobs, metric="euclidean", speed=1.0, road_factor=1.0, distance_cost=1.0)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
