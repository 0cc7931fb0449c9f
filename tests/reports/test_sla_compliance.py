import datetime as dt

import pytest
from django.utils import timezone

from sla.services import sla_sweep

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/sla-compliance/"


def visit(api, tenant, external_id, opened_at, priority="P1"):
    body = {"source": "t", "external_id": external_id, "title": "x", "priority": priority,
            "site": tenant.site.pk, "opened_at": opened_at.isoformat()}
    tid = api.post("/api/v1/tickets/", tenant, body).json()["id"]
    api.post(f"/api/v1/tickets/{tid}/assign/", tenant, {"technician": tenant.technician.pk})
    for status in ("en_route", "on_site", "completed"):
        api.post(f"/api/v1/tickets/{tid}/transition/", tenant, {"status": status})
    return tid


def test_it_reports_compliance_and_first_time_fix_by_priority(api, tenant_a):
    now = timezone.now()
    visit(api, tenant_a, "met", now - dt.timedelta(minutes=30))
    visit(api, tenant_a, "late", now - dt.timedelta(hours=6))
    sla_sweep()
    today = timezone.localdate()
    rows = api.get(f"{URL}?group_by=priority&from={today - dt.timedelta(days=1)}&to={today}", tenant_a).json()
    assert len(rows) == 1
    row = rows[0]
    assert row["key"] == "P1"
    assert row["tickets"] == 2
    assert (row["response_met"], row["response_breached"]) == (1, 1)
    assert row["response_compliance"] == 0.5
    assert row["first_time_fix_rate"] == 1.0
    assert row["mean_time_on_site_minutes"] is not None


def test_it_rejects_an_unknown_grouping(api, tenant_a):
    response = api.get(f"{URL}?group_by=planet", tenant_a)
    assert response.status_code == 400
    assert "group_by" in response.json()


def test_it_rejects_a_bad_date_naming_the_parameter(api, tenant_a):
    response = api.get(f"{URL}?from=yesterday", tenant_a)
    assert response.status_code == 400
    assert "from" in response.json()


def test_the_page_shows_the_table_and_exports_csv(client, tenant_a, api):
    visit(api, tenant_a, "one", timezone.now() - dt.timedelta(minutes=30))
    client.force_login(tenant_a.viewer)
    page = client.get("/reports/?group_by=site")
    assert page.status_code == 200
    assert tenant_a.site.name in page.content.decode()
    csv = client.get("/reports/?group_by=site&format=csv")
    assert csv["Content-Type"] == "text/csv"
    assert csv.content.decode().splitlines()[0].startswith("key,tickets,response_met")


def test_it_reports_penalty_exposure_of_breaches(api, tenant_a):
    target = tenant_a.policy.targets.get(priority="P1")
    target.penalty_per_breach, target.penalty_per_hour_late = 500, 100
    target.save()
    # P1 response due 4 h after opening; on site 6 h after opening → 2 h late.
    opened = timezone.now() - dt.timedelta(hours=6)
    visit(api, tenant_a, "late", opened)
    today = timezone.localdate()
    rows = api.get(f"{URL}?group_by=priority&from={today - dt.timedelta(days=1)}&to={today}", tenant_a).json()
    # The response breach: 500 + 2 h × 100 (the resolution clock, 8 h, was met).
    assert rows[0]["penalties"] == pytest.approx(700, abs=1)
