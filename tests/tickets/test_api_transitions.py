from sla.models import SlaClock
from tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets/"


def create(api, tenant, **over):
    body = {"source": "jira", "external_id": "OPS-1", "title": "Receipt printer dead", "priority": "P1",
            "site": tenant.site.pk, "required_skills": ["desktop"], **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_illegal_transition_is_409_naming_the_allowed_ones_and_changes_nothing(api, tenant_a):
    ticket = create(api, tenant_a)
    events_before = TicketEvent.objects.count()
    response = api.post(f"{URL}{ticket['id']}/transition/", tenant_a, {"status": "completed"})
    assert response.status_code == 409
    body = response.json()
    assert "triaged" in body["allowed"] and "completed" not in body["allowed"]
    assert Ticket.objects.get(pk=ticket["id"]).status == "new"
    assert TicketEvent.objects.count() == events_before


def test_an_unknown_status_is_400(api, tenant_a):
    ticket = create(api, tenant_a)
    response = api.post(f"{URL}{ticket['id']}/transition/", tenant_a, {"status": "teleported"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_the_whole_path_meets_both_clocks_and_records_every_step(api, tenant_a):
    ticket = create(api, tenant_a)
    tid = ticket["id"]
    recs = api.get(f"{URL}{tid}/recommendations/", tenant_a).json()
    assert recs[0]["technician"] == tenant_a.technician.pk
    assert any("km" in reason for reason in recs[0]["reasons"])

    assigned = api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["status"] == "dispatched"
    for status in ("en_route", "on_site", "completed"):
        response = api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status, "note": f"now {status}"})
        assert response.status_code == 200, response.json()
    body = api.get(f"{URL}{tid}/", tenant_a).json()
    assert body["status"] == "completed"
    assert body["first_time_fix"] is True
    assert body["sla"]["response"]["state"] == "met"
    assert body["sla"]["resolution"]["state"] == "met"
    kinds = list(TicketEvent.objects.filter(ticket_id=tid).values_list("kind", flat=True))
    assert kinds.count("status") == 4  # dispatched, en_route, on_site, completed
    assert "assigned" in kinds


def test_on_hold_pauses_the_resolution_clock(api, tenant_a):
    ticket = create(api, tenant_a)
    api.post(f"{URL}{ticket['id']}/transition/", tenant_a, {"status": "on_hold"})
    clock = SlaClock.objects.get(ticket_id=ticket["id"], kind="resolution")
    assert clock.state == "paused"
    api.post(f"{URL}{ticket['id']}/transition/", tenant_a, {"status": "triaged"})
    clock.refresh_from_db()
    assert clock.state == "running"
    assert clock.paused_at is None


def test_cancelling_stops_the_clocks_without_a_breach(api, tenant_a):
    ticket = create(api, tenant_a)
    api.post(f"{URL}{ticket['id']}/transition/", tenant_a, {"status": "cancelled"})
    assert set(SlaClock.objects.filter(ticket_id=ticket["id"]).values_list("state", flat=True)) == {"cancelled"}


def test_assigning_an_unqualified_technician_is_refused(api, tenant_a):
    ticket = create(api, tenant_a, required_skills=["av"])
    response = api.post(f"{URL}{ticket['id']}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    assert response.status_code == 400
    assert "missing skill av" in " ".join(response.json()["technician"])
    assert Ticket.objects.get(pk=ticket["id"]).technician is None


def test_an_expired_certification_does_not_qualify(api, tenant_a):
    from technicians.models import Certification

    Certification.objects.create(technician=tenant_a.technician, code="ccna", expires_on="2020-01-01")
    ticket = create(api, tenant_a, required_certifications=["ccna"])
    assert api.get(f"{URL}{ticket['id']}/recommendations/", tenant_a).json() == []
    response = api.post(f"{URL}{ticket['id']}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    assert response.status_code == 400
    assert "expired" in " ".join(response.json()["technician"])


def test_a_viewer_cannot_write(client, tenant_a):
    client.force_login(tenant_a.viewer)
    response = client.post(URL, {"source": "x", "external_id": "1"}, content_type="application/json")
    assert response.status_code == 403
    assert client.get(URL).status_code == 200
