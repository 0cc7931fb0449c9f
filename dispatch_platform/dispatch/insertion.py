"""Cheapest insertion of one job into a technician's route, for recommendations.

The figures are, to the last bit, those of the plain method (simulate the whole route again for every
position: sum the legs' km in order, add each leg's `timedelta(minutes=...)` to the clock), which is how
the recommendation has always been defined. They are only reached more cheaply:

- every leg's km and minutes are asked of the travel model once per request (`Legs`): the same pairs
  recur across positions, and technicians share sites;
- time is kept as integer microseconds. `timedelta(minutes=m)` rounds to a whole microsecond, and adding
  timedeltas to a datetime is integer arithmetic, so "arrival = departure + leg" over integers gives the
  very datetimes of the step-by-step simulation, and inserting a job moves every later arrival by one
  integer amount instead of requiring a re-simulation;
- the km of a candidate route is summed leg by leg in route order, as before: floating-point addition is
  not associative, and a last-bit difference can flip which of two near-equal positions is cheaper.

Lateness totals are likewise one `sum()` over the jobs in route order per position (Python 3.12's
`sum()` compensates rounding, so only the same sequence gives the same total).

Haversine over numpy arrays would be faster still, but numpy's sin/cos/asin need not agree with `math` in
the last bit, and equal rounded scores are common (ties go by name); after the caches the distance maths is
about a tenth of a request's time, not worth that risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .travel import TravelModel

Point = tuple[float, float]
# Minutes lost collecting parts at a warehouse or locker (besides the drive there).
PICKUP_MINUTES = 10
# The lateness pushed onto jobs already on the route weighs this much per minute.
KNOCK_ON_COST = 10.0

_ONE_US = dt.timedelta(microseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US_PER_SECOND = 1_000_000


def minutes_us(minutes: float) -> int:
    """`timedelta(minutes=minutes)` in whole microseconds (its rounding, so sums stay exact)."""
    return dt.timedelta(minutes=minutes) // _ONE_US


def instant_us(at: dt.datetime) -> int:
    return (at - _EPOCH) // _ONE_US


def late_minutes(arrival_us: int, due_us: int) -> float:
    """Minutes late, as `max(0.0, (eta - due).total_seconds() / 60)` computes it (int / int is exact)."""
    return max(0.0, (arrival_us - due_us) / _US_PER_SECOND / 60)


@dataclass
class Stop:
    """A job on a route: where, how long, its response due time (None: no clock) and, for the job being
    inserted, its access window (when the site lets the technician in; None: any time)."""

    ticket_id: int
    number: str
    point: Point
    duration: float
    due: dt.datetime | None
    pinned: bool = False
    window: tuple[dt.datetime, dt.datetime] | None = None
    duration_us: int = field(init=False, repr=False, compare=False)
    due_us: int | None = field(init=False, repr=False, compare=False)
    window_us: tuple[int, int] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        self.duration_us = minutes_us(self.duration)
        self.due_us = None if self.due is None else instant_us(self.due)
        self.window_us = None if self.window is None else (instant_us(self.window[0]), instant_us(self.window[1]))


class Legs:
    """Travel between two points, each ordered pair asked of the travel model once (per request)."""

    __slots__ = ("_cache", "travel")

    def __init__(self, travel: TravelModel):
        self.travel = travel
        self._cache: dict[tuple[Point, Point], tuple[float, float, int]] = {}

    def get(self, a: Point, b: Point) -> tuple[float, float, int]:
        """(km, minutes, minutes as whole microseconds)."""
        leg = self._cache.get((a, b))
        if leg is None:
            minutes = self.travel.minutes(a, b)
            leg = self._cache[(a, b)] = (self.travel.km(a, b), minutes, minutes_us(minutes))
        return leg


class Detours:
    """Collecting parts on the way to `to`: via the warehouse or locker that adds least to a leg from a
    given point. Kept per leg start, as many routes start legs at the same sites."""

    __slots__ = ("_cache", "legs", "pickups", "to")

    def __init__(self, legs: Legs, pickups: list[Point], to: Point):
        self.legs, self.pickups, self.to = legs, pickups, to
        self._cache: dict[Point, tuple[float, int]] = {}

    def via(self, leg_from: Point) -> tuple[float, int]:
        """(extra km, extra time in microseconds, the stop at the depot included)."""
        detour = self._cache.get(leg_from)
        if detour is None:
            leg, to = self.legs.get, self.to
            depot = min(self.pickups, key=lambda p: leg(leg_from, p)[0] + leg(p, to)[0])
            (km_a, min_a, _), (km_b, min_b, _), (km_direct, min_direct, _) = (
                leg(leg_from, depot), leg(depot, to), leg(leg_from, to))
            detour = self._cache[leg_from] = (
                km_a + km_b - km_direct, minutes_us(min_a + min_b - min_direct + PICKUP_MINUTES))
        return detour


@dataclass(slots=True)
class Insertion:
    position: int
    eta: dt.datetime
    added_km: float
    knock_on: float
    own_late: float
    cost: float
    wait_minutes: float = 0.0  # arrived before the access window opened: waits, and the route behind with it


def best_insertion(start: dt.datetime, origin: Point, route: list[Stop], new: Stop, legs: Legs, *,
                   weight: float, detours: Detours | None = None) -> Insertion | None:
    """The position for `new` with the least added km + `weight` × its lateness + KNOCK_ON_COST × the
    lateness it adds to the other jobs; the first such position on a tie. Work under way (pinned) stays first.

    `detours`: the technician lacks parts and collects them on the leg into `new`.
    With an access window on `new`, an arrival before it waits for its start (the jobs after wait too) and
    a position arriving after its end is no position: None if every one does.
    """
    start_us = instant_us(start)
    n = len(route)
    # The route as it stands: cumulative km after each leg, leg times, arrival and departure offsets.
    prefix_km = [0.0]
    leg_us: list[int] = []
    leg_km: list[float] = []
    arrive: list[int] = []
    depart = [0]
    km = 0.0
    t = 0
    here = origin
    for stop in route:
        lkm, _, lus = legs.get(here, stop.point)
        km += lkm
        prefix_km.append(km)
        leg_km.append(lkm)
        leg_us.append(lus)
        t += lus
        arrive.append(t)
        t += stop.duration_us
        depart.append(t)
        here = stop.point
    base_km = km
    # (index, arrival - due) of the jobs with a clock; lateness is late_minutes() inlined (the hot loop).
    dues = [(j, start_us + arrive[j] - s.due_us) for j, s in enumerate(route) if s.due_us is not None]
    base_late = sum(max(0.0, d / _US_PER_SECOND / 60) for _, d in dues)

    best: tuple[float, int, int, float, float, float] | None = None
    first_free = sum(1 for s in route if s.pinned)  # nothing goes before work already under way
    for i in range(first_free, n + 1):
        leg_from = origin if i == 0 else route[i - 1].point
        km_in, _, us_in = legs.get(leg_from, new.point)
        km = prefix_km[i] + km_in
        eta_us = depart[i] + us_in
        shift = 0  # how much later every job after the new one arrives
        if i < n:
            km_out, _, us_out = legs.get(new.point, route[i].point)
            km += km_out
            for j in range(i + 1, n):
                km += leg_km[j]
            shift = us_in + new.duration_us + us_out - leg_us[i]
        detour_km = 0.0
        if detours is not None:
            detour_km, detour_us = detours.via(leg_from)
            eta_us += detour_us
            shift += detour_us
        wait_us = 0
        if new.window_us is not None:
            arrival_us = start_us + eta_us
            if arrival_us > new.window_us[1]:
                continue
            wait_us = max(0, new.window_us[0] - arrival_us)
            eta_us += wait_us
            shift += wait_us
        knock_on = sum(max(0.0, (d + shift if j >= i else d) / _US_PER_SECOND / 60) for j, d in dues) - base_late
        own_late = late_minutes(start_us + eta_us, new.due_us) if new.due_us is not None else 0.0
        added_km = km + detour_km - base_km
        cost = added_km + weight * own_late + KNOCK_ON_COST * knock_on
        if best is None or cost < best[0]:
            best = (cost, i, eta_us, added_km, knock_on, own_late, wait_us)
    if best is None:  # every position arrives after the access window
        return None
    cost, position, eta_us, added_km, knock_on, own_late, wait_us = best
    return Insertion(position=position, eta=start + dt.timedelta(microseconds=eta_us), added_km=added_km,
                     knock_on=knock_on, own_late=own_late, cost=cost, wait_minutes=wait_us / _US_PER_SECOND / 60)
