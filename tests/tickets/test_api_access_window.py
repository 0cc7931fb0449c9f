"""The intake's access window: when the site lets the technician in for this ticket."""

import pytest

from tickets.models import Ticket, TicketEvent

URL = "/api/v1/tickets/"
WINDOW = {"start": "2026-12-07T06:00:00-05:00", "end": "2026-12-07T09:00:00-05:00"}


def body(tenant, external_id="AW-1", **over):
    return {"source": "script", "external_id": external_id, "title": "POS terminal dead", "priority": "P3",
            "site": tenant.site.pk, **over}


def test_it_stores_the_window_and_answers_it_in_utc(api, tenant_a):
    response = api.post(URL, tenant_a, body(tenant_a, access_window=WINDOW))
    assert response.status_code == 201, response.json()
    assert response.json()["access_window"] == {"start": "2026-12-07T11:00:00Z", "end": "2026-12-07T14:00:00Z"}
    ticket = Ticket.objects.get()
    assert (ticket.access_start.isoformat(), ticket.access_end.isoformat()) == (
        "2026-12-07T11:00:00+00:00", "2026-12-07T14:00:00+00:00")
    assert api.get(f"{URL}{ticket.pk}/", tenant_a).json()["access_window"]["end"] == "2026-12-07T14:00:00Z"


def test_without_a_window_it_reads_null(api, tenant_a):
    assert api.post(URL, tenant_a, body(tenant_a)).json()["access_window"] is None


@pytest.mark.parametrize("window, says", [
    ({"start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T06:00:00-05:00"}, "after start"),
    ({"start": "2026-12-07T09:00:00-05:00", "end": "2026-12-07T09:00:00-05:00"}, "after start"),
    ({"start": "2026-12-07T06:00:00-05:00"}, "end is required"),
    ({"start": "tomorrow", "end": "2026-12-07T09:00:00-05:00"}, "not an ISO 8601"),
    ({"start": "2026-12-07T06:00:00", "end": "2026-12-07T09:00:00"}, "UTC offset"),
    ("06:00-09:00", "Expected"),
])
def test_a_bad_window_is_400_naming_access_window_and_writes_nothing(api, tenant_a, window, says):
    response = api.post(URL, tenant_a, body(tenant_a, access_window=window))
    assert response.status_code == 400
    assert says in " ".join(response.json()["access_window"])
    assert Ticket.objects.count() == 0


def test_patch_changes_and_clears_it_with_an_audit_event(api, tenant_a):
    ticket = api.post(URL, tenant_a, body(tenant_a, access_window=WINDOW)).json()
    later = {"start": "2026-12-08T06:00:00-05:00", "end": "2026-12-08T08:00:00-05:00"}
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"access_window": later})
    assert response.status_code == 200, response.json()
    assert response.json()["access_window"]["start"] == "2026-12-08T11:00:00Z"
    event = TicketEvent.objects.get(ticket_id=ticket["id"], kind=TicketEvent.Kind.UPDATED)
    assert event.data["changes"]["access_start"] == ["2026-12-07T11:00:00+00:00", "2026-12-08T11:00:00+00:00"]

    assert api.patch(f"{URL}{ticket['id']}/", tenant_a, {"title": "still dead"}).json()["access_window"] is not None
    cleared = api.patch(f"{URL}{ticket['id']}/", tenant_a, {"access_window": None})
    assert cleared.status_code == 200 and cleared.json()["access_window"] is None
    assert Ticket.objects.get().access_start is None


def test_a_bad_window_in_a_patch_changes_nothing(api, tenant_a):
    ticket = api.post(URL, tenant_a, body(tenant_a, access_window=WINDOW)).json()
    response = api.patch(f"{URL}{ticket['id']}/", tenant_a,
                         {"access_window": {"start": WINDOW["end"], "end": WINDOW["start"]}})
    assert response.status_code == 400 and "access_window" in response.json()
    assert Ticket.objects.get().access_end.isoformat() == "2026-12-07T14:00:00+00:00"


def test_the_upsert_updates_the_window(api, tenant_a):
    api.post(URL, tenant_a, body(tenant_a))
    again = api.post(URL, tenant_a, body(tenant_a, access_window=WINDOW))
    assert again.status_code == 200 and again.json()["access_window"]["start"] == "2026-12-07T11:00:00Z"
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.UPDATED).count() == 1


def test_the_database_refuses_a_half_window(tenant_a):
    from django.db import IntegrityError, transaction

    from tests.factories import TicketFactory

    ticket = TicketFactory(organization=tenant_a.org, site=tenant_a.site)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(access_start=ticket.opened_at)
