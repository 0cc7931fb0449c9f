"""Recommendations honour the ticket's access window: an early technician waits for it to open; one who can
only get there after it closes is not recommended."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.dispatch.test_recommendations import recs, ticket
from tests.factories import TechnicianFactory

pytestmark = pytest.mark.django_db


def window(start: dt.datetime, end: dt.datetime) -> dict:
    return {"access_window": {"start": start.isoformat(), "end": end.isoformat()}}


def test_a_technician_arriving_early_waits_for_the_window_to_open(api, tenant_a):
    opens = (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)
    tid = ticket(api, tenant_a, "A", priority="P3", **window(opens, opens + dt.timedelta(hours=2)))
    top = recs(api, tenant_a, tid)[0]
    assert top["technician"] == tenant_a.technician.pk
    assert dt.datetime.fromisoformat(top["eta"].replace("Z", "+00:00")) == opens
    assert any(r.startswith("waits ") and "access window" in r for r in top["reasons"])


def test_a_technician_arriving_after_the_window_is_not_recommended(api, tenant_a):
    # ~200 km away: over three hours' drive; the window closes in an hour.
    far = TechnicianFactory(organization=tenant_a.org, skills=["network"], home_latitude=40.1, home_longitude=-88.2)
    now = timezone.now()
    tid = ticket(api, tenant_a, "A", **window(now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)))
    ranked = [r["technician"] for r in recs(api, tenant_a, tid)]
    assert ranked == [tenant_a.technician.pk]
    assert far.pk not in ranked

    # Without the window both are recommended.
    other = ticket(api, tenant_a, "B")
    assert {r["technician"] for r in recs(api, tenant_a, other)} == {tenant_a.technician.pk, far.pk}


def test_a_window_already_closed_recommends_nobody_and_the_page_says_why(client, api, tenant_a):
    now = timezone.now()
    tid = ticket(api, tenant_a, "A", **window(now - dt.timedelta(hours=3), now - dt.timedelta(hours=1)))
    assert recs(api, tenant_a, tid) == []
    client.force_login(tenant_a.dispatcher)
    page = client.get(f"/tickets/{tid}/").content.decode()
    assert "before its access window closes" in page


def test_the_wait_counts_against_the_jobs_after_it(api, tenant_a):
    """First in the route, the ticket's wait for its window would make the job after it late: it goes second."""
    from sla.models import SlaClock

    now = timezone.now()
    booked = ticket(api, tenant_a, "booked", priority="P3")
    SlaClock.objects.filter(ticket_id=booked, kind="response").update(due_at=now + dt.timedelta(minutes=130))
    api.post(f"/api/v1/tickets/{booked}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    opens = (now + dt.timedelta(minutes=90)).replace(microsecond=0)
    tid = ticket(api, tenant_a, "windowed", priority="P1", **window(opens, opens + dt.timedelta(hours=4)))
    top = recs(api, tenant_a, tid)[0]
    assert (top["position"], top["knock_on_minutes"]) == (1, 0)
    assert dt.datetime.fromisoformat(top["eta"].replace("Z", "+00:00")) == opens
