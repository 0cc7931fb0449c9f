"""Scale (issue 7, measure 3): the time limit holds on large problems, and regional decomposition."""

from __future__ import annotations

import copy
import random
import time

import pytest

from dispatch_platform.optimizer import check_solution, parse_problem, solve, solve_decomposed
from dispatch_platform.optimizer.construct import construct
from dispatch_platform.optimizer.scaled import _compatible, compatibility, model_route_feasible, scale_problem

from .contract_checker import check
from .helpers import job, problem, tech

METROS = [(40.71, -74.01), (41.88, -87.63), (29.76, -95.37), (33.45, -112.07), (47.61, -122.33),
          (39.74, -104.99), (33.75, -84.39), (25.76, -80.19)]
SKILLS = ["desktop", "network", "server", "pos"]


def us_problem(n_jobs: int, n_techs: int, seed: int = 1) -> dict:
    """Like benchmarks/optimizer_scale.py, smaller: haversine, skills, due times, 9-hour shifts."""
    rng = random.Random(seed)

    def near(metro, spread):
        return [round(metro[0] + rng.gauss(0, spread), 5), round(metro[1] + rng.gauss(0, spread), 5)]

    techs = [{"id": f"T{i}", "start": (home := near(METROS[i % len(METROS)], 0.25)), "end": home,
              "shift": [0, 540], "skills": sorted(rng.sample(SKILLS, 2)), "max_jobs": 10} for i in range(n_techs)]
    jobs = []
    for i in range(n_jobs):
        p = rng.choice([1, 2, 3, 4])
        j = {"id": f"J{i}", "location": near(rng.choice(METROS), 0.3), "window": [0, 540],
             "duration": rng.choice([30, 45, 60, 90]), "skills": [rng.choice(SKILLS)], "priority": p,
             "unassigned_penalty": {1: 1e6, 2: 2e5, 3: 5e4, 4: 2e4}[p]}
        if p <= 2:
            j["due"], j["lateness_cost"] = rng.randint(60, 480), 50.0
        jobs.append(j)
    return {"version": 1, "metric": "haversine", "speed": 50 / 60, "road_factor": 1.3, "technicians": techs,
            "jobs": jobs}


def test_time_limit_holds_on_a_400_job_problem():
    raw = us_problem(400, 40)
    p = parse_problem(copy.deepcopy(raw))
    start = time.monotonic()
    solution = solve(p, 5).to_dict()
    wall = time.monotonic() - start
    assert wall <= 6.5, wall
    assert not check(raw, solution)
    assert not check_solution(p, solution)
    assert len(raw["jobs"]) - len(solution["unassigned"]) > 150  # 40 technicians x up to 10 jobs


def _mixed_problem(seed: int) -> dict:
    rng = random.Random(seed)
    techs = [tech(f"T{i}", start=(rng.uniform(0, 100), rng.uniform(0, 100)), shift=(rng.choice([0, 50]), 400),
                  skills=rng.sample(["a", "b", "c"], 2), capacity=rng.choice([None, 30]),
                  max_duration=rng.choice([None, 250]), max_jobs=rng.choice([None, 0, 5])) for i in range(6)]
    jobs = []
    for i in range(40):
        lo = rng.uniform(0, 300)
        extra = {"skills": [rng.choice("abc")], "demand": rng.choice([0, 10, 40])}
        if rng.random() < 0.2:
            extra["allowed_technicians"] = [f"T{rng.randrange(6)}"]
        if rng.random() < 0.2:
            extra["pickup"] = {"location": [rng.uniform(0, 100), rng.uniform(0, 100)], "duration": 5}
        jobs.append(job(f"J{i}", (rng.uniform(0, 150), rng.uniform(0, 150)), window=(lo, lo + rng.uniform(0, 60)),
                        duration=rng.choice([0, 10, 30]), **extra))
    return problem(techs, jobs)


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_compatibility_is_the_exact_rule(seed):
    for raw in (_mixed_problem(seed), us_problem(120, 16, seed)):
        p = parse_problem(raw)
        jobs = {j.id: j for j in p.jobs}
        techs = list(p.technicians)
        exact = [[v for v, t in enumerate(techs) if _compatible(p, t, j, jobs)] for j in p.jobs]
        assert compatibility(p, techs, jobs) == exact


