import pytest

from dispatch_platform.tenancy.models import ApiClient


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_existing_client_its_own_public_id(tenant_a, tenant_b):
    from django.core.management import call_command

    from dispatch_platform.tenancy.services import api_client_create

    api_client_create(organization=tenant_a.org, name="Jira")
    try:
        call_command("migrate", "tenancy", "0007", verbosity=0)
    finally:
        call_command("migrate", verbosity=0)
    ids = list(ApiClient.objects.values_list("public_id", flat=True))
    assert len(ids) == 3 and all(ids) and len(set(ids)) == 3
