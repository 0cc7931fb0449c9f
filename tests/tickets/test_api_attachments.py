import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart

from tests.factories import TicketFactory
from tickets.models import Attachment, TicketEvent

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ticket(tenant_a):
    return TicketFactory(organization=tenant_a.org, site=tenant_a.site, technician=tenant_a.technician,
                         status="dispatched")


def upload(client, tenant, ticket, name, content, content_type, **data):
    return client.post(f"/api/v1/tickets/{ticket.pk}/attachments/",
                       {"file": SimpleUploadedFile(name, content, content_type=content_type), **data},
                       HTTP_AUTHORIZATION=f"Bearer {tenant.token}")


def test_it_stores_a_photo_and_serves_it_back_to_the_tenant(client, tenant_a, ticket):
    response = upload(client, tenant_a, ticket, "rack.png", PNG, "image/png", kind="photo")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["filename"], body["content_type"], body["size"], body["kind"]) == ("rack.png", "image/png", len(PNG), "photo")
    download = client.get(body["url"], HTTP_AUTHORIZATION=f"Bearer {tenant_a.token}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert TicketEvent.objects.filter(ticket=ticket, message="Attached rack.png").exists()
    listed = client.get(f"/api/v1/tickets/{ticket.pk}/attachments/", HTTP_AUTHORIZATION=f"Bearer {tenant_a.token}")
    assert [a["id"] for a in listed.json()["results"]] == [body["id"]]


def test_an_oversized_file_is_400_and_nothing_is_stored(client, tenant_a, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 32
    response = upload(client, tenant_a, ticket, "big.pdf", PDF, "application/pdf")
    assert response.status_code == 400
    assert "limit" in response.json()["file"][0]
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize("name,content,content_type", [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 40, "application/x-msdownload"),
    ("fake.png", PDF, "image/png"),
    ("setup.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "text/plain"),  # binary, renamed
    ("nul.txt", b"log line\x00more", "text/plain"),
    ("latin1.txt", "Café fermé".encode("latin-1"), "text/plain"),
    ("sound.webp", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32, "image/webp"),  # a WAV is RIFF too
    ("clip.heic", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\x00" * 32, "image/heic"),  # an MP4
    ("zeros.heic", b"\x00" * 48, "image/heic"),
])
def test_a_wrong_type_is_400_naming_the_field(client, tenant_a, ticket, name, content, content_type):
    response = upload(client, tenant_a, ticket, name, content, content_type)
    assert response.status_code == 400
    assert "file" in response.json()
    assert Attachment.objects.count() == 0


def test_another_tenants_ticket_and_files_are_404(client, tenant_a, tenant_b, ticket):
    body = upload(client, tenant_a, ticket, "rack.png", PNG, "image/png").json()
    assert upload(client, tenant_b, ticket, "x.png", PNG, "image/png").status_code == 404
    assert client.get(body["url"], HTTP_AUTHORIZATION=f"Bearer {tenant_b.token}").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.pk}/attachments/",
                      HTTP_AUTHORIZATION=f"Bearer {tenant_b.token}").status_code == 404


def test_the_technician_adds_a_photo_from_the_phone(client, tenant_a, ticket):
    client.force_login(tenant_a.tech_user)
    response = client.post(f"/my/jobs/{ticket.pk}/photos/",
                           {"photo": SimpleUploadedFile("after.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.kind == "photo" and attachment.ticket == ticket
    page = client.get(f"/tickets/{ticket.pk}/attachments/{attachment.pk}/")
    assert page.status_code == 200


@pytest.mark.parametrize("name,content,content_type", [
    ("router.log", "Interface Gi0/1 down — câble débranché\n".encode() * 300, "text/plain"),
    ("after.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp"),
    ("after.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32, "image/heic"),
])
def test_real_text_and_webp_files_are_accepted(client, tenant_a, ticket, name, content, content_type):
    response = upload(client, tenant_a, ticket, name, content, content_type)
    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().content_type == content_type


def test_a_text_file_split_inside_a_character_across_chunks_is_still_text(client, tenant_a, ticket):
    text = ("x" + "é" * 40_000).encode()  # 80 kB: two 64 kB chunks, the boundary inside an "é"
    assert upload(client, tenant_a, ticket, "notes.txt", text, "text/plain").status_code == 201


KEY = {"HTTP_IDEMPOTENCY_KEY": "upload-7f3e2b1a"}


def upload_raw(client, tenant, ticket, name, content, content_type, boundary, **extra):
    """A multipart upload with a boundary of our choosing, as a retrying client sends (a new one each try)."""
    body = encode_multipart(boundary, {"file": SimpleUploadedFile(name, content, content_type=content_type),
                                       "kind": "photo"})
    return client.post(f"/api/v1/tickets/{ticket.pk}/attachments/", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", **tenant.auth(), **extra)


def test_a_retried_upload_with_the_same_key_stores_one_file_and_replays_the_answer(client, tenant_a, ticket):
    first = upload_raw(client, tenant_a, ticket, "rack.png", PNG, "image/png", "----retry1", **KEY)
    again = upload_raw(client, tenant_a, ticket, "rack.png", PNG, "image/png", "----retry2-other", **KEY)
    assert first.status_code == again.status_code == 201, again.json()
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Attachment.objects.count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, message="Attached rack.png").count() == 1


@pytest.mark.parametrize("name,content", [
    ("rack.png", PNG + b"\x01"),  # another photo, same name
    ("other.png", PNG),  # the same bytes under another name
])
def test_the_same_key_with_another_file_is_422(client, tenant_a, ticket, name, content):
    assert upload_raw(client, tenant_a, ticket, "rack.png", PNG, "image/png", "----a", **KEY).status_code == 201
    response = upload_raw(client, tenant_a, ticket, name, content, "image/png", "----b", **KEY)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()
    assert Attachment.objects.count() == 1


def test_uploads_without_a_key_are_each_stored(client, tenant_a, ticket):
    for boundary in ("----a", "----b"):
        assert upload_raw(client, tenant_a, ticket, "rack.png", PNG, "image/png", boundary).status_code == 201
    assert Attachment.objects.count() == 2


def test_too_large_form_fields_are_a_json_413_naming_the_limit(client, tenant_a, ticket, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    for extra in ({}, KEY):
        response = client.post(f"/api/v1/tickets/{ticket.pk}/attachments/",
                               {"file": SimpleUploadedFile("rack.png", PNG, content_type="image/png"),
                                "kind": "photo" * 500}, **tenant_a.auth(), **extra)
        assert response.status_code == 413
        assert response["Content-Type"] == "application/json"
        assert "1,000 bytes" in response.json()["detail"]
    assert Attachment.objects.count() == 0


def test_the_list_is_paginated_oldest_first(client, tenant_a, ticket):
    ids = [upload(client, tenant_a, ticket, f"p{i}.png", PNG, "image/png").json()["id"] for i in range(3)]
    url = f"/api/v1/tickets/{ticket.pk}/attachments/?page_size=2"
    first = client.get(url, **tenant_a.auth()).json()
    assert [a["id"] for a in first["results"]] == ids[:2]
    assert first["count"] == 3
    second = client.get(first["next"], **tenant_a.auth()).json()
    assert [a["id"] for a in second["results"]] == ids[2:] and second["next"] is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_keyed_uploads_at_once_store_one_file(tenant_a, ticket):
    """PostgreSQL: the second request's insert of the key waits for the first's commit, then replays it."""
    import threading

    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.fail("Needs PostgreSQL row locks (run through .ci/run)")
    barrier = threading.Barrier(2)
    answers = []

    def post(boundary):
        try:
            barrier.wait()
            response = upload_raw(Client(), tenant_a, ticket, "rack.png", PNG, "image/png", boundary, **KEY)
            answers.append((response.status_code, response.json()["id"], response.headers.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(b,)) for b in ("----one", "----two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert sorted(a[0] for a in answers) == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]
