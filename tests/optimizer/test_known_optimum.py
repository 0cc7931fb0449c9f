"""Small instances whose optimum is computed by hand or by enumeration in the test."""

import itertools
import math
import random

import pytest

from .helpers import job, problem, solve_checked, tech


def test_two_sides_of_a_line():
    # Depot at 0, jobs at +-1..3: any single route covering both sides travels 12; a second technician
    # (fixed cost 1) would also travel 12, so the optimum is one technician, distance 12.
    raw = problem([tech("T1", fixed_cost=1), tech("T2", fixed_cost=1)],
                  [job(f"J{x}", (x, 0)) for x in (-3, -2, -1, 1, 2, 3)])
    sol = solve_checked(raw)
    assert sol["distance"] == pytest.approx(12.0) and sol["objective"] == pytest.approx(13.0)


def test_square_corners():
    raw = problem([tech("T1")], [job(c, xy) for c, xy in zip("ABC", [(0, 10), (10, 10), (10, 0)], strict=True)])
    assert solve_checked(raw)["distance"] == pytest.approx(40.0)


def test_matches_enumeration_on_seven_random_points():
    rng = random.Random(7)
    pts = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(7)]
    best = min(
        sum(math.dist(a, b) for a, b in itertools.pairwise([(50, 50), *perm, (50, 50)]))
        for perm in itertools.permutations(pts)
    )
    raw = problem([tech("T1", start=(50, 50))], [job(f"J{i}", p) for i, p in enumerate(pts)])
    assert solve_checked(raw, time_limit=2)["distance"] == pytest.approx(best, abs=1e-6)
