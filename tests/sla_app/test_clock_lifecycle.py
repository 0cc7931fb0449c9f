"""Clock behaviour a VP relies on: policy changes, regions, re-opening, pauses."""

import copy
import datetime as dt

import pytest
from django.utils import timezone

from sla.models import SlaClock
from tests.conftest import STANDARD_TARGETS

pytestmark = pytest.mark.django_db
URL = "/api/v1/tickets/"


def open_ticket(api, tenant, external_id, priority="P1", opened_at="2026-11-23T10:00:00Z"):
    body = {"source": "t", "external_id": external_id, "title": "x", "priority": priority, "site": tenant.site.pk,
            "opened_at": opened_at}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_policy_change_applies_to_new_tickets_only(api, tenant_a):
    before = open_ticket(api, tenant_a, "before")
    targets = copy.deepcopy(STANDARD_TARGETS)
    targets[0]["response"]["minutes"] = 60
    assert api.put(f"/api/v1/sla-policies/{tenant_a.policy.pk}/", tenant_a,
                   {"name": "Standard", "targets": targets}).status_code == 200
    after = open_ticket(api, tenant_a, "after")
    old_clock = SlaClock.objects.get(ticket_id=before["id"], kind="response")
    assert old_clock.due_at == dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)  # still 240 min
    assert old_clock.target["minutes"] == 240
    assert after["sla"]["response"]["due_at"] == "2026-11-23T11:00:00Z"


def test_a_regional_policy_beats_the_tenant_default(api, tenant_a):
    tenant_a.site.region = "mountain"
    tenant_a.site.save()
    targets = copy.deepcopy(STANDARD_TARGETS)
    targets[0]["response"]["minutes"] = 360  # rural Montana: further to drive
    api.post("/api/v1/sla-policies/", tenant_a, {"name": "Mountain", "region": "mountain", "targets": targets})
    ticket = open_ticket(api, tenant_a, "m1")
    assert ticket["sla"]["response"]["due_at"] == "2026-11-23T16:00:00Z"


def test_a_reopened_ticket_resumes_its_resolution_clock(api, tenant_a):
    ticket = open_ticket(api, tenant_a, "r1", opened_at=(timezone.now() - dt.timedelta(minutes=30)).isoformat())
    tid = ticket["id"]
    api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    for status in ("en_route", "on_site", "completed"):
        api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status})
    resolution = SlaClock.objects.get(ticket_id=tid, kind="resolution")
    assert resolution.state == "met"
    reopened = api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "needs_revisit", "note": "fault is back"})
    assert reopened.status_code == 200
    resolution.refresh_from_db()
    assert resolution.state == "running"
    assert resolution.met_at is None
    assert reopened.json()["first_time_fix"] is False


def test_time_on_hold_does_not_count_against_a_24x7_resolution(api, tenant_a):
    opened = timezone.now() - dt.timedelta(minutes=60)
    ticket = open_ticket(api, tenant_a, "h1", opened_at=opened.isoformat())
    tid = ticket["id"]
    due_before = SlaClock.objects.get(ticket_id=tid, kind="resolution").due_at
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "on_hold"})
    clock = SlaClock.objects.get(ticket_id=tid, kind="resolution")
    SlaClock.objects.filter(pk=clock.pk).update(paused_at=clock.paused_at - dt.timedelta(minutes=90))
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "triaged"})
    clock.refresh_from_db()
    assert clock.state == "running"
    assert (clock.due_at - due_before).total_seconds() == pytest.approx(90 * 60, abs=5)
    assert clock.paused_minutes == pytest.approx(90, abs=0.1)
