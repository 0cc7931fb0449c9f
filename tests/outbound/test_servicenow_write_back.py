"""The ServiceNow format writes back through ServiceNow's stock Table API: find the incident by number, PATCH a
work note and, where it moves the incident forward, its state. No glue code on the ServiceNow side."""

import base64

import pytest

from outbound.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from outbound.services import webhook_deliver

from .test_webhooks import URL, open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_back(tenant_a, servicenow):
    return WebhookSubscription.objects.create(
        organization=tenant_a.org, url=servicenow.url + "/", format="servicenow",
        servicenow_user=servicenow.USER, servicenow_password=servicenow.PASSWORD)


def deliver_all():
    return [webhook_deliver(delivery_id=d.pk) for d in WebhookDelivery.objects.order_by("id")
            if d.status in ("pending", "failed")]


def patches(servicenow):
    return [r for r in servicenow.requests if r["method"] == "PATCH"]


def test_a_lifecycle_is_written_to_the_incident_with_the_table_api(api, tenant_a, write_back, servicenow):
    incident = servicenow.add_incident("INC0012345", state="2")  # being worked on in ServiceNow already
    tid = open_ticket(api, tenant_a, external_id="INC0012345")
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "on_hold"})
    assert deliver_all() == ["succeeded", "succeeded"]

    lookup, created, _, on_hold = servicenow.requests
    assert lookup["method"] == "GET" and lookup["path"] == "/api/now/table/incident"
    assert lookup["query"] == {"sysparm_query": ["number=INC0012345"], "sysparm_fields": ["sys_id,state"],
                               "sysparm_limit": ["1"]}
    assert created["method"] == "PATCH" and created["path"] == f"/api/now/table/incident/{incident['sys_id']}"
    headers = {k.lower(): v for k, v in created["headers"].items()}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"dispatch.integration:pa55word!").decode()
    assert headers["accept"] == headers["content-type"] == "application/json"
    assert "x-dispatch-signature" not in headers
    # Created: a work note only; sending 1 (New) would move the incident being worked back to New.
    assert created["json"] == {"work_notes": created["json"]["work_notes"]}
    assert "created" in created["json"]["work_notes"]
    assert on_hold["json"]["state"] == "3" and "new → on_hold" in on_hold["json"]["work_notes"]
    assert incident["state"] == "3"
    attempt = WebhookAttempt.objects.order_by("id").last()
    assert attempt.status_code == 200 and attempt.error == ""


def test_completion_resolves_with_a_resolution_code_and_notes(api, tenant_a, write_back, servicenow):
    incident = servicenow.add_incident("INC7")
    tid = open_ticket(api, tenant_a, external_id="INC7")
    api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    for status in ("en_route", "on_site", "completed"):
        api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status, "note": "Replaced the PSU"})
    assert set(deliver_all()) == {"succeeded"}
    resolved = patches(servicenow)[-1]["json"]
    assert resolved["state"] == "6" and resolved["close_code"] == "Solution provided"
    assert resolved["close_notes"] == "Replaced the PSU"
    # The status change to completed does not resolve (without close_code a data policy would refuse it).
    assert [p["json"].get("state") for p in patches(servicenow)].count("6") == 1
    assert incident["state"] == "6"


def test_the_work_note_says_what_was_done_and_which_parts_were_fitted(api, tenant_a, write_back, servicenow):
    from inventory.models import Part

    Part.objects.create(organization=tenant_a.org, sku="PSU-750", name="PSU")
    servicenow.add_incident("INC8")
    tid = open_ticket(api, tenant_a, external_id="INC8")
    api.post(f"{URL}{tid}/assign/", tenant_a, {"technician": tenant_a.technician.pk})
    for status in ("en_route", "on_site"):
        api.post(f"{URL}{tid}/transition/", tenant_a, {"status": status})
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "completed", "note": "New PSU",
                                                   "resolution_code": "replaced_part",
                                                   "parts_used": [{"sku": "PSU-750", "quantity": 1}]})
    assert set(deliver_all()) == {"succeeded"}
    note = patches(servicenow)[-1]["json"]["work_notes"]
    assert note.startswith("Work completed (WO-") and "New PSU [replaced_part]" in note
    assert "parts used 1 × PSU-750" in note


@pytest.mark.parametrize("incident_state", ["6", "7", "8"])
def test_a_resolved_closed_or_canceled_incident_is_not_moved_back(api, tenant_a, write_back, servicenow,
                                                                   incident_state):
    servicenow.add_incident("INC9", state=incident_state)
    tid = open_ticket(api, tenant_a, external_id="INC9")
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "triaged"})
    api.post(f"{URL}{tid}/transition/", tenant_a, {"status": "on_hold"})
    assert set(deliver_all()) == {"succeeded"}
    assert [set(p["json"]) for p in patches(servicenow)] == [{"work_notes"}] * 3


def test_tickets_from_elsewhere_are_skipped_not_failed(api, tenant_a, write_back, servicenow):
    open_ticket(api, tenant_a, source="jira", external_id="OPS-1")
    assert deliver_all() == ["skipped"]
    assert WebhookDelivery.objects.get().status == "skipped"
    assert servicenow.requests == [] and not WebhookAttempt.objects.exists()


