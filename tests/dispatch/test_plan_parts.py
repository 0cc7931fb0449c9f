"""A large day solved by regional parts, each its own Celery task (eager here, so one after another), merged by
the task that finishes the last part; failures and lost parts never leave the plan running."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch_platform.dispatch import plan_parts, services, tasks
from dispatch_platform.dispatch.models import Assignment, DispatchPlan, DispatchPlanPart, DispatchPlanSplit
from tests.factories import SiteFactory, TechnicianFactory, TicketFactory

pytestmark = pytest.mark.django_db
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CHICAGO, MILWAUKEE = (41.88, -87.63), (43.04, -87.91)


@pytest.fixture
def two_regions(tenant_a, settings):
    """Chicago: four network jobs, two network technicians, one of them also fibre-certified. Milwaukee: four
    desktop jobs and one fibre job near the Chicago side of the region, two desktop technicians. Nine jobs
    with PLAN_DECOMPOSE_ABOVE_JOBS=5: two parts, one per city."""
    settings.PLAN_DECOMPOSE_ABOVE_JOBS = 5
    org = tenant_a.org
    tenant_a.technician.delete()
    chicago = [SiteFactory(organization=org, customer=tenant_a.customer, business_hours=ALL_DAY,
                           latitude=CHICAGO[0] + 0.01 * k, longitude=CHICAGO[1]) for k in range(4)]
    milwaukee = [SiteFactory(organization=org, customer=tenant_a.customer, business_hours=ALL_DAY,
                           latitude=MILWAUKEE[0] + 0.01 * k, longitude=MILWAUKEE[1]) for k in range(5)]
    techs = {
        "fibre": TechnicianFactory(organization=org, skills=["network", "fibre"], home_latitude=CHICAGO[0],
                                   home_longitude=CHICAGO[1]),
        "chicago": TechnicianFactory(organization=org, skills=["network"], home_latitude=CHICAGO[0],
                                     home_longitude=CHICAGO[1] + 0.02),
        "milwaukee1": TechnicianFactory(organization=org, skills=["desktop"], home_latitude=MILWAUKEE[0],
                                      home_longitude=MILWAUKEE[1]),
        "milwaukee2": TechnicianFactory(organization=org, skills=["desktop"], home_latitude=MILWAUKEE[0],
                                      home_longitude=MILWAUKEE[1] + 0.02),
    }
    tickets = [TicketFactory(organization=org, site=s, required_skills=["network"], priority="P3") for s in chicago]
    tickets += [TicketFactory(organization=org, site=s, required_skills=["desktop"], priority="P3") for s in milwaukee[:4]]
    border = TicketFactory(organization=org, site=milwaukee[4], required_skills=["fibre"], priority="P2",
                           title="Fibre splice")
    return tenant_a, techs, tickets + [border], border


def run_plan(api, tenant, capture, time_limit=3):
    with capture(execute=True):
        response = api.post("/api/v1/plans/", tenant, {"time_limit": time_limit})
    assert response.status_code == 202, response.json()
    return DispatchPlan.objects.get(pk=response.json()["id"])


def placed_once(plan, tickets) -> dict:
    """Every ticket exactly once: on one route, or among the unassigned. Ticket number -> technician id."""
    rows = list(Assignment.objects.filter(plan=plan).select_related("ticket"))
    placed = {a.ticket.number: a.technician_id for a in rows}
    assert len(placed) == len(rows)
    assert sorted([*placed, *plan.kpis["unassigned_tickets"]]) == sorted(t.number for t in tickets)
    return placed


def test_a_large_day_is_solved_by_part_tasks_and_merged(api, client, two_regions, django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "proposed", plan.error
    assert plan.kpis["decomposed"] is True
    assert (plan.kpis["parts"], plan.kpis["parts_solved"], plan.kpis["parts_failed"]) == (2, 2, 0)
    placed = placed_once(plan, tickets)
    assert len(placed) == 9

    parts = list(plan.parts.order_by("index"))
    assert {p.status for p in parts} == {"solved"} and all(p.worker and p.solution for p in parts)
    assert sorted(p.jobs for p in parts) == [4, 5] and sorted(p.technicians for p in parts) == [2, 2]
    # One worker: the parts took turns, and both ended by the first pass's end (the time limit holds).
    split = DispatchPlanSplit.objects.get(plan=plan)
    assert all(p.deadline_at <= split.first_pass_until + dt.timedelta(milliseconds=1) for p in parts)
    assert parts[0].deadline_at < parts[1].deadline_at
    assert split.merge_started_at is not None
    assert plan.kpis["solve_seconds"] <= 3 + 1.0

    # The border job: the Milwaukee part has nobody with fibre; the Chicago part's fibre technician takes it.
    assert placed[border.number] == techs["fibre"].pk
    assert plan.kpis["inserted_across_borders"] >= 1

    client.force_login(tenant.dispatcher)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Solved as 2 regional parts" in html and "Apply all" in html
    applied = api.post(f"/api/v1/plans/{plan.pk}/apply/", tenant, {})
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    border.refresh_from_db()
    assert border.technician_id == techs["fibre"].pk


def test_progress_shows_while_parts_wait_and_they_may_finish_in_any_order(api, client, two_regions, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    queued = []
    monkeypatch.setattr(tasks.dispatch_plan_part_solve, "apply_async", lambda args, **kw: queued.append(args))
    monkeypatch.setattr(tasks.dispatch_plan_parts_overdue, "apply_async", lambda args, **kw: None)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "running"
    assert plan.kpis == {"parts": 2, "parts_solved": 0, "parts_failed": 0}
    client.force_login(tenant.dispatcher)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "0 of 2 parts solved" in html and "jobs planned" not in html

    plan_parts.dispatch_plan_part_solve(plan_id=plan.pk, index=queued[1][1], worker="w2")
    plan.refresh_from_db()
    assert plan.status == "running" and plan.kpis["parts_solved"] == 1
    assert "1 of 2 parts solved" in client.get(f"/plans/{plan.pk}/").content.decode()

    plan_parts.dispatch_plan_part_solve(plan_id=plan.pk, index=queued[0][1], worker="w1")
    plan.refresh_from_db()
    assert plan.status == "proposed", plan.error
    placed_once(plan, tickets)
    assert set(plan.parts.values_list("worker", flat=True)) == {"w1", "w2"}

    # A part delivered again (acks_late, a worker restart) changes nothing.
    assert plan_parts.dispatch_plan_part_solve(plan_id=plan.pk, index=queued[0][1]) is None
    assert Assignment.objects.filter(plan=plan).count() == plan.kpis["assigned"]


def test_a_failed_part_is_reported_and_the_merge_goes_on(api, client, two_regions, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    real = plan_parts.decompose.solve_part

    def flaky(part, deadline, **kw):
        if part.index == 0:
            raise MemoryError("out of memory in part 0")
        return real(part, deadline, **kw)

    monkeypatch.setattr(plan_parts.decompose, "solve_part", flaky)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "proposed", plan.error
    assert (plan.kpis["parts"], plan.kpis["parts_solved"], plan.kpis["parts_failed"]) == (2, 1, 1)
    assert "out of memory in part 0" in plan.kpis["parts_not_solved"][0]
    failed = plan.parts.get(index=0)
    assert failed.status == "failed" and "out of memory" in failed.error
    # Its jobs are unserved for the merge and its technicians idle: whatever the time left allowed was
    # placed, the rest is listed, nothing twice.
    placed_once(plan, tickets)
    client.force_login(tenant.dispatcher)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "1 not solved" in html


def test_when_every_part_fails_the_plan_fails_with_the_reason(api, two_regions, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions

    def broken(part, deadline, **kw):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(plan_parts.decompose, "solve_part", broken)
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "failed"
    assert "none of the 2 regional parts was solved" in plan.error and "solver crashed" in plan.error
    assert not plan.assignments.exists()


def test_a_lost_part_times_out_and_the_plan_is_merged_without_it(api, two_regions, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    """The task of part 1 never runs (its worker died): the overdue check, eager here instead of at the
    deadline plus the grace, merges without it; the part arriving afterwards changes nothing."""
    tenant, techs, tickets, border = two_regions
    real = tasks.dispatch_plan_part_solve.apply_async
    lost = []
    monkeypatch.setattr(tasks.dispatch_plan_part_solve, "apply_async",
                        lambda args, **kw: lost.append(args) if args[1] == 1 else real(args=args, **kw))
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "proposed", plan.error
    assert (plan.kpis["parts_solved"], plan.kpis["parts_failed"]) == (1, 1)
    assert plan.parts.get(index=1).status == "timed_out"
    placed_once(plan, tickets)
    assigned = plan.kpis["assigned"]

    assert plan_parts.dispatch_plan_part_solve(plan_id=plan.pk, index=lost[0][1]) is None
    plan.refresh_from_db()
    assert plan.status == "proposed" and plan.assignments.count() == assigned


def test_the_overdue_check_waits_for_a_merge_under_way_then_fails_a_dead_one(two_regions, monkeypatch):
    tenant, techs, tickets, border = two_regions
    monkeypatch.setattr(tasks.dispatch_plan_part_solve, "apply_async", lambda args, **kw: None)
    monkeypatch.setattr(tasks.dispatch_plan_parts_overdue, "apply_async", lambda args, **kw: None)
    plan = services.dispatch_plan_create(organization=tenant.org, time_limit=5)
    services.dispatch_plan_run(plan_id=plan.pk)
    split = DispatchPlanSplit.objects.get(plan=plan)
    split.merge_started_at = timezone.now()  # a merge has just been claimed by some worker
    split.save()
    again = plan_parts.dispatch_plan_parts_overdue(plan_id=plan.pk)
    assert again is not None and 55 < again < 65
    plan.refresh_from_db()
    assert plan.status == "running"

    DispatchPlanSplit.objects.filter(pk=split.pk).update(merge_started_at=timezone.now() - dt.timedelta(minutes=5))
    assert plan_parts.dispatch_plan_parts_overdue(plan_id=plan.pk) is None
    plan.refresh_from_db()
    assert plan.status == "failed" and "merging the regional parts did not finish" in plan.error
    # The parts, were they to turn up now, find the plan over.
    assert plan_parts.dispatch_plan_part_solve(plan_id=plan.pk, index=0) is None
    assert not DispatchPlanPart.objects.filter(plan=plan).exclude(status="queued").exists()


def test_a_triggered_split_plan_is_auto_dispatched(two_regions, django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    tenant.org.auto_dispatch = True
    tenant.org.save()
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.dispatch_plan_create(organization=tenant.org, time_limit=3, trigger="new_p1")
    plan.refresh_from_db()
    assert plan.status == "applied", plan.error
    assert plan.kpis["decomposed"] is True and plan.kpis["applied"] == plan.kpis["assigned"] > 0
    border.refresh_from_db()
    assert border.technician_id == techs["fibre"].pk and border.status == "dispatched"


def test_below_the_threshold_one_model_solves_and_nothing_is_split(api, two_regions, settings,
                                                                   django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    settings.PLAN_DECOMPOSE_ABOVE_JOBS = 1500
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks, time_limit=2)
    assert plan.status == "proposed" and plan.kpis["decomposed"] is False
    assert not plan.parts.exists() and not DispatchPlanSplit.objects.filter(plan=plan).exists()
    placed_once(plan, tickets)


def test_part_details_are_dropped_after_their_retention_and_the_plan_still_works(
        api, client, two_regions, settings, django_capture_on_commit_callbacks):
    tenant, techs, tickets, border = two_regions
    plan = run_plan(api, tenant, django_capture_on_commit_callbacks)
    assert plan.status == "proposed", plan.error
    kept_until = plan.updated_at + dt.timedelta(days=settings.PLAN_PARTS_KEEP_DAYS)

    assert plan_parts.dispatch_plan_parts_slim(now=kept_until - dt.timedelta(minutes=1)) == 0
    DispatchPlan.objects.filter(pk=plan.pk).update(status="running")  # not ended: never slimmed
    assert plan_parts.dispatch_plan_parts_slim(now=kept_until + dt.timedelta(days=30)) == 0
    DispatchPlan.objects.filter(pk=plan.pk).update(status="proposed")
    assert all(p.problem and p.solution for p in plan.parts.all())

    assert plan_parts.dispatch_plan_parts_slim(now=kept_until + dt.timedelta(minutes=1)) == 2
    parts = list(plan.parts.order_by("index"))
    assert all(p.problem == {} and p.solution is None for p in parts)
    assert sorted(p.jobs for p in parts) == [4, 5] and {p.status for p in parts} == {"solved"}  # figures stay
    assert DispatchPlanSplit.objects.get(plan=plan).problem == {}
    assert plan_parts.dispatch_plan_parts_slim(now=kept_until + dt.timedelta(minutes=2)) == 0  # once

    client.force_login(tenant.dispatcher)
    assert "Solved as 2 regional parts" in client.get(f"/plans/{plan.pk}/").content.decode()
    applied = api.post(f"/api/v1/plans/{plan.pk}/apply/", tenant, {})
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert len(placed_once(plan, tickets)) == 9
