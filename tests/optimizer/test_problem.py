"""parse_problem: defaults, and InvalidProblem naming the offending field."""

import pytest

from dispatch_platform.optimizer import InvalidProblem, parse_problem

from .helpers import job, problem, tech


def base() -> dict:
    return problem([tech("T1"), tech("T2")], [job("J1", (1, 1)), job("J2", (2, 2)), job("J3", (3, 3))])


def test_parses_a_valid_problem_with_defaults():
    raw = base()
    del raw["speed"], raw["road_factor"], raw["distance_cost"]
    raw["technicians"][0].pop("end")
    p = parse_problem(raw)
    assert p.speed == 1.0 and p.road_factor == 1.0 and p.distance_cost == 1.0
    assert p.technicians[0].end == p.technicians[0].start
    assert p.jobs[0].demand == 0 and p.jobs[0].unassigned_penalty is None and not p.jobs[0].optional


def _mutate(path, value):
    raw = base()
    *parents, last = path
    obj = raw
    for key in parents:
        obj = obj[key]
    if value is KeyError:
        del obj[last]
    else:
        obj[last] = value
    return raw


@pytest.mark.parametrize(("path", "value", "field"), [
    (("jobs", 2, "location"), KeyError, "jobs[2].location"),
    (("jobs", 1, "window"), [50, 10], "jobs[1].window"),
    (("jobs", 0, "allowed_technicians"), ["T1", "T9"], "jobs[0].allowed_technicians[1]"),
    (("jobs", 2, "id"), "J1", "jobs[2].id"),
    (("technicians", 1, "id"), "T1", "technicians[1].id"),
    (("metric",), "manhattan", "metric"),
    (("technicians", 0, "shift"), [100, 0], "technicians[0].shift"),
    (("jobs", 0, "duration"), -5, "jobs[0].duration"),
    (("jobs", 0, "location"), [1], "jobs[0].location"),
    (("speed",), 0, "speed"),
    (("jobs", 1, "priority"), 7, "jobs[1].priority"),
    (("jobs", 1, "pickup"), {"duration": 3}, "jobs[1].pickup.location"),
    (("technicians", 0, "capacity"), "ten", "technicians[0].capacity"),
    (("version",), 2, "version"),
])
def test_invalid_problems_name_the_field(path, value, field):
    with pytest.raises(InvalidProblem) as err:
        parse_problem(_mutate(path, value))
    assert err.value.field == field
    assert field in str(err.value)


def test_haversine_coordinates_must_be_lat_lon():
    raw = base()
    raw["metric"] = "haversine"
    raw["jobs"][1]["location"] = [95.0, 10.0]
    with pytest.raises(InvalidProblem) as err:
        parse_problem(raw)
    assert err.value.field == "jobs[1].location[0]"
