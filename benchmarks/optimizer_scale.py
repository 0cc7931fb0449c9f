"""Scale of the optimiser (issue 7, measure 3): JOBS jobs × TECHS technicians over the continental US.

    .venv/bin/python benchmarks/optimizer_scale.py                  # 2,000 × 200, 60 s limit
    JOBS=500 TECHS=50 LIMIT=20 .venv/bin/python benchmarks/optimizer_scale.py
    DECOMPOSE=1 JOBS=10000 TECHS=1000 LIMIT=300 .venv/bin/python benchmarks/optimizer_scale.py
        # regional decomposition (solve_decomposed): PART jobs per part (default 800), WORKERS processes (2)

Jobs cluster around 40 US metros (real coordinates), with skills, P1–P4 SLA due times and 9-hour shifts;
prints wall time, the contract check, served/unassigned and travel.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dispatch_platform.optimizer import check_solution, parse_problem, solve, solve_decomposed  # noqa: E402

METROS = [(40.71, -74.01), (34.05, -118.24), (41.88, -87.63), (29.76, -95.37), (33.45, -112.07), (39.95, -75.17),
          (29.42, -98.49), (32.72, -117.16), (32.78, -96.80), (37.34, -121.89), (30.27, -97.74), (30.33, -81.66),
          (32.76, -97.33), (39.96, -83.00), (35.23, -80.84), (37.77, -122.42), (39.77, -86.16), (47.61, -122.33),
          (39.74, -104.99), (38.91, -77.04), (42.36, -71.06), (31.76, -106.49), (36.16, -86.78), (42.33, -83.05),
          (35.47, -97.52), (45.52, -122.68), (36.17, -115.14), (35.15, -90.05), (38.25, -85.76), (39.29, -76.61),
          (43.04, -87.91), (35.08, -106.65), (32.22, -110.97), (36.74, -119.79), (38.58, -121.49), (33.75, -84.39),
          (39.10, -94.58), (25.76, -80.19), (44.98, -93.27), (40.76, -111.89)]
SKILLS = ["desktop", "network", "server", "pos", "printers", "av"]


def make_problem(n_jobs: int, n_techs: int, seed: int = 3) -> dict:
    rng = random.Random(seed)

    def near(metro, spread):
        return [round(metro[0] + rng.gauss(0, spread), 5), round(metro[1] + rng.gauss(0, spread), 5)]

    techs = []
    for i in range(n_techs):
        home = near(METROS[i % len(METROS)], 0.25)
        techs.append({"id": f"T{i}", "start": home, "end": home, "shift": [0, 540],
                      "skills": sorted(rng.sample(SKILLS, 3)), "max_jobs": 10})
    jobs = []
    for i in range(n_jobs):
        priority = rng.choices([1, 2, 3, 4], weights=[5, 20, 50, 25])[0]
        job = {"id": f"J{i}", "location": near(rng.choice(METROS), 0.3), "window": [0, 540],
               "duration": rng.choice([30, 45, 60, 90]), "skills": [rng.choice(SKILLS)], "priority": priority,
               "unassigned_penalty": {1: 1_000_000, 2: 200_000, 3: 50_000, 4: 20_000}[priority]}
        if priority <= 2:
            job["due"] = rng.randint(60, 480)
            job["lateness_cost"] = 50.0 if priority == 1 else 15.0
        jobs.append(job)
    return {"version": 1, "metric": "haversine", "speed": 50 / 60, "road_factor": 1.3, "technicians": techs,
            "jobs": jobs}


def main():
    n_jobs, n_techs = int(os.environ.get("JOBS", "2000")), int(os.environ.get("TECHS", "200"))
    limit = float(os.environ.get("LIMIT", "60"))
    decompose = os.environ.get("DECOMPOSE", "") not in ("", "0")
    part, workers = int(os.environ.get("PART", "800")), int(os.environ.get("WORKERS", "2"))
    problem = parse_problem(make_problem(n_jobs, n_techs))
    load = os.getloadavg()[0]
    start = time.perf_counter()
    if decompose:
        solution = solve_decomposed(problem, limit, max_jobs_per_part=part, workers=workers)
    else:
        solution = solve(problem, limit)
    result = solution.to_dict()
    wall = time.perf_counter() - start  # the solve and its JSON
    errors = check_solution(problem, result)
    served = sum(1 for r in result["routes"] for s in r["stops"] if "job" in s)
    used = [r["technician"] for r in result["routes"]]
    if len(used) != len(set(used)):
        errors.append("a technician has two routes")
    mode = f"decomposed (parts <= {part} jobs, {workers} workers)" if decompose else "single model"
    print(f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}; {mode}; info {solution.info}")
    print(f"{n_jobs} jobs × {n_techs} technicians, limit {limit:g} s: wall {wall:.1f} s; "
          f"contract check {'passed' if not errors else 'FAILED: ' + '; '.join(errors[:3])}; "
          f"served {served}, unassigned {len(result['unassigned'])}, technicians used {result['technicians_used']}, "
          f"objective {result['objective']:,.0f}, travel {result['distance']:,.0f} km great-circle ({result['distance'] * problem.road_factor:,.0f} km by road), lateness {result['lateness']:,.0f} min")


if __name__ == "__main__":
    main()
