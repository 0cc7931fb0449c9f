"""The ApiClient mapping is checked when saved (field validator: admin form, full_clean) and, by the same
function, when an ITSM request reads it; every message names its key."""

import pytest
from django.core.exceptions import ValidationError

from dispatch_platform.tenancy import models as tenancy
from dispatch_platform.tenancy.models import mapping_errors
from tickets.choices import JobType, Priority, TicketStatus
from tickets.integrations.common import field_map_fields
from tickets.models import Ticket
from tickets.selectors import SITE_LOOKUPS

from .conftest import load, set_mapping

# Every key the package docstring (tickets/integrations/__init__.py) documents.
FULL = {
    "servicenow": {"priority_map": {"1": "P1", "5": "P4"}, "site_lookup": ["external_id", "name"],
                   "default_job_type": "break_fix", "default_skills": ["network"],
                   "state_map": {"6": "completed", "3": "on_hold", "7": None}, "timezone": "America/Chicago"},
    "jira": {"secret": "s3cret", "priority_map": {"Blocker": "P1"}, "site_lookup": "postal_code",
             "site_field": "fields.customfield_10050",
             "field_map": {"required_skills": "fields.customfield_10051", "asset.serial": "fields.customfield_10053"},
             "default_job_type": "install", "default_skills": [],
             "status_map": {"Waiting for customer": "on_hold", "category:done": None, "Canceled": "cancelled"}},
    "freshservice": {"priority_map": {"urgent": "P1"}, "site_lookup": "name", "default_job_type": None,
                     "site_field": "ticket.custom_fields.store_zip",
                     "status_map": {"Awaiting parts": "on_hold", "3": None}},
}


def test_the_vocabulary_is_the_tickets_apps():
    # tenancy cannot import tickets (DESIGN §3), so it repeats these; this is what keeps them in step.
    assert set(tenancy.MAPPING_STATUSES) == set(TicketStatus.values)
    assert set(tenancy.MAPPING_PRIORITIES) == set(Priority.values)
    assert set(tenancy.MAPPING_JOB_TYPES) == set(JobType.values)
    assert tenancy.MAPPING_SITE_LOOKUPS == SITE_LOOKUPS
    assert set(tenancy.MAPPING_FIELD_MAP_TARGETS) == set(field_map_fields())


def test_a_complete_valid_mapping_passes():
    assert mapping_errors(FULL) == []
    assert mapping_errors({}) == [] and mapping_errors(None) == []


