import datetime as dt

import time_machine

from tests.factories import SiteFactory
from tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets/"


def create(api, tenant, external_id="P-1", **over):
    body = {"source": "script", "external_id": external_id, "title": "Printer offline", "priority": "P3",
            "site": tenant.site.pk, **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_it_updates_intake_fields_and_records_the_change(api, tenant_a):
    ticket = create(api, tenant_a)
    other = SiteFactory(organization=tenant_a.org)
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"priority": "P1", "site_external_id": other.external_id})
    assert response.status_code == 200, response.json()
    assert (response.json()["priority"], response.json()["site"]) == ("P1", other.pk)
    row = Ticket.objects.get()
    assert row.title == "Printer offline"  # untouched
    event = row.events.get(kind=TicketEvent.Kind.UPDATED)
    assert event.data["changes"]["priority"] == ["P3", "P1"]


def test_it_rejects_bad_values_naming_the_field(api, tenant_a):
    ticket = create(api, tenant_a)
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"priority": "P9"})
    assert response.status_code == 400 and "priority" in response.json()
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"external_id": "other"})
    assert response.status_code == 400 and "external_id" in response.json()
    assert Ticket.objects.get().priority == "P3"


def test_it_checks_tenant(api, tenant_a, tenant_b):
    ticket = create(api, tenant_a)
    assert api.patch(f"{URL}{ticket['id']}/", tenant_b, {"priority": "P1"}).status_code == 404
    assert Ticket.objects.get().priority == "P3"


def test_put_is_not_offered(api, tenant_a):
    ticket = create(api, tenant_a)
    assert api.put(f"{URL}{ticket['id']}/", tenant_a, {"title": "x"}).status_code == 405


def test_incremental_sync_with_updated_since_and_ordering(api, tenant_a):
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        a = create(api, tenant_a, "S-1")
        b = create(api, tenant_a, "S-2")
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC), tick=False):
        api.patch(f"{URL}{b['id']}/", tenant_a, {"priority": "P2"})
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC), tick=False):
        api.patch(f"{URL}{a['id']}/", tenant_a, {"priority": "P1"})
    with time_machine.travel(dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.UTC), tick=False):
        c = create(api, tenant_a, "S-3")
    page = api.get(f"{URL}?updated_since=2026-11-23T09:30:00Z&ordering=updated_at", tenant_a).json()
    assert [t["id"] for t in page["results"]] == [b["id"], a["id"], c["id"]]
    # The next sync starts from the last change it saw (inclusive) and finds only what came after.
    later = api.get(f"{URL}?updated_since=2026-11-23T11:00:01Z&ordering=updated_at", tenant_a).json()
    assert [t["id"] for t in later["results"]] == [c["id"]]
