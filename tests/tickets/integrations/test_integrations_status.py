"""ITSM status → our lifecycle, for Jira (`issue.fields.status`) and Freshservice (`status`).

Rules under test (adapter docstrings, services._apply_status_report): a mapped status moves the ticket where
the lifecycle allows it, audited as a status event by the API client; resolving/closing before dispatch
cancels; a status that cannot apply is noted, not refused; unmapped statuses are ignored; a value that is no
status at all, or a broken status map, is a 400 naming the field and writes nothing.
"""

import pytest

from sla.models import SlaClock
from tests.factories import SiteFactory
from tickets.models import Ticket, TicketEvent
from tickets.services import SYSTEM, ticket_assign, ticket_transition

from .conftest import load, set_mapping

JIRA = "/api/v1/integrations/jira/webhook/"
FRESH = "/api/v1/integrations/freshservice/webhook/"


def jira_status(payload: dict, name: str, status_id: str, category: str) -> dict:
    """The same transition body with another target status (fields.status and the changelog agree)."""
    payload["issue"]["fields"]["status"].update(name=name, id=status_id)
    payload["issue"]["fields"]["status"]["statusCategory"]["key"] = category
    item = next(i for i in payload["changelog"]["items"] if i["field"] == "status")
    item.update(to=status_id, toString=name)
    return payload


def advance(tenant, ticket: Ticket, *statuses: str) -> Ticket:
    """Field work as the dispatcher and the technician would do it: assign (→ dispatched), then tap on."""
    ticket = ticket_assign(organization=tenant.org, actor=SYSTEM, ticket=ticket, technician=tenant.technician)
    for status in statuses:
        ticket = ticket_transition(organization=tenant.org, actor=SYSTEM, ticket=ticket, status=status)
    return ticket


def status_events(ticket: Ticket) -> list[tuple[str, str]]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.STATUS).values_list("from_status", "to_status"))


def notes(ticket: Ticket) -> list[str]:
    return list(ticket.events.filter(kind=TicketEvent.Kind.NOTE).values_list("message", flat=True))


@pytest.fixture
def jira_ticket(api, tenant_a, loop_site) -> Ticket:
    assert api.post(JIRA, tenant_a, load("jira_issue_created.json")).status_code == 201
    return Ticket.objects.get(source="jira", external_id="ITSM-42")


@pytest.fixture
def fresh_ticket(api, tenant_a, loop_site) -> Ticket:
    SiteFactory(organization=tenant_a.org, customer=tenant_a.customer, external_id="CHI-LOOP", name="Loop 2")
    assert api.post(FRESH, tenant_a, load("freshservice_ticket_api.json")).status_code == 201
    return Ticket.objects.get(source="freshservice", external_id="1234")


# --- Jira ----------------------------------------------------------------------------------------------------