@pytest.mark.parametrize("seed", range(4))
def test_construction_routes_are_feasible_in_the_model(seed):
    sp = scale_problem(parse_problem(_mixed_problem(seed)))
    routes = construct(sp)
    assert any(routes)
    for v, nodes in enumerate(routes):
        assert model_route_feasible(sp, v, nodes)


def _clusters() -> dict:
    """Three clusters 1,000 apart (no technician can reach another cluster within the shift), 20 jobs and
    3 technicians each; in cluster 0 one job needs a skill and one is pinned to a technician."""
    rng = random.Random(5)
    centres = [(0.0, 0.0), (1000.0, 0.0), (0.0, 1000.0)]
    techs, jobs = [], []
    for c, (x, y) in enumerate(centres):
        for k in range(3):
            techs.append(tech(f"C{c}T{k}", start=(x + rng.uniform(-5, 5), y + rng.uniform(-5, 5)), shift=(0, 600),
                              skills=["fibre"] if (c, k) == (0, 2) else []))
        for k in range(20):
            extra = {}
            if (c, k) == (0, 0):
                extra["skills"] = ["fibre"]
            if (c, k) == (0, 1):
                extra["allowed_technicians"] = ["C0T1"]
            jobs.append(job(f"C{c}J{k}", (x + rng.uniform(-30, 30), y + rng.uniform(-30, 30)), duration=15, **extra))
    return problem(techs, jobs)


def test_decomposed_three_separated_clusters():
    raw = _clusters()
    p = parse_problem(copy.deepcopy(raw))
    start = time.monotonic()
    sol = solve_decomposed(p, 8, max_jobs_per_part=25, workers=2)
    assert time.monotonic() - start <= 9.5
    d = sol.to_dict()
    assert not d["unassigned"]
    assert not check(raw, d)
    assert not check_solution(p, d)
    used = [r["technician"] for r in d["routes"]]
    assert len(used) == len(set(used))
    assert len(sol.info["parts"]) == 3
    for r in d["routes"]:  # each technician stays in their own cluster
        assert {s["job"][:2] for s in r["stops"] if "job" in s} == {r["technician"][:2]}
    by_job = {s["job"]: r["technician"] for r in d["routes"] for s in r["stops"] if "job" in s}
    assert by_job["C0J0"] == "C0T2" and by_job["C0J1"] == "C0T1"


def test_decomposed_second_pass_crosses_the_border():
    """Cluster B has no technician of its own; A's technicians all belong to part A, and those left idle
    there serve B in the second pass."""
    techs = [tech(f"T{k}", start=(0.0, float(k)), shift=(0, 1000), max_jobs=5) for k in range(4)]
    jobs = [job(f"A{k}", (float(k), 5.0), duration=10) for k in range(5)]
    jobs += [job(f"B{k}", (200.0 + k, 5.0), duration=10) for k in range(5)]
    raw = problem(techs, jobs)
    p = parse_problem(copy.deepcopy(raw))
    d = solve_decomposed(p, 6, max_jobs_per_part=5, workers=2).to_dict()
    assert not d["unassigned"]
    assert not check(raw, d)
    used = [r["technician"] for r in d["routes"]]
    assert len(used) == len(set(used))


def test_decomposed_small_problem_is_one_solve():
    raw = _clusters()
    d = solve_decomposed(parse_problem(copy.deepcopy(raw)), 3, max_jobs_per_part=1000).to_dict()
    assert not d["unassigned"]
    assert not check(raw, d)


def test_decomposed_in_one_process():
    """workers=1 (or processes refused, e.g. in a daemonic worker): the parts take turns in this process."""
    raw = _clusters()
    p = parse_problem(copy.deepcopy(raw))
    start = time.monotonic()
    d = solve_decomposed(p, 4, max_jobs_per_part=25, workers=1).to_dict()
    assert time.monotonic() - start <= 5.5
    assert not d["unassigned"]
    assert not check(raw, d)
