import hashlib
import hmac
import json

from tickets.integrations.jira import adf_text
from tickets.models import Ticket, TicketEvent

from .conftest import load, set_mapping

URL = "/api/v1/integrations/jira/webhook/"


def post_raw(client, tenant, body: bytes, **headers):
    return client.post(URL, data=body, content_type="application/json", **tenant.auth(), **headers)


def test_it_creates_a_ticket_from_an_issue_created_event(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("jira_issue_created.json"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["external_id"], body["priority"]) == ("jira", "ITSM-42", "P2")
    assert body["title"] == "Receipt printer at lane 3 jams"
    assert body["site"] == loop_site.pk  # "Printers" matches nothing; the next component does
    assert body["contact"]["email"] == "mia.krystof@example.com"


def test_it_flattens_the_atlassian_document_format_description(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("jira_issue_created.json"))
    assert Ticket.objects.get().description == (
        "The printer at lane 3 jams on every receipt.\n"
        "Tried a new paper roll\n"
        "Power-cycled it\n"
        "Store manager: @Ana Ruiz\n"
        "Model TM-T88VI"
    )


def test_a_plain_string_description_is_kept(api, tenant_a, loop_site):
    payload = load("jira_issue_created.json")
    payload["issue"]["fields"]["description"] = "Printer jams."
    api.post(URL, tenant_a, payload)
    assert Ticket.objects.get().description == "Printer jams."


def test_adf_text_handles_empty_and_nested_nodes():
    assert adf_text({"type": "doc", "version": 1, "content": []}) == ""
    doc = {"type": "doc", "content": [{"type": "heading", "content": [{"type": "text", "text": "Impact"}]},
                                      {"type": "paragraph", "content": [{"type": "text", "text": "All down."}]}]}
    assert adf_text(doc) == "Impact\nAll down."


def test_an_issue_updated_event_updates_the_same_ticket(api, tenant_a, loop_site):
    first = api.post(URL, tenant_a, load("jira_issue_created.json")).json()
    response = api.post(URL, tenant_a, load("jira_issue_updated.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == first["id"]
    ticket = Ticket.objects.get()
    assert ticket.priority == "P1"
    assert ticket.description == "Impact\nAll lanes down now."
    assert Ticket.objects.count() == 1


def test_a_redelivery_changes_nothing(api, tenant_a, loop_site):
    headers = {"HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER": "b0d3c0a3-9c1e-4a4e-a1a8-2a5b7f0e9d11"}
    first = api.post(URL, tenant_a, load("jira_issue_created.json"), **headers)
    assert first.status_code == 201
    # Meanwhile the dispatcher raised the priority; a late re-delivery of the old event must not undo it.
    Ticket.objects.update(priority="P1")
    events = TicketEvent.objects.count()
    again = api.post(URL, tenant_a, load("jira_issue_created.json"), **headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.get().priority == "P1"
    assert TicketEvent.objects.count() == events


def test_another_delivery_id_is_applied(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("jira_issue_created.json"), HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="one")
    api.post(URL, tenant_a, load("jira_issue_updated.json"), HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="two")
    assert Ticket.objects.get().priority == "P1"


def test_with_a_secret_a_signature_is_required(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    body = json.dumps(load("jira_issue_created.json")).encode()
    response = post_raw(client, tenant_a, body)
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_a_valid_signature_is_accepted(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    body = json.dumps(load("jira_issue_created.json")).encode()
    signature = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    response = post_raw(client, tenant_a, body, HTTP_X_HUB_SIGNATURE=f"sha256={signature}")
    assert response.status_code == 201, response.json()


def test_an_invalid_signature_is_401_and_writes_nothing(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    body = json.dumps(load("jira_issue_created.json")).encode()
    signature = hmac.new(b"wrong", body, hashlib.sha256).hexdigest()
    response = post_raw(client, tenant_a, body, HTTP_X_HUB_SIGNATURE=f"sha256={signature}")
    assert response.status_code == 401
    # The signature covers the exact bytes: the same JSON re-serialised does not pass either.
    good = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    response = post_raw(client, tenant_a, json.dumps(load("jira_issue_created.json"), indent=2).encode(),
                        HTTP_X_HUB_SIGNATURE=f"sha256={good}")
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_no_component_matching_is_400_naming_the_field(api, tenant_a, loop_site):
    payload = load("jira_issue_created.json")
    payload["issue"]["fields"]["components"] = [{"id": "1", "name": "Denver HQ"}]
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["fields.components"] == ["No site matches 'Denver HQ'."]
    assert Ticket.objects.count() == 0


def test_an_unmapped_priority_is_400(api, tenant_a, loop_site):
    payload = load("jira_issue_created.json")
    payload["issue"]["fields"]["priority"] = {"name": "Blocker", "id": "9"}
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert "fields.priority" in response.json()
    set_mapping(tenant_a, {"jira": {"priority_map": {"Blocker": "P1"}}})
    assert api.post(URL, tenant_a, payload).json()["priority"] == "P1"


def test_other_events_are_acknowledged_not_refused(api, tenant_a, loop_site):
    payload = load("jira_issue_created.json")
    payload["webhookEvent"] = "jira:issue_deleted"
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 200
    assert response.json() == {"ignored": "jira:issue_deleted"}
    assert Ticket.objects.count() == 0


def test_queries_do_not_grow_with_the_number_of_components(api, tenant_a, loop_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(key: str, components: int) -> int:
        payload = load("jira_issue_created.json")
        payload["issue"]["key"] = key
        payload["issue"]["fields"]["components"] = (
            [{"name": f"Nowhere {i}"} for i in range(components)] + [{"name": "Chicago Loop Office"}])
        with CaptureQueriesContext(connection) as ctx:
            assert api.post(URL, tenant_a, payload).status_code == 201
        return len(ctx.captured_queries)

    queries("ITSM-1", 0)  # warm-up (the API client's last_used_at)
    assert queries("ITSM-2", 1) == queries("ITSM-3", 30)
