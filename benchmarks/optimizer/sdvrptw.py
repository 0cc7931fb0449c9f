"""Site-dependent VRPTW PR01-PR06 (VRPLIB) for three engines, against the .sol costs (long PyVRP runs).

    .venv/bin/python benchmarks/optimizer/sdvrptw.py --time-limit 10 [--engines auto ortools pyvrp]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from common import ENGINES, run_table

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

    def cases():
        for name in names:
            _, cost = read_vrplib_solution(args.bench / f"{name}.sol")
            yield name, read_vrplib(args.bench / f"{name}.vrp"), cost / 1000.0  # PyVRP's rounding: sum of round(1000 d)

    runs = run_table(cases(), args.engines, args.time_limit, ".sol")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))


if __name__ == "__main__":
    main()
