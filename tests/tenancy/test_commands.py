"""The admin commands of the README: create a tenant, give it an API client, use the printed token."""

import io

import pytest
from django.core.management import CommandError, call_command

from dispatch_platform.tenancy.models import ApiClient, Organization

pytestmark = pytest.mark.django_db


def test_a_new_tenant_and_client_token_reach_the_api(client):
    call_command("create_tenant", "acme", "--name", "Acme Field Services", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_api_client", "acme", "ServiceNow prod", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    stored = ApiClient.objects.get(name="ServiceNow prod")
    assert token not in (stored.token_hash, stored.token_prefix)  # only a hash is kept
    assert stored.organization == Organization.objects.get(slug="acme")
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_duplicate_tenant_is_refused(db):
    call_command("create_tenant", "acme", "--name", "Acme", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_tenant", "acme", "--name", "Acme again", stdout=io.StringIO())


def test_a_client_for_an_unknown_tenant_is_refused(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_client", "nope", "x", stdout=io.StringIO())
