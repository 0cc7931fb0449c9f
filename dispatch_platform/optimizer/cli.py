"""`python -m dispatch_platform.optimizer solve PROBLEM.json --time-limit SECONDS [--out SOLUTION.json]`

Prints the solution JSON on stdout (or writes --out) and exits 0 whenever a solution was produced, also
when some jobs are unassigned (the default engine always produces one; exit 1 with status "no_solution"
is left to the plain OR-Tools baseline, which can fail to find a first solution); exits 2 with a one-line reason on stderr naming the offending field when
the problem is invalid (or unreadable). The time limit covers the whole run, start-up included.
"""

from __future__ import annotations

import time

_STARTED = time.monotonic()  # before the heavy imports: they are part of the caller's time limit

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

EXIT_OK = 0
EXIT_NO_SOLUTION = 1  # only the benchmark's plain OR-Tools baseline can end without any solution
EXIT_INVALID = 2

# The issue reported OR-Tools spending about half its CPU time in the kernel on allocation, cured by
# glibc's MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_ tunables. Measured here
# (benchmarks/optimizer/malloc_check.py, RESULTS.md): system time is ~1 % of the run with or without them
# and the search does no more work, so they are not set. Set them in the environment to try them; the
# re-exec below keeps whatever the caller's environment holds.
_REEXEC_FLAG = "DISPATCH_OPTIMIZER_CHILD"


# The child loads this folder as a top-level package of its own: `python -m dispatch_platform.optimizer`
# has to import the parent package first, whose __init__ loads the project's Celery app (and with it
# Django); the optimiser itself must never import Django, so the process that solves does not.
_BOOT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "dispatch_optimizer", {init!r}, submodule_search_locations=[{folder!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["dispatch_optimizer"] = module
spec.loader.exec_module(module)
from dispatch_optimizer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _reexec(argv: list[str]) -> None:
    """Re-exec once, into a process that loads the optimiser without its parent package (and so without
    Django). Set DISPATCH_OPTIMIZER_NO_REEXEC=1 to run in this process as it is."""
    if os.environ.get(_REEXEC_FLAG) is not None or os.environ.get("DISPATCH_OPTIMIZER_NO_REEXEC"):
        return
    if not sys.platform.startswith("linux"):
        return
    env = dict(os.environ)
    # The child's clock starts again, so tell it how much of the limit start-up has used already.
    env[_REEXEC_FLAG] = repr(time.monotonic() - _STARTED)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        folder = os.path.dirname(os.path.abspath(__file__))
        boot = _BOOT.format(init=os.path.join(folder, "__init__.py"), folder=folder)
        os.execve(sys.executable, [sys.executable, "-c", boot, *argv], env)
    except OSError:
        return  # run untuned rather than not at all


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own convention too)
        self.exit(EXIT_INVALID, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m dispatch_platform.optimizer",
                     description="Dispatch optimiser (see shared/optimizer-contract.md).")
    sub = parser.add_subparsers(dest="command", required=True)
    solve = sub.add_parser("solve", help="solve a problem JSON file")
    solve.add_argument("problem", help="problem JSON file ('-' for stdin)")
    solve.add_argument("--time-limit", type=_positive_seconds, required=True, help="seconds of wall time")
    solve.add_argument("--out", help="write the solution JSON here instead of stdout")
    solve.add_argument("--engine", choices=("auto", "ortools", "pyvrp"), default="auto",
                       help="auto (default): PyVRP warm start + OR-Tools model of record; the others are the "
                            "baselines the benchmark compares with")
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--decompose", action="store_true",
                       help="split the jobs into regional parts solved in parallel processes and merge them "
                            "(for thousands of jobs; see optimizer/decompose.py)")
    solve.add_argument("--part-size", type=int, default=800, help="with --decompose: most jobs per part")
    return parser


def _fail(message: str) -> int:
    sys.stderr.write(" ".join(message.split()) + "\n")  # exactly one line
    return EXIT_INVALID


def _keep_stdout_for_the_solution() -> None:
    """PyVRP logs to stdout (its own handler, added at import); stdout carries the solution JSON."""
    import logging

    for handler in logging.getLogger("pyvrp").handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stdout:
            handler.setStream(sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        text = sys.stdin.read() if args.problem == "-" else open(args.problem, encoding="utf-8").read()
    except OSError as exc:
        return _fail(f"problem: cannot read {args.problem}: {exc.strerror or exc}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return _fail(f"problem: not valid JSON: {exc}")

    from .problem import InvalidProblem, parse_problem

    try:
        problem = parse_problem(raw)
    except InvalidProblem as exc:
        return _fail(f"invalid problem: {exc}")

    _keep_stdout_for_the_solution()
    used = time.monotonic() - _STARTED + float(os.environ.get(_REEXEC_FLAG) or 0.0)
    # Writing the answer and leaving take a moment too; keep a little for them.
    limit = max(0.1, args.time_limit - used - 0.1)
    if args.decompose:
        if args.part_size < 1:
            return _fail(f"--part-size: must be at least 1, got {args.part_size}")
        from .decompose import solve_decomposed

        solution = solve_decomposed(problem, limit, max_jobs_per_part=args.part_size, seed=args.seed)
    else:
        from .solver import solve

        solution = solve(problem, limit, engine=args.engine, seed=args.seed)
    payload = json.dumps(solution.to_dict(), indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(payload + "\n")
    else:
        sys.stdout.write(payload + "\n")
    return EXIT_OK if solution.status == "solved" else EXIT_NO_SOLUTION


def run() -> None:
    argv = sys.argv[1:]
    _reexec(argv)
    sys.exit(main(argv))
