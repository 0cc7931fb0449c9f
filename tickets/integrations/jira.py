"""Jira (Service Management) webhooks: `jira:issue_created` and `jira:issue_updated` bodies, and comments.

Defaults (overridable in the ApiClient mapping under "jira", see the package docstring):
- external_id = `issue.key`, title = `fields.summary`;
- description = `fields.description`, a string or Atlassian Document Format (stored as its text);
- priority by `fields.priority.name`: Highest→P1, High→P2, Medium→P3, Low and Lowest→P4;
- site = the first `fields.components[].name` that matches a site (external_id, then name); `site_field`
  names another field instead, e.g. a custom field `fields.customfield_10050` (text, select option
  `{"value": ...}` or a list of them), matched per `site_lookup`;
- opened_at = `fields.created`; contact = `fields.reporter` (displayName, emailAddress).
Comments (`comment`: id, body as a string or Atlassian Document Format, author, updateAuthor)
- `comment_created` adds a note "Jira comment by <author>: <text>" to the issue's ticket; the ticket must
  exist (404 naming `issue.key` otherwise: the issue's own event creates it). Nothing else is read from a
  comment event: its `issue` is abbreviated.
- `comment_updated` adds a new note "Jira comment by <editor>, edited: <text>": the dispatcher may have
  acted on the first wording, so it is kept rather than rewritten.
- The `comment` of a `jira:issue_updated` (issue_commented / issue_comment_edited) is noted the same way,
  beside the update; issue_comment_deleted is not noted. A comment is one note per id and text, so one
  that arrives by both events is noted once; a comment with no text (an attachment only) is not noted.
- Every other event type (comment_deleted, jira:issue_deleted, worklogs, sprints...) answers 200
  `{"ignored": "<event>"}`: a 4xx would fill the webhook's failure log for a choice of events. A body with
  no `webhookEvent` is a 400.
A secret in `mapping["jira"]["secret"]` makes `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`
mandatory. Re-deliveries (same `X-Atlassian-Webhook-Identifier`) are recognised by the intake service.

Status (`fields.status`: name, id, statusCategory.key)
- Read when it changed: on `jira:issue_created`, and on `jira:issue_updated` whose `changelog.items` has a
  "status" item. Every update carries the issue's current status, so re-applying it on a comment or a
  priority change would undo what the dispatcher did since (e.g. release a ticket from hold). A body with
  no `changelog` at all (hand-built) is taken at its word, unless it carries a `comment`.
- Mapped by `status_map` (keys: status name or id, or "category:<new|indeterminate|done|undefined>";
  values: our statuses, or null to ignore that status), then by these defaults: Pending → on_hold; Resolved and
  Completed → completed; Done and Closed → closed; Canceled, Cancelled and Declined → cancelled; any other
  status of the "done" category → closed. Names and ids beat categories; the client's map beats defaults.
- Applied where our lifecycle allows it (see `services._apply_status_report`): resolved / done / closed
  before a technician is dispatched cancels the ticket; a status that cannot apply (cancelled while the
  technician is on site) changes no status and leaves a note on the ticket for the dispatcher.
- Unmapped statuses ("In Progress", "Waiting for support", custom ones) are ignored, not refused: workflows
  are full of statuses with no field-service meaning, and a 4xx would drop the update that came with them
  and fill the webhook's failure log for normal work. A 400 naming `issue.fields.status` is kept for a
  status that is not a Jira status object (or name) at all.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from . import common

SOURCE = "jira"
EVENTS = ("jira:issue_created", "jira:issue_updated")
COMMENT_EVENTS = ("comment_created", "comment_updated")
# jira:issue_updated's issue_event_type_name when the update is a comment (its `comment` is in the body).
COMMENT_EDITED, COMMENT_DELETED = "issue_comment_edited", "issue_comment_deleted"
PRIORITY_MAP = {"Highest": "P1", "High": "P2", "Medium": "P3", "Low": "P4", "Lowest": "P4"}
# Jira Service Management's stock status names; "Waiting for customer" is left to each client (on hold or not
# depends on whether the field visit waits for that customer).
STATUS_MAP = {"Pending": "on_hold", "Resolved": "completed", "Completed": "completed", "Done": "closed",
              "Closed": "closed", "Canceled": "cancelled", "Cancelled": "cancelled", "Declined": "cancelled",
              "category:done": "closed"}
STATUS_FIELD = "issue.fields.status"


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """`header` is "sha256=<hex>" of HMAC-SHA256(secret, raw body); compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


adf_text = common.adf_text  # kept here too: it is Jira's format


def status_changed(payload: dict) -> bool:
    if payload.get("webhookEvent") == "jira:issue_created":
        return True
    changelog = payload.get("changelog")
    if not isinstance(changelog, dict):
        # A comment's jira:issue_updated carries no changelog, and its status is not news.
        return "comment" not in payload
    return any(isinstance(item, dict) and (item.get("fieldId") or item.get("field")) == "status"
               for item in changelog.get("items") or [])


