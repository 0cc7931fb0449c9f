"""A ticket's access window in the optimiser's problem and plans: the visit starts inside it."""

import datetime as dt

import pytest
from django.utils import timezone

from dispatch_platform.dispatch.problem import build_problem
from tests.dispatch.test_plans import ALL_DAY, run_plan

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Chicago


def post(api, tenant, external_id, window=None):
    body = {"source": "t", "external_id": external_id, "title": external_id, "priority": "P3",
            "site": tenant.site.pk, "required_skills": ["network"]}
    if window:
        body["access_window"] = {"start": window[0].isoformat(), "end": window[1].isoformat()}
    response = api.post("/api/v1/tickets/", tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def windows(tenant, now=NOW):
    return {int(j["id"][1:]): j["window"] for j in build_problem(organization=tenant.org, now=now).problem["jobs"]}


def test_the_access_window_is_the_job_window_even_before_the_site_opens(api, tenant_a):
    """The access the site granted for the ticket is the time to go, often outside its opening hours (the
    store lets the technician in before it opens)."""
    tenant_a.site.business_hours = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    tenant_a.site.save()  # Chicago: 14:00–24:00 UTC
    plain = post(api, tenant_a, "plain")
    # 06:00–09:00 local tomorrow, the store opening at 08:00: 20 h to 23 h from now.
    early = post(api, tenant_a, "early", (dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC),
                                          dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)))
    found = windows(tenant_a)
    assert found[plain] == [0.0, 480.0]
    assert found[early] == [20 * 60.0, 23 * 60.0]


def test_a_window_in_the_past_or_beyond_the_horizon_leaves_the_job_out(api, tenant_a):
    past = post(api, tenant_a, "past", (NOW - dt.timedelta(hours=5), NOW - dt.timedelta(hours=2)))
    later = post(api, tenant_a, "later", (NOW + dt.timedelta(days=3), NOW + dt.timedelta(days=3, hours=2)))
    running = post(api, tenant_a, "running", (NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)))
    beyond = post(api, tenant_a, "beyond", (NOW + dt.timedelta(hours=20), NOW + dt.timedelta(days=2)))
    found = windows(tenant_a)
    assert past not in found and later not in found
    assert found[running] == [0.0, 60.0]  # already open: from now to its end
    assert found[beyond] == [20 * 60.0, 24 * 60.0]  # cut at the horizon


def test_the_optimiser_schedules_the_job_inside_its_access_window(api, tenant_a, django_capture_on_commit_callbacks):
    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    tenant_a.technician.shift = ALL_DAY
    tenant_a.technician.save()
    start = (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)
    ids = [post(api, tenant_a, "any-time"), post(api, tenant_a, "windowed", (start, start + dt.timedelta(hours=1)))]
    plan = run_plan(api, tenant_a, django_capture_on_commit_callbacks)
    assert plan["status"] == "proposed", plan
    starts = {a["ticket"]: dt.datetime.fromisoformat(a["planned_start"].replace("Z", "+00:00"))
              for a in plan["assignments"]}
    assert set(starts) == set(ids)
    # The optimiser's times are minutes rounded to 0.001 (60 ms): a second's tolerance.
    second = dt.timedelta(seconds=1)
    assert start - second <= starts[ids[1]] <= start + dt.timedelta(hours=1) + second
    assert starts[ids[0]] < start  # the other job is not held back by it
