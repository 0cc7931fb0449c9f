import datetime as dt

from sla.models import SlaClock
from tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets/"


def payload(tenant, **over):
    body = {
        "source": "servicenow", "external_id": "INC0010001", "title": "Switch port flapping",
        "description": "Port 12 on the core switch goes up and down.", "priority": "P2",
        "site": tenant.site.pk, "job_type": "break_fix", "required_skills": ["network"],
        "asset": {"make": "Cisco", "model": "C9300", "serial": "FOC1234X"},
        "contact": {"name": "Ana Ruiz", "phone": "+1 312 555 0100", "email": "ana@example.com"},
        "parts": [{"sku": "SFP-10G-SR", "quantity": 2}],
    }
    body.update(over)
    return body


def test_it_creates_a_ticket_with_sla_due_times(api, tenant_a):
    response = api.post(URL, tenant_a, payload(tenant_a))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("WO-")
    assert body["status"] == "new"
    assert body["sla"]["response"]["state"] == "running"
    assert body["sla"]["response"]["due_at"] and body["sla"]["resolution"]["due_at"]
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.asset["serial"] == "FOC1234X"
    assert ticket.events.filter(kind=TicketEvent.Kind.CREATED).count() == 1


def test_the_answer_shows_the_clocks_as_stored_without_reading_them_back(api, tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = api.post(URL, tenant_a, payload(tenant_a, priority="P1")).json()
    stored = {c.kind: c for c in SlaClock.objects.filter(ticket_id=body["id"])}
    for kind in ("response", "resolution"):
        assert body["sla"][kind]["due_at"] == stored[kind].due_at.isoformat().replace("+00:00", "Z")
        assert body["sla"][kind]["at_risk_at"] == stored[kind].at_risk_at.isoformat().replace("+00:00", "Z")
        assert body["sla"][kind]["state"] == "running" and body["sla"][kind]["business_minutes_remaining"] > 0
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "sla_slaclock"')]
    # The audit trail, in one insert: created, then the two clocks started.
    events = list(TicketEvent.objects.filter(ticket_id=body["id"]).order_by("created_at", "id"))
    assert [(e.kind, e.message) for e in events] == [
        ("created", ""), ("sla", "Response (on site) clock started"), ("sla", "Resolution clock started")]
    assert len([q for q in queries.captured_queries if 'INSERT INTO "tickets_ticketevent"' in q["sql"]]) == 1


def test_it_upserts_on_source_and_external_id(api, tenant_a):
    first = api.post(URL, tenant_a, payload(tenant_a)).json()
    again = api.post(URL, tenant_a, payload(tenant_a, title="Switch port flapping (users affected)"))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Ticket.objects.filter(organization=tenant_a.org).count() == 1
    assert Ticket.objects.get().title == "Switch port flapping (users affected)"


def test_a_repeat_with_nothing_changed_writes_no_event(api, tenant_a):
    api.post(URL, tenant_a, payload(tenant_a))
    api.post(URL, tenant_a, payload(tenant_a))
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.UPDATED).count() == 0


def test_an_update_of_a_known_ticket_needs_no_site(api, tenant_a):
    api.post(URL, tenant_a, payload(tenant_a))
    response = api.post(URL, tenant_a, {"source": "servicenow", "external_id": "INC0010001", "priority": "P1"})
    assert response.status_code == 200, response.json()
    assert response.json()["priority"] == "P1"


def test_a_priority_change_retimes_the_sla_from_opened_at(api, tenant_a):
    opened = "2026-11-23T14:00:00Z"
    api.post(URL, tenant_a, payload(tenant_a, priority="P3", opened_at=opened))
    body = api.post(URL, tenant_a, payload(tenant_a, priority="P1", opened_at=opened)).json()
    due = dt.datetime.fromisoformat(body["sla"]["response"]["due_at"].replace("Z", "+00:00"))
    assert due == dt.datetime(2026, 11, 23, 18, 0, tzinfo=dt.UTC)  # P1: 240 wall-clock minutes


def test_it_accepts_the_site_by_external_id(api, tenant_a):
    body = payload(tenant_a, site_external_id=tenant_a.site.external_id)
    del body["site"]
    response = api.post(URL, tenant_a, body)
    assert response.status_code == 201
    assert response.json()["site"] == tenant_a.site.pk


def test_it_rejects_an_unknown_site_naming_the_field(api, tenant_a):
    response = api.post(URL, tenant_a, payload(tenant_a, site=999999))
    assert response.status_code == 400
    assert "site" in response.json()
    assert Ticket.objects.count() == 0


def test_it_rejects_an_unknown_site_external_id(api, tenant_a):
    body = payload(tenant_a, site_external_id="NOPE")
    del body["site"]
    response = api.post(URL, tenant_a, body)
    assert response.status_code == 400
    assert "site_external_id" in response.json()
    assert Ticket.objects.count() == 0


def test_it_rejects_a_bad_priority(api, tenant_a):
    response = api.post(URL, tenant_a, payload(tenant_a, priority="P9"))
    assert response.status_code == 400
    assert "priority" in response.json()
    assert Ticket.objects.count() == 0


def test_it_rejects_a_new_ticket_missing_required_fields(api, tenant_a):
    response = api.post(URL, tenant_a, {"source": "servicenow", "external_id": "INC1", "priority": "P2"})
    assert response.status_code == 400
    assert set(response.json()) >= {"title", "site"}
    assert Ticket.objects.count() == 0
    assert SlaClock.objects.count() == 0


def test_another_tenants_site_is_unknown(api, tenant_a, tenant_b):
    response = api.post(URL, tenant_a, payload(tenant_a, site=tenant_b.site.pk))
    assert response.status_code == 400
    assert "site" in response.json()
    assert Ticket.objects.count() == 0


def test_it_requires_a_token(client, db):
    assert client.get(URL).status_code == 401


def test_it_rejects_a_wrong_token(client, tenant_a):
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer dp_nope.nope")
    assert response.status_code == 401


def test_it_lists_with_filters(api, tenant_a):
    api.post(URL, tenant_a, payload(tenant_a))
    api.post(URL, tenant_a, payload(tenant_a, external_id="INC0010002", priority="P4"))
    body = api.get(URL + "?priority=P4", tenant_a).json()
    assert [t["external_id"] for t in body["results"]] == ["INC0010002"]
    assert body["next"] is None


def test_the_list_takes_a_constant_number_of_queries(api, tenant_a, django_assert_max_num_queries):
    for i in range(3):
        api.post(URL, tenant_a, payload(tenant_a, external_id=f"INC-A{i}"))
    with django_assert_max_num_queries(12) as few:
        api.get(URL, tenant_a)
    with_three = len(few)  # read now: every request resets Django's query log
    for i in range(20):
        api.post(URL, tenant_a, payload(tenant_a, external_id=f"INC-B{i}"))
    with django_assert_max_num_queries(with_three):
        assert len(api.get(URL, tenant_a).json()["results"]) == 23
