"""Regional decomposition in pure steps (optimizer/decompose.py): split -> parts as JSON -> solve_part -> merge,
the way the dispatch app runs them as separate Celery tasks."""

from __future__ import annotations

import copy
import json
import time

import pytest

from dispatch_platform.optimizer import check_solution, parse_problem
from dispatch_platform.optimizer.decompose import (
    Part,
    budget,
    merge,
    part_deadline,
    routes_plan,
    solve_part,
    split,
)

from .contract_checker import check, route_of
from .helpers import job, problem, tech
from .test_scale import _clusters, us_problem


def _every_job_once(raw: dict, d: dict) -> None:
    placed = [s["job"] for r in d["routes"] for s in r["stops"] if "job" in s]
    assert len(placed) == len(set(placed))
    assert sorted(placed + d["unassigned"]) == sorted(j["id"] for j in raw["jobs"])


def _through_json(parts: list[Part]) -> list[Part]:
    """What a part task sees: the part read back from the database's JSON."""
    return [Part.from_dict(json.loads(json.dumps(p.to_dict()))) for p in parts]


@pytest.mark.parametrize("raw", [_clusters(), us_problem(300, 30, seed=3)], ids=["clusters", "us"])
def test_split_gives_every_technician_one_part_and_every_job_at_most_one(raw):
    p = parse_problem(copy.deepcopy(raw))
    parts = split(p, 80 if p.metric == "haversine" else 25)
    assert len(parts) >= 3
    assert [x.index for x in parts] == list(range(len(parts)))
    techs = [v for x in parts for v in x.technicians]
    assert sorted(techs) == list(range(len(p.technicians)))  # each exactly once
    jobs = [i for x in parts for i in x.jobs]
    assert len(jobs) == len(set(jobs))
    for x in parts:
        assert len(x.jobs) <= (80 if p.metric == "haversine" else 25)
        assert [j.id for j in x.problem.jobs] == [p.jobs[i].id for i in x.jobs]
        assert [t.id for t in x.problem.technicians] == [p.technicians[v].id for v in x.technicians]
        ids = {t.id for t in x.problem.technicians}
        assert all(j.allowed_technicians is None or j.allowed_technicians <= ids for j in x.problem.jobs)


def test_a_part_round_trips_through_the_contract_json():
    p = parse_problem(_clusters())
    for part in split(p, 25):
        again = _through_json([part])[0]
        assert again == part
        # The stored JSON is a problem the CLI could solve on its own.
        assert parse_problem(part.to_dict()["problem"]) == part.problem


def test_a_region_without_technicians_is_no_part_and_the_merge_serves_it():
    """Cluster B has no technician of its own: no part is made for it, and the merge gives its jobs to A's
    technicians left idle."""
    techs = [tech(f"T{k}", start=(0.0, float(k)), shift=(0, 1000), max_jobs=5) for k in range(4)]
    jobs = [job(f"A{k}", (float(k), 5.0), duration=10) for k in range(5)]
    jobs += [job(f"B{k}", (200.0 + k, 5.0), duration=10) for k in range(5)]
    raw = problem(techs, jobs)
    p = parse_problem(copy.deepcopy(raw))
    parts = split(p, 5)
    assert len(parts) == 1 and {p.jobs[i].id[0] for i in parts[0].jobs} == {"A"}
    t0 = time.monotonic()
    results = [solve_part(x, t0 + 2).plan() for x in _through_json(parts)]
    sol = merge(p, results, t0 + 5)
    d = sol.to_dict()
    assert not d["unassigned"], d["unassigned"]
    assert not check(raw, d)
    assert sol.info["second_pass"]["jobs"] == 5