def test_an_unknown_incident_or_bad_credentials_fail_and_are_retried(api, tenant_a, write_back, servicenow):
    open_ticket(api, tenant_a, external_id="INC404")
    assert deliver_all() == ["retry"]
    delivery = WebhookDelivery.objects.get()
    assert "No incident INC404 in ServiceNow" in delivery.last_error
    assert patches(servicenow) == []

    write_back.servicenow_password = "wrong"
    write_back.save()
    servicenow.add_incident("INC404")
    WebhookDelivery.objects.update(next_attempt_at=delivery.next_attempt_at.replace(year=2000))
    assert deliver_all() == ["retry"]
    delivery.refresh_from_db()
    assert (delivery.last_status_code, delivery.last_error) == (401, "Looking up incident INC404: HTTP 401")
    assert "User Not Authenticated" in delivery.attempt_log.first().response_excerpt


def test_an_external_id_that_is_no_incident_number_is_not_sent(api, tenant_a, write_back, servicenow):
    open_ticket(api, tenant_a, external_id="INC1^ORnumberISNOTEMPTY")  # would match every incident
    assert deliver_all() == ["dead"]
    assert "not a ServiceNow incident number" in WebhookDelivery.objects.get().last_error
    assert servicenow.requests == []


def test_the_api_keeps_the_password_write_only_and_asks_what_each_format_needs(api, tenant_a, servicenow):
    missing = api.post("/api/v1/webhooks/", tenant_a, {"url": servicenow.url, "format": "servicenow"})
    assert missing.status_code == 400
    assert set(missing.json()) == {"servicenow_user", "servicenow_password"}
    unsigned = api.post("/api/v1/webhooks/", tenant_a, {"url": servicenow.url})
    assert unsigned.status_code == 400 and set(unsigned.json()) == {"secret"}
    assert not WebhookSubscription.objects.exists()

    created = api.post("/api/v1/webhooks/", tenant_a, {
        "url": servicenow.url, "format": "servicenow", "servicenow_user": "dispatch", "servicenow_password": "pw"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["servicenow_user"] == "dispatch" and "servicenow_password" not in body and "secret" not in body
    sid = body["id"]
    assert "servicenow_password" not in api.get(f"/api/v1/webhooks/{sid}/", tenant_a).json()
    # A partial update keeps the stored password; switching to JSON asks for a secret.
    assert api.patch(f"/api/v1/webhooks/{sid}/", tenant_a, {"description": "ITSM"}).status_code == 200
    switched = api.patch(f"/api/v1/webhooks/{sid}/", tenant_a, {"format": "json"})
    assert switched.status_code == 400 and set(switched.json()) == {"secret"}
    assert WebhookSubscription.objects.get().servicenow_password == "pw"


def test_the_admin_keeps_the_password_when_left_empty(admin_client, tenant_a, write_back, servicenow):
    page = admin_client.get(f"/admin/outbound/webhooksubscription/{write_back.pk}/change/").content.decode()
    assert servicenow.PASSWORD not in page
    response = admin_client.post(f"/admin/outbound/webhooksubscription/{write_back.pk}/change/", {
        "organization": tenant_a.org.pk, "url": write_back.url, "format": "servicenow",
        "servicenow_user": "someone.else", "servicenow_password": "", "servicenow_close_code": "Solved (Permanently)",
        "active": "on", "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    write_back.refresh_from_db()
    assert (write_back.servicenow_user, write_back.servicenow_password) == ("someone.else", servicenow.PASSWORD)


@pytest.mark.parametrize(("event", "status", "incident_state", "sent"), [
    ("ticket.created", "new", 2, None),  # never back to New
    ("ticket.status_changed", "triaged", 2, None),
    ("ticket.assigned", "dispatched", 1, "2"),
    ("ticket.status_changed", "on_site", 2, None),  # already In Progress
    ("ticket.status_changed", "on_hold", 2, "3"),
    ("ticket.status_changed", "en_route", 3, "2"),  # resumes from On Hold
    ("ticket.status_changed", "completed", 2, None),  # ticket.completed resolves
    ("ticket.completed", "completed", 2, "6"),
    ("ticket.status_changed", "closed", 6, None),
    ("ticket.status_changed", "cancelled", 2, None),
    ("ticket.status_changed", "en_route", 6, None),  # not back from Resolved...
    ("ticket.status_changed", "needs_revisit", 6, "2"),  # ...unless reopened
    ("ticket.status_changed", "needs_revisit", 7, None),  # Closed and Canceled are final
    ("sla.breached", "on_site", 8, None),
])
def test_the_state_map_never_moves_an_incident_backwards(event, status, incident_state, sent):
    from outbound.payloads import servicenow_update

    payload = {"ticket": {"number": "WO-1", "status": status, "technician": None, "eta": None},
               "data": {"from": "x", "resolution_notes": "done"}}
    update = servicenow_update(event, payload, incident_state=incident_state, close_code="Solution provided")
    assert update.get("state") == sent
    assert update["work_notes"]
