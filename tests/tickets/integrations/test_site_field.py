"""`site_field`: which field of the vendor's body names the site (matched per `site_lookup`)."""

import pytest

from tickets.models import Ticket

from .conftest import load, set_mapping

JIRA = "/api/v1/integrations/jira/webhook/"
SNOW = "/api/v1/integrations/servicenow/incidents/"
FRESH = "/api/v1/integrations/freshservice/webhook/"


@pytest.fixture
def store_site(tenant_a, loop_site):
    """A store known by its postal code only (its name and external id are nothing the ITSM sends)."""
    from tests.factories import SiteFactory

    return SiteFactory(organization=tenant_a.org, customer=tenant_a.customer, name="Store 0418",
                       external_id="ST-0418", postal_code="60611")


def test_a_jira_custom_select_field_names_the_site_by_postal_code(api, tenant_a, store_site):
    set_mapping(tenant_a, {"jira": {"site_field": "fields.customfield_10050", "site_lookup": "postal_code"}})
    response = api.post(JIRA, tenant_a, load("jira_issue_created_store_fields.json"))
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == store_site.pk


@pytest.mark.parametrize("value", ["60611", {"value": "60611", "id": "10021"}, [{"value": "60611"}],
                                   ["00000", "60611"]])
def test_a_jira_custom_field_may_be_text_an_option_or_a_list(api, tenant_a, store_site, value):
    set_mapping(tenant_a, {"jira": {"site_field": "issue.fields.customfield_10050", "site_lookup": "postal_code"}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["customfield_10050"] = value
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == store_site.pk


def test_without_site_field_jira_keeps_reading_components(api, tenant_a, store_site, loop_site):
    set_mapping(tenant_a, {"jira": {"site_lookup": "postal_code"}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["components"] = [{"name": "60611"}]
    assert api.post(JIRA, tenant_a, payload).json()["site"] == store_site.pk


def test_an_unmatched_site_field_is_400_naming_the_configured_path(api, tenant_a, store_site):
    set_mapping(tenant_a, {"jira": {"site_field": "fields.customfield_10050", "site_lookup": "postal_code"}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["customfield_10050"] = {"value": "99999"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["fields.customfield_10050"] == ["No site matches '99999'."]
    payload["issue"]["fields"]["customfield_10050"] = None  # the field left empty: no site at all
    response = api.post(JIRA, tenant_a, payload)
    assert response.json()["fields.customfield_10050"] == ["A new ticket needs a site; none was sent."]
    assert Ticket.objects.count() == 0


def test_servicenow_reads_the_configured_field_and_its_display_value(api, tenant_a, store_site):
    set_mapping(tenant_a, {"servicenow": {"site_field": "u_store", "site_lookup": ["postal_code", "name"]}})
    payload = load("servicenow_incident_raw.json")
    payload["result"]["u_store"] = {"value": "0cc1b2f8db3a1010ab5e7c1d", "display_value": "Store 0418"}
    response = api.post(SNOW, tenant_a, payload)
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == store_site.pk


def test_servicenow_dotted_field_names_are_read_as_sent(api, tenant_a, store_site):
    set_mapping(tenant_a, {"servicenow": {"site_field": "location.zip", "site_lookup": "postal_code"}})
    payload = load("servicenow_incident_raw.json")
    payload["result"]["location.zip"] = "60611"  # a dot-walked field in an outbound REST message
    assert api.post(SNOW, tenant_a, payload).json()["site"] == store_site.pk


@pytest.mark.parametrize("path", ["ticket.custom_fields.store_zip", "custom_fields.store_zip"])
def test_freshservice_reads_a_custom_field(api, tenant_a, store_site, path):
    set_mapping(tenant_a, {"freshservice": {"site_field": path, "site_lookup": "postal_code"}})
    payload = load("freshservice_ticket_api.json")
    payload["ticket"]["custom_fields"]["store_zip"] = "60611"
    response = api.post(FRESH, tenant_a, payload)
    assert response.status_code == 201, response.json()
    assert response.json()["site"] == store_site.pk


def test_freshservice_flat_body_reads_a_placeholder_field(api, tenant_a, store_site):
    set_mapping(tenant_a, {"freshservice": {"site_field": "store_zip", "site_lookup": "postal_code"}})
    payload = load("freshservice_ticket_flat.json")
    payload["store_zip"] = "60611"
    assert api.post(FRESH, tenant_a, payload).json()["site"] == store_site.pk