def test_parts_solved_apart_merge_into_one_checked_solution():
    raw = us_problem(300, 30, seed=3)
    p = parse_problem(copy.deepcopy(raw))
    first, search = budget(8, len(p.jobs))
    assert 0 < first < search < 8
    t0 = time.monotonic()
    parts = split(p, 80)
    results = []
    waiting = len(p.jobs)
    for x in _through_json(parts):  # one after another, as on a single worker
        end = part_deadline(time.monotonic(), t0 + first, slots=1, jobs=len(x.jobs), waiting_jobs=waiting)
        waiting -= len(x.jobs)
        sol = solve_part(x, end)
        assert not check_solution(x.problem, sol.to_dict())
        results.append(routes_plan(json.loads(json.dumps(sol.to_dict()))))
    merged = merge(p, results, t0 + search, started=t0, info={"parts": len(parts)})
    assert time.monotonic() - t0 < 9.5
    d = merged.to_dict()
    assert not check(raw, d)
    assert not check_solution(p, d)
    _every_job_once(raw, d)
    assert merged.info["engine"] == "decomposed" and merged.info["parts"] == len(parts)
    assert len(p.jobs) - len(d["unassigned"]) > 120  # 30 technicians x up to 10 jobs, 9-hour days


def _border(*, only: str) -> dict:
    """Region A (x 0..4) with technician TA, region B (x 100..104) with TB, and job X near the border
    (x 45), in A's part. only="qualified": X needs fibre, which only TB has; only="free": anyone may do X,
    but TA is full with A's five jobs."""
    techs = [tech("TA", start=(0.0, 0.0), shift=(0, 1000), skills=["copper"], max_jobs=5 if only == "free" else None),
             tech("TB", start=(100.0, 0.0), shift=(0, 1000), skills=["fibre"])]
    jobs = [job(f"A{k}", (float(k), 0.0), duration=10, skills=["copper"]) for k in range(5)]
    jobs += [job(f"B{k}", (100.0 + k, 0.0), duration=10, skills=["fibre"]) for k in range(5)]
    if only == "qualified":
        jobs.append(job("X", (45.0, 0.0), duration=10, skills=["fibre"]))
    else:
        jobs.append(job("X", (45.0, 0.0), duration=10, unassigned_penalty=1000))
    return problem(techs, jobs)


@pytest.mark.parametrize("only", ["qualified", "free"])
def test_a_border_job_is_served_by_the_other_parts_technician(only):
    raw = _border(only=only)
    p = parse_problem(copy.deepcopy(raw))
    parts = split(p, 6)
    assert len(parts) == 2
    home = next(x for x in parts if any(p.jobs[i].id == "X" for i in x.jobs))
    assert [t.id for t in home.problem.technicians] == ["TA"]  # TB belongs to the other part
    t0 = time.monotonic()
    results = [solve_part(x, t0 + 2) for x in parts]
    assert "X" in results[parts.index(home)].unassigned  # its own part could not serve it
    merged = merge(p, [r.plan() for r in results], t0 + 4)
    d = merged.to_dict()
    assert route_of(d, "X") == "TB"
    assert merged.info["inserted_across_borders"] >= 1
    assert not d["unassigned"]
    assert not check(raw, d)


def test_a_full_border_technician_hands_a_job_to_an_idle_colleague_to_take_the_border_job():
    """X (in B's part) needs fibre; only TA has it, and A's part filled TA's day with A's five long jobs while
    TA2 stayed idle. The merge moves one of A's jobs to TA2 so that TA can cross the border for X."""
    techs = [tech("TA", start=(0.0, 0.0), shift=(0, 600), skills=["copper", "fibre"]),
             tech("TA2", start=(0.0, 10.0), shift=(0, 600), skills=["copper"]),
             tech("TB", start=(100.0, 0.0), shift=(0, 600), skills=["desktop"])]
    jobs = [job(f"A{k}", (float(k), 0.0), duration=100, skills=["copper"]) for k in range(5)]
    jobs += [job(f"B{k}", (100.0 + k, 0.0), duration=10, skills=["desktop"]) for k in range(5)]
    jobs.append(job("X", (60.0, 0.0), duration=10, skills=["fibre"]))
    raw = problem(techs, jobs)
    p = parse_problem(copy.deepcopy(raw))
    parts = split(p, 6)
    home = next(x for x in parts if any(p.jobs[i].id == "X" for i in x.jobs))
    assert [t.id for t in home.problem.technicians] == ["TB"]
    t0 = time.monotonic()
    results = [solve_part(x, t0 + 2) for x in parts]
    a = next(r for r in results if "TA" in r.plan())
    assert len(a.plan()["TA"]) == 5 and not a.plan().get("TA2")  # TA's day is full
    merged = merge(p, [r.plan() for r in results], t0 + 4)
    d = merged.to_dict()
    assert route_of(d, "X") == "TA"
    assert merged.info["moved_to_make_room"] == 1 and route_of(d, "A0") in ("TA", "TA2")
    assert len(next(r for r in d["routes"] if r["technician"] == "TA2")["stops"]) == 1
    assert not d["unassigned"]
    assert not check(raw, d)


