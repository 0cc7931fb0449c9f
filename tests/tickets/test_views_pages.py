"""The dispatcher's queue and ticket page, and the technician's phone page, as a user sees them."""

import datetime as dt

import pytest
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def intake(api, tenant, external_id, priority, minutes_ago=0, **over):
    body = {"source": "servicenow", "external_id": external_id, "title": f"Job {external_id}", "priority": priority,
            "site": tenant.site.pk, "required_skills": ["network"],
            "opened_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(), **over}
    response = api.post("/api/v1/tickets/", tenant, body)
    assert response.status_code == 201, response.json()
    return Ticket.objects.get(pk=response.json()["id"])


def test_the_queue_ranks_by_sla_due_time(client, api, tenant_a):
    p3 = intake(api, tenant_a, "A", "P3")
    p1_old = intake(api, tenant_a, "B", "P1", minutes_ago=200)
    p1_new = intake(api, tenant_a, "C", "P1")
    client.force_login(tenant_a.dispatcher)
    html = client.get("/queue/").content.decode()
    assert html.index(p1_old.number) < html.index(p1_new.number) < html.index(p3.number)


def test_the_queue_serves_only_rows_to_htmx(client, api, tenant_a):
    ticket = intake(api, tenant_a, "A", "P2")
    client.force_login(tenant_a.dispatcher)
    response = client.get("/queue/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert ticket.number in html
    assert "<html" not in html


def test_the_queue_filters_by_priority(client, api, tenant_a):
    p2 = intake(api, tenant_a, "A", "P2")
    p4 = intake(api, tenant_a, "B", "P4")
    client.force_login(tenant_a.dispatcher)
    html = client.get("/queue/?priority=P4&status=").content.decode()
    assert p4.number in html and p2.number not in html


def test_the_queue_takes_a_constant_number_of_queries(client, api, tenant_a, django_assert_max_num_queries):
    client.force_login(tenant_a.dispatcher)
    intake(api, tenant_a, "first", "P2")
    with django_assert_max_num_queries(20) as captured:
        client.get("/queue/")
    baseline = len(captured)
    for i in range(15):
        intake(api, tenant_a, f"more-{i}", "P3")
    with django_assert_max_num_queries(baseline):
        client.get("/queue/")


def test_the_ticket_page_recommends_and_assigns(client, api, tenant_a):
    ticket = intake(api, tenant_a, "A", "P1")
    client.force_login(tenant_a.dispatcher)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Recommended technicians" in page
    assert tenant_a.technician.name in page
    response = client.post(f"/tickets/{ticket.pk}/assign/", {"technician": tenant_a.technician.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.technician == tenant_a.technician
    assert ticket.status == "dispatched"


def test_an_illegal_status_from_the_page_changes_nothing(client, api, tenant_a):
    ticket = intake(api, tenant_a, "A", "P1")
    client.force_login(tenant_a.dispatcher)
    response = client.post(f"/tickets/{ticket.pk}/transition/", {"status": "closed"}, follow=True)
    assert "Cannot move a ticket from new to closed" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_the_technician_taps_through_a_job(client, api, tenant_a):
    ticket = intake(api, tenant_a, "A", "P1")
    api.post(f"/api/v1/tickets/{ticket.pk}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    client.force_login(tenant_a.tech_user)
    page = client.get("/my/jobs/").content.decode()
    assert ticket.number in page and "En route" in page
    for status in ("en_route", "on_site", "completed"):
        client.post(f"/my/jobs/{ticket.pk}/status/", {"status": status, "note": "Replaced SFP; link stable",
                                                      "signed_off_by": "Ana Ruiz (store manager)"})
    ticket.refresh_from_db()
    assert ticket.status == "completed"
    assert ticket.signed_off_by == "Ana Ruiz (store manager)"
    assert ticket.first_time_fix is True
    assert ticket.resolution_notes == "Replaced SFP; link stable"
    assert ticket.events.filter(kind=TicketEvent.Kind.STATUS, actor_user=tenant_a.tech_user).count() == 3


def test_a_technician_cannot_tap_a_status_the_phone_does_not_offer(client, api, tenant_a):
    ticket = intake(api, tenant_a, "A", "P1")
    api.post(f"/api/v1/tickets/{ticket.pk}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    client.force_login(tenant_a.tech_user)
    client.post(f"/my/jobs/{ticket.pk}/status/", {"status": "completed"})
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"


def test_a_technician_does_not_see_a_colleagues_job(client, api, tenant_a):
    from tests.factories import TechnicianFactory

    colleague = TechnicianFactory(organization=tenant_a.org, skills=["network"])
    ticket = intake(api, tenant_a, "A", "P1")
    api.post(f"/api/v1/tickets/{ticket.pk}/assign/", tenant_a, {"technician": colleague.pk})
    client.force_login(tenant_a.tech_user)
    assert ticket.number not in client.get("/my/jobs/").content.decode()
    assert client.post(f"/my/jobs/{ticket.pk}/status/", {"status": "en_route"}).status_code == 404


def test_both_pages_show_the_access_window_in_the_sites_time_zone(client, api, tenant_a):
    # 12:00–15:00 UTC is 06:00–09:00 in Chicago (the site's zone) on Monday 7 December.
    window = {"start": "2026-12-07T12:00:00Z", "end": "2026-12-07T15:00:00Z"}
    ticket = intake(api, tenant_a, "A", "P3", access_window=window)
    client.force_login(tenant_a.dispatcher)
    assert "Mon 7 Dec 06:00–09:00 local" in client.get(f"/tickets/{ticket.pk}/").content.decode()
    api.post(f"/api/v1/tickets/{ticket.pk}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    client.force_login(tenant_a.tech_user)
    assert "Access Mon 7 Dec 06:00–09:00" in client.get("/my/jobs/").content.decode()


def test_the_ticket_page_names_the_required_sla_policy(client, api, tenant_a):
    from sla.services import sla_policy_save
    from tests.conftest import STANDARD_TARGETS

    sla_policy_save(organization=tenant_a.org, data={"name": "Gold 2h", "region": "contracts",
                                                     "targets": [dict(t) for t in STANDARD_TARGETS]})
    ticket = intake(api, tenant_a, "A", "P3", sla_policy="Gold 2h")
    client.force_login(tenant_a.dispatcher)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Required SLA" in page and "Gold 2h" in page
