"""Every plan has a safety net: a run whose worker is lost (killed, out of memory, its machine gone) is failed by
the overdue check queued for its deadline, and a result turning up afterwards is ignored. A plan no worker picks
up says so on its page. The check is called here as the service, with the clock moved to its deadline."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dispatch_platform.dispatch import services, tasks
from dispatch_platform.dispatch.models import Assignment, DispatchPlan, DispatchPlanSplit
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


class WorkerLost(BaseException):
    """What a killed worker looks like from inside the run: nothing after it happens, not even the except."""


@pytest.fixture
def open_day(tenant_a):
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    for _ in range(3):
        TicketFactory(organization=tenant_a.org, site=tenant_a.site, required_skills=["network"])
    return tenant_a


@pytest.fixture
def checks(monkeypatch):
    """The overdue checks queued (args, eta) instead of run: a real worker would hold them until their ETA."""
    queued = []
    monkeypatch.setattr(tasks.dispatch_plan_overdue, "apply_async",
                        lambda args, **kw: queued.append((args, kw.get("eta"))))
    return queued


def lost_run(tenant, monkeypatch, time_limit=10) -> DispatchPlan:
    """A plan claimed by a worker that dies while solving: it stays `running`."""
    def killed(problem, time_limit):
        raise WorkerLost

    monkeypatch.setattr(services, "solve", killed)
    plan = services.dispatch_plan_create(organization=tenant.org, time_limit=time_limit)
    with pytest.raises(WorkerLost):
        services.dispatch_plan_run(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == "running"
    return plan


def due_of(queued) -> dt.datetime:
    (args, eta), = queued
    assert dt.datetime.fromisoformat(args[1]) == eta
    return eta


def test_it_queues_a_check_for_the_deadline_when_a_plan_starts_running(open_day, monkeypatch, checks,
                                                                        django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        plan = lost_run(open_day, monkeypatch, time_limit=10)
    assert checks[0][0][0] == plan.pk
    # The time limit, the allowance for building the problem and the grace (a minute at least).
    expected = dt.timedelta(seconds=10 + services.BUILD_ALLOWANCE_SECONDS + 60)
    assert before + expected <= due_of(checks) <= timezone.now() + expected


def test_it_fails_a_plan_still_running_at_its_deadline(open_day, monkeypatch, checks, client,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = lost_run(open_day, monkeypatch)
    with time_machine.travel(due_of(checks) + dt.timedelta(seconds=1)):
        assert services.dispatch_plan_overdue(plan_id=plan.pk, due_at=due_of(checks)) is None
    plan.refresh_from_db()
    assert plan.status == "failed"
    assert plan.error == "the optimiser did not finish: worker lost or overloaded; run the plan again"

    client.force_login(open_day.dispatcher)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "worker lost or overloaded" in html and "refreshes itself" not in html


def test_it_changes_nothing_before_the_deadline(open_day, monkeypatch, checks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = lost_run(open_day, monkeypatch)
    with time_machine.travel(due_of(checks) - dt.timedelta(seconds=30)):
        again = services.dispatch_plan_overdue(plan_id=plan.pk, due_at=due_of(checks))
    assert again is not None and 29 < again <= 30
    plan.refresh_from_db()
    assert plan.status == "running"


def test_a_result_arriving_after_the_check_failed_the_plan_is_ignored(open_day, monkeypatch):
    """The worker was only overloaded: its solve ends after the check gave up on the plan."""
    real = services.solve
    plan = services.dispatch_plan_create(organization=open_day.org, time_limit=2)

    def slow(problem, time_limit):
        solution = real(problem, time_limit)
        due = timezone.now() - dt.timedelta(seconds=1)  # the deadline passed while it solved
        services.dispatch_plan_overdue(plan_id=plan.pk, due_at=due)
        return solution

    monkeypatch.setattr(services, "solve", slow)
    services.dispatch_plan_run(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == "failed" and "worker lost or overloaded" in plan.error
    assert not Assignment.objects.filter(plan=plan).exists() and "jobs" not in plan.kpis


def test_a_late_result_does_not_auto_dispatch_a_failed_plan(open_day, monkeypatch):
    open_day.org.auto_dispatch = True
    open_day.org.save()
    real = services.solve
    plan = services.dispatch_plan_create(organization=open_day.org, time_limit=2, trigger="new_p1")

    def slow(problem, time_limit):
        solution = real(problem, time_limit)
        services.dispatch_plan_overdue(plan_id=plan.pk, due_at=timezone.now() - dt.timedelta(seconds=1))
        return solution

    monkeypatch.setattr(services, "solve", slow)
    services.dispatch_plan_run(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.status == "failed"
    assert not Ticket.objects.filter(organization=open_day.org, technician__isnull=False).exists()


def test_a_finished_plan_is_left_alone(open_day, django_capture_on_commit_callbacks):
    """Eager Celery runs the check at once, before its deadline: it changes nothing, and neither does a late one."""
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.dispatch_plan_create(organization=open_day.org, time_limit=2)
    plan.refresh_from_db()
    assert plan.status == "proposed", plan.error
    assert services.dispatch_plan_overdue(plan_id=plan.pk, due_at=timezone.now() - dt.timedelta(seconds=1)) is None
    plan.refresh_from_db()
    assert plan.status == "proposed" and plan.assignments.count() == 3


def test_a_split_plan_is_left_to_its_parts_check(open_day, monkeypatch, checks, django_capture_on_commit_callbacks):
    """The parts' check can still merge what the parts solved; this one must not fail the plan first."""
    with django_capture_on_commit_callbacks(execute=True):
        plan = lost_run(open_day, monkeypatch)
    now = timezone.now()
    DispatchPlanSplit.objects.create(plan=plan, problem={}, problem_now=now, max_jobs_per_part=1, started_at=now,
                                     first_pass_until=now, search_until=now)
    with time_machine.travel(due_of(checks) + dt.timedelta(seconds=1)):
        assert services.dispatch_plan_overdue(plan_id=plan.pk, due_at=due_of(checks)) is None
    plan.refresh_from_db()
    assert plan.status == "running"


