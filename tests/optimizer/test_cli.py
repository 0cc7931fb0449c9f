"""The command line as the contract defines it: exit codes, one-line reasons, --out, the time limit."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dispatch_platform.optimizer.problem import problem_to_dict
from dispatch_platform.optimizer.solomon import read_solomon

from .contract_checker import check
from .helpers import BENCH, job, problem, tech

ROOT = Path(__file__).resolve().parents[2]
SOLOMON = BENCH / "solomon"


def run_cli(tmp_path, raw, *extra, time_limit="1"):
    path = tmp_path / "problem.json"
    path.write_text(raw if isinstance(raw, str) else json.dumps(raw))
    return subprocess.run([sys.executable, "-m", "dispatch_platform.optimizer", "solve", str(path),
                           "--time-limit", time_limit, *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def valid():
    return problem([tech("T1"), tech("T2")], [job("J1", (1, 1)), job("J2", (2, 2)), job("J3", (3, 3))])


def broken(mutator):
    raw = valid()
    mutator(raw)
    return raw


@pytest.mark.parametrize(("raw", "field"), [
    (broken(lambda p: p["jobs"][2].pop("location")), "jobs[2].location"),
    (broken(lambda p: p["jobs"][0].update(window=[30, 10])), "jobs[0].window"),
    (broken(lambda p: p["jobs"][1].update(allowed_technicians=["T7"])), "jobs[1].allowed_technicians[0]"),
    (broken(lambda p: p["jobs"][2].update(id="J1")), "jobs[2].id"),
    (broken(lambda p: p.update(metric="manhattan")), "metric"),
    ("{not json", "problem"),
])
def test_invalid_problem_exits_2_naming_the_field(tmp_path, raw, field):
    out = run_cli(tmp_path, raw)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1
    assert field in out.stderr


def test_unservable_job_exits_0_with_it_unassigned(tmp_path):
    raw = problem([tech("T1")], [job("OK", (1, 0)), job("NOPE", (2, 0), skills=["fiber"])])
    out = run_cli(tmp_path, raw)
    assert out.returncode == 0, out.stderr
    sol = json.loads(out.stdout)
    assert sol["status"] == "solved" and sol["unassigned"] == ["NOPE"]
    assert check(raw, sol) == []


def test_out_writes_the_file_and_nothing_on_stdout(tmp_path):
    target = tmp_path / "solution.json"
    out = run_cli(tmp_path, valid(), "--out", str(target))
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    sol = json.loads(target.read_text())
    assert check(valid(), sol) == [] and sol["unassigned"] == []


def test_decompose_solves_by_parts_within_the_contract(tmp_path):
    west = [job(f"W{i}", (0 + i * 0.1, 0)) for i in range(6)]
    east = [job(f"E{i}", (100 + i * 0.1, 0)) for i in range(6)]
    raw = problem([tech("TW", start=(0, 0)), tech("TE", start=(100, 0))], west + east)
    out = run_cli(tmp_path, raw, "--decompose", "--part-size", "6", time_limit="4")
    assert out.returncode == 0, out.stderr
    sol = json.loads(out.stdout)
    assert check(raw, sol) == [] and sol["unassigned"] == []
    by_tech = {r["technician"]: {s["job"][0] for s in r["stops"] if "job" in s} for r in sol["routes"]}
    assert by_tech == {"TW": {"W"}, "TE": {"E"}}  # each side served from its own part


def test_decompose_refuses_an_empty_part_size(tmp_path):
    out = run_cli(tmp_path, valid(), "--decompose", "--part-size", "0")
    assert out.returncode == 2
    assert "--part-size" in out.stderr


def test_time_limit_is_honoured(tmp_path):
    raw = problem_to_dict(read_solomon(SOLOMON / "R101.txt"))
    started = time.monotonic()
    out = run_cli(tmp_path, raw, time_limit="3")
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert elapsed < 3 + 1.5
    sol = json.loads(out.stdout)
    assert check(raw, sol) == [] and sol["unassigned"] == []


def test_the_solving_process_imports_no_django(tmp_path):
    # `python -m dispatch_platform.optimizer` must import the parent package (whose __init__ loads the
    # project's Celery app and Django); the CLI therefore re-execs into a process that loads the optimiser
    # folder as a package of its own. Do the same here and look at what got loaded.
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(valid()))
    folder = ROOT / "dispatch_platform" / "optimizer"
    code = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("dispatch_optimizer", {str(folder / "__init__.py")!r},
                                              submodule_search_locations=[{str(folder)!r}])
module = importlib.util.module_from_spec(spec)
sys.modules["dispatch_optimizer"] = module
spec.loader.exec_module(module)
from dispatch_optimizer.cli import main
code = main(["solve", {str(path)!r}, "--time-limit", "1"])
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "celery", "rest_framework", "dispatch_platform"))
sys.stderr.write("LOADED=" + ",".join(bad) + "\\n")
sys.exit(code)
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "LOADED="
    assert json.loads(out.stdout)["unassigned"] == []
