"""The per-client Jira URL (/api/v1/integrations/jira/webhook/<public id>/): for Jira admin webhooks, which
cannot send an Authorization header; authenticated only by X-Hub-Signature with the client's jira.secret."""

import hashlib
import hmac
import json

import pytest
from django.core.cache import cache

from tickets.models import Ticket, TicketEvent

from .conftest import load, set_mapping


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # rate-limit counters
    yield
    cache.clear()


def url(tenant) -> str:
    return f"/api/v1/integrations/jira/webhook/{tenant.client_obj.public_id}/"


def signed(body: bytes, secret: str = "s3cret") -> dict:
    return {"HTTP_X_HUB_SIGNATURE": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def post(client, tenant, payload: dict, **headers):
    body = json.dumps(payload).encode()
    return client.post(url(tenant), data=body, content_type="application/json", **signed(body), **headers)


def test_a_signed_body_creates_the_ticket_as_the_client(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    response = post(client, tenant_a, load("jira_issue_created.json"))
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert (ticket.organization, ticket.source, ticket.external_id) == (tenant_a.org, "jira", "ITSM-42")
    assert TicketEvent.objects.get(kind=TicketEvent.Kind.CREATED).actor_client == tenant_a.client_obj
    tenant_a.client_obj.refresh_from_db()
    assert tenant_a.client_obj.last_used_at is not None


def test_everything_else_is_as_the_bearer_endpoint(client, tenant_a, loop_site):
    # The mapping applies, comments become notes, re-deliveries are recognised.
    set_mapping(tenant_a, {"jira": {"secret": "s3cret", "priority_map": {"High": "P1"}}})
    assert post(client, tenant_a, load("jira_issue_created.json")).json()["priority"] == "P1"
    headers = {"HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER": "c-1"}
    assert post(client, tenant_a, load("jira_comment_created.json"), **headers).status_code == 200
    assert post(client, tenant_a, load("jira_comment_created.json"), **headers).status_code == 200
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).count() == 1
    ignored = {**load("jira_comment_created.json"), "webhookEvent": "comment_deleted"}
    assert post(client, tenant_a, ignored).json() == {"ignored": "comment_deleted"}


def test_without_a_secret_the_url_answers_401_saying_one_is_needed(client, tenant_a, loop_site):
    response = post(client, tenant_a, load("jira_issue_created.json"))
    assert response.status_code == 401
    assert "needs a webhook secret: set jira.secret" in response.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_missing_or_wrong_signature_is_401_and_writes_nothing(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    body = json.dumps(load("jira_issue_created.json")).encode()
    unsigned = client.post(url(tenant_a), data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert unsigned.json() == {"detail": "Missing or invalid X-Hub-Signature."}
    wrong = client.post(url(tenant_a), data=body, content_type="application/json", **signed(body, "guess"))
    assert wrong.status_code == 401
    assert Ticket.objects.count() == 0


def test_the_bearer_token_does_not_authenticate_this_url(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    response = client.post(url(tenant_a), data=load("jira_issue_created.json"), content_type="application/json",
                           **tenant_a.auth())
    assert response.status_code == 401
    assert Ticket.objects.count() == 0


def test_an_unknown_public_id_is_404(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    body = json.dumps(load("jira_issue_created.json")).encode()
    response = client.post("/api/v1/integrations/jira/webhook/0123456789abcdef01234567/", data=body,
                           content_type="application/json", **signed(body))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_disabled_client_is_refused(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    tenant_a.client_obj.active = False
    tenant_a.client_obj.save(update_fields=["active"])
    assert post(client, tenant_a, load("jira_issue_created.json")).status_code == 401
    assert Ticket.objects.count() == 0


def test_the_url_works_in_its_clients_tenant_only(client, tenant_a, tenant_b, loop_site):
    set_mapping(tenant_b, {"jira": {"secret": "s3cret"}})
    response = post(client, tenant_b, load("jira_issue_created.json"))
    assert response.status_code == 400  # tenant A's site is not tenant B's
    assert response.json()["fields.components"] == ["No site matches 'Printers', 'Chicago Loop Office'."]
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    assert post(client, tenant_a, load("jira_issue_created.json")).status_code == 201
    assert post(client, tenant_b, load("jira_comment_created.json")).status_code == 404  # not B's ticket


def test_the_clients_rate_limit_applies(client, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    tenant_a.client_obj.rate_limit = "2/min"
    tenant_a.client_obj.save(update_fields=["rate_limit"])
    statuses = [post(client, tenant_a, load("jira_issue_created.json")).status_code for _ in range(3)]
    assert statuses == [201, 200, 429]


def test_each_client_has_its_own_public_id():
    from dispatch_platform.tenancy.models import new_public_id

    assert len({new_public_id() for _ in range(100)}) == 100


def test_the_admin_shows_the_url(client, tenant_a, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    page = client.get(f"/admin/tenancy/apiclient/{tenant_a.client_obj.pk}/change/").content.decode()
    assert url(tenant_a) in page
    assert "needs a secret" in page
    set_mapping(tenant_a, {"jira": {"secret": "s3cret"}})
    page = client.get(f"/admin/tenancy/apiclient/{tenant_a.client_obj.pk}/change/").content.decode()
    assert "signed with the mapping" in page
    assert client.get("/admin/tenancy/apiclient/add/").status_code == 200
