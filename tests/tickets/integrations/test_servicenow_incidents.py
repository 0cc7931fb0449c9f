import copy
import datetime as dt

from tickets.models import Ticket, TicketEvent
from tickets.services import SYSTEM, ticket_assign, ticket_transition

from .conftest import SNOW_LOCATION_SYS_ID, load, set_mapping

URL = "/api/v1/integrations/servicenow/incidents/"


def test_it_creates_a_ticket_from_a_raw_incident(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("servicenow_incident_raw.json"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "servicenow" and body["external_id"] == "INC0010023"
    assert body["title"] == "Core switch port 12 flapping"
    assert body["priority"] == "P2"
    assert body["site"] == loop_site.pk
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.opened_at == dt.datetime(2026, 11, 23, 14, 5, tzinfo=dt.UTC)
    assert ticket.description.startswith("Users on floor 3")
    assert ticket.contact == {}  # a bare sys_id is not a caller's name
    assert ticket.asset == {}  # nor is a configuration item's {"value": sys_id} its model


def test_a_bare_cmdb_ci_sys_id_is_not_stored_as_the_model(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("servicenow_incident_ci_sys_id.json"))
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().asset == {"serial": "FGL2147A0QZ"}  # the serial sent beside it is kept


def test_it_reads_display_values(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("servicenow_incident_display.json"))
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.priority == "P2"
    assert ticket.site == loop_site  # matched by the location's display value, the site's name
    assert ticket.contact == {"name": "Abel Tuter"}
    assert ticket.asset == {"model": "Cisco Catalyst C9300-48P core switch", "serial": "FOC2231X0AB"}
    notes = ticket.events.filter(kind=TicketEvent.Kind.NOTE)
    assert [n.message for n in notes] == [load("servicenow_incident_display.json")["result"]["work_notes"]]


def test_it_reads_display_value_all_pairs(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("servicenow_incident_display_all.json"))
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.external_id, ticket.priority, ticket.site) == ("INC0010024", "P4", loop_site)
    assert ticket.opened_at == dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)  # the raw value is UTC
    assert ticket.contact == {"name": "Beth Anglin"}


def test_a_repost_updates_instead_of_duplicating(api, tenant_a, loop_site):
    first = api.post(URL, tenant_a, load("servicenow_incident_raw.json")).json()
    payload = load("servicenow_incident_display.json")
    payload["result"]["priority"] = "1 - Critical"
    again = api.post(URL, tenant_a, payload)
    assert again.status_code == 200, again.json()
    assert again.json()["id"] == first["id"]
    assert Ticket.objects.filter(organization=tenant_a.org).count() == 1
    assert Ticket.objects.get().priority == "P1"


def test_the_same_work_note_twice_is_one_note(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("servicenow_incident_display.json"))
    api.post(URL, tenant_a, load("servicenow_incident_display.json"))
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).count() == 1


def test_an_update_of_a_known_incident_needs_no_site(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("servicenow_incident_raw.json"))
    response = api.post(URL, tenant_a, {"number": "INC0010023", "priority": "3"})
    assert response.status_code == 200, response.json()
    assert Ticket.objects.get().priority == "P3"
    assert Ticket.objects.get().site == loop_site


def test_an_unknown_location_is_400_naming_the_field_and_writes_nothing(api, tenant_a, loop_site):
    payload = load("servicenow_incident_display.json")
    payload["result"]["location"] = {"display_value": "Denver HQ", "link": "https://x/cmn_location/1"}
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["location"] == ["No site matches 'Denver HQ'."]
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_a_new_incident_without_location_is_400_naming_location(api, tenant_a, loop_site):
    payload = load("servicenow_incident_raw.json")
    del payload["result"]["location"]
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert "location" in response.json()
    assert Ticket.objects.count() == 0


def test_an_unmapped_priority_is_400_naming_priority(api, tenant_a, loop_site):
    payload = load("servicenow_incident_raw.json")
    payload["result"]["priority"] = "9"
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert "priority" in response.json()
    assert Ticket.objects.count() == 0


def test_without_priority_it_uses_impact_and_urgency(api, tenant_a, loop_site):
    payload = load("servicenow_incident_raw.json")
    del payload["result"]["priority"]
    payload["result"].update(impact="1", urgency="1")
    assert api.post(URL, tenant_a, payload).json()["priority"] == "P1"
    payload["result"].update(impact="3 - Low", urgency="3 - Low")  # → ServiceNow 5 → P4
    assert api.post(URL, tenant_a, payload).json()["priority"] == "P4"


def test_the_client_mapping_overrides_defaults(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"servicenow": {"priority_map": {"2": "P1"}, "site_lookup": "name",
                                          "default_job_type": "install", "default_skills": ["network"]}})
    payload = load("servicenow_incident_display.json")
    body = api.post(URL, tenant_a, payload).json()
    assert body["priority"] == "P1" and body["job_type"] == "install"
    assert body["required_skills"] == ["network"]
    raw = load("servicenow_incident_raw.json")  # a sys_id does not match by name only
    raw["result"]["number"] = "INC0010099"
    response = api.post(URL, tenant_a, raw)
    assert response.status_code == 400
    assert response.json()["location"] == [f"No site matches '{SNOW_LOCATION_SYS_ID}'."]


def test_a_canceled_incident_cancels_the_ticket(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("servicenow_incident_raw.json"))
    response = api.post(URL, tenant_a, {"number": "INC0010023", "state": "8"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"


def test_an_incident_resolved_before_dispatch_cancels_the_visit(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("servicenow_incident_raw.json"))
    payload = copy.deepcopy(load("servicenow_incident_display.json"))
    payload["result"]["state"] = "Resolved"  # nobody is on the way: the customer no longer needs the visit
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 200, response.json()
    ticket = Ticket.objects.get()
    assert ticket.status == "cancelled"
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE).count() == 1  # the rest of the update applied
    assert "before dispatch" in ticket.events.get(kind=TicketEvent.Kind.STATUS).message


def test_a_state_our_lifecycle_cannot_take_is_noted_not_409(api, tenant_a, loop_site):
    api.post(URL, tenant_a, load("servicenow_incident_raw.json"))
    ticket = Ticket.objects.get()
    ticket_assign(organization=tenant_a.org, actor=SYSTEM, ticket=ticket, technician=tenant_a.technician)
    ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=ticket, status="en_route")
    payload = copy.deepcopy(load("servicenow_incident_display.json"))
    payload["result"]["state"] = "Resolved"  # the technician is on the way: en_route cannot become completed
    for _ in range(2):
        response = api.post(URL, tenant_a, payload)
        assert response.status_code == 200, response.json()
    ticket.refresh_from_db()
    assert ticket.status == "en_route"
    notes = list(ticket.events.filter(kind=TicketEvent.Kind.NOTE).values_list("message", flat=True))
    refused = [n for n in notes if n.startswith("From servicenow: state 'Resolved' not applied")]
    assert len(refused) == 1, notes  # the dispatcher sees it once, however often the ITSM repeats it


def test_another_tenants_site_is_not_found(api, tenant_a, tenant_b, loop_site):
    response = api.post(URL, tenant_b, load("servicenow_incident_display.json"))
    assert response.status_code == 400
    assert "location" in response.json()
    assert Ticket.objects.count() == 0


def test_it_requires_a_token(client, tenant_a, loop_site):
    response = client.post(URL, data=load("servicenow_incident_raw.json"), content_type="application/json")
    assert response.status_code in (401, 403)
    assert Ticket.objects.count() == 0
