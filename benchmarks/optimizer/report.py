"""Markdown tables from the --json files of solomon.py and sdvrptw.py (used to write RESULTS.md).

    .venv/bin/python benchmarks/optimizer/report.py solomon.json sdvrptw.json [more.json ...]

Runs of all files are merged (a later file's run of the same instance and engine replaces an earlier
one), then printed as one table for Solomon and one for the sdvrptw instances.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from common import LABEL, fmt, gap

from dispatch_platform.optimizer.vrplib import read_vrplib_solution

SOLOMON_BEST = Path("/work/shared/bench/solomon/best_known.json")
SDVRPTW = Path("/work/shared/bench/sdvrptw")


def references(runs: list[dict]) -> dict[str, float]:
    best = json.loads(SOLOMON_BEST.read_text())
    out = {}
    for r in runs:
        name = r["instance"]
        if name in best:
            out[name] = best[name]["best_known_distance"]
        else:
            out[name] = read_vrplib_solution(SDVRPTW / f"{name}.sol")[1] / 1000.0
    return out


def table(runs: list[dict]) -> str:
    refs = references(runs)
    engines = list(dict.fromkeys(r["engine"] for r in runs))
    by = {(r["instance"], r["engine"]): r for r in runs}
    head = "| instance | reference | " + " | ".join(
        f"{LABEL[e]}: feasible / all served / vehicles / distance / gap %" for e in engines) + " |"
    lines = [head, "|" + "---|" * (2 + len(engines))]
    for name in dict.fromkeys(r["instance"] for r in runs):
        cells = []
        for e in engines:
            r = by.get((name, e))
            if r is None:
                cells.append("not run")
                continue
            ok = r["feasible"] and r["all_served"]
            if r["status"] == "no_solution":
                cells.append("no solution found")
                continue
            cells.append(f"{'yes' if r['feasible'] else 'NO'} / {'yes' if r['all_served'] else 'NO'} / "
                         f"{r['vehicles']} / {fmt(r['distance'])} / {fmt(gap(r['distance'], refs[name]) if ok else None)}")
        lines.append(f"| {name} | {refs[name]:.2f} | " + " | ".join(cells) + " |")
    lines.append("")
    for e in engines:
        mine = [r for r in runs if r["engine"] == e]
        ok = [r for r in mine if r["feasible"] and r["all_served"]]
        gaps = [gap(r["distance"], refs[r["instance"]]) for r in ok]
        lines.append(f"- **{LABEL[e]}**: feasible with every customer served on {len(ok)}/{len(mine)}; mean gap "
                     f"{fmt(statistics.mean(gaps) if gaps else None, '.3f')} % (over those), max gap "
                     f"{fmt(max(gaps) if gaps else None, '.2f')} %; wall time max {max(r['wall'] for r in mine):.2f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    merged: dict[tuple[str, str], dict] = {}
    for path in sys.argv[1:]:
        for run in json.loads(Path(path).read_text()):
            merged[(run["instance"], run["engine"])] = run
    solomon_names = set(json.loads(SOLOMON_BEST.read_text()))
    order = {"auto": 0, "ortools": 1, "pyvrp": 2}
    runs = sorted(merged.values(), key=lambda r: (r["instance"], order[r["engine"]]))
    for part in ([r for r in runs if r["instance"] in solomon_names],
                 [r for r in runs if r["instance"] not in solomon_names]):
        if part:
            print(table(part))
            print()
