from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import ApiClient, Membership, Organization

# The shape is documented in tickets/integrations/__init__.py (tenancy cannot import tickets).
MAPPING_HELP = (
    'ITSM mapping overrides, one object per source ("servicenow", "jira", "freshservice"), every key optional: '
    '{"servicenow": {"priority_map": {"1": "P1", "2": "P2", "3": "P3", "4": "P4", "5": "P4"}, '
    '"site_lookup": ["external_id", "name"] (or "external_id" | "name" | "postal_code"), '
    '"site_field": "location" (dotted path of the ITSM field naming the site, e.g. "fields.customfield_10050"), '
    '"field_map": {"diagnostics": "u_diagnostics", "asset.serial": "fields.customfield_10053"} (our field: '
    "description, diagnostics, job_type, required_skills, required_certifications, asset.make|model|serial, "
    'contact.name|phone|email → the ITSM field path), '
    '"default_job_type": "break_fix", "default_skills": ["network"], '
    '"state_map": {"6": "completed", "7": "closed", "8": "cancelled"}, "timezone": "UTC"}, '
    '"jira": {"secret": "webhook secret: X-Hub-Signature then required; needed by the Jira webhook URL below", '
    '"priority_map": {"Highest": "P1", "High": "P2", "Medium": "P3", "Low": "P4", "Lowest": "P4"}, '
    '"status_map": {"Waiting for customer": "on_hold", "category:done": null}}, '
    '"freshservice": {"priority_map": {"4": "P1", "urgent": "P1", "3": "P2", "2": "P3", "1": "P4"}, '
    '"status_map": {"Awaiting parts": "on_hold", "3": null}}}. '
    "Priority values are P1..P4; priority and status keys match case-insensitively. Status and state values are "
    "ticket statuses (new, triaged, scheduled, dispatched, en_route, on_site, completed, closed, on_hold, "
    "needs_revisit, cancelled), or null to ignore that ITSM status. Checked on save: each error names its key."
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "default_timezone", "created_at")
    search_fields = ("slug", "name")
    readonly_fields = ("ticket_sequence",)  # the database's to change (Organization.DATABASE_OWNED)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("organization", "role")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "token_prefix", "active", "rate_limit", "last_used_at")
    list_filter = ("organization", "active")
    readonly_fields = ("token_prefix", "token_hash", "last_used_at", "jira_webhook_url")

    def get_readonly_fields(self, request, obj=None):
        # A client being added has no id yet: its URL shows once saved.
        fields = super().get_readonly_fields(request, obj)
        return fields if obj is not None else tuple(f for f in fields if f != "jira_webhook_url")

    @admin.display(description="Jira webhook URL")
    def jira_webhook_url(self, obj: ApiClient) -> str:
        path = reverse("integration-jira-client", kwargs={"public_id": obj.public_id})
        secret = isinstance(obj.mapping, dict) and isinstance(obj.mapping.get("jira"), dict) \
            and obj.mapping["jira"].get("secret")
        state = ("signed with the mapping's jira.secret" if secret
                 else "needs a secret: set jira.secret in the mapping and the same secret on the Jira webhook")
        return format_html("<code>{}</code> on this server's address<br>For Jira admin webhooks (they cannot "
                           "send a token): requests are authenticated by their X-Hub-Signature alone; {}.",
                           path, state)
