import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from sla.models import EscalationRule, Notification, SlaClock
from sla.services import sla_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """The sweep as the worker runs it: escalation happens after its transaction commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep()

    return run


def open_p1(api, tenant, minutes_ago, external_id="INC1"):
    body = {"source": "t", "external_id": external_id, "title": "Core switch down", "priority": "P1",
            "site": tenant.site.pk, "opened_at": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()}
    response = api.post("/api/v1/tickets/", tenant, body)
    assert response.status_code == 201
    return response.json()


def test_without_rules_dispatchers_are_notified_in_app(api, tenant_a, sweep):
    open_p1(api, tenant_a, minutes_ago=200)  # response at risk from 180 min
    sweep()
    notes = Notification.objects.filter(user=tenant_a.dispatcher)
    assert notes.count() == 1
    assert "at risk" in notes.get().message
    assert not Notification.objects.filter(user=tenant_a.viewer).exists()
    assert mail.outbox == []


def test_a_p1_rule_emails_the_duty_manager_on_at_risk(api, tenant_a, sweep):
    EscalationRule.objects.create(organization=tenant_a.org, priority="P1", event="at_risk",
                                  notify_roles=["dispatcher", "viewer"], emails=["duty-manager@example.com"])
    ticket = open_p1(api, tenant_a, minutes_ago=200)
    sweep()
    assert Notification.objects.filter(user=tenant_a.viewer).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["duty-manager@example.com"]
    assert ticket["number"] in mail.outbox[0].subject


def test_breaches_email_the_tenants_escalation_contacts(api, tenant_a, sweep):
    tenant_a.org.escalation_emails = ["noc@example.com"]
    tenant_a.org.save()
    open_p1(api, tenant_a, minutes_ago=300)
    sweep()
    assert [m.to for m in mail.outbox] == [["noc@example.com"]]
    assert "breached" in mail.outbox[0].subject


def test_the_bell_counts_unread_and_the_list_marks_them_read(client, api, tenant_a, sweep):
    open_p1(api, tenant_a, minutes_ago=200)
    sweep()
    client.force_login(tenant_a.dispatcher)
    assert ">1<" in client.get("/notifications/bell/").content.decode()
    assert "at risk" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert "badge" not in client.get("/notifications/bell/").content.decode()


def test_an_eta_timer_marks_the_clock_itself(api, tenant_a):
    """The timer task checks one clock; run eagerly it does what the worker does at the ETA."""
    from sla.tasks import sla_clock_timer

    open_p1(api, tenant_a, minutes_ago=250)
    clock = SlaClock.objects.get(kind="response")
    SlaClock.objects.filter(pk=clock.pk).update(state="running")  # as if nothing had looked yet
    assert sla_clock_timer(clock.pk) == {"at_risk": 0, "breached": 1}
    assert sla_clock_timer(clock.pk) == {"at_risk": 0, "breached": 0}


def test_the_api_shows_business_minutes_remaining(api, tenant_a):
    ticket = open_p1(api, tenant_a, minutes_ago=60)
    remaining = ticket["sla"]["response"]["business_minutes_remaining"]
    assert 179 <= remaining <= 180  # 240 wall-clock minutes, an hour gone
