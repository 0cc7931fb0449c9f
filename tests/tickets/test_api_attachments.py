import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
    assert [a["id"] for a in listed.json()] == [body["id"]]


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
])
def test_real_text_and_webp_files_are_accepted(client, tenant_a, ticket, name, content, content_type):
    response = upload(client, tenant_a, ticket, name, content, content_type)
    assert response.status_code == 201, response.json()
    assert Attachment.objects.get().content_type == content_type


def test_a_text_file_split_inside_a_character_across_chunks_is_still_text(client, tenant_a, ticket):
    text = ("x" + "é" * 40_000).encode()  # 80 kB: two 64 kB chunks, the boundary inside an "é"
    assert upload(client, tenant_a, ticket, "notes.txt", text, "text/plain").status_code == 201
