"""Site-dependent VRPTW PR01-PR06 (VRPLIB) for three engines, against the .sol costs (long PyVRP runs).

    .venv/bin/python benchmarks/optimizer/sdvrptw.py --time-limit 10 [--engines auto ortools pyvrp]
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import asdict
from pathlib import Path

from common import ENGINES, LABEL, fmt, gap, run_cli

from dispatch_platform.optimizer.vrplib import read_vrplib, read_vrplib_solution

BENCH = Path("/work/shared/bench/sdvrptw")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--instances", nargs="+")
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    names = args.instances or sorted(p.stem for p in args.bench.glob("*.vrp"))
    runs = []
    print(f"{'instance':9} {'engine':9} {'feasible':8} {'all':4} {'veh':>3} {'distance':>9} {'.sol':>9} "
          f"{'gap %':>7} {'wall s':>6}", flush=True)
    refs = {}
    for name in names:
        problem = read_vrplib(args.bench / f"{name}.vrp")
        _, cost = read_vrplib_solution(args.bench / f"{name}.sol")
        reference = refs[name] = cost / 1000.0  # PyVRP's rounding: sum of round(1000 d)
        for engine in args.engines:
            run = run_cli(name, problem, engine, args.time_limit)
            runs.append(run)
            g = gap(run.distance, reference) if run.feasible and run.all_served else None
            print(f"{name:9} {LABEL[engine]:9} {'yes' if run.feasible else 'NO':8} "
                  f"{'yes' if run.all_served else 'NO':4} {run.vehicles:>3} {fmt(run.distance):>9} "
                  f"{reference:>9.2f} {fmt(g):>7} {run.wall:>6.2f}", flush=True)
    print()
    for engine in args.engines:
        mine = [r for r in runs if r.engine == engine]
        ok = [r for r in mine if r.feasible and r.all_served]
        gaps = [gap(r.distance, refs[r.instance]) for r in ok]
        print(f"{LABEL[engine]:9} feasible with all served: {len(ok)}/{len(mine)}; mean gap vs .sol: "
              f"{fmt(statistics.mean(gaps) if gaps else None, '.3f')} %")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))


if __name__ == "__main__":
    main()
