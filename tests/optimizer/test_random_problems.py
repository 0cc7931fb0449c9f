"""Random small problems mixing every feature; whatever the solver does, the independent checker must
accept it, and every job a technician could serve alone in an empty day must not be lost for nothing."""

import random

import pytest

from .helpers import job, problem, solve_checked, tech

SKILLS = ["a+", "network+", "fiber", "printer"]


def random_problem(seed: int) -> dict:
    rng = random.Random(seed)
    techs = []
    for i in range(rng.randint(1, 4)):
        shift_start = rng.choice([0, 60, 120])
        techs.append(tech(
            f"T{i}", start=(rng.uniform(0, 50), rng.uniform(0, 50)), shift=(shift_start, shift_start + rng.randint(200, 600)),
            skills=rng.sample(SKILLS, rng.randint(1, 4)), capacity=rng.choice([None, 20, 40]),
            fixed_cost=rng.choice([0, 0, 25]), max_jobs=rng.choice([None, None, 3, 5]),
            max_duration=rng.choice([None, None, 180, 300])))
    jobs = []
    lockers = [(rng.uniform(0, 50), rng.uniform(0, 50)) for _ in range(2)]
    for j in range(rng.randint(3, 12)):
        lo = rng.uniform(0, 400)
        extra = {"demand": rng.choice([0, 5, 10]), "skills": rng.sample(SKILLS, rng.randint(0, 1))}
        if rng.random() < 0.3:
            extra["due"] = lo + rng.uniform(0, 60)
            extra["lateness_cost"] = rng.choice([1, 10])
        if rng.random() < 0.3:
            extra["unassigned_penalty"] = rng.choice([5, 500, 50000])
        if rng.random() < 0.2:
            extra["allowed_technicians"] = [rng.choice(techs)["id"]]
        if rng.random() < 0.25:
            extra["pickup"] = {"location": list(rng.choice(lockers)), "duration": 5}
        jobs.append(job(f"J{j}", (rng.uniform(0, 50), rng.uniform(0, 50)), (lo, lo + rng.uniform(10, 200)),
                        duration=rng.choice([10, 30, 60]), **extra))
    return problem(techs, jobs, road_factor=rng.choice([1.0, 1.3]), speed=rng.choice([0.5, 1.0]))


@pytest.mark.parametrize("seed", range(8))
def test_random_problem_is_solved_within_the_contract(seed):
    raw = random_problem(seed)
    sol = solve_checked(raw, time_limit=1.0)
    assert sol["status"] == "solved"
    assert sol["solve_seconds"] < 1.5
