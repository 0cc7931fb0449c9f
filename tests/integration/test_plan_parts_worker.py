"""A large day split into regional parts, solved side by side by two real Celery workers on the `optimize` queue
(PostgreSQL + Redis), merged once by whichever finished the last part."""

import random
import time

import pytest

from dispatch_platform.dispatch.models import Assignment, DispatchPlan, DispatchPlanSplit
from tests.factories import SiteFactory, TechnicianFactory, TicketFactory

from .conftest import purge_queues, start_worker, stop

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CITIES = [(41.88, -87.63), (43.04, -87.91), (42.96, -85.67)]  # Chicago, Milwaukee, Grand Rapids
THRESHOLD = 20  # jobs; the parts are at most this big


@pytest.fixture
def two_part_workers(transactional_db, real_broker):
    """Two single-process workers, as on two machines, that decompose above THRESHOLD jobs."""
    purge_queues(real_broker)
    workers = [start_worker(name, queues="optimize", concurrency=1, PLAN_DECOMPOSE_ABOVE_JOBS=str(THRESHOLD))
               for name in ("parts-a", "parts-b")]
    time.sleep(2)
    assert all(w.poll() is None for w in workers), "a Celery worker exited at start"
    yield workers
    for w in workers:
        stop(w)


def test_two_workers_solve_the_parts_side_by_side_and_one_merge_proposes_the_plan(two_part_workers, api, tenant_a,
                                                                                    settings):
    settings.PLAN_DECOMPOSE_ABOVE_JOBS = THRESHOLD  # this process only creates the plan; the workers decide
    rng = random.Random(4)
    org = tenant_a.org
    tickets = []
    for lat, lon in CITIES:
        for _ in range(2):
            TechnicianFactory(organization=org, skills=["network"], home_latitude=lat + rng.uniform(-0.05, 0.05),
                              home_longitude=lon + rng.uniform(-0.05, 0.05))
        for _ in range(18):
            site = SiteFactory(organization=org, customer=tenant_a.customer, business_hours=ALL_DAY,
                               latitude=lat + rng.uniform(-0.15, 0.15), longitude=lon + rng.uniform(-0.15, 0.15))
            tickets.append(TicketFactory(organization=org, site=site, required_skills=["network"],
                                         priority=rng.choice(["P1", "P2", "P3", "P4"])))

    time_limit = 8
    created = api.post("/api/v1/plans/", tenant_a, {"time_limit": time_limit})
    assert created.status_code == 202
    plan_id = created.json()["id"]
    seen_progress = set()
    deadline = time.monotonic() + 120
    body = created.json()
    while time.monotonic() < deadline and body["status"] in ("queued", "running"):
        time.sleep(0.2)
        body = api.get(f"/api/v1/plans/{plan_id}/", tenant_a).json()
        if "parts" in body["kpis"] and body["status"] == "running":
            seen_progress.add(body["kpis"]["parts_solved"])
    assert body["status"] == "proposed", body
    plan = DispatchPlan.objects.get(pk=plan_id)
    kpis = plan.kpis
    assert kpis["decomposed"] is True and kpis["parts"] >= 3 and kpis["parts_solved"] == kpis["parts"]
    assert seen_progress, "the plan's kpis never showed the parts' progress while it ran"

    # Every job exactly once: on one route or among the unassigned; one merge, so no assignment twice.
    rows = list(Assignment.objects.filter(plan=plan).select_related("ticket"))
    numbers = [a.ticket.number for a in rows]
    assert len(numbers) == len(set(numbers)) == kpis["assigned"]
    assert sorted(numbers + kpis["unassigned_tickets"]) == sorted(t.number for t in tickets)
    assert kpis["assigned"] >= 40  # six technicians on a 24-hour shift, up to eight jobs each

    # Both workers took parts, and some ran at the same time.
    parts = list(plan.parts.order_by("started_at"))
    assert all(p.status == "solved" and p.deadline_at is not None for p in parts)
    assert {p.worker.split("@")[0] for p in parts} == {"parts-a", "parts-b"}
    assert any(a.finished_at > b.started_at for a, b in zip(parts, parts[1:], strict=False))
    # The time limit holds: every part by the first pass's end, the whole run close to the limit.
    split = DispatchPlanSplit.objects.get(plan=plan)
    assert all(p.finished_at <= split.search_until for p in parts)
    assert kpis["solve_seconds"] <= time_limit + 1.5, kpis["solve_seconds"]
