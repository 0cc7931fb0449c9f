"""The bench readers and one Solomon instance end to end."""

import json

import pytest

from dispatch_platform.optimizer import evaluate, solve
from dispatch_platform.optimizer.problem import problem_to_dict
from dispatch_platform.optimizer.solomon import read_solomon
from dispatch_platform.optimizer.vrplib import read_vrplib, read_vrplib_solution

from .contract_checker import check
from .helpers import BENCH


def test_solomon_reader_maps_c101():
    p = read_solomon(BENCH / "solomon" / "C101.txt")
    assert len(p.technicians) == 25 and len(p.jobs) == 100
    t = p.technicians[0]
    assert t.start == (40.0, 50.0) and t.shift == (0.0, 1236.0) and t.capacity == 200
    j = p.jobs[0]
    assert j.id == "1" and j.location == (45.0, 68.0) and j.window == (912.0, 967.0) and j.duration == 90


def test_sdvrptw_reference_solution_is_feasible_and_costs_what_the_file_says():
    p = read_vrplib(BENCH / "sdvrptw" / "PR01.vrp")
    assert len(p.jobs) == 48 and len(p.technicians) == 8
    assert p.technicians[0].max_duration == 500 and p.job("13").allowed_technicians == frozenset({"V5", "V6", "V7", "V8"})
    routes, cost = read_vrplib_solution(BENCH / "sdvrptw" / "PR01.sol")
    plan = {p.technicians[i].id: [("job", j) for j in r] for i, r in enumerate(routes)}
    sol = evaluate(p, plan).to_dict()
    assert check(problem_to_dict(p), sol) == []
    assert sol["distance"] == pytest.approx(cost / 1000, abs=0.01)


def test_c101_is_solved_feasibly_with_every_customer_served():
    p = read_solomon(BENCH / "solomon" / "C101.txt")
    sol = solve(p, 2.0).to_dict()
    assert check(problem_to_dict(p), sol) == []
    assert sol["unassigned"] == []
    best = json.loads((BENCH / "solomon" / "best_known.json").read_text())["C101"]["best_known_distance"]
    assert sol["distance"] <= best * 1.02
