import datetime as dt

from tests.factories import SiteFactory
from tickets.models import Ticket

from .conftest import load, set_mapping

URL = "/api/v1/integrations/freshservice/webhook/"


def test_it_creates_a_ticket_from_the_api_shape(api, tenant_a, loop_site):
    site = SiteFactory(organization=tenant_a.org, customer=tenant_a.customer, external_id="CHI-LOOP", name="Loop 2")
    response = api.post(URL, tenant_a, load("freshservice_ticket_api.json"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["source"], body["external_id"], body["priority"]) == ("freshservice", "1234", "P2")
    assert body["title"] == "Conference room display shows no signal"
    assert body["site"] == site.pk  # custom_fields.site_code, by external id
    ticket = Ticket.objects.get()
    assert ticket.description == "The display in room 4B shows no signal from the HDMI wall plate."
    assert ticket.opened_at == dt.datetime(2026, 11, 23, 14, 5, tzinfo=dt.UTC)


def test_a_flat_body_updates_the_same_ticket(api, tenant_a, loop_site):
    SiteFactory(organization=tenant_a.org, customer=tenant_a.customer, external_id="CHI-LOOP", name="Loop 2")
    first = api.post(URL, tenant_a, load("freshservice_ticket_api.json")).json()
    response = api.post(URL, tenant_a, load("freshservice_ticket_flat.json"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == first["id"]  # "#INC-1234" is ticket 1234
    assert body["priority"] == "P1"  # "Urgent"
    assert body["site"] == loop_site.pk  # department_name, by site name
    assert body["contact"] == {"name": "Ana Ruiz", "email": "ana.ruiz@example.com"}
    assert Ticket.objects.count() == 1


def test_a_flat_body_creates_a_ticket(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("freshservice_ticket_flat.json"))
    assert response.status_code == 201, response.json()
    assert response.json()["external_id"] == "1234"


def test_priority_numbers_and_names(api, tenant_a, loop_site):
    payload = load("freshservice_ticket_flat.json")
    for value, expected in ((4, "P1"), ("3", "P2"), ("Medium", "P3"), (1, "P4"), ("low", "P4")):
        payload["priority"] = value
        assert api.post(URL, tenant_a, payload).json()["priority"] == expected


def test_an_unknown_site_code_is_400_naming_the_field(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("freshservice_ticket_api.json"))  # no site CHI-LOOP here
    assert response.status_code == 400
    assert response.json()["ticket.custom_fields.site_code"] == ["No site matches 'CHI-LOOP'."]
    assert Ticket.objects.count() == 0


def test_an_unknown_department_is_400_naming_the_field(api, tenant_a, loop_site):
    payload = load("freshservice_ticket_flat.json")
    payload["department_name"] = "Denver HQ"
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert response.json() == {"detail": "No site matches 'Denver HQ'.",
                               "department_name": ["No site matches 'Denver HQ'."]}
    assert Ticket.objects.count() == 0


def test_site_lookup_by_postal_code(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"freshservice": {"site_lookup": "postal_code"}})
    payload = load("freshservice_ticket_flat.json")
    payload["department_name"] = loop_site.postal_code
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 201, response.json()


def test_a_missing_id_is_400(api, tenant_a, loop_site):
    payload = load("freshservice_ticket_flat.json")
    del payload["ticket_id"]
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert "ticket_id" in response.json()
