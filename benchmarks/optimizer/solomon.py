"""All 56 Solomon VRPTW instances for three engines: ours ("auto"), plain OR-Tools (PATH_CHEAPEST_ARC +
guided local search, must-serve jobs hard) and PyVRP alone; gap against best_known_distance.

    .venv/bin/python benchmarks/optimizer/solomon.py --time-limit 10 [--engines auto ortools pyvrp]
        [--instances C101 R101 ...] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import asdict
from pathlib import Path

from common import ENGINES, LABEL, fmt, gap, run_cli

from dispatch_platform.optimizer.solomon import read_solomon

BENCH = Path("/work/shared/bench/solomon")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--instances", nargs="+")
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--json", type=Path, help="also write every run here")
    args = parser.parse_args()

    best = json.loads((args.bench / "best_known.json").read_text())
    names = args.instances or sorted(k for k in best if not k.startswith("_"))
    runs = []
    print(f"{'instance':9} {'engine':9} {'feasible':8} {'all':4} {'veh':>3} {'distance':>9} {'best':>9} "
          f"{'gap %':>7} {'wall s':>6}", flush=True)
    for name in names:
        problem = read_solomon(args.bench / f"{name}.txt")
        reference = best[name]["best_known_distance"]
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
        gaps = [gap(r.distance, best[r.instance]["best_known_distance"]) for r in ok]
        mean = statistics.mean(gaps) if gaps else None
        print(f"{LABEL[engine]:9} solved feasibly with all served: {len(ok)}/{len(mine)}; "
              f"mean gap over those: {fmt(mean, '.3f')} %; max wall {max(r.wall for r in mine):.2f} s")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))


if __name__ == "__main__":
    main()
