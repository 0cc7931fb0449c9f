"""A subscription's events are known names (a typo would silently never fire); none means every event."""

import pytest
from django.core.exceptions import ValidationError

from outbound.models import WebhookSubscription

pytestmark = pytest.mark.django_db
ADD = "/admin/outbound/webhooksubscription/add/"


def admin_form(tenant, receiver, **over):
    return {"organization": tenant.org.pk, "url": receiver.url, "secret": "s" * 20, "format": "json",
            "active": "on", "deliveries-TOTAL_FORMS": "0", "deliveries-INITIAL_FORMS": "0", **over}


def test_the_admin_refuses_an_unknown_event_name(admin_client, tenant_a, receiver):
    response = admin_client.post(ADD, admin_form(tenant_a, receiver, events=["ticket.created", "ticket.create"]))
    assert response.status_code == 200
    assert "ticket.create is not one of the available choices" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_admin_saves_ticked_events_and_none_ticked_means_every_event(admin_client, tenant_a, receiver):
    response = admin_client.post(ADD, admin_form(tenant_a, receiver, events=["ticket.completed", "sla.breached"]))
    assert response.status_code == 302
    response = admin_client.post(ADD, admin_form(tenant_a, receiver, description="everything"))
    assert response.status_code == 302  # was refused before: "This field is required" for []
    ticked, everything = WebhookSubscription.objects.order_by("id")
    assert ticked.events == ["ticket.completed", "sla.breached"]
    assert everything.events == [] and everything.wants("ticket.eta_changed")


@pytest.mark.parametrize("events", [["ticket.create"], "ticket.created", [1], {"ticket.created": True}])
def test_the_model_refuses_anything_but_a_list_of_known_names(tenant_a, receiver, events):
    subscription = WebhookSubscription(organization=tenant_a.org, url=receiver.url, secret="s" * 20, events=events)
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert set(error.value.message_dict) == {"events"}


@pytest.mark.parametrize("events", [["ticket.create"], "ticket.created", [None]])
def test_the_api_refuses_unknown_event_names(api, tenant_a, receiver, events):
    response = api.post("/api/v1/webhooks/", tenant_a, {"url": receiver.url, "secret": "s" * 20, "events": events})
    assert response.status_code == 400
    assert set(response.json()) == {"events"}
    assert not WebhookSubscription.objects.exists()
