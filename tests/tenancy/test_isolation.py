"""Another tenant's objects answer 404 on every endpoint and page; lists never show them."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(tenant_b):
    tenant_b.ticket = TicketFactory(organization=tenant_b.org, site=tenant_b.site, technician=tenant_b.technician,
                                    status="dispatched")
    return tenant_b


API_DETAIL = [
    ("get", "/api/v1/customers/{customer}/"),
    ("put", "/api/v1/customers/{customer}/"),
    ("get", "/api/v1/sites/{site}/"),
    ("patch", "/api/v1/sites/{site}/"),
    ("get", "/api/v1/technicians/{technician}/"),
    ("patch", "/api/v1/technicians/{technician}/"),
    ("get", "/api/v1/sla-policies/{policy}/"),
    ("patch", "/api/v1/sla-policies/{policy}/"),
    ("get", "/api/v1/tickets/{ticket}/"),
    ("post", "/api/v1/tickets/{ticket}/transition/"),
    ("post", "/api/v1/tickets/{ticket}/assign/"),
    ("get", "/api/v1/tickets/{ticket}/recommendations/"),
]


def ids(t):
    return {"customer": t.customer.pk, "site": t.site.pk, "technician": t.technician.pk, "policy": t.policy.pk,
            "ticket": t.ticket.pk}


@pytest.mark.parametrize("method,url", API_DETAIL)
def test_it_answers_404_for_another_tenants_object_through_the_api(api, tenant_a, other, method, url):
    response = getattr(api, method)(url.format(**ids(other)), tenant_a,
                                    **({"data": {"status": "triaged", "technician": tenant_a.technician.pk}}
                                       if method == "post" else {}))
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/customers/", "/api/v1/sites/", "/api/v1/technicians/",
                                 "/api/v1/sla-policies/", "/api/v1/tickets/"])
def test_lists_show_only_the_callers_objects(api, tenant_a, other, url):
    rows = api.get(url, tenant_a).json()["results"]
    other_ids = set(ids(other).values())
    own = api.get(url, other).json()["results"]
    assert own, "the other tenant sees its own objects"
    assert not {r["id"] for r in rows} & {r["id"] for r in own}
    assert other_ids  # ids exist; none of the other tenant's rows leaked above


def test_the_report_counts_only_the_callers_tickets(api, tenant_a, other):
    today = timezone.localdate()
    url = f"/api/v1/reports/sla-compliance/?group_by=priority&from={today - dt.timedelta(days=30)}&to={today}"
    assert sum(r["tickets"] for r in api.get(url, other).json()) == 1
    assert api.get(url, tenant_a).json() == []


@pytest.mark.parametrize("url", [
    "/tickets/{ticket}/",
])
def test_a_dispatcher_gets_404_for_another_tenants_page(client, tenant_a, other, url):
    client.force_login(tenant_a.dispatcher)
    assert client.get(url.format(**ids(other))).status_code == 404


@pytest.mark.parametrize("url", ["/tickets/{ticket}/assign/", "/tickets/{ticket}/transition/", "/tickets/{ticket}/notes/"])
def test_a_dispatcher_gets_404_posting_to_another_tenants_ticket(client, tenant_a, other, url):
    client.force_login(tenant_a.dispatcher)
    response = client.post(url.format(**ids(other)), {"technician": tenant_a.technician.pk, "status": "triaged", "text": "x"})
    assert response.status_code == 404
    other.ticket.refresh_from_db()
    assert other.ticket.status == "dispatched"
    assert other.ticket.technician_id == other.technician.pk


def test_the_queue_shows_only_the_callers_tickets(client, tenant_a, other):
    client.force_login(tenant_a.dispatcher)
    response = client.get("/queue/")
    assert response.status_code == 200
    assert other.ticket.number not in response.content.decode()


@pytest.mark.parametrize("url", ["/my/jobs/{ticket}/status/", "/my/jobs/{ticket}/notes/"])
def test_a_technician_gets_404_for_another_tenants_job(client, tenant_a, other, url):
    client.force_login(tenant_a.tech_user)
    response = client.post(url.format(**ids(other)), {"status": "en_route", "text": "x"})
    assert response.status_code == 404
    other.ticket.refresh_from_db()
    assert other.ticket.status == "dispatched"


def test_a_token_of_another_tenant_cannot_reach_this_tenants_ticket(api, tenant_a, other):
    # The same numeric id through the other tenant's token: 404, no data.
    response = api.get(f"/api/v1/tickets/{other.ticket.pk}/", tenant_a)
    assert response.status_code == 404
    assert other.ticket.title not in response.content.decode()


@pytest.mark.parametrize("suffix,method", [("", "get"), ("apply/", "post"), ("discard/", "post")])
def test_another_tenants_plan_page_is_404(client, tenant_a, other, suffix, method):
    from dispatch_platform.dispatch.models import DispatchPlan

    plan = DispatchPlan.objects.create(organization=other.org, status="proposed")
    client.force_login(tenant_a.dispatcher)
    assert getattr(client, method)(f"/plans/{plan.pk}/{suffix}").status_code == 404
    plan.refresh_from_db()
    assert plan.status == "proposed"
