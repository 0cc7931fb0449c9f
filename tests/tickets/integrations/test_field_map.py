"""`field_map`: our ticket fields filled from the ITSM's own (custom) fields, validated as the tickets API does."""

from tickets.models import Ticket, TicketEvent

from .conftest import load, set_mapping

JIRA = "/api/v1/integrations/jira/webhook/"
SNOW = "/api/v1/integrations/servicenow/incidents/"
FRESH = "/api/v1/integrations/freshservice/webhook/"
JSM_FIELDS = {
    "required_skills": "fields.customfield_10051",
    "diagnostics": "fields.customfield_10052",
    "asset.serial": "fields.customfield_10053",
    "contact.phone": "fields.customfield_10054",
    "job_type": "fields.customfield_10055",
}


def test_jira_custom_fields_fill_our_fields(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"field_map": JSM_FIELDS}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["components"] = [{"name": "Chicago Loop Office"}]
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert ticket.required_skills == ["pos", "printers"]  # a multi-select field: every option
    assert ticket.diagnostics == "Error light blinks twice; paper sensor reads 0."
    assert ticket.asset == {"serial": "X5KE012345"}
    # Merged with the reporter the adapter reads by default.
    assert ticket.contact == {"name": "Mia Krystof", "email": "mia.krystof@example.com", "phone": "+1 312 555 0142"}
    assert ticket.job_type == "break_fix"


def test_a_mapped_field_beats_the_creation_default(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"field_map": {"required_skills": "fields.customfield_10051"},
                                    "default_skills": ["network"], "default_job_type": "install"}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["components"] = [{"name": "Chicago Loop Office"}]
    api.post(JIRA, tenant_a, payload)
    ticket = Ticket.objects.get()
    assert (ticket.required_skills, ticket.job_type) == (["pos", "printers"], "install")


def test_a_bad_value_is_400_naming_the_vendor_field_and_writes_nothing(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"field_map": JSM_FIELDS}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["components"] = [{"name": "Chicago Loop Office"}]
    payload["issue"]["fields"]["customfield_10051"] = [{"value": "pos"}, {"value": "Network cabling"}]
    payload["issue"]["fields"]["customfield_10055"] = {"value": "Repair"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["fields.customfield_10051"] == [
        'item 1: Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.']
    assert body["fields.customfield_10055"] == ['"Repair" is not a valid choice.']  # every bad one at once
    assert Ticket.objects.count() == 0 and TicketEvent.objects.count() == 0


def test_a_bad_job_type_names_its_field(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"field_map": {"job_type": "fields.customfield_10055"}}})
    payload = load("jira_issue_created.json")
    payload["issue"]["fields"]["customfield_10055"] = {"value": "Repair", "id": "10041"}
    response = api.post(JIRA, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["fields.customfield_10055"] == ['"Repair" is not a valid choice.']


def test_an_empty_custom_field_leaves_ours_alone(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"jira": {"field_map": JSM_FIELDS}})
    payload = load("jira_issue_created_store_fields.json")
    payload["issue"]["fields"]["components"] = [{"name": "Chicago Loop Office"}]
    api.post(JIRA, tenant_a, payload)
    payload["webhookEvent"] = "jira:issue_updated"
    payload["issue"]["fields"]["customfield_10052"] = None  # Jira sends unset custom fields as null
    payload["issue"]["fields"]["customfield_10051"] = []
    assert api.post(JIRA, tenant_a, payload).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.diagnostics.startswith("Error light")
    assert ticket.required_skills == ["pos", "printers"]


def test_servicenow_custom_fields_prefer_the_display_value(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"servicenow": {"field_map": {"asset.make": "u_manufacturer",
                                                        "diagnostics": "u_diagnostics",
                                                        "required_certifications": "u_certifications"}}})
    payload = load("servicenow_incident_display.json")
    payload["result"]["u_manufacturer"] = {"value": "b7e7d7d8c0a8016900a5d7f291acce5c", "display_value": "Cisco"}
    payload["result"]["u_diagnostics"] = "CRC errors on Gi1/0/12"
    payload["result"]["u_certifications"] = "ccna"
    response = api.post(SNOW, tenant_a, payload)
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert ticket.asset == {"model": "Cisco Catalyst C9300-48P core switch", "serial": "FOC2231X0AB", "make": "Cisco"}
    assert ticket.diagnostics == "CRC errors on Gi1/0/12"
    assert ticket.required_certifications == ["ccna"]


def test_freshservice_custom_fields_fill_our_fields(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"freshservice": {"field_map": {"asset.serial": "custom_fields.asset_tag",
                                                          "contact.email": "ticket.custom_fields.site_contact"}}})
    payload = load("freshservice_ticket_api.json")
    payload["ticket"]["custom_fields"].update(site_code="Chicago Loop Office", asset_tag="DSP-4B-01",
                                              site_contact="not an address")
    response = api.post(FRESH, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["ticket.custom_fields.site_contact"] == ["Enter a valid email address."]
    payload["ticket"]["custom_fields"]["site_contact"] = "facilities@example.com"
    response = api.post(FRESH, tenant_a, payload)
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get()
    assert (ticket.asset, ticket.contact) == ({"serial": "DSP-4B-01"}, {"email": "facilities@example.com"})
