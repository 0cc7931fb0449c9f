"""Shared by the optimiser benchmarks: run the contract's command line on one problem and judge the result.

Each run goes through `python -m dispatch_platform.optimizer solve` exactly as the contract says the
optimiser is benchmarked, so start-up time is inside the time limit.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dispatch_platform.optimizer.check import check_solution  # noqa: E402
from dispatch_platform.optimizer.problem import Problem, problem_to_dict  # noqa: E402

ENGINES = ("auto", "ortools", "pyvrp")
LABEL = {"auto": "ours", "ortools": "or-tools", "pyvrp": "pyvrp"}


@dataclass
class Run:
    instance: str
    engine: str
    feasible: bool
    all_served: bool
    vehicles: int
    distance: float | None
    wall: float
    user: float
    sys: float
    violations: int
    status: str


def run_cli(name: str, problem: Problem, engine: str, time_limit: float, *, env: dict | None = None) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "problem.json"
        out = Path(tmp) / "solution.json"
        path.write_text(json.dumps(problem_to_dict(problem)))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "dispatch_platform.optimizer", "solve", str(path), "--time-limit",
             str(time_limit), "--engine", engine, "--out", str(out)],
            cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode not in (0, 1) or not out.exists():  # 1: status "no_solution", JSON written
            raise RuntimeError(f"{name} {engine}: exit {proc.returncode}: {proc.stderr[-2000:]}")
        sol = json.loads(out.read_text())
    violations = check_solution(problem, sol)
    solved = sol["status"] == "solved" and sol["routes"]
    return Run(
        instance=name, engine=engine, feasible=bool(solved) and not violations,
        all_served=bool(solved) and not sol["unassigned"], vehicles=sol["technicians_used"],
        distance=sol["distance"] if solved else None, wall=wall, user=after.ru_utime - before.ru_utime,
        sys=after.ru_stime - before.ru_stime, violations=len(violations), status=sol["status"])


def gap(distance: float | None, reference: float) -> float | None:
    return None if distance is None else 100.0 * (distance - reference) / reference


def fmt(x: float | None, spec: str = ".2f") -> str:
    return "-" if x is None else format(x, spec)


def run_table(cases, engines: list[str], time_limit: float, reference_label: str) -> list[Run]:
    """Every (name, problem, reference distance) in `cases` through every engine: one row per run as it
    ends, then per engine how many were feasible with every customer served and their mean gap."""
    runs, refs = [], {}
    print(f"{'instance':9} {'engine':9} {'feasible':8} {'all':4} {'veh':>3} {'distance':>9} {reference_label:>9} "
          f"{'gap %':>7} {'wall s':>6}", flush=True)
    for name, problem, reference in cases:
        refs[name] = reference
        for engine in engines:
            run = run_cli(name, problem, engine, time_limit)
            runs.append(run)
            g = gap(run.distance, reference) if run.feasible and run.all_served else None
            print(f"{name:9} {LABEL[engine]:9} {'yes' if run.feasible else 'NO':8} "
                  f"{'yes' if run.all_served else 'NO':4} {run.vehicles:>3} {fmt(run.distance):>9} "
                  f"{reference:>9.2f} {fmt(g):>7} {run.wall:>6.2f}", flush=True)
    print()
    for engine in engines:
        mine = [r for r in runs if r.engine == engine]
        ok = [r for r in mine if r.feasible and r.all_served]
        gaps = [gap(r.distance, refs[r.instance]) for r in ok]
        print(f"{LABEL[engine]:9} feasible with all served: {len(ok)}/{len(mine)}; mean gap vs {reference_label} "
              f"over those: {fmt(statistics.mean(gaps) if gaps else None, '.3f')} %; "
              f"max wall {max(r.wall for r in mine):.2f} s")
    return runs
