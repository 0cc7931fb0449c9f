"""All 56 Solomon VRPTW instances for three engines: ours ("auto"), plain OR-Tools (PATH_CHEAPEST_ARC +
guided local search, must-serve jobs hard) and PyVRP alone; gap against best_known_distance.

    .venv/bin/python benchmarks/optimizer/solomon.py --time-limit 10 [--engines auto ortools pyvrp]
        [--instances C101 R101 ...] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from common import ENGINES, run_table

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
    cases = ((name, read_solomon(args.bench / f"{name}.txt"), best[name]["best_known_distance"]) for name in names)
    runs = run_table(cases, args.engines, args.time_limit, "best")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=1))


if __name__ == "__main__":
    main()
