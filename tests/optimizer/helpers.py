"""Small problem builders shared by the optimiser tests (plain contract JSON dicts)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from dispatch_platform.optimizer import parse_problem, solve

from .contract_checker import check

# The public benchmark instances: shared/bench beside the project (as in CI), else the workplace's copy.
BENCH = Path(os.environ.get("DISPATCH_BENCH_DIR") or next(
    (p for p in (Path(__file__).resolve().parents[3] / "shared" / "bench", Path("/work/shared/bench")) if p.is_dir()),
    Path("/work/shared/bench")))


def tech(tid: str = "T1", start=(0.0, 0.0), shift=(0.0, 1000.0), **extra: Any) -> dict:
    return {"id": tid, "start": list(start), "end": list(extra.pop("end", start)), "shift": list(shift),
            "skills": extra.pop("skills", []), **extra}


def job(jid: str, location, window=(0.0, 1000.0), duration=0.0, **extra: Any) -> dict:
    return {"id": jid, "location": list(location), "window": list(window), "duration": duration, **extra}


def problem(techs: list[dict], jobs: list[dict], **extra: Any) -> dict:
    return {"version": 1, "metric": "euclidean", "speed": 1.0, "road_factor": 1.0, "distance_cost": 1.0,
            "technicians": techs, "jobs": jobs, **extra}


def solve_checked(raw: dict, time_limit: float = 1.0) -> dict:
    """Solve through the public API and assert the independent checker accepts the result."""
    solution = solve(parse_problem(copy.deepcopy(raw)), time_limit).to_dict()
    errors = check(raw, solution)
    assert not errors, errors
    return solution