@pytest.mark.parametrize(("mapping", "message"), [
    (["jira"], "The mapping must be a JSON object with one key per ITSM source (servicenow, jira, freshservice)."),
    ({"zendesk": {}}, "zendesk: unknown ITSM source; use servicenow, jira, freshservice."),
    ({"jira": ["secret"]}, "jira: must be an object."),
    ({"jira": {"status_mapp": {}}}, "jira.status_mapp: unknown key; jira takes default_job_type, default_skills, "
                                    "field_map, priority_map, secret, site_field, site_lookup, status_map."),
    ({"freshservice": {"timezone": "UTC"}}, "freshservice.timezone: unknown key; freshservice takes "
                                            "default_job_type, default_skills, field_map, priority_map, site_field, site_lookup, "
                                            "status_map."),
    ({"jira": {"priority_map": {"Blocker": "P0"}}}, "jira.priority_map['Blocker']: 'P0' is not one of P1, P2, P3, P4."),
    ({"jira": {"priority_map": ["P1"]}}, "jira.priority_map: must be an object of ITSM priority → P1..P4."),
    ({"freshservice": {"status_map": {"Awaiting parts": "paused"}}},
     "freshservice.status_map['Awaiting parts']: 'paused' is not a ticket status (new, triaged, scheduled, "
     "dispatched, en_route, on_site, completed, closed, on_hold, needs_revisit, cancelled) or null."),
    ({"servicenow": {"state_map": {"6": "resolved"}}}, "servicenow.state_map['6']: 'resolved' is not a ticket status"),
    ({"jira": {"status_map": {"category:finished": "closed"}}},
     "jira.status_map['category:finished']: Jira status categories are new, indeterminate, done, undefined."),
    ({"servicenow": {"site_lookup": ["name", "zip"]}},
     "servicenow.site_lookup: 'zip' is not one of external_id, name, postal_code."),
    ({"servicenow": {"site_lookup": 3}}, "servicenow.site_lookup: must be one of external_id, name, postal_code"),
    ({"jira": {"site_field": "fields.customfield_10050 "}},
     "jira.site_field: 'fields.customfield_10050 ' is not a field path (names joined by dots"),
    ({"servicenow": {"site_field": "location..zip"}}, "servicenow.site_field: 'location..zip' is not a field path"),
    ({"freshservice": {"site_field": ["site_code"]}}, "freshservice.site_field: ['site_code'] is not a field path"),
    ({"jira": {"field_map": {"skills": "fields.customfield_10051"}}},
     "jira.field_map['skills']: not a ticket field it can fill; use description, diagnostics, job_type, "
     "required_skills, required_certifications, asset.make, asset.model, asset.serial, contact.name, "
     "contact.phone, contact.email."),
    ({"servicenow": {"field_map": {"diagnostics": "u diagnostics"}}},
     "servicenow.field_map['diagnostics']: 'u diagnostics' is not a field path"),
    ({"freshservice": {"field_map": ["diagnostics"]}},
     "freshservice.field_map: must be an object of our ticket field → the ITSM's field path."),
    ({"jira": {"default_job_type": "repair"}},
     "jira.default_job_type: 'repair' is not one of break_fix, install, move_add_change, maintenance."),
    ({"freshservice": {"default_skills": "network"}}, "freshservice.default_skills: must be a list of skill names."),
    ({"servicenow": {"timezone": "Mars/Olympus"}}, "servicenow.timezone: 'Mars/Olympus' is not an IANA time zone"),
    ({"jira": {"secret": 42}}, "jira.secret: must be a non-empty string."),
])
def test_each_error_names_its_key(mapping, message):
    errors = mapping_errors(mapping)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_every_error_is_reported_at_once():
    errors = mapping_errors({"jira": {"priority_map": {"A": "P9", "B": "P1"}, "site_lookup": "zip"},
                             "freshservice": {"status_map": {"5": "done"}}})
    assert [e.split(":")[0] for e in errors] == ["jira.priority_map['A']", "jira.site_lookup",
                                                 "freshservice.status_map['5']"]


def test_full_clean_refuses_a_bad_mapping_under_the_mapping_field(tenant_a):
    client = tenant_a.client_obj
    client.mapping = {"jira": {"status_map": {"Waiting for customer": "paused"}}}
    with pytest.raises(ValidationError) as caught:
        client.full_clean()
    assert list(caught.value.message_dict) == ["mapping"]
    assert caught.value.message_dict["mapping"][0].startswith("jira.status_map['Waiting for customer']: 'paused'")
    client.mapping = FULL
    client.full_clean()


def test_the_admin_form_refuses_a_bad_mapping_and_keeps_the_saved_one(client, tenant_a, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    api_client = tenant_a.client_obj
    url = f"/admin/tenancy/apiclient/{api_client.pk}/change/"
    form = {"organization": tenant_a.org.pk, "name": api_client.name, "active": "on", "rate_limit": "600/min"}

    response = client.post(url, {**form, "mapping": '{"jira": {"priority_map": {"Blocker": "P0"}}}'})
    assert response.status_code == 200  # the form again, with the error
    assert "jira.priority_map[&#x27;Blocker&#x27;]: &#x27;P0&#x27; is not one of P1, P2, P3, P4." in response.content.decode()
    api_client.refresh_from_db()
    assert api_client.mapping == {}

    response = client.post(url, {**form, "mapping": '{"jira": {"status_map": {"Waiting for customer": "on_hold"}}}'})
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert api_client.mapping == {"jira": {"status_map": {"Waiting for customer": "on_hold"}}}


def test_requests_answer_with_the_same_messages(api, tenant_a, loop_site):
    broken = {"servicenow": {"site_lookup": "zip", "state_map": {"8": "canceled"}}}
    set_mapping(tenant_a, broken)  # written around model validation (or before it existed)
    response = api.post("/api/v1/integrations/servicenow/incidents/", tenant_a, load("servicenow_incident_raw.json"))
    assert response.status_code == 400
    assert sorted(response.json()["mapping"]) == sorted(mapping_errors(broken))  # jsonb does not keep key order
    assert Ticket.objects.count() == 0


def test_a_request_reads_only_its_own_section(api, tenant_a, loop_site):
    set_mapping(tenant_a, {"servicenow": {"site_lookup": "zip"}})
    response = api.post("/api/v1/integrations/jira/webhook/", tenant_a, load("jira_issue_created.json"))
    assert response.status_code == 201, response.json()

