"""An ITSM syncing by `updated_since` + `ordering=updated_at` sees every change, page after page."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from sla.services import sla_sweep

URL = "/api/v1/tickets/"
pytestmark = pytest.mark.django_db


def at(hour, minute=0):
    return time_machine.travel(dt.datetime(2026, 11, 23, hour, minute, tzinfo=dt.UTC), tick=False)


def create(api, tenant, external_id, **over):
    body = {"source": "script", "external_id": external_id, "title": "Printer offline", "priority": "P3",
            "site": tenant.site.pk, **over}
    response = api.post(URL, tenant, body)
    assert response.status_code == 201, response.json()
    return response.json()


def synced_ids(api, tenant, since, page_size=50):
    """Everything changed since `since`, following `next` links as a sync client does."""
    url = f"{URL}?updated_since={since}&ordering=updated_at&page_size={page_size}"
    ids = []
    while url:
        page = api.get(url, tenant).json()
        ids += [t["id"] for t in page["results"]]
        url = page["next"]
    return ids


def test_a_note_added_after_the_sync_point_is_in_the_next_sync(api, tenant_a):
    with at(9):
        ticket = create(api, tenant_a, "N-1")
    with at(10):
        response = api.post(f"{URL}{ticket['id']}/notes/", tenant_a, {"text": "Customer called: still down"})
        assert response.status_code == 201
    assert synced_ids(api, tenant_a, "2026-11-23T09:30:00Z") == [ticket["id"]]
    assert api.get(f"{URL}{ticket['id']}/", tenant_a).json()["updated_at"] == "2026-11-23T10:00:00Z"


def test_a_photo_uploaded_after_the_sync_point_is_in_the_next_sync(api, client, tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with at(9):
        ticket = create(api, tenant_a, "N-2")
    with at(10):
        photo = SimpleUploadedFile("rack.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
        response = client.post(f"{URL}{ticket['id']}/attachments/", {"file": photo}, **tenant_a.auth())
        assert response.status_code == 201, response.json()
    assert synced_ids(api, tenant_a, "2026-11-23T09:30:00Z") == [ticket["id"]]


def test_an_sla_breach_found_by_the_sweep_is_in_the_next_sync(api, tenant_a):
    with at(9):
        breached = create(api, tenant_a, "N-3", priority="P1")  # response due 13:00, resolution 17:00 (24x7)
        quiet = create(api, tenant_a, "N-4", priority="P4")
    with at(13, 30):
        assert sla_sweep()["breached"] == 1
    ticket = api.get(f"{URL}{breached['id']}/", tenant_a).json()
    assert ticket["sla"]["response"]["state"] == "breached"
    assert ticket["updated_at"] == "2026-11-23T13:30:00Z"
    assert synced_ids(api, tenant_a, "2026-11-23T09:30:00Z") == [breached["id"]]
    assert quiet["id"] not in synced_ids(api, tenant_a, "2026-11-23T09:30:00Z")


def test_a_bulk_import_sharing_one_moment_is_paged_without_gaps_or_repeats(api, tenant_a):
    with at(9):
        items = [{"source": "bulk", "external_id": f"B-{i}", "title": "Till offline", "priority": "P3",
                  "site": tenant_a.site.pk} for i in range(7)]
        results = api.post(f"{URL}bulk/", tenant_a, {"tickets": items}).json()
    ids = [r["id"] for r in results]
    assert synced_ids(api, tenant_a, "2026-11-23T08:00:00Z", page_size=2) == sorted(ids)


def test_a_ticket_changed_while_the_client_pages_skips_no_other(api, tenant_a):
    with at(9):
        tickets = [create(api, tenant_a, f"P-{i}")["id"] for i in range(6)]
    first = api.get(f"{URL}?updated_since=2026-11-23T08:00:00Z&ordering=updated_at&page_size=2", tenant_a).json()
    assert [t["id"] for t in first["results"]] == tickets[:2]
    with at(10):  # the first ticket changes between two page requests: it moves to the end
        assert api.patch(f"{URL}{tickets[0]}/", tenant_a, {"priority": "P2"}).status_code == 200
    seen = [t["id"] for t in first["results"]]
    url = first["next"]
    while url:
        page = api.get(url, tenant_a).json()
        seen += [t["id"] for t in page["results"]]
        url = page["next"]
    assert seen == tickets + [tickets[0]]  # nothing skipped; the changed one comes again, changed


def test_the_next_link_of_a_sync_carries_a_cursor_and_a_bad_cursor_is_400(api, tenant_a):
    with at(9):
        for i in range(3):
            create(api, tenant_a, f"C-{i}")
    page = api.get(f"{URL}?ordering=updated_at&page_size=2", tenant_a).json()
    assert page["count"] == 3 and page["previous"] is None
    assert "cursor" in parse_qs(urlsplit(page["next"]).query)
    response = api.get(f"{URL}?ordering=updated_at&cursor=not-a-cursor", tenant_a)
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_other_orderings_still_page_by_number(api, tenant_a):
    with at(9):
        ids = [create(api, tenant_a, f"O-{i}")["id"] for i in range(3)]
    page = api.get(f"{URL}?ordering=-updated_at&page_size=2", tenant_a).json()
    assert [t["id"] for t in page["results"]] == ids[::-1][:2]  # ties broken by id, in the same direction
    page = api.get(f"{URL}?ordering=opened_at&page_size=2", tenant_a).json()
    assert parse_qs(urlsplit(page["next"]).query)["page"] == ["2"]
