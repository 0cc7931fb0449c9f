"""Every constraint kind of the contract on a small problem where it binds; each solution is also judged
by the independent checker (tests/optimizer/contract_checker.py)."""

import math

import pytest

from dispatch_platform.optimizer.solution import BREACH_MINUTES

from .contract_checker import route_of
from .helpers import job, problem, solve_checked, tech


def stops_of(solution, tid):
    for r in solution["routes"]:
        if r["technician"] == tid:
            return [(("job", s["job"]) if "job" in s else ("pickup", s["pickup"])) for s in r["stops"]]
    return []


def test_time_windows_decide_the_order():
    # Nearest-first would serve A first; B's window closes at 20, A's opens at 50.
    raw = problem([tech("T1")], [job("A", (5, 0), (50, 60)), job("B", (10, 0), (0, 20))])
    sol = solve_checked(raw)
    assert stops_of(sol, "T1") == [("job", "B"), ("job", "A")]
    assert sol["routes"][0]["stops"][1]["start"] == pytest.approx(50.0)


def test_shift_end_is_respected():
    raw = problem([tech("T1", shift=(0, 30)), tech("T2", shift=(0, 100), fixed_cost=10)],
                  [job("J", (20, 0))])
    sol = solve_checked(raw)
    assert route_of(sol, "J") == "T2"
    assert sol["routes"][0]["return"] == pytest.approx(40.0)


def test_shift_start_is_respected():
    raw = problem([tech("T1", shift=(100, 200))], [job("J", (10, 0), (0, 500))])
    sol = solve_checked(raw)
    assert sol["routes"][0]["stops"][0]["arrival"] == pytest.approx(110.0)


def test_capacity_splits_the_jobs():
    raw = problem([tech("T1", capacity=10), tech("T2", capacity=10)],
                  [job("A", (1, 0), demand=6), job("B", (2, 0), demand=6)])
    sol = solve_checked(raw)
    assert sol["technicians_used"] == 2 and sol["unassigned"] == []


def test_max_jobs_leaves_a_must_serve_job_unassigned():
    raw = problem([tech("T1", max_jobs=2)], [job("A", (1, 0)), job("B", (2, 0)), job("C", (3, 0))])
    sol = solve_checked(raw)
    assert len(sol["unassigned"]) == 1 and len(sol["routes"][0]["stops"]) == 2


def test_max_duration_counts_waiting_on_the_way():
    # Both jobs at one place, windows 90 minutes apart: one route would last ~110 > 50 minutes.
    raw = problem([tech("T1", max_duration=50), tech("T2", max_duration=50, fixed_cost=100)],
                  [job("A", (5, 0), (0, 10)), job("B", (5, 0), (100, 110))])
    sol = solve_checked(raw)
    assert sol["unassigned"] == [] and route_of(sol, "A") != route_of(sol, "B")


def test_max_duration_allows_leaving_later_instead_of_waiting():
    raw = problem([tech("T1", max_duration=20)], [job("A", (5, 0), (100, 110), duration=5)])
    sol = solve_checked(raw)
    assert route_of(sol, "A") == "T1"


def test_skills_must_be_a_subset():
    raw = problem([tech("T1", skills=["a+"]), tech("T2", start=(50, 0), skills=["a+", "fiber"])],
                  [job("J", (1, 0), skills=["fiber"]), job("K", (2, 0), skills=["a+"])])
    sol = solve_checked(raw)
    assert route_of(sol, "J") == "T2" and sol["unassigned"] == []


def test_allowed_technicians_pin_a_job():
    raw = problem([tech("T1"), tech("T2", start=(50, 0))],
                  [job("J", (1, 0), allowed_technicians=["T2"]), job("K", (2, 0))])
    sol = solve_checked(raw)
    assert route_of(sol, "J") == "T2" and sol["unassigned"] == []