def status_report(payload: dict, fields: dict, section: dict) -> common.StatusReport | None:
    status = fields.get("status")
    if status is None or status == "":
        return None
    if isinstance(status, str):
        name, status_id, category = status.strip(), "", ""
    elif isinstance(status, dict) and (common.text(status.get("name")) or common.text(status.get("id"))):
        name, status_id = common.text(status.get("name")), common.text(status.get("id"))
        cat = status.get("statusCategory")
        category = common.text(cat.get("key")) if isinstance(cat, dict) else ""
    else:
        raise common.error(STATUS_FIELD, "Expected a status object with a name (or id).")
    if not status_changed(payload):
        return None
    target = common.status_target(section, [[name, status_id], [f"category:{category}" if category else ""]],
                                  STATUS_MAP)
    if target is None:
        return None
    return common.StatusReport(target=target, vendor_field=STATUS_FIELD, vendor_value=name or status_id)


def comment_note(comment: Any, *, edited: bool) -> tuple[str, str]:
    """(note text, note key) of a Jira comment {id, body (string or ADF), author, updateAuthor}: the
    text says who wrote it; the key (its id) makes the same comment one note, whichever event brought it."""
    if not isinstance(comment, dict):
        raise common.error("comment", "Expected a comment object (id, body, author).")
    body = comment.get("body")
    text = adf_text(body) if isinstance(body, dict | list) else common.text(body)
    if not text:
        return "", ""  # an image or attachment only: nothing to read on the ticket
    who = comment.get("updateAuthor") if edited else comment.get("author")
    name = common.text(who.get("displayName")) if isinstance(who, dict) else ""
    by = f" by {name}" if name else ""
    label = f"Jira comment{by}, edited" if edited else f"Jira comment{by}"
    comment_id = common.text(comment.get("id"))
    return f"{label}: {text}", f"jira:comment:{comment_id}" if comment_id else ""


def parse(payload: dict, mapping: dict | None = None) -> common.Intake | common.Ignored:
    event = payload.get("webhookEvent")
    if not isinstance(event, str) or not event.strip():
        raise common.error("webhookEvent", "This field is required (e.g. jira:issue_created).")
    if event not in EVENTS + COMMENT_EVENTS:
        return common.Ignored(event)  # a 4xx would fill the webhook's failure log for a choice of events
    issue = payload.get("issue")
    if not isinstance(issue, dict):
        raise common.error("issue", "This field is required.")
    fields = issue.get("fields") or {}
    section = common.config(mapping, SOURCE)

    key = common.text(issue.get("key"))
    if not key:
        raise common.error("issue.key", "This field is required.")
    if event in COMMENT_EVENTS:
        # The issue in a comment event is abbreviated: only the comment is read, for a ticket we know.
        note, note_key = comment_note(payload.get("comment"), edited=event == "comment_updated")
        return common.Intake(source=SOURCE, external_id=key, data={}, note=note, note_key=note_key,
                             note_only=True, field_names={"external_id": "issue.key"})
    data: dict[str, Any] = {}
    if summary := common.text(fields.get("summary")):
        data["title"] = summary[:300]
    if "description" in fields:
        description = fields.get("description")
        data["description"] = adf_text(description) if isinstance(description, dict | list) else common.text(description)
    prio = fields.get("priority")
    name = prio.get("name") if isinstance(prio, dict) else prio
    if common.text(name):
        data["priority"] = common.priority(name, section, PRIORITY_MAP, "fields.priority")
    if opened := common.parse_datetime(fields.get("created"), "fields.created"):
        data["opened_at"] = opened
    reporter = fields.get("reporter")
    if isinstance(reporter, dict) and reporter.get("displayName"):
        contact = {"name": common.text(reporter["displayName"])[:200]}
        if email := common.text(reporter.get("emailAddress")):
            contact["email"] = email
        data["contact"] = contact

    components = [common.text(c.get("name")) for c in fields.get("components") or [] if isinstance(c, dict)]
    site_refs, site_field = (common.site_source(section, issue, payload)
                             or ([c for c in components if c], "fields.components"))
    field_names = {"title": "fields.summary", "priority": "fields.priority", "site": site_field,
                   "opened_at": "fields.created", "description": "fields.description",
                   "contact": "fields.reporter"}
    common.apply_field_map(data, field_names, section, issue, payload)
    note, note_key = "", ""
    if payload.get("comment") is not None and payload.get("issue_event_type_name") != COMMENT_DELETED:
        note, note_key = comment_note(payload["comment"],
                                      edited=payload.get("issue_event_type_name") == COMMENT_EDITED)
    return common.Intake(
        source=SOURCE,
        external_id=key,
        data=data,
        site_refs=site_refs,
        site_field=site_field,
        site_lookups=common.site_lookups(section),
        defaults=common.creation_defaults(section),
        status_report=status_report(payload, fields, section),
        note=note, note_key=note_key,
        field_names=field_names,
    )