def test_the_task_looks_again_when_delivered_early_then_stops(open_day, monkeypatch):
    plan = lost_run(open_day, monkeypatch)
    due = timezone.now() + dt.timedelta(minutes=5)
    looks = []
    real = services.dispatch_plan_overdue
    monkeypatch.setattr(services, "dispatch_plan_overdue", lambda **kw: looks.append(kw) or real(**kw))
    tasks.dispatch_plan_overdue.apply(args=[plan.pk, due.isoformat()])  # eager: each look again runs at once
    assert len(looks) == tasks.OVERDUE_CHECKS and all(kw["due_at"] == due for kw in looks)
    plan.refresh_from_db()
    assert plan.status == "running"

    tasks.dispatch_plan_overdue.apply(args=[plan.pk, (timezone.now() - dt.timedelta(seconds=1)).isoformat()])
    plan.refresh_from_db()
    assert plan.status == "failed"


# --- A plan no worker picks up -------------------------------------------------------------------------------

def queued_since(tenant, seconds: float, trigger: str = "manual") -> DispatchPlan:
    plan = DispatchPlan.objects.create(organization=tenant.org, trigger=trigger)
    DispatchPlan.objects.filter(pk=plan.pk).update(created_at=timezone.now() - dt.timedelta(seconds=seconds))
    plan.refresh_from_db()
    return plan


def test_the_page_says_when_a_queued_plan_waits_for_a_worker(client, tenant_a):
    plan = queued_since(tenant_a, 40)
    client.force_login(tenant_a.dispatcher)
    html = client.get(f"/plans/{plan.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert f"Waiting for a worker since {plan.created_at:%H:%M} UTC" in html


def test_a_plan_just_queued_is_not_reported_waiting(client, tenant_a):
    plan = queued_since(tenant_a, 2)
    client.force_login(tenant_a.dispatcher)
    html = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "The optimiser is queued" in html and "Waiting for a worker" not in html


def test_a_triggered_plan_waits_out_its_debounce_before_it_is_reported(client, tenant_a):
    client.force_login(tenant_a.dispatcher)
    debouncing = queued_since(tenant_a, services.REPLAN_DEBOUNCE_SECONDS, trigger="new_p1")
    assert "Waiting for a worker" not in client.get(f"/plans/{debouncing.pk}/").content.decode()
    overdue = queued_since(tenant_a, services.REPLAN_DEBOUNCE_SECONDS + 40, trigger="new_p1")
    due = overdue.created_at + dt.timedelta(seconds=services.REPLAN_DEBOUNCE_SECONDS)
    assert f"Waiting for a worker since {due:%H:%M} UTC" in client.get(f"/plans/{overdue.pk}/").content.decode()
