"""A VP reads the SLA report; a dispatcher runs the optimiser and applies its plan — in a real browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_field_day import sign_in
from tickets.models import Ticket
from tickets.services import SYSTEM, ticket_transition, ticket_upsert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def test_the_vp_reads_compliance_by_site(live_server, browser, tenant_a):
    ticket, _ = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="s", external_id="1",
                              data={"title": "Printer", "priority": "P2", "site": tenant_a.site,
                                    "opened_at": timezone.now()})
    ticket_transition(organization=tenant_a.org, actor=SYSTEM, ticket=ticket, status="cancelled")
    page = browser.new_page()
    sign_in(page, live_server.url, tenant_a.viewer)
    expect(page.get_by_role("heading", name="SLA compliance")).to_be_visible()
    page.get_by_label("Group by").select_option("site")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("cell", name=tenant_a.site.name)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.startswith("sla-site-")


def test_the_dispatcher_plans_and_applies(live_server, browser, tenant_a):
    from dispatch_platform.celery import app

    tenant_a.site.business_hours = ALL_DAY
    tenant_a.site.save()
    for i in range(3):
        ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="s", external_id=f"p{i}",
                      data={"title": f"Job {i}", "priority": "P3", "site": tenant_a.site, "required_skills": ["network"]})
    assert app.conf.task_always_eager  # the plan is solved in-process here; the worker path is tests/integration
    page = browser.new_page()
    sign_in(page, live_server.url, tenant_a.dispatcher)
    page.get_by_role("link", name="Plans").click()
    page.get_by_label("Time limit").select_option("5")
    page.get_by_role("button", name="Plan the open tickets").click()
    expect(page.get_by_text("3 of 3 jobs planned")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Apply all").click()
    expect(page.get_by_text("Applied 3 assignment(s)")).to_be_visible()
    assert Ticket.objects.filter(technician=tenant_a.technician, status="dispatched").count() == 3