def _first_part_failed():
    """The clusters split in parts of 25, every part solved but the first, which failed (None)."""
    raw = _clusters()
    p = parse_problem(copy.deepcopy(raw))
    parts = split(p, 25)
    t0 = time.monotonic()
    return raw, p, parts, [None] + [solve_part(x, t0 + 2).plan() for x in parts[1:]]


def test_a_failed_part_leaves_its_jobs_to_the_second_pass():
    """A part that failed (None): its technicians are idle, so the second pass solves its jobs with them."""
    raw, p, parts, results = _first_part_failed()
    merged = merge(p, results, time.monotonic() + 4)
    d = merged.to_dict()
    assert not d["unassigned"]
    assert merged.info["second_pass"]["jobs"] == len(parts[0].jobs)
    assert not check(raw, d)


def test_with_no_time_left_the_failed_parts_jobs_are_unassigned_and_the_rest_stands():
    raw, p, parts, results = _first_part_failed()
    d = merge(p, results, time.monotonic()).to_dict()
    assert sorted(d["unassigned"]) == sorted(p.jobs[i].id for i in parts[0].jobs)
    assert not check(raw, d)
    _every_job_once(raw, d)


def test_merge_keeps_the_first_claim_on_a_job_or_technician():
    """Results read back from storage are not trusted to be disjoint: a job or technician claimed twice is
    kept once, and ids unknown to the problem are dropped."""
    raw = _clusters()
    p = parse_problem(copy.deepcopy(raw))
    first = {"C0T0": [("job", "C0J2"), ("job", "C0J3")]}
    second = {"C0T0": [("job", "C0J4")], "C0T1": [("job", "C0J3"), ("job", "C0J5")], "ghost": [("job", "C0J6")],
              "C0T2": [("job", "nope")]}
    d = merge(p, [first, second], time.monotonic()).to_dict()
    assert not check(raw, d)
    _every_job_once(raw, d)
    assert route_of(d, "C0J3") == "C0T0" and route_of(d, "C0J5") == "C0T1"
    assert route_of(d, "C0J4") is None and route_of(d, "C0J6") is None


def test_part_deadline_shares_the_time_by_jobs():
    # One solver: each part its share of what is left.
    assert part_deadline(0, 90, slots=1, jobs=300, waiting_jobs=900) == pytest.approx(30)
    assert part_deadline(30, 90, slots=1, jobs=300, waiting_jobs=600) == pytest.approx(60)
    assert part_deadline(60, 90, slots=1, jobs=300, waiting_jobs=300) == pytest.approx(90)
    # A part that finished early hands its time on.
    assert part_deadline(10, 90, slots=1, jobs=300, waiting_jobs=600) == pytest.approx(50)
    # As many solvers as parts: everybody gets everything.
    assert part_deadline(0, 90, slots=3, jobs=300, waiting_jobs=900) == pytest.approx(90)
    assert part_deadline(0, 90, slots=3, jobs=300, waiting_jobs=600, others_until=[90]) == pytest.approx(90)
    # Two solvers, four equal parts: waves of two.
    assert part_deadline(0, 90, slots=2, jobs=100, waiting_jobs=400) == pytest.approx(45)
    assert part_deadline(0, 90, slots=2, jobs=100, waiting_jobs=300, others_until=[45]) == pytest.approx(45)
    assert part_deadline(45, 90, slots=2, jobs=100, waiting_jobs=200, others_until=[45.01]) == pytest.approx(90, abs=0.1)
    # Never past the end, never before now.
    assert part_deadline(95, 90, slots=1, jobs=1, waiting_jobs=1) == 95
