"""SLA breaches: the objective charges each late job a breach on top of its minutes, and `breach.py` moves
the avoidable ones on time; every solution is also judged by the independent checker."""

import pytest

from dispatch_platform.optimizer import evaluate, parse_problem, solve
from dispatch_platform.optimizer.breach import reduce_breaches
from dispatch_platform.optimizer.solution import BREACH_MINUTES

from .contract_checker import check, route_of
from .helpers import job, problem, solve_checked, tech


def late_jobs(raw, solution):
    due = {j["id"]: j.get("due") for j in raw["jobs"]}
    return sorted(s["job"] for r in solution["routes"] for s in r["stops"]
                  if "job" in s and due[s["job"]] is not None and s["start"] > due[s["job"]] + 1e-9)


# One technician; East is due in 12 minutes, the two West jobs (one site) in 32. East first keeps East on time
# but makes both West jobs 8 minutes late (16 minutes, two breaches); West first makes only East late, by 28.
# Priced per minute only, the first is cheaper; a dispatcher counts two breached customers against one.
EAST_WEST = problem([tech("T1")], [job("East", (10, 0), duration=10, due=12, lateness_cost=1),
                                   job("West1", (-10, 0), duration=10, due=32, lateness_cost=1),
                                   job("West2", (-10, 0), due=32, lateness_cost=1)])


def test_one_breach_is_better_than_two_smaller_ones():
    sol = solve_checked(EAST_WEST)
    assert late_jobs(EAST_WEST, sol) == ["East"] and sol["lateness"] == pytest.approx(28.0)
    assert sol["objective"] == pytest.approx(40.0 + BREACH_MINUTES + 28.0)


def test_a_job_ahead_is_moved_out_of_the_way():
    p = parse_problem(EAST_WEST)
    spread = {"T1": [("job", "East"), ("job", "West2"), ("job", "West1")]}
    assert late_jobs(EAST_WEST, evaluate(p, spread).to_dict()) == ["West1", "West2"]
    plan = reduce_breaches(p, spread)
    sol = evaluate(p, plan).to_dict()
    assert not check(EAST_WEST, sol) and late_jobs(EAST_WEST, sol) == ["East"]


def test_a_late_job_goes_to_a_technician_who_can_be_there_in_time():
    raw = problem([tech("T1"), tech("T2", start=(0, 30))],
                  [job("First", (10, 0), duration=30), job("Urgent", (0, 20), due=15, lateness_cost=5)])
    p = parse_problem(raw)
    plan = reduce_breaches(p, {"T1": [("job", "First"), ("job", "Urgent")], "T2": []})
    sol = evaluate(p, plan).to_dict()
    assert not check(raw, sol) and late_jobs(raw, sol) == [] and route_of(sol, "Urgent") == "T2"


def test_an_unavoidable_breach_is_left_alone():
    # Nobody can reach Far by its due time: moving it would only add distance.
    raw = problem([tech("T1"), tech("T2", start=(0, 30))],
                  [job("Near", (5, 0)), job("Far", (100, 0), due=20, lateness_cost=5)])
    p = parse_problem(raw)
    plan = {"T1": [("job", "Near"), ("job", "Far")], "T2": []}
    assert reduce_breaches(p, plan) == plan


def test_a_technician_who_cannot_get_home_in_his_shift_does_not_stop_ortools():
    # T2 is reported 500 km from home with a 100-minute shift: he can take no job, and OR-Tools used to
    # find no solution at all because even his empty route broke the shift (so due times went unpriced).
    raw = problem([tech("T1"), tech("T2", end=(500, 0), shift=(0, 100))],
                  [job("A", (10, 0)), job("B", (-10, 0), due=5, lateness_cost=10)])
    sol = solve(parse_problem(raw), 1.0, engine="ortools").to_dict()
    assert sol["status"] == "solved" and not check(raw, sol)
    assert sol["unassigned"] == [] and route_of(sol, "B") == "T1"
