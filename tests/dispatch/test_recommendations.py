"""Recommendations by insertion into each qualified technician's current route."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.models import Part, StockLevel, StockLocation
from technicians.models import TimeOff
from tests.factories import TechnicianFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def ticket(api, tenant, external_id, priority="P2", minutes_ago=0, **over):
    body = {"source": "t", "external_id": external_id, "title": external_id, "priority": priority,
            "site": tenant.site.pk, "required_skills": ["network"],
            "opened_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(), **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def recs(api, tenant, tid):
    response = api.get(f"{URL}{tid}/recommendations/", tenant)
    assert response.status_code == 200
    return response.json()


def test_the_nearer_idle_technician_ranks_first(api, tenant_a):
    far = TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=39.0, home_longitude=-90.0)
    tid = ticket(api, tenant_a, "A", priority="P1")
    ranked = recs(api, tenant_a, tid)
    assert [r["technician"] for r in ranked] == [tenant_a.technician.pk, far.pk]
    assert ranked[0]["travel_km"] < ranked[1]["travel_km"]
    assert ranked[0]["position"] == 0 and ranked[0]["load"] == 0


def test_a_busy_route_shows_where_the_ticket_fits_and_its_knock_on(api, tenant_a):
    urgent = ticket(api, tenant_a, "urgent", priority="P1", minutes_ago=200)  # due in 40 min
    api.post(f"{URL}{urgent}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    new = ticket(api, tenant_a, "new", priority="P4")
    top = recs(api, tenant_a, new)[0]
    assert top["load"] == 1
    assert top["position"] == 1  # after the urgent job: putting it first would make that one late
    assert top["knock_on_minutes"] == 0
    assert any("slot 2 of 2" in r for r in top["reasons"])


def test_a_technician_on_time_off_is_not_recommended(api, tenant_a):
    now = timezone.now()
    TimeOff.objects.create(technician=tenant_a.technician, starts_at=now - dt.timedelta(hours=1),
                           ends_at=now + dt.timedelta(hours=8))
    assert recs(api, tenant_a, ticket(api, tenant_a, "A")) == []


def test_parts_in_the_van_are_a_reason(api, tenant_a):
    part = Part.objects.create(organization=tenant_a.org, sku="SFP-10G-SR", name="SFP")
    van = StockLocation.objects.create(organization=tenant_a.org, name="Van", kind="van", latitude=41.9,
                                       longitude=-87.7, technician=tenant_a.technician)
    StockLevel.objects.create(location=van, part=part, quantity=2)
    tid = ticket(api, tenant_a, "A", parts=[{"sku": "SFP-10G-SR", "quantity": 1}])
    assert "carries the parts: SFP-10G-SR" in recs(api, tenant_a, tid)[0]["reasons"]


def test_a_missing_part_is_collected_on_the_way(api, tenant_a):
    part = Part.objects.create(organization=tenant_a.org, sku="PSU-750", name="PSU")
    depot = StockLocation.objects.create(organization=tenant_a.org, name="Depot", kind="warehouse", latitude=41.95,
                                         longitude=-87.9)
    StockLevel.objects.create(location=depot, part=part, quantity=5)
    tid = ticket(api, tenant_a, "A", parts=[{"sku": "PSU-750", "quantity": 1}])
    top = recs(api, tenant_a, tid)[0]
    assert "collects PSU-750 on the way" in top["reasons"]
    assert top["added_travel_km"] > top["travel_km"]  # the detour to the depot counts


def test_queries_do_not_grow_with_technicians(api, tenant_a, django_assert_max_num_queries):
    tid = ticket(api, tenant_a, "A")
    with django_assert_max_num_queries(30) as captured:
        recs(api, tenant_a, tid)
    baseline = len(captured)
    for i in range(15):
        TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=41 + i / 10)
    with django_assert_max_num_queries(baseline):
        assert len(recs(api, tenant_a, tid)) == 5


def test_leave_before_and_after_today_does_not_hide_a_technician(api, tenant_a):
    # Two leaves, neither covering now: one row started before now, the other ends after now.
    now = timezone.now()
    TimeOff.objects.create(technician=tenant_a.technician, starts_at=now - dt.timedelta(days=9),
                           ends_at=now - dt.timedelta(days=7))
    TimeOff.objects.create(technician=tenant_a.technician, starts_at=now + dt.timedelta(days=7),
                           ends_at=now + dt.timedelta(days=9))
    assert [r["technician"] for r in recs(api, tenant_a, ticket(api, tenant_a, "A"))] == [tenant_a.technician.pk]


def test_equal_scores_keep_name_order(api, tenant_a):
    tenant_a.technician.delete()
    b = TechnicianFactory(organization=tenant_a.org, name="Bea", skills=["network"])
    a = TechnicianFactory(organization=tenant_a.org, name="Abe", skills=["network"])
    ranked = recs(api, tenant_a, ticket(api, tenant_a, "A"))
    assert ranked[0]["score"] == ranked[1]["score"]
    assert [r["technician"] for r in ranked] == [a.pk, b.pk]


def test_the_top_is_rechecked_with_qualification_gaps(api, tenant_a, monkeypatch):
    """The SQL filter picks candidates; qualification_gaps has the last word, and the next in line moves up."""
    from dispatch_platform.dispatch import recommend

    others = [TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=41 + i / 10)
              for i in range(6)]
    tid = ticket(api, tenant_a, "A")
    ranked = [r["technician"] for r in recs(api, tenant_a, tid)]
    assert len(ranked) == 5 and tenant_a.technician.pk in ranked
    real = recommend.qualification_gaps
    monkeypatch.setattr(recommend, "qualification_gaps", lambda t, *a, **k: ["vetoed"] if t.pk == ranked[0]
                        else real(t, *a, **k))
    again = [r["technician"] for r in recs(api, tenant_a, tid)]
    assert again[:4] == ranked[1:] and len(again) == 5
    assert again[4] in {o.pk for o in others} - set(ranked)


# --- The insertion arithmetic against the plain method it replaces --------------------------------------------

def _reference_insertion(start, origin, route, new, travel, weight, pickups):
    """Re-simulate the whole route for every position (the original definition of the figures)."""
    from dispatch_platform.dispatch.insertion import KNOCK_ON_COST, PICKUP_MINUTES

    def simulate(stops):
        t, here, km, etas = start, origin, 0.0, []
        for stop in stops:
            km += travel.km(here, stop.point)
            t += dt.timedelta(minutes=travel.minutes(here, stop.point))
            etas.append(t)
            t += dt.timedelta(minutes=stop.duration)
            here = stop.point
        return etas, km

    def lateness(stops, etas):
        return sum(max(0.0, (eta - s.due).total_seconds() / 60) for s, eta in zip(stops, etas, strict=True) if s.due)

    base_etas, base_km = simulate(route)
    base_late = lateness(route, base_etas)
    best = None
    for i in range(sum(1 for s in route if s.pinned), len(route) + 1):
        candidate = route[:i] + [new] + route[i:]
        etas, km = simulate(candidate)
        eta = etas[i]
        detour_km = 0.0
        if pickups:
            leg_from = candidate[i - 1].point if i else origin
            depot = min(pickups, key=lambda p: travel.km(leg_from, p) + travel.km(p, new.point))
            detour_km = travel.km(leg_from, depot) + travel.km(depot, new.point) - travel.km(leg_from, new.point)
            detour_minutes = (travel.minutes(leg_from, depot) + travel.minutes(depot, new.point)
                              - travel.minutes(leg_from, new.point) + PICKUP_MINUTES)
            eta += dt.timedelta(minutes=detour_minutes)
            etas[i + 1:] = [e + dt.timedelta(minutes=detour_minutes) for e in etas[i + 1:]]
        knock_on = lateness(candidate[:i] + candidate[i + 1:], etas[:i] + etas[i + 1:]) - base_late
        own_late = max(0.0, (eta - new.due).total_seconds() / 60) if new.due else 0.0
        added_km = km + detour_km - base_km
        cost = added_km + weight * own_late + KNOCK_ON_COST * knock_on
        if best is None or cost < best[0]:
            best = (cost, i, eta, added_km, knock_on, own_late)
    return best


class _GridTravel:
    """Whole-number distances, so that positions tie exactly and the first of them must win."""

    def km(self, a, b):
        return abs(a[0] - b[0]) + abs(a[1] - b[1])

    def minutes(self, a, b):
        return self.km(a, b) * 1.5


_POINTS = [(41.9, -87.7), (41.9, -87.7), (42.05, -87.9), (40.1, -88.2), (41.5, -90.5), (0.0, 0.0), (1.0, 2.0),
           (3.0, 1.0)]


@given(data=st.data(), route_len=st.integers(0, 7), grid=st.booleans(), n_pickups=st.integers(0, 3),
       weight=st.sampled_from([50.0, 15.0, 4.0, 1.0]))
@settings(max_examples=300, deadline=None)
def test_best_insertion_matches_resimulating_every_position_to_the_bit(data, route_len, grid, n_pickups, weight):
    from dispatch_platform.dispatch.insertion import Detours, Legs, Stop, best_insertion
    from dispatch_platform.dispatch.travel import HaversineTravel

    travel = _GridTravel() if grid else HaversineTravel(road_factor=data.draw(st.sampled_from([1.0, 1.3, 1.37])),
                                                        speed_kmh=data.draw(st.sampled_from([50.0, 37.3])))
    start = dt.datetime(2025, 3, 9, 7, 59, 59, data.draw(st.integers(0, 999_999)), tzinfo=dt.UTC)

    def stop(k, pinned=False):
        due = data.draw(st.one_of(st.none(), st.integers(-600 * 60_000_000, 900 * 60_000_000)))
        return Stop(ticket_id=k, number=f"N{k}", point=data.draw(st.sampled_from(_POINTS)),
                    duration=data.draw(st.sampled_from([60, 90, 120, 45.5, 0])),
                    due=None if due is None else start + dt.timedelta(microseconds=due), pinned=pinned)

    pinned = data.draw(st.integers(0, route_len))
    route = [stop(k, pinned=k < pinned) for k in range(route_len)]
    new = stop(99)
    origin = data.draw(st.sampled_from(_POINTS))
    pickups = [data.draw(st.sampled_from(_POINTS)) for _ in range(n_pickups)]
    legs = Legs(travel)
    got = best_insertion(start, origin, route, new, legs, weight=weight,
                         detours=Detours(legs, pickups, new.point) if pickups else None)
    cost, position, eta, added_km, knock_on, own_late = _reference_insertion(start, origin, route, new, travel,
                                                                             weight, pickups)
    assert (got.position, got.eta, got.added_km, got.knock_on, got.own_late, got.cost) == (
        position, eta, added_km, knock_on, own_late, cost)
