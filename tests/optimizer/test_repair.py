"""The safety net under every engine: the checker, the repair, the re-insertion, the locker gathering."""

from dispatch_platform.optimizer import check_solution, evaluate, parse_problem
from dispatch_platform.optimizer.repair import gather_pickups, insert_jobs, repair_plan

from .contract_checker import check
from .helpers import job, problem, tech


def test_checker_flags_broken_rules_and_wrong_figures():
    raw = problem([tech("T1", capacity=5)], [job("A", (10, 0), (0, 5), demand=3), job("B", (20, 0), demand=3)])
    p = parse_problem(raw)
    sol = evaluate(p, {"T1": [("job", "A"), ("job", "B")]}).to_dict()
    errors = check_solution(p, sol)
    assert any("window" in e for e in errors) and any("capacity" in e for e in errors)
    assert check(raw, sol)  # the independent checker agrees something is wrong
    sol = evaluate(p, {"T1": [("job", "B")]}).to_dict()
    sol["distance"] += 1
    assert any(e.startswith("distance") for e in check_solution(p, sol))


def test_repair_drops_the_offender_and_insertion_puts_it_back_elsewhere():
    raw = problem([tech("T1"), tech("T2", start=(50, 0))],
                  [job("A", (10, 0), (0, 15)), job("B", (40, 0), (0, 15)), job("C", (12, 0))])
    p = parse_problem(raw)
    plan = repair_plan(p, {"T1": [("job", "A"), ("job", "B"), ("job", "C")], "T2": []})
    assert [j for _, j in plan["T1"]] == ["A", "C"]
    plan = insert_jobs(p, plan, ["B"])
    assert plan["T2"] == [("job", "B")]
    assert check(raw, evaluate(p, plan).to_dict()) == []


def test_pickups_at_one_locker_are_gathered():
    locker = {"location": [5, 5], "duration": 3}
    raw = problem([tech("T1")], [job("A", (10, 0), pickup=dict(locker)), job("B", (0, 10), pickup=dict(locker)),
                                 job("C", (6, 6))])
    p = parse_problem(raw)
    plan = {"T1": [("pickup", "A"), ("job", "C"), ("pickup", "B"), ("job", "A"), ("job", "B")]}
    gathered = gather_pickups(p, plan)
    assert gathered["T1"][:2] == [("pickup", "A"), ("pickup", "B")]
    assert evaluate(p, gathered).distance < evaluate(p, plan).distance
    assert check(raw, evaluate(p, gathered).to_dict()) == []
