"""The day in a real browser: the dispatcher assigns the recommended technician, who taps through the job on
a phone-sized screen; the dispatcher sees the result."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DEMO_PASSWORD
from tickets.models import Ticket
from tickets.services import SYSTEM, ticket_upsert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_assign_on_the_desk_and_finish_on_the_phone(live_server, browser, tenant_a):
    ticket, _ = ticket_upsert(organization=tenant_a.org, actor=SYSTEM, source="servicenow", external_id="INC1",
                              data={"title": "Core switch down", "priority": "P1", "site": tenant_a.site,
                                    "required_skills": ["network"]})

    desk = browser.new_page()
    sign_in(desk, live_server.url, tenant_a.dispatcher)
    desk.get_by_role("link", name=f"{ticket.number} Core switch down").click()
    expect(desk.get_by_role("heading", name="Recommended technicians")).to_be_visible()
    desk.get_by_role("button", name=f"Assign {tenant_a.technician.name}").click()
    expect(desk.get_by_text(f"{ticket.number} assigned to {tenant_a.technician.name}")).to_be_visible()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_in(phone, live_server.url, tenant_a.tech_user)
    expect(phone.get_by_role("heading", name="My jobs")).to_be_visible()
    expect(phone.get_by_text("Core switch down")).to_be_visible()
    phone.get_by_role("button", name="En route").click()
    phone.get_by_role("button", name="On site").click()
    phone.get_by_label(f"Resolution note for {ticket.number}").fill("Replaced PSU; switch back up")
    phone.get_by_role("button", name="Completed").click()
    expect(phone.get_by_text("No jobs assigned to you right now.")).to_be_visible()

    ticket.refresh_from_db()
    assert ticket.status == "completed"
    assert ticket.resolution_notes == "Replaced PSU; switch back up"
    desk.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    expect(desk.get_by_text("Completed").first).to_be_visible()
    expect(desk.get_by_text("Response (on site) · Met")).to_be_visible()
    assert Ticket.objects.get(pk=ticket.pk).first_time_fix is True