def test_it_cancels_the_ticket_when_the_issue_is_canceled(api, tenant_a, jira_ticket):
    response = api.post(JIRA, tenant_a, load("jira_issue_status_canceled.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    event = jira_ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert (event.from_status, event.to_status) == ("new", "cancelled")
    assert event.actor_client == tenant_a.client_obj  # audited as the API client, like any transition
    assert event.message == "From jira: issue.fields.status 'Canceled'."


def test_a_resolved_issue_before_dispatch_cancels_the_ticket(api, tenant_a, jira_ticket):
    response = api.post(JIRA, tenant_a, load("jira_issue_status_resolved.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    event = jira_ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert event.message == "From jira: issue.fields.status 'Resolved' before dispatch."


def test_a_resolved_issue_completes_the_ticket_with_the_technician_on_site(api, tenant_a, jira_ticket):
    advance(tenant_a, jira_ticket, "en_route", "on_site")
    response = api.post(JIRA, tenant_a, load("jira_issue_status_resolved.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert status_events(jira_ticket)[-1] == ("on_site", "completed")


def test_a_closed_issue_closes_a_completed_ticket(api, tenant_a, jira_ticket):
    advance(tenant_a, jira_ticket, "en_route", "on_site", "completed")
    payload = jira_status(load("jira_issue_status_resolved.json"), "Closed", "6", "done")
    assert api.post(JIRA, tenant_a, payload).json()["status"] == "closed"


def test_pending_puts_the_ticket_on_hold_and_pauses_the_resolution_clock(api, tenant_a, jira_ticket):
    payload = jira_status(load("jira_issue_status_waiting_for_customer.json"), "Pending", "10004", "indeterminate")
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "on_hold"
    assert SlaClock.objects.get(ticket=jira_ticket, kind="resolution").state == "paused"


def test_waiting_for_customer_is_on_hold_only_where_the_client_maps_it(api, tenant_a, jira_ticket):
    payload = load("jira_issue_status_waiting_for_customer.json")
    assert api.post(JIRA, tenant_a, payload).json()["status"] == "new"  # no default for it
    set_mapping(tenant_a, {"jira": {"status_map": {"waiting for CUSTOMER": "on_hold"}}})  # keys: any case
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "on_hold"
    assert status_events(jira_ticket) == [("new", "on_hold")]


def test_the_client_map_can_key_by_status_id(api, tenant_a, jira_ticket):
    set_mapping(tenant_a, {"jira": {"status_map": {"10003": "on_hold"}}})
    assert api.post(JIRA, tenant_a, load("jira_issue_status_waiting_for_customer.json")).json()["status"] == "on_hold"


def test_an_update_without_a_status_change_does_not_reapply_the_status(api, tenant_a, jira_ticket):
    set_mapping(tenant_a, {"jira": {"status_map": {"Waiting for customer": "on_hold"}}})
    api.post(JIRA, tenant_a, load("jira_issue_status_waiting_for_customer.json"))
    # The customer called back; the dispatcher released the hold.
    ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=jira_ticket, status="triaged")
    # Then someone raised the priority in Jira: the body still says "Waiting for customer".
    payload = load("jira_issue_status_waiting_for_customer.json")
    payload["issue"]["fields"]["priority"] = {"name": "Highest", "id": "1"}
    payload["changelog"]["items"] = [{"field": "priority", "fieldtype": "jira", "fieldId": "priority", "from": "2",
                                      "fromString": "High", "to": "1", "toString": "Highest"}]
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 200, response.json()
    jira_ticket.refresh_from_db()
    assert (jira_ticket.status, jira_ticket.priority) == ("triaged", "P1")


def test_unmapped_statuses_are_ignored(api, tenant_a, jira_ticket):
    payload = jira_status(load("jira_issue_status_waiting_for_customer.json"), "Escalated", "10007", "indeterminate")
    payload["issue"]["fields"]["priority"] = {"name": "Highest", "id": "1"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 200, response.json()
    jira_ticket.refresh_from_db()
    assert (jira_ticket.status, jira_ticket.priority) == ("new", "P1")  # the rest of the update applied
    assert status_events(jira_ticket) == [] and notes(jira_ticket) == []


def test_a_custom_done_status_falls_back_to_its_category(api, tenant_a, jira_ticket):
    payload = jira_status(load("jira_issue_status_resolved.json"), "Won't fix", "10010", "done")
    assert api.post(JIRA, tenant_a, payload).json()["status"] == "cancelled"  # done before dispatch


def test_the_client_switches_a_default_off_with_null(api, tenant_a, jira_ticket):
    set_mapping(tenant_a, {"jira": {"status_map": {"Canceled": None, "category:done": None}}})
    assert api.post(JIRA, tenant_a, load("jira_issue_status_canceled.json")).json()["status"] == "new"
    payload = jira_status(load("jira_issue_status_resolved.json"), "Won't fix", "10010", "done")
    assert api.post(JIRA, tenant_a, payload).json()["status"] == "new"
    assert status_events(jira_ticket) == []


def test_a_status_that_cannot_apply_is_noted_for_the_dispatcher_not_refused(api, tenant_a, jira_ticket):
    advance(tenant_a, jira_ticket, "en_route", "on_site")
    payload = load("jira_issue_status_canceled.json")
    payload["issue"]["fields"]["priority"] = {"name": "Highest", "id": "1"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 200, response.json()
    jira_ticket.refresh_from_db()
    assert (jira_ticket.status, jira_ticket.priority) == ("on_site", "P1")
    expected = ("From jira: issue.fields.status 'Canceled' not applied: a ticket cannot go from on_site to "
                "cancelled (allowed: completed, needs_revisit, on_hold).")
    assert notes(jira_ticket) == [expected]
    api.post(JIRA, tenant_a, payload)  # Jira retries, or the agent saves again: one note is enough
    assert notes(jira_ticket) == [expected]


def test_resolved_while_the_technician_travels_is_left_to_the_dispatcher(api, tenant_a, jira_ticket):
    advance(tenant_a, jira_ticket, "en_route")
    response = api.post(JIRA, tenant_a, load("jira_issue_status_resolved.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "en_route"
    assert notes(jira_ticket) == ["From jira: issue.fields.status 'Resolved' not applied: a ticket cannot go from "
                                  "en_route to completed (allowed: cancelled, dispatched, on_hold, on_site)."]


def test_a_ticket_finished_on_both_sides_gets_no_note(api, tenant_a, jira_ticket):
    api.post(JIRA, tenant_a, load("jira_issue_status_canceled.json"))
    events = TicketEvent.objects.count()
    payload = jira_status(load("jira_issue_status_resolved.json"), "Closed", "6", "done")
    assert api.post(JIRA, tenant_a, payload).status_code == 200
    assert TicketEvent.objects.count() == events


def test_a_status_that_is_no_status_is_400_naming_the_field_and_writes_nothing(api, tenant_a, jira_ticket):
    events = TicketEvent.objects.count()
    payload = load("jira_issue_status_canceled.json")
    payload["issue"]["fields"]["status"] = ["Canceled"]
    payload["issue"]["fields"]["priority"] = {"name": "Highest", "id": "1"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["issue.fields.status"] == ["Expected a status object with a name (or id)."]
    jira_ticket.refresh_from_db()
    assert (jira_ticket.status, jira_ticket.priority) == ("new", "P2")
    assert TicketEvent.objects.count() == events


def test_a_broken_status_map_is_400_naming_the_key_and_writes_nothing(api, tenant_a, jira_ticket):
    events = TicketEvent.objects.count()
    set_mapping(tenant_a, {"jira": {"status_map": {"Canceled": "aborted"}}})  # saved around validation
    response = api.post(JIRA, tenant_a, load("jira_issue_status_canceled.json"))
    assert response.status_code == 400
    [message] = response.json()["mapping"]
    assert message.startswith("jira.status_map['Canceled']: 'aborted' is not a ticket status (new, triaged")
    jira_ticket.refresh_from_db()
    assert jira_ticket.status == "new"
    assert TicketEvent.objects.count() == events


def test_it_checks_tenant(api, tenant_a, tenant_b, jira_ticket):
    """Another tenant's delivery for the same issue key never reaches this tenant's ticket, and its answer
    does not depend on whether that ticket exists (the key is looked up in the caller's tenant only)."""
    events = TicketEvent.objects.count()
    response = api.post(JIRA, tenant_b, load("jira_issue_status_canceled.json"))
    assert response.status_code == 400
    assert response.json()["fields.components"] == ["No site matches 'Chicago Loop Office'."]
    jira_ticket.refresh_from_db()
    assert jira_ticket.status == "new"
    assert TicketEvent.objects.count() == events
    assert not Ticket.objects.filter(organization=tenant_b.org).exists()


# --- Freshservice --------------------------------------------------------------------------------------------


def test_pending_puts_the_freshservice_ticket_on_hold(api, tenant_a, fresh_ticket):
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_api_pending.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "on_hold"
    event = fresh_ticket.events.get(kind=TicketEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.actor_client) == ("new", "on_hold", tenant_a.client_obj)
    assert event.message == "From freshservice: ticket.status '3'."


def test_a_ticket_resolved_before_dispatch_is_cancelled(api, tenant_a, fresh_ticket):
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_flat_resolved.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert fresh_ticket.events.get(kind=TicketEvent.Kind.STATUS).message == (
        "From freshservice: status 'Resolved' before dispatch.")


def test_resolved_then_closed_completes_and_closes_the_visit(api, tenant_a, fresh_ticket):
    advance(tenant_a, fresh_ticket, "en_route", "on_site")
    assert api.post(FRESH, tenant_a, load("freshservice_ticket_flat_resolved.json")).json()["status"] == "completed"
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_update_event.json"))  # changes: status 4 → 5
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert status_events(fresh_ticket)[-2:] == [("on_site", "completed"), ("completed", "closed")]


def test_open_is_not_mapped(api, tenant_a, fresh_ticket):
    api.post(FRESH, tenant_a, load("freshservice_ticket_api_pending.json"))
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_flat.json"))  # "status": "Open"
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "on_hold"  # the dispatcher releases a hold


def test_an_update_event_without_a_status_change_leaves_the_status(api, tenant_a, fresh_ticket):
    payload = load("freshservice_ticket_update_event.json")
    payload["ticket"]["priority"] = 4
    payload["changes"] = {"priority": [3, 4]}
    response = api.post(FRESH, tenant_a, payload)
    assert response.status_code == 200, response.json()
    fresh_ticket.refresh_from_db()
    assert (fresh_ticket.status, fresh_ticket.priority) == ("new", "P1")


def test_the_client_maps_a_custom_status(api, tenant_a, fresh_ticket):
    set_mapping(tenant_a, {"freshservice": {"status_map": {"Awaiting parts": "on_hold", "3": None}}})
    payload = load("freshservice_ticket_flat.json")
    payload["status"] = "Awaiting Parts"
    assert api.post(FRESH, tenant_a, payload).json()["status"] == "on_hold"
    ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=fresh_ticket, status="triaged")
    # The client switched Pending off: it no longer puts the ticket on hold.
    assert api.post(FRESH, tenant_a, load("freshservice_ticket_api_pending.json")).json()["status"] == "triaged"


def test_pending_on_a_completed_ticket_is_noted(api, tenant_a, fresh_ticket):
    advance(tenant_a, fresh_ticket, "en_route", "on_site", "completed")
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_api_pending.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert notes(fresh_ticket) == ["From freshservice: ticket.status '3' not applied: a ticket cannot go from "
                                   "completed to on_hold (allowed: closed, needs_revisit)."]


@pytest.mark.parametrize(("fixture", "where", "field", "value"), [
    ("freshservice_ticket_api_pending.json", "ticket", "ticket.status", {"id": 3, "name": "Pending"}),
    ("freshservice_ticket_flat_resolved.json", None, "status", True),
])
def test_a_status_that_is_no_status_is_400_naming_the_freshservice_field(api, tenant_a, fresh_ticket, fixture,
                                                                          where, field, value):
    events = TicketEvent.objects.count()
    payload = load(fixture)
    record = payload[where] if where else payload
    record["status"], record["priority"] = value, 4
    response = api.post(FRESH, tenant_a, payload)
    assert response.status_code == 400
    assert field in response.json()
    fresh_ticket.refresh_from_db()
    assert (fresh_ticket.status, fresh_ticket.priority) == ("new", "P2")
    assert TicketEvent.objects.count() == events


def test_a_broken_freshservice_status_map_is_400_and_writes_nothing(api, tenant_a, fresh_ticket):
    set_mapping(tenant_a, {"freshservice": {"status_map": {"3": "paused"}}})
    response = api.post(FRESH, tenant_a, load("freshservice_ticket_api_pending.json"))
    assert response.status_code == 400
    assert response.json()["mapping"][0].startswith("freshservice.status_map['3']: 'paused' is not a ticket status")
    fresh_ticket.refresh_from_db()
    assert fresh_ticket.status == "new"


def test_it_checks_tenant_for_freshservice(api, tenant_a, tenant_b, fresh_ticket):
    events = TicketEvent.objects.count()
    response = api.post(FRESH, tenant_b, load("freshservice_ticket_flat_resolved.json"))
    assert response.status_code == 400
    assert response.json()["department_name"] == ["No site matches 'Chicago Loop Office'."]
    fresh_ticket.refresh_from_db()
    assert fresh_ticket.status == "new"
    assert TicketEvent.objects.count() == events
