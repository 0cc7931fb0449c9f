"""Site-dependent VRPTW instances in VRPLIB format (bench/sdvrptw, Cordeau & Laporte 2001) mapped onto
the contract, and their `.sol` files.

As Solomon (technician per vehicle at the depot, shift = depot window, speed 1, euclidean unrounded),
plus each vehicle's CAPACITY_SECTION capacity, VEHICLES_MAX_DURATION as `max_duration`, and
`allowed_technicians` from VEHICLES_ALLOWED_CLIENTS_SECTION. Job ids are the client numbers used by the
`.sol` files: VRPLIB node k+1 is client k (node 1 is the depot).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .problem import Job, Problem, Technician


def _sections(text: str) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif re.match(r"^[A-Z_]+\s*:", line):
            key, value = line.split(":", 1)
            header[key.strip()] = value.strip()
            current = None
        elif current is not None:
            sections[current].append(line.split())
    return header, sections


def read_vrplib(path: str | Path) -> Problem:
    header, sec = _sections(Path(path).read_text())
    coords = {int(r[0]): (float(r[1]), float(r[2])) for r in sec["NODE_COORD_SECTION"]}
    demand = {int(r[0]): float(r[1]) for r in sec["DEMAND_SECTION"]}
    service = {int(r[0]): float(r[1]) for r in sec.get("SERVICE_TIME_SECTION", [])}
    windows = {int(r[0]): (float(r[1]), float(r[2])) for r in sec["TIME_WINDOW_SECTION"]}
    depot = int(sec["DEPOT_SECTION"][0][0]) if "DEPOT_SECTION" in sec else 1
    n_vehicles = int(header["VEHICLES"])
    capacities = {int(r[0]): float(r[1]) for r in sec.get("CAPACITY_SECTION", [])}
    max_duration = float(header["VEHICLES_MAX_DURATION"]) if "VEHICLES_MAX_DURATION" in header else None
    allowed: dict[int, set[str]] = defaultdict(set)
    width = len(str(n_vehicles))
    tech_ids = [f"V{v:0{width}d}" for v in range(1, n_vehicles + 1)]
    for r in sec.get("VEHICLES_ALLOWED_CLIENTS_SECTION", []):
        vehicle = int(r[0])
        for node in r[1:]:
            allowed[int(node)].add(tech_ids[vehicle - 1])
    techs = tuple(
        Technician(id=tech_ids[v - 1], start=coords[depot], end=coords[depot], shift=windows[depot],
                   capacity=capacities.get(v, float(header["CAPACITY"]) if "CAPACITY" in header else None),
                   max_duration=max_duration)
        for v in range(1, n_vehicles + 1))
    restricted = "VEHICLES_ALLOWED_CLIENTS_SECTION" in sec
    jobs = tuple(
        Job(id=str(node - 1), location=coords[node], window=windows[node], duration=service.get(node, 0.0),
            demand=demand.get(node, 0.0),
            allowed_technicians=frozenset(allowed.get(node, set())) if restricted else None)
        for node in sorted(coords) if node != depot)
    return Problem(technicians=techs, jobs=jobs, metric="euclidean", speed=1.0, road_factor=1.0, distance_cost=1.0)


def read_vrplib_solution(path: str | Path) -> tuple[list[list[str]], float | None]:
    """Routes as lists of job ids (client numbers) and the file's Cost line, if any."""
    routes: list[list[str]] = []
    cost = None
    for line in Path(path).read_text().splitlines():
        if line.startswith("Route"):
            routes.append(line.split(":", 1)[1].split())
        elif line.startswith("Cost"):
            cost = float(line.split(":", 1)[1])
    return routes, cost
