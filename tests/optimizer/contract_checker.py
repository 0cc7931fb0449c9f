"""An independent checker of the optimiser contract (shared/optimizer-contract.md), written for the tests.

It deliberately does not import dispatch_platform.optimizer.check (nor its distance or scheduling code):
it reads the problem and solution as plain JSON dicts and recomputes everything itself.
"""

from __future__ import annotations

import math

TOL = 0.01
R_EARTH = 6371.0088


def _dist(problem: dict, a, b) -> float:
    if problem.get("metric", "euclidean") == "haversine":
        p1, l1, p2, l2 = (math.radians(x) for x in (a[0], a[1], b[0], b[1]))
        s = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
        return 2 * R_EARTH * math.asin(math.sqrt(s))
    return math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)


def check(problem: dict, solution: dict) -> list[str]:
    errors: list[str] = []
    speed = problem.get("speed", 1.0)
    factor = problem.get("road_factor", 1.0)
    techs = {t["id"]: t for t in problem["technicians"]}
    jobs = {j["id"]: j for j in problem["jobs"]}
    seen: list[str] = []
    total_distance = 0.0
    total_lateness = 0.0
    used = 0
    route_techs = [r["technician"] for r in solution["routes"]]
    if len(route_techs) != len(set(route_techs)):
        errors.append("a technician has two routes")
    for r in solution["routes"]:
        t = techs.get(r["technician"])
        if t is None:
            errors.append(f"unknown technician {r['technician']}")
            continue
        pos = t["start"]
        clock = t["shift"][0]
        dist = 0.0
        load = 0.0
        count = 0
        picked: dict[str, int] = {}
        wait_total = 0.0
        room = math.inf
        for k, stop in enumerate(r["stops"]):
            if "pickup" in stop:
                j = jobs[stop["pickup"]]
                if not j.get("pickup"):
                    errors.append(f"pickup stop for {j['id']} without pickup")
                    continue
                where, dur, lo, hi = j["pickup"]["location"], j["pickup"].get("duration", 0), None, None
                picked[j["id"]] = k
            else:
                j = jobs[stop["job"]]
                where, dur, (lo, hi) = j["location"], j["duration"], j["window"]
                seen.append(j["id"])
                count += 1
                load += j.get("demand", 0) or 0
                if j.get("pickup") and j["id"] not in picked:
                    errors.append(f"{j['id']}: served without an earlier pickup on the route")
                if not set(j.get("skills") or []) <= set(t.get("skills") or []):
                    errors.append(f"{j['id']}: {t['id']} lacks skills")
                allowed = j.get("allowed_technicians")
                if allowed is not None and t["id"] not in allowed:
                    errors.append(f"{j['id']}: {t['id']} not allowed")
            d = _dist(problem, pos, where)
            dist += d
            arrival = clock + d * factor / speed
            start = arrival if lo is None else max(arrival, lo)
            if lo is not None:
                wait_total += start - arrival
                room = min(room, hi - start + wait_total)
                if start > hi + TOL:
                    errors.append(f"{j['id']}: starts {start:.3f} after window end {hi}")
                if j.get("due") is not None:
                    total_lateness += max(0.0, start - j["due"])
            for key, value in (("arrival", arrival), ("start", start), ("end", start + dur)):
                if abs(stop[key] - value) > TOL:
                    errors.append(f"{t['id']} stop {k} {key}: {stop[key]} != {value}")
            clock = start + dur
            pos = where
        for job_id in picked:
            if job_id not in [s.get("job") for s in r["stops"]]:
                errors.append(f"pickup of {job_id} on a route that does not serve it")
        if r["stops"]:
            used += 1
            d = _dist(problem, pos, t.get("end") or t["start"])
            dist += d
            back = clock + d * factor / speed
            if abs(r["return"] - back) > TOL:
                errors.append(f"{t['id']}: return {r['return']} != {back}")
            if back > t["shift"][1] + TOL:
                errors.append(f"{t['id']}: back {back:.3f} after shift end")
            if t.get("capacity") is not None and load > t["capacity"] + 1e-9:
                errors.append(f"{t['id']}: load {load} > capacity")
            if t.get("max_jobs") is not None and count > t["max_jobs"]:
                errors.append(f"{t['id']}: {count} jobs > max_jobs")
            if t.get("max_duration") is not None:
                # Leave as late as the route allows (waiting avoided by leaving later does not count).
                leave = t["shift"][0] + max(0.0, min(wait_total, room))
                if back - leave > t["max_duration"] + TOL:
                    errors.append(f"{t['id']}: duration {back - leave:.3f} > max_duration")
        if abs(r["distance"] - dist) > TOL:
            errors.append(f"{t['id']}: distance {r['distance']} != {dist}")
        total_distance += dist
    everything = seen + list(solution["unassigned"])
    if sorted(everything) != sorted(jobs):
        errors.append(f"jobs not exactly once: {sorted(everything)} vs {sorted(jobs)}")
    if abs(solution["distance"] - total_distance) > TOL:
        errors.append(f"distance {solution['distance']} != {total_distance}")
    if solution["technicians_used"] != used:
        errors.append(f"technicians_used {solution['technicians_used']} != {used}")
    if abs(solution["lateness"] - total_lateness) > TOL:
        errors.append(f"lateness {solution['lateness']} != {total_lateness}")
    return errors


def route_of(solution: dict, job_id: str) -> str | None:
    for r in solution["routes"]:
        if any(s.get("job") == job_id for s in r["stops"]):
            return r["technician"]
    return None
