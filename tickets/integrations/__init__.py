"""ITSM adapters: each product's own JSON → the arguments of `tickets.services.ticket_upsert`.

`servicenow.py`, `jira.py` and `freshservice.py` are pure functions (payload, mapping) → `Intake`; they raise
`ApplicationError` naming the vendor's field. `services.itsm_intake` resolves the site, applies the intake
(same upsert, same idempotency, same 400s as `POST /api/v1/tickets/`), and `api.py` has one view per endpoint.
Jira has two: the bearer endpoint, and `jira/webhook/<ApiClient.public_id>/` for Jira admin webhooks (no
Authorization header possible), authenticated only by `X-Hub-Signature` with the client's `jira.secret`.

Per-client mapping
------------------
Each ApiClient has a `mapping` JSON object (edited in the admin). One key per source, every key optional;
what is not set keeps the defaults documented in each adapter module:

    {
      "servicenow": {
        "priority_map": {"1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4"},
        "site_lookup": ["external_id", "name"],      # or one of "external_id" | "name" | "postal_code"
        "site_field": "location",                     # the vendor field naming the site (default: below)
        "field_map": {"diagnostics": "u_diagnostics", "asset.make": "cmdb_ci.manufacturer"},
        "default_job_type": "break_fix",              # used when a ticket is created
        "default_skills": ["network"],                # used when a ticket is created
        "state_map": {"6": "completed", "7": "closed", "8": "cancelled"},
        "timezone": "UTC"                             # of opened_at values without an offset
      },
      "jira": {
        "secret": "…",                                # then X-Hub-Signature: sha256=<hex> is required;
                                                      # the per-client URL (webhook/<public id>/) needs it
        "priority_map": {"Highest": "P1", "High": "P2", "Medium": "P3", "Low": "P4", "Lowest": "P4"},
        "site_lookup": "postal_code",
        "site_field": "fields.customfield_10050",     # default: fields.components[].name
        "field_map": {"required_skills": "fields.customfield_10051", "asset.serial": "fields.customfield_10053"},
        "default_job_type": "break_fix", "default_skills": [],
        "status_map": {"Waiting for customer": "on_hold", "category:done": null}   # added to the defaults
      },
      "freshservice": {
        "priority_map": {"4": "P1", "urgent": "P1", "3": "P2", "high": "P2", "2": "P3", "medium": "P3",
                         "1": "P4", "low": "P4"},
        "site_lookup": ["external_id", "name"],
        "site_field": "custom_fields.store_zip",      # default: custom_fields.site_code, else department
        "default_job_type": "break_fix", "default_skills": [],
        "status_map": {"Awaiting parts": "on_hold", "3": null}                    # custom status; Pending off
      }
    }

Priority map keys match case-insensitively; values are P1..P4. A site reference is tried against each
`site_lookup` field in order (names case-insensitively).

`site_field` is a dotted path into the vendor's body: read from the record (ServiceNow's incident, Jira's
`issue`, Freshservice's `ticket`, or the flat body), else from the whole body, so `fields.customfield_10050`
and `issue.fields.customfield_10050` name the same field; a key holding dots ("location.zip", as a
ServiceNow outbound message sends dot-walked fields) is read as it is. Its value may be text or a number,
an option or reference object (`value`, `display_value` or `name`), or a list of those (the first that
matches a site wins). When set, it replaces the adapter's default site field.

`field_map` fills our ticket fields from the vendor's (custom) fields: `{our field: path}`, paths read as
`site_field`'s. Our fields: description, diagnostics, job_type, required_skills and required_certifications
(a list: every option of a multi-select field), asset.make / .model / .serial, contact.name / .phone /
.email. Values are validated as `POST /api/v1/tickets/` validates them (skills are slugs, job types our
codes, emails addresses): a bad value is a 400 naming the vendor path, nothing written. A mapped field
beats the adapter's own reading and the creation defaults; asset.* and contact.* are merged into what the
adapter read; a vendor field that is absent, null or empty leaves ours as it is. Status / state map values are our lifecycle
statuses (tickets.choices.TicketStatus), or null to ignore that ITSM status; how each adapter applies them is
in its module docstring.

The mapping is checked by `dispatch_platform.tenancy.models.mapping_errors` when it is saved (the field's
validator: admin form, `full_clean`) and again by `common.config` on each request for the section it reads:
unknown sources or keys, priorities outside P1..P4, statuses outside the lifecycle, unknown site lookups,
job types or time zones answer 400 `{"mapping": ["<source>.<key>: ..."]}` before anything is written.
"""
