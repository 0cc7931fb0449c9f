"""Jira comments become ticket notes: comment_created / comment_updated events, and the comment an
issue_updated event carries; other event types are acknowledged, not refused."""

import pytest

from tickets.models import InboundDelivery, Ticket, TicketEvent

from .conftest import load

URL = "/api/v1/integrations/jira/webhook/"
NOTE = "Jira comment by Ana Ruiz: Store opens at 7am; ask for the manager at the service desk."


def notes() -> list[str]:
    return list(TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).order_by("id").values_list("message", flat=True))


@pytest.fixture
def jira_ticket(api, tenant_a, loop_site) -> Ticket:
    assert api.post(URL, tenant_a, load("jira_issue_created.json")).status_code == 201
    return Ticket.objects.get()


def test_a_comment_created_event_adds_a_note(api, tenant_a, jira_ticket):
    response = api.post(URL, tenant_a, load("jira_comment_created.json"))
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == jira_ticket.pk
    assert notes() == [NOTE]
    event = TicketEvent.objects.get(kind=TicketEvent.Kind.NOTE)
    assert event.actor_client == tenant_a.client_obj


def test_a_comment_event_changes_nothing_else(api, tenant_a, jira_ticket):
    # Its issue is abbreviated and says "Resolved": that is not a status change to apply, nor a summary edit.
    api.post(URL, tenant_a, load("jira_comment_created.json"))
    ticket = Ticket.objects.get()
    assert (ticket.status, ticket.title, ticket.priority) == ("new", jira_ticket.title, jira_ticket.priority)


def test_an_edited_comment_is_a_new_note_saying_so(api, tenant_a, jira_ticket):
    api.post(URL, tenant_a, load("jira_comment_created.json"))
    response = api.post(URL, tenant_a, load("jira_comment_updated.json"))
    assert response.status_code == 200, response.json()
    assert notes() == [NOTE, "Jira comment by Mia Krystof, edited: Store opens at 6:30am; ask for the manager."]


def test_the_comment_on_an_issue_updated_event_is_a_note_and_the_status_is_not_reapplied(api, tenant_a, jira_ticket):
    response = api.post(URL, tenant_a, load("jira_issue_updated_commented.json"))
    assert response.status_code == 200, response.json()
    assert notes() == [NOTE]
    ticket = Ticket.objects.get()
    assert ticket.priority == "P1"  # the update itself is applied
    assert ticket.status == "new"  # a comment carries the current status, not a change of it


def test_a_comment_sent_by_both_events_is_one_note(api, tenant_a, jira_ticket):
    # Jira fires jira:issue_updated and comment_created for one comment when both are subscribed.
    api.post(URL, tenant_a, load("jira_issue_updated_commented.json"), HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="one")
    api.post(URL, tenant_a, load("jira_comment_created.json"), HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="two")
    assert notes() == [NOTE]


def test_two_comments_with_the_same_words_are_two_notes(api, tenant_a, jira_ticket):
    payload = load("jira_comment_created.json")
    api.post(URL, tenant_a, payload)
    payload["comment"]["id"] = "10101"
    api.post(URL, tenant_a, payload)
    assert notes() == [NOTE, NOTE]


def test_a_redelivered_comment_changes_nothing(api, tenant_a, jira_ticket):
    headers = {"HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER": "7f1e3c52-0d5b-4c1e-9a55-3b8d0c1f2e77"}
    assert api.post(URL, tenant_a, load("jira_comment_updated.json"), **headers).status_code == 200
    events = TicketEvent.objects.count()
    again = api.post(URL, tenant_a, load("jira_comment_updated.json"), **headers)
    assert again.status_code == 200 and again.json()["id"] == jira_ticket.pk
    assert TicketEvent.objects.count() == events
    assert InboundDelivery.objects.get().ticket_id == jira_ticket.pk


def test_a_comment_on_an_unknown_issue_is_404_naming_the_issue_key(api, tenant_a, loop_site):
    response = api.post(URL, tenant_a, load("jira_comment_created.json"),
                        HTTP_X_ATLASSIAN_WEBHOOK_IDENTIFIER="early")
    assert response.status_code == 404
    assert response.json()["issue.key"] == ["No ticket from jira 'ITSM-42'; it is created by its issue's event."]
    assert Ticket.objects.count() == 0 and InboundDelivery.objects.count() == 0  # a retry is not a re-delivery


def test_another_tenants_issue_is_unknown(api, tenant_a, tenant_b, jira_ticket):
    response = api.post(URL, tenant_b, load("jira_comment_created.json"))
    assert response.status_code == 404
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE).count() == 0


def test_a_comment_event_without_a_comment_is_400(api, tenant_a, jira_ticket):
    payload = load("jira_comment_created.json")
    payload["comment"] = "Store opens at 7am"
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert response.json()["comment"] == ["Expected a comment object (id, body, author)."]


@pytest.mark.parametrize("event", ["comment_deleted", "jira:issue_deleted", "worklog_created", "sprint_started"])
def test_other_event_types_are_acknowledged_and_ignored(api, tenant_a, jira_ticket, event):
    payload = load("jira_comment_created.json")
    payload["webhookEvent"] = event
    events = TicketEvent.objects.count()
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 200
    assert response.json() == {"ignored": event}
    assert TicketEvent.objects.count() == events and Ticket.objects.get().status == "new"


@pytest.mark.parametrize("event", [None, "", 42])
def test_a_body_without_an_event_type_is_400(api, tenant_a, jira_ticket, event):
    payload = load("jira_issue_created.json")
    payload["webhookEvent"] = event
    response = api.post(URL, tenant_a, payload)
    assert response.status_code == 400
    assert "webhookEvent" in response.json()
