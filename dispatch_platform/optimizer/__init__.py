"""Pure dispatch optimiser: no Django (see shared/optimizer-contract.md).

Public API:
    parse_problem(dict) -> Problem                        raises InvalidProblem(field, message)
    solve(problem, time_limit: float) -> Solution         Solution.to_dict() is the contract's JSON
    check_solution(problem, solution_dict) -> list[str]   empty: the solution obeys the contract
    evaluate(problem, {technician_id: [("job"|"pickup", job_id), ...]}) -> Solution
    solve_decomposed(problem, time_limit, *, max_jobs_per_part=800, workers=2) -> Solution
        regional decomposition for thousands of jobs (parts solved in parallel processes, merged, checked)

Names are loaded on first use, so `python -m dispatch_platform.optimizer` starts without paying for
OR-Tools and PyVRP before it has even read its arguments.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "InvalidProblem": "problem", "Job": "problem", "Pickup": "problem", "Problem": "problem",
    "Technician": "problem", "parse_problem": "problem",
    "Route": "solution", "Solution": "solution", "Stop": "solution", "evaluate": "solution",
    "check_solution": "check", "solve": "solver", "solve_decomposed": "decompose",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
