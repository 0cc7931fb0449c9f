"""Does glibc malloc tuning help OR-Tools here? The same CLI runs with and without
MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_ in the environment; compares user and
system CPU time and the distance reached (more work done in the same time shows as a shorter distance).

    .venv/bin/python benchmarks/optimizer/malloc_check.py --time-limit 10 --instances R201 C101 RC201
"""

from __future__ import annotations

import argparse
from pathlib import Path

from common import run_cli

from dispatch_platform.optimizer.solomon import read_solomon

BENCH = Path("/work/shared/bench/solomon")
TUNED = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
         "MALLOC_TOP_PAD_": str(1 << 28)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", nargs="+", default=["R201", "C101", "RC201"])
    parser.add_argument("--engine", default="ortools")
    args = parser.parse_args()
    print(f"{'instance':9} {'malloc':7} {'user s':>7} {'sys s':>7} {'distance':>9}")
    for name in args.instances:
        problem = read_solomon(BENCH / f"{name}.txt")
        for label, env in (("default", {}), ("tuned", TUNED)):
            run = run_cli(name, problem, args.engine, args.time_limit, env=env)
            dist = f"{run.distance:.2f}" if run.distance is not None else "-"
            print(f"{name:9} {label:7} {run.user:7.2f} {run.sys:7.2f} {dist:>9}", flush=True)


if __name__ == "__main__":
    main()
