"""Due times as the API reports them, for each target kind, in the site's time zone with its holidays."""

import datetime as dt

import pytest

from sla.models import SlaClock

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def open_ticket(api, tenant, priority, opened_at, **site_fields):
    for field, value in site_fields.items():
        setattr(tenant.site, field, value)
    tenant.site.save()
    body = {"source": "t", "external_id": f"{priority}-{opened_at}", "title": "x", "priority": priority,
            "site": tenant.site.pk, "opened_at": opened_at}
    response = api.post("/api/v1/tickets/", tenant, body)
    assert response.status_code == 201, response.json()
    return {c.kind: c for c in SlaClock.objects.filter(ticket_id=response.json()["id"])}


NY = {"timezone": "America/New_York", "business_hours": None, "holidays": {"country": "US"}}


def test_p1_is_wall_clock_around_the_clock(api, tenant_a):
    clocks = open_ticket(api, tenant_a, "P1", "2026-11-27T23:30:00-05:00", **NY)  # Friday night
    assert clocks["response"].due_at == dt.datetime(2026, 11, 28, 8, 30, tzinfo=UTC)  # +4 h
    assert clocks["resolution"].due_at == dt.datetime(2026, 11, 28, 12, 30, tzinfo=UTC)  # +8 h


def test_p2_opened_friday_evening_counts_from_monday_opening(api, tenant_a):
    clocks = open_ticket(api, tenant_a, "P2", "2026-11-20T18:30:00-05:00", **NY)
    # 480 business minutes of Mon–Fri 08:00–17:00: Monday 08:00 → 16:00 local.
    assert clocks["response"].due_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_p3_opened_on_thanksgiving_is_due_at_the_next_business_days_close(api, tenant_a):
    clocks = open_ticket(api, tenant_a, "P3", "2026-11-26T10:00:00-05:00", **NY)
    # Thanksgiving is a holiday; the next business day after it is Friday 27th, closing 17:00.
    assert clocks["response"].due_at == dt.datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


def test_p4_is_five_business_days(api, tenant_a):
    clocks = open_ticket(api, tenant_a, "P4", "2026-11-23T09:00:00-05:00", **NY)  # Monday
    # Tue 24, Wed 25, (Thu 26 holiday), Fri 27, Mon 30, Tue Dec 1 → close 17:00 EST.
    assert clocks["response"].due_at == dt.datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def test_p2_across_the_dst_change_counts_real_minutes(api, tenant_a):
    # Saturday 2026-03-07 → Monday 2026-03-09; DST starts Sunday March 8 in New York.
    clocks = open_ticket(api, tenant_a, "P2", "2026-03-06T16:00:00-05:00", **NY)
    # One business hour on Friday (16:00–17:00 EST), seven on Monday from 08:00 EDT → 15:00 EDT = 19:00 UTC.
    assert clocks["response"].due_at == dt.datetime(2026, 3, 9, 19, 0, tzinfo=UTC)


def test_the_site_time_zone_decides_business_hours(api, tenant_a):
    clocks = open_ticket(api, tenant_a, "P3", "2026-11-23T23:30:00Z",
                         timezone="America/Los_Angeles", business_hours=None, holidays={"country": "US", "subdivision": "CA"})
    # 15:30 Monday in Los Angeles: next business day Tuesday, closing 17:00 PST = 01:00Z Wednesday.
    assert clocks["response"].due_at == dt.datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def test_site_and_tenant_closures_are_not_business_days(api, tenant_a):
    tenant_a.org.closures = ["2026-11-24"]  # a company-wide shutdown day
    tenant_a.org.save()
    clocks = open_ticket(api, tenant_a, "P3", "2026-11-23T10:00:00-05:00", closures=["2026-11-25"], **NY)
    # Monday's next business day would be Tuesday 24th; both the 24th and the 25th are closed and the
    # 26th is Thanksgiving, so it is Friday 27th, 17:00 EST.
    assert clocks["response"].due_at == dt.datetime(2026, 11, 27, 22, 0, tzinfo=UTC)