def test_soft_due_orders_jobs_and_reports_lateness():
    # Going left first is as short, but the right-hand job is due at 10 and costs 100 a minute late.
    raw = problem([tech("T1")], [job("L", (-10, 0)), job("R", (10, 0), due=10, lateness_cost=100)])
    sol = solve_checked(raw)
    assert stops_of(sol, "T1")[0] == ("job", "R") and sol["lateness"] == pytest.approx(0.0)

    late = problem([tech("T1")], [job("F", (50, 0), due=20, lateness_cost=1)])
    sol = solve_checked(late)
    # The objective charges the breach itself (BREACH_MINUTES of its lateness cost) on top of the minutes.
    assert sol["lateness"] == pytest.approx(30.0) and sol["objective"] == pytest.approx(100.0 + BREACH_MINUTES + 30.0)


def test_optional_job_is_served_only_when_worth_its_penalty():
    cheap = problem([tech("T1")], [job("Near", (1, 0)), job("Far", (400, 0), unassigned_penalty=10)])
    sol = solve_checked(cheap)
    assert sol["unassigned"] == ["Far"] and sol["objective"] == pytest.approx(2.0 + 10.0)
    dear = problem([tech("T1")], [job("Near", (1, 0)), job("Far", (400, 0), unassigned_penalty=10_000)])
    sol = solve_checked(dear)
    assert sol["unassigned"] == [] and sol["distance"] == pytest.approx(800.0)


def test_unservable_job_goes_to_unassigned():
    raw = problem([tech("T1", skills=["a+"])],
                  [job("J", (1, 0)), job("X", (2, 0), skills=["fiber"]), job("Y", (5000, 0), (0, 10))])
    sol = solve_checked(raw)
    assert sorted(sol["unassigned"]) == ["X", "Y"] and route_of(sol, "J") == "T1"


def test_fixed_cost_picks_the_cheaper_technician_and_consolidates():
    raw = problem([tech("T1", fixed_cost=100), tech("T2", fixed_cost=0)], [job("J", (1, 0))])
    assert route_of(solve_checked(raw), "J") == "T2"
    raw = problem([tech("T1", fixed_cost=50), tech("T2", fixed_cost=50)],
                  [job("A", (1, 0)), job("B", (-1, 0))])
    sol = solve_checked(raw)
    assert sol["technicians_used"] == 1 and sol["objective"] == pytest.approx(4.0 + 50.0)


def test_pickups_come_first_on_the_same_route_and_share_the_locker():
    locker = {"location": [5.0, 5.0], "duration": 3}
    raw = problem([tech("T1"), tech("T2", start=(20, 20))],
                  [job("A", (10, 0), pickup=dict(locker)), job("B", (0, 10), pickup=dict(locker)),
                   job("C", (1, 1))])
    sol = solve_checked(raw)
    assert sol["unassigned"] == []
    tid = route_of(sol, "A")
    assert route_of(sol, "B") == tid
    visits = stops_of(sol, tid)
    pickups = [i for i, v in enumerate(visits) if v[0] == "pickup"]
    assert len(pickups) == 2 and pickups[1] == pickups[0] + 1  # consecutive stops at one locker
    assert visits.index(("pickup", "A")) < visits.index(("job", "A"))
    assert visits.index(("pickup", "B")) < visits.index(("job", "B"))
    route = next(r for r in sol["routes"] if r["technician"] == tid)
    first, second = (route["stops"][i] for i in pickups)
    assert second["arrival"] == pytest.approx(first["end"])  # no travel between them
    assert second["end"] - second["start"] == pytest.approx(3)


def test_haversine_metric_road_factor_and_speed():
    # Paris -> Lyon ~ 392 km; 1 km/min with a road factor of 1.3.
    raw = problem([tech("T1", start=(48.8566, 2.3522), shift=(0, 2000))],
                  [job("LYON", (45.7640, 4.8357), duration=30)], metric="haversine", road_factor=1.3,
                  speed=1.0, distance_cost=0.5)
    sol = solve_checked(raw)
    d = sol["distance"] / 2
    assert d == pytest.approx(391.5, abs=1.5)
    assert sol["routes"][0]["stops"][0]["arrival"] == pytest.approx(d * 1.3, rel=1e-9)
    assert sol["objective"] == pytest.approx(sol["distance"] * 0.5)
    assert math.isclose(sol["routes"][0]["return"], 2 * d * 1.3 + 30, rel_tol=1e-9)
