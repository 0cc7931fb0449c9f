import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SNOW_LOCATION_SYS_ID = "25ab9c4d0a0a0bb300f7dabdc0ca7c1c"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def loop_site(tenant_a):
    """The site the vendor fixtures point at: by name "Chicago Loop Office", by ServiceNow sys_id."""
    from tests.factories import SiteFactory

    return SiteFactory(organization=tenant_a.org, customer=tenant_a.customer, name="Chicago Loop Office",
                       external_id=SNOW_LOCATION_SYS_ID)


def set_mapping(tenant, mapping: dict) -> None:
    tenant.client_obj.mapping = mapping
    tenant.client_obj.save(update_fields=["mapping"])
